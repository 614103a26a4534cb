// A backup of what a destructive SQL statement will destroy, taken before it runs: the PostgreSQL half
// of "back up before a destroy", which the gate calls (before-destroy.ts) before a confirmed or approved statement runs:
//
//   scopeOf(sql)            what to dump: the tables a DROP TABLE/VIEW, TRUNCATE, DELETE, UPDATE, MERGE or
//                           ALTER TABLE … DROP names; the whole database for DROP DATABASE, for code chaperone
//                           cannot see into (DO, CALL) and for any other destructive statement;
//   dumpArgs(psqlArgs, …)   pg_dump's connection options, the ones psql was given (host, port, user, and a
//                           dbname that may be a connection string with its password), so the dump reads the
//                           same server as the statement, with the same environment (PGPASSWORD, PGSERVICE…);
//   takeBackup(…)           pg_dump --format=custom into $XDG_DATA_HOME/chaperone/backups/<id>/ (0700), then
//                           `pg_restore --list` must read the file back; a record is appended to index.jsonl.
//
// Any failure is a BackupError saying what failed and why: the caller must not run the command then.

import { execFile } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { grammar } from '../sql/postgres.js';
import { readArgs } from '../tools/argv.js';
import { isConnectionString } from '../tools/libpq.js';
import { psqlGrammar } from '../tools/psql.js';
import { appendRecord, BackupError, backupId, discardBackupDir, makeBackupDir, realProgram, runProgram, type BackupRecord, type BackupScope, type QualifiedName } from './store.js';

const run = promisify(execFile);

export { BackupError, backupRoot, listBackups, pruneBackups, type BackupRecord, type BackupScope, type QualifiedName } from './store.js';

type Node = Record<string, unknown>;

/** What the statements in `sql` would destroy, as pg_dump can select it. */
export async function scopeOf(sql: string): Promise<BackupScope> {
  const { parse } = grammar();
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = await parse(sql);
  } catch {
    return { kind: 'database', why: 'the SQL could not be parsed, so what it touches is not known' };
  }
  const tables: QualifiedName[] = [];
  for (const { stmt } of tree.stmts ?? []) {
    const scope = statementScope((stmt ?? {}) as Node);
    if (scope.kind === 'database') return scope;
    if (scope.kind === 'tables') {
      for (const table of scope.tables) if (!tables.some((t) => t.schema === table.schema && t.name === table.name)) tables.push(table);
    }
  }
  return tables.length > 0 ? { kind: 'tables', tables } : { kind: 'nothing' };
}

function statementScope(stmt: Node): BackupScope {
  const [type, body] = Object.entries(stmt)[0] ?? ['', {}];
  const node = (body ?? {}) as Node;
  switch (type) {
    case 'DropdbStmt':
      return { kind: 'database', database: String(node.dbname), why: 'DROP DATABASE drops all of it' };
    case 'DropStmt': {
      const kind = String(node.removeType);
      if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(kind)) {
        return { kind: 'database', why: `DROP ${kind.replace(/^OBJECT_/, '')} reaches beyond tables pg_dump can select one by one` };
      }
      return { kind: 'tables', tables: ((node.objects as Node[] | undefined) ?? []).map(dropName) };
    }
    case 'TruncateStmt':
      return { kind: 'tables', tables: ((node.relations as Node[] | undefined) ?? []).map((r) => rangeVar(r.RangeVar as Node)) };
    case 'DeleteStmt':
    case 'UpdateStmt':
    case 'MergeStmt':
    case 'AlterTableStmt':
      return { kind: 'tables', tables: [rangeVar(node.relation as Node)] };
    case 'DoStmt':
    case 'CallStmt':
    case 'DropOwnedStmt':
      return { kind: 'database', why: `${type.replace(/Stmt$/, '')} runs code or drops objects chaperone cannot list` };
    default:
      return { kind: 'nothing' };
  }
}

function dropName(object: Node): QualifiedName {
  const items = ((object.List as Node | undefined)?.items as Node[] | undefined) ?? [];
  const parts = items.map((item) => String((item.String as Node | undefined)?.sval ?? ''));
  const name = parts.at(-1) ?? '';
  return parts.length > 1 ? { schema: parts.at(-2), name } : { name };
}

function rangeVar(node: Node | undefined): QualifiedName {
  const name = String(node?.relname ?? '');
  return typeof node?.schemaname === 'string' ? { schema: node.schemaname, name } : { name };
}

/** A name as a pg_dump -t pattern that matches it and nothing else: each part quoted. */
export function tablePattern(table: QualifiedName): string {
  const quote = (part: string) => `"${part.replace(/"/g, '""')}"`;
  return table.schema === undefined ? quote(table.name) : `${quote(table.schema)}.${quote(table.name)}`;
}

