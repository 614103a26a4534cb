// Vercel CLI (vercel/vercel packages/cli; options read with `arg`).
//
// Grammar: global options (--scope/-S, --team/-T, --token/-t, --cwd, -A/--local-config,
// -Q/--global-config, --api, -d/--debug) and each command's own may stand anywhere; `-v` is --version.
// Commands: `remove|rm NAME…` (deployments, or with a project name the whole project), `project|projects
// remove|rm NAME`, `env remove|rm NAME [ENVIRONMENT [GIT-BRANCH]]`, `domains|domain remove|rm DOMAIN`,
// `dns remove|rm RECORD-ID`. `--help`/`-h` anywhere and `help` are never gated.
//
// Target: Vercel has no linked environment; each command names what it acts on.
//   - remove, project remove: the projects named on the command line, read by token. A deployment URL or
//     id (dpl_…) says nothing offline about its project.
//   - domains remove: the domain, read by token as a host; dns remove: a record id, opaque.
//   - env remove: the ENVIRONMENT argument (production, preview, development or a custom one); with
//     none, the variable goes from every environment, production included. The project is --project,
//     else VERCEL_ORG_ID with VERCEL_PROJECT_ID (both, or vercel refuses), else the link in
//     .vercel/project.json (or the legacy .now/) of --cwd or the working directory, else the entry of
//     .vercel/repo.json at the repository root whose directory holds the working directory.
// A link names its project by projectName (newer CLIs write it) and by projectId. Ids (prj_…, team_…)
// are shown as evidence but never read by token: random letters can spell "dev".
// The team is --scope/--team, else the link's orgId: shown as evidence.

import { join, relative } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, readTextIfExists, realpathOr } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const vercelGrammar = grammar({
  values: [
    ['--scope', '-S'],
    ['--team', '-T'],
    ['--token', '-t'],
    ['--cwd'],
    ['--local-config', '-A'],
    ['--global-config', '-Q'],
    ['--api'],
    ['--project'],
    ['--project-link'],
    ['--format', '-F'],
    ['--next', '-N'],
    ['--limit'],
    ['--environment'],
    ['--git-branch'],
    ['--target'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--debug', '-d'],
    ['--no-color'],
    ['--non-interactive'],
    ['--yes', '-y'],
    ['--safe', '-s'],
    ['--hard'],
    ['--force', '-f'],
    ['--json'],
    ['--prod'],
    ['--confirm', '-c'],
  ],
});

const removeWords = new Set(['remove', 'rm']);

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, vercelGrammar);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  return { commands: [{ path: words, flags }], help };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const [command, sub] = path;
  let target: ResolvedTarget;
  if (removeWords.has(command)) {
    target = fromNamed(path.slice(1), `vercel ${command}`);
  } else if ((command === 'project' || command === 'projects') && removeWords.has(sub)) {
    target = fromNamed(path.slice(2, 3), `vercel ${command} ${sub}`);
  } else if ((command === 'domains' || command === 'domain') && removeWords.has(sub)) {
    target = fromDomains(path.slice(2), `vercel ${command} ${sub}`);
  } else if (command === 'dns' && removeWords.has(sub)) {
    target = {
      evidence: path.slice(2).map((id) => ({ source: 'argument', key: `vercel dns ${sub}`, value: `${id} (a record id: its domain is unknown offline)` })),
      identifiers: [],
    };
  } else {
    target = fromLinkedProject(path, flags, invocation);
  }
  return { ...target, evidence: [...target.evidence, ...scopeEvidence(flags)] };
}

/** `vercel rm` and `project rm` act on what they name: project names are read, deployments are not. */
function fromNamed(args: string[], command: string): ResolvedTarget {
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  let name: string | undefined;
  for (const arg of args) {
    const kind = kindOf(arg);
    if (kind === 'project name') {
      identifiers.push({ kind: 'vercel-project', value: arg });
      name ??= arg;
    }
    evidence.push({ source: 'argument', key: command, value: kind === 'project name' ? arg : `${arg} (${kind}: its project is unknown offline)` });
  }
  if (args.length === 0) evidence.push({ source: 'argument', key: command, value: 'nothing named' });
  return { name, evidence, identifiers };
}

