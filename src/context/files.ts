// Reading the files that tools keep their targets in. Everything here only reads.

import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { resolvePath } from './os-path.js';
import { EnvironmentFault } from '../errors.js';
import { hardenState, hardenedStoreDir } from '../harden/system.js';

/** No config file chaperone reads is near this size; a larger one is a mistake, not a config. */
export const maxConfigBytes = 16 * 1024 * 1024;

/**
 * The text of a config file, or undefined when it does not exist. It never blocks and never reads
 * without bound: only a regular file is read (a FIFO would hang every wrapped command, a device never
 * end), opened non-blocking so that finding out costs nothing. Anything else that stops it being read
 * is an EnvironmentFault that names the file and the fix. `latin1` gives each byte as one character,
 * for a reader that finds ASCII in the bytes and decodes only what it needs.
 */
export function readTextIfExists(path: string, maxBytes = maxConfigBytes, encoding: 'utf8' | 'latin1' = 'utf8'): string | undefined {
  return readIfExists(path, maxBytes, encoding);
}

/** readTextIfExists, the bytes undecoded (a large rules file compared with its cache byte for byte). */
export function readBytesIfExists(path: string, maxBytes = maxConfigBytes): Buffer | undefined {
  return readIfExists(path, maxBytes, undefined);
}

function readIfExists(path: string, maxBytes: number, encoding: 'utf8' | 'latin1'): string | undefined;
function readIfExists(path: string, maxBytes: number, encoding: undefined): Buffer | undefined;
function readIfExists(path: string, maxBytes: number, encoding: 'utf8' | 'latin1' | undefined): string | Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES' || code === 'EPERM') throw new EnvironmentFault(path, 'permission denied', `make it readable by you (chmod u+r ${path}), or remove it`);
    if (code === 'ELOOP') throw new EnvironmentFault(path, 'a symbolic link that loops', `remove the link (rm ${path})`);
    throw new EnvironmentFault(path, (error as Error).message, `check the file, or remove it`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new EnvironmentFault(path, 'it is a directory, where a file is expected', `remove or rename the directory`);
    if (!stat.isFile()) throw new EnvironmentFault(path, 'it is not a regular file (a FIFO, socket or device)', `replace it with a regular file, or remove it`);
    if (stat.size > maxBytes) throw new EnvironmentFault(path, `it is ${stat.size} bytes, larger than any config file (limit ${maxBytes})`, `check what wrote it, and remove or shorten it`);
    return encoding === undefined ? readFileSync(fd) : readFileSync(fd, encoding);
  } catch (error) {
    if (error instanceof EnvironmentFault) throw error;
    throw new EnvironmentFault(path, (error as Error).message, `check the file, or remove it`);
  } finally {
    closeSync(fd);
  }
}

// These directories come from variables the caller sets: a `..` in one is the kernel's (os-path.ts),
// since every file under them is found by joining names to them.
export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME ? resolvePath(env.HOME) : homedir();
}

export function configHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CONFIG_HOME ? resolvePath(env.XDG_CONFIG_HOME) : join(homeOf(env), '.config');
}

export function dataHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME ? resolvePath(env.XDG_DATA_HOME) : join(homeOf(env), '.local', 'share');
}

export function stateHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_STATE_HOME ? resolvePath(env.XDG_STATE_HOME) : join(homeOf(env), '.local', 'state');
}

/**
 * Set to true only in the test bundle (dist-test/) and under vitest; the shipped dist/ is built with
 * false, so the branch that reads the test variable below is not even in it.
 */
declare const CHAPERONE_TEST_BUILD: boolean;

/**
 * The account's home as the system records it (the passwd entry, not HOME). chaperone's own files
 * (the user's rules, the PIN, the approval store, the audit log) live under it, because everything in
 * the caller's environment is the caller's to choose: with XDG_CONFIG_HOME=/tmp/x an agent would skip
 * a PIN, with XDG_STATE_HOME=/tmp/x it would read approvals it wrote itself, and with a rules.yaml of
 * its own it could allow everything.
 *
 * Tests need their own store. They cannot get it from a variable the shipped CLI reads (an agent would
 * set it too), nor from another real account per test (users would pile up, and every double and
 * sandbox would change owner). So the test bundle, built from the same source with
 * CHAPERONE_TEST_BUILD=true, takes CHAPERONE_TEST_ACCOUNT_HOME, or else the old HOME/XDG lookup that
 * unit tests rely on; the shipped bundle has neither (test/unit/account-home.test.ts reads dist/ to
 * prove it).
 */
export function accountHome(env: NodeJS.ProcessEnv): string {
  if (CHAPERONE_TEST_BUILD) return env.CHAPERONE_TEST_ACCOUNT_HOME || homeOf(env);
  try {
    return userInfo().homedir;
  } catch {
    return homedir(); // an account with no passwd entry (some containers): HOME is all there is
  }
}

/** ~/.config/chaperone of the account (see accountHome). */
export function chaperoneConfigDir(env: NodeJS.ProcessEnv): string {
  if (CHAPERONE_TEST_BUILD && !env.CHAPERONE_TEST_ACCOUNT_HOME) return join(configHome(env), 'chaperone');
  return join(accountHome(env), '.config', 'chaperone');
}

/** ~/.local/state/chaperone of the account (see accountHome). */
export function chaperoneStateDir(env: NodeJS.ProcessEnv): string {
  // On a hardened machine the store is root's, per user, writable only through the runner (src/harden/).
  const hardened = hardenState();
  if (hardened) return hardenedStoreDir(hardened);
  if (CHAPERONE_TEST_BUILD && !env.CHAPERONE_TEST_ACCOUNT_HOME) return join(stateHome(env), 'chaperone');
  return join(accountHome(env), '.local', 'state', 'chaperone');
}

/** A path as a human would write it: the home directory shown as ~. */
export function displayPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = homeOf(env);
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

export function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The directory and each of its ancestors, nearest first, as a tool started there finds them: its
 * working directory is the directory the path leads to (getcwd gives it with no link in it), and its
 * parents are that directory's, not the text's (`cd link` in a checked line, `git -C link`).
 */
export function ancestors(dir: string): string[] {
  const out: string[] = [];
  let current = dir;
  try {
    current = realpathSync.native(dir);
  } catch {
    // not there: the tool cannot start there either; the text is all there is
  }
  for (;;) {
    out.push(current);
    const parent = current.replace(/\/[^/]*$/, '') || '/';
    if (parent === current) return out;
    current = parent;
  }
}

/** Whether `path` is a directory (following links); false for anything that cannot be looked at. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The names in a directory; none when it cannot be read. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
