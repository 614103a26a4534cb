// `chaperone hook claude|cursor|codex|gemini|copilot`: the early, explainable layer. It reads the
// agent's JSON on stdin, analyses the whole shell line as the shim would judge each command in it, and
// answers in the agent's own protocol. It never crashes: bad input or an internal error is a deny.
// The shims stay the enforcement; they also catch what a hook cannot see (a script that calls aws).

import { appendFileSync } from 'node:fs';
import { readStdin, say, writeAll } from '../io.js';
import { hookAgents, hookAnswer, readHookRequest, type HookAgent, type HookAnswer } from '../hooks/protocols.js';
import type { Evaluation } from '../model.js';
import { pathLine } from './shims.js';
import { isDirectory } from '../context/files.js';
import { startServerIfNone } from '../server/start.js';

const inputLimit = 4 * 1024 * 1024;
const readTimeoutMs = 10_000;

/** `chaperone hook AGENT`: reads the request on stdin, answers on stdout and stderr and in the exit status. */
export async function runHookCommand(agent: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!hookAgents.includes(agent as never)) {
    // No protocol to answer in: exit 2, which blocks in most agents, with the reason on stderr.
    say(`chaperone: unknown agent "${agent}" (expected ${hookAgents.join(', ')}); denying.\n`);
    process.exit(2);
  }
  const answer = await runHook(agent as HookAgent, env);
  writeAll(1, answer.stdout);
  say(answer.stderr);
  // The next request then goes to the account's resident decision, when the hook line asks it first.
  startServerIfNone(env);
  // Exits now: a read of stdin that timed out may still be waiting on the thread pool.
  process.exit(answer.exitCode);
}

/**
 * The answer to one request. `input` is the request's text: the hook's stdin by default; the resident
 * decision (src/server/hook-request.ts) passes the bytes the hook's bash client read from it.
 */
export async function runHook(agent: HookAgent, env: NodeJS.ProcessEnv, input: () => Promise<string> = () => readStdin(inputLimit, readTimeoutMs)): Promise<HookAnswer> {
  try {
    const request = readHookRequest(agent, JSON.parse(await input()) as Record<string, unknown>);
    if (request.command === undefined) return hookAnswer(agent, 'allow', '');
    if (typedIntoLater.includes(agent) && interactiveShell.test(request.command)) return hookAnswer(agent, 'deny', interactiveShellReason);
    const cwd = request.cwd && isDirectory(request.cwd) ? request.cwd : process.cwd();
    const reason = await judgeLine(request.command, cwd, env);
    return reason === undefined ? hookAnswer(agent, 'allow', '') : hookAnswer(agent, 'deny', reason);
  } catch (error) {
    return hookAnswer(
      agent,
      'deny',
      `chaperone could not check this command, so it is denied to be safe: ${(error as Error).message}. ` +
        'Tell the human; do not try to run the command another way.',
    );
  }
}

/**
 * Codex can start a shell on a terminal (exec_command with a tty) and then type lines into it with
 * write_stdin, which fires no hook (seen with Codex 0.171.0): the hook would judge `bash` and never the
 * `railway volume delete` typed into it. So a bare interactive shell is refused where that is possible;
 * the shims on the shell's PATH still judge what it runs, but this layer would be blind.
 */
const typedIntoLater: HookAgent[] = ['codex'];
const interactiveShell = /^\s*(exec\s+)?(\S*\/)?(ba|z|da|k|fi|tc|c)?sh(\s+(-[ilsn]+|--login|--norc|--noprofile|--posix|-o\s+\S+))*\s*$/;
const interactiveShellReason =
  'chaperone: refused: an interactive shell; what is typed into it later reaches no hook, so chaperone could not judge it. ' +
  'Run each command as its own call instead.';

/** Undefined when the line may run; else the reason it may not, in words for the agent. */
async function judgeLine(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { checkWithEvaluations } = await import('./check.js');
  const { report, evaluations } = await checkWithEvaluations({ line, actor: 'agent', cwd, env, decisionOnly: true });
  if (report.decision === 'allow') return undefined;

  const reasons: string[] = [];
  for (const ev of evaluations.filter((e) => e.decision.verdict !== 'allow')) {
    const reason = await refusalFor(ev);
    if (reason) reasons.push(reason);
  }
  for (const r of report.commands.filter((c) => !c.covered && c.decision !== 'allow')) {
    reasons.push(`chaperone: refused: ${r.reason}. Split the line into plain commands, or ask the human to run it.`);
  }
  return reasons.length ? reasons.join('\n') : undefined;
}

/** The shim's own refusal, with an approval code where a human could approve; undefined once approved. */
async function refusalFor(ev: Evaluation): Promise<string | undefined> {
  const { refusalMessage } = await import('../display/describe.js');
  if (!ev.decision.approvable) return refusalMessage(ev);
  const { bindingOf, newCode } = await import('../approval/binding.js');
  const { requestUnlessApproved } = await import('../approval/store.js');
  const { approvalDetails } = await import('../gate/gate.js');
  // Approved out of band: let it through; the shim will use the approval when it runs. Else the request.
  const request = requestUnlessApproved(ev.invocation.env, bindingOf(ev), () => approvalDetails(ev), newCode);
  return request && refusalMessage(ev, request.code);
}

/** Claude Code's SessionStart hook: puts the shims first on PATH for every Bash command of the session. */
export function claudeSessionStart(shimDir: string, env: NodeJS.ProcessEnv): void {
  const file = env.CLAUDE_ENV_FILE;
  if (!file) throw new Error('CLAUDE_ENV_FILE is not set; run this as a Claude Code SessionStart hook');
  appendFileSync(file, `${pathLine('bash', shimDir)}\nexport CHAPERONE_ACTOR=agent\n`);
}

