// Where the backups taken before a destroy live, whatever the engine: one 0700 directory per backup
// under $XDG_DATA_HOME/chaperone/backups (itself 0700), its dump 0600 in it, and one JSON line per backup
// in index.jsonl (0600). pruneBackups keeps them within backup-limits, oldest first.

import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataHome } from '../context/files.js';
import { findRealTool } from '../shim/find-real.js';

export class BackupError extends Error {}

export interface QualifiedName {
  /** The schema (PostgreSQL) or database (MySQL); MySQL backups always name it. */
  schema?: string;
  name: string;
}

export type BackupScope =
  | { kind: 'tables'; tables: QualifiedName[] }
  | { kind: 'database'; database?: string; why: string }
  /** MySQL: whole databases, and tables of others. */
  | { kind: 'objects'; databases: string[]; tables: QualifiedName[]; why?: string }
  | { kind: 'nothing' };

export interface BackupRecord {
  id: string;
  time: string;
  file: string;
  bytes: number;
  /** Absent in PostgreSQL records written before MySQL backups existed. */
  engine?: 'postgres' | 'mysql';
  scope: BackupScope;
  /** The connection options the dump used, without a password. */
  connection: string[];
  /** Entries in the dump: pg_restore --list's table of contents, or the tables a MySQL dump creates. */
  entries: number;
  /** How the dump was checked before the command ran. */
  verified?: string;
}

export function backupRoot(env: NodeJS.ProcessEnv): string {
  return join(dataHome(env), 'chaperone', 'backups');
}

/** A backup's id: the time to the second, and the process, so two shims never share one. */
export function backupId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/**
 * The backup's own directory, 0700 like the one it stands in, under a fresh id: `id`, else `id-2`, … (two
 * backups of one process in one second). Returns the id taken and the directory.
 */
export function makeBackupDir(env: NodeJS.ProcessEnv, id: string): { id: string; dir: string } {
  const root = backupRoot(env);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    for (let n = 1; ; n++) {
      const taken = n === 1 ? id : `${id}-${n}`;
      const dir = join(root, taken);
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
        throw error;
      }
      chmodSync(dir, 0o700);
      return { id: taken, dir };
    }
  } catch (error) {
    throw new BackupError(`cannot create the backup directory in ${root}: ${(error as Error).message}`);
  }
}

/** Removes a backup that failed half way, so nothing unchecked stays behind. */
export function discardBackupDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function appendRecord(env: NodeJS.ProcessEnv, record: BackupRecord): void {
  appendFileSync(join(backupRoot(env), 'index.jsonl'), `${JSON.stringify(record)}\n`, { mode: 0o600 });
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

/** The real program (never a chaperone shim), the first of `names` found on PATH. */
export function realProgram(names: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  for (const name of names) {
    const found = findRealTool(name, env.PATH, '/nonexistent/chaperone-backup', cwd);
    if (found.kind === 'found') return found.path;
  }
  throw new BackupError(`${names.join(' or ')} is not on PATH (behind the chaperone shims)`);
}

/**
 * Runs a program with stdout into a file descriptor, to `onStdout`, or collected; rejects with its
 * stderr. stdin is a file descriptor or nothing: a password prompt goes to the terminal, as for the client.
 */
export function runProgram(
  program: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stdout?: number; stdin?: number; onStdout?: (chunk: Buffer) => void },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env, cwd: options.cwd, stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : (out += chunk.toString())));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => reject(new BackupError(`${program} could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(Object.assign(new Error(err.trim() || `exit ${code ?? signal}`), { stderr: err }));
    });
  });
}
