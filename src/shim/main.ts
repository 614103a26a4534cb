// The shim's entry: `node shim.js <shim path> ARGS…`, started by the sh script `chaperone install`
// writes. Decide first (pure), then act: gate, then run the real tool or exit.
// Nothing here may run the real tool from an error path.

import { basename } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { evaluate } from '../evaluate.js';
import { passGate } from '../gate/gate.js';
import { findRealTool } from './find-real.js';
import { depthVariable, runRealTool } from './run.js';

const maxDepth = 8;

async function main(): Promise<void> {
  const [shimPath, ...args] = process.argv.slice(2);
  const tool = basename(shimPath ?? '');
  const env = process.env;
  const cwd = currentDirectory(env);

  if (Number(env[depthVariable] ?? '0') >= maxDepth) {
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
  runRealTool(real.path, tool, args, env, evaluation);
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
