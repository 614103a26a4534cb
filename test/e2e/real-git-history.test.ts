// Routes to lost work and history that no push shows, through the real shim and the real git: a dirty
// worktree removed with --force, branches rewritten by filter-branch and filter-repo, and reflog or
// object expiry spelled as a recent date. What the tests check is the repository afterwards (the
// worktree's file, main's commit, the reflog), and that `chaperone check` and the Claude hook give the
// same answer for the same line.
//
// Skipped with the reason printed when git is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that
// is a failure instead.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { agentLineAnswers } from '../helpers/line-checks.js';
import { toolGroup, toolProblems, which } from '../helpers/system.js';

const group = toolGroup('lost work and history through the git shim', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let work: string;
  let scratch: string;
  const identity = {
    ...gitIdentity,
    FILTER_BRANCH_SQUELCH_WARNING: '1',
  };
  const agent = { ...identity, CHAPERONE_ACTOR: 'agent' };

  /** Runs the real git directly, not through the shim. */
  const direct = directGit(() => sb, { FILTER_BRANCH_SQUELCH_WARNING: '1' });
  const ref = (cwd: string, name: string) => direct(cwd, ['rev-parse', `refs/heads/${name}`]);
  const reflog = (cwd: string, name: string) => direct(cwd, ['reflog', 'show', '--format=%H', name]);
  /** The line judged as an agent's by `chaperone check` and by the Claude hook: both must refuse, or both allow. */
  const lineAnswers = (line: string, cwd: string) => agentLineAnswers(sb, line, cwd);

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git']);
    work = join(sb.work, 'shop');
    scratch = join(sb.work, 'scratch');
    await direct(sb.work, ['init', '-q', '-b', 'main', work]);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'first']);
    await direct(work, ['checkout', '-q', '-b', 'feature/login']);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'login']);
    // Two linked worktrees with uncommitted work: one on main, one on a feature branch.
    await direct(work, ['worktree', 'add', '-q', '../shop-main', 'main']);
    await direct(work, ['worktree', 'add', '-q', '-b', 'feature/tmp', '../shop-tmp', 'main']);
    writeFileSync(join(sb.work, 'shop-main', 'wip.txt'), 'an afternoon of work\n');
    writeFileSync(join(sb.work, 'shop-tmp', 'wip.txt'), 'scratch\n');
    // A repository with only a feature branch (its history is development's), its reflog two hours old.
    await direct(sb.work, ['init', '-q', '-b', 'feature/x', scratch]);
    const old = `${Math.floor(Date.now() / 1000) - 7200} +0000`;
    for (const args of [['commit', '-q', '--allow-empty', '-m', 'one'], ['commit', '-q', '--allow-empty', '--amend', '-m', 'two']]) {
      await execa(which('git')!, args, { cwd: scratch, env: { ...sb.env, ...identity, GIT_COMMITTER_DATE: old }, extendEnv: false });
    }
    sb.double('git-filter-repo');
  });

  it.each([
    ['--force', ['worktree', 'remove', '--force', '../shop-main']],
    ['-f -f', ['worktree', 'remove', '-f', '-f', '../shop-main']],
    ['a unique suffix', ['worktree', 'remove', '--force', 'shop-main']],
  ])("refuses an agent's worktree remove %s of main's worktree, and its uncommitted file stays", async (_name, args) => {
    const result = await sb.run('git', args, { cwd: work, env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.worktree.remove-force [destroy]');
    expect(result.stderr).toContain('main (production)');
    expect(readFileSync(join(sb.work, 'shop-main', 'wip.txt'), 'utf8')).toBe('an afternoon of work\n');
    expect(await lineAnswers(`git ${args.join(' ')}`, work)).toEqual(['deny', 'deny']);
  });

  it("lets git itself refuse what a refused agent types next (remove without --force), and refuses the discard that would make it pass", async () => {
    const plain = await sb.run('git', ['worktree', 'remove', '../shop-main'], { cwd: work, env: agent });
    expect(plain.exitCode).not.toBe(0);
    expect(plain.exitCode).not.toBe(77);
    expect(plain.stderr).toContain('contains modified or untracked files');
    const clean = await sb.run('git', ['-C', '../shop-main', 'clean', '-fdx'], { cwd: work, env: agent });
    expect(clean.exitCode).toBe(77);
    expect(existsSync(join(sb.work, 'shop-main', 'wip.txt'))).toBe(true);
    expect(await lineAnswers('git -C ../shop-main clean -fdx && git worktree remove ../shop-main', work)).toEqual(['deny', 'deny']);
  });

  it("lets an agent remove a feature branch's worktree with --force (a notice), and it is gone; worktree list runs silently", async () => {
    const list = await sb.run('git', ['worktree', 'list'], { cwd: work, env: agent });
    expect(list.stderr).toBe('');
    expect(list.stdout).toContain('shop-tmp');
    const result = await sb.run('git', ['worktree', 'remove', '--force', '../shop-tmp'], { cwd: work, env: agent });
    expect(result.stderr).toBe('chaperone: git.worktree.remove-force in feature/tmp (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(sb.work, 'shop-tmp'))).toBe(false);
  });

  it.each([
    ['filter-branch --all', ['filter-branch', '-f', '--msg-filter', 'cat', '--', '--all'], 'git.history.filter-branch'],
    ['filter-branch of main by name', ['filter-branch', '-f', '--msg-filter', 'cat', 'main'], 'git.history.filter-branch'],
    ['an alias of filter-branch', ['-c', 'alias.fb=filter-branch -f', 'fb', '--msg-filter', 'cat', 'main'], 'git.history.filter-branch'],
    ['filter-repo', ['filter-repo', '--path', 'secrets.env', '--invert-paths'], 'git.history.filter-repo'],
  ])("refuses an agent's %s, and main is not rewritten", async (_name, args, rule) => {
    const before = await ref(work, 'main');
    const result = await sb.run('git', args, { cwd: work, env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [`);
    expect(await ref(work, 'main')).toBe(before);
    expect(existsSync(join(work, '.git', 'refs', 'original'))).toBe(false);
    expect(sb.record('git-filter-repo')).toBeUndefined();
  });

  it('refuses the rewriter run as itself, by path (the line analysis; no shim stands there)', async () => {
    const execPath = await direct(work, ['--exec-path']);
    expect(await lineAnswers(`${join(execPath, 'git-filter-branch')} -f --msg-filter cat -- --all`, work)).toEqual(['deny', 'deny']);
    expect(await lineAnswers('git-filter-repo --force', work)).toEqual(['deny', 'deny']);
  });

  it('lets filter-branch rewrite a feature branch (a notice), and the branch really changes; filter-repo --analyze runs', async () => {
    const before = await ref(work, 'feature/login');
    const result = await sb.run('git', ['filter-branch', '-f', '--msg-filter', 'sed s/login/LOGIN/', 'feature/login'], { cwd: work, env: agent });
    expect(result.stderr).toContain('chaperone: git.history.filter-branch in feature/login (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(await ref(work, 'feature/login')).not.toBe(before);
    expect(await direct(work, ['log', '-1', '--format=%s', 'feature/login'])).toBe('LOGIN');
    const analyze = await sb.run('git', ['filter-repo', '--analyze'], { cwd: work, env: agent });
    expect(analyze.stderr).toBe('');
    expect(sb.record('git-filter-repo')?.argv).toEqual(['--analyze']);
  });

  it.each([
    ['reflog expire --expire=1.minute.ago', ['reflog', 'expire', '--expire=1.minute.ago', '--all']],
    ['reflog expire --expire-unreachable=now --expire=2.seconds.ago', ['reflog', 'expire', '--expire-unreachable=now', '--expire=2.seconds.ago', '--all']],
    ['gc --prune=2.seconds.ago', ['gc', '-q', '--prune=2.seconds.ago']],
    ['reflog delete, entry by entry (what a refused agent types next)', ['reflog', 'delete', '--rewrite', 'main@{0}']],
    ['reflog expire to a date two days back', ['reflog', 'expire', `--expire=${new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10)}`, '--all']],
  ])("refuses an agent's %s where main is, and main's reflog stays", async (_name, args) => {
    const before = await reflog(work, 'main');
    const result = await sb.run('git', args, { cwd: work, env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.history.drop-now [deletes-recovery]');
    expect(await reflog(work, 'main')).toBe(before);
    expect(await lineAnswers(`git ${args.join(' ')}`, work)).toEqual(['deny', 'deny']);
  });

  it("lets git stash and stash drop run on main (stash's own reflog delete is not a branch's)", async () => {
    const main = join(sb.work, 'shop-main');
    writeFileSync(join(main, 'stashed.txt'), 'x\n');
    await direct(main, ['add', 'stashed.txt']);
    const stash = await sb.run('git', ['stash', '-q'], { cwd: main, env: agent });
    expect(stash.exitCode, String(stash.stderr)).toBe(0);
    const drop = await sb.run('git', ['stash', 'drop', '-q'], { cwd: main, env: agent });
    expect(drop.stderr).toBe('');
    expect(drop.exitCode).toBe(0);
    const direct_ = await sb.run('git', ['reflog', 'delete', 'refs/stash@{0}'], { cwd: main, env: agent });
    expect(direct_.stderr).not.toContain('chaperone');
  });

  it('lets an expiry of a repository with only feature branches run (a notice): its reflog really goes; a two-week expiry runs silently', async () => {
    const kept = await sb.run('git', ['reflog', 'expire', '--expire=2.weeks.ago', '--all'], { cwd: work, env: agent });
    expect(kept.stderr).toBe('');
    expect(kept.exitCode).toBe(0);
    expect((await reflog(scratch, 'feature/x')).split('\n')).toHaveLength(2);
    const result = await sb.run('git', ['reflog', 'expire', '--expire=1.minute.ago', '--expire-unreachable=1.hour.ago', '--all'], { cwd: scratch, env: agent });
    expect(result.stderr).toContain('git.history.drop-now in feature/x (development): allowed');
    expect(result.exitCode).toBe(0);
    expect(await reflog(scratch, 'feature/x')).toBe('');
  });
});
