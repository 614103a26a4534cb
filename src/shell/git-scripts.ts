// A shell script of git's own run without git: `sh "$(git --exec-path)/git-filter-branch" …`, `bash
// FILE`, `. FILE`, `sh -c '. FILE'`, through `env`, or a copy or link of it anywhere. It does what `git
// filter-branch …` does, but git's dispatch (and so the git shim's reading of the command) never sees
// the command: only its inner git calls come back through the shims, one by one. So a file that is one
// of git's scripts is judged as the git command it is.
//
// What "is" means: the text. The file's bytes are the same as those of `git-NAME` in git's exec-path
// (GIT_EXEC_PATH as the line sets it, else the one compiled into the git behind the shims), which holds
// for the file itself, any symlink or hard link to it, and a copy anywhere (also one the line makes
// with `cp` just before: its text is known). A copy someone edited is no longer git's script: it is read
// as the shell script it is (filter-branch's own `eval`s are unknown code, gated for an agent), and the
// git calls it makes still meet the shims (`update-ref` of a protected branch: git.ref.rewind).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execPathOf } from '../tools/git-external.js';

/** A script of git's exec-path, by its size: only a file of one of these sizes is compared. */
interface Scripts {
  dir: string;
  bySize: Map<number, string[]>;
}

const known = new Map<string, Scripts>();
/** A script of git is small; the git binary and its hard links (git-add, git-push …) are not read. */
const maxScript = 512 * 1024;

function scriptsIn(dir: string): Scripts {
  let scripts = known.get(dir);
  if (scripts) return scripts;
  scripts = { dir, bySize: new Map() };
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no such exec-path: nothing is git's
  }
  for (const name of names) {
    if (!name.startsWith('git-')) continue;
    try {
      const stat = statSync(join(dir, name));
      if (!stat.isFile() || stat.size > maxScript || stat.size === 0) continue;
      scripts.bySize.set(stat.size, [...(scripts.bySize.get(stat.size) ?? []), name]);
    } catch {
      // a dangling link
    }
  }
  known.set(dir, scripts);
  return scripts;
}

/** The git command (`filter-branch`) whose script of git's own `text` is, or undefined. */
export function gitScriptOf(text: string, lookup: (name: string) => string | undefined): string | undefined {
  const size = Buffer.byteLength(text);
  if (size === 0 || size > maxScript || !text.startsWith('#!')) return undefined;
  const env = { PATH: lookup('PATH'), GIT_EXEC_PATH: lookup('GIT_EXEC_PATH') };
  const dirs = new Set([execPathOf(undefined, env), execPathOf(undefined, { PATH: env.PATH })].filter((d): d is string => !!d));
  for (const dir of dirs) {
    for (const name of scriptsIn(dir).bySize.get(size) ?? []) {
      try {
        if (readFileSync(join(dir, name), 'utf8') === text) return basename(name).slice('git-'.length);
      } catch {
        // gone since it was listed
      }
    }
  }
  return undefined;
}

/**
 * The arguments a sourced script gets: its own words after the file, else the caller's positional
 * parameters; when those are not known, for filter-branch `-- --all`, the widest rewrite there is.
 */
export function sourcedArguments(command: string, args: string[], lookup: (name: string) => string | undefined): string[] {
  if (args.length > 0) return args;
  const count = lookup('#') === undefined ? Number.NaN : Number(lookup('#'));
  if (!Number.isInteger(count) || count < 0) return command === 'filter-branch' ? ['--', '--all'] : [];
  return Array.from({ length: count }, (_, i) => lookup(String(i + 1)) ?? '');
}

/**
 * A file named from git's exec-path as the line spells it, `$(git --exec-path)/git-filter-branch` (or
 * with backticks, or through a variable holding it): the path it names, or undefined. `revealed` is the
 * word's text with what is not known shown as written (words.ts's reveal).
 */
export function execPathFile(revealed: string, lookup: (name: string) => string | undefined): string | undefined {
  const m = /^(?:\$\(\s*git\s+--exec-path\s*\)|`\s*git\s+--exec-path\s*`)(\/[^$`"'\s]*)$/.exec(revealed.replace(/"/g, ''));
  if (!m) return undefined;
  const dir = execPathOf(undefined, { PATH: lookup('PATH'), GIT_EXEC_PATH: lookup('GIT_EXEC_PATH') });
  return dir === undefined ? undefined : join(dir, m[1]);
}
