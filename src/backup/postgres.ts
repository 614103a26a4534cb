// A backup of what a destructive SQL statement will destroy, taken before it runs (issue 10, "take a
// backup before a destroy"). This is the PostgreSQL half's first slice, not yet called by the gate:
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
import { appendFileSync, chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dataHome } from '../context/files.js';
import { grammar } from '../sql/postgres.js';
import { readArgs } from '../tools/argv.js';
import { isConnectionString } from '../tools/libpq.js';
import { psqlGrammar } from '../tools/psql.js';

const run = promisify(execFile);

export type BackupScope =
  | { kind: 'tables'; tables: QualifiedName[] }
  | { kind: 'database'; database?: string; why: string }
  | { kind: 'nothing' };

export interface QualifiedName {
  schema?: string;
  name: string;
}

export class BackupError extends Error {}

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

export interface BackupRecord {
  id: string;
  time: string;
  file: string;
  bytes: number;
  scope: BackupScope;
  /** The connection options given to pg_dump, without a password (a restore reads PGPASSWORD or ~/.pgpass). */
  connection: string[];
  /** What `pg_restore --list` read back: the number of entries in the dump's table of contents. */
  entries: number;
}

export function backupRoot(env: NodeJS.ProcessEnv): string {
  return join(dataHome(env), 'chaperone', 'backups');
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
}): Promise<BackupRecord> {
  const { scope, env } = options;
  const now = options.now ?? new Date();
  const id = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
  const root = backupRoot(env);
  const dir = join(root, id);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new BackupError(`cannot create the backup directory ${dir}: ${(error as Error).message}`);
  }
  const file = join(dir, 'dump.pgc');
  const connection = dumpArgs(options.psqlArgs, scope.kind === 'database' ? scope.database : undefined);
  const selection = scope.kind === 'tables' ? scope.tables.flatMap((t) => ['--table', tablePattern(t)]) : [];
  const args = ['--format=custom', `--file=${file}`, ...selection, ...connection];
  try {
    await run(options.pgDump ?? 'pg_dump', args, { env: { ...env, PGAPPNAME: 'chaperone-backup' }, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new BackupError(`pg_dump failed: ${firstLines((error as { stderr?: string }).stderr ?? (error as Error).message)}`);
  }
  let listing: string;
  try {
    chmodSync(file, 0o600);
    listing = (await run(options.pgRestore ?? 'pg_restore', ['--list', file], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    throw new BackupError(`the dump could not be read back with pg_restore --list: ${firstLines((error as { stderr?: string }).stderr ?? (error as Error).message)}`);
  }
  const entries = listing.split('\n').filter((line) => line !== '' && !line.startsWith(';')).length;
  if (scope.kind === 'tables' && entries === 0) throw new BackupError('the dump holds nothing: none of the tables was found');
  const record: BackupRecord = {
    id,
    time: now.toISOString(),
    file,
    bytes: statSync(file).size,
    scope,
    connection: connection.map((arg) => (isConnectionString(arg) ? withoutPassword(arg) : arg)),
    entries,
  };
  appendFileSync(join(root, 'index.jsonl'), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return record;
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' / ');
}

/** A connection string without its password, for the record. */
export function withoutPassword(text: string): string {
  return text.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/\s*\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi, '');
}

/** Every backup recorded, oldest first. A line that does not parse is skipped. */
export function listBackups(env: NodeJS.ProcessEnv): BackupRecord[] {
  let text: string;
  try {
    text = readFileSync(join(backupRoot(env), 'index.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as BackupRecord];
      } catch {
        return [];
      }
    });
}

/**
 * Keeps the backups within their limits: those older than `maxAgeDays` go, then the oldest until all
 * of them take no more than `maxTotalMb`. The one just taken (`keep`) always stays. Returns the ids removed.
 */
export function pruneBackups(env: NodeJS.ProcessEnv, limits: { maxAgeDays: number; maxTotalMb: number }, keep: string, now = new Date()): string[] {
  const records = listBackups(env);
  const oldest = now.getTime() - limits.maxAgeDays * 86_400_000;
  const removed = new Set(records.filter((r) => r.id !== keep && Date.parse(r.time) < oldest).map((r) => r.id));
  let total = records.filter((r) => !removed.has(r.id)).reduce((sum, r) => sum + r.bytes, 0);
  for (const r of records) {
    if (total <= limits.maxTotalMb * 1024 * 1024) break;
    if (r.id === keep || removed.has(r.id)) continue;
    removed.add(r.id);
    total -= r.bytes;
  }
  if (removed.size === 0) return [];
  const root = backupRoot(env);
  for (const id of removed) rmSync(join(root, id), { recursive: true, force: true });
  // The index is rewritten whole and renamed over the old one, so a reader never sees half of it.
  const index = join(root, 'index.jsonl');
  const kept = records.filter((r) => !removed.has(r.id));
  writeFileSync(`${index}.tmp`, kept.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
  renameSync(`${index}.tmp`, index);
  return [...removed];
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
    await run(options.pgRestore ?? 'pg_restore', args, { env: options.env, maxBuffer: 16 * 1024 * 1024 });
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