function kindOf(arg: string): 'project name' | 'a deployment URL' | 'a deployment id' | 'a project id' {
  if (arg.includes('.') || arg.includes('://')) return 'a deployment URL';
  if (/^dpl_/i.test(arg)) return 'a deployment id';
  if (/^prj_/i.test(arg)) return 'a project id';
  return 'project name';
}

function fromDomains(domains: string[], command: string): ResolvedTarget {
  return {
    name: domains[0],
    evidence: domains.map((domain) => ({ source: 'argument', key: command, value: domain })),
    identifiers: domains.map((domain) => ({ kind: 'host', value: domain })),
  };
}

/** `env rm` and any other command: the linked project, and for env rm the environment named. */
function fromLinkedProject(path: string[], flags: Map<string, string[]>, invocation: Invocation): ResolvedTarget {
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  let name: string | undefined;

  if (path[0] === 'env' && removeWords.has(path[1])) {
    const environment = path[3];
    if (environment) {
      evidence.push({ source: 'argument', key: `vercel env ${path[1]} ENVIRONMENT`, value: environment });
      identifiers.push({ kind: 'name', value: environment });
      name = environment;
    } else {
      evidence.push({ source: 'default', key: 'environment', value: 'none named: the variable is removed from every environment, production included' });
      identifiers.push({ kind: 'name', value: 'production' });
      name = 'production';
    }
  }

  const project = linkedProject(flags, invocation);
  evidence.push(...project.evidence);
  if (project.name) identifiers.push({ kind: 'vercel-project', value: project.name });
  // The id counts as well as the name: a projectName edited to "my-dev" cannot launder a project id
  // your config maps to production (the stricter class wins).
  if (project.id) identifiers.push({ kind: 'vercel-project-id', value: project.id });
  return { name: name ?? project.name, evidence, identifiers };
}

interface ProjectFacts {
  name?: string;
  /** The project id (prj_…): what vercel acts on. A name beside it is a cached label. */
  id?: string;
  evidence: Evidence[];
}

function linkedProject(flags: Map<string, string[]>, invocation: Invocation): ProjectFacts {
  const env = invocation.env;
  const flag = flags.get('--project')?.at(-1);
  if (flag) {
    const isName = kindOf(flag) === 'project name';
    return { name: isName ? flag : undefined, id: isName ? undefined : flag, evidence: [{ source: 'flag', key: '--project', value: isName ? flag : `${flag} (a project id)` }] };
  }

  const orgId = env.VERCEL_ORG_ID;
  const projectId = env.VERCEL_PROJECT_ID;
  if (orgId && projectId) {
    return {
      id: projectId,
      evidence: [
        { source: 'env', key: 'VERCEL_PROJECT_ID', value: `${projectId} (an id: its name is unknown offline)` },
        { source: 'env', key: 'VERCEL_ORG_ID', value: orgId },
      ],
    };
  }
  if (orgId || projectId) {
    const set = orgId ? 'VERCEL_ORG_ID' : 'VERCEL_PROJECT_ID';
    return { evidence: [{ source: 'env', key: set, value: `${orgId ?? projectId} without ${orgId ? 'VERCEL_PROJECT_ID' : 'VERCEL_ORG_ID'}: vercel refuses to run` }] };
  }

  const cwdFlag = flags.get('--cwd')?.at(-1);
  const dir = realpathOr(cwdFlag ? resolvePath(invocation.cwd, cwdFlag) : invocation.cwd);
  const selector = flags.get('--project-link')?.at(-1);
  return readProjectJson(dir, selector, env) ?? readRepoJson(dir, env);
}

type LinkEntry = { projectId?: unknown; orgId?: unknown; projectName?: unknown };

