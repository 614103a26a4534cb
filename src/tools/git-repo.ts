// What git itself reads before it acts, read the same way and only read: where the repository is
// (-C, --git-dir, GIT_DIR, a .git directory or a .git file of a linked worktree, a bare repository),
// which branch HEAD names, which local branches exist, and the configuration (system, global, the
// repository's, GIT_CONFIG_COUNT, GIT_CONFIG_PARAMETERS and -c, the later overriding the earlier), with
// the files it includes.

import { existsSync, readdirSync, realpathSync } from 'node:fs';
import picomatch from 'picomatch';
import { dirname, isAbsolute, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence } from '../model.js';
import { ancestors, configHome, displayPath, homeOf, isDirectory, readTextIfExists, realpathOr } from '../context/files.js';
import { isShimFile } from '../shim/find-real.js';
import { firstOnPath } from './git-external.js';
import { splitWords } from './shell-words.js';

export interface GitRepo {
  /** The directory that holds HEAD: `.git`, or `.git/worktrees/<name>` for a linked worktree. */
  gitDir: string;
  /** Where refs, packed-refs and config live: the main repository's git directory. */
  commonDir: string;
  /** How the repository was found. */
  evidence: Evidence;
  /** The top-level directory of its working tree (where a `!` alias runs); none for a bare repository. */
  workTree?: string;
}

/** Finds the repository git would use when run in `dir` with this --git-dir option and env. */
export function locateRepo(dir: string, gitDirOption: string | undefined, env: NodeJS.ProcessEnv): GitRepo | undefined {
  const explicit = gitDirOption ?? env.GIT_DIR;
  if (explicit) {
    const gitDir = resolvePath(dir, explicit);
    const evidence: Evidence =
      gitDirOption !== undefined ? { source: 'flag', key: '--git-dir', value: gitDirOption } : { source: 'env', key: 'GIT_DIR', value: explicit };
    // With GIT_DIR and no work tree named, git takes the current directory as the top level.
    return { gitDir, commonDir: commonDirOf(gitDir), evidence, workTree: env.GIT_WORK_TREE ? resolvePath(dir, env.GIT_WORK_TREE) : dir };
  }
  for (const candidate of ancestors(dir)) {
    const dotGit = join(candidate, '.git');
    if (isDirectory(dotGit)) {
      return { gitDir: dotGit, commonDir: commonDirOf(dotGit), evidence: { source: 'default', key: 'repository', value: displayPath(dotGit, env) }, workTree: candidate };
    }
    const linked = gitFileTarget(dotGit);
    if (linked) {
      return { gitDir: linked, commonDir: commonDirOf(linked), evidence: { source: 'file', key: 'gitdir', value: displayPath(linked, env), file: displayPath(dotGit, env) }, workTree: candidate };
    }
    if (isBareRepository(candidate)) {
      return { gitDir: candidate, commonDir: commonDirOf(candidate), evidence: { source: 'default', key: 'repository', value: `${displayPath(candidate, env)} (bare)` } };
    }
  }
  return undefined;
}

/** A linked worktree's `.git` is a file: `gitdir: /repo/.git/worktrees/name`. */
function gitFileTarget(path: string): string | undefined {
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch {
    return undefined;
  }
  const target = /^gitdir:\s*(.+?)\s*$/m.exec(text ?? '')?.[1];
  return target ? resolvePath(dirname(path), target) : undefined;
}

function isBareRepository(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && isDirectory(join(dir, 'objects')) && isDirectory(join(dir, 'refs'));
}

function commonDirOf(gitDir: string): string {
  const common = readTextIfExists(join(gitDir, 'commondir'))?.trim();
  return common ? resolvePath(gitDir, common) : gitDir;
}

export type Head = { kind: 'branch'; branch: string; evidence: Evidence } | { kind: 'detached' | 'missing'; evidence: Evidence };

/** The branch HEAD names, as the HEAD file says. */
export function readHead(repo: GitRepo, env: NodeJS.ProcessEnv): Head {
  const file = join(repo.gitDir, 'HEAD');
  const shown = displayPath(file, env);
  const text = readTextIfExists(file)?.trim();
  if (!text) return { kind: 'missing', evidence: { source: 'file', key: 'HEAD', value: 'no such file', file: shown } };
  const ref = /^ref:\s*(\S+)$/.exec(text)?.[1];
  if (ref?.startsWith('refs/heads/')) return { kind: 'branch', branch: ref.slice('refs/heads/'.length), evidence: { source: 'file', key: 'HEAD', value: text, file: shown } };
  return { kind: 'detached', evidence: { source: 'file', key: 'HEAD', value: `${text} (detached: no branch)`, file: shown } };
}

/** Every local branch: loose refs under refs/heads and those in packed-refs. */
export function localBranches(repo: GitRepo): string[] {
  const names = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else names.add(`${prefix}${entry.name}`);
    }
  };
  walk(join(repo.commonDir, 'refs', 'heads'), '');
  for (const line of (readTextIfExists(join(repo.commonDir, 'packed-refs')) ?? '').split('\n')) {
    const ref = /^[0-9a-f]{40,64} refs\/heads\/(.+)$/.exec(line)?.[1];
    if (ref) names.add(ref);
  }
  return [...names].sort();
}

