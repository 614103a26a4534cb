// Handing over to the real tool. Node 20 has no execve, so "exec" means: spawn with the same argv, env,
// cwd and inherited stdio; stay alive through SIGINT/SIGQUIT (the terminal sends them to the child
// too, and the child decides); forward SIGTERM/SIGHUP; then exit with the child's code, or die by its
// signal.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ExitCode } from '../errors.js';

export const depthVariable = 'CHAPERONE_DEPTH';

export function runRealTool(path: string, argv0: string, args: readonly string[], env: NodeJS.ProcessEnv): void {
  const depth = Number(env[depthVariable] ?? '0') + 1;
  const child = spawn(path, args, { stdio: 'inherit', argv0, env: { ...env, [depthVariable]: String(depth) } });

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
  child.on('exit', (code, signal) => {
    for (const [name, handler] of handlers) process.off(name, handler);
    if (signal) {
      process.kill(process.pid, signal);
      // Signals Node ignores by default (SIGPIPE) do not end us: exit as a shell would report it.
      setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100).unref();
      return;
    }
    process.exit(code ?? 0);
  });
}
