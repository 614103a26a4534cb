// Which covered tool a command of a line really runs, however it is spelled. By name first (`psql`,
// `/usr/bin/psql`, `PATH=/usr/bin psql`: the basename is the tool, as the shims see it). Then by what the
// file is, for a command word that is a path or a name the line's PATH resolves: the same inode as, a
// symlink to, or a byte-identical copy of a covered tool's real binary (the one on PATH behind the
// shims); a covered npm package's file (`node_modules/@railway/cli/bin/railway.js`), also when run by an
// interpreter (`node …/railway.js`, `python3 -m awscli`); or a file an earlier command of the same line
// made from one (`cp "$(command -v psql)" /tmp/p && /tmp/p …`, `ln -s /usr/bin/psql q; ./q …`, `install`,
// `mv`). None of this is on the shim's path: only the line analysis (hooks, `check --command`, nested
// lines) reads these files, and a file's bytes are hashed only when its size equals a real binary's.

import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, normalize } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { isShimFile } from '../shim/find-real.js';
import { executables, isCovered, toolOf } from '../tools/index.js';
import { packageExecutables } from './runners.js';
import { gitRemovals } from './git-rm.js';
import { reveal } from './words.js';
import { isDirectory, listDir } from '../context/files.js';

/** A real binary of a covered executable, as found on PATH. */
interface Binary {
  executable: string;
  path: string;
  dev: number;
  ino: number;
  size: number;
  hash?: string;
  dispatcher?: boolean;
}

/** What the walk of one line knows about files: real binaries (found once), and files the line made. */
export class Identities {
  private binaries?: Binary[];
  /** Absolute path → the covered executables the line made it a copy of or a link to. */
  private readonly made = new Map<string, string[]>();
  /** What fileTools found for a word, PATH and directory (a command word is asked twice: run, then emit); cleared when `made` grows. */
  private readonly found = new Map<string, string[]>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /**
   * The argv(s) to judge for this command: itself, or with its command word replaced by the covered
   * executable the file is (one argv per tool when a file is several, like PostgreSQL's pg_wrapper).
   */
  commands(argv: string[], path: string | undefined, cwd: string): string[][] {
    const [word, ...rest] = argv;
    if (word === undefined || isCovered(basename(word))) return [argv];
    // git's history rewriters run as git commands (`git filter-branch`) or as themselves, by path or on PATH.
    if (/^git-filter-(branch|repo)$/.test(basename(word))) return [['git', basename(word).slice(4), ...rest]];
    // `rm -rf` of a linked worktree or of a repository's .git: the git command it equals (git-rm.ts).
    const removes = gitRemovals(argv, cwd);
    if (removes) return [argv, ...removes];
    const interpreted = this.interpreted(word, rest, path, cwd);
    if (interpreted) return interpreted;
    const tools = this.fileTools(word, path, cwd);
    if (tools.length === 0) return [argv];
    return tools.map((tool) => dashed(tool, word, rest));
  }

  /** Records what `cp`, `ln`, `install` and `mv` make of a covered tool. Call after each command. */
  observe(words: string[], path: string | undefined, cwd: string): void {
    // A source may be `$(command -v psql)`: its text, not an unknown value, says what it is.
    const argv = words.map(reveal);
    const name = basename(argv[0] ?? '');
    if (!['cp', 'ln', 'install', 'mv', 'ginstall'].includes(name)) return;
    const { sources, target, intoDirectory } = copyOperands(name, argv.slice(1));
    if (target === undefined || sources.length === 0) return;
    const targetPath = resolve(cwd, target);
    const into = intoDirectory || sources.length > 1 || target.endsWith('/') || isDirectory(targetPath);
    for (const source of sources) {
      const tools = this.sourceTools(source, path, cwd);
      if (tools.length === 0) continue;
      this.made.set(into ? join(targetPath, basename(source)) : targetPath, tools);
      this.found.clear();
    }
  }

