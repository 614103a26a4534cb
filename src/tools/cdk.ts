// AWS CDK CLI (aws-cdk, yargs).
//
// Grammar: yargs; options may stand anywhere, `--opt value` or `--opt=value`, `--no-opt` turns a
// boolean off, and an option yargs was not told about takes the next word as its value. The command is
// the first word; the words after it are stack names or globs (`'*-Prod'`). `destroy` takes --all,
// -e/--exclusively, -f/--force; `deploy` (and `watch`, which deploys on every change) takes --all,
// --hotswap, --method, --no-execute… `deploy --no-execute` (`--execute=false`, `--method
// prepare-change-set`) only creates a change set: not gated. `gc --action print` only lists. `--help`,
// `-h`, `--version` and `cdk docs` are never gated.
//
// Target; every fact counts and the strictest class wins:
//   1. the stacks named on the command line, read by token (`ShopStack-Prod`);
//   2. the AWS account, resolved as aws.ts resolves it: --profile, else AWS_ACCESS_KEY_ID, else
//      AWS_PROFILE / AWS_DEFAULT_PROFILE, else `default`, with the account from ~/.aws/config;
//   3. what may only make it stricter, because it does not name what runs (an agent can write it):
//      every -c/--context value and the `context` of cdk.json; and with --all, a glob or no stack
//      named, the stacks of the last synth (`cdk.out/manifest.json`, or -o/--output, or cdk.json's
//      `output`), which may be stale.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { grammar, readArgs, withNegations, words } from './argv.js';
import { readDataFile, stringAt } from './data-file.js';
import type { Tool } from './tool.js';

const cdkGrammar = grammar({
  values: [
    ['--app', '-a'],
    ['--context', '-c'],
    ['--plugin', '-p'],
    ['--role-arn', '-r'],
    ['--output', '-o'],
    ['--build-exclude', '-E'],
    ['--tags', '-t'],
    ['--method', '-m'],
    ['--outputs-file', '-O'],
    ...words(`--build --profile --proxy --ca-bundle-path --toolkit-stack-name --unstable --require-approval
      --notification-arns --change-set-name --parameters --progress --concurrency --action --type
      --rollback-buffer-days --created-buffer-days --bootstrap-stack-name --language --list --record-resource-mapping
      --from-path --from-stack --from-scan --stack-name`).map((f) => [f]),
  ],
  booleans: [
    ['--help', '-h'],
    ['--verbose', '-v'],
    ['--json', '-j'],
    ['--ec2creds', '-i'],
    ['--exclusively', '-e'],
    ['--force', '-f'],
    ...words(`--version --all --execute --no-execute --staging --lookups --ignore-errors --debug --version-reporting
      --path-metadata --asset-metadata --no-color --ci --trace --strict --notices --previous-parameters --rollback
      --hotswap --hotswap-fallback --watch --logs --asset-parallelism --asset-prebuild --import-existing-resources
      --confirm --long --show-dependencies --quiet --exclusively`).map((f) => [f]),
  ],
  unknownLong: 'greedy',
  // `--execute=false` must stay visible: it is what makes a deploy only prepare a change set.
  changed: ['--execute'],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words: positional, flags, rest } = readArgs(invocation.args, withNegations(cdkGrammar, invocation.args));
  const help = ['--help', '--version'].some((f) => flags.has(f) && flags.get(f)!.at(-1) !== 'false') || positional[0] === 'docs' || positional[0] === 'doc';
  // A deploy that only prepares a change set executes nothing.
  const execute = flags.get('--execute')?.at(-1);
  if ((execute !== undefined && /^(false|0)$/i.test(execute)) || flags.get('--method')?.at(-1) === 'prepare-change-set') flags.set('--no-execute', ['']);
  if (flags.get('--no-execute')?.at(-1) === 'false') flags.delete('--no-execute');
  return { commands: [{ path: [...positional, ...rest], flags }], help };
}

