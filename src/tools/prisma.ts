// Prisma CLI (prisma/prisma, Node; options read by the `arg` package, so they stand anywhere after the
// command words, `--flag value` or `--flag=value`). Usually run as `npx prisma …`, `pnpm prisma …`
// or `./node_modules/.bin/prisma`; the line analysis maps those to this tool (src/shell/runners.ts).
//
// What it destroys: `migrate reset` (drops the database or its schema and re-applies the migrations),
// `db push --force-reset` and `db push --accept-data-loss`, `migrate dev` (asks to reset the database
// when it finds drift or an edited migration; Prisma meant it for development databases only), and
// the SQL `db execute` sends (--file, --stdin), read with the database's grammar (sql-text.ts).
//
// Where it connects:
//   1. `db execute --url URL`;
//   2. the datasource of the schema: --schema, else package.json's "prisma.schema", else
//      prisma/schema.prisma, schema.prisma, or the prisma/schema/ folder of a multi-file schema. Its
//      `url` and `directUrl` (Migrate uses directUrl when set) are `env("NAME")` or literals;
//   3. prisma.config.ts (--config, else prisma.config.ts or .config/prisma.ts at the root): its
//      datasource `url`, read literally (js-config.ts);
//   4. a variable comes from the environment, else from the .env files Prisma loads: the project root's,
//      the schema's folder's, and prisma/.env (when several set it, each counts).
// The URL's hosts and database are classified like psql's (database-url.ts). Nothing found is unknown.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { ancestors, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { partOf, resolveValues, targetOfResolution, type Resolution } from './connection-config.js';
import { readDotenvFiles, variableFrom } from './dotenv.js';
import { readConfigValues, withoutComments } from './js-config.js';
import { dialectOf, readSqlText } from './sql-text.js';
import type { Tool } from './tool.js';

export const prismaGrammar = grammar({
  values: [
    ['--schema'],
    ['--config'],
    ['--url'],
    ['--file'],
    ['--name', '-n'],
    ['--from-url'],
    ['--to-url'],
    ['--from-schema-datamodel'],
    ['--to-schema-datamodel'],
    ['--from-schema-datasource'],
    ['--to-schema-datasource'],
    ['--from-migrations'],
    ['--to-migrations'],
    ['--from-schema'],
    ['--to-schema'],
    ['--shadow-database-url'],
    ['--applied'],
    ['--rolled-back'],
    ['--output', '-o'],
    ['--port', '-p'],
    ['--browser', '-b'],
    ['--generator'],
    ['--datasource-provider'],
    ['--telemetry-information'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--force', '-f'],
    ['--accept-data-loss'],
    ['--force-reset'],
    ['--skip-generate'],
    ['--skip-seed'],
    ['--create-only'],
    ['--stdin'],
    ['--script'],
    ['--exit-code'],
    ['--preview-feature'],
    ['--print'],
    ['--watch'],
  ],
});

const maxSqlBytes = 16 * 1024 * 1024;

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags } = readArgs(invocation.args, prismaGrammar);
  const help = flags.has('--help') || words[0] === 'help' || (words.length === 0 && flags.has('--version'));
  const command: Command = { path: words.slice(0, 2), flags };
  if (help || words[0] !== 'db' || words[1] !== 'execute') return { commands: [command], help };
  // `db execute`: the SQL it sends, from --file or --stdin.
  const dialect = dialectOf(flags.get('--url')?.at(-1) ?? providerOf(invocation));
  let stdin: StdinReadAhead | undefined;
  let sql: string | undefined;
  let where = '';
  const file = flags.get('--file')?.at(-1);
  if (file !== undefined) {
    where = `--file ${file}`;
    const path = resolvePath(invocation.cwd, file);
    try {
      sql = statSync(path).size <= maxSqlBytes ? readTextIfExists(path) : undefined;
    } catch {
      sql = undefined;
    }
  } else if (flags.has('--stdin')) {
    where = '--stdin';
    const { payloadText, readAheadLimit, readStdinPayload } = await import('../payload/stdin.js');
    const payload = readStdinPayload(invocation.env, invocation.input);
    if (payload) {
      sql = payloadText(payload, Math.min(readAheadLimit(invocation.env), maxSqlBytes));
      if (payload.kind === 'pipe') stdin = sql === undefined ? { ...payload.readAhead, rest: 'pass' } : payload.readAhead;
    } else sql = '';
  }
  const statements: Command[] =
    sql === undefined
      ? [{ path: ['sql', 'unreadable'], flags: new Map(), text: `${where}: not a file chaperone can read (missing, or larger than it reads)` }]
      : await readSqlText(sql, dialect);
  return { commands: [command, ...statements], help: false, ...(stdin ? { stdin } : {}) };
}

/** The schema's datasource provider (`postgresql`, `mysql`, …), for the SQL dialect. */
function providerOf(invocation: Invocation): string | undefined {
  const schema = findSchema(invocation);
  return schema && /provider\s*=\s*"([^"]+)"/.exec(datasourceBlock(schema.text) ?? '')?.[1];
}

/** The project root Prisma loads `.env` from: the nearest directory with a package.json, else cwd. */
function projectRoot(cwd: string): string {
  return ancestors(cwd).find((dir) => existsSync(join(dir, 'package.json'))) ?? cwd;
}

interface Schema {
  path: string;
  text: string;
  from: Evidence;
}

