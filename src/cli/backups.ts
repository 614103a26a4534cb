// `chaperone backups [--json]` lists the backups taken before destroys (src/backup/); `chaperone backups
// restore ID` puts one back. A restore that would replace objects that exist now asks a human first.

import { detectActor } from '../context/actor.js';
import { ExitCode, UserError } from '../errors.js';
import { BackupError, listBackups, type BackupRecord } from '../backup/store.js';
import type { MysqlBackupRecord } from '../backup/mysql.js';

export function backupsCommand(env: NodeJS.ProcessEnv, json: boolean): void {
  const records = listBackups(env);
  if (json) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  if (records.length === 0) {
    process.stdout.write('chaperone: no backups taken yet.\n');
    return;
  }
  process.stdout.write(`${records.map(describeBackup).join('\n\n')}\n`);
}

function describeBackup(r: BackupRecord): string {
  return [
    `  id           ${r.id}`,
    `  taken        ${r.time}`,
    `  holds        ${holds(r)} (${r.entries} entries, ${r.bytes} bytes)`,
    `  from         ${r.engine === 'mysql' ? 'mysqldump' : 'pg_dump'} ${r.connection.join(' ')}`,
    ...(r.verified ? [`  checked      ${r.verified}`] : []),
    `  file         ${r.file}`,
  ].join('\n');
}

/** A name as the engine quotes it: "schema"."table" or `db`.`table`. */
function quoted(r: BackupRecord, parts: (string | undefined)[]): string {
  const q = r.engine === 'mysql' ? '`' : '"';
  return parts
    .filter((part): part is string => part !== undefined)
    .map((part) => `${q}${part.split(q).join(q + q)}${q}`)
    .join('.');
}

function holds(r: BackupRecord): string {
  if (r.scope.kind === 'tables') return `tables ${r.scope.tables.map((t) => quoted(r, [t.schema, t.name])).join(', ')}`;
  if (r.scope.kind === 'objects') {
    const { databases, tables } = r.scope;
    return [
      ...(databases.length > 0 ? [`database${databases.length > 1 ? 's' : ''} ${databases.map((d) => quoted(r, [d])).join(', ')}`] : []),
      ...(tables.length > 0 ? [`table${tables.length > 1 ? 's' : ''} ${tables.map((t) => quoted(r, [t.schema, t.name])).join(', ')}`] : []),
    ].join(' and ');
  }
  if (r.scope.kind === 'database') return `database ${r.scope.database ?? databaseOf(r)}`;
  return 'nothing';
}

/** What a human types to replace objects: the database they are in. */
function confirmWord(r: BackupRecord): string {
  if (r.scope.kind === 'database' && r.scope.database) return r.scope.database;
  if (r.scope.kind === 'objects') return r.scope.databases[0] ?? r.scope.tables[0]?.schema ?? 'production';
  return databaseOf(r);
}

function databaseOf(r: BackupRecord): string {
  const at = r.connection.indexOf('--dbname');
  return at === -1 ? '(the default database)' : r.connection[at + 1];
}

export async function restoreCommand(id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const record = listBackups(env).find((r) => r.id === id);
  if (!record) throw new UserError(`chaperone: no backup "${id}"; \`chaperone backups\` lists them.`);
  const restore = async (replace: boolean) => {
    if (record.engine === 'mysql') {
      const { restoreMysqlBackup } = await import('../backup/mysql.js');
      return restoreMysqlBackup(record as MysqlBackupRecord, { env, cwd: process.cwd(), replace });
    }
    const { restoreBackup } = await import('../backup/postgres.js');
    return restoreBackup(record, { env, replace });
  };
  try {
    const first = await restore(false);
    if (first.kind === 'restored') {
      process.stdout.write(`chaperone: backup ${id} restored (${holds(record)}).\n`);
      return;
    }
    // Something it holds exists now: replacing it destroys what is there, so a human decides.
    const actor = detectActor(env);
    if (actor.actor !== 'human') {
      throw new UserError(
        `chaperone: backup ${id} holds objects that exist now (${first.why}); replacing them needs a human at a terminal (${actor.evidence}). Nothing was changed.`,
        ExitCode.refused,
      );
    }
    const word = confirmWord(record);
    const { askHuman } = await import('../gate/confirm.js');
    const header = `chaperone: backup ${id} holds objects that exist now\n  holds        ${holds(record)}\n  found        ${first.why}\n  replacing them drops what is there now and restores the backup's copy\n`;
    if (!(await askHuman(header, word, 'replace them'))) throw new UserError('chaperone: not confirmed; nothing was changed.', ExitCode.refused);
    await restore(true);
    process.stdout.write(`chaperone: backup ${id} restored over the objects that were there (${holds(record)}).\n`);
  } catch (error) {
    if (error instanceof BackupError) throw new UserError(`chaperone: ${error.message}`, ExitCode.refused);
    throw error;
  }
}
