// Plain reads and writes on the standard descriptors, for the paths every shim and hook call takes.
// process.stdout, process.stderr and process.stdin build a stream object on first use, and for a pipe
// or a terminal that loads node:net and node:stream (or node:tty) first: about 3 ms of CPU, a sixth of
// what a bare Node start costs, spent on every refusal, notice and hook answer.

import { closeSync, constants, fstatSync, openSync, read, readSync, writeSync } from 'node:fs';

/** Writes all of `text` to fd 1 or 2 now. A reader that has gone away (EPIPE) is not chaperone's error. */
export function writeAll(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A descriptor another process left non-blocking answers EAGAIN while the pipe is full: wait and go on.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

/**
 * Where `say` writes: the caller's stderr, or, in the resident decision (src/server/), the answer the
 * waiting shim prints on its own stderr.
 */
let heard: ((text: string) => void) | undefined;

/** What chaperone tells the caller: a refusal, a notice, a warning. */
export const say = (text: string): void => (heard ? heard(text) : writeAll(2, text));

/** Runs `work` with everything said kept, not written: the resident decision sends it to the shim. */
export async function keepSaid<T>(work: () => Promise<T>): Promise<{ result: T; said: string }> {
  let said = '';
  heard = (text) => {
    said += text;
  };
  try {
    return { result: await work(), said };
  } finally {
    heard = undefined;
  }
}

/**
 * All of stdin as text, up to `limit` bytes; rejects past the limit, or when nothing ends it within
 * `timeoutMs`. What is there already is read at once (readNow); the rest is read on libuv's thread pool,
 * so a writer that never closes cannot hang the event loop.
 */
export function readStdin(limit: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (buffer: Buffer, n: number): boolean => {
      size += n;
      if (size > limit) return false;
      chunks.push(buffer.subarray(0, n));
      return true;
    };
    const tooLarge = () => new Error(`the input is larger than ${limit / 1024 / 1024} MiB`);
    const whole = () => Buffer.concat(chunks, size).toString('utf8');
    let now: 'ended' | 'more' | 'too large';
    try {
      now = readNow(take);
    } catch (error) {
      return reject(error);
    }
    if (now === 'too large') return reject(tooLarge());
    if (now === 'ended') return resolve(whole());
    const timer = setTimeout(() => reject(new Error(`no input on stdin within ${timeoutMs / 1000} s`)), timeoutMs);
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      read(0, buffer, 0, buffer.length, null, (error, n) => {
        if (error?.code === 'EAGAIN') return void setTimeout(next, 2);
        if (error) return finish(() => reject(error));
        if (n === 0) return finish(() => resolve(whole()));
        if (!take(buffer, n)) return finish(() => reject(tooLarge()));
        next();
      });
    };
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      settle();
    };
    next();
  });
}

/**
 * Reads what stdin holds now, without waiting: all of a regular file; from a pipe (Linux), what the
 * writer has written, through a non-blocking descriptor of the same pipe (fd 0's own flags, which it
 * may share, are left alone). An agent has mostly written its request and closed the pipe by the time
 * Node has started, and then no thread pool, timer or event loop turn is needed (~0.6 ms of CPU). A
 * socket (what Node-based agents give) or a terminal is left to the caller: nothing read.
 */
function readNow(take: (buffer: Buffer, n: number) => boolean): 'ended' | 'more' | 'too large' {
  const stat = fstatSync(0);
  let fd: number;
  if (stat.isFile()) fd = 0;
  else if (stat.isFIFO() && process.platform === 'linux') {
    try {
      fd = openSync('/proc/self/fd/0', constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return 'more';
    }
  } else return 'more';
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 'more';
        throw error;
      }
      if (n === 0) return 'ended';
      if (!take(buffer, n)) return 'too large';
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
