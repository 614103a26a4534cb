// `chaperone check --command`, black-box, on lines that run a covered tool under another name: a copy
// or a link of the real git made in the line or before it, git's dashed commands, a PATH that drops the
// shims. The copies are of this machine's real git, so the identity is checked against real bytes.

import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, toolProblems, which } from '../helpers/system.js';

const group = toolGroup('check --command: a covered tool under another name', await toolProblems([['git', ['--version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let repo: string;

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['git', 'psql']);
    repo = join(sb.work, 'shop');
    mkdirSync(join(repo, '.git', 'objects'), { recursive: true });
    mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'config'), '[remote "origin"]\n\turl = git@github.com:acme/shop.git\n');
    mkdirSync(join(repo, 'bin'));
    copyFileSync(which('git')!, join(repo, 'bin', 'gg'));
    chmodSync(join(repo, 'bin', 'gg'), 0o755);
  });

  const check = async (line: string) => {
    const result = await sb.chaperone(['check', '--json', '--actor', 'agent', '--command', line], { cwd: repo });
    const json = JSON.parse(String(result.stdout));
    const commands: { tool: string; decision: string; via?: string[]; findings: { rule: string }[] }[] = json.commands ?? [json];
    return { exitCode: result.exitCode, decision: json.decision as string, commands };
  };

  it.each([
    ['cp "$(command -v git)" ./g && ./g push --force origin main', './g is git'],
    ['ln -s "$(which git)" /tmp/chaperone-g; /tmp/chaperone-g push -f origin main', '/tmp/chaperone-g is git'],
    ['./bin/gg push --force origin main', './bin/gg is git'],
    ['PATH=./bin:$PATH gg push --force origin main', 'gg is git'],
    ['bash -c "./bin/gg push -f origin main"', './bin/gg is git'],
  ])("refuses an agent's %s", async (line, seen) => {
    const { exitCode, decision, commands } = await check(line);
    expect(exitCode).toBe(77);
    expect(decision).toBe('deny');
    const git = commands.find((c) => c.tool === 'git')!;
    expect(git.findings.map((f) => f.rule)).toContain('git.push.force');
    expect(git.via?.at(-1)).toBe(seen);
  });

  it.each([
    ['PATH=/usr/bin git push -f origin main'],
    ['env -i PATH=/usr/bin git push -f origin main'],
    [`${which('git')} push -f origin main`],
  ])('refuses %s: a PATH without the shims, or an absolute path, is still git', async (line) => {
    const { exitCode } = await check(line);
    expect(exitCode).toBe(77);
  });

  it("judges git's dashed commands as git: git-push is git push", async () => {
    const execPath = String((await sb.run(which('git')!, ['--exec-path'])).stdout).trim();
    const { exitCode, commands } = await check(`${execPath}/git-push --force origin main`);
    expect(exitCode).toBe(77);
    expect(commands[0].findings.map((f) => f.rule)).toEqual(['git.push.force']);
  });

  it('allows the same copies for a feature branch, and a benign use of them', async () => {
    for (const line of ['./bin/gg push --force origin feature/login', './bin/gg status', 'cp "$(command -v git)" ./g && ./g log -1']) {
      const { exitCode, decision } = await check(line);
      expect(decision, line).toBe('allow');
      expect(exitCode, line).toBe(0);
    }
  });
});
