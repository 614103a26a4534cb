// drizzle-kit (drizzle-team/drizzle-orm, Node; usually `npx drizzle-kit …`, mapped here by the line
// analysis). Options stand after the command, `--flag value` or `--flag=value`.
//
// What it destroys: `push --force` applies the schema to the database without asking, the statements
// that lose data included (dropped tables and columns, truncated tables). Without --force it asks
// before each of those. `drop` only deletes a generated migration file and its journal entry in the
// repository, never touching the database, so it is not gated.
//
// Where it connects: `--url`, else `--host`/`--database`; else the config file (--config, else
// drizzle.config.{ts,mts,cts,js,mjs,cjs,json} in the working directory): its dbCredentials `url`,
// `connectionString`, `host` and `database`, read literally (js-config.ts). `process.env.NAME` there is
// the environment's, or, when the config loads a .env (`import 'dotenv/config'`), the .env's. A value
// chaperone cannot read literally makes the target unknown.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { partOf, resolveValues, targetOfResolution, type Resolution } from './connection-config.js';
import { readDotenvFiles } from './dotenv.js';
import { readConfigValues, sectionOf, type ConfigValue } from './js-config.js';
import type { Tool } from './tool.js';

const drizzleGrammar = grammar({
  values: [['--config'], ['--dialect'], ['--schema'], ['--out'], ['--url'], ['--host'], ['--port'], ['--user'], ['--password'], ['--database'], ['--ssl'], ['--auth-token'], ['--driver'], ['--tablesFilter'], ['--schemaFilters'], ['--extensionsFilters'], ['--casing'], ['--prefix'], ['--name'], ['--custom']],
  booleans: [['--help', '-h'], ['--version', '-v'], ['--force'], ['--strict'], ['--verbose'], ['--breakpoints'], ['--explain']],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, drizzleGrammar);
  const help = flags.has('--help') || flags.has('--version') || words.length === 0;
  return { commands: [{ path: words, flags }], help };
}

const configNames = ['drizzle.config.ts', 'drizzle.config.mts', 'drizzle.config.cts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.json'];

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, drizzleGrammar);
  const flag = (name: string) => flags.get(name)?.at(-1);
  const url = flag('--url');
  if (url !== undefined) return targetOfResolution({ parts: [partOf('url', url, { source: 'flag', key: '--url', value: url }, invocation.cwd)], unknown: [] });
  const host = flag('--host');
  if (host !== undefined) {
    const parts = [partOf('host', host, { source: 'flag', key: '--host', value: host }, invocation.cwd)];
    const database = flag('--database');
    if (database !== undefined) parts.push(partOf('database', database, { source: 'flag', key: '--database', value: database }, invocation.cwd));
    return targetOfResolution({ parts, unknown: [] });
  }
  const config = flag('--config');
  const paths = config !== undefined ? [resolvePath(invocation.cwd, config)] : configNames.map((n) => join(invocation.cwd, n));
  for (const path of paths) {
    let text: string | undefined;
    try {
      text = readTextIfExists(path);
    } catch (error) {
      return unknownBecause(`${displayPath(path, invocation.env)} cannot be read (${(error as Error).message})`, { source: 'file', key: 'config', value: 'unreadable', file: displayPath(path, invocation.env) });
    }
    if (text === undefined) continue;
    return fromConfig(text, path, invocation);
  }
  const shown = config ?? 'drizzle.config.ts';
  return { evidence: [{ source: config !== undefined ? 'flag' : 'default', key: 'config', value: `${shown} (not found)` }], identifiers: [] };
}

function fromConfig(text: string, path: string, invocation: Invocation): ResolvedTarget {
  const shown = displayPath(path, invocation.env);
  const keys = ['url', 'connectionString', 'host', 'database'];
  let values: ConfigValue[];
  let loadsDotenv = false;
  if (path.endsWith('.json')) {
    try {
      const json = JSON.parse(text) as { dbCredentials?: Record<string, unknown> };
      values = Object.entries(json.dbCredentials ?? {}).filter(([k]) => keys.includes(k)).map(([key, v]) => ({ key, kind: 'literal', value: String(v) }));
    } catch (error) {
      return unknownBecause(`${shown} is not valid JSON (${(error as Error).message})`, { source: 'file', key: 'config', value: 'not valid JSON', file: shown });
    }
  } else {
    values = readConfigValues(sectionOf(text, 'dbCredentials') ?? text, keys).values;
    loadsDotenv = readConfigValues(text, []).loadsDotenv;
  }
  const { files, problems } = loadsDotenv ? readDotenvFiles([join(invocation.cwd, '.env')]) : { files: [], problems: [] };
  const resolution: Resolution = resolveValues(values, { env: invocation.env, files, base: invocation.cwd, file: shown });
  resolution.unknown.push(...problems.map((p) => `${p.path} cannot be read (${p.why})`));
  if (values.length === 0) {
    resolution.parts.push({ evidence: [{ source: 'file', key: 'dbCredentials', value: 'names no url, host or database', file: shown }], identifiers: [] });
  }
  return targetOfResolution(resolution);
}

function unknownBecause(reason: string, evidence: Evidence): ResolvedTarget {
  return { evidence: [evidence], identifiers: [], forcedClass: 'unknown', forcedReason: `${reason}; unknown counts as production` };
}

/** Commands that write local files or only read the database (the shim's fast path). */
const plainWords = ['generate', 'studio', 'check', 'up', 'pull', 'introspect', 'export', 'drop'];

export const drizzleKit: Tool = { name: 'drizzle-kit', parse, resolve, plainWords, actsOnItsHost: true };
