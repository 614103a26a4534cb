// Reading the files that tools keep their targets in. Everything here only reads.

import { readFileSync, realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The file's text, or undefined when it does not exist. Other errors (permissions) are thrown. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return undefined;
    }
    throw error;
  }
}

export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function configHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CONFIG_HOME || join(homeOf(env), '.config');
}

export function dataHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME || join(homeOf(env), '.local', 'share');
}

export function stateHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_STATE_HOME || join(homeOf(env), '.local', 'state');
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

/** The directory and each of its ancestors, nearest first. */
export function ancestors(dir: string): string[] {
  const out: string[] = [];
  let current = dir;
  for (;;) {
    out.push(current);
    const parent = current.replace(/\/[^/]*$/, '') || '/';
    if (parent === current) return out;
    current = parent;
  }
}
