// The decision the privileged runner starts (src/harden/runner.ts): `node <lib>/dist/shim.cjs
// --hardened TOOL ARGS…`, with the runner's group, the caller's uid, and the caller's environment
// handed over under a prefix so that nothing in it can steer Node itself.
//
// It does not trust whoever called the runner: it reads the system layer and the user's layers, judges
// the call exactly as a shim would, gates it (the PIN at the terminal, approvals from root's store),
// and only then starts the real tool registered for TOOL: a binary from root's copy through
// chaperone-exec, with no group of chaperone's at all; a script in place through chaperone-script, with
// the scripts' group only, which runs no binary tool (src/harden/scripts.ts). A runner started with
// `--hardened=FD` takes the call over once it is decided (answerRunner): it execs the starter itself, so
// the tool is the caller's own process. Node cannot exec, so where it must stay (git, whose own calls
// are told apart by their parent; stdin read ahead, which it feeds) it spawns the tool and mirrors its
// exit (src/shim/run.ts).

import { closeSync, writeSync } from 'node:fs';
import type { Handoff } from '../shim/handoff.js';
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

export async function hardenedRun(argv: string[], handoff?: Handoff): Promise<void> {
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
  // git's own children (a fetch's upload-pack, a pull's merge) come back through the runner from its
  // exec-path overlay, and may nest deeper than any wrapper would: they do not count.
  const git = tool === 'git' && state.git ? await import('./git.js') : undefined;
  const withinGit = git !== undefined && env.GIT_EXEC_PATH === state.git?.overlay;
  const depth = (/^\d{1,3}$/.test(env[depthVariable] ?? '') ? Number(env[depthVariable]) : 0) + (withinGit ? 0 : 1);
  if (depth > 8) throw new UserError(`chaperone: ${tool} called itself through the runner 8 times; nothing ran.`, ExitCode.internal);
  let toolEnv: NodeJS.ProcessEnv = { ...env, [depthVariable]: String(depth) };
  if (git && state.git) {
    toolEnv = git.hardenedGitEnvironment(state.git, toolEnv);
    // A call git itself makes inside a judged git command (stash's reset --hard): src/harden/git.ts.
    if (git.internalGitCall(state, args)) {
      runRealTool(starter, tool, [real, tool, ...args], toolEnv);
      return letGoOfStdio();
    }
  }
  const evaluation = await evaluate({ tool, args, cwd, env });
  if (!(await passGate(evaluation))) process.exit(ExitCode.refused);
  // Nothing of stdin was read: the runner becomes the tool, with the caller's own argv and environment
  // bytes, and this process goes (see answerRunner). Else it feeds the tool what it read, as its parent.
  if (handoff && !evaluation.stdin && answerRunner(handoff, starter, real, env, toolEnv)) return;
  runRealTool(starter, tool, [real, tool, ...args], toolEnv, evaluation, handoff);
  if (git && !evaluation.stdin) letGoOfStdio();
}

/**
 * The answer a runner that takes the tool over reads (src/harden/runner.ts): `exec`, the starter and the
 * real file on lines of their own, then NAME=VALUE for each variable the tool's environment gets on top
 * of the caller's (CHAPERONE_DEPTH). The runner then execs `STARTER REAL TOOL ARGS…` itself. False when
 * a line could not carry a value (a newline in it): the decision then runs the tool itself.
 */
function answerRunner(handoff: Handoff, starter: string, real: string, callers: NodeJS.ProcessEnv, toolEnv: NodeJS.ProcessEnv): boolean {
  const set = Object.entries(toolEnv)
    .filter(([name, value]) => value !== undefined && callers[name] !== value)
    .map(([name, value]) => `${name}=${value}`);
  const lines = ['exec', starter, real, ...set];
  if (lines.some((line) => line.includes('\n') || line.includes('\0'))) return false;
  writeSync(handoff.fd, `${lines.join('\n')}\n`);
  closeSync(handoff.fd);
  return true;
}

/**
 * Node cannot exec, so this process stays beside the tool it started, holding the caller's stdin and
 * stdout as well. git's transports close their stdout before they exit and wait for the other side to
 * see the end of it (`git remote-ext`, the `ext::` transport: its caller waits for EOF, and would wait
 * for ever on the copy held here). The tool has its own copies; this process keeps only stderr, for
 * its own last words.
 */
function letGoOfStdio(): void {
  for (const fd of [0, 1]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
