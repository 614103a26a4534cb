// On a hardened machine the user's own rules file is the agent's to write, so it is applied like a
// project file: it may add and tighten, never loosen what root's system layer and the built-in rules
// gate. Root's system layer may do anything the user's file could before.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { readLayer } from '../../src/rules/load.js';
import { applyLayer, emptyConfig, type Trust } from '../../src/rules/config.js';
import { table } from '../helpers/cases.js';

async function apply(text: string, trust: Trust): Promise<string> {
  const base = applyLayer(emptyConfig(), (await readLayer('builtin.yaml', 'rules:\n  - id: base.rule\n    tool: psql\n    command: drop\n    effect: destroy\n    summary: s\n')).layer, 'builtin', () => {
    throw new Error('bad base');
  });
  const { layer, complain } = await readLayer('/home/agent/.config/chaperone/rules.yaml', text);
  try {
    applyLayer(base, layer, trust, complain);
    return 'applied';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problem.replace(/:.*/, '');
  }
}

const loosening = [
  'disable: [base.rule]\n',
  'environments:\n  development: [prod]\n',
  'environments:\n  staging: [prod]\n',
  'policy:\n  production: notice\n',
  'targets:\n  host:\n    db.prod.internal: development\n',
  'backup-limits:\n  max-age-days: 1\n',
  'audit-syslog: "udp://10.0.0.9:514"\n',
];
const tightening = [
  'environments:\n  production: [acme]\n',
  'policy:\n  development: confirm\n',
  'protected-branches: [trunk]\n',
  'rules:\n  - id: my.rule\n    tool: psql\n    command: truncate\n    effect: destroy\n    summary: s\n',
];

describe('a hardened user file may only tighten; the system layer and an ordinary user file may loosen', () => {
  table((text) => `hardened-user ${JSON.stringify(text)}`, loosening.map((text) => [text, expect.stringMatching(/^a user file on a hardened machine may/) as unknown as string]), (text) => apply(text, 'hardened-user'));
  table((text) => `hardened-user ${JSON.stringify(text)}`, tightening.map((text) => [text, 'applied']), (text) => apply(text, 'hardened-user'));
  for (const trust of ['system', 'user'] as const) {
    table((text) => `${trust} ${JSON.stringify(text)}`, [...loosening, ...tightening].map((text) => [text, 'applied']), (text) => apply(text, trust));
  }
  it('a project file keeps its own wording', async () => {
    expect(await apply('disable: [base.rule]\n', 'project')).toBe('a project file may not disable rules');
  });
});
