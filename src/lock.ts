// An exclusive lock between chaperone processes: a file created with O_EXCL that holds the owner's
// pid. Used by every store that several shims may change at once (approvals, the audit chain).

import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { StoreFault } from './errors.js';

/** A lock older than this was left by a process that died holding it. */
const staleMs = 10_000;
const waitMs = 5_000;

/** Runs `work` while holding `lock`; waits up to 5 s for another process to let go of it. */
export function withLock<T>(lock: string, work: () => T): T {
  const fd = acquire(lock);
  try {
    return work();
  } finally {
    release(lock, fd);
  }
}

function acquire(lock: string): number {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      return fd;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      breakStaleLock(lock);
      if (Date.now() > deadline) {
        throw new StoreFault(lock, `held by another chaperone process (pid ${ownerOf(lock)}) for more than ${waitMs / 1000} s`, `wait for it to finish; if no chaperone is running, remove the lock file (rm ${lock})`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function ownerOf(lock: string): string {
  try {
    return readFileSync(lock, 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A stale lock is renamed aside first: the rename is atomic, so of two processes that both saw it
 * stale, only one takes it away.
 */
function breakStaleLock(lock: string): void {
  try {
    if (Date.now() - statSync(lock).mtimeMs <= staleMs) return;
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
