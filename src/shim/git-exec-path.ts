// git's children bypass PATH shims: git puts its exec-path (`git --exec-path`, e.g. /usr/lib/git-core)
// first on PATH for everything it starts, so a `git` inside an alias, a hook or an external command
// finds the real git there, not the shim. The git shim therefore runs the real git with GIT_EXEC_PATH
// pointing at an overlay: a directory chaperone keeps beside the shims, holding a symlink to every entry
// of the real exec-path, except `git` and the dashed links to it (git-push, git-reset …), which are
// shims that judge the call and then run the real entry. git reads its helpers (git-sh-setup,
// mergetools/, git-remote-https) through the symlinks as before.
//
// What git and its children see differently: GIT_EXEC_PATH (which git itself exports to every child
// anyway) names the overlay instead of the real exec-path, and PATH starts with the overlay. A user's
// own GIT_EXEC_PATH is wrapped, not replaced: the overlay then mirrors that directory.
//
// Layout, under the shim directory: `.git-exec-path/index.json` remembers each real git's compiled
// exec-path (keyed by the binary and its inode, size and mtime, so an upgrade asks again), and
// `.git-exec-path/<name>/` is the overlay of one exec-path, rebuilt when that directory changes.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { shimScript } from '../cli/shims.js';
import { execPathBeside } from '../tools/git-external.js';
import { shellQuote as q } from '../tools/shell-words.js';
import { isDirectory } from '../context/files.js';

/** The directory under the shim directory that holds the overlays. */
export const overlaysDir = '.git-exec-path';
/** The file in an overlay that says which exec-path it mirrors, and as of when. */
const stampFile = '.chaperone-overlay.json';

interface Stamp {
  execPath: string;
  mtimeMs: number;
  /** The shape of the entries: an overlay written by an older chaperone is rebuilt (format 2: git's own calls, git-own-calls.ts; 3: without `worktree`, which a rule reaches now; 4: NODE_OPTIONS set aside before the decision, src/shim/set-aside.ts; 5: without `symbolic-ref`, which git.ref.rewind reaches). */
  format?: number;
}

const format = 5;

/**
 * The environment the real git gets: `env` with GIT_EXEC_PATH at the overlay of the exec-path git would
 * use. An exec-path that already is an overlay is kept. Throws a UserError when no overlay can be made:
 * without it, what git starts would not come back through chaperone.
 */
export function withOverlay(realGit: string, root: string, env: NodeJS.ProcessEnv, shim: { node: string; entry: string }, fallback?: string): NodeJS.ProcessEnv {
  const current = env.GIT_EXEC_PATH;
  if (current && readStamp(current)) return env;
  try {
    // `fallback`: an overlay entry knows the exec-path it mirrors, and never asks the file it stands for
    // (`git-push --exec-path` would push).
    const execPath = current || fallback || compiledExecPath(realGit, root, env);
    const overlay = ensureOverlay(execPath, root, realGit, shim);
    return { ...env, GIT_EXEC_PATH: overlay };
  } catch (error) {
    throw new UserError(
      `chaperone: git did not run: the exec-path overlay in ${root} could not be prepared (${(error as Error).message}). ` +
        `Without it, what git starts (aliases, hooks, git-foo commands) would bypass chaperone. ` +
        `Make ${root} writable, or run \`chaperone install git\` again.`,
    );
  }
}

/** `git --exec-path` of this git binary, remembered in index.json until the binary changes. */
function compiledExecPath(realGit: string, root: string, env: NodeJS.ProcessEnv): string {
  const stat = statSync(realGit);
  const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  const indexFile = join(root, 'index.json');
  let index: Record<string, { key: string; execPath: string }> = {};
  try {
    index = JSON.parse(readFileSync(indexFile, 'utf8'));
  } catch {
    // none yet, or unreadable: ask git
  }
  const known = index[realGit];
  if (known?.key === key && known.execPath) return known.execPath;
  const { GIT_EXEC_PATH: _, ...rest } = env;
  const out = spawnSync(realGit, ['--exec-path'], { env: rest, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const answer = out.status === 0 ? out.stdout.trim() : '';
  // A git that cannot say (a wrapper script, a test double): the usual layout, else none at all, and
  // the overlay is then just the git shim.
  const execPath = (isDirectory(answer) ? answer : undefined) ?? execPathBeside(realGit) ?? '';
  index[realGit] = { key, execPath };
  mkdirSync(root, { recursive: true });
  writeAtomically(indexFile, `${JSON.stringify(index, null, 2)}\n`);
  return execPath;
}

/** The overlay of `execPath`, rebuilt when the exec-path changed since it was made. */
export function ensureOverlay(execPath: string, root: string, realGit: string, shim: { node: string; entry: string }): string {
  const overlay = join(root, execPath ? overlayName(execPath) : overlayName(`none:${realGit}`));
  const mtimeMs = execPath ? statSync(execPath).mtimeMs : 0;
  const stamp = readStamp(overlay);
  if (stamp && stamp.execPath === execPath && stamp.mtimeMs === mtimeMs && stamp.format === format) return overlay;
  buildOverlay(execPath, overlay, realGit, mtimeMs, shim);
  return overlay;
}

function readStamp(dir: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, stampFile), 'utf8')) as Stamp;
    return typeof stamp.execPath === 'string' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** A readable, collision-safe directory name for an exec-path. */
