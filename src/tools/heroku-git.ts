// The Heroku apps a git repository's remotes point at, read from git's config files the way
// `git remote -v` and `git config heroku.remote` would show them (heroku-cli-command src/git.ts,
// src/flags/app.ts). Only reads files; never runs git.
//
// The repository is $GIT_DIR, else the nearest .git at or above cwd (a .git file points elsewhere, and a
// linked worktree shares the config of its common dir). A remote's fetch URL is its first `url`, with
// `url.<base>.insteadOf` applied. `heroku.remote` is read from the repository, then ~/.gitconfig and
// $XDG_CONFIG_HOME/git/config.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence } from '../model.js';
import { ancestors, configHome, displayPath, homeOf, readTextIfExists, realpathOr } from '../context/files.js';

interface GitConfigEntry {
  /** `remote`, `url`, `heroku`: lower-cased, as git compares them. */
  section: string;
  /** `heroku` in `[remote "heroku"]`: case kept. */
  subsection?: string;
  /** Lower-cased. */
  key: string;
  value: string;
}

export interface HerokuRemote {
  remote: string;
  app: string;
  url: string;
  evidence: Evidence;
}

export interface RemoteSearch {
  /** Remotes whose fetch URL is a Heroku git URL, limited to `only` when given. */
  remotes: HerokuRemote[];
  /** Where the search looked, when it found nothing to show. */
  evidence: Evidence[];
  /** The remote `heroku.remote` names, when set. */
  configured?: { remote: string; evidence: Evidence };
}

/** Heroku remotes of the repository at cwd; `only` keeps the remote of that name (the -r flag). */
export function herokuRemotes(cwd: string, env: NodeJS.ProcessEnv, only?: string): RemoteSearch {
  const repo = findRepository(cwd, env);
  if (!repo) return { remotes: [], evidence: [{ source: 'file', key: '.git', value: `no git repository at ${displayPath(cwd, env)} or above`, file: displayPath(cwd, env) }] };
  const shown = displayPath(repo.config, env);
  const entries = parseGitConfig(readTextIfExists(repo.config) ?? '');
  const configured = configuredRemote(entries, shown, env);
  const wanted = only ?? configured?.remote;
  const rewrites = insteadOfRules(entries);
  const prefixes = gitPrefixes(env);

  const remotes: HerokuRemote[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.section !== 'remote' || entry.key !== 'url' || !entry.subsection || seen.has(entry.subsection)) continue;
    seen.add(entry.subsection); // the first url is the one git fetches from
    if (wanted !== undefined && entry.subsection !== wanted) continue;
    const url = rewrite(entry.value, rewrites);
    const app = appOf(url, prefixes);
    if (!app) continue;
    remotes.push({
      remote: entry.subsection,
      app,
      url,
      evidence: { source: 'file', key: `remote "${entry.subsection}".url`, value: url, file: shown },
    });
  }
  const looked = wanted === undefined ? 'no remote points at a Heroku git URL' : `no Heroku remote named "${wanted}"`;
  return { remotes, evidence: remotes.length ? [] : [{ source: 'file', key: 'remotes', value: looked, file: shown }], configured };
}

interface Repository {
  config: string;
}

function findRepository(cwd: string, env: NodeJS.ProcessEnv): Repository | undefined {
  if (env.GIT_DIR) return { config: join(commonDir(resolvePath(cwd, env.GIT_DIR)), 'config') };
  for (const dir of ancestors(realpathOr(cwd))) {
    const dotGit = join(dir, '.git');
    let isDir: boolean;
    try {
      isDir = statSync(dotGit).isDirectory();
    } catch {
      continue;
    }
    if (isDir) return { config: join(dotGit, 'config') };
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readTextIfExists(dotGit) ?? '')?.[1];
    if (pointer) return { config: join(commonDir(resolvePath(dir, pointer)), 'config') };
  }
  return undefined;
}

/** A linked worktree's git dir names the repository's common dir in its `commondir` file. */
function commonDir(gitDir: string): string {
  const pointer = readTextIfExists(join(gitDir, 'commondir'))?.trim();
  return pointer ? resolvePath(gitDir, pointer) : gitDir;
}

function configuredRemote(local: GitConfigEntry[], shown: string, env: NodeJS.ProcessEnv): RemoteSearch['configured'] {
  const files: [GitConfigEntry[], string][] = [[local, shown]];
  for (const file of [join(homeOf(env), '.gitconfig'), join(configHome(env), 'git', 'config')]) {
    const text = readTextIfExists(file);
    if (text !== undefined) files.push([parseGitConfig(text), displayPath(file, env)]);
  }
  for (const [entries, file] of files) {
    const remote = entries.filter((e) => e.section === 'heroku' && !e.subsection && e.key === 'remote').at(-1)?.value;
    if (remote) return { remote, evidence: { source: 'file', key: 'heroku.remote', value: remote, file } };
  }
  return undefined;
}

/** `[url "BASE"] insteadOf = PREFIX`: a URL starting with PREFIX is fetched from BASE + the rest. */
function insteadOfRules(entries: GitConfigEntry[]): [prefix: string, base: string][] {
  return entries
    .filter((e) => e.section === 'url' && e.subsection !== undefined && e.key === 'insteadof')
    .map((e) => [e.value, e.subsection!] as [string, string]);
}

function rewrite(url: string, rules: [string, string][]): string {
  const best = rules.filter(([prefix]) => url.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  return best ? best[1] + url.slice(best[0].length) : url;
}

/** heroku-cli-command's vars.gitPrefixes: the hosts follow HEROKU_HOST and HEROKU_GIT_HOST. */
function gitPrefixes(env: NodeJS.ProcessEnv): string[] {
  const host = env.HEROKU_HOST || 'heroku.com';
  const urlHost = host.startsWith('http') ? hostOf(host) : undefined;
  const gitHost = env.HEROKU_GIT_HOST || urlHost || host;
  const httpGitHost = env.HEROKU_GIT_HOST || urlHost || `git.${host}`;
  return [`git@${gitHost}:`, `ssh://git@${gitHost}/`, `https://${httpGitHost}/`];
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function appOf(url: string, prefixes: string[]): string | undefined {
  for (const prefix of prefixes) {
    if (url.startsWith(prefix) && url.endsWith('.git') && url.length > prefix.length + 4) {
      return url.slice(prefix.length, -4);
    }
  }
  return undefined;
}

/** git's config syntax: sections, `[section "subsection"]`, `key = value` with quotes, escapes, comments. */
function parseGitConfig(text: string): GitConfigEntry[] {
  const entries: GitConfigEntry[] = [];
  let section = '';
  let subsection: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (header) {
      const [, name, sub] = header;
      const dot = name.indexOf('.');
      // `[remote.heroku]` is the old spelling of `[remote "heroku"]`, its subsection lower-cased.
      section = (dot === -1 ? name : name.slice(0, dot)).toLowerCase();
      subsection = sub !== undefined ? sub.replace(/\\(.)/g, '$1') : dot === -1 ? undefined : name.slice(dot + 1).toLowerCase();
      continue;
    }
    const pair = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (pair && section) entries.push({ section, subsection, key: pair[1].toLowerCase(), value: pair[2] === undefined ? 'true' : configValue(pair[2]) });
  }
  return entries;
}

/** A value: double quotes group, `\"` `\\` `\n` `\t` escape, # or ; outside quotes starts a comment. */
function configValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[++i];
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === '#' || c === ';')) {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}
