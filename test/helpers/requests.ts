// Table cases for the HTTP tools (curl, wget, httpie, xh, railway api): a command line, what its stdin
// carries, and extra environment, evaluated against the built-in rules in an isolated HOME.

import { evaluateLine } from './evaluate.js';

export interface Line {
  line: string;
  stdin?: string;
  env?: NodeJS.ProcessEnv;
}

export const label = (c: Line) => `${c.line}${c.stdin !== undefined ? ` <<< ${c.stdin}` : ''}${c.env ? ` ${JSON.stringify(c.env)}` : ''}`;

/** Single-quotes text for a command line. */
export const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Evaluates cases with HOME and cwd given by the test file (they are made in its beforeAll). */
export function requestRunner(where: () => { home: string; work: string }) {
  const run = (c: Line) => {
    const { home, work } = where();
    // The command's stdin is what the case says (nothing when it says nothing), never the test's own.
    return evaluateLine(c.line, { HOME: home, ...c.env }, work, c.stdin ?? '');
  };
  const rules = async (c: Line) => (await run(c)).findings.map((f) => f.rule).join(' ');
  return { run, rules };
}
