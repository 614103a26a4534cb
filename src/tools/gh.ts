// GitHub CLI (cli/cli, cobra).
//
// Grammar: cobra; flags may stand anywhere after the command words, and -R/--repo on most groups. Short
// spellings differ by command (`cache delete -a` is --all, `secret delete -a` is --app), so argv is
// read once to find the command, then again with that command's flags. A boolean given `=false` is
// unset. `gh api` takes -X/--method; its value is compared in upper case, as GitHub's API reads it.
// Aliases from gh's config.yml (GH_CONFIG_DIR, else $XDG_CONFIG_HOME/gh, else ~/.config/gh) are
// expanded as gh does ($1… substituted, the rest appended) when the first word is not a built-in
// command; a shell alias (`!…`) runs `sh -c`, whose own gh calls pass through the shim again.
// `--help` anywhere, `help`, and `-h` (pflag's help for a command that does not define -h; only the
// auth commands do, as --hostname) are never gated.
//
// Target: a repository, OWNER/REPO, opaque (unknown, so treated as production) until the user's config
// maps it (`targets: {github-repo: {"me/sandbox": development}}`). In gh's order:
//   1. the <repository> argument of `repo delete|archive`; a bare NAME belongs to the logged-in user,
//      read from hosts.yml;
//   2. -R/--repo;
//   3. for `api`, a literal `repos/OWNER/REPO/…` endpoint; `{owner}`/`{repo}` placeholders use 4–5;
//   4. GH_REPO. `repo delete|archive` with no argument may not honour it (gh v2.60 does not), so when it
//      and the git remote disagree neither is trusted;
//   5. the git remotes of the working directory that point at GitHub (github.com, GH_HOST, or a host in
//      hosts.yml): the one `gh repo set-default` marked (remote.<name>.gh-resolved), else upstream, then
//      github, then origin, then the rest in config order. url.<base>.insteadOf rewrites are applied.
// Org- and user-level secrets and variables (--org, --user) reach every repository of their owner and
// name none. An --env deployment environment is read by token. GH_HOST is shown as evidence only.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { configHome, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { locateRepo, readConfig, type GitConfig } from './git-repo.js';
import { dropFalseBooleans } from './pflag-booleans.js';
import { splitWords } from './shell-words.js';
import type { Tool } from './tool.js';
import { mappingOf, readYamlFile } from './yaml-file.js';

const common = { values: [['--repo', '-R']], booleans: [['--help'], ['--version']] };

/** The flags of the commands rules look at; any other command is read with `common` only. */
const commandFlags: Record<string, { values?: string[][]; booleans?: string[][] }> = {
  api: {
    values: [['--method', '-X'], ['--field', '-F'], ['--raw-field', '-f'], ['--header', '-H'], ['--input'], ['--jq', '-q'], ['--template', '-t'], ['--preview', '-p'], ['--cache'], ['--hostname']],
    booleans: [['--include', '-i'], ['--paginate'], ['--silent'], ['--verbose'], ['--slurp']],
  },
  'secret delete': { values: [['--app', '-a'], ['--env', '-e'], ['--org', '-o']], booleans: [['--user', '-u']] },
  'variable delete': { values: [['--env', '-e'], ['--org', '-o']] },
  'cache delete': { booleans: [['--all', '-a']] },
  'release delete': { booleans: [['--yes', '-y'], ['--cleanup-tag']] },
  'release delete-asset': { booleans: [['--yes', '-y']] },
  'repo delete': { booleans: [['--yes'], ['--confirm']] },
  'repo archive': { booleans: [['--yes', '-y'], ['--confirm']] },
  'label delete': { booleans: [['--yes']] },
  'issue delete': { booleans: [['--yes']] },
};
commandFlags['secret remove'] = commandFlags['secret delete'];
commandFlags['variable remove'] = commandFlags['variable delete'];

const grammars = new Map<string, Grammar>(
  Object.entries(commandFlags).map(([command, spec]) => [
    command,
    grammar({ values: [...common.values, ...(spec.values ?? [])], booleans: [...common.booleans, ...(spec.booleans ?? [])] }),
  ]),
);
const commonGrammar = grammar(common);

/** gh's own top-level commands: an alias never shadows one. */
const builtins = new Set([
  'accessibility', 'a11y', 'agent-task', 'alias', 'api', 'at', 'attestation', 'auth', 'browse', 'cache', 'codespace', 'cs',
  'completion', 'config', 'copilot', 'ext', 'extension', 'extensions', 'gist', 'gpg-key', 'help', 'issue', 'label',
  'licenses', 'org', 'pr', 'preview', 'project', 'release', 'repo', 'rs', 'ruleset', 'run', 'search', 'secret',
  'ssh-key', 'status', 'variable', 'version', 'workflow',
]);

