// The gate: the one place that prints a notice, asks a human, or refuses, and records the outcome.
// It returns whether the real tool may run.

import type { Evaluation } from '../model.js';
import { writeAudit } from '../audit/log.js';
import { describeHeld, escapeControl, noticeLine, notRun, refusalMessage, showEvidence, shownCommand } from '../display/describe.js';
import { say } from '../io.js';
import { redactText } from '../redact.js';
import type { ApprovalRecord } from '../approval/store.js';

/**
 * Raised by a gate judging for a caller in another process (the resident decision, src/server/) where
 * only the caller's own process may go on: a human must be asked at its terminal, or an approval waits
 * to be used (which takes a backup first, and must not be spent by a decision the shim might give up
 * waiting for). Nothing is recorded or said before it.
 */
export class DecideInCaller extends Error {}

export interface GateOptions {
  /** The caller is another process: it cannot be prompted, and approvals are left for it to use. */
  elsewhere?: boolean;
}

export async function passGate(ev: Evaluation, options: GateOptions = {}): Promise<boolean> {
  try {
    return await decide(ev, options);
  } finally {
    // Copies of the audit records reach syslog before the tool takes over the process, or chaperone exits.
    if (ev.auditSyslog) await (await import('../audit/syslog.js')).flushSyslog();
  }
}

async function decide(ev: Evaluation, options: GateOptions): Promise<boolean> {
  const gated = ev.findings.length > 0;
  switch (ev.decision.verdict) {
    case 'allow':
      if (gated) {
        // Recorded first: a decision that cannot be recorded does not run (see writeAudit).
        writeAudit(ev, 'allowed');
        if (ev.decision.action === 'notice') say(noticeLine(ev));
      }
      return true;
    case 'deny': {
      if (!ev.decision.approvable) {
        say(refusalMessage(ev));
        writeAudit(ev, 'refused');
        return false;
      }
      // Nobody here can confirm. A human may have approved this exact action out of band: one store
      // transaction takes that approval, or else finds or makes the request a human can approve.
      const { bindingOf, newCode } = await import('../approval/binding.js');
      const { requestUnlessApproved, takeOrRequestApproval } = await import('../approval/store.js');
      const binding = bindingOf(ev);
      let settled: ReturnType<typeof takeOrRequestApproval>;
      try {
        if (options.elsewhere) {
          const request = requestUnlessApproved(ev.invocation.env, binding, () => approvalDetails(ev), newCode);
          if (!request) throw new DecideInCaller('an approval waits to be used');
          settled = { request };
        } else settled = takeOrRequestApproval(ev.invocation.env, binding, () => approvalDetails(ev), newCode);
      } catch (error) {
        if (error instanceof DecideInCaller) throw error;
        // The store is broken: the refusal stands, without a code a human could approve.
        say(refusalMessage(ev));
        say(`${(error as Error).message}\nchaperone: no approval code could be issued until the store is fixed.\n`);
        writeAudit(ev, 'refused', { approval: 'store unavailable' });
        return false;
      }
      if ('used' in settled) {
        const approval = settled.used;
        say(`chaperone: running with approval ${approval.code}, given at ${approval.approvedAt}; it is now used up.\n`);
        const backup = await backupFirst(ev, false);
        writeAudit(ev, backup.ran ? 'approval-used' : 'aborted', { approval: approval.code, ...backup.audit });
        return backup.ran;
      }
      say(refusalMessage(ev, settled.request.code));
      writeAudit(ev, 'refused', { approval: settled.request.code });
      return false;
    }
    case 'confirm': {
      if (options.elsewhere) throw new DecideInCaller('a human is to be asked at the terminal');
      const { askHumanFor } = await import('./confirm.js');
      const word = ev.decision.confirmWord ?? 'production';
      const { backsUp, dumpProgram } = await import('../backup/before-destroy.js');
      const backup = ev.backup !== undefined && backsUp(ev.invocation.tool, ev.invocation.args);
      const skip = `${word} without backup`;
      const header = [
        'chaperone: this command is held for confirmation',
        ...describeHeld(ev),
        `  why          ${ev.decision.reason}`,
        ...(backup ? [`  backup       what it destroys is dumped first (${dumpProgram(ev.invocation.tool)}); type "${skip}" to run it without one`] : []),
        '',
      ].join('\n');
      const answer = await askHumanFor(header, backup ? [word, skip] : [word], `Type ${word} to run it`);
      let confirmed = answer !== undefined;
      let why: string | undefined;
      if (confirmed && ev.target) {
        // The name alone can be typed by whatever drives the terminal; the PIN only by the human.
        const { askPinAtTerminal, needsPin } = await import('./pin-gate.js');
        const pin = needsPin(ev.target.class) ? await askPinAtTerminal(ev.invocation.env) : undefined;
        if (pin && !pin.ok) [confirmed, why] = [false, pin.why];
      }
      if (!confirmed) {
        writeAudit(ev, 'aborted', why ? { why } : {});
        const what = notRun(ev);
        say(`chaperone: ${why ? `${why}; ` : ''}not confirmed; ${what[0].toLowerCase()}${what.slice(1)}\n`);
        return false;
      }
      const taken = backup ? await backupFirst(ev, answer === skip) : { ran: true, audit: {} };
      writeAudit(ev, taken.ran ? 'confirmed' : 'aborted', taken.audit);
      return taken.ran;
    }
  }
}

