// Out-of-band approval: an agent's refused command gets a code; a human runs `chaperone approve CODE`
// in their own terminal, sees the whole action, types the environment's name (and the PIN, if one is
// set), and the agent's next identical invocation runs once.

import { writeAuditEvent } from '../audit/log.js';
import { normalizeCode } from '../approval/binding.js';
import { clearPin, pinLockedUntil, readPin, setPin, verifyPin } from '../approval/pin.js';
import { approve, defaultApprovalMinutes, findRequest, listApprovals, type ApprovalRecord } from '../approval/store.js';
import { confirmHuman, detectActor } from '../context/actor.js';
import { escapeControl } from '../display/describe.js';
import { ExitCode, UserError } from '../errors.js';
import { hardenState } from '../harden/system.js';

async function requireHuman(env: NodeJS.ProcessEnv, what: string): Promise<void> {
  // No markers and a terminal are not enough: an agent can unset the one and make the other, so an
  // agent behind this process (its ancestry, or its terminal's creator) refuses too.
  const actor = await confirmHuman(detectActor(env));
  if (actor.actor !== 'human') {
    throw new UserError(`chaperone: ${what} needs a human at a real terminal, and this is not one (${actor.evidence}). An agent cannot approve its own commands.`, ExitCode.refused);
  }
}

function refuseWhileLocked(env: NodeJS.ProcessEnv): void {
  const until = pinLockedUntil(env);
  if (until) throw new UserError(`chaperone: too many wrong PINs; the PIN is not asked again before ${until.toISOString()}.`, ExitCode.refused);
}

export function describeRequest(r: ApprovalRecord): string {
  return [
    `  code         ${r.code} (${r.status})`,
    `  command      ${r.command}`,
    `  cwd          ${escapeControl(r.cwd)}`,
    `  rules        ${r.rules.join(', ')}`,
    `  environment  ${r.environment.name ?? '(no name)'} (${r.environment.class})`,
    ...r.environment.evidence.map((e) => `    evidence   ${e}`),
    `  requested    ${r.requestedAt}; ${r.status === 'approved' ? 'usable' : 'waits'} until ${r.expiresAt}`,
  ].join('\n');
}

export async function approveCommand(codeText: string, minutes: number, env: NodeJS.ProcessEnv): Promise<void> {
  await requireHuman(env, 'chaperone approve');
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) throw new UserError('chaperone: --minutes must be between 1 and 1440');
  const code = normalizeCode(codeText);
  const request = findRequest(env, code);
  if (!request) throw new UserError(`chaperone: no approval request ${code}. \`chaperone approvals\` lists them.`);
  if (request.status !== 'pending') throw new UserError(`chaperone: request ${code} is ${request.status}; ask the agent to run the command again for a new code.`);

  const { askHuman, askSecret } = await import('../gate/confirm.js');
  const header = `chaperone: an agent asks to run this once, within ${minutes} minutes of your approval:\n${describeRequest(request)}\n`;
  if (!(await askHuman(header, request.confirmWord, 'approve it'))) {
    writeAuditEvent(env, { event: 'approval-declined', code, command: request.command, rules: request.rules });
    throw new UserError(`chaperone: not approved.`, ExitCode.refused);
  }
  const pin = readPin(env);
  if (!pin && hardenState()) throw new UserError('chaperone: this machine is hardened and approvals need the PIN, but none is set; root sets one with `chaperone pin set`. Not approved.', ExitCode.refused);
  if (!pin) process.stderr.write('chaperone: no PIN is set, so anything that can type into a terminal could approve this; set one with `chaperone pin set`.\n');
  if (pin) {
    refuseWhileLocked(env);
    const typed = await askSecret('PIN');
    if (!verifyPin(env, pin, typed)) {
      writeAuditEvent(env, { event: 'approval-bad-pin', code, command: request.command });
      throw new UserError('chaperone: wrong PIN; not approved.', ExitCode.refused);
    }
  }
  const approved = approve(env, code, minutes);
  if (!approved) throw new UserError(`chaperone: request ${code} changed while you were approving it; not approved.`, ExitCode.refused);
  writeAuditEvent(env, {
    event: 'approved',
    code,
    command: approved.command,
    cwd: approved.cwd,
    rules: approved.rules,
    environment: approved.environment,
    expiresAt: approved.expiresAt,
    actor: 'human',
  });
  process.stdout.write(`chaperone: approved ${code} until ${approved.expiresAt}: the same command, in the same directory, may run once.\n`);
}

export function approvalsCommand(env: NodeJS.ProcessEnv, json: boolean): void {
  const records = listApprovals(env).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  if (json) {
    process.stdout.write(`${JSON.stringify(records.map(({ binding: _binding, ...r }) => r), null, 2)}\n`);
    return;
  }
  if (records.length === 0) {
    process.stdout.write('chaperone: no approval requests in the last 7 days.\n');
    return;
  }
  process.stdout.write(`${records.map(describeRequest).join('\n\n')}\n`);
}

export async function pinCommand(action: 'set' | 'clear', env: NodeJS.ProcessEnv): Promise<void> {
  await requireHuman(env, `chaperone pin ${action}`);
  const { askSecret } = await import('../gate/confirm.js');
  const current = readPin(env);
  if (current) {
    refuseWhileLocked(env);
    const typed = await askSecret('Current PIN');
    if (!verifyPin(env, current, typed)) {
      writeAuditEvent(env, { event: 'pin-bad-pin', action });
      throw new UserError('chaperone: wrong PIN.', ExitCode.refused);
    }
  }
  if (action === 'clear') {
    clearPin(env);
    writeAuditEvent(env, { event: 'pin-cleared' });
    process.stdout.write('chaperone: PIN removed; approvals no longer ask for one.\n');
    return;
  }
  const first = await askSecret('New PIN (at least 4 characters)');
  if (first === undefined || first.length < 4) throw new UserError('chaperone: a PIN needs at least 4 characters; nothing changed.');
  const second = await askSecret('The same PIN again');
  if (second !== first) throw new UserError('chaperone: the two PINs differ; nothing changed.');
  setPin(env, first);
  writeAuditEvent(env, { event: 'pin-set' });
  process.stdout.write('chaperone: PIN set; `chaperone approve` will ask for it.\n');
}

export { defaultApprovalMinutes };

/**
 * After `chaperone setup`: with no PIN, offer to set one, only to a human at a terminal; anywhere
 * else (a script, CI, an agent) one line says how, and nothing waits for an answer.
 */
export async function offerPin(env: NodeJS.ProcessEnv): Promise<void> {
  if (readPin(env)) return;
  const hint = 'chaperone: no PIN is set. With one, production confirmations and approvals also ask for it, which an agent that gets a terminal cannot type: `chaperone pin set`.\n';
  const human = process.stdin.isTTY && process.stdout.isTTY && (await confirmHuman(detectActor(env))).actor === 'human';
  if (!human) {
    process.stderr.write(hint);
    return;
  }
  const { askHuman } = await import('../gate/confirm.js');
  if (await askHuman(hint, 'yes', 'set a PIN now (anything else skips)')) await pinCommand('set', env);
}
