// PlanetScale CLI `pscale` (planetscale/cli, Go, cobra + pflag + viper).
//
// Grammar: cobra. Flags stand anywhere; a boolean given `=false` is unset. Global: --org, --config,
// --service-token, --service-token-id, --api-url, -f/--format, --debug, --no-color. `database` answers
// to `db`, `deploy-request` to `dr`, and a delete to `rm`. `--help`/`-h` and `help` are never gated.
//
// Commands and what they name: `database delete DB`, `branch delete DB BRANCH`, `branch demote DB
// BRANCH`, `branch safe-migrations disable DB BRANCH`, `backup delete DB BRANCH BACKUP`, and `shell DB
// BRANCH`, whose piped SQL is judged against the branch (see shellInput).
//
// Target:
//   1. the organization: --org, else `org` of the project file .pscale.yml (the nearest one at or above
//      the working directory), else `org` of the user file (--config, else ~/.config/planetscale/
//      pscale.yml). Read by token;
//   2. the database named, read by token (`shop-prod`);
//   3. the branch named: a production branch is what matters, and offline only its name tells. `main`,
//      `master` and `production` are the names PlanetScale gives a database's first (production)
//      branch, so they count as production; others are read by token. `database delete` reaches every
//      branch: production.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { readStdinPayload } from '../payload/stdin.js';
import { ancestors, displayPath, homeOf } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { dropFalseBooleans } from './pflag-booleans.js';
import type { Tool } from './tool.js';
import { mappingOf, readYamlFile } from './yaml-file.js';

const pscaleGrammar = grammar({
  values: [
    ['--org'],
    ['--config'],
    ['--service-token'],
    ['--service-token-id'],
    ['--api-url'],
    ['--format', '-f'],
    ['--from'],
    ['--region'],
    ['--cluster-size'],
    ['--name'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version'],
    ['--debug'],
    ['--no-color'],
    ['--force'],
    ['--web', '-w'],
  ],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, pscaleGrammar);
  dropFalseBooleans(flags, pscaleGrammar.booleans);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  const commands = [{ path: words, flags }];
  if (help || words[0] !== 'shell') return { commands, help };
  return { commands, help, ...shellInput(invocation) };
}

/**
 * `pscale shell DB BRANCH` starts mysql (psql for a Postgres database) on a local proxy to the branch,
 * so the client's own shim sees only 127.0.0.1. What is piped or redirected into it is read here and
 * judged as both clients would read it, against the branch; at a terminal it is a session, unreadable in
 * advance.
 */
function shellInput(invocation: Invocation): { nested: NestedLine[]; stdin?: StdinReadAhead } {
  const payload = readStdinPayload(invocation.env, invocation.input);
  if (!payload) return { nested: [{ via: 'pscale shell', where: 'remote' }] };
  let input: string;
  let stdin: StdinReadAhead | undefined;
  if (payload.kind === 'file') {
    const chunks: Buffer[] = [];
    payload.chunks((chunk) => void chunks.push(Buffer.from(chunk)));
    input = Buffer.concat(chunks).toString('utf8');
  } else {
    if (!payload.complete) return { nested: [{ via: 'pscale shell', where: 'remote', unreadable: `stdin beyond the first ${payload.head.length} bytes (a pipe longer than chaperone reads ahead)` }], stdin: { ...payload.readAhead, rest: 'pass' } };
    input = payload.head.toString('utf8');
    stdin = payload.readAhead;
  }
  const nested: NestedLine[] = [
    { via: 'pscale shell', argv: ['mysql'], input, where: 'remote' },
    { via: 'pscale shell', argv: ['psql'], input, where: 'remote' },
  ];
  return { nested, ...(stdin ? { stdin } : {}) };
}

const productionBranches = new Set(['main', 'master', 'production', 'prod']);

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const org = organization(flags, invocation);
  evidence.push(org.evidence);
  if (org.name) identifiers.push({ kind: 'name', value: org.name });

  const group = path[0] === 'db' ? 'database' : path[0];
  const args = group === 'shell' ? path.slice(1) : path.slice(path[1] === 'safe-migrations' ? 3 : 2);
  const [database, branch] = args;
  if (database) {
    evidence.push({ source: 'argument', key: `pscale ${path.slice(0, group === 'shell' ? 1 : 2).join(' ')} DATABASE`, value: database });
    identifiers.push({ kind: 'name', value: database });
  }
  if (group === 'database' && (path[1] === 'delete' || path[1] === 'rm')) {
    return { name: database, evidence, identifiers, forcedClass: 'production', forcedReason: 'database delete deletes every branch of the database, its production branch included' };
  }
  if (!branch && group === 'shell') {
    evidence.push({ source: 'default', key: 'branch', value: 'none named: the database\'s default branch (production)' });
    identifiers.push({ kind: 'name', value: 'production' });
  }
  if (branch) {
    evidence.push({ source: 'argument', key: `pscale ${path.slice(0, group === 'shell' ? 1 : 2).join(' ')} BRANCH`, value: branch });
    if (productionBranches.has(branch.toLowerCase())) {
      evidence.push({ source: 'default', key: 'branch', value: `${branch} is the name PlanetScale gives a database's production branch` });
      identifiers.push({ kind: 'name', value: 'production' });
    } else {
      identifiers.push({ kind: 'name', value: branch });
    }
  }
  return { name: database && branch ? `${database}/${branch}` : database, evidence, identifiers };
}

/** --org, else the project file's org, else the user file's. */
function organization(flags: Map<string, string[]>, invocation: Invocation): { name?: string; evidence: Evidence } {
  const env = invocation.env;
  const flag = flags.get('--org')?.at(-1);
  if (flag) return { name: flag, evidence: { source: 'flag', key: '--org', value: flag } };
  for (const dir of ancestors(invocation.cwd)) {
    const file = join(dir, '.pscale.yml');
    const read = readYamlFile(file);
    if (read.kind === 'missing') continue;
    if (read.kind === 'unreadable') return { evidence: { source: 'file', key: 'org', value: `unreadable (${read.why}); fix the file or pass --org`, file: displayPath(file, env) } };
    const org = mappingOf(read.data).org;
    if (typeof org === 'string' && org !== '') return { name: org, evidence: { source: 'file', key: 'org', value: org, file: displayPath(file, env) } };
    break;
  }
  const configFlag = flags.get('--config')?.at(-1);
  const file = configFlag ? resolvePath(invocation.cwd, configFlag) : join(homeOf(env), '.config', 'planetscale', 'pscale.yml');
  const shown = displayPath(file, env);
  const read = readYamlFile(file);
  if (read.kind === 'unreadable') return { evidence: { source: 'file', key: 'org', value: `unreadable (${read.why}); fix the file or pass --org`, file: shown } };
  const org = read.kind === 'read' ? mappingOf(read.data).org : undefined;
  if (typeof org === 'string' && org !== '') return { name: org, evidence: { source: 'file', key: 'org', value: org, file: shown } };
  return { evidence: { source: 'file', key: 'org', value: read.kind === 'missing' ? 'no such file (no organization chosen)' : 'no org key', file: shown } };
}

export const pscale: Tool = { name: 'pscale', parse, resolve };
