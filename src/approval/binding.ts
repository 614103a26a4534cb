// What an approval is bound to: the exact tool, argv, working directory, resolved target, and what the
// command carries (the statements and requests found, the bytes read ahead from stdin). A different
// volume id, environment, flag, cwd or SQL is a different action and needs its own approval.

import type { Evaluation } from '../model.js';
import { realpathOr } from '../context/files.js';
import { randomBelow, sha256Hex } from '../hash.js';

export function bindingOf(ev: Evaluation): string {
  const target = ev.target && {
    class: ev.target.class,
    name: ev.target.name ?? null,
    evidence: ev.target.evidence.map((e) => [e.source, e.key, e.value, e.file ?? null]),
  };
  const payload = {
    findings: ev.findings.map((f) => [f.rule, f.text ?? null]),
    stdin: ev.stdin ? sha256Hex(ev.stdin.head) : null,
  };
  const bound = { tool: ev.invocation.tool, argv: ev.invocation.args, cwd: realpathOr(ev.invocation.cwd), target, payload };
  return sha256Hex(JSON.stringify(bound));
}

/** Letters and digits that cannot be mistaken for one another when read aloud or typed. */
const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short code a human can type: K7Q-4M2. */
export function newCode(): string {
  const pick = () => alphabet[randomBelow(alphabet.length)];
  return `${pick()}${pick()}${pick()}-${pick()}${pick()}${pick()}`;
}

export function normalizeCode(text: string): string {
  const flat = text.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return flat.length === 6 ? `${flat.slice(0, 3)}-${flat.slice(3)}` : text.toUpperCase();
}
