// Running a tool whose stdin was read ahead without a Node parent. The decision read the bytes (SQL piped
// into psql or mysql) and must give them back, so a process has to write them while the tool runs. If
// that process were the tool's parent, it would sit between the caller and the tool: a signal sent to
// the shim's pid would never reach the tool, one sent to the group would arrive twice if relayed, argv
// and environment would pass through Node's strings. So the tool is exec'd by the sh shim as for any
// other call, with its stdin (or descriptor N) a pipe, and a feeder beside it writes into that pipe:
//
//   decision (Node, the shim's child)   makes the pipe (fifo.ts: anonymous, nothing on disk), starts the
//                                       feeder with both ends, hands it the bytes read ahead, answers
//                                       `feed DEPTH FD SOURCE PATH` and exits;
//   sh shim                             execs PATH with descriptor FD opened from SOURCE, the feeder's
//                                       read end as /proc/PID/fd/4: the tool now holds the pipe;
//   feeder (Node, not the tool's parent) once the tool holds the pipe, drops its own read end (so the
//                                       tool's exit is an EPIPE here), writes the bytes, then the rest
//                                       of the caller's stream, and ends.
//
// When the stream is longer than the read-ahead and its rest must be judged statement by statement
// (src/gate/stdin.ts, mysql-stdin.ts), the feeder judges it. It cannot be handed the decision's
// Evaluation (the shim reads the answer by command substitution, so the decision must exit before the
// tool starts), so it derives it again: the decision gives it the head through a pipe at the very
// descriptor it came from, and the feeder evaluates the same invocation (same argv strings, directory,
// environment, and the decision's actor, as its own ancestry is no longer the caller's). Reading the
// same bytes with the same limit, the tool's reader stops where the decision's did and is left in the
// same state; the feeder checks that it read what the decision read (head length, how far it was
// judged, descriptor) and resolved the same environment (sameDecision), says `ready`, and only then
// does the decision answer. A feeder that does not
// get there leaves the decision to run the tool itself (run.ts), which has not read a byte of the rest.
// The head is not gated again (the decision did that); each unit past it is judged as it streams, and
// a held one is never written: the feeder prints the same stop message, confirms at /dev/tty for a
// human and writes the audit record (src/gate/gate.ts) before it closes the tool's input. (It loads the
// configuration again, a moment after the decision did: a change made in between that moves the target
// to another environment is no match, and the decision feeds the tool itself; another change, a rule
// edited, counts for the rest of the stream as it would for the next call. Under the hardened runner,
// where the agent may not change it, the tool runs under a Node parent anyway.)
//
// The one thing this gives up is status 77 on a mid-stream hold: the tool is exec'd, so its status is
// the caller's (psql at the end of its input exits 0 unless a statement failed), and the stop message
// on stderr is what tells the caller. The alternative kept 77 by having the shim run the tool as its
// child (`tool <pipe & wait`) and exit 77 when the feeder reports a hold. That puts a parent back in
// between for every long stream, held or not: a signal to the shim's pid (kill PID, timeout) stops at
// sh, which dies or waits but never passes it on; a group signal kills the waiting sh at once while
// the tool runs on; a death by signal must be re-raised by hand. Those are the differences the fidelity
// matrix (test/e2e/fidelity-matrix.test.ts) exists to rule out, and they would hit every long benign stream to mark the rare held one. A held
// statement still never reaches the tool either way; only the code differs. So: exec.

import { closeSync, createReadStream, createWriteStream, read, readdirSync, readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ActorInfo, Evaluation, StdinReadAhead } from '../model.js';
import { openPipe } from './fifo.js';
import { type Handoff } from './handoff.js';
import { restoreSetAside, setAside } from './set-aside.js';
import { shimProcess } from './processes.js';

/** What the decision tells the feeder of a judged stream, so it can check it derived the same reading. */
export interface Expected {
  cwd: string;
  actor: ActorInfo;
  head: number;
  judgedUpTo: number;
  /** The environment the decision resolved: the rest of the stream is judged against no other. */
  target?: { name?: string; class: string };
}

