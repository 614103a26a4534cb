// Railway CLI (railwayapp/cli, Rust + clap).
//
// Grammar: clap. Flags of a parent command stand before its subcommand (`railway volume -e production
// delete`); a few parents declare them global. Reading every flag wherever it stands is a superset of
// both, which is what a guard wants. `--help`/`-h` anywhere and the `help` subcommand are never gated.
//
// Target, in Railway's own order:
//   1. -e/--environment on the command line;
//   2. RAILWAY_TOKEN, a project token scoped to one environment, or RAILWAY_API_TOKEN: opaque offline,
//      so unknown unless the user's config maps its fingerprint;
//   3. RAILWAY_ENVIRONMENT_ID (set inside `railway run` / `railway shell`);
//   4. the project linked to the nearest ancestor of cwd in ~/.railway/config.json.
// Commands that act on the whole project reach every environment, production included.
// `railway api` sends a GraphQL document of the caller's choosing: it is read in railway-api.ts.

import { join } from 'node:path';
import type { Assumption, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, homeOf, readTextIfExists, realpathOr } from '../context/files.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { isRailwayApiRequest, parseRailwayApi, resolveRailwayApi } from './railway-api.js';
import { forwardedInput, remoteArgv, remoteLine, remoteSession } from './remote.js';
import { fingerprint, type Tool } from './tool.js';