  /** A copy's source: `$(command -v psql)` and friends, a covered name, or a file that is a tool. */
  private sourceTools(source: string, path: string | undefined, cwd: string): string[] {
    const lookedUp = /^(?:\$\(|`)\s*(?:command\s+-v|which|type\s+-[pP]|whereis\s+-b)\s+([A-Za-z0-9_.-]+)\s*(?:\)|`)$/.exec(source.trim());
    if (lookedUp) return isCovered(lookedUp[1]) ? [lookedUp[1]] : this.fileTools(lookedUp[1], path, cwd);
    if (isCovered(basename(source))) return [basename(source)];
    return source.includes('/') ? this.fileTools(source, path, cwd) : [];
  }

  /** The covered executables a command word's file is. */
  private fileTools(word: string, path: string | undefined, cwd: string): string[] {
    const key = `${word}\0${path}\0${cwd}`;
    let tools = this.found.get(key);
    if (tools === undefined) this.found.set(key, (tools = this.lookUp(word, path, cwd)));
    return tools;
  }

  private lookUp(word: string, path: string | undefined, cwd: string): string[] {
    if (word === '' || /[\u{F0000}-\u{FFFFF}]/u.test(word)) return [];
    const file = word.includes('/') ? resolve(cwd, word) : this.onPath(word, path, cwd);
    if (file === undefined) return [];
    const made = this.made.get(file);
    if (made) return made;
    const fromPackage = packageTool(file);
    if (fromPackage) return [fromPackage];
    const stat = statOf(file);
    if (!stat?.isFile()) return [];
    const binaries = this.realBinaries();
    const same = binaries.filter((b) => b.dev === stat.dev && b.ino === stat.ino);
    const sized = same.length > 0 ? [] : binaries.filter((b) => b.size === stat.size);
    const hash = sized.length > 0 ? hashFile(file) : undefined;
    const matches = same.length > 0 ? same : sized.filter((b) => hash !== undefined && (b.hash ??= hashFile(b.path)) === hash);
    return oneTool(matches.filter((b) => !isDispatcher(b)));
  }

  /** `node FILE`, `python3 FILE`, `python3 -m awscli`: the tool the interpreter runs. */
  private interpreted(word: string, rest: string[], path: string | undefined, cwd: string): string[][] | undefined {
    const name = basename(word);
    const runtime = /^(node|nodejs|bun)$/.test(name) ? 'node' : /^python(\d+(\.\d+)?)?$/.test(name) ? 'python' : undefined;
    if (!runtime) return undefined;
    const grammar = runtime === 'node' ? nodeOptions : pythonOptions;
    let i = 0;
    for (; i < rest.length; i++) {
      const arg = rest[i];
      if (arg === '--') {
        i++;
        break;
      }
      if (!arg.startsWith('-') || arg === '-') break;
      if (grammar.code.includes(arg)) return undefined; // -e / -c: code on the command line, no file
      if (runtime === 'python' && (arg === '-m' || (arg.startsWith('-m') && arg.length > 2))) {
        const module = arg === '-m' ? rest[i + 1] : arg.slice(2);
        const tool = module !== undefined ? pythonModules[module.split('.')[0]] : undefined;
        return tool ? [[tool, ...rest.slice(arg === '-m' ? i + 2 : i + 1)]] : undefined;
      }
      if (grammar.values.includes(arg)) i++;
    }
    const script = rest[i];
    if (script === undefined) return undefined;
    const tools = isCovered(basename(script)) ? [basename(script)] : this.fileTools(script.includes('/') ? script : `./${script}`, path, cwd);
    return tools.length > 0 ? tools.map((tool) => [tool, ...rest.slice(i + 1)]) : undefined;
  }

  /** A bare name resolved through PATH as the shell would, files this line made included. */
  private onPath(name: string, path: string | undefined, cwd: string): string | undefined {
    // No file has a NUL in its name, and fs throws on one (a word from carried text can hold it).
    if (name.includes('\0')) return undefined;
    for (const entry of (path ?? '').split(delimiter)) {
      const file = join(resolve(cwd, entry === '' ? '.' : entry), name);
      if (this.made.has(file)) return file;
      const stat = statOf(file);
      if (stat?.isFile() && (stat.mode & 0o111) !== 0) return file;
    }
    return undefined;
  }

  /** Each covered executable's real binary: the first on PATH that is not a chaperone shim, found once. */
  private realBinaries(): Binary[] {
    if (this.binaries) return this.binaries;
    const binaries: Binary[] = [];
    // A directory that is on PATH twice, or under two names (/bin and /usr/bin, /sbin and /usr/sbin on
    // a merged /usr), is looked in once: a name it lacks at its first place it lacks at the second.
    // A small directory (one block) is listed; a large one (/usr/bin, a thousand names and more, each
    // made a string by a listing) is asked name by name (an access(2) each). The answer is the same
    // either way; a directory that cannot be listed is asked by name too.
    const dirs: { dir: string; names?: Set<string> }[] = [];
    const seen = new Set<string>();
    for (const dir of (this.env.PATH ?? '').split(delimiter)) {
      if (!dir.startsWith('/')) continue;
      const stat = statOf(dir);
      if (!stat?.isDirectory() || seen.has(`${stat.dev}:${stat.ino}`)) continue;
      seen.add(`${stat.dev}:${stat.ino}`);
      dirs.push({ dir: normalize(`${dir}/`), names: stat.size <= 4096 ? namesIn(dir) : undefined });
    }
    // Only a name that is there is stat'ed, and only a file small enough to be a shim is opened to look
    // for the marker. The directory is normalised once, ending in `/`: path.join on each of these
    // hundreds of names made V8 compile its normaliser with TurboFan, on a thread the exiting hook
    // waited for (more CPU than the names cost).
    for (const executable of executables) {
      for (const { dir, names } of dirs) {
        const file = dir + executable;
        if (names ? !names.has(executable) : !existsSync(file)) continue;
        const stat = statOf(file);
        if (!stat?.isFile() || (stat.size <= maxShimSize && isShimFile(file))) continue;
        binaries.push({ executable, path: file, dev: stat.dev, ino: stat.ino, size: stat.size });
        break;
      }
    }
    // Debian's pg_wrapper stands on PATH for the PostgreSQL clients; the binaries it runs are here.
    for (const version of listDir('/usr/lib/postgresql')) {
      for (const executable of ['psql', 'dropdb', 'pg_restore']) {
        const file = join('/usr/lib/postgresql', version, 'bin', executable);
        const stat = statOf(file);
        if (stat?.isFile()) binaries.push({ executable, path: file, dev: stat.dev, ino: stat.ino, size: stat.size });
      }
    }
    this.binaries = binaries;
    return binaries;
  }
}

/**
 * A file's stat, or undefined where there is none to have: no such file, a PATH entry that is a file
 * (ENOTDIR for a name under it), a directory that may not be searched (EACCES). The shell skips these.
 */
function statOf(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The names in a directory, or undefined when it cannot be listed. */
function namesIn(dir: string): Set<string> | undefined {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return undefined;
  }
}

/** A chaperone shim is a short sh script; a file larger than this is not one, and is not opened to see. */
const maxShimSize = 256 * 1024;

/** Python modules that are a covered tool (`python3 -m awscli s3 rb …`). */
const pythonModules: Record<string, string> = { awscli: 'aws' };

const nodeOptions = { code: ['-e', '--eval', '-p', '--print'], values: ['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type'] };
const pythonOptions = { code: ['-c'], values: ['-W', '-X', '--check-hash-based-pycs'] };

/** A git-<builtin> is `git <builtin>`; any other word becomes the tool's own name. */
function dashed(tool: string, word: string, rest: string[]): string[] {
  const name = basename(word);
  return tool === 'git' && name.startsWith('git-') && name.length > 4 ? ['git', name.slice(4), ...rest] : [tool, ...rest];
}

/** A file inside a covered npm package: `…/node_modules/@railway/cli/bin/railway.js` is railway. */
function packageTool(file: string): string | undefined {
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(file);
  if (!match) return undefined;
  const [, pkg, inside] = match;
  const tool = Object.hasOwn(packageExecutables, pkg) ? packageExecutables[pkg] : isCovered(pkg) ? pkg : undefined;
  if (!tool) return undefined;
  const stem = basename(inside).replace(/\.(c|m)?js$/, '');
  return dirname(inside).split('/').includes('bin') || stem === tool || executables.includes(stem) ? tool : undefined;
}

/** `cp [opts] SRC… DST`, `cp -t DIR SRC…`, `ln [-s] TARGET [LINK]`, `install [-m MODE] SRC… DST`, `mv`. */
function copyOperands(name: string, args: string[]): { sources: string[]; target?: string; intoDirectory: boolean } {
  const valued = name === 'install' || name === 'ginstall' ? ['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix', '-t', '--target-directory'] : ['-t', '--target-directory', '-S', '--suffix'];
  const operands: string[] = [];
  let directory: string | undefined;
  let noTargetDirectory = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--target-directory=')) directory = arg.slice('--target-directory='.length);
    else if (arg === '-t' || arg === '--target-directory') directory = args[++i];
    else if (arg === '-T' || arg === '--no-target-directory') noTargetDirectory = true;
    else if (valued.includes(arg)) i++;
    else if (arg.startsWith('-') && arg !== '-') continue;
    else operands.push(arg);
  }
  if (directory !== undefined) return { sources: operands, target: directory, intoDirectory: true };
  if (name === 'ln' && operands.length === 1) return { sources: operands, target: '.', intoDirectory: true };
  if (operands.length < 2) return { sources: [] , intoDirectory: false };
  return { sources: operands.slice(0, -1), target: operands.at(-1), intoDirectory: !noTargetDirectory && operands.length > 2 };
}

function hashFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    // node:crypto costs milliseconds to load, at every hook call; only a line that copies a file hashes.
    const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether a real binary is one file behind many commands, which goes by the name it is called by: a
 * sibling in its directory is the same file or the same bytes (pyenv's and asdf's shims, Debian's
 * pg_wrapper behind psql and createdb). A copy of such a file is no particular tool. git is not one:
 * its dashed siblings (git-upload-pack) are git commands, and a copy under any other name runs as git.
 */
function isDispatcher(binary: Binary): boolean {
  if (binary.executable === 'git') return false;
  if (binary.dispatcher !== undefined) return binary.dispatcher;
  const dir = dirname(binary.path);
  const own = toolOf(binary.executable);
  binary.dispatcher = listDir(dir).some((name) => {
    if (name === basename(binary.path) || toolOf(name) === own) return false;
    const stat = statOf(join(dir, name));
    if (!stat?.isFile()) return false;
    if (stat.dev === binary.dev && stat.ino === binary.ino) return true;
    return stat.size === binary.size && hashFile(join(dir, name)) === (binary.hash ??= hashFile(binary.path));
  });
  return binary.dispatcher;
}

/**
 * The executable a file is, when it is one tool's. A file that stands for several tools is a
 * dispatcher that goes by the name it is called by (Debian's pg_wrapper is psql, dropdb, createdb …):
 * there the name decides, and a name that is not covered is not a covered tool.
 */
function oneTool(matches: Binary[]): string[] {
  const tools = new Set(matches.map((b) => toolOf(b.executable)));
  return tools.size === 1 ? [matches[0].executable] : [];
}
