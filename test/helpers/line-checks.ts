// A shell line judged the two ways an agent's line is: `chaperone check --json` as an agent, and the
// Claude Code PreToolUse hook with the line as a Bash tool call. For tests that try each route both ways.

import type { Sandbox } from './sandbox.js';

/** `chaperone check --json --actor agent --command LINE`, parsed. */
export async function checkLine<T = Record<string, unknown>>(sb: Sandbox, line: string, cwd: string): Promise<T> {
  const result = await sb.chaperone(['check', '--json', '--actor', 'agent', '--command', line], { cwd });
  return JSON.parse(String(result.stdout)) as T;
}

/** `chaperone hook claude` given LINE as a Bash tool call: its exit code, and the decision and reason it printed. */
export async function claudeHook(sb: Sandbox, line: string, cwd: string): Promise<{ exitCode: number | undefined; decision?: string; reason?: string }> {
  const payload = JSON.stringify({ session_id: 's', cwd, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: line } });
  const result = await sb.chaperone(['hook', 'claude'], { input: payload, cwd });
  const out = String(result.stdout);
  const json = out === '' ? undefined : JSON.parse(out);
  return { exitCode: result.exitCode, decision: json?.hookSpecificOutput?.permissionDecision, reason: json?.hookSpecificOutput?.permissionDecisionReason };
}

/** The two answers to LINE as an agent's, `check`'s decision and the hook's (no output is an allow): they must agree. */
export async function agentLineAnswers(sb: Sandbox, line: string, cwd: string): Promise<[string, string]> {
  const checked = await checkLine<{ decision: string }>(sb, line, cwd);
  const hooked = await claudeHook(sb, line, cwd);
  return [checked.decision, hooked.decision ?? 'allow'];
}
