// The MySQL/MariaDB half of "back up before a destroy" (before-destroy.ts): what a gated statement will destroy,
// dumped with mysqldump over the connection the mysql client would have used, before the client runs.
//
//   mysqlScopeOf(texts, …)   what to dump: the tables a DROP TABLE/VIEW/SEQUENCE/INDEX, TRUNCATE, DELETE,
//                            UPDATE, ALTER TABLE or CREATE OR REPLACE TABLE names; the whole database for
//                            DROP DATABASE, for code chaperone cannot see into (CALL, PREPARE, a routine,
//                            `system`) and for anything it cannot read; nothing for accounts, binary logs
//                            and SHUTDOWN, which hold no table data.
//   mysqlConnection(…)       host, port, socket, user, password, protocol and TLS options, resolved the way
//                            the client resolves them (its command line, then its option files' groups,
//                            [mysql] included, which mysqldump does not read). They go to mysqldump in a
//                            0600 temporary option file given as --defaults-file and deleted after, so the
//                            password never stands on an argv `ps` shows. MYSQL_PWD and MYSQL_HOST pass
//                            through in the environment, as they did for the client.
//   takeMysqlBackup(…)       mysqldump into $XDG_DATA_HOME/chaperone/backups/<id>/dump.sql (0700/0600), then
//                            the dump is read back: it must end as mysqldump ends a finished dump, split into
//                            whole statements, and create every table asked for; the rows it inserts are
//                            counted. It is not restored into a scratch database: on a production server that
//                            writes to the binary log and the replicas, so the record says "parsed".
//   restoreMysqlBackup(…)    the real mysql client runs the dump; objects that exist now are found first
//                            (information_schema), and then nothing runs unless the caller says replace.
//
// Any failure is a BackupError saying what failed and why: the caller must not run the command then.

import { chmodSync, closeSync, createReadStream, mkdirSync, openSync, readSync, fstatSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evidence } from '../model.js';
import { MysqlScriptReader } from '../sql/mysql-script.js';
import { isWord, skipIfExists, tokenize, type Token } from '../sql/mysql.js';
import type { ReadArgs } from '../tools/argv.js';
import { normalizeMysqlArgs, optionFiles, readMysqlArgs } from '../tools/mysql.js';
import { appendRecord, BackupError, backupId, discardBackupDir, makeBackupDir, realProgram, runProgram, type BackupRecord, type BackupScope, type QualifiedName } from './store.js';

// ── What a statement destroys ───────────────────────────────────────────────────────────────────────

/** One statement's reach: named tables (database optional: the current one), whole databases, or more. */
type Reach =
  | { kind: 'tables'; tables: QualifiedName[] }
  | { kind: 'databases'; databases: string[] }
  | { kind: 'current'; why: string }
  | { kind: 'nothing' }
  | { kind: 'impossible'; why: string };

/** What a MySQL backup holds: whole databases (`why` says why), and tables of others. */
export type MysqlScope = Extract<BackupScope, { kind: 'objects' }>;

const isName = (t: Token | undefined) => t?.type === 'ident' || t?.type === 'word';
const nameValue = (t: Token) => (t.type === 'word' ? t.value.toLowerCase() : t.value);

/** A possibly qualified name at k: the name and the index after it. Unquoted names are read lower case. */
function qualifiedAt(tokens: Token[], k: number): [QualifiedName | undefined, number] {
  const first = tokens[k];
  if (!isName(first)) return [undefined, k];
  if (tokens[k + 1]?.value === '.' && isName(tokens[k + 2])) return [{ schema: nameValue(first), name: nameValue(tokens[k + 2]) }, k + 3];
  return [{ name: nameValue(first) }, k + 1];
}

/** A comma-separated list of names from k, as DROP TABLE a, db.b writes them. */
function nameList(tokens: Token[], k: number): QualifiedName[] {
  const names: QualifiedName[] = [];
  for (;;) {
    const [name, next] = qualifiedAt(tokens, k);
    if (!name) break;
    names.push(name);
    if (tokens[next]?.value !== ',') break;
    k = next + 1;
  }
  return names;
}

const joinWords = ['LEFT', 'RIGHT', 'INNER', 'OUTER', 'CROSS', 'NATURAL', 'FULL', 'LATERAL'];

