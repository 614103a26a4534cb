// Plain reads and writes on the standard descriptors, for the paths every shim and hook call takes.
// process.stdout, process.stderr and process.stdin build a stream object on first use, and for a pipe
// or a terminal that loads node:net and node:stream (or node:tty) first: about 3 ms of CPU, a sixth of
// what a bare Node start costs, spent on every refusal, notice and hook answer.

import { read, writeSync } from 'node:fs';

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

export const say = (text: string): void => writeAll(2, text);

/**
 * All of stdin as text, up to `limit` bytes; rejects past the limit, or when nothing ends it within
 * `timeoutMs`. Read on libuv's thread pool, so a writer that never closes cannot hang the event loop.
 */
export function readStdin(limit: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new Error(`no input on stdin within ${timeoutMs / 1000} s`)), timeoutMs);
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      read(0, buffer, 0, buffer.length, null, (error, n) => {
        if (error?.code === 'EAGAIN') return void setTimeout(next, 2);
        if (error) return finish(() => reject(error));
        if (n === 0) return finish(() => resolve(Buffer.concat(chunks, size).toString('utf8')));
        size += n;
        if (size > limit) return finish(() => reject(new Error(`the input is larger than ${limit / 1024 / 1024} MiB`)));
        chunks.push(buffer.subarray(0, n));
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
