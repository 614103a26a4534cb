// The decision the privileged runner starts (src/harden/runner.ts): `node <lib>/dist/shim.cjs
// --hardened TOOL ARGS…`, with the runner's group, the caller's uid, and the caller's environment
// handed over under a prefix so that nothing in it can steer Node itself.
//
// It does not trust whoever called the runner: it reads the system layer and the user's layers, judges
// the call exactly as a shim would, gates it (the PIN at the terminal, approvals from root's store),
// and only then starts the real tool registered for TOOL: a binary from root's copy through
// chaperone-exec, with no group of chaperone's at all; a script in place through chaperone-script, with
// the scripts' group only, which runs no binary tool (src/harden/scripts.ts). Node cannot exec, so it spawns the tool and mirrors
// its exit (src/shim/run.ts).

import { createRequire } from 'node:module';
import { ExitCode, UserError } from '../errors.js';
import { hardenState } from './system.js';

export const callerPrefix = 'CHAPERONE_CALLER_';

/** The caller's environment, as the runner passed it on; nothing else the runner set. */
export function callerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith(callerPrefix)) out[key.slice(callerPrefix.length)] = value;
  return out;
}

/** What a caller may ask of chaperone itself through the runner: approving needs root's store. */
const chaperoneCommands = new Set(['approve', 'approvals', 'log']);

export async function hardenedRun(argv: string[]): Promise<void> {
  const state = hardenState();
  if (!state) throw new UserError('chaperone: the hardened runner started on a machine that is not hardened; nothing ran. Run `chaperone harden` as root.', ExitCode.internal);
  const [tool, ...args] = argv;
  // From here on, process.env is the caller's: the decision reads it, the tool gets it untouched.
  const env = callerEnvironment(process.env);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);

  if (tool === 'chaperone') {
    if (!chaperoneCommands.has(args[0] ?? '')) {
      throw new UserError(`chaperone: through the runner, chaperone answers only ${[...chaperoneCommands].join(', ')}; nothing ran.`, ExitCode.config);
    }
    process.argv = [process.argv[0], 'chaperone', ...args];
    // The CLI's own bundle (dist/cli.js, through dist/cli-run.cjs: this bundle runs from a code cache,
    // with no loader behind an import()), not a copy of the CLI inside the shim's hot bundle, which every
    // shim call would read and deserialize for this one path. The CLI handles its own errors, so no
    // error object crosses from its modules to this bundle's.
    await (createRequire(import.meta.url)('./cli-run.cjs') as () => Promise<unknown>)();
    return;
  }
  if (tool === undefined || state.tools[tool] === undefined) {
    throw new UserError(`chaperone: ${tool ?? '(no tool)'} is not a tool this machine was hardened for (${Object.keys(state.tools).join(', ')}); nothing ran.`, ExitCode.notFound);
  }
  // A binary runs from root's copy with no group at all (chaperone-exec); a script in place, with the
  // scripts' group and without the variables that load code into its interpreter (chaperone-script).
  const copy = state.copies?.[tool];
  const [starter, real] = copy ? [state.exec, copy] : [state.script, state.tools[tool]];
  if (starter === undefined) {
    throw new UserError(`chaperone: ${state.etc}/harden.json predates chaperone-script; nothing ran. Run \`chaperone harden\` again as root.`, ExitCode.internal);
  }
  const [{ evaluate }, { passGate }, { runRealTool, depthVariable }] = await Promise.all([import('../evaluate.js'), import('../gate/gate.js'), import('../shim/run.js')]);
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    cwd = env.PWD ?? '/';
  }
  const depth = (/^\d{1,3}$/.test(env[depthVariable] ?? '') ? Number(env[depthVariable]) : 0) + 1;
  if (depth > 8) throw new UserError(`chaperone: ${tool} called itself through the runner 8 times; nothing ran.`, ExitCode.internal);
  const evaluation = await evaluate({ tool, args, cwd, env });
  if (!(await passGate(evaluation))) process.exit(ExitCode.refused);
  runRealTool(starter, tool, [real, tool, ...args], { ...env, [depthVariable]: String(depth) }, evaluation);
}
