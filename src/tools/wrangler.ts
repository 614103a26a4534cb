// Cloudflare Wrangler (cloudflare/workers-sdk packages/wrangler, yargs).
//
// Grammar: yargs. Options stand anywhere; booleans may be `--remote false` or `--no-remote`
// (src/tools/yargs-args.ts). `-c/--config`, `-e/--env`, `--cwd` and `--env-file` are global.
// `--help`/`-h`, `--version`/`-v` and `help` are never gated. The old colon commands (`kv:namespace`,
// `kv:key`, `kv:bulk`) are spelled out in the rules beside the new ones.
//
// SQL: `d1 execute DB --command SQL` (each one) and `--file FILE` are read as SQLite (src/sql/sqlite.ts);
// a file that cannot be read is `sql unreadable`. `d1 migrations apply DB` reads every migration file.
//
// Local or remote:
//   - `d1 execute` and `d1 migrations`: local unless --remote or --preview (wrangler 3.33 made local the
//     default); local means the SQLite file under .wrangler/state: development.
//   - `kv key|bulk` and `r2 object`: local only with --local. Wrangler 4 runs them locally by default,
//     wrangler 3 remotely, and the version is not known offline: without --local they count as remote.
//   - everything else acts on the account.
//
// Target of a remote command, every fact kept as evidence:
//   1. the environment: -e/--env, else CLOUDFLARE_ENV; none is the config's top level. It only picks a
//      block of the config, so it may make the target stricter, never looser;
//   2. the config file (-c/--config, else wrangler.json, wrangler.jsonc, wrangler.toml upwards from
//      --cwd or the working directory): the Worker's name (`[env.NAME] name`, else `NAME-ENV`), which
//      counts only for commands that act on the Worker (delete, secret …), and the D1 database a
//      binding names (`database_name`);
//   3. what the command names: the database, bucket, queue, index, namespace or Worker;
//   4. the account (CLOUDFLARE_ACCOUNT_ID, else `account_id`): an id, unknown until mapped.
// Names are read by token; ids (namespace ids, database ids, account ids) are not.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { readSqlite } from '../sql/sqlite.js';
import { sqlCommand } from '../sql/mysql.js';
import { grammar } from './argv.js';
import type { Tool } from './tool.js';
import { entriesAt, objectAt, readWranglerConfig, stringAt } from './wrangler-config.js';
import { readYargs } from './yargs-args.js';

const wranglerGrammar = grammar({
  values: [
    ['--config', '-c'],
    ['--env', '-e'],
    ['--cwd'],
    ['--env-file'],
    ['--command'],
    ['--file'],
    ['--persist-to'],
    ['--name'],
    ['--binding'],
    ['--namespace-id'],
    ['--jurisdiction', '-J'],
    ['--bookmark'],
    ['--timestamp'],
    ['--batch-size'],
    ['--output'],
    ['--storage-class', '-s'],
    ['--project-name'],
    ['--expire-days'],
    ['--expire-date'],
    ['--prefix'],
    ['--experimental-json-config'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--local'],
    ['--remote'],
    ['--preview'],
    ['--yes', '-y'],
    ['--json'],
    ['--force'],
    ['--dry-run'],
    ['--skip-confirmation'],
  ],
  unknownLong: 'greedy',
});

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags } = readYargs(invocation.args, wranglerGrammar);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  const commands: Command[] = [{ path: words, flags }];
  if (!help && words[0] === 'd1' && words[1] === 'execute') commands.push(...d1Sql(flags, invocation.cwd));
  if (!help && words[0] === 'd1' && words[1] === 'migrations' && words[2] === 'apply') commands.push(...(await migrationSql(words[3], flags, invocation)));
  return { commands, help };
}

/**
 * The SQL `d1 migrations apply DB` may run: every .sql file of the database's migrations_dir (default
 * `migrations`, beside the config file). Which of them the database has applied is recorded only in
 * the database itself, so all are read: a DROP in any of them is held for a human in production.
 */