async function resolve(parsed: ParsedInvocation, invocation: Invocation): Promise<ResolvedTarget> {
  const { path, flags } = parsed.commands[0] ?? { path: [], flags: new Map<string, string[]>() };
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const stacks = path.slice(1);
  const named = stacks.filter((s) => !/[*?]/.test(s));
  for (const stack of stacks) {
    evidence.push({ source: 'argument', key: 'stack', value: stack });
    identifiers.push({ kind: /[*?]/.test(stack) ? 'part' : 'name', value: stack });
  }

  // The account, as the AWS CLI would find it: aws.ts's own resolution, given only --profile. Loaded
  // here, so that a cdk call nothing gates does not load the AWS reader.
  const { aws } = await import('./aws.js');
  const profile = flags.get('--profile')?.at(-1);
  const account = await aws.resolve({ commands: [{ path: [], flags: new Map(profile ? [['--profile', [profile]]] : []) }], help: false }, invocation);
  evidence.push(...account.evidence);
  identifiers.push(...account.identifiers);

  for (const value of flags.get('--context') ?? []) {
    evidence.push({ source: 'flag', key: '--context', value });
    identifiers.push({ kind: 'part', value: value.slice(value.indexOf('=') + 1) });
  }
  const cdkJson = join(invocation.cwd, 'cdk.json');
  const project = readDataFile(cdkJson, 'json');
  if (project.kind === 'read') {
    const context = (project.data as { context?: unknown })?.context;
    if (context && typeof context === 'object' && !Array.isArray(context)) {
      for (const [key, value] of Object.entries(context)) {
        // Feature flags (`@aws-cdk/…`) are switches, not names.
        if (typeof value !== 'string' || key.startsWith('@aws-cdk')) continue;
        evidence.push({ source: 'file', key: `context.${key}`, value, file: displayPath(cdkJson, env) });
        identifiers.push({ kind: 'part', value });
      }
    }
  } else if (project.kind === 'unreadable') {
    evidence.push({ source: 'file', key: 'cdk.json', value: `unreadable (${project.why})`, file: displayPath(cdkJson, env) });
  }

  if (flags.has('--all') || named.length < stacks.length || stacks.length === 0) {
    const output = flags.get('--output')?.at(-1) ?? (project.kind === 'read' ? stringAt(project.data, 'output') : undefined) ?? 'cdk.out';
    const manifest = join(resolvePath(invocation.cwd, output), 'manifest.json');
    const read = readDataFile(manifest, 'json');
    const synthesized = read.kind === 'read' ? stacksOf(read.data) : [];
    const why = flags.has('--all') ? '--all' : stacks.length === 0 ? 'no stack named' : 'a glob';
    evidence.push({
      source: 'file',
      key: 'stacks of the last synth',
      value: synthesized.length ? `${synthesized.join(', ')} (${why})` : `none read (${read.kind === 'unreadable' ? read.why : read.kind === 'missing' ? 'no manifest' : 'no stacks in it'}; ${why})`,
      file: displayPath(manifest, env),
    });
    for (const stack of synthesized) identifiers.push({ kind: 'part', value: stack });
  }
  return { ...(named[0] ?? account.name ? { name: named[0] ?? account.name } : {}), evidence, identifiers };
}

/** The CloudFormation stacks a cloud assembly's manifest lists, by their stack names. */
function stacksOf(manifest: unknown): string[] {
  const artifacts = (manifest as { artifacts?: unknown })?.artifacts;
  if (!artifacts || typeof artifacts !== 'object') return [];
  return Object.entries(artifacts as Record<string, unknown>)
    .filter(([, a]) => stringAt(a, 'type') === 'aws:cloudformation:stack')
    .map(([id, a]) => stringAt(a, 'properties', 'stackName') ?? stringAt(a, 'displayName') ?? id);
}

export const cdk: Tool = { name: 'cdk', parse, resolve };
