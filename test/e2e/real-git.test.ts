// The real git behind the real shim, against a local bare remote. Setup runs the real git directly;
// what the tests check is the remote's refs afterwards: a refused force-push leaves main where it was,
// an allowed one really moves the feature branch.
//
// Skipped with the reason printed when git is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that
// is a failure instead.

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

const group = toolGroup('git through the shim, against a local bare remote', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let remote: string;
  let work: string;
  const identity = gitIdentity;

  /** Runs the real git directly, not through the shim. */
  const direct = directGit(() => sb);
  const remoteRef = (branch: string) => direct(remote, ['rev-parse', `refs/heads/${branch}`]);
  const localRef = (branch: string) => direct(work, ['rev-parse', `refs/heads/${branch}`]);
  /** Rewrites the current branch's last commit, so that only a forced push can publish it. */
  const rewrite = (message: string) => direct(work, ['commit', '--amend', '--allow-empty', '-q', '-m', message]);

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git']);
    remote = join(sb.root, 'remote.git');
    work = join(sb.work, 'shop');
    await direct(sb.root, ['init', '-q', '--bare', remote]);
    await direct(sb.work, ['init', '-q', '-b', 'main', work]);
    await direct(work, ['remote', 'add', 'origin', remote]);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'first']);
    await direct(work, ['push', '-q', 'origin', 'main']);
    await direct(work, ['checkout', '-q', '-b', 'feature/login']);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'login']);
    await direct(work, ['push', '-q', 'origin', 'feature/login']);
  });

  it("refuses an agent's git push --force origin main, and the remote's main does not move", async () => {
    await direct(work, ['checkout', '-q', 'main']);
    const before = await remoteRef('main');
    await rewrite('rewritten main');
    expect(await localRef('main')).not.toBe(before);

    const result = await sb.run('git', ['push', '--force', 'origin', 'main'], { cwd: work, env: identity });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.push.force [destroy]');
    expect(result.stderr).toContain('environment  main (production): branch "main" is protected');
    expect(result.stderr).toContain(`evidence   file ${join(work, '.git/config')} remote.origin.url = ${remote}`);
    expect(result.stderr).toContain('The real git did not run.');
    expect(await remoteRef('main')).toBe(before);
  });

  it('refuses the same rewrite spelled as a +refspec from a feature branch, and main stays', async () => {
    await direct(work, ['checkout', '-q', 'main']);
    const before = await remoteRef('main');
    await direct(work, ['checkout', '-q', 'feature/login']);
    const result = await sb.run('git', ['push', 'origin', '+main'], { cwd: work, env: identity });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.push.force-refspec [destroy]');
    expect(await remoteRef('main')).toBe(before);
  });

  it('lets a force-push of the feature branch through, and the remote branch really moves', async () => {
    await direct(work, ['checkout', '-q', 'feature/login']);
    const before = await remoteRef('feature/login');
    await rewrite('rewritten login');
    const result = await sb.run('git', ['push', '--force', '-q', 'origin', 'feature/login'], { cwd: work, env: identity });
    expect(result.stderr).toBe('chaperone: git.push.force in feature/login (development): allowed\n');
    expect(result.exitCode).toBe(0);
    const after = await remoteRef('feature/login');
    expect(after).not.toBe(before);
    expect(after).toBe(await localRef('feature/login'));
  });

  it('holds reset --hard on main: the uncommitted change survives', async () => {
    await direct(work, ['checkout', '-q', 'main']);
    writeFileSync(join(work, 'notes.txt'), 'committed\n');
    await direct(work, ['add', 'notes.txt']);
    await direct(work, ['commit', '-q', '-m', 'notes']);
    writeFileSync(join(work, 'notes.txt'), 'work in progress\n');
    const result = await sb.run('git', ['reset', '--hard'], { cwd: work, env: identity });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.reset.hard [destroy]');
    expect(readFileSync(join(work, 'notes.txt'), 'utf8')).toBe('work in progress\n');
  });

  it('passes a read-only git status through, silently', async () => {
    await direct(work, ['checkout', '-q', 'main']);
    const result = await sb.run('git', ['status', '--short', '--branch'], { cwd: work, env: identity });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('## main');
  });
});
