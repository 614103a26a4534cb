// Running a tool whose stdin was read ahead without a Node parent. The decision read the bytes (SQL piped
// into psql or mysql) and must give them back, so a process has to write them while the tool runs. If
// that process were the tool's parent, it would sit between the caller and the tool: a signal sent to
// the shim's pid would never reach the tool, one sent to the group would arrive twice if relayed, argv
// and environment would pass through Node's strings. So the tool is exec'd by the sh shim as for any
// other call, with its stdin (or descriptor N) a pipe, and a feeder beside it writes into that pipe:
//
//   decision (Node, the shim's child)   makes the pipe (fifo.ts: anonymous, nothing on disk), starts the
//                                       feeder with both ends, hands it the bytes read ahead through
//                                       its stdin, answers `feed DEPTH FD SOURCE PATH` and exits;
//   sh shim                             execs PATH with descriptor FD opened from SOURCE, the feeder's
//                                       read end as /proc/PID/fd/4: the tool now holds the pipe;
//   feeder (Node, not the tool's parent) once the tool holds the pipe, drops its own read end (so the
//                                       tool's exit is an EPIPE here), writes the bytes, then copies
//                                       the rest of the caller's stream, and ends.
//
// Only the simple case goes this way: all of stdin was read (or the rest passes as it is). When the rest
// of a stream is judged statement by statement, a statement may be held, and the tool's input stopped
// with status 77: that keeps the Node parent (run.ts).

import { closeSync, createReadStream, readdirSync, readlinkSync, readSync, writeSync } from 'node:fs';
import type { StdinReadAhead } from '../model.js';
import { openPipe } from './fifo.js';
import type { Handoff } from './handoff.js';

/** Whether the read-ahead can be fed from beside the tool: nothing after the head is judged. */
export function feedsBeside(ahead: StdinReadAhead, judged: boolean): boolean {
  return ahead.complete || !judged;
}

/**
 * Starts the feeder, hands it the bytes, answers the shim, and resolves once the bytes are the feeder's.
 * Returns false when no pipe can be made here (then the caller runs the tool itself).
 */
export async function feedBeside(handoff: Handoff, depth: number, path: string, ahead: StdinReadAhead, entry: string): Promise<boolean> {
  const pipe = openPipe();
  if (!pipe) return false;
  const fed = ahead.fd ?? 0;
  const { spawn } = (await import('node:child_process')) as typeof import('node:child_process');
  // fd 3 the write end, 4 the read end (the shim opens it by /proc), 5 the hold (a second writer kept
  // until a tool that opens the pipe by name has done so), 6 the rest of the caller's stream. The
  // hand-off descriptor must not stay open in the feeder (the shim reads its answer to the end): fd 4
  // takes its place, and nothing above 6 is given.
  const rest = ahead.complete ? 'ignore' : fed;
  const feeder = spawn(process.execPath, [entry, '--feed', String(process.ppid), String(fed), ahead.byPath ? 'by-path' : 'fd'], {
    stdio: ['pipe', 'ignore', 'inherit', pipe.write, pipe.read, pipe.hold, rest],
  });
  for (const fd of [pipe.write, pipe.hold]) closeSync(fd);
  await new Promise<void>((resolve, reject) => {
    feeder.on('error', reject);
    feeder.stdin!.on('error', reject);
    feeder.stdin!.end(ahead.head, () => resolve());
  });
  // The shim opens the read end through the feeder's descriptor table; then this process may go.
  answerFeed(handoff, depth, fed, `/proc/${feeder.pid}/fd/4`, path);
  closeSync(pipe.read);
  feeder.unref();
  return true;
}

function answerFeed(handoff: Handoff, depth: number, fd: number, source: string, path: string): void {
  writeSync(handoff.fd, `feed ${depth} ${fd} ${source} ${path}`);
}

/** Signals the feeder sits out: it is invisible, and a group signal is the tool's to take. */
const sitOut: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSTKFLT'];

/** The feeder: `--feed TOOL_PID FD fd|by-path`, with the descriptors feedBeside gives it. */
export async function runFeeder(args: readonly string[]): Promise<void> {
  for (const signal of sitOut) process.on(signal, () => {});
  const [toolPid, , how] = args;
  const head = await readAll(0);
  const pipeId = linkOf('/proc/self/fd/4');
  // The tool holds the pipe once the shim has exec'd it with the read end at `fed`; by name, once it has
  // opened it again. Until then both our ends stay, so nothing written is lost and an open by name
  // finds a writer. A tool that never comes (the shim failed) ends the wait.
  const wanted = how === 'by-path' ? 2 : 1;
  for (let waited = 0; holders(toolPid, pipeId) < wanted; waited += 5) {
    if (!alive(toolPid) || waited > 10_000) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  closeSync(4);
  closeSync(5);
  try {
    writeAll(3, head);
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(6, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        break; // no rest (the head was all of it), or it cannot be read: the tool's input ends
      }
      if (n === 0) break;
      writeAll(3, buffer.subarray(0, n));
    }
  } catch {
    // EPIPE: the tool is gone or closed its input; what it did not read is not ours to keep.
  }
  closeSync(3);
}

function readAll(fd: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream('', { fd, highWaterMark: 1024 * 1024 })
      .on('data', (chunk: Buffer | string) => chunks.push(chunk as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function linkOf(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function holders(pid: string, pipeId: string): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => linkOf(`/proc/${pid}/fd/${fd}`) === pipeId).length;
  } catch {
    return 0;
  }
}

function alive(pid: string): boolean {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}