/**
 * The tables of a DELETE's or UPDATE's table references, from k to the first top-level stop word: the
 * first name, and each after a comma or JOIN (aliases, ON conditions and derived tables skipped). A
 * superset of the tables changed, which is what a backup needs.
 */
function tableReferences(tokens: Token[], k: number, stops: string[]): QualifiedName[] {
  const names: QualifiedName[] = [];
  let expect = true;
  let level = 0;
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.value === '(') {
      if (level++ === 0) expect = false; // a derived table takes the place of a name; its alias follows
    } else if (t.value === ')') level--;
    if (level !== 0 || t.value === '(' || t.value === ')') continue;
    if (t.type === 'word' && stops.includes(t.value)) break;
    if (t.value === ',' || isWord(t, 'JOIN', 'STRAIGHT_JOIN')) {
      expect = true;
    } else if (expect && isName(t) && !isWord(t, ...joinWords)) {
      const [name, next] = qualifiedAt(tokens, j);
      names.push(name!);
      j = next - 1;
      expect = false;
    }
  }
  return names;
}

function statementReach(text: string): Reach {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return { kind: 'current', why: 'a statement could not be read' };
  }
  const verb = tokens[0];
  switch (verb?.type === 'word' ? verb.value : '') {
    case 'DROP': {
      let k = 1;
      if (isWord(tokens[k], 'TEMPORARY')) return { kind: 'nothing' }; // the session's own temporary tables
      while (isWord(tokens[k], 'ONLINE', 'OFFLINE')) k++;
      const kind = tokens[k]?.value ?? '';
      const at = skipIfExists(tokens, k + 1);
      if (['TABLE', 'TABLES', 'VIEW', 'SEQUENCE'].includes(kind)) {
        const tables = nameList(tokens, at);
        return tables.length > 0 ? { kind: 'tables', tables } : { kind: 'current', why: `DROP ${kind} names nothing chaperone can read` };
      }
      if (kind === 'DATABASE' || kind === 'SCHEMA') return isName(tokens[at]) ? { kind: 'databases', databases: [nameValue(tokens[at])] } : { kind: 'current', why: 'DROP DATABASE names no database chaperone can read' };
      if (kind === 'INDEX') {
        const on = tokens.findIndex((t, i) => i > at && isWord(t, 'ON'));
        const [table] = on === -1 ? [undefined] : qualifiedAt(tokens, on + 1);
        return table ? { kind: 'tables', tables: [table] } : { kind: 'current', why: 'DROP INDEX names no table chaperone can read' };
      }
      // Accounts, servers, tablespaces and prepared statements hold no table data a dump could keep.
      if (['USER', 'ROLE', 'SERVER', 'TABLESPACE', 'LOGFILE', 'RESOURCE', 'SPATIAL', 'PREPARE'].includes(kind)) return { kind: 'nothing' };
      // A procedure, function, trigger, event or package: mysqldump keeps it with its whole database.
      const [name] = qualifiedAt(tokens, at);
      return name?.schema ? { kind: 'databases', databases: [name.schema] } : { kind: 'current', why: `DROP ${kind} drops an object mysqldump keeps with its database` };
    }
    case 'TRUNCATE': {
      const [table] = qualifiedAt(tokens, isWord(tokens[1], 'TABLE') ? 2 : 1);
      return table ? { kind: 'tables', tables: [table] } : { kind: 'current', why: 'TRUNCATE names no table chaperone can read' };
    }
    case 'DELETE': {
      let k = 1;
      while (isWord(tokens[k], 'LOW_PRIORITY', 'QUICK', 'IGNORE', 'HISTORY')) k++;
      // DELETE FROM t …, DELETE FROM t1, t2 USING refs …, DELETE t1, t2 FROM refs …
      const using = tokens.findIndex((t) => isWord(t, 'USING'));
      const from = isWord(tokens[k], 'FROM') ? k + 1 : tokens.findIndex((t, i) => i > k && isWord(t, 'FROM')) + 1;
      const start = using !== -1 ? using + 1 : from;
      const tables = start > 0 ? tableReferences(tokens, start, ['WHERE', 'ORDER', 'LIMIT', 'RETURNING', 'PARTITION', 'FOR']) : [];
      return tables.length > 0 ? { kind: 'tables', tables } : { kind: 'current', why: 'the DELETE names no table chaperone can read' };
    }
    case 'UPDATE': {
      let k = 1;
      while (isWord(tokens[k], 'LOW_PRIORITY', 'IGNORE')) k++;
      const tables = tableReferences(tokens, k, ['SET']);
      return tables.length > 0 ? { kind: 'tables', tables } : { kind: 'current', why: 'the UPDATE names no table chaperone can read' };
    }
    case 'ALTER': {
      let k = 1;
      while (isWord(tokens[k], 'ONLINE', 'OFFLINE', 'IGNORE')) k++;
      const [table] = isWord(tokens[k], 'TABLE') ? qualifiedAt(tokens, skipIfExists(tokens, k + 1)) : [undefined];
      return table ? { kind: 'tables', tables: [table] } : { kind: 'current', why: 'an ALTER chaperone cannot read' };
    }
    case 'CREATE': {
      if (!(isWord(tokens[1], 'OR') && isWord(tokens[2], 'REPLACE'))) return { kind: 'current', why: 'a CREATE that defines code' };
      const kind = tokens[3]?.value ?? '';
      const at = skipIfExists(tokens, 4);
      if (kind === 'DATABASE' || kind === 'SCHEMA') return isName(tokens[at]) ? { kind: 'databases', databases: [nameValue(tokens[at])] } : { kind: 'current', why: 'CREATE OR REPLACE DATABASE names no database' };
      const [table] = qualifiedAt(tokens, at);
      return table && (kind === 'TABLE' || kind === 'SEQUENCE') ? { kind: 'tables', tables: [table] } : { kind: 'current', why: `CREATE OR REPLACE ${kind}` };
    }
    case 'PURGE':
    case 'RESET':
    case 'SHUTDOWN':
    case 'RESTART':
      return { kind: 'nothing' }; // binary logs and a running server are not in a dump
    case 'CLONE':
      return { kind: 'impossible', why: 'CLONE INSTANCE replaces every database on the server; chaperone does not dump a whole server' };
    default:
      return { kind: 'current', why: `${snippetOf(text)} runs code or does something chaperone cannot list` };
  }
}

