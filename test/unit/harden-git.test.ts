// git under harden (src/harden/git.ts): which files are git, the overlay that sends git's own children
// to the runner, and the narrow table of git's internal calls that pass without a second judgement.

import { describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGitOverlay, findGitFiles, hardenedGitEnvironment, internalGitCall } from '../../src/harden/git.js';
import { gitCommand, gitsOwnCall } from '../../src/shim/git-own-calls.js';
import type { HardenState } from '../../src/harden/system.js';
import { table } from '../helpers/cases.js';
import { random } from '../helpers/random.js';

const sha = 'a'.repeat(40);

describe("git's own calls, by the git command that makes them", () => {
  table(
    ([command, args]) => `${command}: git ${args.join(' ')}`,
    [
      [['stash', ['reset', '--hard', '-q', '--no-recurse-submodules']], true],
      [['stash', ['checkout', '--no-overlay', sha, '--', ':/']], true],
      [['stash', ['clean', '--force', '--quiet', '-d', ':/']], true],
      [['stash', ['clean', '--force', '--quiet', '-d', ':/', '-x']], true],
      [['stash', ['clean', '--force', '--quiet', '-d', '/home']], false],
      [['stash', ['clean', '-fdx']], false],
      [['submodule--helper', ['checkout', '-q', '-f', sha]], true],
      [['submodule--helper', ['checkout', '-f', '-q']], true],
      // Anything else, or the same call from another command, is judged.
      [['stash', ['reset', '--hard']], false],
      [['stash', ['reset', '--hard', '-q', '--no-recurse-submodules', 'origin/main']], false],
      [['stash', ['checkout', '--no-overlay', 'main', '--', ':/']], false],
      [['stash', ['push', '--force', 'origin', 'main']], false],
      [['commit', ['reset', '--hard', '-q', '--no-recurse-submodules']], false],
      [['worktree', ['reset', '--hard', '--no-recurse-submodules', '--quiet']], false],
      [['submodule--helper', ['checkout', '-q', '-f', sha, '--', '.']], false],
      [['submodule--helper', ['checkout', '-f', 'main']], false],
      [['submodule--helper', ['checkout', '-q', '-f', sha, sha]], false],
      [['submodule--helper', ['reset', '--hard', '-q', '--no-recurse-submodules']], false],
      [['toString', ['reset']], false],
      [['__proto__', []], false],
    ] as [[string, string[]], boolean][],
    ([command, args]) => gitsOwnCall(command, args),
  );

  it('no random argv passes for a command outside the table, and none with a push or a clean', () => {
    const words = ['reset', '--hard', '-q', '-f', 'checkout', '--no-overlay', '--', ':/', '.', sha, 'push', '--force', 'clean', '-fdx', 'main', '--no-recurse-submodules'];
    const next = random(13);
    for (let i = 0; i < 3000; i++) {
      const args = Array.from({ length: 1 + Math.floor(next() * 6) }, () => words[Math.floor(next() * words.length)]);
      for (const command of ['commit', 'pull', 'fetch', 'rebase', 'log']) expect(gitsOwnCall(command, args), args.join(' ')).toBe(false);
      if (args.includes('push') || args.includes('-fdx') || args.includes('.') || args.includes('main')) {
        expect(gitsOwnCall('stash', args) || gitsOwnCall('submodule--helper', args), args.join(' ')).toBe(false);
      }
    }
  });
});

describe('the git command of an argv, after the global options', () => {
  table(
    (args) => args.join(' '),
    [
      [['stash', '-q'], 'stash'],
      [['-c', 'a=b', 'stash'], 'stash'],
      [['-C', 'sub', '--super-prefix', 'sub/', 'submodule--helper', 'update'], 'submodule--helper'],
      [['--no-pager', '-p', 'log'], 'log'],
      [['--git-dir=x', 'status'], 'status'],
      [['-c'], undefined],
    ] as [string[], string | undefined][],
    (args) => gitCommand(args),
  );
});

