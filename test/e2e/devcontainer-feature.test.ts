// The Dev Container Feature (devcontainer/chaperone/): its install.sh run as the devcontainer CLI runs
// it, but into a throwaway prefix and home, from a tarball packed from this checkout. Needs the npm
// registry for chaperone's one runtime dependency (libpg-query).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/sandbox.js';

const feature = join(repoRoot, 'devcontainer', 'chaperone');
let root = '';
let installed: SpawnSyncReturns<string>;
// The machine's own variables (a proxy or CA bundle npm needs) minus npm's lifecycle ones, which would
// point the install at this checkout; PATH without any shims.
const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && !key.startsWith('CHAPERONE_'))),
  PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
  HOME: join(root, 'build-home'),
  npm_config_cache: join(tmpdir(), 'chaperone-test-npm-cache'),
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'chaperone-feature-'));
  // The bundle `npm test` just built; --ignore-scripts so packing does not rebuild it under other tests.
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').pop()!;
  installed = spawnSync('sh', [join(feature, 'install.sh')], {
    env: {
      ...env(),
      VERSION: join(root, tarball),
      TOOLS: 'railway,psql',
      AGENTS: 'claude,gemini',
      PREFIX: join(root, 'prefix'),
      PROFILE_D: join(root, 'profile.d'),
      _REMOTE_USER: userInfo().username,
      _REMOTE_USER_HOME: join(root, 'remote-home'),
    },
    encoding: 'utf8',
    timeout: 240_000,
  });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the dev container feature', () => {
  it('declares what the devcontainer spec requires, with containerEnv putting the shims first', () => {
    const json = JSON.parse(readFileSync(join(feature, 'devcontainer-feature.json'), 'utf8'));
    expect(json).toMatchObject({ id: 'chaperone', name: 'chaperone', containerEnv: { PATH: '/usr/local/share/chaperone/shims:${PATH}', CHAPERONE_ACTOR: 'agent' } });
    expect(json.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(json.version).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    expect(statSync(join(feature, 'install.sh')).mode & 0o111).not.toBe(0);
  });

  it('install.sh installs chaperone, the chosen shims and the hooks for the remote user', () => {
    expect(installed.stderr + installed.stdout).toContain('chaperone feature: done');
    expect(installed.status).toBe(0);
    const shims = join(root, 'prefix', 'share', 'chaperone', 'shims');
    expect(readdirSync(shims).filter((f) => !f.startsWith('.')).sort()).toEqual(expect.arrayContaining(['psql', 'railway']));
    expect(existsSync(join(shims, 'aws'))).toBe(false);
    const claude = readFileSync(join(root, 'remote-home', '.claude', 'settings.json'), 'utf8');
    expect(claude).toContain('hook claude');
    expect(readFileSync(join(root, 'remote-home', '.gemini', 'settings.json'), 'utf8')).toContain('hook gemini');
    const profile = readFileSync(join(root, 'profile.d', 'chaperone.sh'), 'utf8');
    expect(profile).toContain(shims);
    expect(profile).toContain('CHAPERONE_ACTOR');
  });

  it('a login shell in the container gets the shims first and counts as an agent; a benign call runs, a destroy is refused', () => {
    const shims = join(root, 'prefix', 'share', 'chaperone', 'shims');
    const doubles = join(root, 'doubles');
    execFileSync('sh', ['-c', `mkdir -p ${doubles} && printf '#!/bin/sh\\necho real-railway "$@"\\n' > ${doubles}/railway && chmod +x ${doubles}/railway`]);
    const shell = (line: string) =>
      spawnSync('sh', ['-c', `. ${join(root, 'profile.d', 'chaperone.sh')}; ${line}`], { env: { ...env(), PATH: `${doubles}:${env().PATH}` }, encoding: 'utf8' });
    const which = shell('command -v railway; echo "actor=$CHAPERONE_ACTOR"');
    expect(which.stdout).toBe(`${join(shims, 'railway')}\nactor=agent\n`);
    expect(shell('railway status').stdout).toBe('real-railway status\n');
    const check = shell(`${join(root, 'prefix', 'bin', 'chaperone')} check --json -- railway volume delete --volume pg-data --yes`);
    expect(check.status).toBe(77);
    expect(JSON.parse(check.stdout)).toMatchObject({ decision: 'deny', actor: { actor: 'agent', evidence: 'CHAPERONE_ACTOR=agent' } });
  });

  it('fails with a clear message when Node is too old or missing', () => {
    const result = spawnSync('/bin/sh', [join(feature, 'install.sh')], { env: { PATH: '/nonexistent', HOME: root }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('needs Node.js 20 or later and npm');
  });
});
