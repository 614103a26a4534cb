// Running the real tool from Node, when the shim cannot exec it itself (see handoff.ts): stdin was read
// ahead and must be fed to it, or an older shim started us. Node 20 has no execve, so this means: spawn
// with the same argv, env, cwd and inherited stdio; stay alive through SIGINT/SIGQUIT (the terminal
// sends them to the child too, and the child decides); forward SIGTERM/SIGHUP; then exit with the
// child's code, or die by its signal.

import type { StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { ExitCode } from '../errors.js';
import type { Evaluation } from '../model.js';
import { answerSignal, type Handoff } from './handoff.js';

export const depthVariable = 'CHAPERONE_DEPTH';

export function runRealTool(path: string, argv0: string, args: readonly string[], env: NodeJS.ProcessEnv, ev?: Evaluation, handoff?: Handoff): void {
  runChild(path, args, env, argv0, ev, handoff);
}

/** Spawns a command as if exec'd: inherited stdio, signals forwarded, its exit mirrored. */
export function runChild(path: string, args: readonly string[], env: NodeJS.ProcessEnv, argv0?: string, ev?: Evaluation, handoff?: Handoff): void {
  // stdin stays the caller's own, unless it was read ahead: then the tool is fed what was read.
  const stdio: StdioOptions = [ev?.stdin ? 'pipe' : 'inherit', 'inherit', 'inherit'];
  // The hand-off descriptor is the shim's to read; the tool must not hold it open (the shim would wait
  // for a daemon the tool started). It gets /dev/null in its place.
  if (handoff) for (let fd = 3; fd <= handoff.fd; fd++) stdio.push('ignore');
  // node:child_process (with net and stream behind it) costs milliseconds to load, and a shim call
  // whose stdin was not read hands the tool to the sh shim without it.
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const child = spawn(path, args, { stdio, ...(argv0 ? { argv0 } : {}), env });
  let held: number | undefined; // set when chaperone stopped the tool's input
  let feeding: Promise<void> = Promise.resolve();
  if (ev?.stdin && child.stdin) {
    const ahead = ev.stdin;
    const sink = child.stdin;
    feeding = import('../gate/stdin.js')
      .then(async ({ feedStdin, stoppedMessage }) => {
        const outcome = await feedStdin(ev, ahead, sink, process.stdin);
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

  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers: [NodeJS.Signals, () => void][] = [
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
