// "Exec" on Node 20: signals reach the real tool, the shim outlives the child's clean-up, and an
// internal error never runs the real tool.

import { describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('leaves no chaperone process in between: the real tool runs in the shim\'s own process', async () => {
    const sb = await makeSandbox(['railway']);
    writeFileSync(join(sb.doubles, 'railway'), trappingDouble(sb.records));
    chmodSync(join(sb.doubles, 'railway'), 0o755);
    const child = sb.run('railway', ['logs']);
    await waitFor(join(sb.records, 'ready'));
    // A SIGINT sent to that pid is the tool's own to handle, exactly as without chaperone.
    child.kill('SIGINT');
    await waitFor(join(sb.records, 'signals'));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(sb.records, 'signals'), 'utf8')).toBe('INT\nTERM\n');
  });

  it('runs the tool as the shim\'s own pid, so nothing holds memory or relays signals while it runs', async () => {
    const sb = await makeSandbox(['railway']);
    writeFileSync(join(sb.doubles, 'railway'), `#!/bin/sh\necho $$ > "${sb.records}/pid"\n`);
    chmodSync(join(sb.doubles, 'railway'), 0o755);
    const child = sb.run('railway', ['status']);
    await child;
    expect(readFileSync(join(sb.records, 'pid'), 'utf8').trim()).toBe(String(child.pid));
  });

  it.each([
    ['exec hand-off', ['-c', 'select 1'], undefined, {}, false],
    ['SQL piped in, read ahead, and fed by a feeder beside the tool', [], 'select 1;\n', {}, false],
    // Past the read-ahead, the rest is judged as it streams, by the feeder beside the tool: no Node parent.
    ['SQL streamed past the read-ahead, judged by a feeder beside the tool', [], 'select 1;\nselect 2;\n', { CHAPERONE_READ_AHEAD_BYTES: '4' }, false],
  ] as const)('dies by the signal the tool died by, SIGPIPE included (%s)', async (_how, args, input, env, nodeParent) => {
    const sb = await makeSandbox(['psql']);
    for (const signal of ['PIPE', 'USR1', 'TERM']) {
      // The double names its parent, so each case shows which path ran it.
      writeFileSync(join(sb.doubles, 'psql'), `#!/bin/sh\ncat >/dev/null\nps -o args= -p $PPID > "${sb.records}/parent"\nkill -${signal} $$\n`);
      chmodSync(join(sb.doubles, 'psql'), 0o755);
      const result = await sb.run('psql', ['-h', 'localhost', ...args], { input: input ?? '', env });
      expect(result.signal, signal).toBe(`SIG${signal}`);
      expect(readFileSync(join(sb.records, 'parent'), 'utf8').includes('shim.cjs')).toBe(nodeParent);
    }
  });

  it.each([0, 1, 2, 77, 126, 127, 128, 141, 255])('mirrors exit status %i', async (code) => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway', { exitCode: code });
    expect((await sb.run('railway', ['status'])).exitCode).toBe(code);
  });

  it.each([
    ['set', { NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem' }],
    ['empty', { NODE_EXTRA_CA_CERTS: '' }],
    ['unset', {}],
  ])('gives the tool NODE_EXTRA_CA_CERTS exactly as the caller had it (%s), though Node starts without it', async (_case, extra) => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway');
    const env: Record<string, string | undefined> = { ...sb.env, ...extra };
    if (!('NODE_EXTRA_CA_CERTS' in extra)) env.NODE_EXTRA_CA_CERTS = undefined;
    await sb.run('railway', ['status'], { env, extendEnv: false });
    const seen = sb.record('railway')!.env;
    expect(seen.NODE_EXTRA_CA_CERTS).toBe((extra as Record<string, string>).NODE_EXTRA_CA_CERTS);
    // Nothing chaperone set aside for Node reaches the tool: its variables are the caller's, and DEPTH.
    expect(Object.keys(seen).filter((k) => k.startsWith('CHAPERONE_') && k !== 'CHAPERONE_DEPTH' && !(k in env))).toEqual([]);
  });

  it.each([
    ['set', { NODE_OPTIONS: '--max-old-space-size=300' }],
    ['empty', { NODE_OPTIONS: '' }],
    ['unset', {}],
  ])('gives the tool NODE_OPTIONS exactly as the caller had it (%s), though the decision\'s Node starts without it', async (_case, extra) => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway');
    const env: Record<string, string | undefined> = { ...sb.env, ...extra, CHAPERONE_NODE_OPTIONS: '--require /nonexistent/brought.js' };
    if (!('NODE_OPTIONS' in extra)) env.NODE_OPTIONS = undefined;
    // `variables` is no fast-path word: Node decides this call.
    const result = await sb.run('railway', ['variables'], { env, extendEnv: false });
    expect(result.exitCode).toBe(0);
    const seen = sb.record('railway')!.env;
    expect(seen.NODE_OPTIONS).toBe((extra as Record<string, string>).NODE_OPTIONS);
    // A CHAPERONE_NODE_OPTIONS the caller brings is not given out as its NODE_OPTIONS; it is the
    // caller's own, passed on untouched (test/e2e/set-aside-fidelity.test.ts has every combination).
    expect(seen.CHAPERONE_NODE_OPTIONS).toBe('--require /nonexistent/brought.js');
  });

  it('runs no code a NODE_OPTIONS preload names inside the decision: a refused call stays refused', async () => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway');
    // A preload that would answer the sh shim "run it" on the hand-off descriptor, and leaves a mark.
    const preload = join(sb.root, 'answer.js');
    const mark = join(sb.root, 'ran');
    writeFileSync(preload, `require('fs').writeFileSync(${JSON.stringify(mark)}, 'x'); try { require('fs').writeSync(4, 'exec 1 ' + ${JSON.stringify(join(sb.doubles, 'railway'))}); } catch {} process.exit(0);\n`);
    const result = await sb.run('railway', ['volume', 'delete', '--volume', 'pg'], { env: { ...sb.env, CHAPERONE_ACTOR: 'agent', NODE_OPTIONS: `--require ${preload}` } });
    expect(result.exitCode).toBe(77);
    expect(existsSync(mark)).toBe(false);
    expect(sb.record('railway')).toBeUndefined();
  });
});

