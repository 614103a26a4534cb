// The shim's decision: `node shim.cjs [--handoff=FD] <shim path> ARGS…`, started by the sh script
// `chaperone install` writes (src/shim/start.ts loads this from V8's code cache). Decide first (pure),
// then act: gate, then run the real tool or exit.
// Nothing here may run the real tool from an error path.

import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { realpathOr } from '../context/files.js';
import { describeFault, ExitCode, UserError } from '../errors.js';
import { evaluate } from '../evaluate.js';
import { say } from '../io.js';
import { passGate } from '../gate/gate.js';
import { findRealTool } from './find-real.js';
import { answerExec, answerExecGit, readShimArguments } from './handoff.js';
import { depthVariable, runRealTool } from './run.js';
import { restoreSetAside } from './set-aside.js';

const maxDepth = 8;
/** How an entry of git's exec-path overlay starts us (see git-exec-path.ts): with the real file it stands for. */
const overlayFlag = '--chaperone-overlay';

async function main(): Promise<void> {
  let argv = process.argv.slice(2);
  // Started by the hardened runner (src/harden/run.ts): the decision there, then the real tool.
  // `--hardened=FD`: a runner that takes the tool over once decided, as the sh shim does (FD its answer).
  const hardened = argv[0] === undefined ? null : /^--hardened(?:=(\d+))?$/.exec(argv[0]);
  if (hardened) return (await import('../harden/run.js')).hardenedRun(argv.slice(1), hardened[1] === undefined ? undefined : { fd: Number(hardened[1]) });
  // The feeder of a tool whose stdin was read ahead (feed.ts), started by a decision below.
  if (argv[0] === '--feed') return (await import('./feed.js')).runFeeder(argv.slice(1));
  // An overlay entry names its real file, so nothing is looked up on PATH; `git-push` there is `git push`.
  const overlayReal = argv[0] === overlayFlag ? argv[1] : undefined;
  if (overlayReal !== undefined) argv = argv.slice(2);
  const { handoff, shimPath, args: rest } = readShimArguments(argv);
  const env = process.env;
  restoreSetAside(env);
  const call = shimCall(shimPath, rest, overlayReal, env, currentDirectory(env));
  const { tool, args, cwd, depth } = call;

  // A call git's own command makes, word for word (stash's reset --hard), is not decided again: the
  // command that makes it was (src/shim/git-own-calls.ts).
  const ownCall = overlayReal !== undefined && (await gitsOwnCallHere(args));
  const evaluation = ownCall ? undefined : await evaluate({ tool, args, cwd, env });
  if (evaluation && !(await passGate(evaluation))) {
    if (handoff?.server) (await import('../server/start.js')).startServerIfNone(env);
    process.exit(ExitCode.refused);
  }

  const { realPath, toolEnv: decided } = await realTool(call, { node: process.execPath, entry: process.argv[1] });
  let toolEnv = decided;
  // Nothing of stdin was consumed: the shim can exec the tool itself, and this process goes away.
  if (handoff && !evaluation?.stdin) {
    if (tool === 'git' && toolEnv.GIT_EXEC_PATH) answerExecGit(handoff, depth, realPath, toolEnv.GIT_EXEC_PATH);
    else answerExec(handoff, depth, realPath);
    // The next call asks a resident decision instead of starting Node (src/server/).
    if (handoff.server && evaluation) (await import('../server/start.js')).startServerIfNone(env);
    return;
  }
  // Stdin was read ahead: the shim still execs the tool, and a feeder beside it gives back the bytes,
  // judging the rest of a long stream as it comes (feed.ts).
  if (handoff?.feed && evaluation?.stdin && tool !== 'git') {
    const { feedBeside } = await import('./feed.js');
    if (await feedBeside(handoff, depth, realPath, evaluation, process.argv[1])) return;
  }
  // Node runs the tool itself only for a shim written by an older install (no `:feed`), or where no
  // pipe can be made for a feeder: it gets the environment the shim was started with, as the caller
  // gave it, not the shell's copy (bash counts SHLVL up and sets `_` for a command it starts without exec).
  if (handoff && tool !== 'git') toolEnv = { ...(callersEnvironment() ?? toolEnv), [depthVariable]: String(depth) };
  runRealTool(realPath, overlayReal !== undefined ? call.called : tool, rest, toolEnv, evaluation, handoff);
}

/** One call of a shim, as its arguments and environment give it. */
export interface ShimCall {
  /** The tool decided (git for every entry of git's exec-path overlay). */
  tool: string;
  /** The name the shim was called by: an overlay entry's git-foo. */
  called: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How many chaperone shims stand above this call, this one included. */
  depth: number;
  shimPath: string;
  /** The real file an entry of git's exec-path overlay stands for. */
  overlayReal?: string;
}