function snippetOf(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}

/** A statement as a finding shows it: cut at 200 characters, with "..." (src/sql/mysql.ts snippet()). */
const isCut = (text: string) => text.length >= 200 && text.endsWith('...');

/**
 * What the gated statements `texts` destroy, with `current` the database the client starts in and
 * `switched` the databases the script may change to (USE, connect): an unqualified name may then be
 * in any of them, so each is dumped whole.
 */
export function mysqlScopeOf(texts: readonly string[], current: string | undefined, switched: readonly string[] = []): MysqlScope | undefined {
  const databases = new Set<string>();
  const tables: QualifiedName[] = [];
  const whys: string[] = [];
  const candidates = [...new Set([...(current ? [current] : []), ...switched])];
  const wholeCurrent = (why: string) => {
    if (candidates.length === 0) throw new BackupError(`no database is selected, so chaperone cannot tell which database to back up (${why}); name one with -D or in the statement`);
    for (const db of candidates) databases.add(db);
    whys.push(why);
  };
  for (const text of texts) {
    const reach = statementReach(text);
    if (reach.kind === 'impossible') throw new BackupError(reach.why);
    if (reach.kind === 'nothing') continue;
    if (reach.kind === 'current') wholeCurrent(reach.why);
    if (reach.kind === 'databases') {
      for (const db of reach.databases) databases.add(db);
      whys.push(`${snippetOf(text)} drops the database`);
    }
    if (reach.kind === 'tables') {
      for (const table of reach.tables) {
        if (table.schema !== undefined) tables.push(table);
        else if (switched.length > 0) wholeCurrent(`the script changes database (USE), so \`${table.name}\` may be in any of ${candidates.join(', ')}`);
        else if (current !== undefined) tables.push({ schema: current, name: table.name });
        else wholeCurrent(`\`${table.name}\` names no database`);
      }
    }
    // The statement was cut before chaperone saw its end: names after the cut are not known.
    if (isCut(text)) wholeCurrent(`a statement too long to read whole (${snippetOf(text)})`);
  }
  const kept = dedupe(tables.filter((t) => !databases.has(t.schema!)));
  if (databases.size === 0 && kept.length === 0) return undefined;
  return { kind: 'objects', databases: [...databases], tables: kept, ...(whys.length > 0 && databases.size > 0 ? { why: [...new Set(whys)].join('; ') } : {}) };
}

