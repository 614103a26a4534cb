// The calls git makes to itself. A git command starts other git commands through its exec-path (`git
// pull` runs `git fetch` and `git merge`, `git gc` runs `git repack` and `git prune`, `git stash` runs
// `git reset --hard`), and the exec-path overlay (git-exec-path.ts) brings each back through chaperone.
// Judging every one would cost a Node start each and refuse some that only look destructive out of
// context (stash's own reset on `main`). Skipping every call whose parent process is git, as the overlay
// once did, let a hook, pager or alias that `exec`s git (`exec git push --force origin main` in
// .git/hooks/pre-commit) run unjudged, since after the exec its parent is git too.
//
// So a call whose parent is git skips the decision only when it cannot matter:
//   - its git command is one of `ownCallWords` below, words git runs for itself that no built-in rule
//     reaches (a test holds them to the rules), and no global option comes before it; the sh overlay
//     entry checks this with no process started;
//   - or it is, word for word, a call the parent's own git command makes (`ownCalls`), checked in Node
//     against the parent's argv in /proc. What stays open: a command git runs for that same git command
//     (a `core.fsmonitor` hook during `git stash`) can make the same exact call in another directory:
//     a local discard the agent's user could make anyway, never a push.

import { readFileSync } from 'node:fs';

/** git commands git starts for itself that no built-in rule reaches (test/unit/git-own-calls.test.ts). */
export const ownCallWords: readonly string[] = [
  'fetch', 'fetch-pack', 'index-pack', 'unpack-objects', 'upload-pack', 'upload-archive', 'receive-pack', 'pack-objects',
  'rev-list', 'rev-parse', 'merge', 'merge-base', 'merge-index', 'merge-file', 'rebase', 'update-index', 'read-tree', 'write-tree',
  'commit-tree', 'cat-file', 'for-each-ref', 'show-ref', 'ls-files', 'ls-tree', 'diff-index', 'diff-files',
  'diff-tree', 'hash-object', 'maintenance', 'repack', 'prune-packed', 'pack-refs', 'rerere',
  'commit-graph', 'multi-pack-index', 'submodule--helper', 'status', 'log', 'show', 'describe', 'version',
];

/**
 * git's own calls that look destructive on their own, by the git command that makes them: the argv
 * git passes, word for word (git 2.39 and later; an older or newer git that spells one differently
 * gets it judged, and an agent then sees it refused on a protected branch, never run unjudged).
 */
const hex = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const ownCalls: Record<string, ((args: string[]) => boolean)[]> = {
  // stash push: the working tree back to HEAD once the changes are saved; with -k or a pathspec, the
  // saved paths back from a tree.
  stash: [
    (a) => a.join(' ') === 'reset --hard -q --no-recurse-submodules',
    (a) => a.length === 5 && a[0] === 'checkout' && a[1] === '--no-overlay' && hex.test(a[2]) && a[3] === '--' && a[4] === ':/',
    // -u and -a: the untracked (and ignored) files, saved in the stash, removed from the working tree.
    (a) => a.join(' ') === 'clean --force --quiet -d :/' || a.join(' ') === 'clean --force --quiet -d :/ -x',
  ],
  // gc --prune=now, once a human confirmed it: its own prune of what it was asked to prune.
  gc: [(a) => a.join(' ') === 'prune --expire now --no-progress'],
  // submodule add and update: a freshly cloned submodule checked out (at the recorded commit).
  'submodule--helper': [(a) => a[0] === 'checkout' && a.includes('-f') && a.length <= 4 && a.slice(1).every((w) => w === '-q' || w === '-f' || hex.test(w)) && a.filter((w) => hex.test(w)).length <= 1],
};

/** Whether `git ARGS` is a call the git command `command` makes itself (the table above). */
export function gitsOwnCall(command: string, args: string[]): boolean {
  return Object.hasOwn(ownCalls, command) && ownCalls[command].some((test) => test(args));
}

/** Whether `git ARGS` could be one of the calls in the table, whoever makes it. */
export function mayBeOwnCall(args: string[]): boolean {
  return Object.keys(ownCalls).some((command) => gitsOwnCall(command, args));
}

/** git's global options that take the next word as their value. */
const globalWithValue = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix', '--list-cmds', '--attr-source']);

/** The git command of a git argv (after its global options). */
export function gitCommand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (globalWithValue.has(word)) i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** The argv of process `pid` (Linux /proc), or undefined. */
export function argvOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * Whether this overlay call (`git ARGS`, started by the overlay entry whose parent is `ppid`) is one the
 * parent's own git command makes, by the table. `isGit` says whether the parent runs a git binary.
 */
export function parentsOwnCall(args: string[], ppid: number, isGit: (pid: number) => boolean): boolean {
  if (!mayBeOwnCall(args) || !isGit(ppid)) return false;
  const argv = argvOf(ppid);
  const command = argv && gitCommand(argv.slice(1));
  return command !== undefined && gitsOwnCall(command, args) && isGit(ppid);
}
