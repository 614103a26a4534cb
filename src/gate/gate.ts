// The gate: the one place that prints a notice, asks a human, or refuses, and records the outcome.
// It returns whether the real tool may run.

import type { Evaluation } from '../model.js';
import { writeAudit } from '../audit/log.js';
import { describeHeld, noticeLine, refusalMessage } from '../display/describe.js';

export async function passGate(ev: Evaluation): Promise<boolean> {
  const gated = ev.findings.length > 0;
  switch (ev.decision.verdict) {
    case 'allow':
      if (gated) {
        if (ev.decision.action === 'notice') process.stderr.write(noticeLine(ev));
        writeAudit(ev, 'allowed');
      }
      return true;
    case 'deny':
      process.stderr.write(refusalMessage(ev));
      writeAudit(ev, 'refused');
      return false;
    case 'confirm': {
      const { askHuman } = await import('./confirm.js');
      const header = ['chaperone: this command is held for confirmation', ...describeHeld(ev), `  why          ${ev.decision.reason}`, ''].join('\n');
      const confirmed = await askHuman(header, ev.decision.confirmWord ?? 'production');
      writeAudit(ev, confirmed ? 'confirmed' : 'aborted');
      if (!confirmed) process.stderr.write(`chaperone: not confirmed; the real ${ev.invocation.tool} did not run.\n`);
      return confirmed;
    }
  }
}