function parse(invocation: Invocation): ParsedInvocation {
  const alias = expandAlias(invocation);
  const args = alias?.args ?? invocation.args;
  const first = readArgs(args, commonGrammar);
  const g = grammars.get(first.words.slice(0, 2).join(' ')) ?? grammars.get(first.words[0] ?? '') ?? commonGrammar;
  const { words, flags } = g === commonGrammar ? first : readArgs(args, g);
  dropFalseBooleans(flags, g.booleans);
  const method = flags.get('--method');
  if (method) flags.set('--method', method.map((m) => m.toUpperCase()));
  // pflag answers an undefined -h with the help text (ErrHelp); only gh's auth commands define -h (--hostname).
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help' || (flags.has('-h') && words[0] !== 'auth');
  const text = alias ? `gh ${args.join(' ')} (the alias "${alias.name}" in ${alias.file})` : undefined;
  return { commands: [{ path: words, flags, ...(text ? { text } : {}) }], help };
}

/** gh's config directory: GH_CONFIG_DIR, else $XDG_CONFIG_HOME/gh, else ~/.config/gh. */
function ghConfigDir(env: NodeJS.ProcessEnv): string {
  if (env.GH_CONFIG_DIR) return resolvePath(env.GH_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return resolvePath(env.XDG_CONFIG_HOME, 'gh');
  if (process.platform === 'win32' && env.AppData) return join(env.AppData, 'GitHub CLI');
  return join(configHome(env), 'gh');
}

/** Expands a gh alias the way gh does (pkg/cmd/root/alias.go), or undefined when there is none. */
function expandAlias(invocation: Invocation): { name: string; args: string[]; file: string } | undefined {
  const [name, ...rest] = invocation.args;
  if (!name || name.startsWith('-') || builtins.has(name)) return undefined;
  const file = join(ghConfigDir(invocation.env), 'config.yml');
  const text = readTextIfExists(file);
  if (text === undefined || !text.includes('aliases')) return undefined; // spare the YAML parser
  const read = readYamlFile(file);
  if (read.kind !== 'read') return undefined;
  const expansion = mappingOf(mappingOf(read.data).aliases)[name];
  if (typeof expansion !== 'string' || expansion.startsWith('!')) return undefined;
  const { text: expanded, extra } = substitute(expansion, rest);
  const words = splitWords(expanded);
  if (!words || /\$\d/.test(expanded)) return undefined; // gh refuses to run these
  return { name, args: [...words, ...extra], file: displayPath(file, invocation.env) };
}

/** gh's substitution: $1, $2… take the arguments while the expansion holds a `$`; the rest are appended. */
function substitute(expansion: string, args: string[]): { text: string; extra: string[] } {
  let text = expansion;
  const extra: string[] = [];
  args.forEach((arg, i) => {
    if (text.includes('$')) text = text.split(`$${i + 1}`).join(arg);
    else extra.push(arg);
  });
  return { text, extra };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const env = invocation.env;
  const [group] = path;
  const hosts = readHosts(env);
  const host = flags.get('--hostname')?.at(-1) ?? env.GH_HOST ?? 'github.com';
  const hostEvidence: Evidence[] = flags.has('--hostname')
    ? [{ source: 'flag', key: '--hostname', value: host }]
    : env.GH_HOST
      ? [{ source: 'env', key: 'GH_HOST', value: env.GH_HOST }]
      : [];

  const level = ownerLevel(group, flags);
  if (level) return { name: level.name, evidence: [level.evidence, ...hostEvidence], identifiers: [] };

  const repo = chooseRepo(path, flags, invocation, hosts, host);
  const identifiers: Identifier[] = repo.value ? [{ kind: 'github-repo', value: repo.value }] : [];
  const evidence = [...repo.evidence];

  const environment = (group === 'secret' || group === 'variable') ? flags.get('--env')?.at(-1) : undefined;
  if (environment) {
    evidence.push({ source: 'flag', key: '--env', value: `${environment} (a deployment environment of the repository)` });
    identifiers.push({ kind: 'name', value: environment });
  }
  evidence.push(...hostEvidence);
  return { name: repo.value ?? environment, evidence, identifiers };
}

/** `secret|variable delete --org ORG` and `secret delete --user` act above any one repository. */
function ownerLevel(group: string | undefined, flags: Map<string, string[]>): { name?: string; evidence: Evidence } | undefined {
  if (group !== 'secret' && group !== 'variable') return undefined;
  const org = flags.get('--org')?.at(-1);
  if (org) return { name: org, evidence: { source: 'flag', key: '--org', value: `${org} (an organization-level ${group}: every repository given access to it)` } };
  if (flags.has('--user')) return { name: undefined, evidence: { source: 'flag', key: '--user', value: `a user-level ${group} of the logged-in account (Codespaces)` } };
  return undefined;
}

interface RepoChoice {
  value?: string;
  evidence: Evidence[];
}

function chooseRepo(path: string[], flags: Map<string, string[]>, invocation: Invocation, hosts: Hosts, host: string): RepoChoice {
  const env = invocation.env;
  const [group, verb, argument] = path;
  const isRepoCommand = group === 'repo' && (verb === 'delete' || verb === 'archive');

  if (isRepoCommand && argument) return named(argument, { source: 'argument', key: `gh repo ${verb}` }, hosts, host);

  const flag = flags.get('--repo')?.at(-1);
  if (flag) return named(flag, { source: 'flag', key: '--repo' }, hosts, host);

  if (group === 'api') {
    const endpoint = path[1];
    const literal = /^\/?repos\/([^/{}]+)\/([^/{}]+)/.exec(endpoint ?? '');
    if (literal) return { value: `${literal[1]}/${literal[2]}`, evidence: [{ source: 'argument', key: 'gh api endpoint', value: endpoint! }] };
    if (!endpoint || !/\{(owner|repo)\}/.test(endpoint)) {
      return { evidence: [{ source: 'argument', key: 'gh api endpoint', value: `${endpoint ?? '(none)'} (names no repository)` }] };
    }
  }

  const remotes = remoteRepo(invocation, hosts);
  if (env.GH_REPO) {
    const fromEnv = named(env.GH_REPO, { source: 'env', key: 'GH_REPO' }, hosts, host);
    if (!isRepoCommand || !remotes.value || remotes.value.toLowerCase() === fromEnv.value?.toLowerCase()) return fromEnv;
    return {
      evidence: [
        ...fromEnv.evidence.map((e) => ({ ...e, value: `${e.value} (gh repo ${verb} without an argument may ignore GH_REPO)` })),
        ...remotes.evidence.map((e) => ({ ...e, value: `${e.value} (differs from GH_REPO: neither is trusted)` })),
      ],
    };
  }
  return remotes;
}

/** A repository as the user wrote it: OWNER/REPO, HOST/OWNER/REPO, a URL, or a bare REPO of the user. */
function named(text: string, from: Pick<Evidence, 'source' | 'key'>, hosts: Hosts, host: string): RepoChoice {
  const fromUrl = repoFromUrl(text);
  const parts = (fromUrl ?? text).replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length >= 2) return { value: parts.slice(-2).join('/'), evidence: [{ ...from, value: text }] };
  const user = hosts.users.get(host);
  if (user) {
    return {
      value: `${user}/${parts[0]}`,
      evidence: [{ ...from, value: `${text} (no owner: the logged-in user's)` }, { source: 'file', key: `${host}.user`, value: user, file: hosts.shown }],
    };
  }
  return { evidence: [{ ...from, value: `${text} (no owner: the logged-in user's, and ${hosts.shown} names none for ${host})` }] };
}

