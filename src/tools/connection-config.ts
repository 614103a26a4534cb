// From connection settings read out of a tool's config file (js-config.ts, database.yml, config.json) to
// a target: URLs through database-url.ts, `host` and `database` keys as they are, variables from the
// environment or the .env files the tool loads. A value that cannot be known (an opaque expression, a
// variable set nowhere) makes the whole target unknown, whatever the rest says: the connection may go
// anywhere.

import type { Evidence, Identifier, ResolvedTarget } from '../model.js';
import { databaseUrlTarget, type UrlTarget } from './database-url.js';
import { variableFrom, type DotenvFile } from './dotenv.js';
import type { ConfigValue } from './js-config.js';

/** Keys whose value is a whole connection URL. */
export const urlKeys = ['url', 'uri', 'connectionString', 'connection_string', 'databaseUrl', 'database_url', 'DATABASE_URL'];
export const hostKeys = ['host', 'hostname', 'server', 'HOST'];
export const databaseKeys = ['database', 'db', 'dbName', 'dbname', 'filename', 'storage', 'NAME'];

export interface ValueContext {
  env: NodeJS.ProcessEnv;
  files: readonly DotenvFile[];
  /** Where relative SQLite paths start. */
  base: string;
  /** The config file, as shown. */
  file: string;
}

export interface Resolution {
  parts: UrlTarget[];
  /** Why some value could not be known: the target is then unknown. */
  unknown: string[];
}

export function resolveValues(values: readonly ConfigValue[], ctx: ValueContext): Resolution {
  const out: Resolution = { parts: [], unknown: [] };
  for (const value of values) {
    const from: Evidence = { source: 'file', key: value.key, value: '', file: ctx.file };
    if (value.kind === 'opaque') {
      out.parts.push({ evidence: [{ ...from, value: `${value.text} (not a literal chaperone can read)` }], identifiers: [] });
      out.unknown.push(`${value.key} in ${ctx.file} is computed (${value.text}), so where it connects is not known`);
      continue;
    }
    if (value.kind === 'literal') {
      out.parts.push(partOf(value.key, value.value, { ...from, value: value.value }, ctx.base));
      continue;
    }
    const found = variableFrom(value.name, ctx.env, ctx.files);
    if (found.length === 0 && value.fallback !== undefined) {
      out.parts.push(partOf(value.key, value.fallback, { ...from, value: `${value.fallback} (the fallback: ${value.name} is set nowhere)` }, ctx.base));
      continue;
    }
    if (found.length === 0) {
      out.parts.push({ evidence: [{ ...from, value: `${value.name}, which is set nowhere (not in the environment nor a .env file)` }], identifiers: [] });
      out.unknown.push(`${value.key} in ${ctx.file} comes from ${value.name}, which is not set`);
      continue;
    }
    for (const f of found) out.parts.push(partOf(value.key, f.value, f.from, ctx.base, { ...from, value: `the variable ${value.name}` }));
  }
  return out;
}

/** One value: a URL, a host or a database name, with where it came from. */
export function partOf(key: string, value: string, from: Evidence, base: string, via?: Evidence): UrlTarget {
  const before = via ? [via] : [];
  if (hostKeys.includes(key)) {
    const identifiers: Identifier[] = value ? [{ kind: 'host', value }] : [];
    return { evidence: [...before, from], identifiers };
  }
  if (databaseKeys.includes(key)) {
    if (/\.(db|sqlite3?|db3)$/i.test(value) || value === ':memory:') {
      const sqlite = databaseUrlTarget(value, from, base);
      return { ...sqlite, evidence: [...before, ...sqlite.evidence] };
    }
    return { evidence: [...before, from], identifiers: value ? [{ kind: 'name', value }] : [], ...(value ? { database: value } : {}) };
  }
  const url = databaseUrlTarget(value, from, base);
  return { ...url, evidence: [...before, ...url.evidence] };
}

/** The parts as one target; unknown, with every reason, when any value could not be known. */
export function targetOfResolution(resolution: Resolution, extra: { evidence: Evidence[]; identifiers: Identifier[] }[] = [], name?: string): ResolvedTarget {
  const parts = [...extra, ...resolution.parts];
  const database = name ?? resolution.parts.find((p) => p.database !== undefined)?.database;
  const target: ResolvedTarget = {
    ...(database !== undefined ? { name: database } : {}),
    evidence: parts.flatMap((p) => p.evidence),
    identifiers: parts.flatMap((p) => p.identifiers),
  };
  if (resolution.unknown.length > 0) {
    target.forcedClass = 'unknown';
    target.forcedReason = `${[...new Set(resolution.unknown)].join('; ')}; unknown counts as production`;
  }
  return target;
}
