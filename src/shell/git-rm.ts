// `rm -rf` of what git keeps: a linked worktree (`rm -rf ../shop-main`) loses its uncommitted and
// untracked files exactly as `git worktree remove --force` does, and a repository's `.git` (or the
// main worktree holding it) loses every local branch, with its reflog, as `git branch -D` of each does.
// rm is no covered tool and has no shim (it would sit in front of every build); the line analysis judges
// such an rm as the git command that equals it, on the branches it reaches, so an agent refused `git
// worktree remove --force` meets the same answer with rm. Only a recursive rm of the worktree or `.git`
// itself is read: removing what is inside (`rm -rf shop/*`) or files one by one is not.

import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isDirectory, readTextIfExists } from '../context/files.js';
import { localBranches } from '../tools/git-repo.js';
import { isKnown } from './words.js';

/** The git commands an `rm` equals, or undefined when it removes nothing git keeps. */
export function gitRemovals(argv: readonly string[], cwd: string): string[][] | undefined {
  if (basename(argv[0] ?? '') !== 'rm') return undefined;
  const { recursive, operands } = readRm(argv.slice(1));
  if (!recursive) return undefined;
  const commands: string[][] = [];
  for (const operand of operands) {
    if (!isKnown(operand) || operand === '') continue;
    const path = resolve(cwd, operand);
    const linked = linkedWorktreeTop(path);
    if (linked) commands.push(['git', '-C', path, 'worktree', 'remove', '--force', path]);
    const gitDir = basename(path) === '.git' && isDirectory(path) ? path : isDirectory(join(path, '.git')) ? join(path, '.git') : undefined;
    if (gitDir && isGitDir(gitDir)) {
      const branches = localBranches({ gitDir, commonDir: gitDir, evidence: { source: 'default', key: 'repository', value: gitDir } });
      if (branches.length > 0) commands.push(['git', '-C', dirname(gitDir), 'branch', '-D', ...branches]);
    }
  }
  return commands.length > 0 ? commands : undefined;
}

/** rm's options (GNU and BSD): -r, -R, --recursive make it recursive; `--` ends them. */
function readRm(args: readonly string[]): { recursive: boolean; operands: string[] } {
  let recursive = false;
  const operands: string[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg === '--') options = false;
    else if (options && arg.startsWith('--')) recursive ||= arg === '--recursive' || ('--recursive'.startsWith(arg) && arg.length > 3);
    else if (options && arg.startsWith('-') && arg !== '-') recursive ||= /[rR]/.test(arg);
    else operands.push(arg);
  }
  return { recursive, operands };
}

/** A linked worktree's top directory: its `.git` is a file naming `<repo>/.git/worktrees/<name>`. */
function linkedWorktreeTop(path: string): boolean {
  const dotGit = join(path.replace(/\/+$/, ''), '.git');
  if (isDirectory(dotGit) || !existsSync(dotGit)) return false;
  const target = /^gitdir:\s*(.+?)\s*$/m.exec(readTextIfExists(dotGit, 4096) ?? '')?.[1];
  return target !== undefined && /\/worktrees\/[^/]+\/?$/.test(resolve(path, target));
}

function isGitDir(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && isDirectory(join(dir, 'refs'));
}
