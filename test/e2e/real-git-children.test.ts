// What git runs besides itself, through the real shim and the real git: `!` aliases (from a config file,
// `-c`, GIT_CONFIG_PARAMETERS), external commands (git-foo on PATH or in the exec-path), and the git
// commands those start, which come back through the exec-path overlay even where no line analysis saw
// them. What the tests check is the bare remote's refs afterwards.
//
// Skipped with the reason printed when git is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that
// is a failure instead.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { toolGroup, toolProblems, which } from '../helpers/system.js';

const group = toolGroup('what git starts, through the shim and its exec-path overlay', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let remote: string;
  let work: string;
  let bin: string;
  let execDir: string;
  const identity = gitIdentity;
  const agent = { ...identity, CHAPERONE_ACTOR: 'agent' };

  /** Runs the real git directly, not through the shim. */
  const direct = directGit(() => sb);
  const remoteRef = (branch: string) => direct(remote, ['rev-parse', `refs/heads/${branch}`]);
  /** Gives the current branch a last commit only a forced push can publish. */
  const rewrite = (branch: string) => direct(work, ['-c', 'core.hooksPath=/dev/null', 'commit', '--amend', '--allow-empty', '-q', '-m', `rewritten ${branch} ${Math.random()}`]);
  const script = (dir: string, name: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  };

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git']);
    remote = join(sb.root, 'remote.git');
    work = join(sb.work, 'shop');
    bin = join(sb.root, 'bin');
    execDir = join(sb.root, 'exec-path');
    await direct(sb.root, ['init', '-q', '--bare', '-b', 'main', remote]);
    await direct(sb.work, ['init', '-q', '-b', 'main', work]);
    await direct(work, ['remote', 'add', 'origin', remote]);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'first']);
    await direct(work, ['push', '-q', 'origin', 'main']);
    await direct(work, ['checkout', '-q', '-b', 'feature/login']);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'login']);
    await direct(work, ['push', '-q', 'origin', 'feature/login']);
    await direct(work, ['config', 'alias.undo', '!git reset -q --hard && git push -q --force origin main']);
    await direct(work, ['config', 'include.path', 'aliases.inc']);
    writeFileSync(join(work, '.git', 'aliases.inc'), '[alias]\n\tship = "!git push -q --force origin \\"$1\\" #"\n');
    // External commands: a shell script, one the line analysis cannot read (the command word is
    // computed), and one in Python.
    script(bin, 'git-nuke', '#!/bin/sh\ngit push -q --force origin main\n');
    script(bin, 'git-sneak', '#!/bin/sh\n$(printf gi)t push -q --force origin "${1:-main}"\n');
    if (which('python3')) script(bin, 'git-pynuke', '#!/usr/bin/env python3\nimport subprocess, sys\nsys.exit(subprocess.call(["git", "push", "-q", "--force", "origin", "main"]))\n');
    script(execDir, 'git-wipe', '#!/bin/sh\ngit push -q --force origin main\n');
  });

  beforeEach(async () => {
    await direct(work, ['checkout', '-q', 'main']);
  });

  const withBin = () => ({ PATH: `${sb.env.PATH}:${bin}` });

  it.each([
    ['a ! alias from the repository config', ['undo']],
    ['a ! alias from an included config file', ['ship', 'main']],
    ['a ! alias given with -c', ['-c', 'alias.x=!git push -q -f origin main', 'x']],
    ['a ! alias given in GIT_CONFIG_PARAMETERS', ['y']],
  ])("refuses an agent's %s that force-pushes main, and main stays", async (_how, args) => {
    const before = await remoteRef('main');
    await rewrite('main');
    const result = await sb.run('git', args, { cwd: work, env: { ...agent, GIT_CONFIG_PARAMETERS: "'alias.y'='!git push -q -f origin main'" } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toMatch(/rule {9}git\.push\.force \[destroy\] .*: git alias \w+ > git push/);
    expect(result.stderr).toContain('environment  main (production)');
    expect(await remoteRef('main')).toBe(before);
  });

  it.each([
    ['a git-foo script on PATH', ['nuke'], withBin],
    ['a git-foo script in GIT_EXEC_PATH', ['wipe'], () => ({ GIT_EXEC_PATH: execDir })],
    ['a git-foo script in --exec-path', ['--exec-path=EXEC_DIR', 'wipe'], () => ({})],
  ])("refuses an agent's external command, %s, that force-pushes main", async (_how, args, env) => {
    const fixed = args.map((a) => a.replace('EXEC_DIR', execDir));
    const before = await remoteRef('main');
    await rewrite('main');
    const result = await sb.run('git', fixed, { cwd: work, env: { ...agent, ...env() } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toMatch(/git\.push\.force \[destroy\] .*: git (nuke|wipe) \(.*git-(nuke|wipe)\) > git push/);
    expect(await remoteRef('main')).toBe(before);
  });

  it.each([
    ['a script whose git is a computed word', ['sneak'], true],
    ['a Python script', ['pynuke'], !!which('python3')],
  ])('refuses %s through the overlay, though no line analysis saw its git push', async (_how, args, runs) => {
    if (!runs) return;
    const before = await remoteRef('main');
    await rewrite('main');
    const result = await sb.run('git', args, { cwd: work, env: { ...agent, ...withBin() } });
    // The inner git is refused; the outer command exits with what its script made of that.
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('chaperone: refused: git push -q --force origin main');
    expect(await remoteRef('main')).toBe(before);
  });

  it("refuses a hook's force-push of main through the overlay, and a refused agent's GIT_EXEC_PATH back to the real one", async () => {
    const hooks = join(sb.root, 'hooks');
    script(hooks, 'post-commit', '#!/bin/sh\ngit push -q --force origin main\n');
    const before = await remoteRef('main');
    await rewrite('main');
    const hooked = await sb.run('git', ['-c', `core.hooksPath=${hooks}`, 'commit', '-q', '--allow-empty', '-m', 'hooked'], { cwd: work, env: agent });
    expect(hooked.stderr).toContain('chaperone: refused: git push -q --force origin main');
    expect(await remoteRef('main')).toBe(before);

    const realExecPath = await direct(work, ['--exec-path']);
    const escaped = await sb.run('git', ['sneak'], { cwd: work, env: { ...agent, ...withBin(), GIT_EXEC_PATH: realExecPath } });
    expect(escaped.stderr).toContain('chaperone: refused: git push -q --force origin main');
    expect(await remoteRef('main')).toBe(before);
  });

  // After `exec`, the process that runs git has git as its parent, as git's own calls do: being git's
  // child is not enough to skip the decision (src/shim/git-own-calls.ts).
  it.each([
    ['a hook that execs it', () => ['-c', `core.hooksPath=${join(sb.root, 'exec-hooks')}`, 'commit', '-q', '--allow-empty', '-m', 'exec hook']],
    ['a hook that execs it with a global option first', () => ['-c', `core.hooksPath=${join(sb.root, 'exec-hooks-c')}`, 'commit', '-q', '--allow-empty', '-m', 'exec hook -c']],
    ['an alias that execs it', () => ['-c', 'alias.z=!exec git push -q --force origin main', 'z']],
    ["stash's own reset, spoofed by a hook that execs it after a push", () => ['-c', `core.hooksPath=${join(sb.root, 'exec-hooks-spoof')}`, 'commit', '-q', '--allow-empty', '-m', 'spoof']],
  ])("refuses git that %s, though its parent is git", async (_how, args) => {
    script(join(sb.root, 'exec-hooks'), 'post-commit', '#!/bin/sh\nexec git push -q --force origin main\n');
    script(join(sb.root, 'exec-hooks-c'), 'post-commit', '#!/bin/sh\nexec git -c color.ui=never push -q --force origin main\n');
    script(join(sb.root, 'exec-hooks-spoof'), 'post-commit', '#!/bin/sh\nexec git reset --hard -q --no-recurse-submodules\n');
    writeFileSync(join(work, 'precious.txt'), 'uncommitted work\n');
    await direct(work, ['add', 'precious.txt']);
    const before = await remoteRef('main');
    await rewrite('main');
    const result = await sb.run('git', args(), { cwd: work, env: agent });
    // Refused where it is first seen: the inner call for a hook, the line itself for an alias given with -c.
    expect(result.stderr).toMatch(/chaperone: refused: git (-c color\.ui=never |-c 'alias\.z=!exec git push -q --force origin main' z)?(push -q --force origin main|reset --hard -q --no-recurse-submodules)?/);
    expect(await remoteRef('main')).toBe(before);
    // The spoofed reset did not run either: the staged file is still there.
    expect(readFileSync(join(work, 'precious.txt'), 'utf8')).toBe('uncommitted work\n');
    await direct(work, ['reset', '-q', 'precious.txt']);
    rmSync(join(work, 'precious.txt'));
  });

  it.each([
    ['send-pack --force', (remote: string) => ['send-pack', '--force', remote, 'main']],
    ['send-pack +ref', (remote: string) => ['send-pack', remote, '+main']],
    ['send-pack from a hook that execs it', (remote: string) => ['-c', `core.hooksPath=${join(sb.root, 'send-pack-hooks')}`, '-c', `x.remote=${remote}`, 'commit', '-q', '--allow-empty', '-m', 'send']],
  ])("refuses an agent's force-push by push's plumbing, %s, and main stays", async (_how, args) => {
    script(join(sb.root, 'send-pack-hooks'), 'post-commit', '#!/bin/sh\nexec git send-pack --force "$(git config x.remote)" main\n');
    const before = await remoteRef('main');
    await rewrite('main');
    const result = await sb.run('git', args(remote), { cwd: work, env: agent });
    expect(result.stderr).toMatch(/git\.push\.force(-refspec)? \[destroy\]/);
    expect(await remoteRef('main')).toBe(before);
  });

  it("refuses an agent's dropping of history now (reflog expire, gc --prune=now, prune, update-ref -d), and the reflog and main stay; plain gc runs", async () => {
    const reflog = () => direct(work, ['reflog', 'show', '--format=%H', 'main']);
    const before = await reflog();
    expect(before).not.toBe('');
    for (const args of [['reflog', 'expire', '--expire=now', '--all'], ['gc', '--prune=now', '-q'], ['prune'], ['update-ref', '-d', 'refs/heads/main']]) {
      const result = await sb.run('git', args, { cwd: work, env: agent });
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toMatch(/git\.(history\.drop-now|update-ref\.delete)/);
    }
    expect(await reflog()).toBe(before);
    expect(await direct(work, ['rev-parse', '--verify', '-q', 'refs/heads/main'])).not.toBe('');
    // What a refused agent types next: the same expiry from the configuration, on disk or with -c.
    await direct(work, ['config', 'gc.pruneExpire', 'now']);
    try {
      for (const args of [['gc', '-q'], ['-c', 'gc.reflogExpire=now', '-c', 'gc.reflogExpireUnreachable=now', 'reflog', 'expire', '--all']]) {
        const result = await sb.run('git', args, { cwd: work, env: agent });
        expect(result.exitCode, args.join(' ')).toBe(77);
        expect(result.stderr).toContain('git.history.drop-now');
      }
    } finally {
      await direct(work, ['config', '--unset', 'gc.pruneExpire']);
    }
    expect(await reflog()).toBe(before);
    // git's own maintenance, reflog expiry and prune after two weeks included, still runs for the agent.
    const gc = await sb.run('git', ['gc', '-q'], { cwd: work, env: agent });
    expect(gc.exitCode, String(gc.stderr)).toBe(0);
    expect(await reflog()).toBe(before);
  });

  it("keeps the overlay on a call the shim's fast path runs without Node: a plain `git commit`'s hook", async () => {
    const hook = join(work, '.git', 'hooks', 'post-commit');
    script(join(work, '.git', 'hooks'), 'post-commit', '#!/bin/sh\necho "hook sees $GIT_EXEC_PATH" >&2\ngit push -q --force origin main\n');
    try {
      const before = await remoteRef('main');
      await rewrite('main');
      const result = await sb.run('git', ['commit', '-q', '--allow-empty', '-m', 'fast'], { cwd: work, env: agent });
      expect(result.stderr).toContain(`hook sees ${join(sb.shims, '.git-exec-path')}`);
      expect(result.stderr).toContain('chaperone: refused: git push -q --force origin main');
      expect(await remoteRef('main')).toBe(before);
      // A GIT_EXEC_PATH of the caller's own goes the slow way, and is wrapped there.
      const own = await sb.run('git', ['commit', '-q', '--allow-empty', '-m', 'own'], { cwd: work, env: { ...agent, GIT_EXEC_PATH: await direct(work, ['--exec-path']) } });
      expect(own.stderr).toContain('chaperone: refused: git push -q --force origin main');
      expect(await remoteRef('main')).toBe(before);
    } finally {
      rmSync(hook);
    }
  });

  it("refuses an agent's --exec-path back to the real one on a protected branch: the overlay would not apply", async () => {
    const realExecPath = await direct(work, ['--exec-path']);
    const head = await direct(work, ['rev-parse', 'HEAD']);
    const result = await sb.run('git', [`--exec-path=${realExecPath}`, 'commit', '-q', '--allow-empty', '-m', 'escape'], { cwd: work, env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.exec-path [disrupt]');
    expect(await direct(work, ['rev-parse', 'HEAD'])).toBe(head);
    await direct(work, ['checkout', '-q', 'feature/login']);
    const allowed = await sb.run('git', [`--exec-path=${realExecPath}`, 'status', '--short'], { cwd: work, env: agent });
    expect(allowed.stderr).toBe('chaperone: git.exec-path in feature/login (development): allowed\n');
    expect(allowed.exitCode).toBe(0);
  });

  it('lets the same routes force-push an unprotected branch, and the remote branch moves', async () => {
    await direct(work, ['checkout', '-q', 'feature/login']);
    for (const args of [['ship', 'feature/login'], ['-c', 'alias.x=!git push -q -f origin feature/login', 'x'], ['sneak', 'feature/login']]) {
      const before = await remoteRef('feature/login');
      await rewrite('feature/login');
      const result = await sb.run('git', args, { cwd: work, env: { ...agent, ...withBin() } });
      expect(result.stderr).toContain('chaperone: git.push.force in feature/login (development): allowed');
      expect(result.exitCode).toBe(0);
      expect(await remoteRef('feature/login')).not.toBe(before);
    }
  });

  it('runs a benign ! alias untouched, and its git sees the overlay as its exec-path', async () => {
    const result = await sb.run('git', ['-c', 'alias.last=!git log -1 --format=%s && git --exec-path && echo "$GIT_EXEC_PATH"', 'last'], { cwd: work, env: agent });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const [subject, execPath, variable] = String(result.stdout).trim().split('\n');
    expect(subject).toBe(await direct(work, ['log', '-1', '--format=%s']));
    expect(execPath).toBe(variable);
    expect(execPath.startsWith(join(sb.shims, '.git-exec-path'))).toBe(true);
    // A symlink to each entry of the real exec-path; git itself a shim.
    const real = await direct(work, ['--exec-path']);
    expect(readdirSync(execPath).filter((e) => !e.startsWith('.')).sort()).toEqual(readdirSync(real).sort());
    expect(readFileSync(join(execPath, 'git'), 'utf8')).toContain('# chaperone-shim');
  });

  it("wraps a user's own GIT_EXEC_PATH in an overlay of that directory", async () => {
    const result = await sb.run('git', ['-c', 'alias.where=!echo "$GIT_EXEC_PATH"', 'where'], { cwd: work, env: { ...agent, GIT_EXEC_PATH: execDir } });
    expect(result.exitCode).toBe(0);
    const overlay = String(result.stdout).trim();
    expect(overlay.startsWith(join(sb.shims, '.git-exec-path'))).toBe(true);
    expect(existsSync(join(overlay, 'git-wipe'))).toBe(true);
    expect(JSON.parse(readFileSync(join(overlay, '.chaperone-overlay.json'), 'utf8')).execPath).toBe(execDir);
  });

  it("does not break git's own workflows on a protected branch, as an agent: commit, stash, fetch, push, submodule, help", async () => {
    const run = async (args: string[]) => {
      const result = await sb.run('git', args, { cwd: work, env: agent });
      expect(result.stderr, `git ${args.join(' ')}`).not.toContain('chaperone');
      expect(result.exitCode, `git ${args.join(' ')}: ${result.stderr}`).toBe(0);
      return String(result.stdout);
    };
    await direct(work, ['reset', '-q', '--hard', 'origin/main']);
    writeFileSync(join(work, 'notes.txt'), 'one\n');
    await run(['add', 'notes.txt']);
    await run(['commit', '-q', '-m', 'notes']);
    writeFileSync(join(work, 'notes.txt'), 'two\n');
    await run(['stash', '-q']); // runs `git reset --hard -q` itself
    expect(readFileSync(join(work, 'notes.txt'), 'utf8')).toBe('one\n');
    await run(['stash', 'pop', '-q']);
    await run(['commit', '-q', '-am', 'two']);
    await run(['push', '-q', 'origin', 'main']);
    expect(await remoteRef('main')).toBe(await direct(work, ['rev-parse', 'HEAD']));
    await run(['fetch', '-q', 'origin']);
    await run(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', remote, 'vendor/shop']);
    await run(['commit', '-q', '-m', 'submodule']);
    expect(await run(['submodule', 'status'])).toContain('vendor/shop');
    expect(await run(['help', '-a'])).toContain('rev-parse');
    await run(['rm', '-q', '-r', '--cached', 'vendor/shop']);
    await direct(work, ['reset', '-q', '--hard', 'origin/main']);
  });
});
