// The shim's entry: `node shim.js <shim path> ARGS…`, started by the sh script `chaperone install`
// writes. Decide first (pure), then act: gate, then run the real tool or exit.
// Nothing here may run the real tool from an error path.

import { basename } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { evaluate } from '../evaluate.js';
import { passGate } from '../gate/gate.js';
import { findRealTool } from './find-real.js';
import { answerExec, readShimArguments, restoreCaCertificates } from './handoff.js';
import { depthVariable, runRealTool } from './run.js';

const maxDepth = 8;

async function main(): Promise<void> {
  const { handoff, shimPath, args } = readShimArguments(process.argv.slice(2));
  if (shimPath === undefined) throw new UserError('chaperone: the shim entry needs the shim\'s path; reinstall the shims with `chaperone install`.', ExitCode.internal);
  const tool = basename(shimPath);
  const env = process.env;
  restoreCaCertificates(env);
  const cwd = currentDirectory(env);

  const depth = currentDepth(env) + 1;
  if (depth > maxDepth) {
    throw new UserError(
      `chaperone: ${tool} called itself through chaperone ${maxDepth} times; a wrapper on PATH is probably calling back into the shim. ` +
        `Run \`chaperone doctor\` to see what PATH resolves to.`,
      ExitCode.internal,
    );
  }

  const evaluation = await evaluate({ tool, args, cwd, env });
  if (!(await passGate(evaluation))) process.exit(ExitCode.refused);

  const real = findRealTool(tool, env.PATH, shimPath, cwd);
  if (real.kind === 'not-found') {
    throw new UserError(`chaperone: ${tool}: command not found behind the chaperone shim (searched PATH after ${shimPath}). Install ${tool}, or run \`chaperone uninstall ${tool}\`.`, ExitCode.notFound);
  }
  if (real.kind === 'not-executable') {
    throw new UserError(`chaperone: ${tool}: ${real.path} is not executable.`, ExitCode.notExecutable);
  }
  // Nothing of stdin was consumed: the shim can exec the tool itself, and this process goes away.
  if (handoff && !evaluation.stdin) {
    answerExec(handoff, depth, real.path);
    return;
  }
  runRealTool(real.path, tool, args, { ...env, [depthVariable]: String(depth) }, evaluation, handoff);
}

/** How many chaperone shims already stand above this call; a value that is not a count is none. */
function currentDepth(env: NodeJS.ProcessEnv): number {
  const value = env[depthVariable] ?? '';
  return /^\d{1,3}$/.test(value) ? Number(value) : 0;
}

function currentDirectory(env: NodeJS.ProcessEnv): string {
  try {
    return process.cwd();
  } catch {
    return env.PWD ?? '/';
  }
}

main().catch((error: unknown) => {
  if (error instanceof UserError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(
    `chaperone: internal error; the real tool did not run. This is a bug, please report it with the trace below.\n${(error as Error)?.stack ?? String(error)}\n`,
  );
  process.exit(ExitCode.internal);
});
