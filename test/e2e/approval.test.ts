// Out-of-band approval, as a human and an agent would go through it: the agent is refused with a
// code, a human approves it in their own terminal (a real pty, with a PIN), the identical command runs
// once, and nothing else rides on that approval.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { approve } from '../../src/approval/store.js';
import { cliPath, linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('approval.test.ts');

let sb: Sandbox;
const terminals = new Terminals();
const deleteVolume = ['volume', 'delete', '--volume', 'pg-data', '--yes'];
/** A destroy the link bounds, so the link file is its evidence (a volume delete is production's wherever it is linked). */
const deleteVariable = ['variable', 'delete', 'DATABASE_URL'];
const codeIn = (text: string) => /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(text)?.[1];

/** A railway double that appends one line per run, so concurrent runs can be counted. */
function countingDouble(): string {
  const runs = join(sb.records, 'runs');
  writeFileSync(join(sb.doubles, 'railway'), `#!/bin/sh\necho "$*" >> '${runs}'\n`);
  chmodSync(join(sb.doubles, 'railway'), 0o755);
  return runs;
}
const runsIn = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  linkRailway(sb, sb.work, 'production');
});
afterEach(() => terminals.closeSessions());
afterAll(() => terminals.close());

describe('an agent is refused with a code a human can approve', () => {
  it('names the code and the exact next step', async () => {
    countingDouble();
    const refused = await sb.run('railway', deleteVolume);
    expect(refused.exitCode).toBe(77);
    const code = codeIn(String(refused.stderr));
    expect(code).toBeDefined();
    expect(refused.stderr).toContain(`ask a human to run \`chaperone approve ${code}\` in their own terminal, then run the same command again`);
    // The same refused command asks with the same code until it is approved.
    expect(codeIn(String((await sb.run('railway', deleteVolume)).stderr))).toBe(code);
  });

  it('cannot be approved without a terminal', async () => {
    countingDouble();
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    const attempt = await sb.chaperone(['approve', code]);
    expect(attempt.exitCode).toBe(77);
    expect(attempt.stderr).toContain('needs a human at a real terminal');
  });

  it('cannot be approved by an agent even in a terminal', async () => {
    countingDouble();
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    const term = terminals.open(sb, `${process.execPath} ${cliPath} approve ${code}`, { extraEnv: { CODEX_THREAD_ID: 'thread-1' } });
    const { code: exit, screen } = await term.exit();
    expect(exit).toBe(77);
    expect(screen).toContain('An agent cannot approve its own commands');
  });
});

describe.skipIf(!haveTmux)('the approval flow through a real terminal', () => {
  it('refusal, approve with the name and PIN, one identical run, then refused again; a modified command is refused', async () => {
    const runs = countingDouble();
    const node = `${process.execPath} ${cliPath}`;

    // The human sets a PIN.
    const pinTerm = terminals.open(sb, `${node} pin set`);
    await pinTerm.waitFor('New PIN');
    pinTerm.type('4711');
    pinTerm.press('Enter');
    await pinTerm.waitFor('The same PIN again');
    pinTerm.type('4711');
    pinTerm.press('Enter');
    expect((await pinTerm.exit()).code).toBe(0);
    expect(readFileSync(join(sb.home, '.config/chaperone/pin'), 'utf8')).not.toContain('4711');

    // 1. An agent-style refusal.
    const refused = await sb.run('railway', deleteVariable);
    expect(refused.exitCode).toBe(77);
    const code = codeIn(String(refused.stderr))!;

    // 2. The human approves: sees the action, types the name, then the PIN.
    const term = terminals.open(sb, `${node} approve ${code}`);
    const prompt = await term.waitFor('Type production to approve it');
    expect(prompt).toContain('command      railway variable delete DATABASE_URL');
    expect(prompt).toContain(`cwd          ${sb.work}`);
    expect(prompt).toContain('rules        railway.variable.delete');
    expect(prompt).toContain('environment  production (production)');
    expect(prompt).toContain('evidence   file ~/.railway/config.json');
    term.type('production');
    term.press('Enter');
    await term.waitFor('PIN');
    term.type('4711');
    term.press('Enter');
    const approved = await term.exit();
    expect(approved.code).toBe(0);
    expect(approved.screen).toContain(`chaperone: approved ${code} until`);

    // 3. The identical command runs once.
    const first = await sb.run('railway', deleteVariable);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain(`running with approval ${code}`);
    expect(runsIn(runs)).toEqual(['variable delete DATABASE_URL']);

    // 4. A second run is refused again, with a new code.
    const second = await sb.run('railway', deleteVariable);
    expect(second.exitCode).toBe(77);
    expect(codeIn(String(second.stderr))).not.toBe(code);

    // 5. A modified command (another variable) is refused.
    const other = await sb.run('railway', ['variable', 'delete', 'OTHER_URL']);
    expect(other.exitCode).toBe(77);
    expect(runsIn(runs)).toHaveLength(1);

    const audit = readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8');
    expect(audit).toContain('"event":"approved"');
    expect(audit).toContain('"outcome":"approval-used"');
  });

  it('a wrong PIN approves nothing', async () => {
    countingDouble();
    const { setPin } = await import('../../src/approval/pin.js');
    setPin(sb.env, '1234');
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    const term = terminals.open(sb, `${process.execPath} ${cliPath} approve ${code}`);
    await term.waitFor('Type production to approve it');
    term.type('production');
    term.press('Enter');
    await term.waitFor('PIN');
    term.type('9999');
    term.press('Enter');
    const { code: exit, screen } = await term.exit();
    expect(exit).toBe(77);
    expect(screen).toContain('wrong PIN; not approved');
    expect((await sb.run('railway', deleteVolume)).exitCode).toBe(77);
  });
});

