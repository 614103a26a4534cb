// Running the real tool from Node, when the shim cannot exec it itself (see handoff.ts): a shim written
// by an older install (no --handoff, or no `:feed`) whose stdin was read ahead; a host where no pipe can
// be made for a feeder, or a feeder that could not derive the decision again (src/shim/feed.ts); or no
// shim at all (`chaperone agent`, the hardened runner). Here a statement held mid-stream still ends the
// call with 77. Node 20 has no execve, so this means: spawn
// with the same argv, env, cwd and inherited stdio; sit out the signals sent to the process group (the
// child gets them from the kernel, and decides), relaying SIGTERM/SIGHUP only where this process is the
// one the caller started; then exit with the child's code, or die by its signal.

import type { StdioOptions } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { constants } from 'node:os';
import { ExitCode } from '../errors.js';
import type { Evaluation } from '../model.js';
import { holdUntilOpened, openPipe } from './fifo.js';
import { answerSignal, type Handoff } from './handoff.js';

export const depthVariable = 'CHAPERONE_DEPTH';

/** The signals a Node parent ignores while its child runs: every one whose default would end it. */
const sitOut: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSTKFLT', 'SIGTRAP'];

export function runRealTool(path: string, argv0: string, args: readonly string[], env: NodeJS.ProcessEnv, ev?: Evaluation, handoff?: Handoff): void {
  runChild(path, args, env, argv0, ev, handoff);
}

/** Whether descriptor `fd` came from the caller (open, and not close-on-exec as Node's own are). */
function callersOwn(fd: number): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return flags !== null && (parseInt(flags[1], 8) & 0o2000000) === 0;
  } catch {
    return false;
  }
}

/** Spawns a command as if exec'd: inherited stdio, signals forwarded, its exit mirrored. */
export function runChild(path: string, args: readonly string[], env: NodeJS.ProcessEnv, argv0?: string, ev?: Evaluation, handoff?: Handoff): void {
  // stdin stays the caller's own, unless it was read ahead: then the tool is fed what was read. The
  // same for a pipe given by name (`psql -f <(…)`), at its own descriptor number; one the tool opens
  // by name is fed through a real pipe (fifo.ts), which Node's socket is not.
  const ahead = ev?.stdin;
  const fed = ahead?.fd ?? 0;
  const pipe = ahead?.byPath ? openPipe() : undefined;
  const stdio: StdioOptions = [ahead && fed === 0 ? (pipe?.read ?? 'pipe') : 'inherit', 'inherit', 'inherit'];
  // The hand-off descriptor is the shim's to read; the tool must not hold it open (the shim would wait
  // for a daemon the tool started). It gets /dev/null in its place.
  if (handoff) for (let fd = 3; fd <= handoff.fd; fd++) stdio.push('ignore');
  if (ahead && fed > 0) {
    // The caller's descriptors below it stay as they are (Node would put /dev/null in their place).
    for (let fd = stdio.length; fd < fed; fd++) stdio.push(callersOwn(fd) ? fd : 'ignore');
    stdio.push(pipe?.read ?? 'pipe');
  }
  // node:child_process (with net and stream behind it) costs milliseconds to load, and a shim call
  // whose stdin was not read hands the tool to the sh shim without it.
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const child = spawn(path, args, { stdio, ...(argv0 ? { argv0 } : {}), env });
  let childExited = false;
  child.on('exit', () => (childExited = true));
  if (pipe) {
    closeSync(pipe.read); // the tool's end
    holdUntilOpened(child.pid, pipe, () => childExited);
  }
  let held: number | undefined; // set when chaperone stopped the tool's input
  let feeding: Promise<void> = Promise.resolve();
  const sink = pipe ? createWriteStream('', { fd: pipe.write }) : ahead ? (child.stdio[fed] as Writable | null) : null;
  if (ahead && ev && sink) {
    const source = fed === 0 ? process.stdin : createReadStream('', { fd: fed, highWaterMark: 64 * 1024 });
    feeding = import('../gate/stdin.js')
      .then(async ({ feedStdin, stoppedMessage }) => {
        const outcome = await feedStdin(ev, ahead, sink, source);
        if (outcome.stopped) {
          held = ExitCode.refused;
          process.stderr.write(stoppedMessage(ev.invocation.tool, outcome.stopped));
        }
      })
      .catch((error: Error) => {
        // Never pass on input chaperone could not judge: close it, and report the bug.
        held = ExitCode.internal;
        sink.end();
        process.stderr.write(`chaperone: internal error while reading stdin; no more input was sent.\n${error.stack}\n`);
      });
  }

  // Behind a shim (a hand-off descriptor), this process is the shim's child, a pid nobody signals: like a
  // shell waiting for its foreground job it sits out every signal that would end it, and relays none. A
  // signal sent to the process group (Ctrl-C, a terminal closing) reaches the tool from the kernel
  // already; relayed too, it arrived twice. (SIGUSR1 would start Node's inspector, the others would end
  // this process and cut the tool's input short.) Started as the caller's own process (`chaperone
  // agent`, the hardened runner), it is the pid a caller signals: SIGTERM and SIGHUP are relayed.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers: [NodeJS.Signals, () => void][] = handoff
    ? sitOut.map((signal) => [signal, ignore])
    : [
        ['SIGINT', ignore],
        ['SIGQUIT', ignore],
        ['SIGTERM', forward('SIGTERM')],
        ['SIGHUP', forward('SIGHUP')],
      ];
  for (const [signal, handler] of handlers) process.on(signal, handler);

  child.on('error', (error: NodeJS.ErrnoException) => {
    const code = error.code === 'EACCES' ? ExitCode.notExecutable : ExitCode.notFound;
    process.stderr.write(`chaperone: could not start ${path}: ${error.message}\n`);
    process.exit(code);
  });
  child.on('exit', (code, signal) => void feeding.then(() => {
    for (const [name, handler] of handlers) process.off(name, handler);
    if (signal) {
      const number = constants.signals[signal] ?? 0;
      // The shim re-raises it on itself, so the caller sees a death by that signal.
      if (handoff) answerSignal(handoff, number);
      // Without a shim to do that, die by it here; signals Node ignores (SIGPIPE) do not end a Node
      // process, so the exit status is then what a shell reports for that death.
      process.exitCode = 128 + number;
      if (!handoff) process.kill(process.pid, signal);
      return;
    }
    // A held statement wins over the tool's own success: the script did not run as written.
    process.exit(held ?? code ?? 0);
  }));
}
