// Reading what a tool will read on stdin, before it starts, without taking any of it away.
//
// A regular file (`mysql < dump.sql`) is read with pread in chunks: its offset never moves, so the tool
// still reads every byte. A pipe is read ahead up to a limit; what was read goes back to the tool first,
// unchanged (ParsedInvocation.stdin, replayed by the runner). A terminal is an interactive session and is
// not read; neither is a closed stdin.
//
// Only psql has a splitter for the remainder of a pipe longer than the read-ahead (src/gate/stdin.ts).
// The tools that use this module judge that remainder with the invocation instead: the caller adds an
// `unreadable` action (a gated environment holds the whole command), and the read-ahead says the rest
// is to pass (`rest: 'pass'`), so the runner streams it to the tool untouched once the command is
// allowed.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { StdinReadAhead } from '../model.js';
import { claimDescriptor, stdinStat } from './descriptors.js';

/**
 * How much of a pipe is read before the tool starts. Tests set CHAPERONE_READ_AHEAD_BYTES to reach the
 * "longer than the read-ahead" path with small inputs.
 */
export function readAheadLimit(env: NodeJS.ProcessEnv, fallback = 64 * 1024 * 1024): number {
  const bytes = /^[1-9][0-9]*$/.test(env.CHAPERONE_READ_AHEAD_BYTES ?? '') ? Number(env.CHAPERONE_READ_AHEAD_BYTES) : NaN;
  return Number.isSafeInteger(bytes) ? bytes : fallback; // anything but a positive whole number is ignored
}

const chunkSize = 1024 * 1024;

export type StdinPayload =
  /** A regular file: every byte can be read, as often as needed. */
  | { kind: 'file'; chunks: (take: (chunk: Buffer) => boolean | void) => void }
  /** A pipe, read ahead. `readAhead` must go into ParsedInvocation.stdin so the tool gets the bytes. */
  | { kind: 'pipe'; head: Buffer; complete: boolean; readAhead: StdinReadAhead };

/**
 * Stdin as chaperone may read it, or undefined for a terminal, a closed stdin or a device. `input` is
 * what a shell line says stdin will carry (check --command, hooks): then fd 0 is not touched.
 */
export function readStdinPayload(env: NodeJS.ProcessEnv, input?: string): StdinPayload | undefined {
  if (input !== undefined) return { kind: 'file', chunks: (take) => void take(Buffer.from(input)) };
  const stat = stdinStat();
  if (stat === undefined) return undefined; // stdin is closed
  if (!stat.isFile() && !stat.isFIFO() && !stat.isSocket()) return undefined;
  claimDescriptor(0);
  if (stat.isFile()) return { kind: 'file', chunks: (take) => readFileChunks(0, take) };
  const { head, complete } = readPipeAhead(0, readAheadLimit(env));
  return { kind: 'pipe', head, complete, readAhead: replayOf(head, complete) };
}

/**
 * Every chunk of a regular file, read by position: the file's offset (shared with the tool) never moves.
 * `take` may return false to stop early.
 */
export function readFileChunks(fd: number, take: (chunk: Buffer) => boolean | void): void {
  const buffer = Buffer.alloc(chunkSize);
  for (let position = 0; ; ) {
    const n = readSync(fd, buffer, 0, buffer.length, position);
    if (n === 0) return;
    position += n;
    if (take(Buffer.from(buffer.subarray(0, n))) === false) return;
  }
}

/** Up to `limit` bytes of a pipe; `complete` when that was all of it. */
export function readPipeAhead(fd: number, limit: number): { head: Buffer; complete: boolean } {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = readChunk(fd, Math.min(chunkSize, limit - total));
    if (chunk.length === 0) return { head: Buffer.concat(chunks, total), complete: true };
    chunks.push(chunk);
    total += chunk.length;
  }
  return { head: Buffer.concat(chunks, total), complete: false };
}

/**
 * What the runner needs to feed the tool. The invocation was judged on everything (the rest of an
 * incomplete pipe as unreadable), so the rest passes as it is.
 */
export function replayOf(head: Buffer, complete: boolean): StdinReadAhead {
  return { head, complete, judgedUpTo: head.length, ...(complete ? {} : { rest: 'pass' as const }) };
}

/** One blocking read from a pipe; waits out EAGAIN on a pipe left non-blocking by its writer. */
export function readChunk(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  return Buffer.from(buffer.subarray(0, readInto(fd, buffer, 0, size)));
}

/** One blocking read into `buffer` at `offset`: the byte count, 0 at the end of the stream. */
export function readInto(fd: number, buffer: Buffer, offset: number, size: number): number {
  for (;;) {
    try {
      return readSync(fd, buffer, offset, size, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** The whole payload as text when it is at most `limit` bytes; undefined when it is longer. */
export function payloadText(payload: StdinPayload, limit: number): string | undefined {
  if (payload.kind === 'pipe') return payload.complete ? payload.head.toString('utf8') : undefined;
  return textUpTo(payload.chunks, limit);
}

/** The text the chunks make, read until they end or pass `limit` bytes (then undefined). */
function textUpTo(chunks: (take: (chunk: Buffer) => boolean | void) => void, limit: number): string | undefined {
  const taken: Buffer[] = [];
  let total = 0;
  let tooLong = false;
  chunks((chunk) => {
    total += chunk.length;
    if (total > limit) {
      tooLong = true;
      return false;
    }
    taken.push(chunk);
  });
  return tooLong ? undefined : Buffer.concat(taken, total).toString('utf8');
}

/**
 * Opens a file a script names (a sourced SQL file, a mongosh script, a Lua file), or says why not. Only
 * a regular file is read: a pipe or `<(…)` would give its bytes to chaperone instead of the tool (and
 * opening one can block).
 */
export function openRegularFile(path: string): { ok: true; fd: number } | { ok: false; why: string } {
  try {
    if (!statSync(path).isFile()) return { ok: false, why: 'not a regular file; reading it would take it from the tool' };
    return { ok: true, fd: openSync(path, 'r') };
  } catch (error) {
    return { ok: false, why: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
}

/** The text of a file a script names, up to `limit` bytes, or why it cannot be read. */
export function readScriptFile(path: string, limit: number): { ok: true; text: string } | { ok: false; why: string } {
  const opened = openRegularFile(path);
  if (!opened.ok) return opened;
  try {
    const text = textUpTo((take) => readFileChunks(opened.fd, take), limit);
    return text === undefined ? { ok: false, why: `larger than ${limit} bytes` } : { ok: true, text };
  } catch (error) {
    return { ok: false, why: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  } finally {
    closeSync(opened.fd);
  }
}
