// A pipe the tool can open by name. Node gives a child's 'pipe' descriptors as Unix sockets, and
// opening /dev/stdin or /dev/fd/N of a socket fails (ENXIO): `psql -f /dev/stdin` or `psql -f <(…)`
// fed that way could not read its script. A FIFO is a real pipe: made in a private directory, opened
// at both ends, and unlinked at once, it is an anonymous pipe like the shell's.

import { closeSync, constants, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Both ends of a fresh pipe, in blocking mode, and a second write end (`hold`); undefined when one
 * cannot be made here. A FIFO differs from the shell's pipe in one way: opening it by name (the tool's
 * `/dev/fd/N`) waits while it has no writer. So `hold` keeps a writer until the tool has opened it by
 * name (see holdUntilOpened): the feed can finish and close before the tool gets there.
 */
export function openPipe(): { read: number; write: number; hold: number; path: string } | undefined {
  let dir: string | undefined;
  const opened: number[] = [];
  try {
    dir = mkdtempSync(join(tmpdir(), 'chaperone-pipe-'));
    const path = join(dir, 'pipe');
    // node:child_process costs milliseconds to load: only a call that feeds a tool by name needs it.
    const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    if (spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' }).status !== 0) return undefined;
    // Opening one end of a FIFO waits for the other. A non-blocking read end lets the write end open
    // at once; then a second read end opens at once too, without O_NONBLOCK, which the tool inherits.
    const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    opened.push(probe);
    const write = openSync(path, constants.O_WRONLY);
    opened.push(write);
    const read = openSync(path, constants.O_RDONLY);
    opened.push(read);
    const hold = openSync(path, constants.O_WRONLY);
    opened.push(hold);
    closeSync(probe);
    opened.splice(opened.indexOf(probe), 1);
    return { read, write, hold, path };
  } catch {
    for (const fd of opened) closeSync(fd);
    return undefined;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Closes `hold` once the process has the pipe open twice (the descriptor it was given, and its own open
 * by name), or has gone, or after a long wait: then the tool reads to the end of what was fed. Polls
 * /proc; without it (not Linux) the wait is all there is.
 */
export function holdUntilOpened(pid: number | undefined, pipe: { hold: number; path: string }, exited: () => boolean): void {
  const started = Date.now();
  const opened = (): boolean => {
    try {
      const dir = `/proc/${pid}/fd`;
      return readdirSync(dir).filter((fd) => readlinkSafe(`${dir}/${fd}`).startsWith(pipe.path)).length >= 2;
    } catch {
      return false;
    }
  };
  const check = () => {
    if (pid === undefined || exited() || opened() || Date.now() - started > 10_000) closeSync(pipe.hold);
    else setTimeout(check, 5).unref();
  };
  check();
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
