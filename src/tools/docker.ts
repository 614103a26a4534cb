// Docker CLI (docker/cli, cobra) and Docker Compose: the `docker compose` plugin and the standalone
// `docker-compose`.
//
// Grammar. docker's root command stops reading its own options at the first word, so global options
// (--context/-c, -H/--host, --config, -D/--debug, -l/--log-level, --tls*) stand before the subcommand;
// there `-v` is --version, while after `rm` it is --volumes. Below the subcommand, flags may stand
// anywhere and short booleans combine (`rm -fv`). Compose's own options (-f/--file, -p/--project-name,
// --profile, --dry-run …) stand between `compose` and its subcommand, whose flags follow it (`-f` is
// --file before `down`/`rm` and --force after `rm`). The standalone docker-compose also takes docker's
// -H/--host, --context, --tls* and --log-level among its leading options and hands them to docker.
// Both spellings read as the path `compose <subcommand> …`. A boolean given `=false` is unset (pflag).
// `--help` anywhere, `-h` (deprecated in docker, still honoured) and the `help` command are never gated.
//
// Target, in docker's own order (cli/command/cli.go resolveContextName, checked against the real
// client's `docker context inspect`):
//   1. --context/-c;
//   2. -H/--host, which selects the default context;
//   3. DOCKER_HOST, likewise;
//   4. DOCKER_CONTEXT;
//   5. currentContext in config.json, in --config, DOCKER_CONFIG or ~/.docker;
//   6. the default context, whose daemon is DOCKER_HOST or unix:///var/run/docker.sock.
// A named context's endpoint is in contexts/meta/<sha256 of the name>/meta.json, under
// Endpoints.docker.Host. A daemon on a unix socket or named pipe is this machine (development); a
// tcp:// or ssh:// daemon is classified by its host name. A context's name is read by token.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { sha256Hex } from '../hash.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { dropFalseBooleans } from './pflag-booleans.js';
import { forwardedInput, remoteArgv, remoteSession } from './remote.js';
import { buildRuns } from './dockerfile.js';
import type { Tool } from './tool.js';

/** docker's own options, which stand before the subcommand. */
const dockerGlobalValues = [['--context', '-c'], ['--host', '-H'], ['--config'], ['--log-level', '-l'], ['--tlscacert'], ['--tlscert'], ['--tlskey']];
const dockerGlobals = grammar({
  values: dockerGlobalValues,
  booleans: [['--debug', '-D'], ['--tls'], ['--tlsverify'], ['--version', '-v'], ['--help', '-h']],
});

/** Flags below a docker subcommand: only those that gate, or that take a value, need to be known. */
const dockerCommandFlags = grammar({
  values: [['--filter'], ['--format']],
  booleans: [['--force', '-f'], ['--volumes', '-v'], ['--all', '-a'], ['--link', '-l'], ['--help', '-h']],
});

/** Compose's own options, between `compose` and its subcommand. */
const composeGlobalValues = [
  ['--file', '-f'],
  ['--project-name', '-p'],
  ['--profile'],
  ['--env-file'],
  ['--project-directory'],
  ['--ansi'],
  ['--progress'],
  ['--parallel'],
  ['--workdir'],
];
const composeGlobalBooleans = [['--dry-run'], ['--compatibility'], ['--all-resources'], ['--verbose'], ['--no-ansi'], ['--version', '-v'], ['--help', '-h']];
const composeGlobals = grammar({ values: composeGlobalValues, booleans: composeGlobalBooleans });

/**
 * The leading options of the standalone docker-compose: compose's own, plus the docker options it
 * forwards to docker (compose's cmd/compatibility). v1 also spelled --context as -c.
 */
const standaloneGlobals = grammar({
  values: [...composeGlobalValues, ...dockerGlobalValues.filter(([name]) => name !== '--config')],
  booleans: [...composeGlobalBooleans, ['--debug', '-D'], ['--tls'], ['--tlsverify']],
});

/** Flags of compose's subcommands: `down -v --rmi all`, `rm -fsv`. */
const composeCommandFlags = grammar({
  values: [['--rmi'], ['--timeout', '-t']],
  booleans: [['--volumes', '-v'], ['--remove-orphans'], ['--force', '-f'], ['--stop', '-s'], ['--dry-run'], ['--help', '-h']],
});