interface Hosts {
  shown: string;
  /** host → the logged-in user. Tokens in the file are never read into evidence. */
  users: Map<string, string>;
}

function readHosts(env: NodeJS.ProcessEnv): Hosts {
  const file = join(ghConfigDir(env), 'hosts.yml');
  const users = new Map<string, string>();
  const read = readYamlFile(file);
  if (read.kind === 'read') {
    for (const [host, entry] of Object.entries(mappingOf(read.data))) {
      const user = mappingOf(entry).user;
      users.set(host.toLowerCase(), typeof user === 'string' ? user : '');
    }
  }
  return { shown: displayPath(file, env), users };
}

interface Remote {
  name: string;
  url: string;
  /** OWNER/REPO when the url points at GitHub. */
  repo?: string;
  evidence?: Evidence;
  resolved?: string;
  resolvedEvidence?: Evidence;
}

const remotePriority = (name: string) => ({ upstream: 3, github: 2, origin: 1 })[name.toLowerCase()] ?? 0;

/** The repository gh takes from the git remotes of the working directory. */
function remoteRepo(invocation: Invocation, hosts: Hosts): RepoChoice {
  const env = invocation.env;
  const repo = locateRepo(invocation.cwd, undefined, env);
  if (!repo) return { evidence: [{ source: 'default', key: 'git remotes', value: `no -R/--repo or GH_REPO, and ${displayPath(invocation.cwd, env)} is not in a git repository` }] };
  const githubHosts = new Set(['github.com', ...(env.GH_HOST ? [env.GH_HOST.toLowerCase()] : []), ...hosts.users.keys()]);
  const remotes = readRemotes(readConfig(repo, [], env), githubHosts);

  const github = remotes.filter((r): r is Remote & { repo: string; evidence: Evidence } => r.repo !== undefined && r.evidence !== undefined);
  if (github.length === 0) {
    const seen = remotes.filter((r) => r.url).map((r) => `${r.name} ${r.url}`).join(', ');
    return { evidence: [{ source: 'default', key: 'git remotes', value: `none points at GitHub${seen ? ` (${seen})` : ''}` }] };
  }

  // `gh repo set-default` marks a remote: `base` for itself, or OWNER/REPO for a repository that is no
  // remote (a fork's parent).
  const marked = remotes.find((r) => r.resolved);
  if (marked?.resolved && marked.resolved !== 'base') {
    return { value: marked.resolved.split('/').slice(-2).join('/'), evidence: [{ ...marked.resolvedEvidence!, value: `${marked.resolved} (gh repo set-default)` }] };
  }
  const markedGithub = github.find((r) => r === marked);
  if (markedGithub) return { value: markedGithub.repo, evidence: [markedGithub.evidence, { ...markedGithub.resolvedEvidence!, value: 'base (gh repo set-default)' }] };

  const ordered = [...github].sort((a, b) => remotePriority(b.name) - remotePriority(a.name));
  const [chosen, ...rest] = ordered;
  const others = rest.filter((r) => r.repo !== chosen.repo);
  const evidence: Evidence[] = [chosen.evidence];
  if (others.length > 0) {
    evidence.push({
      source: 'default',
      key: 'remote order',
      value: `${chosen.name} comes first (upstream, github, origin, then the rest); also ${others.map((r) => `${r.name} ${r.repo}`).join(', ')}`,
    });
  }
  return { value: chosen.repo, evidence };
}