function overlayName(execPath: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < execPath.length; i++) hash = Math.imul(hash ^ execPath.charCodeAt(i), 0x01000193) >>> 0;
  return `${execPath.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+/, '').slice(-60)}-${hash.toString(16).padStart(8, '0')}`;
}

function buildOverlay(execPath: string, overlay: string, realGit: string, mtimeMs: number, shim: { node: string; entry: string }): void {
  const building = `${overlay}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  // A dashed link to git (git-push -> git), by symlink or hard link.
  const identity = (path: string) => {
    try {
      const s = statSync(path);
      return `${s.dev}:${s.ino}`;
    } catch {
      return undefined;
    }
  };
  const candidates = [...(execPath ? [join(execPath, 'git')] : []), realGit];
  const gits = new Set(candidates.map(identity).filter((id) => id !== undefined));
  const isGit = (path: string) => gits.has(identity(path) ?? '');
  const gitBinaries = [...new Set(candidates.filter((path) => identity(path) !== undefined))];
  const names = execPath ? readdirSync(execPath) : [];
  for (const name of names) {
    const path = join(execPath, name);
    if (name === 'git' || (name.startsWith('git-') && isGit(path))) writeShim(join(building, name), path, gitBinaries, shim);
    else symlinkSync(path, join(building, name));
  }
  // An exec-path without its own git binary still needs one: the overlay's git is a shim of the real one.
  if (!names.includes('git')) writeShim(join(building, 'git'), realGit, gitBinaries, shim);
  writeFileSync(join(building, stampFile), `${JSON.stringify({ execPath, mtimeMs, format } satisfies Stamp)}\n`);
  // Swap it in whole: a git started meanwhile sees the old overlay or the new one, never half of one.
  const old = `${overlay}.old-${process.pid}`;
  try {
    renameSync(overlay, old);
  } catch {
    // there was none
  }
  try {
    renameSync(building, overlay);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!readStamp(overlay)) throw error; // another git built it first: use theirs
  }
  rmSync(old, { recursive: true, force: true });
}

/**
 * An overlay entry: a shim told which real file it stands for. A call whose parent process is git itself
 * is git's own (`git stash` runs `git reset --hard -q`, a fetch runs index-pack and rev-list): it runs
 * the real file at once, without Node. Only what git starts through another process (a hook, an alias's
 * shell, an external command, a pager) comes back to be judged. Where /proc is missing, every call is.
 */
function writeShim(path: string, real: string, gitBinaries: string[], shim: { node: string; entry: string }): void {
  writeFileSync(path, shimScript(basename(path), shim.node, shim.entry, [], { real, gitBinaries }), { mode: 0o755 });
  chmodSync(path, 0o755);
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** The overlay root for a shim directory. */
export function overlayRoot(shimDir: string): string {
  return join(shimDir, overlaysDir);
}

/** The exec-path the overlay holding this entry mirrors. */
export function mirroredBy(entryPath: string): string | undefined {
  return readStamp(dirname(entryPath))?.execPath;
}

/** The overlay root an overlay entry lives in: `<shims>/.git-exec-path/<overlay>/<entry>`. */
export function rootOfEntry(entryPath: string): string {
  return dirname(dirname(entryPath));
}

/**
 * The sh a fast git call runs before its exec (src/shim/fast-path.ts): GIT_EXEC_PATH at this overlay,
 * when the caller set none, the git found is the one it was built for, and neither that git nor its
 * exec-path changed since; otherwise `break`, and Node decides (and rebuilds the overlay).
 */
export function fastPathGuard(realGit: string, overlay: string): string[] {
  const stamp = join(overlay, stampFile);
  const execPath = readStamp(overlay)?.execPath;
  const fresh = [realGit, ...(execPath ? [execPath] : [])].map((path) => `! [ ${q(path)} -nt ${q(stamp)} ]`).join(' && ');
  return [
    `if [ -z "\${GIT_EXEC_PATH+x}" ] && [ "$chaperone_p/git" = ${q(realGit)} ] && [ -f ${q(stamp)} ] && ${fresh}; then GIT_EXEC_PATH=${q(overlay)}; export GIT_EXEC_PATH; else break; fi`,
  ];
}