async function migrationSql(database: string | undefined, flags: Map<string, string[]>, invocation: Invocation): Promise<Command[]> {
  const cwdFlag = flags.get('--cwd')?.at(-1);
  const cwd = cwdFlag ? resolvePath(invocation.cwd, cwdFlag) : invocation.cwd;
  const config = await readWranglerConfig(cwd, flags.get('--config')?.at(-1), invocation.env);
  if (config.kind === 'unreadable') return [sqlCommand({ path: ['unreadable'] }, `${config.shown}: ${config.why} (its migrations_dir is unknown)`)];
  const root = config.kind === 'read' ? dirname(config.file) : cwd;
  const environment = flags.get('--env')?.at(-1) || invocation.env.CLOUDFLARE_ENV || undefined;
  const scope = config.kind === 'read' && environment ? objectAt(objectAt(config.data, 'env'), environment) : config.kind === 'read' ? config.data : {};
  const entry = entriesAt(scope, 'd1_databases').find((d) => d.binding === database || d.database_name === database);
  const dir = resolvePath(root, (entry && stringAt(entry, 'migrations_dir')) ?? 'migrations');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? [] : [sqlCommand({ path: ['unreadable'] }, `${dir} (${code ?? (error as Error).message})`)];
  }
  const commands: Command[] = [];
  for (const file of files) {
    try {
      for (const command of readSqlite(readFileSync(join(dir, file), 'utf8'))) commands.push({ ...command, text: `${file}: ${command.text}` });
    } catch (error) {
      commands.push(sqlCommand({ path: ['unreadable'] }, `${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
    }
  }
  return commands;
}

/** The SQL of `d1 execute`: every --command, and the --file's contents. */
function d1Sql(flags: Map<string, string[]>, cwd: string): Command[] {
  const commands: Command[] = [];
  for (const sql of flags.get('--command') ?? []) commands.push(...readSqlite(sql));
  for (const file of flags.get('--file') ?? []) {
    let text: string;
    try {
      text = readFileSync(resolvePath(cwd, file), 'utf8');
    } catch (error) {
      commands.push(sqlCommand({ path: ['unreadable'] }, `--file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
      continue;
    }
    commands.push(...readSqlite(text));
  }
  return commands;
}

/** Why the command acts on this machine only, or undefined when it reaches the account. */
function localReason(path: string[], flags: Map<string, string[]>): string | undefined {
  const [group, sub] = path;
  if (group === 'd1' && (sub === 'execute' || sub === 'migrations')) {
    if (flags.has('--remote') || flags.has('--preview')) return undefined;
    return flags.has('--local') ? `--local: d1 ${sub} acts on the local database` : `no --remote: d1 ${sub} acts on the local database (the default since wrangler 3.33)`;
  }
  const objectCommand = (group === 'kv' && (sub === 'key' || sub === 'bulk')) || group === 'kv:key' || group === 'kv:bulk' || (group === 'r2' && sub === 'object');
  if (objectCommand && flags.has('--local') && !flags.has('--remote')) return `--local: acts on the local ${group === 'r2' ? 'bucket' : 'namespace'}`;
  return undefined;
}

async function resolve(parsed: ParsedInvocation, invocation: Invocation): Promise<ResolvedTarget> {
  const { path, flags } = parsed.commands[0];
  const local = localReason(path, flags);
  if (local) {
    return { name: 'local', evidence: [{ source: 'command', key: `wrangler ${path.slice(0, 2).join(' ')}`, value: local }], identifiers: [], forcedClass: 'development', forcedReason: local };
  }

  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const envFlag = flags.get('--env')?.at(-1);
  const environment = envFlag || env.CLOUDFLARE_ENV || undefined;
  if (environment) {
    evidence.push(envFlag ? { source: 'flag', key: '--env', value: envFlag } : { source: 'env', key: 'CLOUDFLARE_ENV', value: environment });
    // --env only picks a block of the config: the Worker or database it names decides, and an
    // environment named "dev" may only make a delete of some other resource stricter.
    identifiers.push({ kind: 'wrangler-environment', value: environment });
  } else {
    evidence.push({ source: 'default', key: 'environment', value: 'no --env or CLOUDFLARE_ENV: the top-level environment of the config' });
  }

  const cwdFlag = flags.get('--cwd')?.at(-1);
  const cwd = cwdFlag ? resolvePath(invocation.cwd, cwdFlag) : invocation.cwd;
  const config = await readWranglerConfig(cwd, flags.get('--config')?.at(-1), env);
  let scope: Record<string, unknown> = {};
  let worker: string | undefined;
  if (config.kind === 'read') {
    const top = config.data;
    const inEnv = environment ? objectAt(objectAt(top, 'env'), environment) : undefined;
    if (environment && inEnv && Object.keys(inEnv).length === 0) {
      evidence.push({ source: 'file', key: `env.${environment}`, value: 'not defined in the config', file: config.shown });
    }
    scope = inEnv ?? top;
    const topName = stringAt(top, 'name');
    worker = (inEnv && stringAt(inEnv, 'name')) ?? (topName && environment ? `${topName}-${environment}` : topName);
    if (worker) {
      evidence.push({ source: 'file', key: inEnv && stringAt(inEnv, 'name') ? `env.${environment}.name` : 'name', value: worker, file: config.shown });
      // The Worker is the target only of commands that act on it; a database, bucket or namespace is
      // the account's, and the Worker's name (shop-api-dev under --env dev) says nothing about it.
      if (actsOnWorker(path)) identifiers.push({ kind: 'name', value: worker });
    }
    const account = stringAt(scope, 'account_id') ?? stringAt(top, 'account_id');
    if (account && !env.CLOUDFLARE_ACCOUNT_ID) {
      evidence.push({ source: 'file', key: 'account_id', value: account, file: config.shown });
      identifiers.push({ kind: 'cloudflare-account', value: account });
    }
  } else if (config.kind === 'unreadable') {
    evidence.push({ source: 'file', key: 'config', value: `unreadable (${config.why}); fix the file or pass -c`, file: config.shown });
  } else {
    evidence.push(config.evidence);
  }
  if (env.CLOUDFLARE_ACCOUNT_ID) {
    evidence.push({ source: 'env', key: 'CLOUDFLARE_ACCOUNT_ID', value: env.CLOUDFLARE_ACCOUNT_ID });
    identifiers.push({ kind: 'cloudflare-account', value: env.CLOUDFLARE_ACCOUNT_ID });
  }

  const named = namedResource(path, flags, scope, config.kind === 'read' ? config.shown : undefined);
  evidence.push(...named.evidence);
  identifiers.push(...named.identifiers);
  return { name: named.name ?? (actsOnWorker(path) ? worker : undefined), evidence, identifiers };
}

/** Commands whose target is the Worker itself (not an account resource it may bind). */
function actsOnWorker(path: string[]): boolean {
  return !['d1', 'r2', 'kv', 'kv:namespace', 'kv:key', 'kv:bulk', 'queues', 'vectorize', 'hyperdrive', 'pages'].includes(path[0]);
}

interface Named {
  name?: string;
  evidence: Evidence[];
  identifiers: Identifier[];
}

/** What the command names, with what the config says about it. */
function namedResource(path: string[], flags: Map<string, string[]>, scope: Record<string, unknown>, shown: string | undefined): Named {
  const [group, sub] = path;
  const command = `wrangler ${path.slice(0, group === 'delete' ? 1 : 2).join(' ')}`;
  const byName = (value: string | undefined, what: string): Named =>
    value ? { name: value, evidence: [{ source: 'argument', key: command, value: `${value} (${what})` }], identifiers: [{ kind: 'name', value }] } : { evidence: [], identifiers: [] };

  if (group === 'd1') {
    const database = sub === 'migrations' || sub === 'time-travel' ? path[3] : path[2];
    if (!database) return { evidence: [], identifiers: [] };
    const entry = entriesAt(scope, 'd1_databases').find((d) => d.binding === database || d.database_name === database);
    const named = byName(database, 'the database or its binding');
    const real = entry && typeof entry.database_name === 'string' ? entry.database_name : undefined;
    if (real && real !== database && shown) {
      named.evidence.push({ source: 'file', key: `d1_databases[binding ${database}].database_name`, value: real, file: shown });
      named.identifiers.push({ kind: 'name', value: real });
      named.name = real;
    }
    if (flags.has('--preview')) {
      named.evidence.push({ source: 'flag', key: '--preview', value: 'the preview database' });
      named.identifiers.push({ kind: 'name', value: 'preview' });
    }
    return named;
  }
  // r2 bucket delete BUCKET; r2 bucket lifecycle|lock|cors … VERB BUCKET
  if (group === 'r2' && sub === 'bucket') return byName(path[2] === 'delete' || path[2] === 'create' ? path[3] : path[4], 'the bucket');
  if (group === 'r2' && sub === 'object') return byName(path[3]?.split('/')[0], 'the bucket');
  if (group === 'queues' || group === 'vectorize' || group === 'hyperdrive') return byName(path[2], group === 'queues' ? 'the queue' : group === 'vectorize' ? 'the index' : 'the config');
  if (group === 'pages' && sub === 'project') return byName(path[3], 'the Pages project');
  if (group === 'delete') return byName(path[1] ?? flags.get('--name')?.at(-1), 'the Worker');
  if (group === 'kv' || group?.startsWith('kv:')) {
    const evidence: Evidence[] = [];
    const id = flags.get('--namespace-id')?.at(-1);
    if (id) evidence.push({ source: 'flag', key: '--namespace-id', value: `${id} (an id: its name is unknown offline)` });
    const binding = flags.get('--binding')?.at(-1);
    if (binding) {
      const entry = entriesAt(scope, 'kv_namespaces').find((k) => k.binding === binding);
      const bound = entry && typeof entry.id === 'string' ? entry.id : undefined;
      evidence.push({ source: 'flag', key: '--binding', value: bound ? `${binding} (namespace ${bound}${shown ? ` in ${shown}` : ''})` : `${binding} (no such binding in the config)` });
    }
    return { evidence, identifiers: [] };
  }
  return { evidence: [], identifiers: [] };
}

export const wrangler: Tool = { name: 'wrangler', parse, resolve };
