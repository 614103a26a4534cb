// Neon CLI `neonctl` / `neon` (neondatabase/neonctl, yargs).
//
// Grammar: yargs (src/tools/yargs-args.ts). Options anywhere: --project-id, --org-id, --api-key,
// --context-file, --config-dir, -o/--output, --branch. Groups and their aliases: projects|project,
// branches|branch, databases|database|db, roles|role. `--help`/`-h`, `--version` and `help` are never
// gated.
//
// Target (src/context.ts enrichFromContext):
//   1. the project: --project-id, else `projectId` of the context file (`neonctl set-context`):
//      --context-file, else `.neon` in the nearest directory at or above the working directory (below
//      $HOME) that holds .neon, package.json or .git, else in the working directory. A project id is
//      random words (`shiny-wind-028834`): never read by token, unknown until your config maps it
//      (`targets: {neon-project: {"shiny-wind-028834": production}}`). With neither, neonctl picks the
//      account's only project through the API: unknown offline;
//   2. the branch: the one named (`branches delete NAME`, `--branch`), else the context's `branchId`,
//      else the project's primary branch. The primary branch, and a branch named main, master or
//      production, count as production; other names are read by token; ids (br-…) are opaque.
//   3. `projects delete ID` reaches every branch of the project: production.
// `--psql -- ARGS` starts psql on the branch; the psql line is judged against this target.

import { accessSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf } from '../context/files.js';
import { grammar } from './argv.js';
import type { Tool } from './tool.js';
import { readYargs } from './yargs-args.js';

const neonGrammar = grammar({
  values: [
    ['--project-id'],
    ['--org-id'],
    ['--api-key'],
    ['--api-host'],
    ['--context-file'],
    ['--config-dir'],
    ['--output', '-o'],
    ['--branch'],
    ['--name'],
    ['--parent'],
    ['--preserve-under-name'],
    ['--database-name'],
    ['--role-name'],
    ['--owner-name'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version'],
    ['--analytics'],
    ['--color'],
    ['--psql'],
    ['--pooled'],
  ],
  unknownLong: 'greedy',
});

/** The group words as the rules spell them: aliases folded into the first. */
const groups: Record<string, string> = { project: 'projects', branch: 'branches', database: 'databases', db: 'databases', role: 'roles' };

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags, rest } = readYargs(invocation.args, neonGrammar);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  // `connection-string --psql -- ARGS` and `branches create --psql -- ARGS` start psql on the branch:
  // what it runs is judged there; without -c or -f it is a session, unreadable in advance.
  const nested: NestedLine[] = flags.has('--psql') ? [{ via: 'neonctl --psql', argv: ['psql', ...rest], where: 'remote' }] : [];
  return { commands: [{ path: words, flags }], help, ...(nested.length ? { nested } : {}) };
}

const branchId = /^br-[a-z0-9-]+$/;
const primaryNames = new Set(['main', 'master', 'production', 'prod']);

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const group = groups[path[0]] ?? path[0];
  const verb = path[1];
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const context = readContext(flags.get('--context-file')?.at(-1), invocation.cwd, env);
  if (context.problem) evidence.push({ source: 'file', key: 'projectId', value: context.problem, file: context.shown });

  if (group === 'projects' && verb === 'delete') {
    const ids = path.slice(2);
    for (const id of ids) {
      evidence.push({ source: 'argument', key: 'neonctl projects delete', value: `${id} (a project id)` });
      identifiers.push({ kind: 'neon-project', value: id });
    }
    return { name: ids[0], evidence, identifiers, forcedClass: 'production', forcedReason: 'projects delete deletes every branch of the project, its primary branch included' };
  }

  const flagProject = flags.get('--project-id')?.at(-1);
  const project = flagProject || context.data.projectId;
  if (flagProject) evidence.push({ source: 'flag', key: '--project-id', value: flagProject });
  else if (project) evidence.push({ source: 'file', key: 'projectId', value: project, file: context.shown });
  else evidence.push({ source: 'default', key: 'project', value: 'no --project-id and no context file: neonctl picks the account\'s only project (unknown offline)' });
  if (project) identifiers.push({ kind: 'neon-project', value: project });

  // The branch: named by the command, by --branch, by the context (for the same project), or the primary.
  const named = group === 'branches' ? path[2] : group === 'connection-string' || group === 'cs' ? (path[1] ?? flags.get('--branch')?.at(-1)) : flags.get('--branch')?.at(-1);
  const contextBranch = !named && context.data.branchId && (!flagProject || flagProject === context.data.projectId) ? context.data.branchId : undefined;
  const branch = named || contextBranch;
  if (branch) {
    const fromArgument = group === 'branches' || ((group === 'connection-string' || group === 'cs') && path[1] !== undefined);
    evidence.push(named ? { source: fromArgument ? 'argument' : 'flag', key: fromArgument ? `neonctl ${path.slice(0, group === 'branches' ? 2 : 1).join(' ')}` : '--branch', value: branch } : { source: 'file', key: 'branchId', value: branch, file: context.shown });
    if (primaryNames.has(branch.toLowerCase())) {
      evidence.push({ source: 'default', key: 'branch', value: `${branch} is the conventional name of the primary branch` });
      identifiers.push({ kind: 'name', value: 'production' });
    } else if (!branchId.test(branch)) {
      identifiers.push({ kind: 'name', value: branch });
    }
  } else {
    evidence.push({ source: 'default', key: 'branch', value: 'none named: the primary branch' });
    identifiers.push({ kind: 'name', value: 'production' });
  }
  return { name: branch && !branchId.test(branch) ? branch : project, evidence, identifiers };
}

interface Context {
  data: { projectId?: string; branchId?: string };
  shown: string;
  problem?: string;
}

/** neonctl's context file, found as currentContextFile() finds it. */
function readContext(flag: string | undefined, cwd: string, env: NodeJS.ProcessEnv): Context {
  const file = flag ? resolvePath(cwd, flag) : contextFileFor(cwd, env);
  const shown = displayPath(file, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { data: {}, shown }; // neonctl ignores a missing or unreadable context file too
  }
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return { data: { projectId: str(data?.projectId), branchId: str(data?.branchId) }, shown };
  } catch (error) {
    // neonctl reads a broken file as no context; chaperone says so, since the project is then unknown.
    return { data: {}, shown, problem: `unreadable (${(error as Error).message}); neonctl ignores it` };
  }
}

function contextFileFor(cwd: string, env: NodeJS.ProcessEnv): string {
  const home = homeOf(env);
  for (let dir = cwd; dir !== '/' && dir !== home; dir = dirname(dir)) {
    for (const marker of ['.neon', 'package.json', '.git']) {
      try {
        accessSync(join(dir, marker));
        return join(dir, '.neon');
      } catch {
        // not here
      }
    }
    if (dirname(dir) === dir) break;
  }
  return join(cwd, '.neon');
}

export const neonctl: Tool = { name: 'neonctl', parse, resolve };
