// Reading the files that tools keep their targets in. Everything here only reads.

import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
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

export function cacheHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CACHE_HOME || join(homeOf(env), '.cache');
}

export function stateHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_STATE_HOME || join(homeOf(env), '.local', 'state');
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