function parse(invocation: Invocation): ParsedInvocation {
  const args = invocation.args;
  const flags = new Map<string, string[]>();
  let path: string[];
  /** What stands after the global options: `exec …`, `run …`, `compose exec …` are read for what they run. */
  let runner: NestedLine | undefined;
  let built: NestedLine[] = [];

  if (invocation.tool === 'docker-compose') {
    const lead = leadingOptions(args, standaloneGlobals);
    const run = composeRunner(args.slice(lead), 'docker-compose', invocation);
    path = ['compose', ...readCompose(args.slice(0, run ? lead + run.end : undefined), standaloneGlobals, flags)];
    runner = run?.line;
  } else {
    const split = leadingOptions(args, dockerGlobals);
    merge(flags, readArgs(args.slice(0, split), dockerGlobals).flags);
    const rest = args.slice(split);
    if (rest[0] === 'compose') {
      const lead = 1 + leadingOptions(rest.slice(1), composeGlobals);
      const run = composeRunner(rest.slice(lead), 'docker compose', invocation);
      path = ['compose', ...readCompose(rest.slice(1, run ? lead + run.end : undefined), composeGlobals, flags)];
      runner = run?.line;
    } else {
      // The words after `exec C` or `run IMAGE` are the container's command, not docker's flags (its -h).
      // Their options are read with their own grammar: `docker run -h NAME` is --hostname, not help.
      const run = dockerRunner(rest, invocation);
      const below = readArgs(run ? rest.slice(0, run.skip) : rest, dockerCommandFlags);
      merge(flags, below.flags);
      path = run ? [...below.words, run.name] : below.words;
      if (run) merge(flags, run.flags);
      runner = run?.line;
      // `docker build`, `buildx build`, `image build`, `builder build`: the Dockerfile's RUN lines.
      const build = rest[0] === 'build' ? 1 : /^(buildx|image|builder)$/.test(rest[0] ?? '') && rest[1] === 'build' ? 2 : 0;
      if (build > 0) built = buildRuns(rest.slice(build), invocation);
    }
  }

  for (const g of [dockerGlobals, dockerCommandFlags, composeGlobals, composeCommandFlags]) dropFalseBooleans(flags, g.booleans);
  const help = flags.has('--help') || flags.has('--version') || path[0] === 'help' || (path[0] === 'compose' && path[1] === 'help');
  const nested = [...(runner ? [runner] : []), ...built];
  return { commands: [{ path, flags }], help, ...(nested.length > 0 && !help ? { nested } : {}) };
}

// ── What runs in a container ─────────────────────────────────────────────────────────────────────────
//
// `docker exec [OPTS] CONTAINER CMD…` and `docker run [OPTS] IMAGE [CMD…]` (also under `container`), and
// compose's `exec [OPTS] SERVICE CMD…` and `run [OPTS] SERVICE [CMD…]`. Their options end at the first
// word that is not one (cobra's SetInterspersed(false)), so which options take a value decides which word
// is the container, image or service; everything after it is the command, exec'd without a shell.
// `run --entrypoint E` puts E before it. Without a command, `run` starts the image's (or the service's)
// own command, which chaperone cannot see: with -i that command reads this stdin, a script or a
// terminal, so it is a session; without it, nothing is typed into it and no line is there to read.
// Stdin is forwarded with -i for docker; compose's exec and run attach it unless -d.

const dockerExecOptions = grammar({
  values: [['--detach-keys'], ['--env', '-e'], ['--env-file'], ['--user', '-u'], ['--workdir', '-w']],
  booleans: [['--detach', '-d'], ['--interactive', '-i'], ['--privileged'], ['--tty', '-t'], ['--help', '-h']],
});

