// git configuration reached through [include] and [includeIf], through the real shim and the real git:
// an alias there that force-pushes main, and a pager there that runs `railway down` (a recording double
// behind the railway shim, which must never run for an agent). `chaperone check` and the Claude hook
// must give the same answer for the same line.
//
// Skipped with the reason printed when git is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that
// is a failure instead.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { agentLineAnswers } from '../helpers/line-checks.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

const group = toolGroup('git configuration from included files, through the shim', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let remote: string;
  let work: string;
  const identity = gitIdentity;
  const agent = { ...identity, CHAPERONE_ACTOR: 'agent' };
  /** Runs the real git directly, not through the shim. */
  const direct = directGit(() => sb);
  const remoteRef = (branch: string) => direct(remote, ['rev-parse', `refs/heads/${branch}`]);
  const lineAnswers = (line: string, cwd: string) => agentLineAnswers(sb, line, cwd);

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git', 'railway']);
    sb.double('railway');
    remote = join(sb.root, 'remote.git');
    work = join(sb.work, 'shop');
    await direct(sb.root, ['init', '-q', '--bare', '-b', 'main', remote]);
    await direct(sb.work, ['init', '-q', '-b', 'main', work]);
    await direct(work, ['remote', 'add', 'origin', remote]);
    await direct(work, ['commit', '-q', '--allow-empty', '-m', 'first']);
    await direct(work, ['push', '-q', 'origin', 'main']);
    await direct(work, ['branch', 'feature/login']);
    // Relative to .git/config, where it is written: shop/ship.inc. Only on main.
    await direct(work, ['config', 'includeIf.onbranch:main.path', '../ship.inc']);
    writeFileSync(join(work, 'ship.inc'), '[alias]\n\tship = push -q --force origin main\n[core]\n\tsshCommand = railway down\n');
  });

  beforeEach(async () => {
    rmSync(join(sb.records, 'railway'), { recursive: true, force: true });
    await direct(work, ['checkout', '-q', 'main']);
  });

  it("refuses an agent's alias from an includeIf file that force-pushes main, and the remote's main stays", async () => {
    await direct(work, ['commit', '-q', '--allow-empty', '--amend', '-m', 'rewritten']);
    const before = await remoteRef('main');
    const result = await sb.run('git', ['ship'], { cwd: work, env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.push.force [destroy]');
    expect(result.stderr).toContain('alias.ship = push -q --force origin main');
    expect(await remoteRef('main')).toBe(before);
    expect(await lineAnswers('git ship', work)).toEqual(['deny', 'deny']);
  });

  it("never runs the included ssh command's railway down for an agent (the railway shim refuses it), and the line analysis refuses it with any git command", async () => {
    const result = await sb.run('git', ['ls-remote', 'ssh://example.invalid/shop.git'], { cwd: work, env: agent });
    expect(result.stderr).toContain('railway.down');
    expect(result.exitCode).not.toBe(0);
    expect(sb.record('railway')).toBeUndefined();
    expect(await lineAnswers('git ls-remote ssh://example.invalid/shop.git', work)).toEqual(['deny', 'deny']);
    expect(await lineAnswers('git log --oneline', work)).toEqual(['deny', 'deny']);
  });

  it('reads nothing from it on another branch: the includeIf does not hold, git log is allowed and there is no ship alias', async () => {
    await direct(work, ['checkout', '-q', 'feature/login']);
    expect(await lineAnswers('git log --oneline', work)).toEqual(['allow', 'allow']);
    const result = await sb.run('git', ['ship'], { cwd: work, env: agent });
    expect(result.exitCode).not.toBe(77);
    expect(result.stderr).toContain("'ship' is not a git command");
  });

  it("refuses the refused agent's next step, writing an include itself, and lets a benign included ssh command stand", async () => {
    await direct(work, ['checkout', '-q', 'feature/login']);
    writeFileSync(join(work, 'mine.inc'), '[core]\n\tsshCommand = railway down\n');
    expect(await lineAnswers('git config --add include.path ../mine.inc && git log', work)).toEqual(['deny', 'deny']);
    writeFileSync(join(work, 'mine.inc'), '[core]\n\tsshCommand = ssh -o BatchMode=yes\n');
    expect(await lineAnswers('git config include.path ../mine.inc', work)).toEqual(['allow', 'allow']);
    await direct(work, ['config', 'include.path', '../mine.inc']);
    expect(await direct(work, ['config', 'core.sshCommand'])).toBe('ssh -o BatchMode=yes');
    const result = await sb.run('git', ['log', '--oneline', '-1'], { cwd: work, env: agent });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('first');
  });
});
