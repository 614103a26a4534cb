// mysql and mariadb (the MySQL/MariaDB terminal client; my_getopt).
//
// Grammar: options and the one positional (the database) mix freely. A long option may be abbreviated
// to a unique prefix, `_` and `-` are the same in its name, and `--loose-`, `--enable-`, `--skip-`,
// `--disable-` prefix any option. Short options take their value attached or as the next argument,
// except -p and -#, whose value is optional and must be attached: `-pSECRET` is a password, `-p SECRET`
// prompts for one and SECRET is the database. `-U` is --safe-updates, never the user. `--help`, `-?`,
// `-I`, `--version`, `-V` and `--print-defaults` run nothing.
//
// What it runs: the init-command of the option files and of the command line on connecting, then every
// -e (all are read, though the client keeps the last), else stdin: a regular file read with pread (the
// client still reads every byte), a pipe read ahead (src/payload/stdin.ts) and, beyond the read-ahead,
// judged statement by statement as it streams (src/gate/mysql-stdin.ts), a terminal not at all. Scripts
// go through the client's own splitter (src/sql/mysql-script.ts) and session (src/sql/mysql-session.ts):
// `source`/`\.` files are read in turn, `system`/`\!` is a nested shell line, and what follows
// `use`/`connect` is judged against the database and host they name. Statements are classified by
// src/sql/mysql.ts; of a long script, the first 20 actions of each kind are kept (src/payload/collect.ts).
//
// Where it connects, first found wins (the MySQL manual: command line, then option files, then
// environment):
//   host:     --host; option files; MYSQL_HOST. With no host or localhost, the socket: --socket; option
//             files; MYSQL_UNIX_PORT; else the compiled-in socket (localhost)
//   database: the positional (it beats -D), --database; option files
// Option files, unless --no-defaults: --defaults-file alone, or /etc/my.cnf, /etc/mysql/my.cnf,
// $MARIADB_HOME/my.cnf, $MYSQL_HOME/my.cnf, --defaults-extra-file, ~/.my.cnf; groups [client], [mysql],
// [client-server], [client-mariadb], [mariadb-client], each also with the --defaults-group-suffix
// (MYSQL_GROUP_SUFFIX). The client takes these four options only first on its command line and fails
// on them anywhere else, so reading them anywhere changes nothing that runs.
// MySQL's ~/.mylogin.cnf (mysql_config_editor) is obfuscated and not read: when it exists and no host
// is given anywhere else, the host is not taken to be localhost. Local hosts and sockets are development
// unless a name says otherwise; `USE shop_prod` in the script counts as much as `-D shop_prod`.

import { existsSync } from 'node:fs';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { isLocalHost } from '../context/classify.js';
import { displayPath, homeOf } from '../context/files.js';
import { readStdinPayload } from '../payload/stdin.js';
import { MysqlSession, unreadableMarker } from '../sql/mysql-session.js';
import { sqlCommand } from '../sql/mysql.js';
import { grammar, readArgs, type ReadArgs } from './argv.js';
import { readOptions, type OptionFiles } from './my-cnf.js';
import type { Tool } from './tool.js';

