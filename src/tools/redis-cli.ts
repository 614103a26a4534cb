// redis-cli (redis 7; src/redis-cli.c parseOptions).
//
// Grammar: options are read left to right and stop at the first word that is not an option: that word
// is the command, everything after it its arguments (`redis-cli del -h` deletes the key "-h"). A value
// option takes the next argument, never an attached one; as the last argument it is an error, except
// `-h`, which then means help. An unknown option is an error (redis-cli exits; nothing runs).
// `--help`, `-h` last, `--version` and `-v` run nothing. `--cluster SUB args…` takes the words after it
// up to the next option; `--cluster call HOST:PORT CMD…` runs CMD on every node.
//
// What it runs: the command in argv (EVAL scripts and --eval files are read for the commands they
// call); with no command and no special mode (--scan, --stat, --rdb, …), the commands on stdin, one
// per line (with --pipe, the Redis protocol): a regular file read with pread, a pipe read ahead
// (src/payload/stdin.ts; longer than the read-ahead is `unreadable`: held in a gated environment), a
// terminal not at all. -x and -X take an argument from stdin; that data is not read. Of a long stdin,
// the first 20 commands of each kind are kept (src/payload/collect.ts), and DEL/UNLINK keys are counted
// across all of it.
//
// Where it connects, left to right, the last one wins: -h/-p, -u redis://[user:pass@]host[:port][/db]
// (it sets host, port and db), -s SOCKET (beats host and port), -n DB (the last of -n and -u); for
// `--cluster SUB HOST:PORT`, that node. Default 127.0.0.1:6379. REDIS_URL and REDIS_HOST are not read
// by redis-cli, and neither are here. A local host or socket is development; `connect HOST PORT` lines
// on stdin name more hosts. Passwords (-a, --pass, the URI's, REDISCLI_AUTH) never reach evidence.

import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { CommandCollector } from '../payload/collect.js';
import { deletedKeyCount, luaCommands, markManyKeys, RedisStdinReader, redisCommand } from '../payload/redis.js';
import { readScriptFile, readStdinPayload } from '../payload/stdin.js';
import type { Tool } from './tool.js';

/** The largest --eval script read; a longer one is unreadable. */
const maxScriptBytes = 16 * 1024 * 1024;

const valueOptions = new Set([
  '-h', '-p', '-s', '-a', '-u', '-r', '-i', '-n', '-d', '-D', '-X', '--user', '--pass', '--sni', '--cacert', '--cacertdir', '--cert',
  '--key', '--tls-ciphers', '--tls-ciphersuites', '--show-pushes', '--lru-test', '--rdb', '--functions-rdb', '--pipe-timeout',
  '--memkeys-samples', '--pattern', '--quoted-pattern', '--count', '--intrinsic-latency', '--eval', '--cluster-replicas',
  '--cluster-master-id', '--cluster-from', '--cluster-to', '--cluster-slots', '--cluster-timeout', '--cluster-pipeline',
  '--cluster-threshold',
]);
const booleanOptions = new Set([
  '-x', '-c', '-e', '-2', '-3', '--askpass', '--no-auth-warning', '--raw', '--no-raw', '--quoted-input', '--csv', '--json',
  '--quoted-json', '--stat', '--latency', '--latency-history', '--latency-dist', '--mono', '--replica', '--slave', '--pipe',
  '--bigkeys', '--memkeys', '--hotkeys', '--scan', '--ldb', '--ldb-sync-mode', '--verbose', '--tls', '--insecure', '--cluster-yes',
  '--cluster-simulate', '--cluster-replace', '--cluster-copy', '--cluster-slave', '--cluster-use-empty-masters',
  '--cluster-search-multiple-owners', '--cluster-fix-with-unreachable-masters', '--cluster-only-masters', '--cluster-only-replicas',
]);
/** Modes that run no command of the user's and do not read stdin as commands. */
const specialModes = ['--scan', '--stat', '--latency', '--latency-history', '--latency-dist', '--bigkeys', '--memkeys', '--hotkeys', '--rdb', '--functions-rdb', '--replica', '--slave', '--lru-test', '--intrinsic-latency', '--cluster', '--eval'];

