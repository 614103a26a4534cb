// What `git foo` runs when foo is not a command git knows: an external command `git-foo`, found in
// git's exec-path and then on PATH (git.c's execv_dashed_external, which comes before aliases). A shell
// script is read and judged as a line of its own; any other program runs unseen, except that what it
// starts by name goes through the shims (and git through the exec-path overlay), and a copy of a covered
// tool is judged as that tool by the line analysis.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { realpathOr } from '../context/files.js';
import { isShimFile } from '../shim/find-real.js';

/** How far a script is read; a longer one cannot be judged. */
const maxScript = 1024 * 1024;

export type External =
  /**
   * Part of git: a dashed link to git itself (`git-status -> git`, a built-in), or a script of git's own
   * installation (git-submodule, git-filter-branch), whose git commands come back through the shim.
   */
  | { kind: 'git'; path: string }
  | { kind: 'script'; path: string; text: string }
  | { kind: 'too-long'; path: string }
  /** A compiled program or a script in another language. */
  | { kind: 'program'; path: string };

const shells = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'posh', 'busybox']);

/** The exec-path git would use: `--exec-path=DIR`, GIT_EXEC_PATH, else the one compiled into git. */
export function execPathOf(option: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (option) return option;
  if (env.GIT_EXEC_PATH) return env.GIT_EXEC_PATH;
  return compiledExecPath(env);
}

/**
 * The exec-path compiled into the first git on PATH that is not a chaperone shim, found without running
 * it: `<prefix>/libexec/git-core` or `<prefix>/lib/git-core` beside its `bin/` (Debian, Fedora, Alpine,
 * Homebrew and Xcode all lay git out so).
 */
function compiledExecPath(env: NodeJS.ProcessEnv): string | undefined {
  const git = firstOnPath('git', env.PATH, '/', (path) => !isShimFile(path));
  return git === undefined ? undefined : execPathBeside(git);
}

export function execPathBeside(git: string): string | undefined {
  const prefix = dirname(dirname(realpathOr(git)));
  for (const dir of [join(prefix, 'libexec', 'git-core'), join(prefix, 'lib', 'git-core')]) {
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // not this layout
    }
  }
  return undefined;
}

/** The first executable regular file called `name` in the colon-separated `dirs`, that `accept` takes. */
export function firstOnPath(name: string, dirs: string | undefined, cwd: string, accept: (path: string) => boolean = () => true): string | undefined {
  for (const entry of (dirs ?? '').split(delimiter)) {
    const path = join(resolve(cwd, entry === '' ? '.' : entry), name);
    try {
      const stat = statSync(path);
      if (!stat.isFile() || (stat.mode & 0o111) === 0) continue;
    } catch {
      continue;
    }
    if (accept(path)) return path;
  }
  return undefined;
}

/** `git-<name>` as git finds it: in the exec-path, then on PATH. Undefined when there is none. */
export function findExternal(name: string, execPath: string | undefined, env: NodeJS.ProcessEnv, cwd: string): External | undefined {
  if (name.includes('/') || name === '') return undefined;
  const dirs = [...(execPath ? [execPath] : []), env.PATH ?? ''].join(delimiter);
  const path = firstOnPath(`git-${name}`, dirs, cwd);
  if (!path) return undefined;
  if (isGit(path, execPath, env) || isGitsOwn(path, env)) return { kind: 'git', path };
  const head = readHead(path);
  if (head === undefined) return { kind: 'program', path };
  if (head.includes('\0')) return { kind: 'program', path };
  const interpreter = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head);
  if (interpreter) {
    const program = interpreter[1].slice(interpreter[1].lastIndexOf('/') + 1);
    const runs = program === 'env' ? interpreter[2] : program;
    if (!runs || !shells.has(runs.slice(runs.lastIndexOf('/') + 1))) return { kind: 'program', path };
  }
  // A text file with no #! is run by a shell too (git retries a failed exec with /bin/sh).
  if (head.length >= maxScript) return { kind: 'too-long', path };
  return { kind: 'script', path, text: head };
}

/** Whether `path` is git itself: the git binary behind a dashed link, or a chaperone shim standing for it. */
function isGit(path: string, execPath: string | undefined, env: NodeJS.ProcessEnv): boolean {
  const real = realpathOr(path);
  const gits = [execPath && join(execPath, 'git'), firstOnPath('git', env.PATH, '/', (p) => !isShimFile(p))].filter((p): p is string => !!p);
  if (gits.some((g) => realpathOr(g) === real)) return true;
  return isShimFile(path);
}

/** A file of git's own installation: in the exec-path compiled into git, which only root can write. */
function isGitsOwn(path: string, env: NodeJS.ProcessEnv): boolean {
  const own = compiledExecPath(env);
  return own !== undefined && dirname(realpathOr(path)) === realpathOr(own);
}

/** An exec-path overlay chaperone made (src/shim/git-exec-path.ts): its git is a shim. */
export function isOverlay(dir: string): boolean {
  return statSync(join(dir, '.chaperone-overlay.json'), { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The first bytes of a file as latin1 text, or undefined when it cannot be read. */
function readHead(path: string, size = maxScript): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(size);
    const n = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, n).toString(size === maxScript ? 'utf8' : 'latin1');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