const dockerRunOptions = grammar({
  values: [
    ...words(`--add-host --annotation --blkio-weight --blkio-weight-device --cap-add --cap-drop --cgroup-parent
      --cgroupns --cidfile --cpu-count --cpu-percent --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpus
      --cpuset-cpus --cpuset-mems --detach-keys --device --device-cgroup-rule --device-read-bps --device-read-iops
      --device-write-bps --device-write-iops --dns --dns-option --dns-search --domainname --entrypoint --env-file
      --expose --gpus --group-add --health-cmd --health-interval --health-retries --health-start-interval
      --health-start-period --health-timeout --io-maxbandwidth --io-maxiops --ip --ip6 --ipc --isolation
      --kernel-memory --label-file --link --link-local-ip --log-driver --log-opt --mac-address --memory-reservation
      --memory-swap --memory-swappiness --mount --name --network-alias --net-alias --oom-score-adj --pid --pids-limit
      --platform --pull --restart --runtime --security-opt --shm-size --stop-signal --stop-timeout --storage-opt
      --sysctl --tmpfs --ulimit --userns --uts --volume-driver --volumes-from --dns-opt`).map((flag) => [flag]),
    ['--attach', '-a'],
    ['--cpu-shares', '-c'],
    ['--env', '-e'],
    ['--hostname', '-h'],
    ['--label', '-l'],
    ['--memory', '-m'],
    ['--network', '--net'],
    ['--publish', '-p'],
    ['--user', '-u'],
    ['--volume', '-v'],
    ['--workdir', '-w'],
  ],
  booleans: [
    ...words(`--disable-content-trust --init --no-healthcheck --oom-kill-disable --privileged --read-only --rm
      --sig-proxy --use-api-socket --help`).map((flag) => [flag]),
    ['--detach', '-d'],
    ['--interactive', '-i'],
    ['--publish-all', '-P'],
    ['--quiet', '-q'],
    ['--tty', '-t'],
  ],
});

const composeExecOptions = grammar({
  values: [['--env', '-e'], ['--index'], ['--user', '-u'], ['--workdir', '-w']],
  booleans: [['--detach', '-d'], ['--dry-run'], ['--no-TTY', '-T'], ['--privileged'], ['--interactive', '-i'], ['--tty', '-t'], ['--help', '-h']],
});

const composeRunOptions = grammar({
  values: [
    ...words('--cap-add --cap-drop --entrypoint --env-from-file --name --pull').map((flag) => [flag]),
    ['--env', '-e'],
    ['--label', '-l'],
    ['--publish', '-p'],
    ['--user', '-u'],
    ['--volume', '-v'],
    ['--workdir', '-w'],
  ],
  booleans: [
    ...words('--build --dry-run --no-deps --quiet-pull --remove-orphans --rm --use-aliases').map((flag) => [flag]),
    ['--help', '-h'],
    ['--detach', '-d'],
    ['--interactive', '-i'],
    ['--no-TTY', '-T'],
    ['--service-ports', '-P'],
    ['--tty', '-t'],
  ],
});

function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

/** What `exec`/`run` runs, and where docker's own words end in `rest` (after the container or image). */
interface Runner {
  line?: NestedLine;
  end: number;
  /** The words before its options (`container exec`), the container or image, and its options. */
  skip: number;
  name: string;
  flags: Map<string, string[]>;
}

function dockerRunner(rest: readonly string[], invocation: Invocation): Runner | undefined {
  const [first, second] = rest;
  const verb = first === 'container' ? second : first;
  const skip = first === 'container' ? 2 : 1;
  const below = rest.slice(skip);
  const run =
    verb === 'exec'
      ? containerCommand('docker exec', below, dockerExecOptions, 'exec', (f) => f.has('--interactive'), invocation)
      : verb === 'run'
        ? containerCommand('docker run', below, dockerRunOptions, 'run', (f) => f.has('--interactive'), invocation)
        : undefined;
  return run && { ...run, end: skip + run.end, skip };
}

function composeRunner(rest: readonly string[], via: string, invocation: Invocation): Runner | undefined {
  const [verb, ...below] = rest;
  // compose attaches stdin to exec and run unless detached; no command for run is the service's own.
  const run =
    verb === 'exec'
      ? containerCommand(`${via} exec`, below, composeExecOptions, 'exec', (f) => !f.has('--detach'), invocation)
      : verb === 'run'
        ? containerCommand(`${via} run`, below, composeRunOptions, 'service', (f) => !f.has('--detach'), invocation)
        : undefined;
  return run && { ...run, end: 1 + run.end, skip: 1 };
}

/**
 * The command after `[OPTS] NAME`. `kind` says what a missing command means: exec needs one (docker
 * refuses), run starts the image's own, a compose service's own command is in its compose file.
 */
