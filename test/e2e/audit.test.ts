// The audit log through the built CLI: many shims deciding at once keep one intact chain, `chaperone
// log` reads it back, and `chaperone log verify` finds what a hand changed.

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const auditFile = () => join(sb.home, '.local/state/chaperone/audit.jsonl');
// A destroy the link bounds: refused in production, allowed in development (a volume delete is production's anywhere).
const deleteVariable = (name: string) => ['variable', 'delete', name];

beforeAll(async () => {
  sb = await makeSandbox(['railway']);
  sb.double('railway');
  // 100 gated calls at once: 50 refused (production), 50 allowed with a notice (a development link).
  linkRailway(sb, sb.work, 'production');
  const dev = join(sb.root, 'dev');
  await sb.sh(`mkdir -p ${dev}`);
  linkRailway(sb, dev, 'development');
  const calls = Array.from({ length: 100 }, (_, i) => sb.run('railway', deleteVariable(`VAR_${i}`), { cwd: i % 2 ? dev : sb.work, env: { CHAPERONE_ACTOR: 'agent' } }));
  const results = await Promise.all(calls);
  expect(results.map((r) => r.exitCode).sort()).toEqual([...Array(50).fill(0), ...Array(50).fill(77)]);
}, 120_000);

describe('the audit log', () => {
  it('keeps every record of 100 parallel gated calls, whole and in one chain', async () => {
    const lines = readFileSync(auditFile(), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(100);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(lines.map((l) => JSON.parse(l).argv[2])).size).toBe(100);
    const verify = await sb.chaperone(['log', 'verify']);
    expect(verify.exitCode).toBe(0);
    expect(String(verify.stdout)).toContain('100 records, the chain is intact');
  });

  it('`chaperone log` filters by decision and time, as text or JSON', async () => {
    const refused = await sb.chaperone(['log', '--decision', 'refused', '--json']);
    expect(refused.exitCode).toBe(0);
    const records = String(refused.stdout).trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(50);
    expect(records.every((r) => r.outcome === 'refused' && r.environment.class === 'production')).toBe(true);
    const text = String((await sb.chaperone(['log', '--since', '1h', '--decision', 'allowed'])).stdout).trim().split('\n');
    expect(text).toHaveLength(50);
    expect(text[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ {2}allowed +railway variable delete VAR_\d+ \[development \(development\)\] railway\.variable\.delete by agent$/);
    expect(String((await sb.chaperone(['log', '--since', '2099-01-01'])).stdout)).toBe('');
    expect((await sb.chaperone(['log', '--since', 'soon'])).exitCode).toBe(2);
  });

  it('`chaperone log verify` names an edited record and exits 1; --json says the same', async () => {
    const original = readFileSync(auditFile(), 'utf8');
    try {
      const lines = original.split('\n');
      lines[9] = lines[9].replace(/"outcome":"[a-z-]+"/, '"outcome":"confirmed"');
      writeFileSync(auditFile(), lines.join('\n'));
      const verify = await sb.chaperone(['log', 'verify']);
      expect(verify.exitCode).toBe(1);
      expect(String(verify.stdout)).toContain("line 11: line 10 was edited (its hash no longer matches this record's prev)");
      const json = JSON.parse(String((await sb.chaperone(['log', 'verify', '--json'])).stdout));
      expect(json).toMatchObject({ ok: false, records: 100, problems: [{ line: 11 }] });
    } finally {
      writeFileSync(auditFile(), original);
    }
  });
});
