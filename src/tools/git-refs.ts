// Branches moved by hand, read for git.ts: `update-ref`, `symbolic-ref`, `branch -f`/`-M`/`-C`,
// `checkout -B`, `switch -C` and `reset` can set a branch to any commit. Moved to a commit that
// contains its tip (a fast-forward), nothing is lost; moved anywhere else, the commits only the old tip
// reached are left to the reflog, exactly as a forced update or `reset --hard` leaves them, and the
// next `gc` after the reflog's expiry takes them. A protected branch is production's history, so such
// a move is judged like its porcelain equivalent whichever command spells it.
//
// Whether a move is a fast-forward needs the commit graph, which only git reads well (loose and packed
// objects, deltas, commit-graph files, every revision syntax: `main~2`, `@{u}`, `:/message`). So the real
// git behind the shims is asked, read-only: `rev-parse --verify` for each side and `merge-base
// --is-ancestor`. It runs with replace refs and grafts off (either could fake a parent and make a
// rewind look like a fast-forward), no lazy fetch, no optional locks, no prompt; and never in a
// repository with a promisor remote, where asking for a missing object would fetch it through the
// transport the repository's own config names. Anything it cannot answer is counted as a rewind.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Evidence } from '../model.js';
import { existsSync } from 'node:fs';
import { isDirectory, readTextIfExists } from '../context/files.js';
import { isShimFile } from '../shim/find-real.js';
import { firstOnPath } from './git-external.js';
import { isTrue, type GitConfig, type GitRepo, type Head } from './git-repo.js';

/** One branch a command sets, to a revision as typed (undefined: the command does not say, like `update-ref --stdin`). */
export interface Move {
  branch: string;
  to?: string;
  /** The command words that move it, for the evidence. */
  by: string;
}

/** A move judged: it rewinds (or may), with the evidence that says so. */
export interface Rewind {
  branch: string;
  evidence: Evidence;
}

/** What the judge needs of the world: the repository, its config, HEAD, and the caller's environment. */
export interface RefWorld {
  repo: GitRepo;
  head: Head | undefined;
  config: GitConfig;
  env: NodeJS.ProcessEnv;
  dir: string;
}

/** The branch a ref names: `refs/heads/x`, or a symbolic ref under refs/heads that points at one; `HEAD` is the current branch. */
export function branchOfRef(ref: string, world: Pick<RefWorld, 'repo' | 'head'>, deref = true): string | undefined {
  if (ref === 'HEAD' || ref === '@') return deref && world.head?.kind === 'branch' ? world.head.branch : undefined;
  if (!ref.startsWith('refs/heads/')) return undefined;
  let name = ref;
  // `git symbolic-ref refs/heads/alias refs/heads/main` makes a write to alias a write to main.
  for (let i = 0; deref && i < 5; i++) {
    const text = readTextIfExists(join(world.repo.commonDir, name), 4096)?.trim();
    const target = text && /^ref:\s*(refs\/heads\/\S+)$/.exec(text)?.[1];
    if (!target) break;
    name = target;
  }
  return name.slice('refs/heads/'.length);
}

/** Each move that does not keep the branch's tip in its history, or may not. */
export function rewinds(moves: Move[], world: RefWorld): Rewind[] {
  const out: Rewind[] = [];
  for (const move of moves) {
    const verdict = judge(move, world);
    if (verdict) out.push({ branch: move.branch, evidence: { source: 'argument', key: move.by, value: verdict } });
  }
  return out;
}

