// Reading a file a tool reads on its own at start-up (~/.psqlrc, ~/.my.cnf, ~/.aws/cli/alias). Such a
// file is a payload like any other: a refused agent can write the statement it was refused into one.
// It is opened without blocking and read only when it is a regular file, so a FIFO put in its place can
// neither hang chaperone nor be drained before the tool reads it; anything else that exists but cannot
// be read is reported, so the caller can hold the command (fail closed).

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

export type StartupFile =
  | { kind: 'missing' }
  | { kind: 'text'; text: string }
  | { kind: 'unreadable'; why: string };

/** Larger than any real startup file; past it, the file is unreadable rather than read in part. */
export const startupFileLimit = 4 * 1024 * 1024;

export function readStartupFile(path: string, limit = startupFileLimit): StartupFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', why: code ?? 'cannot be opened' };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { kind: 'unreadable', why: 'a directory' };
    // `PSQLRC=/dev/null`, `--defaults-file=/dev/null`: the usual way to say "no startup file".
    if (stat.isCharacterDevice() && isDevNull(stat.rdev)) return { kind: 'text', text: '' };
    if (!stat.isFile()) return { kind: 'unreadable', why: 'not a regular file (a FIFO or device the tool would wait on)' };
    if (stat.size > limit) return { kind: 'unreadable', why: `larger than ${limit} bytes` };
    const buffer = Buffer.alloc(stat.size);
    let total = 0;
    while (total < buffer.length) {
      const n = readSync(fd, buffer, total, buffer.length - total, total);
      if (n === 0) break;
      total += n;
    }
    return { kind: 'text', text: buffer.subarray(0, total).toString('utf8') };
  } catch (error) {
    return { kind: 'unreadable', why: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** The 1-based line that `offset` (bytes of a Buffer, characters of a string) stands on. */
export function lineAt(text: string | Buffer, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function isDevNull(rdev: number): boolean {
  try {
    return statSync('/dev/null').rdev === rdev;
  } catch {
    return false;
  }
}
