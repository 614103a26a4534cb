// git under `chaperone harden`. git is not one file: its exec-path (`git --exec-path`, Debian's
// /usr/lib/git-core) holds a second git binary (a hard link, or a copy of the same bytes) and dashed
// links to it (git-push, git-upload-pack …), and /usr/bin holds more (git-receive-pack → git). Every
// one of them is git, and an agent could run any of them by path. So harden locks each file that is
// the git binary (same inode, or the same bytes), exactly as it locks psql: root:TOOLS 0750, and the
// runner starts root's copy with no group. The exec-path's other files (git-remote-https,
// git-sh-setup, mergetools/, the git-submodule script) are not git and stay as they are.
//
// What git starts must then still work for a caller with no group, and come back through chaperone:
// git puts its exec-path first on PATH for everything it starts, and runs `git` and `git-foo` from
// there. The hardened git therefore runs with GIT_EXEC_PATH at a root-owned overlay built here (the
// same idea as the user's overlay, src/shim/git-exec-path.ts): a symlink to every entry of the real
// exec-path, except the entries that are git, which are two-line scripts that start the runner. So a
// fetch's upload-pack, a pull's fetch and merge, a hook's or an alias's `git`, the git-submodule
// script's `git submodule--helper` are each judged again and run from the copy, and none of them
// needs the locked originals.
//
// git's own internal calls: `git stash` runs `git reset --hard -q --no-recurse-submodules` (and a
// `clean` with -u), a submodule update `git checkout -q -f SHA`. Judged on their own they look like what
// an agent must not do on a protected branch (or a detached HEAD, which is unknown), and would be
// refused for an agent. The user's overlay runs any call whose parent is git straight away; under
// harden that would be a way round the lock (a hook, a pager, an editor, `ext::` are all started by
// git, and can exec the runner with any argv: a force-push included). Here a call passes unjudged only
// when all of this holds, read from /proc, which the agent cannot forge: its parent's parent is the
// hardened decision for git (a process holding the runner's group, running root's copy of chaperone on
// `--hardened git …`); that decision's git command is one that makes the call; and the call's argv is
// word for word the one git passes (the table in src/shim/git-own-calls.ts). What stays open: a command git runs for that
// same git command from the agent's own configuration (core.fsmonitor, a clean filter, a
// submodule.NAME.update `!command`) can exec the same argv in another directory. These calls only
// discard local files of repositories the agent user can already write, and nothing that reaches a
// remote is ever in the table.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorLine } from '../cli/doctor.js';
import { isShimFile, shimMarker } from '../shim/find-real.js';
import { gitCommand, gitsOwnCall, mayBeOwnCall } from '../shim/git-own-calls.js';
import type { HardenState } from './system.js';

/** What harden needs to lock git and to build its overlay. */
export interface GitFiles {
  /** The binary the runner starts (its copy). */
  run: string;
  /** Every file that is the git binary: these are locked. */
  lock: string[];
  /** git's compiled-in exec-path. */
  execPath: string;
  /** The exec-path's entries that are git (`git`, `git-push` …): the overlay routes them to the runner. */
  gitEntries: string[];
}

/** What harden.json records for git: the exec-path it mirrors and the overlay the hardened git runs with. */
export interface HardenedGit {
  execPath: string;
  overlay: string;
  gitEntries: string[];
}

/** The overlay's directory, under the root-owned lib directory (which --undo removes whole). */
export function gitOverlayDir(lib: string): string {
  return join(lib, 'git-exec-path');
}

/** dev:ino of a file, following symlinks. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.dev}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A test of "is this file git": the same inode as one of the binaries (a hard link, or a symlink to
 * one), or the same bytes (Debian's /usr/bin/git and /usr/lib/git-core/git are two copies once an
 * image layer has broken the hard link).
 */
function gitTest(binaries: string[]): (path: string) => boolean {
  const ids = new Set(binaries.map(identity));
  const sizes = new Set(binaries.map((b) => statSync(b).size));
  let bytes: Buffer | undefined;
  return (path) => {
    const id = identity(path);
    if (id === undefined) return false;
    if (ids.has(id)) return true;
    if (!sizes.has(statSync(path).size)) return false;
    bytes ??= readFileSync(binaries[0]);
    try {
      return readFileSync(path).equals(bytes);
    } catch {
      return false;
    }
  };
}