const mysqlGrammar = grammar({
  values: [
    ['--execute', '-e'],
    ['--host', '-h'],
    ['--port', '-P'],
    ['--user', '-u'],
    ['--database', '-D'],
    ['--socket', '-S'],
    ['--defaults-file'],
    ['--defaults-extra-file'],
    ['--defaults-group-suffix'],
    ['--login-path'],
    ['--delimiter'],
    ['--protocol'],
    ['--init-command'],
    ['--tee'],
    ['--prompt'],
    ['--character-sets-dir'],
    ['--default-character-set'],
    ['--connect-timeout'],
    ['--max-allowed-packet'],
    ['--net-buffer-length'],
    ['--select-limit'],
    ['--max-join-size'],
    ['--plugin-dir'],
    ['--default-auth'],
    ['--server-arg'],
    ['--ssl-ca'],
    ['--ssl-capath'],
    ['--ssl-cert'],
    ['--ssl-cipher'],
    ['--ssl-key'],
    ['--ssl-crl'],
    ['--ssl-crlpath'],
    ['--ssl-mode'],
    ['--tls-version'],
    ['--tls-ciphersuites'],
    ['--server-public-key-path'],
    ['--load-data-local-dir'],
    ['--histignore'],
    ['--network-namespace'],
    ['--dns-srv-name'],
    ['--compression-algorithms'],
    ['--zstd-compression-level'],
    ['--bind-address'],
    ['--shared-memory-base-name'],
    ['--quick-max-column-width'],
  ],
  booleans: [
    ['--help', '-?', '-I'],
    ['--version', '-V'],
    ['--print-defaults'],
    ['--no-defaults'],
    ['--password'],
    ['--pager'],
    ['--debug'],
    ['--safe-updates', '-U', '--i-am-a-dummy'],
    ['--batch', '-B'],
    ['--force', '-f'],
    ['--no-auto-rehash', '-A'],
    ['--auto-rehash'],
    ['--skip-column-names', '-N'],
    ['--comments', '-c'],
    ['--compress', '-C'],
    ['--debug-info', '-T'],
    ['--html', '-H'],
    ['--ignore-spaces', '-i'],
    ['--skip-line-numbers', '-L'],
    ['--named-commands', '-G'],
    ['--no-beep', '-b'],
    ['--one-database', '-o'],
    ['--quick', '-q'],
    ['--raw', '-r'],
    ['--silent', '-s'],
    ['--table', '-t'],
    ['--unbuffered', '-n'],
    ['--verbose', '-v'],
    ['--vertical', '-E'],
    ['--wait', '-w'],
    ['--xml', '-X'],
    ['--pipe', '-W'],
    ['--syslog', '-j'],
    ['--binary-mode'],
    ['--sandbox'],
    ['--ssl'],
    ['--ssl-verify-server-cert'],
    ['--local-infile'],
    ['--reconnect'],
    ['--show-warnings'],
    ['--sigint-ignore'],
    ['--line-numbers'],
    ['--column-names'],
    ['--column-type-info'],
    ['--abort-source-on-error'],
    ['--auto-vertical-output'],
    ['--binary-as-hex'],
    ['--connect-expired-password'],
    ['--enable-cleartext-plugin'],
    ['--print-query-on-error'],
    ['--progress-reports'],
    ['--secure-auth'],
    ['--system-command'],
  ],
  abbreviations: true,
});

/** Short options whose value is optional and must be attached (`-pSECRET`, `-#d:t`). */
const optionalShort: Record<string, string> = { p: '--password', '#': '--debug' };
const mysqlValueShorts = new Set(['e', 'h', 'P', 'u', 'D', 'S']);

/**
 * my_getopt's argv in the shape argv.ts reads: option names with `-` for `_`, the `--loose-` and
 * `--enable-` prefixes dropped, `--skip-X`/`--disable-X` as `--X=0`, and the optional-value short
 * options as long ones (a cluster such as `-pSECRET` must not be read as -p -S ECRET).
 */
export function normalizeMysqlArgs(args: readonly string[], valueShorts: ReadonlySet<string> = mysqlValueShorts): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      let name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).replace(/_/g, '-');
      let value = eq === -1 ? undefined : arg.slice(eq + 1);
      name = name.replace(/^(loose|enable)-/, '');
      const off = /^(skip|disable)-(.+)$/.exec(name);
      if (off) [name, value] = [off[2], '0'];
      out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = arg[j];
        const rest = arg.slice(j + 1);
        if (optionalShort[short]) {
          out.push(rest === '' ? optionalShort[short] : `${optionalShort[short]}=${rest}`);
          break;
        }
        if (valueShorts.has(short)) {
          out.push(`-${short}`);
          if (rest !== '') out.push(rest);
          else if (i + 1 < args.length) out.push(args[++i]);
          break;
        }
        out.push(`-${short}`);
      }
      continue;
    }
    out.push(arg);
  }
  return out;
}

