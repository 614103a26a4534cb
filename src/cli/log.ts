// `chaperone log`: the audit log read back, filtered; `chaperone log verify`: the chain checked.

import { UserError } from '../errors.js';
import { readLog, verifyLog } from '../audit/log.js';

export interface Entry {
  time?: string;
  seq?: number;
  tool?: string;
  argv?: string[];
  cwd?: string;
  decision?: string;
  outcome?: string;
  event?: string;
  actor?: string;
  rules?: string[];
  environment?: { name?: string; class?: string };
  [key: string]: unknown;
}

/** `--since`: an ISO time, or a span back from now (30m, 12h, 7d). */
export function sinceTime(text: string, now = new Date()): Date {
  const span = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (span) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[span[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(span[1]) * unit * 1000);
  }
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new UserError(`chaperone: --since wants a time (2026-12-05, 2026-12-05T10:00Z) or a span (30m, 12h, 7d); not "${text}"`);
  return time;
}

export function logCommand(env: NodeJS.ProcessEnv, options: { since?: string; decision?: string; json?: boolean }): void {
  const { text } = readLog(env);
  const since = options.since === undefined ? undefined : sinceTime(options.since);
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      continue; // `chaperone log verify` reports it
    }
    if (since && !(entry.time && new Date(entry.time) >= since)) continue;
    // Either the verdict (allow, confirm, deny) or what became of it (refused, confirmed, approval-used…).
    if (options.decision && entry.decision !== options.decision && entry.outcome !== options.decision && entry.event !== options.decision) continue;
    entries.push(entry);
  }
  if (options.json) {
    for (const entry of entries) process.stdout.write(`${JSON.stringify(entry)}\n`);
    return;
  }
  for (const entry of entries) process.stdout.write(`${summary(entry)}\n`);
}

export function summary(entry: Entry): string {
  const what = entry.event ?? entry.outcome ?? entry.decision ?? '?';
  const command = entry.tool ? [entry.tool, ...(entry.argv ?? [])].join(' ') : typeof entry.command === 'string' ? entry.command : '';
  // "[shop-prod (production)]", or "[unknown]" when nothing named the environment.
  const { name, class: kind } = entry.environment ?? {};
  const where = name || kind ? ` [${[name, name && kind ? `(${kind})` : kind].filter(Boolean).join(' ')}]` : '';
  const rules = entry.rules?.length ? ` ${entry.rules.join(',')}` : '';
  const actor = entry.actor ? ` by ${entry.actor}` : '';
  return `${entry.time ?? '?'}  ${what.padEnd(13)} ${command}${where}${rules}${actor}`;
}

/** Exit 0 when the chain holds, 1 when it is broken somewhere. */
export function verifyCommand(env: NodeJS.ProcessEnv, json: boolean): number {
  const { text, head, path } = readLog(env);
  const result = verifyLog(text, head);
  if (json) {
    process.stdout.write(`${JSON.stringify({ file: path, ok: result.problems.length === 0, ...result }, null, 2)}\n`);
  } else if (result.problems.length === 0) {
    process.stdout.write(`chaperone: ${path}: ${result.records} records, the chain is intact${result.unchained ? ` (the first ${result.unchained} predate the chain and cannot be verified)` : ''}.\n`);
  } else {
    process.stdout.write(`chaperone: ${path}: the chain is broken in ${result.problems.length} place(s):\n`);
    for (const problem of result.problems) process.stdout.write(`  line ${problem.line}: ${problem.problem}\n`);
  }
  return result.problems.length === 0 ? 0 : 1;
}