const railwayGrammar = grammar({
  values: [
    ['--environment', '-e'],
    ['--service', '-s'],
    ['--project', '-p'],
    ['--volume', '-v'],
    ['--bucket', '-b'],
    ['--function', '-f'],
    ['--message', '-m'],
    ['--2fa-code'],
    ['--file'],
    ['--variables'],
    ['--var'],
    ['--raw-var'],
    ['--operation-name'],
    ['--set'],
    ['--set-from-stdin'],
  ],
  booleans: [['--help', '-h'], ['--yes', '-y'], ['--json'], ['--version', '-V']],
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const deleteWords = new Set(['delete', 'rm', 'remove']);
const scheduleKinds = ['--daily', '--weekly', '--monthly'];

function parse(invocation: Invocation): ParsedInvocation | Promise<ParsedInvocation> {
  if (invocation.args[0] === 'ssh') return parseSsh(invocation);
  if (invocation.args[0] === 'run' || invocation.args[0] === 'local') return parseRun(invocation);
  if (invocation.args[0] === 'shell') return parseShell(invocation);
  const { words, flags } = readArgs(invocation.args, railwayGrammar);
  const help = flags.has('--help') || words[0] === 'help';
  if (words[0] === 'api' && !help) return parseRailwayApi(invocation);
  // `pitr schedule set` makes the schedule exactly the kinds it names: the ones left out stop.
  if (words[1] === 'pitr' && words[2] === 'schedule' && words[3] === 'set' && !scheduleKinds.every((kind) => flags.has(kind))) {
    flags.set('--leaves-out-kinds', ['']);
  }
  return { commands: [{ path: words, flags }], help };
}

/**
 * `railway ssh [-p P] [-s S] [-e E] [-d INSTANCE] [CMD…]`: CMD runs in the service's container; without
 * it, an interactive bash. clap's trailing_var_arg: from the first word that is not one of ssh's own
 * flags, everything (`-c` too) is the command. The words are joined with spaces for the remote shell.
 */
function parseSsh(invocation: Invocation): ParsedInvocation {
  const own = grammar({
    values: [['--project', '-p'], ['--service', '-s'], ['--environment', '-e'], ['--deployment-instance', '-d']],
    booleans: [['--help', '-h'], ['--json']],
  });
  const { flags, command } = splitTrailing(invocation.args.slice(1), own);
  const help = flags.has('--help');
  const input = forwardedInput(invocation, true);
  const nested = command.length > 0 ? remoteLine('railway ssh', command.join(' '), input) : remoteSession('railway ssh', input);
  return { commands: [{ path: ['ssh'], flags }], help, ...(help ? {} : { nested: [nested] }) };
}

/**
 * `railway run [-s S] [-e E] [-p P] [--] CMD…` (alias `local`) runs CMD here with the service's variables
 * (`DATABASE_URL`, `PG*`, tokens): what CMD reaches is that environment, whatever this machine's files
 * say. So CMD is judged as if it ran there, against the environment `railway run` resolves; its own
 * flags may only make that stricter. The shims judge again what CMD starts, with the variables injected.
 */
function parseRun(invocation: Invocation): ParsedInvocation {
  const own = grammar({
    values: [['--service', '-s'], ['--environment', '-e'], ['--project', '-p']],
    booleans: [['--help', '-h'], ['--json'], ['--no-local'], ['--verbose', '-v']],
  });
  const { flags, command } = splitTrailing(invocation.args.slice(1), own);
  const help = flags.has('--help');
  // It runs here: a script it starts (`railway run ./wipe.sh`) is read here and judged against that environment.
  const nested = command.length > 0 && !help ? [{ ...remoteArgv(`railway ${invocation.args[0]}`, command, forwardedInput(invocation, true)), filesHere: true }] : [];
  return { commands: [{ path: [invocation.args[0]], flags }], help, ...(nested.length > 0 ? { nested } : {}) };
}

/**
 * `railway shell [-s S] [--silent]` starts the user's shell here with the service's variables: a
 * `railway run` whose command is typed later. Every covered tool run in it is still judged by its shim
 * (the variables name the environment), but a client chaperone does not cover (a script's own database
 * driver, a plain HTTP client reading a token) is not. So: a shell whose commands come from a stdin
 * known in advance (a heredoc in a checked line, a regular file) is that script, judged against the
 * environment like `railway run`'s; an interactive one (a terminal, a pipe), or one with nothing to read
 * (/dev/null, a closed stdin, an empty file), is `railway.shell`, which
 * an agent cannot open on production and a human confirms by typing the environment's name.
 */
function parseShell(invocation: Invocation): ParsedInvocation {
  const own = grammar({ values: [['--service', '-s'], ['--environment', '-e'], ['--project', '-p']], booleans: [['--help', '-h'], ['--silent']] });
  const { flags } = readArgs(invocation.args.slice(1), own);
  const help = flags.has('--help');
  const input = help ? '' : forwardedInput(invocation, true);
  // Nothing to read (/dev/null, a closed stdin, an empty file) is no script to judge either: the shell
  // still starts with the environment's credentials and runs its startup files (BASH_ENV, ENV,
  // ~/.zshenv), which the caller can choose. So it is the interactive shell's rule, as the line
  // analysis has it, where a stdin it has not read is unknown.
  if (!input && !help) flags.set('--interactive', ['']);
  const nested = input ? [{ ...remoteLine('railway shell', input, ''), filesHere: true }] : [];
  return { commands: [{ path: ['shell'], flags }], help, ...(nested.length > 0 ? { nested } : {}) };
}

/**
 * clap's trailing_var_arg, as `railway ssh` and `railway run` read their words: the subcommand's own
 * flags (and their values) up to the first word that is not one, then, after an optional `--`, the
 * command, whose words are never railway's even when they start with `-`.
 */
function splitTrailing(args: string[], own: Grammar): { flags: ReturnType<typeof readArgs>['flags']; command: string[] } {
  let end = 0;
  while (end < args.length && args[end].startsWith('-') && args[end] !== '--') {
    const spelled = args[end].includes('=') ? args[end].slice(0, args[end].indexOf('=')) : args[end];
    end += own.values.has(spelled) && spelled === args[end] ? 2 : 1;
  }
  return { flags: readArgs(args.slice(0, end), own).flags, command: args.slice(args[end] === '--' ? end + 1 : end) };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  if (isRailwayApiRequest(parsed)) return resolveRailwayApi(parsed);
  const { path, flags } = parsed.commands[0];
  const env = invocation.env;

  // `railway delete` / `project delete` deletes the project: every environment at once.
  if (deleteWords.has(path[0]) || (/^projects?$/.test(path[0] ?? '') && deleteWords.has(path[1]))) {
    return {
      evidence: [{ source: 'command', key: `railway ${path.slice(0, path[0] === 'project' || path[0] === 'projects' ? 2 : 1).join(' ')}`, value: 'the whole project' }],
      identifiers: [],
      name: 'production',
      forcedClass: 'production',
      forcedReason: 'deleting a project deletes every environment in it, production included',
    };
  }

  // Deletions whose reach -e does not bound (as Railway's GraphQL schema describes them):
  // volumeDelete takes only the volume's id, and a volume belongs to the project, with an instance in
  // each environment; serviceDelete keeps to the environment it is given only when that environment is
  // a fork, else it deletes the service in every environment that is not one. Which it is cannot be
  // seen offline, so `-e staging` is not where it stops: the incident this tool exists for was a
  // volume deleted "in staging" that took production's with it.
  const kind = /^volumes?$/.test(path[0] ?? '') ? 'volume' : /^(services?|functions?|func|fns?|funcs)$/.test(path[0] ?? '') ? 'service' : undefined;
  if (kind && deleteWords.has(path[1])) {
    const named = flags.get('--environment')?.at(-1);
    return {
      evidence: [
        { source: 'command', key: `railway ${path[0]} ${path[1]}`, value: kind === 'volume' ? 'volumeDelete(volumeId): the volume in every environment it has an instance in' : 'serviceDelete: the service in every environment that is not a fork, unless the one given is a fork' },
        ...(named ? [{ source: 'flag' as const, key: '--environment', value: `${named} (where the ${kind} is looked up, not where its deletion stops)` }] : []),
      ],
      identifiers: [],
      name: 'production',
      forcedClass: 'production',
      forcedReason: kind === 'volume' ? 'a volume belongs to the project: deleting it deletes it in every environment, production included' : 'deleting a service outside a forked environment deletes it in every environment, production included',
    };
  }

  // `railway environment delete NAME` targets the environment it names, not the linked one.
  if (/^(environment|env)$/.test(path[0] ?? '') && deleteWords.has(path[1]) && path[2]) {
    return fromName(path[2], { source: 'argument', key: `environment ${path[1]}`, value: path[2] });
  }

  const flag = flags.get('--environment')?.at(-1);
  // A project token (RAILWAY_TOKEN) is scoped to one environment, whatever -e says: `-e dev` beside
  // it is a claim, so the token decides (unknown until your config maps its fingerprint) and -e is
  // only evidence. An account token (RAILWAY_API_TOKEN) reaches every environment, so there -e decides.
  if (flag && !env.RAILWAY_TOKEN) return fromName(flag, { source: 'flag', key: '--environment', value: flag });

  for (const variable of ['RAILWAY_TOKEN', 'RAILWAY_API_TOKEN']) {
    const token = env[variable];
    if (!token) continue;
    const print = fingerprint(token);
    return {
      evidence: [
        { source: 'env', key: variable, value: `set (fingerprint ${print}); the token decides the environment and cannot be read offline` },
        ...(flag ? [{ source: 'flag' as const, key: '--environment', value: `${flag} (a project token acts only in its own environment)` }] : []),
        ...linkEvidence(invocation),
      ],
      identifiers: [{ kind: 'railway-token', value: print }],
    };
  }

  const environmentId = env.RAILWAY_ENVIRONMENT_ID;
  if (environmentId) {
    const identifiers: Identifier[] = [{ kind: 'railway-environment', value: environmentId }];
    const evidence: Evidence[] = [{ source: 'env', key: 'RAILWAY_ENVIRONMENT_ID', value: environmentId }];
    // RAILWAY_ENVIRONMENT_NAME is a label Railway sets in what it runs and its CLI never reads: anyone
    // can set it beside production's id (`RAILWAY_ENVIRONMENT_NAME=development railway down`). It may
    // make the target stricter; only the id (mapped in your config) can make it less strict.
    const name = env.RAILWAY_ENVIRONMENT_NAME;
    if (name) {
      identifiers.push({ kind: 'railway-environment-name', value: name });
      evidence.push({ source: 'env', key: 'RAILWAY_ENVIRONMENT_NAME', value: `${name} (a label the CLI does not read: it may make the target stricter, not looser)` });
    }
    return { name, evidence, identifiers };
  }

  const link = findLink(invocation);
  if (link.kind === 'linked') {
    const identifiers: Identifier[] = [];
    if (link.environmentId) identifiers.push({ kind: 'railway-environment', value: link.environmentId });
    if (link.environmentName) identifiers.push({ kind: 'name', value: link.environmentName });
    return { name: link.environmentName, evidence: link.evidence, identifiers };
  }
  return {
    evidence: [
      { source: 'default', key: 'railway', value: 'no --environment flag, no RAILWAY_TOKEN or RAILWAY_ENVIRONMENT_ID' },
      ...link.evidence,
    ],
    identifiers: [],
  };
}

function fromName(value: string, evidence: Evidence): ResolvedTarget {
  const identifiers: Identifier[] = uuid.test(value)
    ? [{ kind: 'railway-environment', value }]
    : [{ kind: 'name', value }];
  return { name: uuid.test(value) ? undefined : value, evidence: [evidence], identifiers };
}

type Link =
  | { kind: 'linked'; environmentName?: string; environmentId?: string; evidence: Evidence[] }
  | { kind: 'none'; evidence: Evidence[] };

/** Where the parsed config differs from what the Railway CLI writes, in a way the reading below relies on. */
function misshapenLinks(config: unknown): { key: string; why: string } | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return { key: '(top level)', why: 'not a JSON object' };
  const projects = (config as { projects?: unknown }).projects;
  if (projects === undefined) return undefined;
  if (typeof projects !== 'object' || projects === null || Array.isArray(projects)) return { key: 'projects', why: 'not an object' };
  for (const [dir, project] of Object.entries(projects)) {
    if (typeof project !== 'object' || project === null) return { key: `projects["${dir}"]`, why: 'not an object' };
    for (const field of ['environment', 'environmentName', 'name'] as const) {
      const value = (project as Record<string, unknown>)[field];
      if (value !== undefined && value !== null && typeof value !== 'string') return { key: `projects["${dir}"].${field}`, why: `a ${typeof value}, not a string` };
    }
  }
  return undefined;
}

/** The Railway CLI's config file; RAILWAY_ENV picks Railway's own backend, not the user's environment. */
function configFile(env: NodeJS.ProcessEnv): string {
  const backend = env.RAILWAY_ENV;
  const name = backend === 'staging' ? 'config-staging.json' : backend === 'dev' || backend === 'develop' ? 'config-dev.json' : 'config.json';
  return join(homeOf(env), '.railway', name);
}

interface LinkedProject {
  environment?: string;
  environmentName?: string;
  name?: string;
  /** Set when an earlier command of the line linked it (see switchLinks). */
  by?: string;
}

function findLink(invocation: Invocation): Link {
  const file = configFile(invocation.env);
  const shown = displayPath(file, invocation.env);
  const switches = (invocation.assumed ?? []).filter((a) => configFile(a.env) === file);
  let text: string | undefined;
  let config: { projects?: Record<string, LinkedProject> };
  try {
    text = readTextIfExists(file);
    if (text === undefined && switches.length === 0) return { kind: 'none', evidence: [{ source: 'file', key: 'projects', value: 'no such file', file: shown }] };
    config = text === undefined ? {} : JSON.parse(text);
  } catch (error) {
    return { kind: 'none', evidence: [{ source: 'file', key: 'projects', value: `unreadable (${(error as Error).message})`, file: shown }] };
  }
  // The file is the user's; one not shaped as the Railway CLI writes it names no environment.
  const misshapen = misshapenLinks(config);
  if (misshapen) return { kind: 'none', evidence: [{ source: 'file', key: misshapen.key, value: `not as the Railway CLI writes it (${misshapen.why}); fix or remove the file, or run \`railway link\` again`, file: shown }] };
  if (switches.length > 0) config.projects = switchLinks({ ...config.projects }, switches);
  const cwd = realpathOr(invocation.cwd);
  for (const dir of ancestors(cwd)) {
    const project = config.projects?.[dir];
    if (!project) continue;
    if (project.by) {
      const value = project.environmentName ?? project.environment ?? 'an environment not known in advance';
      const evidence: Evidence[] = [{ source: 'command', key: project.by, value: `links ${displayPath(dir, invocation.env)} to ${value}` }];
      return { kind: 'linked', environmentName: project.environmentName, environmentId: project.environment, evidence };
    }
    const evidence: Evidence[] = [];
    if (project.environmentName) {
      evidence.push({ source: 'file', key: `projects["${dir}"].environmentName`, value: project.environmentName, file: shown });
    }
    if (project.environment) {
      evidence.push({ source: 'file', key: `projects["${dir}"].environment`, value: project.environment, file: shown });
    }
    if (evidence.length === 0) {
      evidence.push({ source: 'file', key: `projects["${dir}"]`, value: 'linked, with no environment recorded', file: shown });
    }
    return { kind: 'linked', environmentName: project.environmentName, environmentId: project.environment, evidence };
  }
  return { kind: 'none', evidence: [{ source: 'file', key: 'projects', value: `no project linked at ${displayPath(cwd, invocation.env)} or above`, file: shown }] };
}

function linkEvidence(invocation: Invocation): Evidence[] {
  const link = findLink(invocation);
  return link.kind === 'linked' ? link.evidence.map((e) => ({ ...e, value: `${e.value} (overridden by the token)` })) : [];
}

/** Commands that only read (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['status', 'logs', 'whoami', 'list', 'open', 'docs'];

export const railway: Tool = { name: 'railway', parse, resolve, plainWords };

/**
 * The links as earlier commands of the line leave them: `railway link` links the directory it runs in
 * (its real path, as Railway keys it), `railway environment NAME` relinks the nearest linked project to
 * NAME, `railway unlink` removes the link. An environment named by id leaves the name unknown; one
 * not named at all (Railway asks) is unknown.
 */
function switchLinks(projects: Record<string, LinkedProject>, switches: Assumption[]): Record<string, LinkedProject> {
  for (const a of switches) {
    const fact = a.fact;
    if (fact.kind !== 'railway-link' && fact.kind !== 'railway-environment') continue;
    const by = `earlier in the line: ${a.by}`;
    const linked = (name: string | undefined): LinkedProject =>
      name !== undefined && uuid.test(name) ? { environment: name, by } : { environmentName: name, by };
    const here = realpathOr(a.cwd);
    if (fact.kind === 'railway-link') {
      if (fact.unlink) {
        const nearest = ancestors(here).find((dir) => projects[dir]);
        if (nearest) delete projects[nearest];
      } else {
        projects[here] = linked(fact.environment);
      }
      continue;
    }
    // `railway environment` fails where no project is linked.
    const nearest = ancestors(here).find((dir) => projects[dir]);
    if (nearest) projects[nearest] = { ...linked(fact.environment), name: projects[nearest].name };
  }
  return projects;
}
