// Words for humans: the command as it was typed (redacted, with control characters escaped so a
// crafted argument cannot redraw the screen), the environment with its evidence, and the findings.

import type { Evaluation, Evidence, Finding, Target } from '../model.js';
import { redactArgs, redactText } from '../redact.js';
import { shellQuote } from '../tools/shell-words.js';

/** Makes text inert on a terminal: C0/C1 controls, DEL and bidi overrides become visible escapes. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };
    return named[c] ?? `\\u{${c.charCodeAt(0).toString(16)}}`;
  });
}

/** A word as a POSIX shell would need it: bare when safe, else single-quoted. */
export function quoteWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) ? word : shellQuote(word);
}

export function showCommand(tool: string, args: readonly string[]): string {
  return showRedacted(tool, redactArgs(args, tool));
}

function showRedacted(tool: string, redacted: readonly string[]): string {
  return escapeControl([tool, ...redacted].map(quoteWord).join(' '));
}

/**
 * A decision's argv, redacted, and the command line shown from it, made once per evaluation: a
 * refusal shows the command in its message, keeps it with the approval request, and writes the argv
 * to the audit log, and each redacted every argument again. Kept with the args array it was made
 * from, and made again if the evaluation names another one.
 */
const shown = new WeakMap<Evaluation, { args: readonly string[]; tool: string; redacted: string[]; line?: string }>();

function shownFor(ev: Evaluation) {
  const { tool, args } = ev.invocation;
  let entry = shown.get(ev);
  if (!entry || entry.args !== args || entry.tool !== tool) shown.set(ev, (entry = { args, tool, redacted: redactArgs(args, tool) }));
  return entry;
}

/** The evaluation's argv, redacted (a copy the caller may keep). */
export function redactedArgs(ev: Evaluation): string[] {
  return [...shownFor(ev).redacted];
}

/** The evaluation's command as showCommand shows it. */
export function shownCommand(ev: Evaluation): string {
  const entry = shownFor(ev);
  return (entry.line ??= showRedacted(entry.tool, entry.redacted));
}

export function showEvidence(e: Evidence): string {
  const value = escapeControl(redactText(e.value));
  switch (e.source) {
    case 'flag':
      return `flag ${e.key} ${value}`;
    case 'env':
      return `env ${e.key}=${value}`;
    case 'file':
      return `file ${e.file} ${e.key} = ${value}`;
    case 'argument':
      return `argument ${e.key}: ${value}`;
    case 'command':
      return `command ${e.key}: ${value}`;
    case 'default':
      return `default ${e.key}: ${value}`;
  }
}

export function showEnvironment(target: Pick<Target, "name" | "class">): string {
  const name = target.name ? `${escapeControl(redactText(target.name))} ` : '';
  return `${name}(${target.class})`;
}

export function showFinding(f: Finding): string {
  const text = f.text ? `: ${escapeControl(redactText(f.text))}` : '';
  return `${f.rule} [${f.effect}] ${f.summary}${text}`;
}

/** The block every held command shows: what, which rule, where, and from what evidence. */
export function describeHeld(ev: Evaluation): string[] {
  return [`  command      ${shownCommand(ev)}`, ...describeWhere(ev)];
}

/** describeHeld without its command line (a refusal names the command in its first line). */
function describeWhere(ev: Evaluation): string[] {
  const lines = [`  cwd          ${escapeControl(ev.invocation.cwd)}`];
  for (const f of ev.findings) lines.push(`  rule         ${showFinding(f)}`);
  if (ev.target) {
    lines.push(`  environment  ${showEnvironment(ev.target)}: ${escapeControl(redactText(ev.target.because))}`);
    for (const e of ev.target.evidence) lines.push(`    evidence   ${showEvidence(e)}`);
  }
  return lines;
}

export function refusalMessage(ev: Evaluation, approvalCode?: string): string {
  const next = ev.decision.outOfScope
    ? 'No approval can change this. Stop, and report to the human what you were about to do and why; do not look for another way to run it.'
    : ev.decision.action === 'deny'
      ? 'The policy refuses this outright. Stop here and tell the human what you were trying to do.'
      : approvalCode
        ? `If this is intended, ask a human to run \`chaperone approve ${approvalCode}\` in their own terminal, then run the same command again. Otherwise stop and report to the human; do not look for another way to run it.`
        : `A human can run the same command in their own terminal and confirm it there. If you are an agent: stop, and report this to the human; do not look for another way to run it.`;
  return [
    `chaperone: refused: ${shownCommand(ev)}`,
    ...describeWhere(ev),
    `  why          ${ev.decision.reason}`,
    `  next         ${notRun(ev)} ${next}`,
    '',
  ].join('\n');
}

/**
 * What did not happen. Mid-stream (statements piped past the read-ahead) the tool is already running:
 * only the held statement, and everything after it, was kept from it.
 */
export function notRun(ev: Evaluation): string {
  const tool = ev.invocation.tool;
  return ev.midStream ? `This statement, and everything after it, was not sent to ${tool}.` : `The real ${tool} did not run.`;
}

export function noticeLine(ev: Evaluation): string {
  const rules = ev.findings.map((f) => f.rule).join(', ');
  return `chaperone: ${rules} in ${ev.target ? showEnvironment(ev.target) : 'development'}: allowed\n`;
}