/** Why a move rewinds the branch, or undefined when it does not (a new branch, the same commit, a fast-forward). */
function judge(move: Move, world: RefWorld): string | undefined {
  const what = `moves branch ${move.branch}`;
  if (move.to === undefined) return `${what} to commits it does not name here: counted as not a fast-forward`;
  if (!refMayExist(world.repo, move.branch)) return undefined; // no such branch yet: it is created
  const git = askGit(world);
  if (typeof git === 'string') return `${what} to ${move.to}; whether that keeps its commits is not known (${git}): counted as not a fast-forward`;
  const old = git(['rev-parse', '--verify', '-q', `refs/heads/${move.branch}^{commit}`]);
  if (old.status === 1 && old.stdout === '') return undefined; // no such branch yet: it is created
  if (old.status !== 0) return `${what}; its current tip could not be read (${old.why}): counted as not a fast-forward`;
  if (move.to.startsWith('-')) return `${what} to ${move.to}, which is not read as a revision: counted as not a fast-forward`;
  const to = git(['rev-parse', '--verify', '-q', `${move.to}^{commit}`]);
  if (to.status !== 0) return `${what} to ${move.to}, which is not a commit here (${to.why || 'no such revision'}): counted as not a fast-forward`;
  if (to.stdout === old.stdout) return undefined;
  const ancestor = git(['merge-base', '--is-ancestor', old.stdout, to.stdout]);
  if (ancestor.status === 0) return undefined;
  const short = (sha: string) => sha.slice(0, 12);
  if (ancestor.status === 1) return `${what} from ${short(old.stdout)} to ${move.to} (${short(to.stdout)}), which does not contain ${short(old.stdout)}: not a fast-forward`;
  return `${what} from ${short(old.stdout)} to ${move.to}; whether that keeps its commits is not known (${ancestor.why}): counted as not a fast-forward`;
}

/** Whether refs/heads/BRANCH may exist: a loose ref or a packed one, or a ref store files do not show (reftable). */
function refMayExist(repo: GitRepo, branch: string): boolean {
  if (isDirectory(join(repo.commonDir, 'reftable'))) return true;
  if (existsSync(join(repo.commonDir, 'refs', 'heads', branch))) return true;
  const packed = readTextIfExists(join(repo.commonDir, 'packed-refs')) ?? '';
  return packed.split('\n').some((line) => line.endsWith(` refs/heads/${branch}`));
}

/** Whether `rev` names a commit here; undefined when git cannot be asked. */
export function namesCommit(rev: string, world: RefWorld): boolean | undefined {
  const git = askGit(world);
  if (typeof git === 'string' || rev.startsWith('-')) return undefined;
  const answer = git(['rev-parse', '--verify', '-q', `${rev}^{commit}`]);
  return answer.status === 0 ? true : answer.status === 1 ? false : undefined;
}

type Answer = { status: number | null; stdout: string; why: string };

/** A read-only git call in the repository, or why there can be none. */
function askGit(world: RefWorld): ((args: string[]) => Answer) | string {
  const { repo, config, env, dir } = world;
  const promisor = config.entries.find((e) => (e.key === 'extensions.partialclone' && e.value !== '') || (/^remote\..+\.promisor$/.test(e.key) && isTrue(e.value)));
  if (promisor) return `${promisor.key} is set: asking git about a missing commit would fetch it`;
  const binary = firstOnPath('git', env.PATH, dir, (path) => !isShimFile(path));
  if (!binary) return 'no git found on PATH';
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const callEnv: NodeJS.ProcessEnv = { ...env, GIT_DIR: repo.gitDir, GIT_NO_REPLACE_OBJECTS: '1', GIT_GRAFT_FILE: join(repo.gitDir, 'chaperone-no-grafts'), GIT_NO_LAZY_FETCH: '1', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', CHAPERONE_DEPTH: '1' };
  delete callEnv.GIT_WORK_TREE;
  delete callEnv.GIT_EXEC_PATH;
  return (args) => {
    const out = spawnSync(binary, args, { cwd: dir, env: callEnv, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    const said = out.error ? out.error.message : (out.stderr ?? '').trim().split('\n')[0] ?? '';
    const status = out.error ? null : out.status;
    return { status, stdout: (out.stdout ?? '').trim(), why: said || (status === 1 ? '' : `git ${args[0]} ended with ${out.status ?? out.signal}`) };
  };
}