describe('a shim whose chaperone was removed', () => {
  it('says so in one line and runs the real tool, so nothing (an agent included) is left blocked', async () => {
    const sb = await makeSandbox(['railway']);
    sb.double('railway', { stdout: 'real railway\n' });
    const copy = join(sb.root, 'chaperone-copy');
    cpSync(join(repoRoot, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(repoRoot, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
    const shims = join(sb.root, 'orphan-shims');
    await execa(process.execPath, [join(copy, 'bin', 'chaperone.js'), 'install', '--dir', shims, 'railway'], { env: sb.env });
    rmSync(copy, { recursive: true, force: true });
    const result = await sb.run('railway', ['volume', 'delete', '--volume', 'x'], { env: { PATH: `${shims}:${sb.doubles}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('real railway\n');
    expect(result.stderr).toBe(
      `chaperone: ${join(copy, 'dist', 'shim.cjs')} is gone, so this shim no longer guards railway; running railway unguarded. Remove the shims: rm -r '${shims}', and the chaperone line in your shell rc.\n`,
    );
    expect(sb.record('railway')?.argv).toEqual(['volume', 'delete', '--volume', 'x']);
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
    expect(result.stderr).toMatch(/^chaperone: internal error: .*This is a bug; please report it with the trace below\.\nchaperone: the real tool did not run\.\n/);
    expect(result.stderr).toMatch(/SyntaxError: .*JSON/);
    expect(sb.record('railway')).toBeUndefined();
  });
});