export interface RedisArgs {
  /** Options in argv order (name, value; '' for a boolean). */
  options: [string, string][];
  /** The command and its arguments. */
  command: string[];
  /** --cluster SUB and its arguments. */
  cluster?: string[];
  help: boolean;
  /** An option redis-cli rejects: it exits without running anything. */
  rejected?: string;
}

export function readRedisArgs(args: readonly string[]): RedisArgs {
  const options: [string, string][] = [];
  let cluster: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const last = i === args.length - 1;
    if (arg === '--help' || arg === '--version' || arg === '-v' || (arg === '-h' && last)) return { options, command: [], help: true };
    if (arg === '--cluster' && !last) {
      // The subcommand and the words after it, up to the next option.
      let j = i + 1;
      while (j + 1 < args.length && !args[j + 1].startsWith('-')) j++;
      cluster = args.slice(i + 1, j + 1);
      options.push(['--cluster', args[i + 1]]);
      i = j;
      continue;
    }
    if (arg === '--cluster-weight') {
      // Followed by name=weight words.
      while (i + 1 < args.length && !args[i + 1].startsWith('--') && args[i + 1].includes('=')) i++;
      continue;
    }
    if (valueOptions.has(arg)) {
      if (last) return { options, command: [], help: false, rejected: arg };
      options.push([arg, args[++i]]);
      continue;
    }
    if (booleanOptions.has(arg)) {
      options.push([arg, '']);
      continue;
    }
    if (cluster && !arg.startsWith('-')) continue; // more --cluster arguments
    if (arg.startsWith('-')) return { options, command: [], help: false, rejected: arg };
    return { options, command: args.slice(i), ...(cluster ? { cluster } : {}), help: false };
  }
  return { options, command: [], ...(cluster ? { cluster } : {}), help: cluster?.[0] === 'help' };
}

const has = (read: RedisArgs, name: string) => read.options.some(([n]) => n === name);
const last = (read: RedisArgs, name: string) => read.options.filter(([n]) => n === name).at(-1)?.[1];

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readRedisArgs(invocation.args);
  if (read.help) return { commands: [], help: true };
  if (read.rejected) return { commands: [], help: false };
  const found = new CommandCollector();
  let deletedKeys = 0;
  const add = (argv: string[], commands: Command[]) => {
    deletedKeys += deletedKeyCount(argv);
    found.addAll(commands);
  };
  let stdin: StdinReadAhead | undefined;

  const evalFile = last(read, '--eval');
  if (evalFile !== undefined) found.addAll(readEvalFile(evalFile, invocation.cwd));
  if (read.cluster?.[0] === 'call') {
    const inner = read.cluster.slice(2);
    add(inner, redisCommand(inner, `--cluster call ${read.cluster.slice(1).join(' ')}`));
  } else if (read.cluster) {
    found.add({ path: ['cluster-manager', (read.cluster[0] ?? '').toLowerCase()], flags: new Map(), text: `--cluster ${read.cluster.join(' ')}` });
  }
  if (read.command.length > 0) {
    add(read.command, redisCommand(read.command));
  } else if (!specialModes.some((mode) => has(read, mode))) {
    stdin = readStdinCommands(invocation.env, invocation.input, has(read, '--pipe') ? 'protocol' : 'lines', (argv) => add(argv, stdinCommand(argv)), found);
  }
  markManyKeys(found.commands, deletedKeys);
  return { commands: found.commands, help: false, ...(stdin ? { stdin } : {}) };
}

function readEvalFile(file: string, cwd: string): Command[] {
  const read = readScriptFile(resolvePath(cwd, file), maxScriptBytes);
  if (!read.ok) return [{ path: ['unreadable'], flags: new Map(), text: `--eval ${file} (${read.why})` }];
  return luaCommands(read.text, `--eval ${file}`);
}