/**
 * Starts the feeder, hands it the bytes, answers the shim, and resolves once the bytes are the feeder's.
 * Returns false when the feeder cannot take over here (no pipe can be made, or it could not derive the
 * decision again): then the caller runs the tool itself, with nothing of the stream consumed.
 */
export async function feedBeside(handoff: Handoff, depth: number, path: string, ev: Evaluation, entry: string): Promise<boolean> {
  const ahead = ev.stdin!;
  const judged = !ahead.complete && ev.judge !== undefined;
  const pipe = openPipe();
  if (!pipe) return false;
  const replay = judged ? openPipe() : undefined;
  if (judged && !replay) {
    for (const fd of [pipe.read, pipe.write, pipe.hold]) closeSync(fd);
    return false;
  }
  const fed = ahead.fd ?? 0;
  const { spawn } = (await import('node:child_process')) as typeof import('node:child_process');
  // fd 3 the write end, 4 the read end (the shim opens it by /proc), then the hold (a second writer
  // kept until a tool that opens the pipe by name has done so) and the rest of the caller's stream, at
  // the next numbers free. A judged stream's head comes back at its own number (0, or N of /dev/fd/N),
  // where the feeder's reader reads it as the decision's did, and fd 1 says whether it got there. The
  // hand-off descriptor must not stay open in the feeder (the shim reads its answer to the end): fd 4
  // takes its place, and nothing else is given.
  const stdio: (Slot | undefined)[] = [judged ? (fed === 0 ? replay!.read : 'ignore') : 'pipe', judged ? 'pipe' : 'ignore', 'inherit', pipe.write, pipe.read];
  if (judged && fed > 0) place(stdio, replay!.read, fed);
  const hold = place(stdio, pipe.hold);
  const rest = place(stdio, ahead.complete ? 'ignore' : fed);
  const how = ahead.byPath ? 'by-path' : 'fd';
  const expected: Expected = { cwd: ev.invocation.cwd, actor: ev.actor, head: ahead.head.length, judgedUpTo: ahead.judgedUpTo, ...(ev.target ? { target: { name: ev.target.name, class: ev.target.class } } : {}) };
  const judge = judged ? ['judge', JSON.stringify(expected), ev.invocation.tool, ...ev.invocation.args] : [];
  let feeder: ReturnType<typeof spawn>;
  try {
    feeder = spawn(process.execPath, [entry, '--feed', String(shimProcess()), String(fed), how, String(hold), String(rest), ...judge], { stdio: Array.from(stdio, (slot) => slot ?? 'ignore'), env: setAside(process.env) });
  } catch {
    for (const fd of [pipe.read, pipe.write, pipe.hold, ...(replay ? [replay.read, replay.write, replay.hold] : [])]) closeSync(fd);
    return false;
  }
  for (const fd of [pipe.write, pipe.hold, ...(replay ? [replay.read, replay.hold] : [])]) closeSync(fd);
  const given = judged ? await replayHead(feeder, replay!.write, ahead.head) : await handHead(feeder, ahead.head);
  if (!given) {
    closeSync(pipe.read);
    feeder.kill('SIGKILL');
    return false;
  }
  // The shim opens the read end through the feeder's descriptor table; then this process may go.
  answerFeed(handoff, depth, fed, `/proc/${feeder.pid}/fd/4`, path);
  closeSync(pipe.read);
  feeder.unref();
  return true;
}

type Slot = number | 'pipe' | 'ignore' | 'inherit';

/** Puts `what` at descriptor `at`, or at the first free one from 3 on; returns the number. */
function place(stdio: (Slot | undefined)[], what: Slot, at?: number): number {
  let fd = at ?? 3;
  if (at === undefined) while (stdio[fd] !== undefined) fd++;
  stdio[fd] = what;
  return fd;
}

/** The head into the feeder's stdin (a stream passed whole, or whose rest is not judged). */
function handHead(feeder: import('node:child_process').ChildProcess, head: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    feeder.on('error', () => resolve(false));
    feeder.stdin!.on('error', () => resolve(false));
    feeder.stdin!.end(head, () => resolve(true));
  });
}

