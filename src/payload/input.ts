// Reading what a request carries from files and stdin, without taking a byte away from the real tool.
//
// A regular file is read in full (up to the read-ahead limit); it is still there for the tool. Anything
// else named as a file (a pipe, `<(…)`, a device) is not read, since reading it would consume it: such
// a body is unreadable. stdin is read once per invocation: a regular file with pread (its offset never
// moves), a pipe ahead up to the limit (the runner hands what was read to the tool first, unchanged,
// see ParsedInvocation.stdin), a terminal not at all.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolvePath } from '../context/os-path.js';
import type { StdinReadAhead } from '../model.js';
import { claimDescriptor, stdinIsTerminal, stdinStat } from './descriptors.js';
import { readAheadLimit, readChunk } from './stdin.js';

const chunkSize = 1024 * 1024;

export type Bytes = { ok: true; bytes: Buffer } | { ok: false; why: string };

/** A file named on the command line, relative to cwd. */
export function readNamedFile(path: string, cwd: string, env: NodeJS.ProcessEnv): Bytes {
  const file = resolvePath(cwd, path);
  let fd: number;
  try {
    if (!statSync(file).isFile()) return { ok: false, why: `${path} is not a regular file; reading it would take it from the tool` };
    fd = openSync(file, 'r');
  } catch (error) {
    return { ok: false, why: `${path} cannot be read (${(error as NodeJS.ErrnoException).code})` };
  }
  try {
    return preadAll(fd, readAheadLimit(env), path);
  } finally {
    closeSync(fd);
  }
}

/** A regular file read from offset 0 with pread, so the descriptor's own offset never moves. */
function preadAll(fd: number, limit: number, shown: string): Bytes {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.alloc(chunkSize);
    const n = readSync(fd, buffer, 0, buffer.length, total);
    if (n === 0) return { ok: true, bytes: Buffer.concat(chunks, total) };
    chunks.push(buffer.subarray(0, n));
    total += n;
    if (total > limit) return { ok: false, why: `${shown} is larger than ${limit} bytes` };
  }
}

/** stdin, read at most once however many options name it (`-d @-`, `-K -`, `--variables @-`). */
export class Stdin {
  private result?: Bytes;
  /** Set when a pipe was read ahead: the real tool must be fed these bytes first. */
  readAhead?: StdinReadAhead;

  /** `input`: what a shell line says stdin will carry (check --command, hooks); fd 0 is then not touched. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly input?: string,
  ) {}

  read(): Bytes {
    this.result ??= this.readOnce();
    return this.result;
  }

  /** Whether stdin carries data a tool that reads "stdin when it is not a terminal" would read. */
  hasData(): boolean {
    if (this.input !== undefined) return this.input.length > 0;
    const stat = stdinStat();
    return stat !== undefined && (stat.isFile() || stat.isFIFO() || stat.isSocket());
  }

  private readOnce(): Bytes {
    if (this.input !== undefined) return { ok: true, bytes: Buffer.from(this.input) };
    const stat = stdinStat();
    if (!stat) return { ok: true, bytes: Buffer.alloc(0) }; // stdin is closed
    if (stat.isFile() || stat.isFIFO() || stat.isSocket()) claimDescriptor(0);
    if (stat.isFile()) return preadAll(0, readAheadLimit(this.env), 'stdin');
    if (stat.isFIFO() || stat.isSocket()) return this.readPipe();
    if (stdinIsTerminal()) return { ok: false, why: 'stdin is a terminal: the body is typed as the tool runs' };
    if (isDevNull(stat)) return { ok: true, bytes: Buffer.alloc(0) };
    return { ok: false, why: 'stdin is a device chaperone does not read' };
  }

  private readPipe(): Bytes {
    const limit = readAheadLimit(this.env);
    const chunks: Buffer[] = [];
    let total = 0;
    let complete = false;
    while (total < limit + 1) {
      const chunk = readChunk(0, Math.min(chunkSize, limit + 1 - total));
      if (chunk.length === 0) {
        complete = true;
        break;
      }
      chunks.push(chunk);
      total += chunk.length;
    }
    const head = Buffer.concat(chunks, total);
    // A body longer than the read-ahead is unreadable, and judged so; its rest is passed through as is.
    this.readAhead = { head, complete, judgedUpTo: total, rest: 'pass' };
    return complete ? { ok: true, bytes: head } : { ok: false, why: `stdin is longer than ${limit} bytes` };
  }
}

function isDevNull(stat: { rdev: number }): boolean {
  try {
    return statSync('/dev/null').rdev === stat.rdev;
  } catch {
    return false;
  }
}