function containerCommand(
  via: string,
  args: readonly string[],
  options: Grammar,
  kind: 'exec' | 'run' | 'service',
  forwards: (flags: Map<string, string[]>) => boolean,
  invocation: Invocation,
): Runner | undefined {
  const split = leadingOptions(args, options);
  const flags = readArgs(args.slice(0, split).filter((a) => a !== '--'), options).flags;
  dropFalseBooleans(flags, options.booleans);
  const name = args[split];
  if (name === undefined) return undefined;
  const found = { end: split + 1, skip: 0, name, flags };
  if (flags.has('--help')) return found;
  const entrypoint = flags.get('--entrypoint')?.at(-1);
  const argv = [...(entrypoint ? [entrypoint] : []), ...args.slice(split + 1)];
  const forwarded = forwards(flags);
  const input = forwardedInput(invocation, forwarded);
  const where = `${via} ${name}`;
  if (argv.length > 0) return { ...found, line: remoteArgv(where, argv, input) };
  return { ...found, line: kind === 'run' && forwarded ? remoteSession(where, input) : undefined };
}

/** Reads compose's leading options into `flags` and returns its subcommand with the words after it. */
function readCompose(args: readonly string[], leading: Grammar, flags: Map<string, string[]>): string[] {
  const split = leadingOptions(args, leading);
  merge(flags, readArgs(args.slice(0, split), leading).flags);
  const below = readArgs(args.slice(split), composeCommandFlags);
  merge(flags, below.flags);
  return below.words;
}

/**
 * Where the options before a command end: the index of the first argument that is neither an option
 * nor an option's value, or the one after `--`. Short options combine (`-DH ssh://x`), and a value may
 * be attached (`-Hssh://x`, `--host=ssh://x`).
 */
function leadingOptions(args: readonly string[], g: Grammar): number {
  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === '--') return i + 1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (arg.startsWith('--')) {
      i += !arg.includes('=') && g.values.has(arg) ? 2 : 1;
      continue;
    }
    let takesNext = false;
    for (let j = 1; j < arg.length; j++) {
      if (g.values.has(`-${arg[j]}`)) {
        takesNext = j === arg.length - 1;
        break;
      }
    }
    i += takesNext ? 2 : 1;
  }
  return args.length;
}

function merge(into: Map<string, string[]>, from: Map<string, string[]>): void {
  for (const [name, values] of from) into.set(name, [...(into.get(name) ?? []), ...values]);
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = parsed.commands[0];
  const env = invocation.env;
  const configDir = dockerConfigDir(flags, env, invocation.cwd);

  const contextFlag = flags.get('--context')?.at(-1);
  if (contextFlag) return fromContext(contextFlag, { source: 'flag', key: '--context', value: contextFlag }, configDir, env);

  const hostFlag = flags.get('--host')?.at(-1);
  if (hostFlag) {
    return fromDaemon(hostFlag, [{ source: 'flag', key: '--host', value: hostFlag }, { source: 'default', key: 'docker context', value: 'default (-H/--host selects it)' }]);
  }
  if (env.DOCKER_HOST) {
    return fromDaemon(env.DOCKER_HOST, [{ source: 'env', key: 'DOCKER_HOST', value: env.DOCKER_HOST }, { source: 'default', key: 'docker context', value: 'default (DOCKER_HOST selects it)' }]);
  }

  if (env.DOCKER_CONTEXT) {
    return fromContext(env.DOCKER_CONTEXT, { source: 'env', key: 'DOCKER_CONTEXT', value: env.DOCKER_CONTEXT }, configDir, env);
  }

  const configFile = join(configDir.path, 'config.json');
  const shown = displayPath(configFile, env);
  const current = readCurrentContext(configFile);
  if (current.kind === 'set') {
    return fromContext(current.name, { source: 'file', key: 'currentContext', value: current.name, file: shown }, configDir, env);
  }
  return fromDaemon(defaultDaemon, [
    { source: 'default', key: 'docker context', value: 'default (no --context, -H, DOCKER_HOST or DOCKER_CONTEXT)' },
    { source: 'file', key: 'currentContext', value: current.why, file: shown },
    { source: 'default', key: 'docker endpoint', value: defaultDaemon },
  ]);
}

const defaultDaemon = 'unix:///var/run/docker.sock';

interface ConfigDir {
  path: string;
  from?: Evidence;
}

