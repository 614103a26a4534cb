// git commands that take history or work away, read for git.ts: an expiry date that reaches back less
// than a week, the branches `filter-branch` and `filter-repo` rewrite, and the branch checked out in
// the worktree `worktree remove --force` deletes.

import { readdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { localBranches, type GitRepo } from './git-repo.js';

// ── expiry dates ────────────────────────────────────────────────────────────────────────────────

const week = 7 * 24 * 3600 * 1000;
/** approxidate's units, in seconds; a unit may lose its last letter or gain an s (`min`, `minutes`). */
const units: [RegExp, number][] = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3600],
  [/^(d|days?)$/, 86400],
  [/^(w|weeks?)$/, 604800],
  [/^(months?)$/, 30 * 86400],
  [/^(y|years?)$/, 365 * 86400],
];

/**
 * Whether an expiry (`--expire`, `--prune`, gc.reflogExpire…) drops what was made in the last week, and
 * how it was read. git's parse_expiry_date: `now` and `all` drop everything, `never` and `false` keep
 * everything, anything else is an approxidate (`2.weeks.ago`, `1.minute.ago`, `yesterday`, a date). The
 * way back from a mistake made today is only as long as the expiry, so one under a week counts as
 * `now`. A value not read here counts as `now` too: git's approxidate reads more than this does.
 */
export function expiryDropsRecent(value: string, now = Date.now()): string | undefined {
  const text = value.trim();
  if (/^(now|all)$/i.test(text)) return text;
  if (/^(never|false)$/i.test(text)) return undefined;
  const ago = relativeSeconds(text);
  if (ago !== undefined) return ago * 1000 < week ? `${text} (under a week)` : undefined;
  // A date without its year is this year's to git, and the year 2001's to Date.parse.
  const at = /\d{4}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return `${text} (not read as a date: counted as now)`;
  return at > now - week ? `${text} (within the last week)` : undefined;
}

/** `1.week.2.days.ago`, `90 days`, `yesterday`: seconds back from now, or undefined when not relative. */
function relativeSeconds(text: string): number | undefined {
  const tokens = text.toLowerCase().split(/[\s._,]+/).filter(Boolean);
  let total = 0;
  let pending: number | undefined;
  let read = false;
  for (const token of tokens) {
    const unit = units.find(([pattern]) => pattern.test(token))?.[1];
    if (/^\d+$/.test(token) && pending === undefined) pending = Number(token);
    else if (unit !== undefined && pending !== undefined) {
      total += pending * unit;
      pending = undefined;
      read = true;
    } else if (token === 'yesterday') {
      total += 86400;
      read = true;
    } else if (token === 'ago' || token === 'today') read ||= token === 'today';
    else return undefined;
  }
  return read && pending === undefined ? total : undefined;
}

// ── rewriting history ───────────────────────────────────────────────────────────────────────────

/** What a history rewrite reaches: named branches, every branch, or the current one. */
export type Rewrites = { branches: string[]; all?: string; current?: boolean } | undefined;

/**
 * git-filter-branch's own option loop: `--force`/`-f`, `--prune-empty`, `--remap-to-ancestor` alone,
 * every other option with one value, and the rest (after an optional `--`) given to rev-parse. The
 * branches it rewrites are the positive refs among those: `--all`/`--branches` for every one, none for
 * the current branch (its `--default HEAD`).
 */
export function filterBranchRewrites(args: readonly string[]): Rewrites {
  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (['--force', '-f', '--prune-empty', '--remap-to-ancestor'].includes(arg)) i++;
    else if (arg.startsWith('-')) i += 2;
    else break;
  }
  const revs = args.slice(i);
  const all = revs.find((r) => r === '--all' || r === '--branches' || r.startsWith('--branches='));
  const branches = revs
    .filter((r) => !r.startsWith('-') && !r.startsWith('^'))
    .flatMap((r) => (r.includes('...') ? r.split('...') : r.includes('..') ? [r.slice(r.indexOf('..') + 2)] : [r]))
    .filter((r) => r !== '' && r !== 'HEAD' && r !== '@');
  const current = !all && (branches.length === 0 || revs.some((r) => r === 'HEAD' || r === '@' || /\.\.\.?$/.test(r)));
  return { branches: branches.map((b) => b.replace(/^refs\/heads\//, '')), all, current };
}

/**
 * git filter-repo rewrites every ref (`--refs` limits it) and then expires every reflog and prunes the
 * old objects at once: nothing local is left to go back to. `--dry-run` and `--analyze` write nothing.
 */
export function filterRepoRewrites(args: readonly string[]): Rewrites {
  if (args.some((a) => a === '--dry-run' || a === '--analyze')) return undefined;
  const refs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--refs=')) refs.push(args[i].slice(7));
    else if (args[i] === '--refs') while (i + 1 < args.length && !args[i + 1].startsWith('-')) refs.push(args[++i]);
  }
  if (refs.length === 0) return { branches: [], all: 'every ref (no --refs)' };
  return filterBranchRewrites(['--', ...refs]);
}

/** The branches a rewrite reaches in this repository, each a local branch (or the current one). */
export function rewrittenBranches(rewrites: NonNullable<Rewrites>, repo: GitRepo, current: string | undefined): string[] {
  if (rewrites.all) return localBranches(repo);
  const local = new Set(localBranches(repo));
  const named = rewrites.branches.filter((b) => local.has(b));
  return [...new Set([...named, ...(rewrites.current && current ? [current] : [])])];
}

// ── worktrees ──────────────────────────────────────────────────────────────────────────────────

/**
 * The linked worktree `git worktree remove <worktree>` names, as worktree.c's find_worktree finds it:
 * a unique suffix of its path (`hotfix` for ../shop-hotfix is not one; `shop-hotfix` is), or its path.
 * Returns its branch (from its HEAD) and the evidence, or undefined when none matches.
 */
export function linkedWorktree(repo: GitRepo, arg: string, cwd: string, env: NodeJS.ProcessEnv): { branch?: string; evidence: Evidence } | undefined {
  const admin = join(repo.commonDir, 'worktrees');
  let names: string[];
  try {
    names = readdirSync(admin);
  } catch {
    return undefined;
  }
  const trees = names.flatMap((name) => {
    const dotGit = readTextIfExists(join(admin, name, 'gitdir'))?.trim();
    return dotGit ? [{ name, path: dirname(resolvePath(join(admin, name), dotGit)) }] : [];
  });
  const suffix = arg.replace(/\/+$/, '');
  const bySuffix = trees.filter((t) => t.path === suffix || t.path.endsWith(`${sep}${suffix}`));
  const byPath = trees.filter((t) => t.path === resolvePath(cwd, arg));
  const found = bySuffix.length === 1 ? bySuffix[0] : byPath[0];
  if (!found) return undefined;
  const headFile = join(admin, found.name, 'HEAD');
  const head = readTextIfExists(headFile)?.trim() ?? '';
  const branch = /^ref:\s*refs\/heads\/(\S+)$/.exec(head)?.[1];
  return {
    branch,
    evidence: { source: 'file', key: 'HEAD', value: `${head || 'no such file'} (the worktree at ${displayPath(found.path, env)})`, file: displayPath(headFile, env) },
  };
}
