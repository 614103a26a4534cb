// A pipe the tool can open by name. Node gives a child's 'pipe' descriptors as Unix sockets, and
// opening /dev/stdin or /dev/fd/N of a socket fails (ENXIO): `psql -f /dev/stdin` or `psql -f <(…)`
// fed that way could not read its script. A FIFO is a real pipe: made in a private directory, opened
// at both ends, and unlinked at once, it is an anonymous pipe like the shell's.

import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Both ends of a fresh pipe, in blocking mode; undefined when one cannot be made here. */
export function openPipe(): { read: number; write: number } | undefined {
  let dir: string | undefined;
  const opened: number[] = [];
  try {
    dir = mkdtempSync(join(tmpdir(), 'chaperone-pipe-'));
    const path = join(dir, 'pipe');
    if (spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' }).status !== 0) return undefined;
    // Opening one end of a FIFO waits for the other. A non-blocking read end lets the write end open
    // at once; then a second read end opens at once too, without O_NONBLOCK, which the tool inherits.
    const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    opened.push(probe);
    const write = openSync(path, constants.O_WRONLY);
    opened.push(write);
    const read = openSync(path, constants.O_RDONLY);
    opened.push(read);
    closeSync(probe);
    opened.splice(opened.indexOf(probe), 1);
    return { read, write };
  } catch {
    for (const fd of opened) closeSync(fd);
    return undefined;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
