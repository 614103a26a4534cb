// Evaluating a command line against the built-in rules in an isolated HOME, for table tests.

import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'shell-quote';
import { evaluate } from '../../src/evaluate.js';
import type { Evaluation } from '../../src/model.js';

export const emptyHome = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-home-')));

export function words(line: string): string[] {
  return parse(line).map((t) => (typeof t === 'string' ? t : 'op' in t && t.op === 'glob' ? t.pattern : String(t)));
}

export async function evaluateLine(line: string, env: NodeJS.ProcessEnv = {}, cwd = emptyHome, input?: string): Promise<Evaluation> {
  const [tool, ...args] = words(line);
  return evaluate({ tool, args, cwd, env: { HOME: emptyHome, ...env }, ...(input !== undefined ? { input } : {}) }, { alwaysResolve: true, terminal: () => false });
}

/** The ids of the rules a line triggers, space-separated ('' for none). */
export async function rulesOf(line: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return (await evaluateLine(line, env)).findings.map((f) => f.rule).join(' ');
}