/** `git --exec-path` as the binary itself answers it, without a caller's GIT_EXEC_PATH. */
export function compiledExecPath(git: string): string {
  const { GIT_EXEC_PATH: _, ...env } = process.env;
  const answer = execFileSync(git, ['--exec-path'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  if (!answer.startsWith('/') || !statSync(answer).isDirectory()) throw new Error(`${git} --exec-path answered ${JSON.stringify(answer)}, not a directory`);
  return answer;
}

/**
 * Every file on this machine that is git: `run` (the first real git on PATH, or the one named), the
 * git in its exec-path, every exec-path entry that is one of those, and every `git` or `git-*` in the
 * directories of PATH that is one (/usr/bin/git-upload-pack → git).
 */
export function findGitFiles(run: string, pathVariable: string): GitFiles {
  const execPath = compiledExecPath(run);
  const binaries = [...new Set([run, join(execPath, 'git')].filter((f) => identity(f) !== undefined).map((f) => realpathSync(f)))];
  const isGit = gitTest(binaries);
  const lock = new Set(binaries);
  const gitEntries: string[] = [];
  for (const name of readdirSync(execPath).sort()) {
    if (!(name === 'git' || name.startsWith('git-'))) continue;
    const path = join(execPath, name);
    if (isShimFile(path) || !isGit(path)) continue;
    gitEntries.push(name);
    lock.add(realpathSync(path));
  }
  for (const dir of new Set(pathVariable.split(':').filter((d) => d.startsWith('/')))) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!(name === 'git' || name.startsWith('git-'))) continue;
      const path = join(dir, name);
      if (!isShimFile(path) && isGit(path)) lock.add(realpathSync(path));
    }
  }
  return { run: realpathSync(run), lock: [...lock], execPath, gitEntries };
}

/**
 * An overlay entry: the runner, told to run git (a dashed entry is `git SUB`, as git itself reads
 * `git-SUB`). exec, so that the runner's parent is whoever started the entry (internalGitCall).
 */
export function overlayEntryScript(name: string, runner: string, real: string): string {
  const words = name === 'git' ? 'git' : `git ${name.slice('git-'.length)}`;
  return `#!/bin/sh\n${shimMarker}: ${name} in the hardened exec-path overlay, standing for ${real} (chaperone harden; --undo removes it)\nexec ${runner} ${words} "$@"\n`;
}

/** Builds the overlay (root-owned, 0755) and swaps it in whole. */
export function buildGitOverlay(overlay: string, execPath: string, gitEntries: string[], runner: string): void {
  const building = `${overlay}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const names = readdirSync(execPath);
  for (const name of names) {
    const entry = join(building, name);
    if (gitEntries.includes(name)) writeFileSync(entry, overlayEntryScript(name, runner, join(execPath, name)), { mode: 0o755 });
    else symlinkSync(join(execPath, name), entry);
  }
  if (!names.includes('git')) writeFileSync(join(building, 'git'), overlayEntryScript('git', runner, join(execPath, 'git')), { mode: 0o755 });
  for (const name of readdirSync(building)) {
    if (!lstatSync(join(building, name)).isSymbolicLink()) chmodSync(join(building, name), 0o755);
  }
  chownSync(building, 0, 0);
  chmodSync(building, 0o755);
  // Swapped in whole: a git started meanwhile sees the old overlay or the new one.
  const old = `${overlay}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(overlay)) renameSync(overlay, old);
  renameSync(building, overlay);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The environment the hardened git runs with: GIT_EXEC_PATH at the overlay, unless the caller named
 * an exec-path of their own (then git finds that; the real git is not in it, and nothing in it holds a
 * group). The real exec-path counts as none: git's children would meet the locked git there.
 */
export function hardenedGitEnvironment(git: HardenedGit, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const current = env.GIT_EXEC_PATH?.replace(/(.)\/+$/, '$1');
  // A user's own chaperone overlay (src/shim/git-exec-path.ts) counts as none too: its entries run
  // the real, locked git.
  if (current && current !== git.execPath && current !== git.overlay && !existsSync(join(current, userOverlayStamp))) return env;
  return { ...env, GIT_EXEC_PATH: git.overlay };
}

/** The file that marks a user's exec-path overlay (src/shim/git-exec-path.ts). */
const userOverlayStamp = '.chaperone-overlay.json';

interface ProcessFacts {
  ppid: number;
  uid: number;
  egid: number;
}

function processFacts(pid: number): ProcessFacts | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => (new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).map(Number);
    return { ppid: field('PPid')[0], uid: field('Uid')[0], egid: field('Gid')[1] };
  } catch {
    return undefined;
  }
}