/**
 * pg_dump's connection options, taken from psql's: -h, -p, -U and the database (a name or a connection
 * string, password and all). `database` replaces the database psql connects to (DROP DATABASE x).
 */
export function dumpArgs(psqlArgs: readonly string[], database?: string): string[] {
  const read = readArgs(psqlArgs, psqlGrammar);
  const last = (flag: string) => read.flags.get(flag)?.at(-1);
  const dbFlag = last('--dbname');
  const dbname = dbFlag ?? read.words[0];
  const user = last('--username') ?? (dbFlag !== undefined ? read.words[0] : read.words[1]);
  const out: string[] = [];
  if (last('--host')) out.push('--host', last('--host')!);
  if (last('--port')) out.push('--port', last('--port')!);
  if (user) out.push('--username', user);
  if (database !== undefined) out.push('--dbname', withDatabase(dbname, database));
  else if (dbname !== undefined) out.push('--dbname', dbname);
  return out;
}

/** A connection string (or a plain name) pointed at another database. */
export function withDatabase(dbname: string | undefined, database: string): string {
  if (dbname === undefined || !isConnectionString(dbname)) return database;
  if (/^postgres(ql)?:\/\//i.test(dbname)) {
    try {
      const url = new URL(dbname);
      url.pathname = `/${encodeURIComponent(database)}`;
      url.searchParams.delete('dbname');
      return url.toString();
    } catch {
      throw new BackupError(`the connection URI cannot be pointed at database "${database}" (a URI with several hosts?)`);
    }
  }
  return `${dbname} dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Dumps `scope` over the connection `psqlArgs` describe, checks the dump reads back, and records it.
 * Throws a BackupError when any step fails; then the destructive command must not run.
 */
export async function takeBackup(options: {
  psqlArgs: readonly string[];
  scope: Exclude<BackupScope, { kind: 'nothing' }>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now?: Date;
  pgDump?: string;
  pgRestore?: string;
}): Promise<BackupRecord | { kind: 'nothing'; why: string }> {
  const { env } = options;
  const now = options.now ?? new Date();
  // What is not there cannot be destroyed (DROP TABLE IF EXISTS), and pg_dump fails on it.
  const scope = await presentOnly(options.scope, options.psqlArgs, env, options.cwd);
  if (scope === undefined) return { kind: 'nothing', why: `nothing to back up: ${describeScope(options.scope)} does not exist` };
  const { id, dir } = makeBackupDir(env, backupId(now));
  try {
    return await dumpAndCheck({ ...options, scope, id, dir, now });
  } catch (error) {
    discardBackupDir(dir);
    throw error;
  }
}

function describeScope(scope: Exclude<BackupScope, { kind: 'nothing' }>): string {
  if (scope.kind === 'tables') return scope.tables.map(tablePattern).join(', ');
  if (scope.kind === 'database') return `database ${scope.database ?? '(the current one)'}`;
  return 'it';
}

/**
 * The part of `scope` that exists now, asked of the server with the real psql over the same connection.
 * A qualified name is looked up as it is. An unqualified one becomes every table of that name in any
 * schema: the script may have set its own search_path (`SET search_path = app`), which chaperone does not
 * see, and a name found nowhere is a table that no search_path can make the statement destroy.
 * Undefined when nothing is there.
 */
async function presentOnly<S extends Exclude<BackupScope, { kind: 'nothing' }>>(scope: S, psqlArgs: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<S | undefined> {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  let query: string;
  if (scope.kind === 'tables') {
    const qualified = scope.tables.filter((t) => t.schema !== undefined);
    const bare = scope.tables.filter((t) => t.schema === undefined);
    query = [
      // Each row: schema, tab, name.
      ...(qualified.length > 0
        ? [`SELECT n.nspname || E'\\t' || c.relname FROM unnest(ARRAY[${qualified.map((t) => literal(tablePattern(t))).join(', ')}]::text[]) x JOIN pg_class c ON c.oid = to_regclass(x) JOIN pg_namespace n ON n.oid = c.relnamespace`]
        : []),
      ...(bare.length > 0
        ? [
            `SELECT n.nspname || E'\\t' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN (${bare.map((t) => literal(t.name)).join(', ')}) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
          ]
        : []),
    ].join(' UNION ');
  } else if (scope.kind === 'database' && scope.database !== undefined) query = `SELECT datname FROM pg_database WHERE datname = ${literal(scope.database)}`;
  else return scope;
  const psql = realProgram(['psql'], env, cwd);
  let out: string;
  try {
    out = await runProgram(psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...dumpArgs(psqlArgs), '-c', query], { env: { ...env, PGAPPNAME: 'chaperone-backup' }, cwd });
  } catch (error) {
    throw new BackupError(`psql could not look up what exists: ${firstLines((error as { stderr?: string }).stderr ?? (error as Error).message)}`);
  }
  const rows = out.split('\n').filter(Boolean);
  if (scope.kind === 'database') return rows.length > 0 ? scope : undefined;
  const tables = rows.map((row) => {
    const [schema, name] = row.split('\t');
    return { schema, name };
  });
  return tables.length > 0 ? { ...scope, tables } : undefined;
}

