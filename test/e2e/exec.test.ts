// "Exec" on Node 20: signals reach the real tool, the shim outlives the child's clean-up, and an
// internal error never runs the real tool.

import { describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSandbox, repoRoot } from '../helpers/sandbox.js';

/** A railway double that records the signals it receives, and exits 0 when told to stop. */
const trappingDouble = (records: string) => `#!/bin/sh
trap 'echo TERM >> "${records}/signals"; exit 0' TERM
trap 'echo HUP >> "${records}/signals"; exit 0' HUP
trap 'echo INT >> "${records}/signals"' INT
echo ready > "${records}/ready"
while :; do sleep 0.05; done
`;

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(path)) throw new Error(`timed out waiting for ${path}`);
}

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`forwards ${signal} to the real tool and mirrors its exit`, async () => {
      const sb = await makeSandbox(['railway']);
      writeFileSync(join(sb.doubles, 'railway'), trappingDouble(sb.records));
      chmodSync(join(sb.doubles, 'railway'), 0o755);
      const child = sb.run('railway', ['logs']);
      await waitFor(join(sb.records, 'ready'));
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(readFileSync(join(sb.records, 'signals'), 'utf8')).toBe(`${signal.slice(3)}\n`);
    });
  }

  it('survives a SIGINT sent to the shim alone, leaving the decision to the real tool', async () => {
    const sb = await makeSandbox(['railway']);
    writeFileSync(join(sb.doubles, 'railway'), trappingDouble(sb.records));
    chmodSync(join(sb.doubles, 'railway'), 0o755);
    const child = sb.run('railway', ['logs']);
    await waitFor(join(sb.records, 'ready'));
    child.kill('SIGINT'); // the shim ignores it; the double never sees it (it was not sent to the group)
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(sb.records, 'signals'), 'utf8')).toBe('TERM\n');
  });
});

describe('fail closed', () => {
  it('an internal error exits 70 with a stack, and never runs the real tool, even for a benign command', async () => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway');
    // A private copy of chaperone whose built-in rules are corrupt.
    const copy = join(sb.root, 'chaperone-copy');
    cpSync(join(repoRoot, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(repoRoot, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    writeFileSync(join(copy, 'dist', 'rules.json'), '{"rules": [oops');
    const shims = join(sb.root, 'broken-shims');
    await execa(process.execPath, [join(copy, 'bin', 'chaperone.js'), 'install', '--dir', shims, 'railway'], { env: sb.env });
    const result = await sb.run('railway', ['status'], { env: { PATH: `${shims}:${sb.doubles}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toContain('chaperone: internal error; the real tool did not run');
    expect(result.stderr).toMatch(/SyntaxError: .*JSON/);
    expect(sb.record('railway')).toBeUndefined();
  });
});
