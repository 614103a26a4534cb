// `chaperone backups [--json]` lists the backups taken before destroys (src/backup/); `chaperone backups
// restore ID` puts one back. A restore that would replace objects that exist now asks a human first.

import { detectActor } from '../context/actor.js';
import { ExitCode, UserError } from '../errors.js';
import { BackupError, listBackups, restoreBackup, tablePattern, type BackupRecord } from '../backup/postgres.js';

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
    `  from         ${r.connection.join(' ')}`,
    `  file         ${r.file}`,
  ].join('\n');
}

function holds(r: BackupRecord): string {
  if (r.scope.kind === 'tables') return `tables ${r.scope.tables.map(tablePattern).join(', ')}`;
  if (r.scope.kind === 'database') return `database ${r.scope.database ?? databaseOf(r)}`;
  return 'nothing';
}

function databaseOf(r: BackupRecord): string {
  const at = r.connection.indexOf('--dbname');
  return at === -1 ? '(the default database)' : r.connection[at + 1];
}

export async function restoreCommand(id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const record = listBackups(env).find((r) => r.id === id);
  if (!record) throw new UserError(`chaperone: no backup "${id}"; \`chaperone backups\` lists them.`);
  try {
    const first = await restoreBackup(record, { env, replace: false });
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
    const word = record.scope.kind === 'database' && record.scope.database ? record.scope.database : databaseOf(record);
    const { askHuman } = await import('../gate/confirm.js');
    const header = `chaperone: backup ${id} holds objects that exist now\n  holds        ${holds(record)}\n  found        ${first.why}\n  replacing them drops what is there now and restores the backup's copy\n`;
    if (!(await askHuman(header, word, 'replace them'))) throw new UserError('chaperone: not confirmed; nothing was changed.', ExitCode.refused);
    await restoreBackup(record, { env, replace: true });
    process.stdout.write(`chaperone: backup ${id} restored over the objects that were there (${holds(record)}).\n`);
  } catch (error) {
    if (error instanceof BackupError) throw new UserError(`chaperone: ${error.message}`, ExitCode.refused);
    throw error;
  }
}