/** Where docker keeps config.json and contexts/: --config, DOCKER_CONFIG, else ~/.docker. */
function dockerConfigDir(flags: Map<string, string[]>, env: NodeJS.ProcessEnv, cwd: string): ConfigDir {
  const flag = flags.get('--config')?.at(-1);
  if (flag) return { path: resolvePath(cwd, flag), from: { source: 'flag', key: '--config', value: flag } };
  if (env.DOCKER_CONFIG) return { path: resolvePath(cwd, env.DOCKER_CONFIG), from: { source: 'env', key: 'DOCKER_CONFIG', value: env.DOCKER_CONFIG } };
  return { path: join(homeOf(env), '.docker') };
}

type CurrentContext = { kind: 'set'; name: string } | { kind: 'unset'; why: string };

function readCurrentContext(file: string): CurrentContext {
  try {
    const text = readTextIfExists(file);
    if (text === undefined) return { kind: 'unset', why: 'no such file' };
    const name = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    return typeof name === 'string' && name !== '' ? { kind: 'set', name } : { kind: 'unset', why: 'not set' };
  } catch (error) {
    return { kind: 'unset', why: `unreadable (${(error as Error).message})` };
  }
}

function fromContext(name: string, chosen: Evidence, configDir: ConfigDir, env: NodeJS.ProcessEnv): ResolvedTarget {
  const evidence: Evidence[] = [chosen];
  if (configDir.from) evidence.push(configDir.from);
  if (name === 'default') {
    // The default context is no file: its daemon is DOCKER_HOST, else the local socket.
    const daemon = env.DOCKER_HOST || defaultDaemon;
    const endpoint: Evidence = env.DOCKER_HOST ? { source: 'env', key: 'DOCKER_HOST', value: daemon } : { source: 'default', key: 'docker endpoint', value: daemon };
    return fromDaemon(daemon, [...evidence, endpoint]);
  }

  const identifiers: Identifier[] = [{ kind: 'docker-context', value: name }];
  const metaFile = join(configDir.path, 'contexts', 'meta', sha256Hex(name), 'meta.json');
  const shown = displayPath(metaFile, env);
  const endpoint = readContextEndpoint(metaFile);
  if (endpoint.kind === 'found') {
    evidence.push({ source: 'file', key: 'Endpoints.docker.Host', value: endpoint.host, file: shown });
    const host = daemonHost(endpoint.host);
    if (host) identifiers.push({ kind: 'host', value: host });
  } else {
    evidence.push({ source: 'file', key: `context "${name}"`, value: endpoint.why, file: shown });
  }
  return { name, evidence, identifiers };
}


type ContextEndpoint = { kind: 'found'; host: string } | { kind: 'missing'; why: string };

function readContextEndpoint(file: string): ContextEndpoint {
  try {
    const text = readTextIfExists(file);
    if (text === undefined) return { kind: 'missing', why: 'no such context (docker will refuse to run)' };
    const meta = JSON.parse(text) as { Endpoints?: { docker?: { Host?: unknown } } };
    const host = meta.Endpoints?.docker?.Host;
    return typeof host === 'string' && host !== '' ? { kind: 'found', host } : { kind: 'missing', why: 'no docker endpoint recorded' };
  } catch (error) {
    return { kind: 'missing', why: `unreadable (${(error as Error).message})` };
  }
}

/** A daemon given by its address (-H, DOCKER_HOST, the default socket): named and classified by its host. */
function fromDaemon(address: string, evidence: Evidence[]): ResolvedTarget {
  const host = daemonHost(address);
  const local = host === undefined || host.startsWith('/');
  return { name: local ? 'default' : host, evidence, identifiers: host ? [{ kind: 'host', value: host }] : [] };
}

/**
 * The host a daemon address points at: the socket or pipe path for a daemon on this machine (which
 * classification reads as local), the host name for tcp:// and ssh://. A bare `host:port` is tcp.
 */
export function daemonHost(address: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'unix') return address.slice('unix://'.length) || '/var/run/docker.sock';
  if (scheme === 'npipe') return address.slice('npipe://'.length) || '//./pipe/docker_engine';
  try {
    const hostname = new URL(scheme ? address : `tcp://${address}`).hostname;
    return hostname === '' ? undefined : hostname;
  } catch {
    return undefined;
  }
}

/** Commands that only read (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['ps', 'images', 'logs', 'inspect', 'version', 'info', 'stats', 'top', 'history', 'port'];

export const docker: Tool = { name: 'docker', parse, resolve, plainWords, actsOnItsHost: true };
