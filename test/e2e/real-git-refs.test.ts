// Routes around git's porcelain that an earlier red team took, through the built CLI, the real shims
// and the real git: a protected branch set back by plumbing (commit-tree + update-ref, branch -f, reset
// --soft), git-filter-branch run as a shell script instead of through git, aliases from the system
// config (GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM), includeIf gitdir: evaluated against GIT_DIR and
// --git-dir, and `rm -rf` of a worktree or of .git. What the tests check is the repository afterwards
// (main's commit, the remote's main, the worktree's file), and that `chaperone check` and the Claude
// hook give the same answer for the same line.
//
// Skipped with the reason printed when git is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that
// is a failure instead.

import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { agentLineAnswers, checkLine } from '../helpers/line-checks.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

const group = toolGroup('git routes around the porcelain, through the shim', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let work: string;
  let remote: string;
  let execPath: string;
  const identity = { ...gitIdentity, FILTER_BRANCH_SQUELCH_WARNING: '1' };
  const agent = { ...identity, CHAPERONE_ACTOR: 'agent' };
  const direct = directGit(() => sb, { FILTER_BRANCH_SQUELCH_WARNING: '1' });
  const ref = (name: string) => direct(work, ['rev-parse', `refs/heads/${name}`]);
  const lineAnswers = (line: string, cwd = work) => agentLineAnswers(sb, line, cwd);

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git']);
    work = join(sb.work, 'shop');
    remote = join(sb.root, 'remote.git');
    await direct(sb.root, ['init', '-q', '--bare', '-b', 'main', remote]);
    await direct(sb.work, ['init', '-q', '-b', 'main', work]);
    await direct(work, ['remote', 'add', 'origin', remote]);
    for (const n of ['one', 'two', 'three']) {
      writeFileSync(join(work, 'a.txt'), `${n}\n`);
      await direct(work, ['add', 'a.txt']);
      await direct(work, ['commit', '-q', '-m', n]);
    }
    await direct(work, ['push', '-q', 'origin', 'main']);
    await direct(work, ['branch', 'feature/x']);
    execPath = await direct(work, ['--exec-path']);
  });

  describe('a protected branch set back by plumbing is judged like a forced reset', () => {
    it.each([
      ['commit-tree + update-ref', (orphan: string) => ['update-ref', 'refs/heads/main', orphan]],
      ['update-ref HEAD', () => ['update-ref', '-m', 'undo', 'HEAD', 'main~1']],
      ['reset --soft', () => ['reset', '--soft', 'HEAD~1']],
      ['checkout -B', () => ['checkout', '-B', 'main', 'main~2']],
    ])("refuses an agent's %s of main, and main stays", async (_name, args) => {
      const orphan = await direct(work, ['commit-tree', '-m', 'orphan', 'HEAD^{tree}']);
      const before = await ref('main');
      const result = await sb.run('git', args(orphan), { cwd: work, env: agent });
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('git.ref.rewind [disrupt]');
      expect(result.stderr).toContain('main (production)');
      expect(result.stderr).toContain('not a fast-forward');
      expect(await ref('main')).toBe(before);
      expect(await lineAnswers(`git ${args(orphan).join(' ')}`)).toEqual(['deny', 'deny']);
    });

    it("refuses branch -f of main from another branch, the refused agent's next step after update-ref", async () => {
      await direct(work, ['checkout', '-q', 'feature/x']);
      try {
        const before = await ref('main');
        const result = await sb.run('git', ['branch', '-f', 'main', 'main~1'], { cwd: work, env: agent });
        expect(result.exitCode).toBe(77);
        expect(result.stderr).toContain('git.ref.rewind [disrupt]');
        expect(await ref('main')).toBe(before);
        await direct(work, ['branch', '-f', 'feature/old', 'main~2']);
        expect(await lineAnswers('git symbolic-ref refs/heads/main refs/heads/feature/old')).toEqual(['deny', 'deny']);
        expect(await lineAnswers('bash -c "git update-ref refs/heads/main main~1"')).toEqual(['deny', 'deny']);
      } finally {
        await direct(work, ['checkout', '-q', 'main']);
      }
    });

    it('lets a fast-forward of main run silently, and a feature branch set back run with a notice; both really move', async () => {
      const ahead = await direct(work, ['commit-tree', '-p', 'main', '-m', 'ahead', 'HEAD^{tree}']);
      await direct(work, ['branch', '-f', 'feature/ff', 'main']);
      const ff = await sb.run('git', ['update-ref', 'refs/heads/feature/ff', ahead], { cwd: work, env: agent });
      expect(ff.stderr).toBe('');
      expect(ff.exitCode).toBe(0);
      expect(await ref('feature/ff')).toBe(ahead);
      const back = await sb.run('git', ['branch', '-f', 'feature/x', 'main~2'], { cwd: work, env: agent });
      expect(back.stderr).toBe('chaperone: git.ref.rewind in feature/x (development): allowed\n');
      expect(back.exitCode).toBe(0);
      expect(await ref('feature/x')).toBe(await ref('main~2'));
      const created = await sb.run('git', ['update-ref', 'refs/heads/feature/new', 'main~1'], { cwd: work, env: agent });
      expect(created.stderr).toBe('');
      expect(await ref('feature/new')).toBe(await ref('main~1'));
    });
  });

  describe("git-filter-branch run by a shell, not by git", () => {
    it.each([
      ['sh "$(git --exec-path)/git-filter-branch"', 'sh "$(git --exec-path)/git-filter-branch" -f --msg-filter cat main'],
      ['bash on its path', (e: string) => `bash ${e}/git-filter-branch -f --msg-filter cat -- --all`],
      ['dash through env', (e: string) => `env dash ${e}/git-filter-branch -f --msg-filter cat main`],
      ['sourced', (e: string) => `. ${e}/git-filter-branch`],
      ['sourced in sh -c', (e: string) => `sh -c '. ${e}/git-filter-branch' sh -f --msg-filter cat main`],
      ['a copy the line makes', (e: string) => `cp ${e}/git-filter-branch ../fb-copy && sh ../fb-copy main`],
      ['a symlink, run by path', (e: string) => `ln -sf ${e}/git-filter-branch ./fb && ./fb main`],
      ['its dashed name on PATH', 'PATH="$(git --exec-path):$PATH" git-filter-branch -f main'],
    ])('refuses an agent running it as %s (the line analysis judges git filter-branch)', async (_name, line) => {
      const text = typeof line === 'string' ? line : line(execPath);
      expect(await lineAnswers(text)).toEqual(['deny', 'deny']);
      expect(JSON.stringify(await checkLine(sb, text, work))).toContain('git.history.filter-branch');
    });

    it("judges a copy elsewhere by its bytes, and lets a feature branch's rewrite through it run (a notice)", async () => {
      const copy = join(sb.root, 'tools', 'rewrite');
      mkdirSync(join(sb.root, 'tools'), { recursive: true });
      writeFileSync(copy, readFileSync(join(execPath, 'git-filter-branch')));
      expect(await lineAnswers(`sh ${copy} -f --msg-filter cat main`)).toEqual(['deny', 'deny']);
      const dev = await checkLine<{ decision: string; commands: { argv: string[]; findings: { rule: string }[] }[] }>(sb, `sh ${copy} -f --msg-filter cat feature/x`, work);
      expect(dev.decision).toBe('allow');
      expect(dev.commands.flatMap((c) => c.findings.map((f) => f.rule))).toEqual(['git.history.filter-branch']);
    });

    it('leaves main where it was when an agent runs the script through the shims with no hook (its own update-ref is refused)', async () => {
      const before = await ref('main');
      const result = await sb.sh('E="$(git --exec-path)"; PATH="$E:$PATH" sh "$E/git-filter-branch" -f --msg-filter "cat; echo x" main', { cwd: work, env: agent });
      expect(result.exitCode).not.toBe(0);
      expect(await ref('main')).toBe(before);
      const edited = join(sb.root, 'tools', 'edited');
      writeFileSync(edited, readFileSync(join(execPath, 'git-filter-branch'), 'utf8').replace('# if you run', '# If you run'));
      const again = await sb.sh(`E="$(git --exec-path)"; PATH="$E:$PATH" sh ${edited} -f --msg-filter "cat; echo y" main`, { cwd: work, env: agent });
      expect(again.exitCode).not.toBe(0);
      expect(await ref('main')).toBe(before);
      // An edited copy is not git's script: read as the shell script it is, its evals are unknown code.
      expect(await lineAnswers(`sh ${edited} -f --msg-filter cat feature/x`)).toEqual(['deny', 'deny']);
    });

    it("lets the script rewrite a feature branch through the shims (each update-ref a notice), and the branch changes", async () => {
      await direct(work, ['checkout', '-q', 'feature/x']);
      try {
        const before = await ref('feature/x');
        const result = await sb.sh('E="$(git --exec-path)"; PATH="$E:$PATH" sh "$E/git-filter-branch" -f --msg-filter "sed s/one/ONE/" feature/x', { cwd: work, env: agent });
        expect(result.exitCode, String(result.stderr)).toBe(0);
        expect(await ref('feature/x')).not.toBe(before);
        expect(await ref('main')).toBe(await direct(remote, ['rev-parse', 'refs/heads/main']));
      } finally {
        await direct(work, ['checkout', '-q', 'main']);
      }
    });
  });

  describe('aliases from the system config', () => {
    const ship = '[alias]\n\tship = push -q --force origin main\n';
    let system: string;
    let includer: string;
    const agentWith = (extra: Record<string, string>) => {
      const { GIT_CONFIG_NOSYSTEM: _, ...rest } = agent;
      return { ...rest, ...extra };
    };
    beforeAll(async () => {
      system = sb.write('etc/gitconfig', ship);
      includer = sb.write('etc/including', `[include]\n\tpath = ${system}\n`);
      await direct(work, ['commit', '-q', '--allow-empty', '-m', 'unpushed']);
    });

    it.each([
      ['GIT_CONFIG_SYSTEM', () => ({ GIT_CONFIG_SYSTEM: system })],
      ['GIT_CONFIG_SYSTEM with GIT_CONFIG_NOSYSTEM=0 (git reads it as false)', () => ({ GIT_CONFIG_SYSTEM: system, GIT_CONFIG_NOSYSTEM: '0' })],
      ['GIT_CONFIG_SYSTEM with GIT_CONFIG_NOSYSTEM=false', () => ({ GIT_CONFIG_SYSTEM: system, GIT_CONFIG_NOSYSTEM: 'false' })],
      ['an [include] in the system file', () => ({ GIT_CONFIG_SYSTEM: includer })],
    ])("refuses an agent's alias from %s that force-pushes main, and the remote's main stays", async (_name, extra) => {
      const before = await direct(remote, ['rev-parse', 'refs/heads/main']);
      const result = await sb.run('git', ['ship'], { cwd: work, env: agentWith(extra()) });
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('git.push.force [destroy]');
      expect(result.stderr).toContain('alias.ship = push -q --force origin main');
      expect(await direct(remote, ['rev-parse', 'refs/heads/main'])).toBe(before);
      const assignments = Object.entries(extra()).map(([k, v]) => `${k}=${v}`).join(' ');
      expect(await lineAnswers(`${assignments} git ship`)).toEqual(['deny', 'deny']);
    });

    it('reads no system file where git reads none (GIT_CONFIG_NOSYSTEM=1, an empty GIT_CONFIG_SYSTEM): git says ship is no command', async () => {
      for (const extra of [{ GIT_CONFIG_SYSTEM: system, GIT_CONFIG_NOSYSTEM: "1" }, { GIT_CONFIG_SYSTEM: "" }] as Record<string, string>[]) {
        const result = await sb.run('git', ['ship'], { cwd: work, env: agentWith(extra) });
        expect(result.exitCode).not.toBe(77);
        expect(result.stderr).toContain("'ship' is not a git command");
      }
    });

    it('refuses the next step, writing the alias into a system file of its own and using it: the shim reads the file when git go runs', async () => {
      const mine = join(sb.root, 'etc', 'mine');
      const before = await direct(remote, ['rev-parse', 'refs/heads/main']);
      const result = await sb.sh(`GIT_CONFIG_SYSTEM=${mine} git config --system alias.go 'push -q --force origin main' && GIT_CONFIG_SYSTEM=${mine} git go`, { cwd: work, env: agentWith({}) });
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('alias.go = push -q --force origin main');
      expect(readFileSync(mine, 'utf8')).toContain('push -q --force origin main');
      expect(await direct(remote, ['rev-parse', 'refs/heads/main'])).toBe(before);
    });
  });

  describe('includeIf gitdir: in the global config, against the repository GIT_DIR, --git-dir or -C names', () => {
    beforeAll(async () => {
      sb.write('inc/ship', '[alias]\n\tyolo = push -q --force origin main\n');
      writeFileSync(join(sb.home, '.gitconfig'), `[includeIf "gitdir:${work}/.git"]\n\tpath = ${join(sb.root, 'inc', 'ship')}\n`);
      mkdirSync(join(sb.home, '.config', 'git'), { recursive: true });
      writeFileSync(join(sb.home, '.config', 'git', 'config'), `[includeIf "onbranch:main"]\n\tpath = ${join(sb.root, 'inc', 'onmain')}\n`);
      sb.write('inc/onmain', '[alias]\n\tflatten = push -q --force origin main\n');
    });

    it.each([
      ['GIT_DIR', ['yolo'], { GIT_DIR: '' }],
      ['--git-dir', ['--git-dir=WORK/.git', 'yolo'], {}],
      ['-C', ['-C', 'WORK', 'yolo'], {}],
      ['GIT_DIR, onbranch: from the XDG config', ['flatten'], { GIT_DIR: '' }],
    ])('refuses an agent in another directory naming the repository by %s, and the remote main stays', async (_name, args, extra) => {
      const before = await direct(remote, ['rev-parse', 'refs/heads/main']);
      const env: Record<string, string> = { ...agent, ...Object.fromEntries(Object.keys(extra).map((k) => [k, `${work}/.git`])) };
      const argv = (args as string[]).map((a) => a.replace('WORK', work));
      const result = await sb.run('git', argv, { cwd: sb.root, env });
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('git.push.force [destroy]');
      expect(await direct(remote, ['rev-parse', 'refs/heads/main'])).toBe(before);
      const assignments = Object.keys(extra).map((k) => `${k}=${work}/.git `).join('');
      expect(await lineAnswers(`${assignments}git ${argv.join(' ')}`, sb.root)).toEqual(['deny', 'deny']);
      expect(await lineAnswers(`cd / && ${assignments}bash -c 'git ${argv.join(' ')}'`, sb.root)).toEqual(['deny', 'deny']);
    });

    it('includes nothing for another repository: there yolo is no command', async () => {
      const other = join(sb.work, 'other');
      await direct(sb.work, ['init', '-q', '-b', 'main', other]);
      const result = await sb.run('git', ['yolo'], { cwd: sb.root, env: { ...agent, GIT_DIR: join(other, '.git') } });
      expect(result.exitCode).not.toBe(77);
      expect(result.stderr).toContain("'yolo' is not a git command");
    });
  });

  describe('rm -rf of a worktree or of .git, judged as the git command it equals', () => {
    beforeAll(async () => {
      await direct(work, ['worktree', 'add', '-q', '../shop-main', 'main~1']);
      await direct(join(sb.work, 'shop-main'), ['checkout', '-q', '-b', 'release/1']);
      await direct(work, ['worktree', 'add', '-q', '-b', 'feature/tmp', '../shop-tmp', 'main']);
      writeFileSync(join(sb.work, 'shop-main', 'wip.txt'), 'an afternoon of work\n');
    });

    it.each([
      'rm -rf shop-main',
      'rm -r -f shop-main/',
      '/bin/rm -fr ./shop-main',
      "bash -c 'cd shop-main && rm -rf ../shop-main'",
      'command rm --recursive --force shop-main',
    ])("refuses an agent's %s (a release branch's worktree, like worktree remove --force)", async (line) => {
      expect(await lineAnswers(line, sb.work)).toEqual(['deny', 'deny']);
      expect(JSON.stringify(await checkLine(sb, line, sb.work))).toContain('git.worktree.remove-force');
      expect(existsSync(join(sb.work, 'shop-main', 'wip.txt'))).toBe(true);
    });

    it("refuses rm -rf of the repository's .git or of the worktree holding it (every branch goes), and lets a feature worktree's rm run (a notice)", async () => {
      for (const line of ['rm -rf shop/.git', 'rm -rf shop', 'cd shop && rm -rf .git']) {
        expect(await lineAnswers(line, sb.work)).toEqual(['deny', 'deny']);
        expect(JSON.stringify(await checkLine(sb, line, sb.work))).toContain('git.branch.force-delete');
      }
      const dev = await checkLine<{ decision: string; commands: { findings: { rule: string }[] }[] }>(sb, 'rm -rf shop-tmp', sb.work);
      expect(dev.decision).toBe('allow');
      expect(dev.commands.flatMap((c) => c.findings.map((f) => f.rule))).toEqual(['git.worktree.remove-force']);
      expect(await lineAnswers('rm -rf shop/build shop-main/node_modules', sb.work)).toEqual(['allow', 'allow']);
      expect(await lineAnswers('rm shop-main/wip.txt', sb.work)).toEqual(['allow', 'allow']);
    });
  });
});