describe('an approval is bound to the exact action', () => {
  it('does not carry over to another working directory', async () => {
    const runs = countingDouble();
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    approve(sb.env, code, 15);
    const sub = join(sb.work, 'sub');
    (await import('node:fs')).mkdirSync(sub);
    const elsewhere = await sb.run('railway', deleteVolume, { cwd: sub });
    expect(elsewhere.exitCode).toBe(77);
    expect(runsIn(runs)).toEqual([]);
  });

  it('does not carry over to other SQL piped into the same psql command', async () => {
    const psql = await makeSandbox(['psql']);
    psql.double('psql');
    // What an approval covers is the point here; no database stands behind the double to back up.
    psql.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: []\n');
    const args = ['-h', 'db.prod.example', 'shop'];
    const first = await psql.run('psql', args, { input: 'DROP TABLE scratch_tmp;\n' });
    const code = codeIn(String(first.stderr))!;
    approve(psql.env, code, 15);
    const other = await psql.run('psql', args, { input: 'DROP DATABASE everything;\n' });
    expect(other.exitCode).toBe(77);
    expect(psql.record('psql')).toBeUndefined();
    const same = await psql.run('psql', args, { input: 'DROP TABLE scratch_tmp;\n' });
    expect(same.exitCode).toBe(0);
    expect(psql.record('psql')!.stdin.toString()).toBe('DROP TABLE scratch_tmp;\n');
  });

  it('is used at most once when two invocations race for it', async () => {
    const runs = countingDouble();
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    approve(sb.env, code, 15);
    const results = await Promise.all(Array.from({ length: 4 }, () => sb.run('railway', deleteVolume)));
    expect(results.map((r) => r.exitCode).sort()).toEqual([0, 77, 77, 77]);
    expect(runsIn(runs)).toHaveLength(1);
  });

  it('expires', async () => {
    const runs = countingDouble();
    const code = codeIn(String((await sb.run('railway', deleteVolume)).stderr))!;
    approve(sb.env, code, 1 / 60_000); // a millisecond
    await new Promise((r) => setTimeout(r, 20));
    expect((await sb.run('railway', deleteVolume)).exitCode).toBe(77);
    expect(runsIn(runs)).toEqual([]);
  });
});

describe('declared scope', () => {
  it('refuses a production target in a staging-scoped session outright, with no code', async () => {
    const runs = countingDouble();
    const result = await sb.run('railway', deleteVolume, { env: { CHAPERONE_SCOPE: 'staging' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('this session declared its scope as staging, and this command targets production');
    expect(result.stderr).toContain('No approval can change this. Stop, and report to the human');
    expect(codeIn(String(result.stderr))).toBeUndefined();
    expect(runsIn(runs)).toEqual([]);
  });

  it('chaperone agent --scope staging: a cd into a production dir inside bash -c is refused without a code', async () => {
    const runs = countingDouble();
    const prodDir = join(sb.work, 'prod-dir');
    (await import('node:fs')).mkdirSync(prodDir);
    linkRailway(sb, prodDir, 'production');
    linkRailway(sb, sb.work, 'staging');
    const result = await sb.chaperone(['agent', '--dir', sb.shims, '--scope', 'staging', '--', 'bash', '-c', 'cd prod-dir && railway variable delete DATABASE_URL']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('declared its scope as staging');
    expect(codeIn(String(result.stderr))).toBeUndefined();
    expect(runsIn(runs)).toEqual([]);
    // In scope, the same launcher lets a staging delete through to the usual policy (an agent: refused, with a code).
    const staging = await sb.chaperone(['agent', '--dir', sb.shims, '--scope', 'staging', '--', 'bash', '-c', 'railway variable delete DATABASE_URL']);
    expect(staging.exitCode).toBe(77);
    expect(staging.stderr).not.toContain('declared its scope');
    expect(codeIn(String(staging.stderr))).toBeDefined();
    // A volume deleted "in staging" is the project's, production's included: outside the scope, no code.
    const volume = await sb.chaperone(['agent', '--dir', sb.shims, '--scope', 'staging', '--', 'bash', '-c', 'railway volume -e staging delete -v pg-data -y']);
    expect(volume.exitCode).toBe(77);
    expect(volume.stderr).toContain('declared its scope as staging, and this command targets production');
    expect(codeIn(String(volume.stderr))).toBeUndefined();
    expect(runsIn(runs)).toEqual([]);
  });

  it('chaperone agent puts the shims first and marks the actor', async () => {
    const result = await sb.chaperone(['agent', '--dir', sb.shims, '--', 'sh', '-c', 'echo "$CHAPERONE_ACTOR"; command -v railway'], { env: { PATH: '/usr/bin:/bin' } });
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toBe(`agent\n${join(sb.shims, 'railway')}\n`);
  });
});
