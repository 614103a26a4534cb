// chaperone's own files (the user's rules, the PIN, the approvals, the audit log) live under the
// account's home as the passwd entry records it. The caller's HOME and XDG_* cannot move them: an agent
// would point them at a store it wrote itself. Only the test bundle may be told otherwise.

import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/sandbox.js';

const bundleText = (dir: string) =>
  readdirSync(join(repoRoot, dir))
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(repoRoot, dir, f), 'utf8'))
    .join('\n');

describe('the shipped bundle', () => {
  it('does not contain the test-only override; the test bundle does', () => {
    expect(bundleText('dist')).not.toContain('CHAPERONE_TEST_ACCOUNT_HOME');
    // The bundler may rename the import where a chunk imports userInfo twice (userInfo2).
    expect(bundleText('dist')).toMatch(/userInfo\d*\(\)\.homedir/);
    expect(bundleText('dist-test')).toContain('CHAPERONE_TEST_ACCOUNT_HOME');
  });

  it('reads the user rules from the passwd home, whatever HOME, XDG_CONFIG_HOME or the override say', async () => {
    // A loosening rules.yaml an agent wrote where it points the variables.
    const fake = mkdtempSync(join(tmpdir(), 'chaperone-fake-home-'));
    mkdirSync(join(fake, '.config', 'chaperone'), { recursive: true });
    writeFileSync(join(fake, '.config', 'chaperone', 'rules.yaml'), 'policy:\n  production: allow\n  unknown: allow\n');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: fake, XDG_CONFIG_HOME: join(fake, '.config'), XDG_STATE_HOME: fake, CHAPERONE_TEST_ACCOUNT_HOME: fake, CHAPERONE_ACTOR: 'agent' };
    const run = (bundle: string) =>
      execa(process.execPath, [join(repoRoot, bundle, 'cli.js'), 'check', '--json', '--', 'dropdb', '-h', 'db.prod.example', 'shop'], { env, extendEnv: false, reject: false, cwd: fake });

    const shipped = JSON.parse(String((await run('dist')).stdout));
    expect(shipped.decision).toBe('deny');
    // The same files, through the test bundle told to use them: proof that the files would loosen it.
    const test = JSON.parse(String((await run('dist-test')).stdout));
    expect(test.decision).toBe('allow');
    // What the shipped bundle uses instead: the passwd entry's home.
    expect(userInfo().homedir).not.toBe(fake);
  });
});