/** The call `shimPath ARGS…` stands for; a shim missing its path, or nesting too deep, is a fault. */
export function shimCall(shimPath: string | undefined, rest: string[], overlayReal: string | undefined, env: NodeJS.ProcessEnv, cwd: string): ShimCall {
  if (shimPath === undefined) throw new UserError('chaperone: the shim entry needs the shim\'s path; reinstall the shims with `chaperone install`.', ExitCode.internal);
  const called = basename(shimPath);
  const tool = overlayReal !== undefined ? 'git' : called;
  const args = overlayReal !== undefined && called.startsWith('git-') ? [called.slice(4), ...rest] : rest;
  // An overlay entry runs a fixed file, so it cannot call itself back through PATH, and it does not
  // count: git calling git (submodules in submodules) may nest deeper than any wrapper would.
  const depth = currentDepth(env) + (overlayReal !== undefined ? 0 : 1);
  if (depth > maxDepth) {
    throw new UserError(
      `chaperone: ${tool} called itself through chaperone ${maxDepth} times; a wrapper on PATH is probably calling back into the shim. ` +
        `Run \`chaperone doctor\` to see what PATH resolves to.`,
      ExitCode.internal,
    );
  }
  return { tool, called, args, cwd, env, depth, shimPath, ...(overlayReal !== undefined ? { overlayReal } : {}) };
}

/**
 * The file the call runs and the environment it runs with, once allowed: the next `tool` on PATH after
 * the shim, or the overlay entry's own file. `shim` is how git's exec-path overlay starts a decision.
 */
export async function realTool(call: ShimCall, shim: { node: string; entry: string }): Promise<{ realPath: string; toolEnv: NodeJS.ProcessEnv }> {
  const { tool, env, cwd, shimPath, overlayReal, depth } = call;
  let realPath = overlayReal;
  if (realPath === undefined) {
    const real = findRealTool(tool, env.PATH, shimPath, cwd);
    if (real.kind === 'not-found') {
      throw new UserError(`chaperone: ${tool}: command not found behind the chaperone shim (searched PATH after ${shimPath}). Install ${tool}, or run \`chaperone uninstall ${tool}\`.`, ExitCode.notFound);
    }
    if (real.kind === 'not-executable') {
      throw new UserError(`chaperone: ${tool}: ${real.path} is not executable.`, ExitCode.notExecutable);
    }
    realPath = real.path;
  }
  let toolEnv: NodeJS.ProcessEnv = { ...env, [depthVariable]: String(depth) };
  if (tool === 'git') {
    // What git starts must come back through chaperone too: git runs with its exec-path overlay.
    const { mirroredBy, overlayRoot, rootOfEntry, withOverlay } = await import('./git-exec-path.js');
    const shimFile = resolve(cwd, shimPath);
    toolEnv =
      overlayReal !== undefined
        ? withOverlay(realPath, rootOfEntry(shimFile), toolEnv, shim, mirroredBy(shimFile))
        : withOverlay(realPath, overlayRoot(dirname(realpathOr(shimFile))), toolEnv, shim);
  }
  return { realPath, toolEnv };
}

/** Whether `git ARGS`, from an overlay entry, is a call its parent git command makes itself. */
async function gitsOwnCallHere(args: string[]): Promise<boolean> {
  const { mayBeOwnCall, parentsOwnCall } = await import('./git-own-calls.js');
  if (!mayBeOwnCall(args)) return false;
  const { parentOf, shimProcess } = await import('./processes.js');
  const caller = parentOf(shimProcess());
  const isGit = (pid: number) => basename(realpathOr(`/proc/${pid}/exe`)) === 'git';
  return caller !== undefined && parentsOwnCall(args, caller, isGit);
}

/** The sh shim's own starting environment (Linux /proc), which is the caller's; undefined without it. */
function callersEnvironment(): NodeJS.ProcessEnv | undefined {
  try {
    const entries = readFileSync(`/proc/${process.ppid}/environ`, 'utf8').split('\0').filter((entry) => entry.includes('='));
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  } catch {
    return undefined;
  }
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

/** Runs one shim call to its end: every failure exits non-zero with what went wrong, and runs nothing. */
export function runShim(): void {
  main().catch((error: unknown) => {
    const fault = describeFault(error);
    // Nothing reaches here after the tool started, so every fault means it did not run: say so.
    const toolAbsent = fault.exitCode === ExitCode.notFound || fault.exitCode === ExitCode.notExecutable;
    say(`${fault.message}\n${toolAbsent ? '' : 'chaperone: the real tool did not run.\n'}${fault.stack ? `${fault.stack}\n` : ''}`);
    process.exit(fault.exitCode);
  });
}
