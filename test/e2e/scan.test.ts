// `chaperone scan`, black-box through the built CLI: a directory, the staged version of a commit, and
// the real `pre-commit` running the hook this repository ships (.pre-commit-hooks.yaml) via try-repo.

import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

let sb: Sandbox;
const token = '6f1c2d3e-1111-2222-3333-444455556666';

beforeAll(async () => {
  sb = await makeSandbox([]);
});

async function git(cwd: string, ...args: string[]) {
  return execa('git', args, { cwd, env: { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
}

describe('chaperone scan PATH…', () => {
  it('reports each destructive line with file:line and its environment, and each credential masked; exits 1', async () => {
    const dir = join(sb.root, 'repo-a');
    mkdirSync(join(dir, 'scripts'), { recursive: true });
    writeFileSync(join(dir, 'scripts', 'deploy.sh'), '#!/bin/sh\nset -e\nrailway up\nrailway variable delete DATABASE_URL\n');
    writeFileSync(join(dir, '.env.production'), `RAILWAY_TOKEN=${token}\n`);
    writeFileSync(join(dir, 'Makefile'), 'test:\n\tpsql -h localhost -c "drop table scratch"\n');
    const result = await execa(process.execPath, [cliPath, 'scan'], { cwd: dir, env: sb.env, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('scripts/deploy.sh:4: destroy: railway.variable.delete');
    expect(result.stdout).toContain('in script, environment (unknown)');
    expect(result.stdout).toMatch(/\.env\.production:1:15: secret: Railway token\n {4}\*\*\*\* \(36 characters, sha256:[0-9a-f]{16}\)/);
    // A local database is development: a test fixture dropping a scratch table is not a finding.
    expect(result.stdout).not.toContain('Makefile');
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('chaperone scan: 2 findings in 3 files');
  });

  it('exits 0 on a clean tree, and gives JSON with --json', async () => {
    const dir = join(sb.root, 'repo-b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"scripts":{"test":"vitest run","logs":"railway logs"}}');
    const result = await execa(process.execPath, [cliPath, 'scan', '--json'], { cwd: dir, env: sb.env, reject: false });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ files: 1, findings: [] });
  });

  it('judges a committed line by its own words, not by the developer linking the repo to development', async () => {
    const dir = join(sb.root, 'repo-c');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nuke.sh'), 'railway variable delete DATABASE_URL\n');
    mkdirSync(join(sb.home, '.railway'), { recursive: true });
    writeFileSync(join(sb.home, '.railway', 'config.json'), JSON.stringify({ projects: { [dir]: { environmentName: 'development' } } }));
    const here = await execa(process.execPath, [cliPath, 'check', '--actor', 'agent', '--', 'railway', 'variable', 'delete', 'DATABASE_URL'], { cwd: dir, env: sb.env, reject: false });
    expect(here.exitCode).toBe(0);
    const result = await execa(process.execPath, [cliPath, 'scan', 'nuke.sh'], { cwd: dir, env: sb.env, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('nuke.sh:1: destroy: railway.variable.delete');
  });

  it('says which path does not exist, with exit 2', async () => {
    const result = await execa(process.execPath, [cliPath, 'scan', 'no-such-dir'], { cwd: sb.work, env: sb.env, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('chaperone: scan: ' + join(sb.work, 'no-such-dir') + ': no such file or directory');
  });
});

describe('chaperone scan --staged', () => {
  it('reads the staged version of each file, not the working tree', async () => {
    const dir = join(sb.root, 'repo-d');
    mkdirSync(dir, { recursive: true });
    await git(dir, 'init', '-q');
    writeFileSync(join(dir, 'deploy.sh'), 'kubectl --context prod delete ns shop\n');
    await git(dir, 'add', 'deploy.sh');
    writeFileSync(join(dir, 'deploy.sh'), 'kubectl get pods\n');
    writeFileSync(join(dir, 'untracked.sh'), 'dropdb -h db.prod.example shop\n');
    const staged = await execa(process.execPath, [cliPath, 'scan', '--staged'], { cwd: dir, env: sb.env, reject: false });
    expect(staged.exitCode).toBe(1);
    expect(staged.stdout).toContain('deploy.sh:1: destroy: kubectl.delete');
    expect(staged.stdout).not.toContain('untracked.sh');
    await git(dir, 'add', 'deploy.sh');
    const clean = await execa(process.execPath, [cliPath, 'scan', '--staged'], { cwd: dir, env: sb.env, reject: false });
    expect(clean.stdout).toBe('chaperone scan: nothing found in 1 file');
    expect(clean.exitCode).toBe(0);
  });
});

const preCommit = toolGroup('the real pre-commit runs the shipped hook', await toolProblems([['pre-commit', ['--version']]]));

describe.skipIf(preCommit.skip)(preCommit.title, () => {
  async function tryRepo(files: Record<string, string>) {
    const dir = join(sb.root, `pc-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    await git(dir, 'init', '-q');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    await git(dir, 'add', '-A');
    const bin = join(sb.root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'chaperone'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`, { mode: 0o755 });
    return execa('pre-commit', ['try-repo', repoRoot, 'chaperone-scan', '--verbose'], {
      cwd: dir,
      env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}`, PRE_COMMIT_HOME: join(sb.root, 'pre-commit-cache') },
      reject: false,
    });
  }

  beforeAll(() => preCommit.assertAvailable());

  it('fails a commit that adds a volume delete to a deploy script', async () => {
    const result = await tryRepo({ 'scripts/deploy.sh': '#!/bin/sh\nrailway volume delete --volume x --yes\n' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('scripts/deploy.sh:2: destroy: railway.volume.delete');
  });

  it('fails a commit that adds a Railway token', async () => {
    const result = await tryRepo({ 'config/railway.env': `RAILWAY_TOKEN=${token}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('config/railway.env:1:15: secret: Railway token');
    expect(result.stdout).not.toContain(token);
  });

  it('passes a benign commit', async () => {
    const result = await tryRepo({ 'scripts/deploy.sh': '#!/bin/sh\nrailway up --detach\n', 'README.md': '# shop\n' });
    expect(result.stdout).toMatch(/chaperone scan.*Passed/);
    expect(result.exitCode).toBe(0);
  });
});
