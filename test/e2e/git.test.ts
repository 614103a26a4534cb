// git through the real shim, with a recording double standing in for git. The repository's files are
// written by hand: the shim reads .git/HEAD and .git/config, never the real git.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['git']);
  sb.double('git', { stdout: 'pushed\n' });
  sb.write('work/.git/config', '[remote "origin"]\n\turl = git@github.com:acme/shop.git\n[branch "feature/login"]\n\tremote = origin\n');
  mkdirSync(join(sb.work, '.git', 'objects'), { recursive: true });
});
const onBranch = (branch: string) => sb.write('work/.git/HEAD', `ref: refs/heads/${branch}\n`);

describe('git through the shim, with no terminal (an agent)', () => {
  it('refuses a force-push to main, naming the rule, the protected branch and the remote', async () => {
    onBranch('feature/login');
    const result = await sb.run('git', ['push', '--force', 'origin', 'main']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: git push --force origin main');
    expect(result.stderr).toContain('git.push.force [destroy]');
    expect(result.stderr).toContain('environment  main (production): branch "main" is protected ("main" in protected-branches)');
    expect(result.stderr).toContain('evidence   argument refspec: main: force-updates branch main');
    expect(result.stderr).toContain('evidence   argument repository: origin');
    expect(result.stderr).toContain(`evidence   file ${join(sb.work, '.git/config')} remote.origin.url = git@github.com:acme/shop.git`);
    expect(sb.record('git')).toBeUndefined();
  });

  it('runs a force-push of a feature branch, with a one-line notice, argv untouched', async () => {
    onBranch('feature/login');
    const result = await sb.run('git', ['push', '-f']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('pushed\n');
    expect(result.stderr).toBe('chaperone: git.push.force in feature/login (development): allowed\n');
    expect(sb.record('git')?.argv).toEqual(['push', '-f']);
  });

  it('refuses a +refspec or :refspec on a release branch, whatever the current branch', async () => {
    onBranch('feature/login');
    for (const [args, rule] of [
      [['push', 'origin', '+HEAD:release/2.0'], 'git.push.force-refspec'],
      [['push', 'origin', ':release/2.0'], 'git.push.delete-refspec'],
    ] as const) {
      const result = await sb.run('git', [...args]);
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain(`${rule} [destroy]`);
      expect(result.stderr).toContain('branch "release/2.0" is protected ("release/*" in protected-branches)');
    }
    expect(sb.record('git')).toBeUndefined();
  });

  it('expands an alias given with -c before reading it, and follows -C to the repository', async () => {
    onBranch('main');
    mkdirSync(join(sb.root, 'elsewhere'));
    const result = await sb.run('git', ['-C', '../work', '-c', 'alias.yolo=push --force', 'yolo'], { cwd: join(sb.root, 'elsewhere') });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.push.force [destroy] force-pushes, replacing the remote branch; commits only the remote had are lost: git push --force (alias.yolo = push --force)');
    expect(result.stderr).toContain('environment  main (production)');
    expect(sb.record('git')).toBeUndefined();
  });

  it('holds reset --hard on main, and lets it run on a feature branch', async () => {
    onBranch('main');
    const refused = await sb.run('git', ['reset', '--hard']);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('git.reset.hard [destroy]');
    expect(refused.stderr).toContain(`evidence   file ${join(sb.work, '.git/HEAD')} HEAD = ref: refs/heads/main`);
    expect(sb.record('git')).toBeUndefined();

    onBranch('feature/login');
    const allowed = await sb.run('git', ['clean', '-fdx']);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toBe('chaperone: git.clean.force in feature/login (development): allowed\n');
    expect(sb.record('git')?.argv).toEqual(['clean', '-fdx']);
  });

  it('passes read-only and dry-run commands on main through untouched, with nothing on stderr', async () => {
    onBranch('main');
    for (const args of [['status'], ['log', '--oneline', '-5'], ['push', '--force', '--dry-run', 'origin', 'main'], ['push', '--force', '-h'], ['clean', '-n', '-fdx']]) {
      const result = await sb.run('git', args);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(sb.record('git')?.argv).toEqual(args);
    }
  });
});
