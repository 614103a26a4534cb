// The backup the policy asks for (`backup-before-destroy` in rules.yaml), taken between a human's yes
// (or a used approval) and the real tool. gate.ts calls this; postgres.ts does the dumping.
//
// PostgreSQL only, so far: psql's gated statements (each finding's text is the statement) and dropdb's
// database. Other tools are not backed up, and say nothing about it. When a backup is asked for and
// cannot be taken, the command does not run: the message says why, and that a human at a terminal can
// type "NAME without backup" to run it anyway.

import type { Evaluation } from '../model.js';
import { readArgs } from '../tools/argv.js';
import { dropdbGrammar } from '../tools/dropdb.js';
import { BackupError, pruneBackups, scopeOf, takeBackup, type BackupRecord, type BackupScope } from './postgres.js';

/** Whether chaperone can back up what this tool destroys. */
export function backsUp(tool: string): boolean {
  return tool === 'psql' || tool === 'dropdb';
}

export type BackupOutcome = { kind: 'taken'; record: BackupRecord; pruned: string[] } | { kind: 'nothing' } | { kind: 'failed'; why: string };

export async function backUpBeforeRunning(ev: Evaluation): Promise<BackupOutcome> {
  try {
    const plan = await planOf(ev);
    if (plan.scope.kind === 'nothing') return { kind: 'nothing' };
    const record = await takeBackup({ psqlArgs: plan.connectionArgs, scope: plan.scope, env: ev.invocation.env, cwd: ev.invocation.cwd });
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

async function planOf(ev: Evaluation): Promise<{ scope: BackupScope; connectionArgs: string[] }> {
  const { tool, args } = ev.invocation;
  if (tool === 'dropdb') {
    const { words, flags } = readArgs(args, dropdbGrammar);
    const dropped = words[0];
    if (!dropped) throw new BackupError('dropdb names no database to back up');
    // pg_dump reads psql's spellings of -h, -p and -U; the database is the one dropped.
    const connection = ['--host', '--port', '--username'].flatMap((flag) => (flags.get(flag) ? [flag, flags.get(flag)!.at(-1)!] : []));
    const maintenance = flags.get('--maintenance-db')?.at(-1);
    return { scope: { kind: 'database', database: dropped, why: 'dropdb drops all of it' }, connectionArgs: [...connection, ...(maintenance ? ['--dbname', maintenance] : [])] };
  }
  // psql: each finding is one gated statement; together they say what will be destroyed.
  const statements = ev.findings.map((f) => f.text);
  if (statements.some((text) => text === undefined)) throw new BackupError('a gated action of this command has no SQL text to read');
  return { scope: await scopeOf(statements.join(';\n')), connectionArgs: args.slice() };
}
