// git's own plumbing skips the decision when git itself starts it (src/shim/git-own-calls.ts): each of
// those words must be one no built-in rule can reach, or the overlay would let git's child run what the
// engine gates. The same derivation as the shim's fast path (fastPathWords), applied to these words.

import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/rules/load.js';
import type { Rule } from '../../src/rules/config.js';
import { fastPathWords } from '../../src/shim/fast-path.js';
import { gitCommand, gitsOwnCall, mayBeOwnCall, ownCallWords } from '../../src/shim/git-own-calls.js';
import { loadTool } from '../../src/tools/index.js';
import type { Tool } from '../../src/tools/tool.js';
import { emptyHome } from '../helpers/evaluate.js';

let rules: Rule[];
let git: Tool;

beforeAll(async () => {
  rules = (await loadConfig(emptyHome, { HOME: emptyHome })).rules;
  git = (await loadTool('git'))!;
});

describe("git's own calls", () => {
  it('no built-in rule reaches a word git may run for itself without a decision', () => {
    const unreachable = fastPathWords({ ...git, plainWords: [...ownCallWords] }, [rules]);
    expect(ownCallWords.filter((word) => !unreachable.includes(word))).toEqual([]);
  });

  it('send-pack, which the parser reads as push, is never a word that skips the decision', () => {
    // The derivation sees rules by their words, and no rule names send-pack: it must stay off the list.
    expect(ownCallWords).not.toContain('send-pack');
    expect(git.plainWords ?? []).not.toContain('send-pack');
  });

  it('the same check drops the words the rules do reach (it is not vacuous)', () => {
    const words = ['push', 'reset', 'clean', 'checkout', 'branch', 'stash', 'gc', 'reflog', 'prune', 'update-ref'];
    expect(fastPathWords({ ...git, plainWords: words }, [rules])).toEqual([]);
  });

  it.each([
    ['stash', ['reset', '--hard', '-q', '--no-recurse-submodules'], true],
    ['stash', ['clean', '--force', '--quiet', '-d', ':/'], true],
    ['commit', ['reset', '--hard', '-q', '--no-recurse-submodules'], false],
    ['stash', ['reset', '--hard', 'origin/main'], false],
    ['stash', ['push', '--force', 'origin', 'main'], false],
    ['gc', ['prune', '--expire', 'now', '--no-progress'], true],
    ['commit', ['prune', '--expire', 'now', '--no-progress'], false],
    ['gc', ['prune'], false],
    ['submodule--helper', ['checkout', '-q', '-f', 'a'.repeat(40)], true],
    ['submodule--helper', ['checkout', '-f', 'main'], false],
  ])("git %s's own call `git %s`: %s", (command, args, own) => {
    expect(gitsOwnCall(command, args)).toBe(own);
    if (own) expect(mayBeOwnCall(args)).toBe(true);
  });

  it.each([
    [['-c', 'x=y', 'stash', 'push'], 'stash'],
    [['-C', 'dir', '--git-dir', 'g', 'reset'], 'reset'],
    [['--bare', 'log'], 'log'],
    [['-c'], undefined],
  ])('the git command of %j is %s', (args, command) => {
    expect(gitCommand(args)).toBe(command);
  });
});
