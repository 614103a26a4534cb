// What `git <name>` runs when it is not a git command: a `!` alias (read as the shell line git hands to
// sh, from the top of the working tree, with its arguments) or an external command git-<name> (a shell
// script read as a line; any other program by what it is). Files are written by hand; no git runs.

import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate.js';
import { table } from '../helpers/cases.js';
import { emptyHome, words } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

const root = join(emptyHome, 'git-children');
const repo = join(root, 'shop');
const sub = join(repo, 'src', 'deep');
const bin = join(root, 'bin');
const execDir = join(root, 'exec-path');

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

beforeAll(() => {
  write(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  for (const branch of ['main', 'feature/login']) write(join(repo, '.git', 'refs', 'heads', branch), `${'a'.repeat(40)}\n`);
  mkdirSync(join(repo, '.git', 'objects'), { recursive: true });
  write(
    join(repo, '.git', 'config'),
    [
      '[remote "origin"]',
      '\turl = git@github.com:acme/shop.git',
      '[alias]',
      '\tundo = "!git reset --hard && git push -f origin main"',
      '\tlast = "!git log -1"',
      '\tpf = "!git push -f origin"',
      '\tship = "!f() { git push -f origin \\"$1\\"; }; f"',
      '\tnuke = log',
      '\tloop = "!git loop"',
      '\topen = "!git push -f origin \\"main"',
      '\twipe = "!psql < wipe.sql"',
      '\there = "!psql < \\"${GIT_PREFIX}here.sql\\""',
      '[include]',
      '\tpath = more-aliases',
      '',
    ].join('\n'),
  );
  write(join(repo, '.git', 'more-aliases'), '[alias]\n\tyolo = "!git push --force origin main #"\n');
  write(join(repo, 'wipe.sql'), 'drop table users;\n');
  write(join(sub, 'here.sql'), 'truncate orders;\n');
  // External commands on PATH: shell scripts with and without #!, a Python script, a long script.
  write(join(bin, 'git-nuke'), '#!/bin/sh\ngit push --force origin main\n', 0o755);
  write(join(bin, 'git-plain'), 'git push --force origin "$1"\n', 0o755);
  write(join(bin, 'git-tidy'), '#!/usr/bin/env bash\nset -e\ngit fetch origin\ngit log --oneline -3\n', 0o755);
  write(join(bin, 'git-py'), '#!/usr/bin/env python3\nimport subprocess\nsubprocess.call(["git", "push", "-f", "origin", "main"])\n', 0o755);
  write(join(bin, 'git-huge'), `#!/bin/sh\n${'# padding\n'.repeat(120_000)}git push -f origin main\n`, 0o755);
  write(join(bin, 'git-notexec'), '#!/bin/sh\ngit push -f origin main\n', 0o644);
  // A directory given as the exec-path, with a dashed link to its own git (a built-in, not an external).
  write(join(execDir, 'git'), '#!/bin/sh\nexit 0\n', 0o755);
  write(join(execDir, 'git-wipe'), '#!/bin/sh\ngit push --force origin main\n', 0o755);
  symlinkSync(join(execDir, 'git'), join(execDir, 'git-frob'));
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const show = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.cwd ? ` (in ${c.cwd.replace(root, '')})` : ''}`;
const run = (c: Case) => {
  const [tool, ...args] = words(c.line);
  return evaluate(
    { tool, args, cwd: c.cwd ?? repo, env: { HOME: emptyHome, PATH: `${bin}:/usr/bin:/bin`, GIT_CONFIG_NOSYSTEM: '1', ...c.env } },
    { alwaysResolve: true, terminal: () => false },
  );
};
/** "<rules> | <class>" of a line evaluated as an agent. */
const verdict = async (c: Case) => {
  const e = await run(c);
  return `${e.findings.map((f) => f.rule).join(' ') || '-'} | ${e.decision.verdict}`;
};

describe('! aliases are read as the shell line git runs', () => {
  table(show, [
    // where the alias comes from
    [{ line: 'git undo' }, 'git.reset.hard git.push.force | deny'],
    [{ line: 'git yolo' }, 'git.push.force | deny'],
    [{ line: "git -c alias.x='!git push -f origin main' x" }, 'git.push.force | deny'],
    [{ line: "git -c 'alias.x=!git push -f origin main' -c alias.y=x y" }, 'git.push.force | deny'],
    [{ line: 'git x', env: { GIT_CONFIG_PARAMETERS: "'alias.x'='!git push -f origin main'" } }, 'git.push.force | deny'],
    [{ line: 'git x', env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'alias.x', GIT_CONFIG_VALUE_0: '!git push -f origin main' } }, 'git.push.force | deny'],
    // its arguments are appended ("$@"), and $1 is the first
    [{ line: 'git pf main' }, 'git.push.force | deny'],
    [{ line: 'git pf feature/login' }, 'git.push.force | allow'],
    [{ line: 'git ship main' }, 'git.push.force | deny'],
    [{ line: 'git ship feature/login' }, 'git.push.force | allow'],
    [{ line: "git -c alias.s='!f() { git push -f origin \"$1\"; }; f main' s feature/login" }, 'git.push.force | deny'],
    [{ line: "git -c alias.s='!git push -f origin $1' s main" }, 'git.push.force git.push.force | deny'],
    [{ line: "git -c alias.s='!f() { git push -f origin \"$@\"; }; f' s main" }, 'git.push.force | deny'],
    [{ line: "git -c alias.s='!f() { git push -f origin \"$@\"; }; f' s feature/login" }, 'git.push.force | allow'],
    [{ line: "git -c alias.s='!git push -f origin \"$@\" #' s feature/login" }, 'git.push.force | allow'],
    [{ line: "git -c alias.s='!git push -f origin $2 #' s x main" }, 'git.push.force | deny'],
    // git appends -h: `git push -f origin main -h` prints push's usage
    [{ line: 'git x -h', env: { GIT_CONFIG_PARAMETERS: "'alias.x'='!git push -f origin main'" } }, '- | allow'],
    // it runs from the top of the working tree, with GIT_PREFIX (psql on a local socket: development)
    [{ line: 'git wipe', cwd: sub }, 'psql.sql.drop | allow'],
    [{ line: 'git here', cwd: sub }, 'psql.sql.truncate | allow'],
    // -c settings reach the git commands inside it
    [{ line: "git -c alias.a='!git b' -c alias.b='push -f origin main' a" }, 'git.push.force | deny'],
    // what cannot be read, when it names a covered tool
    [{ line: 'git loop' }, 'git.nested.unreadable | deny'],
    [{ line: 'git open' }, 'git.nested.unreadable git.push.force | deny'],
    // benign, and built-ins no alias replaces
    [{ line: 'git last' }, '- | allow'],
    [{ line: "git -c alias.hi='!echo hi' hi" }, '- | allow'],
    [{ line: "git -c alias.status='!git push -f origin main' status" }, '- | allow'],
    [{ line: "git -c alias.stash='!git push -f origin main' stash" }, '- | allow'],
    [{ line: 'git --help undo' }, '- | allow'],
  ], verdict);
});

describe('external commands: git-<name> in the exec-path, then on PATH, before any alias', () => {
  table(show, [
    [{ line: 'git nuke' }, 'git.push.force | deny'],
    [{ line: 'git plain main' }, 'git.push.force | deny'],
    [{ line: 'git plain feature/login' }, 'git.push.force | allow'],
    [{ line: 'git wipe', env: { GIT_EXEC_PATH: execDir } }, 'git.push.force | deny'],
    [{ line: `git --exec-path=${execDir} wipe` }, 'git.exec-path git.push.force | deny'],
    [{ line: `git --exec-path=${execDir} status` }, 'git.exec-path | deny'],
    [{ line: `git --exec-path=${execDir} --help` }, '- | allow'],
    [{ line: 'git -C src/deep nuke' }, 'git.push.force | deny'],
    [{ line: 'git huge' }, 'git.nested.unreadable | deny'],
    [{ line: 'git tidy' }, '- | allow'],
    [{ line: 'git py' }, '- | allow'],
    [{ line: 'git notexec' }, '- | allow'],
    [{ line: 'git frob', env: { GIT_EXEC_PATH: execDir, GIT_CONFIG_PARAMETERS: "'alias.frob'='!git push -f origin main'" } }, '- | allow'],
    [{ line: 'git nuke', env: { PATH: '/usr/bin:/bin' } }, '- | allow'],
  ], verdict);

  it('says which file ran, and that it came through git', async () => {
    const e = await run({ line: 'git nuke' });
    expect(e.findings[0].text).toBe(`git nuke (~/git-children/bin/git-nuke) > git push --force origin main`);
  });
});

describe('the alias reader on generated aliases', () => {
  const pick = <T>(next: () => number, items: readonly T[]) => items[Math.floor(next() * items.length)];

  it('never throws, whatever the alias and its arguments', async () => {
    const pieces = ['!', 'git', ' ', 'push', '-f', 'origin', 'main', '"', "'", '\\', '$', '$1', '"$@"', '${', '}', '(', ')', ';', '&&', '||', '|', '`', '#', '\n', '=', '-c', 'alias.x', 'x', 'f()', '{', 'sh -c', '<<EOF', 'EOF', '*'];
    const next = random(7);
    for (let i = 0; i < 250; i++) {
      const value = Array.from({ length: 1 + Math.floor(next() * 14) }, () => pick(next, pieces)).join('');
      const args = Array.from({ length: Math.floor(next() * 3) }, () => pick(next, pieces));
      const e = await evaluate(
        { tool: 'git', args: ['-c', `alias.x=${value}`, 'x', ...args], cwd: repo, env: { HOME: emptyHome, PATH: '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1' } },
        { terminal: () => false },
      ).catch((error: Error) => error);
      expect(e, JSON.stringify([value, args])).not.toBeInstanceOf(Error);
    }
  }, 300_000);

  it('finds a destructive command wherever a generated line runs it', async () => {
    const benign = ['echo hi', 'git log -1', 'true', 'git status'];
    const harmful = ['git push -f origin main', 'git reset --hard', 'git push origin :main'];
    const joins = [' ; ', ' && ', ' || ', ' | ', '\n'];
    const wraps = [(s: string) => s, (s: string) => `(${s})`, (s: string) => `f() { ${s}; }; f`, (s: string) => `sh -c '${s}'`, (s: string) => `{ ${s}; }`];
    const next = random(11);
    for (let i = 0; i < 200; i++) {
      const commands = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.3 ? pick(next, harmful) : pick(next, benign)));
      const line = pick(next, wraps)(commands.map((c, j) => (j === 0 ? c : `${pick(next, joins)}${c}`)).join(''));
      const e = await evaluate(
        { tool: 'git', args: ['-c', `alias.x=!${line}`, 'x'], cwd: repo, env: { HOME: emptyHome, PATH: '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1' } },
        { terminal: () => false },
      );
      const expected = commands.some((c) => harmful.includes(c)) ? 'deny' : 'allow';
      expect(e.decision.verdict, line).toBe(expected);
    }
  }, 300_000);
});
