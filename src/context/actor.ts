// Who is at the other end: a human at a terminal, an agent, or CI. Only a human can confirm, and only
// a usable /dev/tty makes one: an agent can set any variable, so no variable can claim "human".

import { closeSync, openSync } from 'node:fs';
import type { Actor, ActorInfo } from '../model.js';
import type { AgentProcess } from './ancestry.js';

/** Variables that agents set in the shells they run. CLAUDECODE=1 alone is not enough. */
const agentMarkers: [variable: string, matches: (value: string) => boolean][] = [
  ['CLAUDE_CODE_CHILD_SESSION', (v) => v !== ''],
  ['CLAUDE_CODE_SESSION_ID', (v) => v !== ''],
  ['CODEX_THREAD_ID', (v) => v !== ''],
  ['CODEX_SANDBOX', (v) => v !== ''],
  ['GEMINI_CLI', (v) => v === '1'],
  ['CURSOR_AGENT', (v) => v === '1'],
];

export function hasTerminal(): boolean {
  try {
    closeSync(openSync('/dev/tty', 'r+'));
    return true;
  } catch {
    return false;
  }
}

export function detectActor(env: NodeJS.ProcessEnv, explicit?: Actor, terminal: () => boolean = hasTerminal): ActorInfo {
  if (explicit) return { actor: explicit, evidence: `--actor ${explicit}` };
  const declared = env.CHAPERONE_ACTOR;
  if (declared === 'agent' || declared === 'ci') return { actor: declared, evidence: `CHAPERONE_ACTOR=${declared}` };
  for (const [variable, matches] of agentMarkers) {
    const value = env[variable];
    if (value !== undefined && matches(value)) return { actor: 'agent', evidence: `${variable} is set (an agent's shell)` };
  }
  if (terminal()) return { actor: 'human', evidence: '/dev/tty is usable and no agent marker is set' };
  if (env.CI === 'true' || env.CI === '1') return { actor: 'ci', evidence: 'CI is set and there is no terminal' };
  return { actor: 'agent', evidence: 'no terminal (/dev/tty is not usable): nobody can confirm here' };
}

/**
 * A "human" found by the terminal test is checked once more before being asked: an agent that unset
 * its markers and made itself a pseudo-terminal still stands behind the process (src/context/ancestry.ts).
 * This reads /proc, so it runs only when a decision would ask a human.
 */
export async function confirmHuman(actor: ActorInfo, find?: () => AgentProcess | undefined): Promise<ActorInfo> {
  if (actor.actor !== 'human') return actor;
  const { describeAgentProcess, findAgentProcess } = await import('./ancestry.js');
  const found = (find ?? findAgentProcess)();
  return found ? { actor: 'agent', evidence: describeAgentProcess(found) } : actor;
}