/** The schema Prisma would load, with how it was found; undefined when there is none. */
function findSchema(invocation: Invocation): Schema | undefined {
  const { flags } = readArgs(invocation.args, prismaGrammar);
  const root = projectRoot(invocation.cwd);
  const flag = flags.get('--schema')?.at(-1);
  const candidates: { path: string; from: Evidence }[] = [];
  if (flag !== undefined) candidates.push({ path: resolvePath(invocation.cwd, flag), from: { source: 'flag', key: '--schema', value: flag } });
  else {
    try {
      const pkg = JSON.parse(readTextIfExists(join(root, 'package.json')) ?? '{}') as { prisma?: { schema?: unknown } };
      if (typeof pkg.prisma?.schema === 'string') {
        candidates.push({ path: resolvePath(root, pkg.prisma.schema), from: { source: 'file', key: 'prisma.schema', value: pkg.prisma.schema, file: displayPath(join(root, 'package.json'), invocation.env) } });
      }
    } catch {
      // not JSON: Prisma falls back to the default locations too
    }
    for (const rel of ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema']) {
      candidates.push({ path: join(invocation.cwd, rel), from: { source: 'default', key: 'schema', value: rel } });
    }
  }
  for (const { path, from } of candidates) {
    const text = schemaText(path);
    if (text !== undefined) return { path, text, from };
  }
  return undefined;
}

/** A schema file's text, or every .prisma file of a schema folder joined. */
function schemaText(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) {
      const files = readdirSync(path, { recursive: true }).map(String).filter((f) => f.endsWith('.prisma')).sort();
      return files.length === 0 ? undefined : files.map((f) => readTextIfExists(join(path, f)) ?? '').join('\n');
    }
    return readTextIfExists(path);
  } catch {
    return undefined;
  }
}

function datasourceBlock(schema: string): string | undefined {
  const text = withoutComments(schema);
  return /\bdatasource\s+\w+\s*\{([^}]{0,20000})\}/.exec(text)?.[1];
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, prismaGrammar);
  const root = projectRoot(invocation.cwd);
  const url = flags.get('--url')?.at(-1);
  if (url !== undefined) return targetOfResolution({ parts: [partOf('url', url, { source: 'flag', key: '--url', value: url }, invocation.cwd)], unknown: [] });

  const schema = findSchema(invocation);
  const envFiles = [join(root, '.env'), ...(schema ? [join(dirname(schema.path), '.env')] : []), join(invocation.cwd, 'prisma', '.env'), join(root, 'prisma', '.env')];
  const { files, problems } = readDotenvFiles(envFiles);
  const resolution: Resolution = { parts: [], unknown: problems.map((p) => `${displayPath(p.path, invocation.env)} cannot be read (${p.why})`) };
  const ctx = { env: invocation.env, files, base: schema ? dirname(schema.path) : invocation.cwd, file: '' };

  const block = schema ? datasourceBlock(schema.text) : undefined;
  if (schema && block !== undefined) {
    const shown = displayPath(schema.path, invocation.env);
    resolution.parts.push({ evidence: [{ ...schema.from, value: `${schema.from.value} (${shown})` }], identifiers: [] });
    for (const m of block.matchAll(/\b(url|directUrl)\s*=\s*(?:env\(\s*"([^"]+)"\s*\)|"((?:\\.|[^"\\])*)")/g)) {
      const key = m[1];
      const value = m[2] !== undefined ? { key, kind: 'variable' as const, name: m[2] } : { key, kind: 'literal' as const, value: m[3] };
      mergeInto(resolution, resolveValues([{ ...value, key: 'url' }], { ...ctx, file: `${shown} datasource ${key}` }));
    }
  }
  // Prisma 6.4+ config file: its datasource url (Prisma 7 keeps the URL only there).
  const config = findConfig(invocation, root, flags.get('--config')?.at(-1));
  if (config && 'error' in config) resolution.unknown.push(`${displayPath(config.path, invocation.env)} cannot be read (${config.error})`);
  else if (config) {
    const reading = readConfigValues(config.text, ['url', 'directUrl', 'shadowDatabaseUrl']);
    const values = reading.values.filter((v) => v.key !== 'shadowDatabaseUrl');
    mergeInto(resolution, resolveValues(values.map((v) => ({ ...v, key: 'url' })), { ...ctx, file: displayPath(config.path, invocation.env) }));
  }
  if (resolution.parts.every((p) => p.identifiers.length === 0) && resolution.unknown.length === 0) {
    // Nothing named a database: the conventional variable, if anything sets it, is the best guess.
    const guessed = variableFrom('DATABASE_URL', invocation.env, files);
    for (const g of guessed) resolution.parts.push(partOf('url', g.value, g.from, ctx.base));
    if (guessed.length === 0) {
      resolution.parts.push({ evidence: [{ source: 'default', key: 'datasource', value: schema ? 'the schema names no datasource url' : 'no Prisma schema or config found (prisma/schema.prisma, schema.prisma, prisma.config.ts)' }], identifiers: [] });
    }
  }
  return targetOfResolution(resolution);
}

function mergeInto(into: Resolution, more: Resolution): void {
  into.parts.push(...more.parts);
  into.unknown.push(...more.unknown);
}

/** The Prisma config file, if any; one that exists but cannot be read is a reason the target is unknown. */
function findConfig(invocation: Invocation, root: string, flag: string | undefined): { path: string; text: string } | { path: string; error: string } | undefined {
  const paths = flag !== undefined ? [resolvePath(invocation.cwd, flag)] : ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', '.config/prisma.ts'].map((f) => join(root, f));
  for (const path of paths) {
    try {
      const text = readTextIfExists(path);
      if (text !== undefined) return { path, text };
    } catch (error) {
      return { path, error: (error as Error).message };
    }
  }
  return undefined;
}

/** Commands that only read the schema or the database, or write local files (the shim's fast path). */
const plainWords = ['generate', 'studio', 'format', 'validate', 'version', 'init', 'debug'];

export const prisma: Tool = { name: 'prisma', parse, resolve, plainWords, actsOnItsHost: true };
