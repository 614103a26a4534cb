// The backup the policy asks for (`backup-before-destroy` in rules.yaml), taken between a human's yes
// (or a used approval) and the real tool. gate.ts calls this; postgres.ts and mysql.ts do the dumping.
//
// psql's gated statements (each finding's text is the statement) and dropdb's database, with pg_dump;
// mysql's and mariadb's gated statements, and the databases `mysqladmin drop` names, with mysqldump. Other tools are not backed up, and say nothing
// about it. When a backup is asked for and cannot be taken, the command does not run: the message says
// why, and that a human at a terminal can type "NAME without backup" to run it anyway.

import type { Evaluation } from '../model.js';
import { readArgs } from '../tools/argv.js';
import { dropdbGrammar } from '../tools/dropdb.js';
import { adminClientReading, droppedDatabases } from '../tools/mysqladmin.js';
import { innerCommandOf } from '../nested.js';
import { toolOf } from '../tools/index.js';
import { BackupError, pruneBackups, type BackupRecord } from './store.js';

/**
 * Whether chaperone can back up what this call destroys (`mariadb` is the mysql tool, `mariadb-admin`
 * mysqladmin, whose `shutdown` and `kill` destroy no data: only its `drop DB` is backed up).
 */
export function backsUp(tool: string, args: readonly string[]): boolean {
  const name = toolOf(tool) ?? tool;
  if (name === 'mysqladmin') return droppedDatabases(args).length > 0;
  return ['psql', 'dropdb', 'mysql'].includes(name);
}

const isMysqlFamily = (tool: string) => ['mysql', 'mysqladmin'].includes(toolOf(tool) ?? tool);

/** The program that takes the backup, for the prompt. */
export function dumpProgram(tool: string): string {
  return isMysqlFamily(tool) ? 'mysqldump' : 'pg_dump';
}

export type BackupOutcome = { kind: 'taken'; record: BackupRecord; pruned: string[] } | { kind: 'nothing'; why?: string } | { kind: 'failed'; why: string };

export async function backUpBeforeRunning(ev: Evaluation): Promise<BackupOutcome> {
  try {
    const record = isMysqlFamily(ev.invocation.tool) ? await mysqlBackup(ev) : await postgresBackup(ev);
    if (!record) return { kind: 'nothing' };
    if ('kind' in record) return record;
    // Pruning is housekeeping: the command may run once its own backup is safe, whatever happens here.
    let pruned: string[] = [];
    try {
      if (ev.backup) pruned = pruneBackups(ev.invocation.env, ev.backup, record.id);
    } catch {
      pruned = [];
    }
    return { kind: 'taken', record, pruned };
  } catch (error) {
    if (error instanceof BackupError) return { kind: 'failed', why: error.message };
    return { kind: 'failed', why: `internal error: ${(error as Error).message}` };
  }
}

/** The statements the findings hold; a gated action without one cannot be scoped. */
function statementsOf(ev: Evaluation): string[] {
  const statements = ev.findings.map((f) => f.text);
  if (statements.some((text) => text === undefined)) throw new BackupError('a gated action of this command has no SQL text to read');
  return statements as string[];
}

async function postgresBackup(ev: Evaluation): Promise<BackupRecord | { kind: 'nothing'; why: string } | undefined> {
  const { scopeOf, takeBackup } = await import('./postgres.js');
  const { tool, args, env, cwd } = ev.invocation;
  if (tool === 'dropdb') {
    const { words, flags } = readArgs(args, dropdbGrammar);
    const dropped = words[0];
    if (!dropped) throw new BackupError('dropdb names no database to back up');
    // pg_dump reads psql's spellings of -h, -p and -U; the database is the one dropped.
    const connection = ['--host', '--port', '--username'].flatMap((flag) => (flags.get(flag) ? [flag, flags.get(flag)!.at(-1)!] : []));
    const maintenance = flags.get('--maintenance-db')?.at(-1);
    const psqlArgs = [...connection, ...(maintenance ? ['--dbname', maintenance] : [])];
    return takeBackup({ psqlArgs, scope: { kind: 'database', database: dropped, why: 'dropdb drops all of it' }, env, cwd });
  }
  // psql: each finding is one gated statement; together they say what will be destroyed.
  const scope = await scopeOf(statementsOf(ev).join(';\n'));
  if (scope.kind === 'nothing') return undefined;
  return takeBackup({ psqlArgs: args.slice(), scope: scope as Exclude<typeof scope, { kind: 'nothing' }>, env, cwd });
}

async function mysqlBackup(ev: Evaluation): Promise<BackupRecord | { kind: 'nothing'; why: string } | undefined> {
  const { takeMysqlBackup } = await import('./mysql.js');
  if (toolOf(ev.invocation.tool) === 'mysqladmin') {
    // `drop DB` drops all of DB; shutdown and kill hold no data a dump could keep. The connection is
    // mysqladmin's own (its groups, -c and -i), written to mysqldump's option file as the client's is.
    const { args, env, cwd } = ev.invocation;
    const databases = [...new Set(droppedDatabases(args))];
    if (databases.length === 0) return undefined;
    return takeMysqlBackup({ args, scope: { kind: 'objects', databases, tables: [], why: 'mysqladmin drop drops the whole database' }, env, cwd, reading: adminClientReading });
  }
  const scope = await mysqlBackupScope(ev);
  if (!scope) return undefined;
  const { args, env, cwd } = ev.invocation;
  return takeMysqlBackup({ args, scope, env, cwd });
}

/** What a mysql/mariadb invocation's gated statements destroy, on the server its client starts on. */
export async function mysqlBackupScope(ev: Evaluation) {
  const { mysqlConnection, mysqlScopeOf, switchedDatabases } = await import('./mysql.js');
  const { args, env, cwd } = ev.invocation;
  const start = mysqlConnection(args, env, cwd);
  const where = (c: typeof start) => JSON.stringify([[...c.shown].sort(), c.loginPath]);
  const switched = switchedDatabases(ev.target?.evidence ?? []);
  // After `use`/`connect` the mysql reader judges a statement as a nested `mysql --database=DB -e TEXT`
  // (src/sql/mysql-session.ts), as it does a `system mysql …` line: the statement is that call's action,
  // and DB one more database the script may be in. On another server, it is not backed up here.
  const texts = statementsOf(ev).map((text, i) => {
    const inner = innerCommandOf(ev.findings[i]);
    if (!inner || toolOf(inner.tool) !== 'mysql' || inner.text === undefined) return text;
    const there = mysqlConnection(inner.args, inner.env, inner.cwd);
    if (where(there) !== where(start)) {
      throw new BackupError(`\`${inner.text}\` runs on another connection (${there.shown.join(' ') || 'the default one'}) than the client starts with; chaperone backs up only the server the client starts on`);
    }
    if (there.database !== undefined && there.database !== start.database) switched.push(there.database);
    return inner.text;
  });
  return mysqlScopeOf(texts, start.database, [...new Set(switched)]);
}