export function readMysqlArgs(args: readonly string[]): ReadArgs {
  return readArgs(normalizeMysqlArgs(args), mysqlGrammar);
}

/** A session for this invocation's scripts: its cwd, environment, delimiter and connection options. */
export function sessionFor(invocation: Invocation): MysqlSession {
  const read = readMysqlArgs(invocation.args);
  const connection = read.sequence
    .filter(([name]) => connectionOptions.includes(name))
    .map(([name, value]) => (name === '--no-defaults' ? (value === 'false' ? '' : name) : `${name}=${value}`))
    .filter(Boolean);
  return new MysqlSession({ cwd: invocation.cwd, env: invocation.env, delimiter: read.flags.get('--delimiter')?.at(-1), connection });
}

/** The options that say where the client connects, carried to a nested call after `use`/`connect`. */
const connectionOptions = ['--host', '--port', '--socket', '--user', '--protocol', '--login-path', '--defaults-file', '--defaults-extra-file', '--defaults-group-suffix', '--no-defaults'];

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readMysqlArgs(invocation.args);
  const help = ['--help', '--version', '--print-defaults'].some((f) => read.flags.has(f));
  if (help) return { commands: [], help };
  const marked = invocation.env[unreadableMarker];
  if (marked !== undefined) return { commands: [sqlCommand({ path: ['unreadable'] }, marked)], help: false };
  const session = sessionFor(invocation);
  readInitCommands(read, invocation, session);
  const executes = read.flags.get('--execute');
  let readAhead: StdinReadAhead | undefined;
  if (executes) for (const sql of executes) session.readScript([sql]);
  else readAhead = readStdinScript(invocation.env, invocation.input, session);
  const { commands, nested } = session.take();
  return { commands, help: false, ...(nested.length ? { nested } : {}), ...(readAhead ? { stdin: readAhead } : {}) };
}

/**
 * SQL on stdin: a regular file or a pipe; a terminal is an interactive session and is not read. A pipe
 * longer than the read-ahead is judged here up to the last whole line, and the rest statement by
 * statement as it streams (src/gate/mysql-stdin.ts).
 */
function readStdinScript(env: NodeJS.ProcessEnv, input: string | undefined, session: MysqlSession): StdinReadAhead | undefined {
  const payload = readStdinPayload(env, input);
  if (!payload) return undefined;
  if (payload.kind === 'file') {
    session.readScript(payload.chunks);
    return undefined;
  }
  const reader = session.readScript([payload.head], payload.complete);
  if (payload.complete) return payload.readAhead;
  return { head: payload.head, complete: false, judgedUpTo: reader.offset };
}

/**
 * The SQL the client sends on connecting, before anything else: the init-command of the option files
 * (which a refused agent can write into ~/.my.cnf), then of the command line. A later `init-command`
 * replaces the earlier ones, MySQL 8.4's `init-command-add` adds one; any unique prefix (`init`, `in`)
 * and `loose-` count, as in my_getopt. An option file the client would wait on is unreadable.
 */
function readInitCommands(read: ReadArgs, invocation: Invocation, session: MysqlSession): void {
  const files = optionFiles(read, invocation);
  let sent: { sql: string; where: string }[] = [];
  const take = (name: string, sql: string, where: string) => {
    const kind = initOption(name);
    if (kind === 'set') sent = [{ sql, where }];
    else if (kind === 'add') sent.push({ sql, where });
  };
  for (const entry of files.entries) take(entry.key, entry.value, `${entry.key} in ${displayPath(entry.file, invocation.env)}:${entry.line} [${entry.group}]`);
  for (const [name, value] of read.sequence) take(name.replace(/^--/, ''), value, name);
  const own = sessionFor(invocation);
  for (const { sql, where } of sent) {
    own.readScript([sql]);
    const { commands, nested } = own.take();
    // What it names: shown with where it was set. It runs first, so nothing it switches to carries on.
    session.addFound(commands.map((c) => ({ ...c, text: `${where}: ${c.text ?? c.path.join(' ')}` })), nested);
  }
  for (const { file, why } of files.unreadable) {
    const shown = displayPath(file, invocation.env);
    session.unreadable(`option file ${shown} cannot be read (${why}); the client reads it on start-up. Remove it, or run the client with --no-defaults`);
  }
}

