// Branches set by hand (src/tools/git-refs.ts): a move that does not keep the branch's tip in its
// history is git.ref.rewind on that branch, whichever command spells it; a fast-forward, a new branch,
// the same commit, a ref that is no branch and a reset to a path are not. Judged in a real repository,
// with the real git answering the ancestry question.

import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { evaluateLine } from '../helpers/evaluate.js';
import { gitIdentity } from '../helpers/real-git.js';
import { systemPath } from '../helpers/sandbox.js';
import { which } from '../helpers/system.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-refs-')));
const home = join(root, 'home');
const shop = join(root, 'shop');
const lazy = join(root, 'lazy');
const env = { HOME: home, PATH: systemPath, ...gitIdentity };
const git = (cwd: string, ...args: string[]) => execFileSync(which('git')!, args, { cwd, env, encoding: 'utf8' }).trim();
/** Commits made in beforeAll, by name, substituted for `{name}` in the lines. */
const sha: Record<string, string> = {};

beforeAll(() => {
  mkdirSync(home, { recursive: true });
  git(root, 'init', '-q', '-b', 'main', shop);
  for (const n of ['one', 'two', 'three']) {
    writeFileSync(join(shop, 'a.txt'), `${n}\n`);
    git(shop, 'add', 'a.txt');
    git(shop, 'commit', '-q', '-m', n);
  }
  git(shop, 'branch', 'feature/x', 'main~1');
  git(shop, 'commit', '-q', '--allow-empty', '-m', 'x'); // main moves on; feature/x stays at two
  git(shop, 'update-ref', 'refs/heads/feature/x', git(shop, 'commit-tree', '-p', 'feature/x', '-m', 'x-own', 'feature/x^{tree}'));
  sha.unrelated = git(shop, 'commit-tree', '-m', 'orphan', 'HEAD^{tree}');
  sha.ahead = git(shop, 'commit-tree', '-p', 'main', '-m', 'ahead', 'HEAD^{tree}');
  sha.xAhead = git(shop, 'commit-tree', '-p', 'feature/x', '-m', 'x-ahead', 'HEAD^{tree}');
  // A commit that replace --graft makes look like main's child: the judge must not believe it.
  sha.grafted = git(shop, 'commit-tree', '-m', 'grafted', 'HEAD^{tree}');
  git(shop, 'replace', '--graft', sha.grafted, 'main');
  // refs/heads/alias is a symbolic ref to main: a write to it moves main.
  git(shop, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
  git(shop, 'pack-refs', '--all'); // main and feature/x only in packed-refs now
  // A partial clone's repository: asking git there could fetch through the config's transport.
  git(root, 'init', '-q', '-b', 'main', lazy);
  git(lazy, 'commit', '-q', '--allow-empty', '-m', 'one');
  git(lazy, 'commit', '-q', '--allow-empty', '-m', 'two');
  git(lazy, 'config', 'remote.origin.promisor', 'true');
});

interface Case {
  line: string;
  cwd?: string;
}
const expand = (line: string) => line.replace(/\{(\w+)\}/g, (_, name: string) => sha[name]);
/** "<rules> -> <target> <class>" */
const judged = async (c: Case) => {
  const evaluation = await evaluateLine(expand(c.line), env, c.cwd ?? shop);
  const rules = evaluation.findings.map((f) => f.rule).join(' ');
  return `${rules || '-'} -> ${evaluation.target?.name ?? '-'} ${evaluation.target?.class ?? '-'}`;
};

describe.skipIf(!which('git'))('a protected branch set to a commit that does not contain its tip is git.ref.rewind', () => {
  table((c: Case) => c.line, [
    // update-ref, plumbing's spelling of a forced move, and what a refused agent types next.
    [{ line: 'git update-ref refs/heads/main {unrelated}' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref -m msg refs/heads/main main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref --create-reflog refs/heads/main main~2 main' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref HEAD main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref refs/heads/alias main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref refs/heads/main 0000000000000000000000000000000000000000' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref refs/heads/main {grafted}' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref --stdin' }, 'git.ref.rewind -> alias, feature/x, main production'],
    [{ line: 'git -c alias.up=update-ref up refs/heads/main main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref -m x -d refs/heads/main' }, 'git.update-ref.delete -> main production'],
    // The porcelain that sets a branch: branch -f/-M/-C, checkout -B, switch -C, worktree add -B, reset.
    [{ line: 'git branch -f main main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git branch --force main feature/x' }, 'git.ref.rewind -> main production'],
    [{ line: 'git branch -M feature/x main' }, 'git.ref.rewind -> main production'],
    [{ line: 'git branch -C feature/x main' }, 'git.ref.rewind -> main production'],
    [{ line: 'git branch -m -f feature/x main' }, 'git.ref.rewind -> main production'],
    [{ line: 'git checkout -B main main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git switch -C main main~2' }, 'git.ref.rewind -> main production'],
    [{ line: 'git switch --force-create main {unrelated}' }, 'git.ref.rewind -> main production'],
    [{ line: 'git worktree add -B main ../elsewhere main~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git reset --soft HEAD~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git reset HEAD~1' }, 'git.ref.rewind -> main production'],
    [{ line: 'git reset --keep main~2' }, 'git.ref.rewind -> main production'],
    [{ line: 'git reset -q main~1 --' }, 'git.ref.rewind -> main production'],
    [{ line: 'git reset --hard HEAD~1' }, 'git.reset.hard git.ref.rewind -> main production'],
    [{ line: 'git symbolic-ref refs/heads/main refs/heads/feature/x' }, 'git.ref.rewind -> main production'],
    // Where git cannot be asked safely, the move counts as a rewind.
    [{ line: 'git update-ref refs/heads/main main~1', cwd: lazy }, 'git.ref.rewind -> main production'],
    [{ line: 'git update-ref refs/heads/main main', cwd: lazy }, 'git.ref.rewind -> main production'],
    // A feature branch's rewind runs with a notice (development).
    [{ line: 'git branch -f feature/x main~2' }, 'git.ref.rewind -> feature/x development'],
    [{ line: 'git update-ref refs/heads/feature/x main' }, 'git.ref.rewind -> feature/x development'],
    [{ line: 'git branch -M feature/x' }, 'git.ref.rewind -> feature/x development'],
  ], judged);
});

describe.skipIf(!which('git'))('moves that keep the tip, new refs and refs that are no branch stay allowed', () => {
  table((c: Case) => c.line, [
    [{ line: 'git update-ref refs/heads/main main' }, '- -> main production'],
    [{ line: 'git update-ref refs/heads/main {ahead}' }, '- -> main production'],
    [{ line: 'git update-ref refs/heads/feature/x {xAhead}' }, '- -> main production'],
    [{ line: 'git update-ref refs/heads/brand-new main~2' }, '- -> main production'],
    [{ line: 'git update-ref refs/tags/v1 main~2' }, '- -> main production'],
    [{ line: 'git update-ref refs/original/refs/heads/main main~2' }, '- -> main production'],
    [{ line: 'git update-ref --no-deref HEAD main~1' }, '- -> main production'],
    [{ line: 'git branch -f brand-new main~1' }, '- -> main production'],
    [{ line: 'git branch -f main {ahead}' }, '- -> main production'],
    [{ line: 'git branch feature/y' }, '- -> main production'],
    [{ line: 'git branch -m feature/x feature/z' }, '- -> main production'],
    [{ line: 'git checkout -B main' }, '- -> main production'],
    [{ line: 'git checkout -B fresh main~2' }, '- -> main production'],
    [{ line: 'git switch -c fresh main~2' }, '- -> main production'],
    [{ line: 'git reset' }, '- -> main production'],
    [{ line: 'git reset --soft HEAD' }, '- -> main production'],
    [{ line: 'git reset a.txt' }, '- -> main production'],
    [{ line: 'git reset -- a.txt' }, '- -> main production'],
    [{ line: 'git reset HEAD~1 a.txt' }, '- -> main production'],
    [{ line: 'git reset -q HEAD~1 -- a.txt' }, '- -> main production'],
    [{ line: 'git symbolic-ref HEAD refs/heads/feature/x' }, '- -> main production'],
    [{ line: 'git symbolic-ref refs/heads/other refs/heads/main' }, '- -> main production'],
    [{ line: 'git update-ref -h' }, '- -> main production'],
  ], judged);

  it('names the commits in its evidence: the old tip, the new value, and that it is not a fast-forward', async () => {
    const evaluation = await evaluateLine('git branch -f main main~1', env, shop);
    const evidence = evaluation.target!.evidence[0];
    expect(evidence.key).toBe('branch --force');
    expect(evidence.value).toMatch(/^moves branch main from [0-9a-f]{12} to main~1 \([0-9a-f]{12}\), which does not contain [0-9a-f]{12}: not a fast-forward$/);
    const lazyOne = await evaluateLine('git update-ref refs/heads/main main~1', env, lazy);
    expect(lazyOne.target!.evidence[0].value).toContain('remote.origin.promisor is set');
  });
});
