// The approval store: one JSON file (0600) in chaperone's state directory. Every change happens under
// an exclusive lock file and is written to a temporary file and renamed into place, so two shims
// racing for one approval cannot both use it.

import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaperoneStateDir } from '../context/files.js';

export type ApprovalStatus = 'pending' | 'approved' | 'used' | 'expired';

export interface ApprovalRecord {
  code: string;
  binding: string;
  status: ApprovalStatus;
  /** What a human reads before approving; already redacted. */
  command: string;
  cwd: string;
  rules: string[];
  environment: { name?: string; class: string; evidence: string[] };
  /** The word the human must type to approve. */
  confirmWord: string;
  requestedAt: string;
  /** Pending requests and approvals both expire. */
  expiresAt: string;
  approvedAt?: string;
  usedAt?: string;
}

interface StoreFile {
  approvals: ApprovalRecord[];
}

/** How long a request waits for a human, and how long an approval stays usable by default. */
export const pendingMinutes = 60;
export const defaultApprovalMinutes = 15;
/** Records kept for `chaperone approvals` after they are used or expire. */
const keepDays = 7;

export function storePath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'approvals.json');
}

function read(path: string): StoreFile {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as StoreFile;
    return Array.isArray(data.approvals) ? data : { approvals: [] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { approvals: [] };
    throw new Error(`the approval store ${path} cannot be read: ${(error as Error).message}`);
  }
}

function write(path: string, data: StoreFile): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Runs `change` on the store under an exclusive lock; what it returns is returned. */
export function withStore<T>(env: NodeJS.ProcessEnv, change: (data: StoreFile, now: Date) => T): T {
  const path = storePath(env);
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const lock = `${path}.lock`;
  const fd = acquire(lock);
  try {
    const data = read(path);
    const now = new Date();
    expire(data, now);
    const result = change(data, now);
    write(path, data);
    return result;
  } finally {
    release(lock, fd);
  }
}

function acquire(lock: string): number {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      return fd;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      breakStaleLock(lock);
      if (Date.now() > deadline) throw new Error(`the approval store is locked (${lock}); remove it if no chaperone is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * A lock older than 10 s was left by a process that died holding it. It is renamed aside first: the
 * rename is atomic, so of two processes that both saw it stale, only one takes it away.
 */
function breakStaleLock(lock: string): void {
  try {
    if (Date.now() - statSync(lock).mtimeMs <= 10_000) return;
    const aside = `${lock}.stale-${process.pid}`;
    renameSync(lock, aside);
    rmSync(aside, { force: true });
  } catch {
    // it went away meanwhile, or another process took it aside first
  }
}

/** Removes the lock only if it is still this process's own. */
function release(lock: string, fd: number): void {
  closeSync(fd);
  try {
    if (readFileSync(lock, 'utf8') === String(process.pid)) rmSync(lock, { force: true });
  } catch {
    // already gone
  }
}

function expire(data: StoreFile, now: Date): void {
  for (const record of data.approvals) {
    if ((record.status === 'pending' || record.status === 'approved') && new Date(record.expiresAt) <= now) record.status = 'expired';
  }
  const cutoff = now.getTime() - keepDays * 86_400_000;
  data.approvals = data.approvals.filter((r) => new Date(r.requestedAt).getTime() > cutoff);
}

/** Takes an approved, unexpired approval for this exact action, once. */
export function useApproval(env: NodeJS.ProcessEnv, binding: string): ApprovalRecord | undefined {
  return withStore(env, (data, now) => {
    const record = data.approvals.find((r) => r.binding === binding && r.status === 'approved');
    if (!record) return undefined;
    record.status = 'used';
    record.usedAt = now.toISOString();
    return { ...record };
  });
}

/** Whether an approval for this action is waiting to be used (hooks look, and leave it for the shim). */
export function hasApproval(env: NodeJS.ProcessEnv, binding: string): boolean {
  return withStore(env, (data) => data.approvals.some((r) => r.binding === binding && r.status === 'approved'));
}

/** The pending request for this action, made now if there is none. */
export function requestApproval(
  env: NodeJS.ProcessEnv,
  binding: string,
  details: Omit<ApprovalRecord, 'code' | 'binding' | 'status' | 'requestedAt' | 'expiresAt'>,
  newCode: () => string,
): ApprovalRecord {
  return withStore(env, (data, now) => {
    const existing = data.approvals.find((r) => r.binding === binding && r.status === 'pending');
    if (existing) return { ...existing };
    let code = newCode();
    while (data.approvals.some((r) => r.code === code)) code = newCode();
    const record: ApprovalRecord = {
      ...details,
      code,
      binding,
      status: 'pending',
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + pendingMinutes * 60_000).toISOString(),
    };
    data.approvals.push(record);
    return { ...record };
  });
}

export function findRequest(env: NodeJS.ProcessEnv, code: string): ApprovalRecord | undefined {
  return withStore(env, (data) => {
    const record = data.approvals.find((r) => r.code === code);
    return record && { ...record };
  });
}

/** Marks a pending request approved for `minutes`. */
export function approve(env: NodeJS.ProcessEnv, code: string, minutes: number): ApprovalRecord | undefined {
  return withStore(env, (data, now) => {
    const record = data.approvals.find((r) => r.code === code && r.status === 'pending');
    if (!record) return undefined;
    record.status = 'approved';
    record.approvedAt = now.toISOString();
    record.expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
    return { ...record };
  });
}

export function listApprovals(env: NodeJS.ProcessEnv): ApprovalRecord[] {
  return withStore(env, (data) => data.approvals.map((r) => ({ ...r })));
}