function initOption(name: string): 'set' | 'add' | undefined {
  const key = name.replace(/^loose-/, '');
  if (key.length < 2 || !'init-command-add'.startsWith(key)) return undefined;
  return key.length > 'init-command'.length ? 'add' : 'set';
}

// ── Where it connects ────────────────────────────────────────────────────────────────────────────

const clientGroups = ['client', 'mysql', 'client-server', 'client-mariadb', 'mariadb-client'];

interface Found {
  value: string;
  from: Evidence;
}

export function resolveMysql(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const read = readMysqlArgs(invocation.args);
  const server = resolveMysqlServer(read, invocation);
  const { evidence, identifiers } = server;
  const positional = read.words[0];
  // `--password SECRET`: mysql prompts and takes SECRET as the database, but whoever typed it meant a
  // password. It is neither shown nor classified nor made the word to type; as it may still be the
  // database (a production one), nothing else may make the target look safer: it is unknown.
  const password = positional !== undefined && typedAsPassword(invocation.args, positional);
  if (password && !server.flag('--database')) {
    return {
      name: undefined,
      evidence: [{ source: 'argument', key: 'database', value: '*** (the word after --password: mysql reads it as the database, but it looks like a password, so it is not shown, and the target is unknown)' }, ...evidence],
      identifiers: [],
    };
  }
  const database: Found | undefined =
    (positional && !password ? { value: positional, from: { source: 'argument', key: 'database', value: positional } } : undefined) ??
    server.flag('--database') ??
    server.fromFiles('database');
  if (database) {
    evidence.push(database.from);
    identifiers.push({ kind: 'name', value: database.value });
  }
  for (const more of namedInScript(parsed.commands)) {
    evidence.push(more.from);
    identifiers.push(more.identifier);
  }
  return { name: database?.value ?? server.name, evidence, identifiers };
}

/**
 * The server a MySQL client program connects to (host or socket, port, login path), with evidence, as
 * every client of the family finds it: its flags, then its option-file groups, then the environment.
 * mysql and mysqladmin differ only in their groups.
 */
export function resolveMysqlServer(read: ReadArgs, invocation: Invocation, groups: readonly string[] = clientGroups) {
  const { env } = invocation;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const flag = (name: string): Found | undefined => {
    const value = read.flags.get(name)?.at(-1);
    return value ? { value, from: { source: 'flag', key: name, value } } : undefined;
  };
  const files = optionFiles(read, invocation, groups);
  const fromFiles = (key: string): Found | undefined => {
    const entry = files.entries.filter((e) => e.key === key).at(-1);
    return entry && entry.value !== ''
      ? { value: entry.value, from: { source: 'file', key: `[${entry.group}] ${key}`, value: entry.value, file: displayPath(entry.file, env) } }
      : undefined;
  };
  const fromEnv = (name: string): Found | undefined => (env[name] ? { value: env[name]!, from: { source: 'env', key: name, value: env[name]! } } : undefined);

  const host = flag('--host') ?? fromFiles('host') ?? fromEnv('MYSQL_HOST');
  // The socket is used when the host is localhost or not given; any other host means TCP.
  const socket = host && !isLocalHost(host.value) ? undefined : (flag('--socket') ?? fromFiles('socket') ?? fromEnv('MYSQL_UNIX_PORT'));
  const port = flag('--port') ?? fromFiles('port') ?? fromEnv('MYSQL_TCP_PORT');
  const loginPath = flag('--login-path');

  for (const where of [host, socket]) {
    if (!where) continue;
    evidence.push(where.from);
    identifiers.push({ kind: 'host', value: where.value });
  }
  if (port) evidence.push(port.from);
  if (loginPath) {
    evidence.push({ ...loginPath.from, value: `${loginPath.value} (from ~/.mylogin.cnf, which chaperone cannot read)` });
    identifiers.push({ kind: 'name', value: loginPath.value });
  }
  if (!host && !socket) {
    if (files.loginFile) {
      evidence.push({ source: 'file', key: 'host', value: 'may be set in this obfuscated login file, which chaperone cannot read', file: files.loginFile });
    } else {
      evidence.push({ source: 'default', key: 'host', value: 'localhost (no host given: the local socket)' });
      identifiers.push({ kind: 'host', value: 'localhost' });
    }
  }
  const defaultHost = !host && !socket && !files.loginFile ? 'localhost' : undefined;
  return { name: host?.value ?? socket?.value ?? defaultHost, evidence, identifiers, flag, fromFiles, unreadable: files.unreadable };
}