/** One configuration value and where it was set. */
export interface ConfigEntry {
  /** `section.subsection.name`, with section and name in lower case as git compares them. */
  key: string;
  value: string;
  /** Where it was set, as evidence shows it (the file, `-c`, or the variable). */
  from: Pick<Evidence, 'source' | 'file'> & { key?: string };
}

export class GitConfig {
  constructor(readonly entries: ConfigEntry[]) {}

  /** The last value set for `key` (git's rule for single-valued keys). */
  last(key: string): ConfigEntry | undefined {
    const wanted = canonicalKey(key);
    return this.entries.findLast((e) => e.key === wanted);
  }

  /** Every value of a multi-valued key, in order. */
  all(key: string): ConfigEntry[] {
    const wanted = canonicalKey(key);
    return this.entries.filter((e) => e.key === wanted);
  }

  evidence(entry: ConfigEntry, value = entry.value): Evidence {
    const key = entry.from.key ?? entry.key;
    return entry.from.source === 'file' ? { source: 'file', key, value, file: entry.from.file } : { source: entry.from.source, key, value };
  }
}

/**
 * The configuration git would see: /etc/gitconfig, the global files, the repository's config (and
 * config.worktree), then GIT_CONFIG_COUNT pairs, GIT_CONFIG_PARAMETERS (what an outer `git -c` passes
 * down) and this command line's `-c`. `[include] path` is followed, and `[includeIf] path` where its
 * condition may hold.
 */
export function readConfig(repo: GitRepo | undefined, commandLine: string[], env: NodeJS.ProcessEnv): GitConfig {
  const entries: ConfigEntry[] = [];
  const home = homeOf(env);
  // An `[includeIf "onbranch:…"]` needs the branch: HEAD is read only then.
  let head: { value: Head | undefined } | undefined;
  const branch = () => {
    const h = (head ??= { value: repo && readHead(repo, env) }).value;
    return h?.kind === 'branch' ? h.branch : undefined;
  };
  const where: IncludeWhere = { gitDir: repo?.gitDir, branch };
  const readFile = (path: string) => readConfigFile(path, env, entries, where);
  for (const file of systemConfigFiles(env)) readFile(file);
  if (env.GIT_CONFIG_GLOBAL !== undefined) {
    if (env.GIT_CONFIG_GLOBAL) readFile(env.GIT_CONFIG_GLOBAL);
  } else {
    readFile(join(configHome(env), 'git', 'config'));
    readFile(join(home, '.gitconfig'));
  }
  if (repo) {
    readFile(join(repo.commonDir, 'config'));
    if (entries.some((e) => e.key === 'extensions.worktreeconfig' && isTrue(e.value))) {
      readFile(join(repo.gitDir, 'config.worktree'));
    }
  }
  const count = Number(env.GIT_CONFIG_COUNT ?? 0);
  for (let i = 0; i < count; i++) {
    const key = env[`GIT_CONFIG_KEY_${i}`];
    if (key) entries.push({ key: canonicalKey(key), value: env[`GIT_CONFIG_VALUE_${i}`] ?? '', from: { source: 'env', key: `GIT_CONFIG_KEY_${i}=${key}` } });
  }
  for (const pair of splitWords(env.GIT_CONFIG_PARAMETERS ?? '') ?? []) {
    entries.push(keyValue(pair, { source: 'env', key: 'GIT_CONFIG_PARAMETERS' }));
  }
  for (const pair of commandLine) entries.push(keyValue(pair, { source: 'flag', key: `-c ${pair.split('=')[0]}` }));
  return new GitConfig(entries);
}

/**
 * The system file git reads first (config.c's git_system_config): none with GIT_CONFIG_NOSYSTEM true
 * (git reads it as a boolean: `0`, `false`, `no`, `off` and empty keep the file; a value git cannot read stops git), GIT_CONFIG_SYSTEM when
 * set (empty: no file), else the one compiled in, `/etc/gitconfig` for a git under /usr and
 * `PREFIX/etc/gitconfig` for one under another prefix (/usr/local, Homebrew). Which git that is is
 * known only from the git behind the shims; /etc/gitconfig is read too, in case.
 */
export function systemConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const nosystem = env.GIT_CONFIG_NOSYSTEM?.trim().toLowerCase();
  const off = nosystem === undefined || ['', 'false', 'no', 'off'].includes(nosystem) || (/^[-+]?\d+[kmg]?$/.test(nosystem) && parseInt(nosystem, 10) === 0);
  if (!off) return [];
  if (env.GIT_CONFIG_SYSTEM !== undefined) return env.GIT_CONFIG_SYSTEM === '' ? [] : [env.GIT_CONFIG_SYSTEM];
  const git = firstOnPath('git', env.PATH, '/', (path) => !isShimFile(path));
  const prefix = git === undefined ? '/usr' : dirname(dirname(realpathOr(git)));
  return prefix === '/usr' || prefix === '/' ? ['/etc/gitconfig'] : [join(prefix, 'etc', 'gitconfig'), '/etc/gitconfig'];
}