/**
 * The backup the policy asks for, before the real tool runs (src/backup/). `skipped`: the human typed
 * "NAME without backup" at the prompt, which nothing but a human at a terminal can do.
 */
async function backupFirst(ev: Evaluation, skipped: boolean): Promise<{ ran: boolean; audit: Record<string, string> }> {
  const { backsUp, backUpBeforeRunning } = await import('../backup/before-destroy.js');
  if (!ev.backup || !backsUp(ev.invocation.tool, ev.invocation.args)) return { ran: true, audit: {} };
  if (skipped) {
    say('chaperone: no backup taken, as typed at the prompt.\n');
    return { ran: true, audit: { backup: 'skipped at the prompt' } };
  }
  const outcome = await backUpBeforeRunning(ev);
  if (outcome.kind === 'nothing') {
    if (outcome.why) say(`chaperone: ${escapeControl(outcome.why)}\n`);
    return { ran: true, audit: outcome.why ? { backup: redactText(outcome.why) } : {} };
  }
  if (outcome.kind === 'taken') {
    const pruned = outcome.pruned.length > 0 ? `; ${outcome.pruned.length} older backup(s) removed to stay within backup-limits` : '';
    say(`chaperone: backup ${outcome.record.id} taken (${outcome.record.entries} entries, ${outcome.record.bytes} bytes): ${outcome.record.file}${pruned}\n`);
    if (outcome.record.verified) say(`  checked      ${outcome.record.verified}\n`);
    return { ran: true, audit: { backup: outcome.record.id, backupFile: outcome.record.file } };
  }
  const word = ev.decision.confirmWord ?? 'production';
  say(
    `chaperone: the backup before this command failed, so the real ${ev.invocation.tool} did not run.\n` +
      `  why          ${escapeControl(redactText(outcome.why))}\n` +
      `  next         Fix the cause and run it again, or have a human run it at a terminal and type "${word} without backup" at the prompt.\n`,
  );
  return { ran: false, audit: { backup: `failed: ${redactText(outcome.why)}` } };
}

/** What a human is shown before approving, redacted once and kept with the request. */
export function approvalDetails(ev: Evaluation): Omit<ApprovalRecord, 'code' | 'binding' | 'status' | 'requestedAt' | 'expiresAt'> {
  return {
    command: shownCommand(ev),
    cwd: ev.invocation.cwd,
    // The rule, and what it found: the statement or request a human is asked to let through.
    rules: ev.findings.map((f) => (f.text ? `${f.rule}: ${escapeControl(redactText(f.text))}` : f.rule)),
    environment: {
      name: ev.target?.name === undefined ? undefined : redactText(ev.target.name),
      class: ev.target?.class ?? 'unknown',
      evidence: ev.target?.evidence.map(showEvidence) ?? [],
    },
    confirmWord: ev.decision.confirmWord ?? 'production',
  };
}
