// The gate: the one place that prints a notice, asks a human, or refuses, and records the outcome.
// It returns whether the real tool may run.

import type { Evaluation } from '../model.js';
import { writeAudit } from '../audit/log.js';
import { describeHeld, escapeControl, noticeLine, refusalMessage, showCommand, showEvidence } from '../display/describe.js';
import { redactText } from '../redact.js';
import type { ApprovalRecord } from '../approval/store.js';

export async function passGate(ev: Evaluation): Promise<boolean> {
  const gated = ev.findings.length > 0;
  switch (ev.decision.verdict) {
    case 'allow':
      if (gated) {
        if (ev.decision.action === 'notice') process.stderr.write(noticeLine(ev));
        writeAudit(ev, 'allowed');
      }
      return true;
    case 'deny': {
      if (!ev.decision.approvable) {
        process.stderr.write(refusalMessage(ev));
        writeAudit(ev, 'refused');
        return false;
      }
      // Nobody here can confirm. A human may have approved this exact action out of band.
      const { bindingOf, newCode } = await import('../approval/binding.js');
      const { requestApproval, useApproval } = await import('../approval/store.js');
      const binding = bindingOf(ev);
      const approval = useApproval(ev.invocation.env, binding);
      if (approval) {
        process.stderr.write(`chaperone: running with approval ${approval.code}, given at ${approval.approvedAt}; it is now used up.\n`);
        writeAudit(ev, 'approval-used', { approval: approval.code });
        return true;
      }
      const request = requestApproval(ev.invocation.env, binding, approvalDetails(ev), newCode);
      process.stderr.write(refusalMessage(ev, request.code));
      writeAudit(ev, 'refused', { approval: request.code });
      return false;
    }
    case 'confirm': {
      const { askHuman } = await import('./confirm.js');
      const header = ['chaperone: this command is held for confirmation', ...describeHeld(ev), `  why          ${ev.decision.reason}`, ''].join('\n');
      let confirmed = await askHuman(header, ev.decision.confirmWord ?? 'production');
      let why: string | undefined;
      if (confirmed && ev.target) {
        // The name alone can be typed by whatever drives the terminal; the PIN only by the human.
        const { askPinAtTerminal, needsPin } = await import('./pin-gate.js');
        const pin = needsPin(ev.target.class) ? await askPinAtTerminal(ev.invocation.env) : undefined;
        if (pin && !pin.ok) [confirmed, why] = [false, pin.why];
      }
      writeAudit(ev, confirmed ? 'confirmed' : 'aborted', why ? { why } : {});
      if (!confirmed) process.stderr.write(`chaperone: ${why ? `${why}; ` : ''}not confirmed; the real ${ev.invocation.tool} did not run.\n`);
      return confirmed;
    }
  }
}

/** What a human is shown before approving, redacted once and kept with the request. */
export function approvalDetails(ev: Evaluation): Omit<ApprovalRecord, 'code' | 'binding' | 'status' | 'requestedAt' | 'expiresAt'> {
  return {
    command: showCommand(ev.invocation.tool, ev.invocation.args),
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