/** `.vercel/project.json` (or the legacy `.now/project.json`) in the directory itself. */
function readProjectJson(dir: string, selector: string | undefined, env: NodeJS.ProcessEnv): ProjectFacts | undefined {
  for (const folder of ['.vercel', '.now']) {
    const file = join(dir, folder, 'project.json');
    const shown = displayPath(file, env);
    let data: LinkEntry & { projects?: Record<string, LinkEntry> };
    try {
      const text = readTextIfExists(file);
      if (text === undefined) continue;
      data = JSON.parse(text);
    } catch (error) {
      return { evidence: [{ source: 'file', key: 'projectId', value: `unreadable (${(error as Error).message})`, file: shown }] };
    }
    // Newer CLIs may keep several named links in one file; `default` unless --project-link picks one.
    const linkName = selector ?? 'default';
    const entry = data.projects && typeof data.projects === 'object' ? data.projects[linkName] : selector ? undefined : data;
    const prefix = data.projects ? `projects.${linkName}.` : '';
    if (!entry || typeof entry.projectId !== 'string') {
      return { evidence: [{ source: 'file', key: `${prefix}projectId`, value: 'no project linked', file: shown }] };
    }
    const evidence: Evidence[] = [];
    const name = typeof entry.projectName === 'string' && entry.projectName !== '' ? entry.projectName : undefined;
    if (name) evidence.push({ source: 'file', key: `${prefix}projectName`, value: name, file: shown });
    evidence.push({ source: 'file', key: `${prefix}projectId`, value: name ? entry.projectId : `${entry.projectId} (no projectName recorded: unknown offline)`, file: shown });
    if (typeof entry.orgId === 'string') evidence.push({ source: 'file', key: `${prefix}orgId`, value: entry.orgId, file: shown });
    return { name, id: entry.projectId, evidence };
  }
  return undefined;
}

interface RepoProject {
  id?: unknown;
  name?: unknown;
  directory?: unknown;
}

/** `.vercel/repo.json` at the repository root: the project whose directory holds `dir`, deepest first. */
function readRepoJson(dir: string, env: NodeJS.ProcessEnv): ProjectFacts {
  for (const root of ancestors(dir)) {
    const file = join(root, '.vercel', 'repo.json');
    const text = safeRead(file);
    if (text === undefined) {
      if (readTextIfExists(join(root, '.git', 'HEAD')) !== undefined) break; // repo.json lives at the repository root
      continue;
    }
    const shown = displayPath(file, env);
    let projects: RepoProject[];
    try {
      const parsed = JSON.parse(text) as { projects?: unknown };
      projects = Array.isArray(parsed.projects) ? (parsed.projects as RepoProject[]) : [];
    } catch (error) {
      return { evidence: [{ source: 'file', key: 'projects', value: `unreadable (${(error as Error).message})`, file: shown }] };
    }
    const here = relative(root, dir).split('\\').join('/');
    const holding = projects.filter((p) => typeof p.directory === 'string' && holds(p.directory, here));
    const depth = Math.max(-1, ...holding.map((p) => depthOf(p.directory as string)));
    const deepest = holding.filter((p) => depthOf(p.directory as string) === depth);
    if (deepest.length === 1) {
      const project = deepest[0];
      const name = typeof project.name === 'string' ? project.name : undefined;
      return { name, id: typeof project.id === 'string' ? project.id : undefined, evidence: [{ source: 'file', key: `projects[directory "${project.directory}"]`, value: `${name ?? '(no name)'} (${String(project.id)})`, file: shown }] };
    }
    const names = (deepest.length ? deepest : projects).map((p) => String(p.name)).join(', ');
    return { evidence: [{ source: 'file', key: 'projects', value: `${deepest.length ? 'several projects hold' : 'no project holds'} ${here || '.'}: ${names || 'none'}; vercel would ask which`, file: shown }] };
  }
  return { evidence: [{ source: 'file', key: '.vercel/project.json', value: `no project linked at ${displayPath(dir, env)}`, file: displayPath(join(dir, '.vercel', 'project.json'), env) }] };
}

function holds(directory: string, here: string): boolean {
  const d = directory.replace(/^\.\/?/, '').replace(/\/$/, '');
  return d === '' || here === d || here.startsWith(`${d}/`);
}

function depthOf(directory: string): number {
  const d = directory.replace(/^\.\/?/, '').replace(/\/$/, '');
  return d === '' ? 0 : d.split('/').length;
}

function safeRead(file: string): string | undefined {
  try {
    return readTextIfExists(file);
  } catch {
    return undefined;
  }
}

function scopeEvidence(flags: Map<string, string[]>): Evidence[] {
  for (const key of ['--scope', '--team']) {
    const value = flags.get(key)?.at(-1);
    if (value) return [{ source: 'flag', key, value: `${value} (the team)` }];
  }
  return [];
}

export const vercel: Tool = { name: 'vercel', parse, resolve };
