// Pulumi (pulumi/pulumi, cobra + pflag; checked against pkg/cmd/pulumi/operations/destroy.go and
// sdk/go/common/workspace).
//
// Grammar: cobra, as in cobra-command.ts. The root's persistent flags (-C/--cwd, --color, -v, …) may
// stand before the command; each command's own flags stand anywhere after it. `destroy` answers to
// `down` and `dn`, `up` to `update`. `--help`/`-h` anywhere and `pulumi help` are never gated, nor
// `destroy --preview-only`. `pulumi up` is gated the way `terraform apply` is: what its preview would
// replace or delete is not in argv, and chaperone does not run a preview itself (it runs the program,
// with credentials, and takes minutes). A human who reviewed `pulumi preview` confirms it.
//
// Target, the stack, in Pulumi's order (cmd/pulumi/stack RequireStack):
//   1. the stack a command names as its argument (`stack rm NAME`, `cancel NAME`);
//   2. -s/--stack;
//   3. the stack selected in the workspace: the project file (Pulumi.yaml, .yml or .json) found from
//      -C/--cwd, else the working directory, upward; its `name`; then the workspace settings file
//      $PULUMI_HOME/workspaces/<name>-<sha1 of the project file's path>-workspace.json (PULUMI_HOME
//      defaults to ~/.pulumi), key `stack`, which `pulumi stack select` writes (in a shell line, a
//      `pulumi stack select NAME` before the command counts as written).
// The stack name (`acme/shop/prod`) is read by token. PULUMI_STACK is what Pulumi gives a running
// program, not what the CLI reads: it is not evidence. No stack found is unknown.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, homeOf } from '../context/files.js';
import { sha1Hex } from '../hash.js';
import { flagSet, readCobra, type CobraCommand } from './cobra-command.js';
import { readDataFile, stringAt } from './data-file.js';
import { readStartupFile } from './startup-file.js';
import { words } from './argv.js';
import type { Tool } from './tool.js';

// pkg/cmd/pulumi/pulumi.go: the root's persistent flags.
const globalValues = [['--cwd', '-C'], ['--verbose', '-v'], ...words('--color --memprofilerate --profiling --tracing --tracing-header --otel-traces').map((f) => [f])];
const globalBooleans = [['--help', '-h'], ['--emoji', '-e'], ...words('--disable-integrity-checking --fully-qualify-stack-names --logflow --logtostderr --non-interactive').map((f) => [f])];

// The options of up, destroy, refresh, preview, stack and state, merged: which take a value decides how
// the next argument is read. A short letter that means two things (`-f`: --skip-preview, or stack rm's
// --force) is a boolean in both, so reading it either way leaves the words alike.
const commandValues = [
  ['--stack', '-s'],
  ['--message', '-m'],
  ['--target', '-t'],
  ['--exclude', '-x'],
  ['--parallel', '-p'],
  ['--config', '-c'],
  ...words(`--config-file --plan --save-plan --replace --target-replace --policy-pack --policy-pack-config
    --secrets-provider --exec-kind --exec-agent --import-file --event-log --import-pending-creates --organization
    --teams --copy-config-from --remote-agent-pool-id --remote-env --remote-env-secret --remote-executor-image
    --remote-executor-image-password --remote-executor-image-username --remote-git-auth-access-token
    --remote-git-auth-password --remote-git-auth-ssh-private-key --remote-git-auth-ssh-private-key-path
    --remote-git-auth-username --remote-git-branch --remote-git-commit --remote-git-repo-dir
    --remote-pre-run-command`).map((f) => [f]),
];
const commandBooleans = [
  ['--yes', '-y'],
  ['--skip-preview', '-f'],
  ['--debug', '-d'],
  ['--json', '-j'],
  ...words(`--preview-only --remove --exclude-protected --target-dependents --exclude-dependents --continue-on-error
    --run-program --diff --show-config --show-replacement-steps --show-sames --show-reads --show-full-output
    --show-policy-remediations --show-secrets --suppress-outputs --suppress-progress --expect-no-changes
    --config-path --force --preserve-config --remove-backups --all --clear-pending-creates --skip-pending-creates
    --strict --copilot --neo --remote --remote-skip-install-dependencies --remote-inherit-settings
    --remote-suppress-stream-logs`).map((f) => [f]),
];
// pflag NoOptDefVal: a value only after `=`.
const optionalValues = [['--refresh', '-r'], ['--suppress-permalink'], ['--attach-debugger']];

const command: CobraCommand = {
  flags: flagSet({ values: [...globalValues, ...commandValues], booleans: [...globalBooleans, ...commandBooleans], optional: optionalValues }),
};
/** A command group (stack, state): its subcommands read with the same flags. */
const group = (names: string): CobraCommand => ({ flags: command.flags, subcommands: Object.fromEntries(words(names).map((n) => [n, command])) });