/**
 * Whether this call (`git ARGS`, run by the hardened decision with the runner's group) is one git
 * makes itself, inside a git command that was judged (see the top of this file). `ppid` is this
 * process's parent, read by the caller at start-up.
 */
export function internalGitCall(state: HardenState, args: string[], ppid: number = process.ppid): boolean {
  if (!mayBeOwnCall(args) || !state.git) return false;
  const uid = process.getuid?.();
  const git = processFacts(ppid);
  if (!git || git.uid !== uid) return false;
  const decision = processFacts(git.ppid);
  if (!decision || decision.egid !== state.gid || decision.uid !== uid) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${git.ppid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return false;
  }
  if (argv[1] !== join(state.lib, 'dist', 'shim.cjs') || argv[2] !== '--hardened' || argv[3] !== 'git') return false;
  const command = gitCommand(argv.slice(4));
  if (command === undefined || !gitsOwnCall(command, args)) return false;
  // Still the same parent and grandparent: neither died and left its pid to another process.
  return process.ppid === ppid && processFacts(ppid)?.ppid === git.ppid;
}

/** doctor --strict for git: every file that is git locked, and the overlay matching the exec-path. */
export function gitDoctor(state: HardenState): DoctorLine[] {
  const git = state.git;
  if (!git) return [];
  const lines: DoctorLine[] = [];
  const check = (ok: boolean, good: string, bad: string) => lines.push({ ok, text: ok ? good : bad });
  const again = 'run `chaperone harden` again';
  const binaries = [state.tools.git, join(git.execPath, 'git')].filter((f) => f && identity(f) !== undefined);
  let isGit: (path: string) => boolean = () => false;
  try {
    isGit = gitTest(binaries);
  } catch {
    // reported below: the binaries are missing
  }
  let names: string[] = [];
  try {
    names = readdirSync(git.execPath);
  } catch {
    check(false, '', `git: the exec-path ${git.execPath} is gone (git removed or moved?); ${again}`);
    return lines;
  }
  const candidates = [...names.filter((n) => n === 'git' || n.startsWith('git-')).map((n) => join(git.execPath, n)), ...state.locked.map((l) => l.path)];
  const open = [...new Set(candidates)]
    .filter((p) => isGit(p))
    .filter((p) => {
      const s = statSync(p);
      return !(s.uid === 0 && s.gid === state.toolsGid && (s.mode & 0o7777) === 0o750);
    });
  check(open.length === 0, `git: every git in ${git.execPath} and on PATH is root:${state.toolsGroup} 0750`, `git: ${open.join(', ')} is git and can be run by anyone (an upgrade?); ${again}`);
  const copy = state.copies.git;
  const stale = binaries.filter((b) => b !== state.tools.git && copy && !sameFile(b, copy));
  check(stale.length === 0, `git: ${git.execPath}/git is the same git as the runner's copy`, `git: ${stale.join(', ')} differs from the runner's copy ${copy} (an upgrade?); ${again}`);
  let overlay: string[] = [];
  try {
    overlay = readdirSync(git.overlay);
  } catch {
    // reported below
  }
  const missing = names.filter((n) => !overlay.includes(n));
  const routed = (n: string) => {
    try {
      return readFileSync(join(git.overlay, n), 'utf8').includes(`exec ${state.runner} git`);
    } catch {
      return false;
    }
  };
  const unrouted = names.filter((n) => isGit(join(git.execPath, n)) && overlay.includes(n) && (lstatSync(join(git.overlay, n)).isSymbolicLink() || !routed(n)));
  const wrongLinks = overlay.filter((n) => {
    try {
      return lstatSync(join(git.overlay, n)).isSymbolicLink() && readlinkSync(join(git.overlay, n)) !== join(git.execPath, n);
    } catch {
      return true;
    }
  });
  check(
    overlay.length > 0 && missing.length === 0 && unrouted.length === 0 && wrongLinks.length === 0 && routed('git'),
    `git: the overlay ${git.overlay} mirrors ${git.execPath}, and its git entries start the runner`,
    `git: the overlay ${git.overlay} does not match ${git.execPath}${missing.length ? ` (missing ${missing.slice(0, 5).join(', ')})` : ''}${unrouted.length ? ` (not through the runner: ${unrouted.slice(0, 5).join(', ')})` : ''}${wrongLinks.length ? ` (links elsewhere: ${wrongLinks.slice(0, 5).join(', ')})` : ''}; ${again}`,
  );
  return lines;
}

function sameFile(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