function dedupe(tables: QualifiedName[]): QualifiedName[] {
  const seen = new Set<string>();
  return tables.filter((t) => {
    const key = `${t.schema}\0${t.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The databases a script changes to, from the target's evidence (USE, \u, connect, \r). */
export function switchedDatabases(evidence: readonly Evidence[]): string[] {
  // An init-command's statements are shown after where they come from: `init-command in FILE:LINE [group]: USE x`.
  return [...new Set(evidence.filter((e) => e.source === 'command' && /(^|: )\s*(use|connect|\\u|\\r)\b/i.test(e.key)).map((e) => e.value))];
}

// ── The connection ──────────────────────────────────────────────────────────────────────────────────

/** The client's options that say where and as whom it connects; values are option-file keys. */
const connectionKeys = ['host', 'port', 'socket', 'user', 'protocol', 'default-auth', 'plugin-dir', 'character-sets-dir', 'default-character-set', 'bind-address', 'server-public-key-path'];
const tlsKeys = ['ssl', 'ssl-ca', 'ssl-capath', 'ssl-cert', 'ssl-cipher', 'ssl-key', 'ssl-crl', 'ssl-crlpath', 'ssl-mode', 'ssl-verify-server-cert', 'tls-version', 'tls-ciphersuites', 'compress', 'enable-cleartext-plugin', 'get-server-public-key'];

export interface MysqlConnection {
  /** Option-file lines for the temporary [client] group, without the password. */
  options: [key: string, value: string][];
  /** The password: a value, or `prompt` when the client would ask for it; undefined: none given (MYSQL_PWD may be set). */
  password?: { value: string } | 'prompt';
  /** --login-path, passed on (MySQL reads ~/.mylogin.cnf whatever --defaults-file says). */
  loginPath?: string;
  /** The database the client starts in. */
  database?: string;
  /** For the record and for humans: where, never the password. */
  shown: string[];
}

/**
 * How a client program of the family reads its command line: its options, its normalized words (to tell
 * `-p` from `--password=`), its option-file groups (undefined: the mysql client's), and whether its first
 * word is the database it starts in. mysql's is the default; mysqladmin's is in src/tools/mysqladmin.ts.
 */
export interface ClientReading {
  read(args: readonly string[]): ReadArgs;
  normalize(args: readonly string[]): string[];
  groups?: readonly string[];
  startsInDatabase: boolean;
}

const mysqlReading: ClientReading = { read: readMysqlArgs, normalize: (args) => normalizeMysqlArgs(args), startsInDatabase: true };

/** The connection the client would make with `args` in `cwd` and `env` (the mysql client unless `reading` says). */
export function mysqlConnection(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, reading: ClientReading = mysqlReading): MysqlConnection {
  const read = reading.read(args);
  const files = optionFiles(read, { tool: 'mysql', args: [...args], env, cwd }, reading.groups);
  const values = new Map<string, string>();
  let password: MysqlConnection['password'];
  // Option files first, in the client's order, then its command line: the last occurrence wins.
  for (const entry of files.entries) {
    const key = entry.key.replace(/^loose-/, '');
    if (key === 'password') password = entry.value === '' ? 'prompt' : { value: entry.value };
    else if (key === 'skip-password') password = undefined;
    else if (connectionKeys.includes(key) || tlsKeys.includes(key)) values.set(key, entry.value);
  }
  const booleans = ['ssl', 'ssl-verify-server-cert', 'compress', 'enable-cleartext-plugin', 'get-server-public-key'];
  for (const [flag, value] of read.sequence) {
    const key = flag.replace(/^--/, '');
    if (key !== 'password' && !booleans.includes(key) && (connectionKeys.includes(key) || tlsKeys.includes(key))) values.set(key, value);
  }
  // The password: `-p` asks for one where `--password=` gives an empty one, which the parsed flags do
  // not tell apart; the client's normalized words do.
  const normalized = reading.normalize(args);
  const typed = read.sequence.filter(([flag]) => flag === '--password').at(-1);
  if (typed) {
    const empty = normalized.filter((arg) => /^--pas(s(w(o(r(d)?)?)?)?)?(=|$)/.test(arg)).at(-1)?.endsWith('=');
    password = typed[1] !== '' ? { value: typed[1] } : empty ? { value: '' } : 'prompt';
  }
  // On/off options: `--skip-ssl` is normalized to --ssl=0, which the parsed flags drop.
  for (const arg of normalized) {
    const m = /^--([a-z-]+)(?:=([01]))?$/.exec(arg);
    if (m && booleans.includes(m[1])) values.set(m[1], m[2] ?? '1');
  }
  const database = reading.startsInDatabase ? (read.words[0] ?? read.flags.get('--database')?.at(-1) ?? files.entries.filter((e) => e.key === 'database').at(-1)?.value) : undefined;
  // Options a dump tool may not know (MySQL's ssl-mode in MariaDB's) are `loose-`: a warning, not a failure.
  const options = [...values].map(([key, value]): [string, string] => [connectionKeys.slice(0, 5).includes(key) ? key : `loose-${key}`, value]);
  const loginPath = read.flags.get('--login-path')?.at(-1);
  const shown = [...values].filter(([key]) => connectionKeys.includes(key)).map(([key, value]) => `--${key}=${value}`);
  if (loginPath) shown.push(`--login-path=${loginPath}`);
  return { options, ...(password ? { password } : {}), ...(loginPath ? { loginPath } : {}), ...(database ? { database } : {}), shown };
}

/** An option-file value, quoted so that `#`, spaces, quotes and backslashes survive the reader. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Writes the connection as a 0600 option file in a private 0700 directory, runs `use` with its path,
 * and removes it whatever happens.
 */
async function withOptionFile<T>(connection: MysqlConnection, use: (args: string[]) => Promise<T>): Promise<T> {
  const dir = join(tmpdir(), `chaperone-my-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { mode: 0o700 });
  try {
    const file = join(dir, 'client.cnf');
    const lines = ['[client]', ...connection.options.map(([key, value]) => `${key}=${optionValue(value)}`)];
    if (connection.password && connection.password !== 'prompt') lines.push(`password=${optionValue(connection.password.value)}`);
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    // --defaults-file must come first; nothing else is read then, so the client's option files cannot
    // add to or change what was resolved above.
    const args = [`--defaults-file=${file}`, ...(connection.loginPath ? [`--login-path=${connection.loginPath}`] : []), ...(connection.password === 'prompt' ? ['--password'] : [])];
    return await use(args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstLines(text: string): string {
  return text.trim().split('\n').filter((line) => !/^(\S+: )?\[?Warning\]?/i.test(line)).slice(0, 3).join(' / ');
}

// ── Taking and checking the dump ────────────────────────────────────────────────────────────────────

export interface MysqlBackupRecord extends BackupRecord {
  engine: 'mysql';
  scope: MysqlScope;
  /** The client options to reach the server again (host, port, socket, user; never a password). */
  clientArgs: string[];
  /** The tables and views the dump creates, `db.name`, with the rows it inserts into each. */
  objects: { database: string; name: string; kind: 'table' | 'view' | 'sequence'; rows: number }[];
  /** How the dump was checked. */
  verified: string;
}

/**
 * Dumps `scope` over the connection the mysql client's `args` make, checks the dump reads back, and
 * records it. Throws a BackupError when any step fails; then the destructive command must not run.
 */
export async function takeMysqlBackup(options: {
  args: readonly string[];
  scope: MysqlScope;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now?: Date;
  /** Asks for the password the client would prompt for (-p); by default at the terminal, without echo. */
  askPassword?: () => Promise<string | undefined>;
  /** How the client whose `args` these are reads them; the mysql client's by default. */
  reading?: ClientReading;
}): Promise<MysqlBackupRecord | { kind: 'nothing'; why: string }> {
  const { env, cwd } = options;
  const now = options.now ?? new Date();
  const connection = mysqlConnection(options.args, env, cwd, options.reading);
  if (connection.password === 'prompt') connection.password = { value: await promptedPassword(options.askPassword) };
  const dump = realProgram(['mysqldump', 'mariadb-dump'], env, cwd);
  // What is not there cannot be destroyed (DROP TABLE IF EXISTS), and mysqldump fails on it.
  const present = await presentOnly(options.scope, connection, env, cwd);
  if (present.databases.length === 0 && present.tables.length === 0) {
    return { kind: 'nothing', why: `nothing to back up: ${describeScope(options.scope)} does not exist` };
  }
  const { id, dir } = makeBackupDir(env, backupId(now));
  try {
    return await dumpAndCheck({ ...options, scope: present, connection, dump, id, dir, now });
  } catch (error) {
    discardBackupDir(dir);
    throw error;
  }
}

/**
 * The client will ask for a password (-p): chaperone asks once, at the terminal, and gives it to
 * mysqldump in the option file, rather than have every dump tool run ask again.
 */
async function promptedPassword(ask?: () => Promise<string | undefined>): Promise<string> {
  let answer: string | undefined;
  try {
    answer = await (ask ?? (async () => (await import('../gate/confirm.js')).askSecret('Password for the backup (mysqldump)')))();
  } catch (error) {
    throw new BackupError(`the client asks for a password (-p), and there is no terminal to ask it at for mysqldump (${(error as Error).message}); give it in MYSQL_PWD or an option file`);
  }
  if (answer === undefined) throw new BackupError('no password was given for mysqldump');
  return answer;
}

function describeScope(scope: MysqlScope): string {
  return [...scope.databases.map((d) => `database ${d}`), ...scope.tables.map((t) => `${t.schema}.${t.name}`)].join(', ');
}

/**
 * The part of `scope` that exists on the server now, asked of information_schema with the real client,
 * with the names as the server spells them: the statement's unquoted names were read in lower case, and
 * table names are case-sensitive on most servers, so every table whose name matches in any case is kept.
 */
async function presentOnly(scope: MysqlScope, connection: MysqlConnection, env: NodeJS.ProcessEnv, cwd: string): Promise<MysqlScope> {
  const client = realProgram(['mysql', 'mariadb'], env, cwd);
  const quote = (text: string) => `LOWER('${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`;
  const queries = [
    ...(scope.databases.length > 0 ? [`SELECT 'd', schema_name, '' FROM information_schema.schemata WHERE LOWER(schema_name) IN (${scope.databases.map(quote).join(', ')})`] : []),
    ...(scope.tables.length > 0
      ? [
          `SELECT 't', table_schema, table_name FROM information_schema.tables WHERE (LOWER(table_schema), LOWER(table_name)) IN (${scope.tables.map((t) => `(${quote(t.schema!)}, ${quote(t.name)})`).join(', ')})`,
        ]
      : []),
  ];
  if (queries.length === 0) return scope;
  const out = await withOptionFile(connection, (connect) => runProgram(client, [...connect, '--batch', '--skip-column-names', '-e', queries.join(' UNION ALL ')], { env, cwd })).catch(
    (error: Error & { stderr?: string }) => {
      throw error instanceof BackupError ? error : new BackupError(`mysql could not look the objects up: ${firstLines(error.stderr ?? error.message)}`);
    },
  );
  // Batch output escapes tab, newline and backslash inside a value.
  const unescape = (field: string) => field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0' })[c] ?? c);
  const rows = out.split('\n').filter(Boolean).map((line) => line.split('\t').map(unescape));
  const databases = [...new Set(rows.filter((r) => r[0] === 'd').map((r) => r[1]))];
  const tables = dedupe(rows.filter((r) => r[0] === 't' && !databases.includes(r[1])).map((r) => ({ schema: r[1], name: r[2] })));
  return { ...scope, databases, tables };
}

async function dumpAndCheck(
  options: Parameters<typeof takeMysqlBackup>[0] & { connection: MysqlConnection; dump: string; id: string; dir: string; now: Date },
): Promise<MysqlBackupRecord> {
  const { scope, env, cwd, connection, dump, id, dir, now } = options;
  const file = join(dir, 'dump.sql');
  // --single-transaction: one consistent snapshot without locking InnoDB tables; --no-tablespaces: MySQL 8
  // asks for the PROCESS privilege otherwise; MySQL's set-gtid-purged=OFF keeps a SET @@GLOBAL.GTID_PURGED
  // out of the dump, which would fail or rewrite a server's replication state on restore (`loose-`:
  // MariaDB's dump tool does not know it, and only warns). DROP TABLE IF EXISTS stays in (the restore
  // looks first).
  const common = ['--single-transaction', '--no-tablespaces', '--triggers', '--hex-blob', '--default-character-set=utf8mb4', '--loose-set-gtid-purged=OFF'];
  const parts: string[][] = [];
  if (scope.databases.length > 0) parts.push(['--routines', '--events', '--databases', ...scope.databases]);
  for (const database of [...new Set(scope.tables.map((t) => t.schema!))]) {
    parts.push([database, ...scope.tables.filter((t) => t.schema === database).map((t) => t.name)]);
  }
  const fd = openSync(file, 'wx+', 0o600);
  try {
    for (const part of parts) {
      // A part of named tables does not say which database it is in: the restore needs to be told.
      if (!part.includes('--databases')) writeFileSync(fd, `USE \`${part[0].replace(/`/g, '``')}\`;\n`);
      await withOptionFile(connection, (connect) => runProgram(dump, [...connect, ...common, ...part], { env, cwd, stdout: fd })).catch((error: Error & { stderr?: string }) => {
        if (error instanceof BackupError) throw error;
        throw new BackupError(`${dump.split('/').at(-1)} failed: ${firstLines(error.stderr ?? error.message)}`);
      });
      if (!endsFinished(fd)) throw new BackupError('mysqldump stopped before the end of the dump (no "Dump completed" line)');
    }
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
  const objects = await readDump(file);
  const created = new Set(objects.map((o) => `${o.database}.${o.name}`));
  const missing = scope.tables.filter((t) => !created.has(`${t.schema}.${t.name}`));
  if (missing.length > 0) throw new BackupError(`the dump does not create ${missing.map((t) => `${t.schema}.${t.name}`).join(', ')}`);
  for (const db of scope.databases) {
    if (!objects.some((o) => o.database === db) && !(await createsDatabase(file, db))) throw new BackupError(`the dump does not hold database ${db}`);
  }
  const rows = objects.reduce((sum, o) => sum + o.rows, 0);
  const record: MysqlBackupRecord = {
    id,
    time: now.toISOString(),
    file,
    bytes: statSync(file).size,
    engine: 'mysql',
    scope,
    connection: connection.shown,
    clientArgs: clientArgs(options.args, options.reading),
    entries: objects.length,
    objects,
    verified: `parsed: ${objects.length} tables and views, ${rows} rows, every statement whole (not restored: that would write to the server)`,
  };
  appendRecord(env, record);
  return record;
}

/** Whether the file written so far ends as mysqldump ends a finished dump. */
function endsFinished(fd: number): boolean {
  const size = fstatSync(fd).size;
  const tail = Buffer.alloc(Math.min(size, 256));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  return /-- Dump completed/.test(tail.toString('latin1'));
}

async function createsDatabase(file: string, database: string): Promise<boolean> {
  let found = false;
  await eachStatement(file, (tokens) => {
    if (isWord(tokens[0], 'CREATE') && isWord(tokens[1], 'DATABASE', 'SCHEMA')) {
      const at = skipIfExists(tokens, 2);
      if (isName(tokens[at]) && nameValue(tokens[at]) === database) found = true;
    }
  });
  return found;
}

/** Each statement of a dump, tokenized, streamed; a statement cut off fails the check. */
async function eachStatement(file: string, take: (tokens: Token[]) => void): Promise<void> {
  const reader = new MysqlScriptReader();
  const units = (list: ReturnType<MysqlScriptReader['push']>) => {
    for (const unit of list) {
      if (unit.kind === 'client') {
        if (unit.command === 'use') take([{ type: 'word', value: 'USE' }, { type: 'ident', value: unit.argument.replace(/^`|`$/g, '').replace(/``/g, '`') }]);
        continue;
      }
      if (unit.unterminated) throw new BackupError('the dump ends inside a statement');
      take(tokenize(unit.text));
    }
  };
  for await (const chunk of createReadStream(file)) units(reader.push(chunk as Buffer));
  units(reader.finish());
}

/** The tables, views and sequences a dump creates, and the rows it inserts into each. */
export async function readDump(file: string): Promise<MysqlBackupRecord['objects']> {
  const objects = new Map<string, MysqlBackupRecord['objects'][number]>();
  let database = '';
  await eachStatement(file, (tokens) => {
    if (isWord(tokens[0], 'USE') && isName(tokens[1])) {
      database = nameValue(tokens[1]);
    } else if (isWord(tokens[0], 'CREATE')) {
      const at = tokens.findIndex((t) => isWord(t, 'TABLE', 'VIEW', 'SEQUENCE', 'DATABASE', 'SCHEMA', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT'));
      const kind = tokens[at]?.value;
      if (kind !== 'TABLE' && kind !== 'VIEW' && kind !== 'SEQUENCE') return;
      const [name] = qualifiedAt(tokens, skipIfExists(tokens, at + 1));
      if (!name) return;
      const key = `${name.schema ?? database}.${name.name}`;
      // A view is first created as a stand-in table, then as the view.
      objects.set(key, { database: name.schema ?? database, name: name.name, kind: kind.toLowerCase() as 'table', rows: objects.get(key)?.rows ?? 0 });
    } else if (isWord(tokens[0], 'INSERT')) {
      const into = tokens.findIndex((t) => isWord(t, 'INTO'));
      const [name, next] = qualifiedAt(tokens, into + 1);
      if (!name) return;
      const object = objects.get(`${name.schema ?? database}.${name.name}`);
      if (object) object.rows += rowsOf(tokens, next);
    }
  });
  return [...objects.values()];
}

/** The rows of INSERT … VALUES (…), (…): the parenthesised groups at the top level after VALUES. */
function rowsOf(tokens: Token[], from: number): number {
  const values = tokens.findIndex((t, i) => i >= from && isWord(t, 'VALUES', 'VALUE'));
  if (values === -1) return 0;
  let rows = 0;
  let level = 0;
  for (let k = values + 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.value === '(' && level++ === 0) rows++;
    else if (t.value === ')') level--;
    else if (level === 0 && isWord(t, 'ON')) break; // ON DUPLICATE KEY UPDATE
  }
  return rows;
}

/**
 * The client options a restore connects with: where, as whom, and which option files, never the
 * password or the SQL. A password typed on the command line is asked for again (-p).
 */
export function clientArgs(args: readonly string[], reading: ClientReading = mysqlReading): string[] {
  const read = reading.read(args);
  const out: string[] = [];
  // The option-file options must come first on a client's command line.
  for (const flag of ['--no-defaults', '--defaults-file', '--defaults-extra-file', '--defaults-group-suffix']) {
    const value = read.flags.get(flag)?.at(-1);
    if (flag === '--no-defaults' ? read.flags.has(flag) : value !== undefined) out.push(flag === '--no-defaults' ? flag : `${flag}=${value}`);
  }
  for (const [flag, value] of read.sequence) {
    const key = flag.replace(/^--/, '');
    if (key === 'login-path' || connectionKeys.includes(key) || tlsKeys.includes(key)) out.push(value === undefined ? flag : `${flag}=${value}`);
  }
  if (read.flags.has('--password')) out.push('--password');
  return out;
}

// ── Restoring ───────────────────────────────────────────────────────────────────────────────────────

export type MysqlRestoreResult = { kind: 'restored' } | { kind: 'exists'; why: string };

/**
 * Runs the dump with the real mysql client. Without `replace`, it first looks for the tables and views
 * the dump creates (its DROP TABLE IF EXISTS would replace them) and returns `exists` if any is there.
 */
export async function restoreMysqlBackup(record: MysqlBackupRecord, options: { env: NodeJS.ProcessEnv; cwd: string; replace: boolean }): Promise<MysqlRestoreResult> {
  const { env, cwd } = options;
  const client = realProgram(['mysql', 'mariadb'], env, cwd);
  const connect = record.clientArgs;
  const fail = (error: Error & { stderr?: string }) => {
    throw error instanceof BackupError ? error : new BackupError(`mysql failed: ${firstLines(error.stderr ?? error.message)}`);
  };
  if (!options.replace && record.objects.length > 0) {
    const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const wanted = record.objects.map((o) => `(${quote(o.database)}, ${quote(o.name)})`).join(', ');
    const sql = `SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE (table_schema, table_name) IN (${wanted})`;
    const existing = (await runProgram(client, [...connect, '--batch', '--skip-column-names', '-e', sql], { env, cwd }).catch(fail)) as string;
    const names = existing.split('\n').filter(Boolean);
    if (names.length > 0) return { kind: 'exists', why: `${names.join(', ')} exist${names.length === 1 ? 's' : ''} now` };
  }
  const fd = openSync(record.file, 'r');
  try {
    await runProgram(client, [...connect, '--batch'], { env, cwd, stdin: fd }).catch(fail);
  } finally {
    closeSync(fd);
  }
  return { kind: 'restored' };
}