/** Commands on stdin, each handed to `take` as it is read; returns what the runner must replay. */
function readStdinCommands(
  env: NodeJS.ProcessEnv,
  input: string | undefined,
  mode: 'lines' | 'protocol',
  take: (argv: string[]) => void,
  found: CommandCollector,
): StdinReadAhead | undefined {
  const payload = readStdinPayload(env, input);
  if (!payload) return undefined;
  const reader = new RedisStdinReader(mode);
  const takeAll = (argvs: string[][]) => {
    for (const argv of argvs) take(argv);
  };
  if (payload.kind === 'file') {
    payload.chunks((chunk) => takeAll(reader.push(chunk)));
    takeAll(reader.finish());
    return undefined;
  }
  takeAll(reader.push(payload.head));
  if (payload.complete) takeAll(reader.finish());
  else found.add({ path: ['unreadable'], flags: new Map(), text: `stdin beyond the first ${payload.head.length} bytes (a pipe longer than chaperone reads ahead)` });
  return payload.readAhead;
}

/** A line of stdin: a Redis command, or redis-cli's own `connect HOST PORT`. */
function stdinCommand(argv: string[]): Command[] {
  if (argv[0]?.toLowerCase() === 'connect' && argv.length >= 2) {
    return [{ path: ['cli', 'connect'], flags: new Map([['--host', [argv[1]]]]), text: argv.join(' ') }];
  }
  return redisCommand(argv);
}

// ── Where it connects ────────────────────────────────────────────────────────────────────────────

/** redis://[[user]:pass@]host[:port][/db] and rediss://… */
export function parseRedisUri(uri: string): { host?: string; port?: string; db?: string } {
  const m = /^rediss?:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?]*)(?::(\d+))?(?:\/(\d+))?/i.exec(uri);
  if (!m) return {};
  return { ...(m[1] ? { host: m[1].replace(/^\[|\]$/g, '') } : {}), ...(m[2] ? { port: m[2] } : {}), ...(m[3] ? { db: m[3] } : {}) };
}

function withoutPassword(uri: string): string {
  return uri.replace(/^(rediss?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

export function resolveRedis(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const read = readRedisArgs(invocation.args);
  let host: { value: string; from: Evidence } = { value: '127.0.0.1', from: { source: 'default', key: 'host', value: '127.0.0.1 (no -h, -u or -s given)' } };
  let port: Evidence | undefined;
  let db: Evidence | undefined;
  let socket: { value: string; from: Evidence } | undefined;
  for (const [name, value] of read.options) {
    if (name === '-h') host = { value, from: { source: 'flag', key: '-h', value } };
    else if (name === '-p') port = { source: 'flag', key: '-p', value };
    else if (name === '-s') socket = { value, from: { source: 'flag', key: '-s', value } };
    else if (name === '-n') db = { source: 'flag', key: '-n', value };
    else if (name === '-u') {
      const uri = parseRedisUri(value);
      const from: Evidence = { source: 'flag', key: '-u', value: withoutPassword(value) };
      if (uri.host) host = { value: uri.host, from };
      if (uri.port) port = from;
      if (uri.db) db = from;
    }
  }
  const node = read.cluster && read.cluster[0] !== 'help' ? read.cluster[1] : undefined;
  if (node) host = { value: node.replace(/:\d+$/, ''), from: { source: 'argument', key: `--cluster ${read.cluster![0]}`, value: node } };

  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const where = socket && !node ? socket : host;
  evidence.push(where.from);
  identifiers.push({ kind: 'host', value: where.value });
  if (port && where !== socket && port !== where.from) evidence.push(port);
  if (db && db !== where.from) evidence.push(db);
  for (const command of parsed.commands) {
    for (const more of command.flags.get('--host') ?? []) {
      evidence.push({ source: 'command', key: command.text ?? 'connect', value: more });
      identifiers.push({ kind: 'host', value: more });
    }
  }
  return { name: where.value, evidence, identifiers };
}

export const redisCli: Tool = {
  name: 'redis-cli',
  parse,
  resolve: resolveRedis,
  actsOnItsHost: true,
};
