// The audit log: one JSON line per gated decision, appended to ~/.local/state/chaperone/audit.jsonl of
// the account (never a directory the caller's environment names: see accountHome).
// Everything in it is redacted first.

import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation } from '../model.js';
import { chaperoneStateDir } from '../context/files.js';
import { redactArgs, redactText } from '../redact.js';

export type Outcome = 'allowed' | 'confirmed' | 'aborted' | 'refused' | 'approved' | 'approval-used';

export function auditPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'audit.jsonl');
}

export function auditRecord(ev: Evaluation, outcome: Outcome, extra: Record<string, string> = {}, time = new Date()) {
  return {
    time: time.toISOString(),
    tool: ev.invocation.tool,
    argv: redactArgs(ev.invocation.args, ev.invocation.tool),
    cwd: ev.invocation.cwd,
    environment: ev.target && {
      name: ev.target.name === undefined ? undefined : redactText(ev.target.name),
      class: ev.target.class,
      because: redactText(ev.target.because),
      evidence: ev.target.evidence.map((e) => ({ ...e, value: redactText(e.value) })),
    },
    rules: ev.findings.map((f) => f.rule),
    findings: ev.findings.map((f) => ({ ...f, text: f.text === undefined ? undefined : redactText(f.text) })),
    decision: ev.decision.verdict,
    outcome,
    actor: ev.actor.actor,
    ...(ev.decision.outOfScope ? { outOfScope: true } : {}),
    ...extra,
  };
}

/** Appends a record. A log that cannot be written is reported, and does not change the decision. */
export function writeAudit(ev: Evaluation, outcome: Outcome, extra: Record<string, string> = {}): void {
  const path = auditPath(ev.invocation.env);
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    appendLine(path, auditRecord(ev, outcome, extra));
  } catch (error) {
    process.stderr.write(`chaperone: could not write the audit log ${path}: ${(error as Error).message}\n`);
  }
}

function appendLine(path: string, record: object): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Appends a record that is not about one evaluation (an approval given in `chaperone approve`). */
export function writeAuditEvent(env: NodeJS.ProcessEnv, record: Record<string, unknown>): void {
  const path = auditPath(env);
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    appendLine(path, { time: new Date().toISOString(), ...record });
  } catch (error) {
    process.stderr.write(`chaperone: could not write the audit log ${path}: ${(error as Error).message}\n`);
  }
}