async function dumpAndCheck(options: Parameters<typeof takeBackup>[0] & { id: string; dir: string; now: Date }): Promise<BackupRecord> {
  const { scope, env, id, dir, now } = options;
  const file = join(dir, 'dump.pgc');
  const connection = dumpArgs(options.psqlArgs, scope.kind === 'database' ? scope.database : undefined);
  const selection = scope.kind === 'tables' ? scope.tables.flatMap((t) => ['--table', tablePattern(t)]) : [];
  const args = ['--format=custom', `--file=${file}`, ...selection, ...connection];
  try {
    await run(options.pgDump ?? realProgram(['pg_dump'], env, options.cwd), args, { env: { ...env, PGAPPNAME: 'chaperone-backup' }, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new BackupError(`pg_dump failed: ${firstLines((error as { stderr?: string }).stderr ?? (error as Error).message)}`);
  }
  let listing: string;
  try {
    chmodSync(file, 0o600);
    listing = (await run(options.pgRestore ?? realProgram(['pg_restore'], env, options.cwd), ['--list', file], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    throw new BackupError(`the dump could not be read back with pg_restore --list: ${firstLines((error as { stderr?: string }).stderr ?? (error as Error).message)}`);
  }
  const entries = listing.split('\n').filter((line) => line !== '' && !line.startsWith(';')).length;
  if (scope.kind === 'tables' && entries === 0) throw new BackupError('the dump holds nothing: none of the tables was found');
  const bytes = statSync(file).size;
  const scratchName = `chaperone_verify_${id.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
  const { verifyPgDump } = await import('./postgres-verify.js');
  const verified = await verifyPgDump({ file, bytes, entries, admin: connection, scratch: retarget(connection, scratchName), scratchName, env, cwd: options.cwd });
  const record: BackupRecord = {
    id,
    time: now.toISOString(),
    file,
    bytes,
    engine: 'postgres',
    scope,
    connection: connection.map((arg) => (isConnectionString(arg) ? withoutPassword(arg) : arg)),
    entries,
    verified,
  };
  appendRecord(env, record);
  return record;
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' / ');
}

/** A connection string without its password, for the record. */
export function withoutPassword(text: string): string {
  return text.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/\s*\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi, '');
}

export type RestoreResult = { kind: 'restored' } | { kind: 'exists'; why: string };

/**
 * Puts a backup's objects back. Without `replace`, in one transaction that fails, changing nothing, when
 * an object it holds exists already (`exists`). With `replace`, existing objects are dropped first
 * (--clean --if-exists). A database dropped whole is created again (--create, from `postgres`).
 */
export async function restoreBackup(record: BackupRecord, options: { env: NodeJS.ProcessEnv; replace: boolean; pgRestore?: string }): Promise<RestoreResult> {
  const recreate = record.scope.kind === 'database' && record.scope.database !== undefined;
  const connection = recreate ? retarget(record.connection, 'postgres') : record.connection;
  const args = [
    ...(recreate ? ['--create'] : ['--single-transaction']),
    ...(options.replace ? ['--clean', '--if-exists'] : []),
    '--exit-on-error',
    ...connection,
    record.file,
  ];
  try {
    // The real pg_restore, not the shim: the human was asked here, before a replace.
    await run(options.pgRestore ?? realProgram(['pg_restore'], options.env, process.cwd()), args, { env: options.env, maxBuffer: 16 * 1024 * 1024 });
    return { kind: 'restored' };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    if (!options.replace && /already exists/.test(stderr)) return { kind: 'exists', why: firstLines(stderr) };
    throw new BackupError(`pg_restore failed: ${firstLines(stderr)}`);
  }
}

/** The same connection options with the database replaced. */
function retarget(connection: string[], database: string): string[] {
  const at = connection.indexOf('--dbname');
  if (at === -1) return [...connection, '--dbname', database];
  return connection.map((arg, i) => (i === at + 1 ? withDatabase(arg, database) : arg));
}