/** `-c key=value`; a bare `-c key` means true. */
function keyValue(pair: string, from: ConfigEntry['from']): ConfigEntry {
  const eq = pair.indexOf('=');
  return eq === -1 ? { key: canonicalKey(pair), value: 'true', from } : { key: canonicalKey(pair.slice(0, eq)), value: pair.slice(eq + 1), from };
}

/** Section and variable names are case-insensitive; a subsection is not. */
function canonicalKey(key: string): string {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first === -1) return key.toLowerCase();
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`;
}

export function isTrue(value: string | undefined): boolean {
  return /^(true|yes|on|1)$/i.test(value?.trim() ?? '');
}

/** What an `[includeIf "…"]` condition is judged against: the repository's git directory and branch. */
export interface IncludeWhere {
  gitDir?: string;
  branch: () => string | undefined;
}

/**
 * Whether an `[includeIf "CONDITION"]` may hold, as config.c's include_condition_is_true reads it:
 * `gitdir:` (`gitdir/i:` without case) a glob of the git directory (`~/` from home, `./` from the
 * including file, a relative one anywhere below, a trailing `/` for all beneath), `onbranch:` a glob of
 * the current branch. `hasconfig:remote.*.url:` and conditions this git does not know are read: a
 * condition that may hold counts as holding, so that what the file sets is not missed.
 */
export function includeMayHold(condition: string, where: IncludeWhere, including: string, env: NodeJS.ProcessEnv): boolean {
  const m = /^(gitdir|gitdir\/i|onbranch):(.*)$/s.exec(condition);
  if (!m) return true;
  const [, kind, raw] = m;
  let pattern = raw.endsWith('/') ? `${raw}**` : raw;
  let subject: string | undefined;
  if (kind === 'onbranch') subject = where.branch();
  else {
    subject = where.gitDir;
    if (pattern.startsWith('~/')) pattern = join(homeOf(env), pattern.slice(2));
    else if (pattern.startsWith('./')) pattern = join(dirname(including), pattern.slice(2));
    else if (!isAbsolute(pattern)) pattern = `**/${pattern}`;
  }
  if (subject === undefined) return false;
  try {
    const matches = picomatch(pattern, { dot: true, nocase: kind === 'gitdir/i' });
    return matches(subject) || (kind !== 'onbranch' && matches(realPathOf(subject)));
  } catch {
    return true;
  }
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Reads one file of git's INI dialect into `entries`, following `[include] path` and `[includeIf] path` where it may hold. */
function readConfigFile(path: string, env: NodeJS.ProcessEnv, entries: ConfigEntry[], where: IncludeWhere, depth = 0): void {
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch {
    return; // unreadable: git would complain; nothing to learn here
  }
  if (text === undefined || depth > 10) return;
  const file = displayPath(path, env);
  let section = '';
  for (const { line, header } of logicalLines(text)) {
    if (header !== undefined) {
      section = header;
      continue;
    }
    const match = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!match || !section) continue;
    const key = `${section}.${match[1].toLowerCase()}`;
    const value = match[2] === undefined ? 'true' : unquote(match[2]);
    entries.push({ key, value, from: { source: 'file', file, key } });
    const conditional = section.startsWith('includeif.') && match[1].toLowerCase() === 'path';
    if (key === 'include.path' || (conditional && includeMayHold(section.slice('includeif.'.length), where, path, env))) {
      const included = value.startsWith('~/') ? resolvePath(homeOf(env), value.slice(2)) : value;
      readConfigFile(resolvePath(dirname(path), included), env, entries, where, depth + 1);
    }
  }
}

/** Lines with continuations joined; a section header comes back as its canonical prefix. */
function* logicalLines(text: string): Generator<{ line: string; header?: string }> {
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i];
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < raw.length) line = line.slice(0, -1) + raw[++i];
    line = line.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:\\.|[^"\\])*)")?\s*\](.*)$/.exec(line);
    if (header) {
      const [, name, sub] = header;
      // [section "Sub"] keeps the subsection's case; the old [section.sub] form lowers it.
      const dot = name.indexOf('.');
      const canonical =
        sub !== undefined
          ? `${name.toLowerCase()}.${sub.replace(/\\(.)/g, '$1')}`
          : dot === -1
            ? name.toLowerCase()
            : `${name.slice(0, dot).toLowerCase()}.${name.slice(dot + 1).toLowerCase()}`;
      yield { line: '', header: canonical };
      const rest = header[3].trim();
      if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) yield { line: rest };
      continue;
    }
    yield { line };
  }
}

/** A value: quotes removed, escapes read, an unquoted comment dropped, outer spaces trimmed. */
function unquote(raw: string): string {
  let out = '';
  let quoted = false;
  let pendingSpace = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && (c === '#' || c === ';')) break;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[++i];
      out += pendingSpace + ({ n: '\n', t: '\t', b: '\b' }[next] ?? next);
      pendingSpace = '';
      continue;
    }
    if (!quoted && /\s/.test(c)) {
      pendingSpace += c;
      continue;
    }
    out += pendingSpace + c;
    pendingSpace = '';
  }
  return out;
}