/**
 * The head into the replay pipe, read by the feeder's own evaluation; true once the feeder says it
 * derived the decision again (`ready` on its fd 1), false if it says otherwise or ends first.
 */
function replayHead(feeder: import('node:child_process').ChildProcess, fd: number, head: Buffer): Promise<boolean> {
  const written = new Promise<boolean>((resolve) => {
    const out = createWriteStream('', { fd });
    out.on('error', () => resolve(false));
    out.end(head, () => resolve(true));
  });
  const ready = new Promise<boolean>((resolve) => {
    let said = '';
    feeder.on('error', () => resolve(false));
    feeder.on('exit', () => resolve(false));
    feeder.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString('latin1');
      if (said.includes('\n')) resolve(said.startsWith('ready\n'));
    });
    feeder.stdout!.on('end', () => resolve(said.startsWith('ready\n')));
  });
  return Promise.all([written, ready]).then(([w, r]) => {
    feeder.stdout!.destroy();
    return w && r;
  });
}

function answerFeed(handoff: Handoff, depth: number, fd: number, source: string, path: string): void {
  writeSync(handoff.fd, `feed ${depth} ${fd} ${source} ${path}`);
}

/** Signals the feeder sits out: it is invisible, and a group signal is the tool's to take. */
const sitOut: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSTKFLT'];

/**
 * The feeder: `--feed TOOL_PID FD fd|by-path HOLD REST [judge EXPECTED TOOL ARGS…]`, with the
 * descriptors feedBeside gives it: 3 the tool's pipe, 4 its read end, HOLD, REST the caller's stream.
 */