/**
 * Whether `word` stands right after a bare --password (or an unambiguous abbreviation of it). `-p db` is
 * the everyday way to be asked for a password and name the database, so it is read as mysql reads it;
 * `--password SECRET` is nearly always a password typed where mysql does not take one.
 */
function typedAsPassword(args: readonly string[], word: string): boolean {
  const at = args.indexOf(word);
  const before = at > 0 ? args[at - 1] : '';
  return before.length >= 6 && '--password'.startsWith(before);
}

/** Databases and hosts the script itself names: USE, connect, DROP DATABASE, db.table. */
function namedInScript(commands: readonly Command[]): { identifier: Identifier; from: Evidence }[] {
  const found: { identifier: Identifier; from: Evidence }[] = [];
  const seen = new Set<string>();
  for (const command of commands) {
    for (const [flagName, kind] of [['--database', 'name'], ['--host', 'host']] as const) {
      for (const value of command.flags.get(flagName) ?? []) {
        if (seen.has(`${kind}:${value}`)) continue;
        seen.add(`${kind}:${value}`);
        found.push({ identifier: { kind, value }, from: { source: 'command', key: command.text ?? command.path.join(' '), value } });
      }
    }
  }
  return found;
}

export function optionFiles(read: ReadArgs, invocation: Invocation, groupNames: readonly string[] = clientGroups): OptionFiles & { loginFile?: string } {
  const { env } = invocation;
  if (read.flags.has('--no-defaults')) return { entries: [], unreadable: [] };
  const home = homeOf(env);
  const fromCwd = (path: string) => resolvePath(invocation.cwd, path.replace(/^~(?=\/)/, home));
  const defaultsFile = read.flags.get('--defaults-file')?.at(-1);
  const extra = read.flags.get('--defaults-extra-file')?.at(-1);
  const files = defaultsFile
    ? [fromCwd(defaultsFile)]
    : [
        '/etc/my.cnf',
        '/etc/mysql/my.cnf',
        ...[env.MARIADB_HOME, env.MYSQL_HOME].filter((d): d is string => Boolean(d)).map((d) => resolvePath(invocation.cwd, d, 'my.cnf')),
        ...(extra ? [fromCwd(extra)] : []),
        resolvePath(home, '.my.cnf'),
      ];
  const suffix = read.flags.get('--defaults-group-suffix')?.at(-1) ?? env.MYSQL_GROUP_SUFFIX;
  const groups = new Set(groupNames.flatMap((g) => (suffix ? [g, `${g}${suffix}`] : [g])));
  const loginFile = env.MYSQL_TEST_LOGIN_FILE ?? resolvePath(home, '.mylogin.cnf');
  return {
    ...readOptions(files, groups),
    ...(existsSync(loginFile) ? { loginFile: displayPath(loginFile, env) } : {}),
  };
}

export const mysql: Tool = {
  name: 'mysql',
  parse,
  resolve: resolveMysql,
  actsOnItsHost: true,
};