/** Each remote's first url (after url.<base>.insteadOf rewrites) and its gh-resolved mark, in config order. */
function readRemotes(config: GitConfig, githubHosts: Set<string>): Remote[] {
  const rewrites = config.entries
    .filter((e) => /^url\..+\.insteadof$/.test(e.key))
    .map((e) => ({ base: e.key.slice('url.'.length, -'.insteadof'.length), prefix: e.value }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const rewrite = (url: string) => {
    const rule = rewrites.find((r) => url.startsWith(r.prefix));
    return rule ? rule.base + url.slice(rule.prefix.length) : url;
  };

  const remotes: Remote[] = [];
  const remoteNamed = (name: string) => {
    let remote = remotes.find((r) => r.name === name);
    if (!remote) remotes.push((remote = { name, url: '' }));
    return remote;
  };
  for (const entry of config.entries) {
    const match = /^remote\.(.+)\.(url|gh-resolved)$/.exec(entry.key);
    if (!match) continue;
    const remote = remoteNamed(match[1]);
    if (match[2] === 'gh-resolved') {
      remote.resolved = entry.value;
      remote.resolvedEvidence = config.evidence(entry);
    } else if (!remote.url) {
      remote.url = rewrite(entry.value);
      remote.repo = githubRepoOfUrl(remote.url, githubHosts);
      remote.evidence = config.evidence(entry, remote.url);
    }
  }
  return remotes;
}

/** OWNER/REPO of a GitHub remote URL, or undefined for another host. */
function githubRepoOfUrl(url: string, githubHosts: Set<string>): string | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  let host: string;
  let path: string;
  if (scp && !url.includes('://')) {
    [, host, path] = scp;
  } else {
    try {
      const parsed = new URL(url);
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      return undefined;
    }
  }
  host = host.toLowerCase().replace(/^ssh\./, '').replace(/^www\./, '');
  if (!githubHosts.has(host)) return undefined;
  const parts = path.replace(/\.git\/?$/, '').replace(/\/$/, '').split('/').filter(Boolean);
  return parts.length >= 2 ? parts.slice(-2).join('/') : undefined;
}

/** https://github.com/OWNER/REPO and git@github.com:OWNER/REPO, as `-R` and `repo delete` accept them. */
function repoFromUrl(text: string): string | undefined {
  if (text.includes('://')) {
    try {
      return new URL(text).pathname;
    } catch {
      return undefined;
    }
  }
  return /^[^@/]+@[^:/]+:(.+)$/.exec(text)?.[1];
}

export const gh: Tool = { name: 'gh', parse, resolve };