// pkg/cmd/pulumi: the commands and their aliases. Those whose subcommands no rule reads are one command.
const root: CobraCommand = {
  flags: flagSet({ values: globalValues, booleans: globalBooleans }),
  subcommands: {
    ...Object.fromEntries(
      words(`up update destroy down dn refresh preview pre cancel import watch new config login logout whoami
        version about convert env org plugin package policy schema gen-completion help logs console install
        deployment ai template view-trace project`).map((n) => [n, command]),
    ),
    stack: group('rm remove init ls select output history export import tag rename change-secrets-provider graph unselect'),
    state: group('delete unprotect protect edit move rename repair upgrade taint untaint'),
  },
};

function parse(invocation: Invocation): ParsedInvocation {
  const { path, flags } = readCobra(invocation.args, root);
  const help = flags.has('--help') || path[0] === 'help';
  return { commands: [{ path, flags }], help };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0] ?? { path: [], flags: new Map<string, string[]>() };
  const evidence: Evidence[] = [];
  const found = stackOf(path, flags, invocation, evidence);
  const identifiers: Identifier[] = found ? [{ kind: 'name', value: found }] : [];
  return { ...(found ? { name: found } : {}), evidence, identifiers };
}

function stackOf(path: string[], flags: Map<string, string[]>, invocation: Invocation, evidence: Evidence[]): string | undefined {
  const named = (path[0] === 'stack' && (path[1] === 'rm' || path[1] === 'remove') ? path[2] : path[0] === 'cancel' ? path[1] : undefined);
  if (named) {
    evidence.push({ source: 'argument', key: path.slice(0, path[0] === 'stack' ? 2 : 1).join(' '), value: named });
    return named;
  }
  const flag = flags.get('--stack')?.at(-1);
  if (flag) {
    evidence.push({ source: 'flag', key: '--stack', value: flag });
    return flag;
  }
  return selectedStack(flags, invocation, evidence);
}

/** The stack `pulumi stack select` chose for this project, from the workspace settings file. */
function selectedStack(flags: Map<string, string[]>, invocation: Invocation, evidence: Evidence[]): string | undefined {
  const { env } = invocation;
  const cwdFlag = flags.get('--cwd')?.at(-1);
  const dir = resolvePath(invocation.cwd, cwdFlag ?? '.');
  if (cwdFlag) evidence.push({ source: 'flag', key: '--cwd', value: `${cwdFlag} (${displayPath(dir, env)})` });
  const projectFile = projectFileFrom(dir);
  if (!projectFile) {
    evidence.push({ source: 'default', key: 'stack', value: `none selected (no --stack, no Pulumi.yaml at or above ${displayPath(dir, env)})` });
    return undefined;
  }
  const shownProject = displayPath(projectFile, env);
  const project = readDataFile(projectFile, projectFile.endsWith('.json') ? 'json' : 'yaml');
  const name = project.kind === 'read' ? stringAt(project.data, 'name') : undefined;
  if (!name) {
    const why = project.kind === 'unreadable' ? project.why : 'no project name in it';
    evidence.push({ source: 'file', key: 'project', value: `unreadable (${why}): the selected stack cannot be found`, file: shownProject });
    return undefined;
  }
  // `pulumi stack select NAME` earlier in the line writes this project's workspace file.
  const switched = (invocation.assumed ?? [])
    .filter((a) => a.fact.kind === 'pulumi-stack' && projectFileFrom(resolvePath(a.cwd, a.fact.cwd ?? '.')) === projectFile)
    .at(-1);
  if (switched?.fact.kind === 'pulumi-stack') {
    evidence.push({ source: 'command', key: `earlier in the line: ${switched.by}`, value: `stack ${switched.fact.stack} selected for project ${name}` });
    return switched.fact.stack;
  }
  const pulumiHome = env.PULUMI_HOME || join(homeOf(env), '.pulumi');
  const settings = join(pulumiHome, 'workspaces', `${name}-${sha1Hex(projectFile)}-workspace.json`);
  const shown = displayPath(settings, env);
  const read = readDataFile(settings, 'json');
  const stack = read.kind === 'read' ? stringAt(read.data, 'stack') : undefined;
  if (stack) {
    evidence.push({ source: 'file', key: 'stack', value: `${stack} (selected for project ${name}, ${shownProject})`, file: shown });
    return stack;
  }
  const why = read.kind === 'unreadable' ? `unreadable: ${read.why}` : read.kind === 'missing' ? 'no workspace file' : 'no stack in it';
  evidence.push({ source: 'file', key: 'stack', value: `none selected for project ${name} (${why}); pulumi would ask or fail`, file: shown });
  return undefined;
}

/** The project file Pulumi finds from a directory: Pulumi.yaml, .yml or .json, there or above. */
function projectFileFrom(dir: string): string | undefined {
  return ancestors(dir)
    .flatMap((d) => ['Pulumi.yaml', 'Pulumi.yml', 'Pulumi.json'].map((f) => join(d, f)))
    .find((file) => readStartupFile(file).kind !== 'missing');
}

export const pulumi: Tool = { name: 'pulumi', parse, resolve };