export async function runFeeder(args: readonly string[]): Promise<void> {
  for (const signal of sitOut) process.on(signal, () => {});
  const [toolPid, fedText, how, holdText, restText, mode, expectedText, tool, ...toolArgs] = args;
  const [hold, rest] = [Number(holdText), Number(restText)];
  let ev: Evaluation | undefined;
  let head: Buffer = Buffer.alloc(0);
  if (mode === 'judge') {
    ev = await derive(tool, toolArgs, JSON.parse(expectedText) as Expected, Number(fedText), how === 'by-path').catch(() => undefined);
    // The decision waits for this line; anything else, and it runs the tool itself. A decision that is
    // gone (interrupted) will not start the tool: nothing here is ours to read then.
    try {
      writeSync(1, ev ? 'ready\n' : 'unsure\n');
    } catch {
      return;
    }
    if (!ev) return;
  } else {
    head = await readAll(0);
  }
  const pipeId = linkOf('/proc/self/fd/4');
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 5));
  // The tool holds the pipe once the shim has exec'd it with the read end at `fed`. Until then our read
  // end stays, for the shim to open. A tool that never comes (the shim failed) ends the wait, and then
  // nothing of the caller's stream is read.
  const started = Date.now();
  while (holders(toolPid, pipeId) === 0 && alive(toolPid) && Date.now() - started < 10_000) await sleep();
  if (!treeOf(toolPid).some((pid) => holders(pid, pipeId) > 0)) return;
  closeSync(4);
  // A tool that opens the pipe by name (`-f /dev/stdin`, `-f <(…)`) must find a writer there, or its
  // open waits for ever: the hold stays until it (or a process it started: a wrapper script) holds the
  // pipe twice, or is gone. The bytes go meanwhile; only the end of input waits for it.
  const released = how === 'by-path' ? releaseWhenOpened(toolPid, pipeId, hold, started, sleep) : (closeSync(hold), Promise.resolve());
  if (ev) return judgeRest(ev, rest, released);
  try {
    writeAll(3, head);
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(rest, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          await sleep();
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
  await released;
}

/** Closes `hold` once the tool's process tree has opened the pipe by name, is gone, or 10 s have passed. */
async function releaseWhenOpened(toolPid: string, pipeId: string, hold: number, started: number, sleep: () => Promise<unknown>): Promise<void> {
  const opened = () => treeOf(toolPid).some((pid) => holders(pid, pipeId) >= 2);
  while (!opened() && alive(toolPid) && Date.now() - started < 10_000) await sleep();
  closeSync(hold);
}

/**
 * The decision's Evaluation, derived again: the same invocation evaluated with the decision's actor,
 * its reader reading the head from the replay pipe at descriptor `fed`. Undefined unless it read
 * exactly what the decision read and has the rest to judge.
 */
async function derive(tool: string, args: string[], expected: Expected, fed: number, byPath: boolean): Promise<Evaluation | undefined> {
  const env = process.env;
  restoreSetAside(env);
  const { evaluate } = await import('../evaluate.js');
  const ev = await evaluate({ tool, args, cwd: expected.cwd, env }, { actorInfo: expected.actor });
  return sameDecision(ev, expected, fed, byPath) ? ev : undefined;
}

/**
 * Whether an evaluation derived in the feeder is the decision's own: it read the same head the same way,
 * has the rest to judge, and resolved the same environment. A config or variable changed between the
 * decision and now (a project file rewritten to call this target development) must not judge the rest
 * more leniently: a different environment is no match, and the decision runs the tool itself.
 */
export function sameDecision(ev: Pick<Evaluation, 'stdin' | 'judge' | 'target'>, expected: Expected, fed: number, byPath: boolean): boolean {
  const ahead: StdinReadAhead | undefined = ev.stdin;
  const same = ahead !== undefined && !ahead.complete && ev.judge !== undefined && ahead.head.length === expected.head && ahead.judgedUpTo === expected.judgedUpTo && (ahead.fd ?? 0) === fed && (ahead.byPath ?? false) === byPath;
  return same && ev.target?.name === expected.target?.name && ev.target?.class === expected.target?.class;
}

/**
 * The rest of a stream judged as it comes (src/gate/stdin.ts): the head goes first, then each unit
 * that passes; a held one ends the tool's input before a byte of it is written, after the message.
 */
async function judgeRest(ev: Evaluation, rest: number, released: Promise<void>): Promise<void> {
  const { say } = await import('../io.js');
  const { feedStdin, stoppedMessage } = await import('../gate/stdin.js');
  const sink = createWriteStream('', { fd: 3 });
  const closed = new Promise<void>((resolve) => sink.once('close', () => resolve()));
  // EPIPE: the tool has closed its input or is gone. Nothing more is read from the caller's stream
  // then, so its writer learns it as it would from the tool itself.
  let gone = false;
  sink.once('error', () => (gone = true));
  try {
    await feedStdin(ev, ev.stdin!, sink, Readable.from(chunksOf(rest, () => gone)), (stopped) => say(stoppedMessage(ev.invocation.tool, stopped)));
  } catch (error) {
    // Never pass on input chaperone could not judge: close it, and report the bug.
    say(`chaperone: internal error while reading stdin; no more input was sent to ${ev.invocation.tool}.\n${(error as Error).stack}\n`);
    sink.end();
  }
  await closed;
  await released;
  process.exit(0); // a read of the caller's stream may still wait on the thread pool: it is not ours now
}

/**
 * The caller's stream, chunk by chunk, until it ends or `stop()`; a descriptor another process left
 * non-blocking is waited out.
 */
async function* chunksOf(fd: number, stop: () => boolean): AsyncGenerator<Buffer> {
  while (!stop()) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const n = await new Promise<number>((resolve, reject) => read(fd, buffer, 0, buffer.length, null, (error, bytes) => (error ? reject(error) : resolve(bytes)))).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EAGAIN') return -1;
      throw error;
    });
    if (n === 0) return;
    if (n < 0) await new Promise((resolve) => setTimeout(resolve, 5));
    else yield buffer.subarray(0, n);
  }
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

/** A process and its descendants (Linux lists each task's children), up to a bound. */
function treeOf(pid: string): string[] {
  const tree: string[] = [];
  for (const queue = [pid]; queue.length > 0 && tree.length < 256; ) {
    const next = queue.shift()!;
    tree.push(next);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        queue.push(...readFileSync(`/proc/${next}/task/${task}/children`, 'latin1').split(' ').filter(Boolean));
      } catch {
        // gone meanwhile
      }
    }
  }
  return tree;
}

function alive(pid: string): boolean {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}
