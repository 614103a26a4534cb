// Handing over to the real tool. Node 20 has no execve, so "exec" means: spawn with the same argv, env,
// cwd and inherited stdio; stay alive through SIGINT/SIGQUIT (the terminal sends them to the child
// too, and the child decides); forward SIGTERM/SIGHUP; then exit with the child's code, or die by its
// signal.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ExitCode } from '../errors.js';
import type { Evaluation } from '../model.js';

export const depthVariable = 'CHAPERONE_DEPTH';

export function runRealTool(path: string, argv0: string, args: readonly string[], env: NodeJS.ProcessEnv, ev?: Evaluation): void {
  const depth = Number(env[depthVariable] ?? '0') + 1;
  runChild(path, args, { ...env, [depthVariable]: String(depth) }, argv0, ev);
}

/** Spawns a command as if exec'd: inherited stdio, signals forwarded, its exit mirrored. */
export function runChild(path: string, args: readonly string[], env: NodeJS.ProcessEnv, argv0?: string, ev?: Evaluation): void {
  // stdin stays the caller's own, unless it was read ahead: then the tool is fed what was read.
  const stdio = ev?.stdin ? (['pipe', 'inherit', 'inherit'] as const) : 'inherit';
  const child = spawn(path, args, { stdio: stdio as 'inherit', ...(argv0 ? { argv0 } : {}), env });
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
      process.kill(process.pid, signal);
      // Signals Node ignores by default (SIGPIPE) do not end us: exit as a shell would report it.
      setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100).unref();
      return;
    }
    // A held statement wins over the tool's own success: the script did not run as written.
    process.exit(held ?? code ?? 0);
  }));
}
