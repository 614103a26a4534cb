// An exclusive lock between chaperone processes: a file created with O_EXCL that holds the owner's
// pid. Used by every store that several shims may change at once (approvals, the audit chain).
//
// A refusal takes it twice (the approval store, then the audit log), so it is kept to a few system
// calls: the directory is made only when the lock cannot be created for want of it, and the lock is
// let go by comparing inodes (fstat of our descriptor, stat of the path) rather than reading the pid
// back. rmSync is not used: it loads Node's rimraf module on first use (~0.5 ms; BENCHMARKS.md).

import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreFault } from './errors.js';

/** A lock older than this was left by a process that died holding it. */
const staleMs = 10_000;
const waitMs = 5_000;

/**
 * Runs `work` while holding `lock`; waits up to 5 s for another process to let go of it. A missing
 * directory above the lock is made (0700), as the stores it guards live there.
 */
export function withLock<T>(lock: string, work: () => T): T {
  const held = acquire(lock);
  try {
    return work();
  } finally {
    release(lock, held);
  }
}

interface Held {
  fd: number;
  dev: number;
  ino: number;
}

function acquire(lock: string): Held {
  const deadline = Date.now() + waitMs;
  let madeDirectory = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
        const { dev, ino } = fstatSync(fd);
        return { fd, dev, ino };
      } catch (error) {
        closeSync(fd);
        unlinkQuietly(lock);
        throw error;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !madeDirectory) {
        mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
        madeDirectory = true;
        continue;
      }
      if (code !== 'EEXIST') throw error;
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
    unlinkQuietly(aside);
  } catch {
    // it went away meanwhile, or another process took it aside first
  }
}

/** Removes the lock only if the file at its path is still the one this process created. */
function release(lock: string, held: Held): void {
  closeSync(held.fd);
  try {
    const now = statSync(lock);
    if (now.ino === held.ino && now.dev === held.dev) unlinkSync(lock);
  } catch {
    // already gone
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