describe('the exec-path the hardened git runs with', () => {
  const git = { execPath: '/usr/lib/git-core', overlay: '/usr/local/lib/chaperone/git-exec-path', gitEntries: ['git'] };
  table(
    (value) => `GIT_EXEC_PATH=${value ?? '(unset)'}`,
    [
      [undefined, git.overlay],
      ['', git.overlay],
      ['/usr/lib/git-core', git.overlay],
      ['/usr/lib/git-core/', git.overlay],
      [git.overlay, git.overlay],
      ['/home/agent/my-exec-path', '/home/agent/my-exec-path'],
    ] as [string | undefined, string][],
    (value) => hardenedGitEnvironment(git, value === undefined ? {} : { GIT_EXEC_PATH: value }).GIT_EXEC_PATH,
  );
  it("a user's own chaperone overlay is replaced: its entries would run the locked git", () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaperone-user-overlay-'));
    try {
      writeFileSync(join(dir, '.chaperone-overlay.json'), '{"execPath":"/usr/lib/git-core","mtimeMs":0}\n');
      expect(hardenedGitEnvironment(git, { GIT_EXEC_PATH: dir }).GIT_EXEC_PATH).toBe(git.overlay);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an internal call needs its parent chain: a judged git decision, then git', () => {
  it('a call from this test process (no decision above it) is judged, even with the exact argv', () => {
    const state = { gid: 999_999, lib: '/usr/local/lib/chaperone', git: { execPath: '/x', overlay: '/y', gitEntries: [] } } as unknown as HardenState;
    expect(internalGitCall(state, ['reset', '--hard', '-q', '--no-recurse-submodules'])).toBe(false);
    expect(internalGitCall(state, ['reset', '--hard', '-q', '--no-recurse-submodules'], 1)).toBe(false);
  });
});

describe('the files that are git, and the overlay', () => {
  it('locks the binary, its copies and hard links (symlinks resolve to them); other helpers stay; the overlay routes only git', () => {
    const root = mkdtempSync(join(tmpdir(), 'chaperone-harden-git-'));
    try {
      const bin = join(root, 'bin');
      const execPath = join(root, 'libexec', 'git-core');
      mkdirSync(bin, { recursive: true });
      mkdirSync(join(execPath, 'mergetools'), { recursive: true });
      // A stand-in git that answers --exec-path; a binary only by the bytes harden compares.
      const git = join(bin, 'git');
      writeFileSync(git, `#!/bin/sh\n[ "$1" = --exec-path ] && echo ${execPath}\n`);
      chmodSync(git, 0o755);
      copyFileSync(git, join(execPath, 'git')); // same bytes, another inode (a broken hard link)
      chmodSync(join(execPath, 'git'), 0o755);
      symlinkSync('git', join(execPath, 'git-push'));
      linkSync(join(execPath, 'git'), join(execPath, 'git-upload-pack'));
      writeFileSync(join(execPath, 'git-remote-https'), 'another binary\n', { mode: 0o755 });
      writeFileSync(join(execPath, 'git-sh-setup'), '# sourced\n');
      symlinkSync('git', join(bin, 'git-receive-pack'));
      copyFileSync(git, join(bin, 'git-upload-archive'));
      writeFileSync(join(bin, 'gitk'), 'not git\n');

      const files = findGitFiles(git, `${bin}:/nonexistent`);
      expect(files.execPath).toBe(execPath);
      expect(files.run).toBe(git);
      // A hard link is listed by its own name too: doctor --strict checks it, --undo restores it.
      expect(files.lock.sort()).toEqual([git, join(bin, 'git-upload-archive'), join(execPath, 'git'), join(execPath, 'git-upload-pack')].sort());
      expect(files.gitEntries).toEqual(['git', 'git-push', 'git-upload-pack']);

      if (process.getuid?.() !== 0) return; // the overlay is root's: built only as root
      const overlay = join(root, 'overlay');
      buildGitOverlay(overlay, execPath, files.gitEntries, '/usr/local/lib/chaperone/chaperone-run');
      expect(readFileSync(join(overlay, 'git-push'), 'utf8')).toContain('exec /usr/local/lib/chaperone/chaperone-run git push "$@"');
      expect(readFileSync(join(overlay, 'git-upload-pack'), 'utf8')).toContain('exec /usr/local/lib/chaperone/chaperone-run git upload-pack "$@"');
      expect(readFileSync(join(overlay, 'git'), 'utf8')).toContain('exec /usr/local/lib/chaperone/chaperone-run git "$@"');
      for (const name of ['git-remote-https', 'git-sh-setup', 'mergetools']) {
        expect(lstatSync(join(overlay, name)).isSymbolicLink(), name).toBe(true);
        expect(readlinkSync(join(overlay, name))).toBe(join(execPath, name));
      }
      expect(lstatSync(overlay).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
