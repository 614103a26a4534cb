// How libpq decides where psql, dropdb and pg_restore connect.
//
//   1. explicit values: a connection string (URI or key=value) overrides the -h/-p/-U/-d flags;
//   2. the service (service= or PGSERVICE) from PGSERVICEFILE or ~/.pg_service.conf, then
//      PGSYSCONFDIR/pg_service.conf, fills what is still missing;
//   3. then PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER;
//   4. then the defaults: a Unix socket, the OS user, a database named after the user.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { percentDecoded } from './tool.js';

type Key = 'host' | 'hostaddr' | 'port' | 'dbname' | 'user' | 'service';
const keys: Key[] = ['host', 'hostaddr', 'port', 'dbname', 'user', 'service'];
const envFor: Record<Key, string> = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  service: 'PGSERVICE',
};

export interface Connection {
  values: Partial<Record<Key, string>>;
  evidence: Evidence[];
}

/** libpq's test: a URI prefix, or an `=` anywhere. */
export function isConnectionString(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text) || text.includes('=');
}

/** The parameters of a URI or key=value connection string (the password is dropped on reading). */
export function parseConnectionString(text: string): Record<string, string> {
  return /^postgres(ql)?:\/\//i.test(text) ? parseUri(text) : parseKeywords(text);
}

function parseUri(uri: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = uri.replace(/^postgres(ql)?:\/\//i, '');
  const q = rest.indexOf('?');
  const query = q === -1 ? '' : rest.slice(q + 1);
  if (q !== -1) rest = rest.slice(0, q);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  if (slash !== -1 && rest.length > slash + 1) out.dbname = percentDecoded(rest.slice(slash + 1));
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at);
  const hostlist = at === -1 ? authority : authority.slice(at + 1);
  if (userinfo) out.user = percentDecoded(userinfo.split(':')[0]);
  const hosts: string[] = [];
  const ports: string[] = [];
  for (const entry of hostlist.split(',').filter(Boolean)) {
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(entry);
    if (!match) continue;
    hosts.push(percentDecoded(match[1].replace(/^\[|\]$/g, '')));
    if (match[2]) ports.push(match[2]);
  }
  if (hosts.some(Boolean)) out.host = hosts.join(',');
  if (ports.length) out.port = ports.join(',');
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = percentDecoded(eq === -1 ? pair : pair.slice(0, eq));
    const value = percentDecoded(eq === -1 ? '' : pair.slice(eq + 1));
    if (key !== 'password') out[key] = value;
  }
  return out;
}

/** `host=db port=5432 dbname='my db'`: values may be single-quoted, with backslash escapes. */
function parseKeywords(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:\\.|[^'\\])*)'|((?:\\.|[^\s\\])*))/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const value = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
    if (match[1] !== 'password') out[match[1]] = value;
    if (pattern.lastIndex >= text.length) break;
  }
  return out;
}

/** Reads one [service] section of a pg_service.conf file. */
function readService(text: string, service: string): Record<string, string> | undefined {
  let current: string | undefined;
  let found: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      current = section[1];
      if (current === service) found = {};
      continue;
    }
    if (current !== service || !found) continue;
    const eq = line.indexOf('=');
    if (eq !== -1) found[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return found;
}

/**
 * Where a libpq client connects. `explicit` holds the connection string (if any) and the flag values,
 * each with the evidence that names it.
 */
export function resolveConnection(
  connectionString: { text: string; from: Evidence } | undefined,
  flags: Partial<Record<Key, { value: string; from: Evidence }>>,
  env: NodeJS.ProcessEnv,
  /** Where a relative PGSERVICEFILE or PGSYSCONFDIR starts (the tool's working directory). */
  cwd?: string,
): Connection {
  const at = (path: string, ...names: string[]) => (cwd === undefined ? resolvePath(path, ...names) : resolvePath(cwd, path, ...names));
  const values: Partial<Record<Key, string>> = {};
  const evidence: Evidence[] = [];
  const set = (key: Key, value: string, from: Evidence) => {
    if (values[key] !== undefined || value === '') return;
    values[key] = value;
    evidence.push(from);
  };

  if (connectionString) {
    const params = parseConnectionString(connectionString.text);
    for (const key of keys) {
      if (params[key] !== undefined) set(key, params[key], { ...connectionString.from, key: `${connectionString.from.key} ${key}`, value: params[key] });
    }
  }
  for (const key of keys) {
    const flag = flags[key];
    if (flag) set(key, flag.value, flag.from);
  }

  const service = values.service ?? env.PGSERVICE;
  if (service) {
    if (!values.service) set('service', service, { source: 'env', key: 'PGSERVICE', value: service });
    const files = env.PGSERVICEFILE
      ? [at(env.PGSERVICEFILE)]
      : [join(homeOf(env), '.pg_service.conf'), ...(env.PGSYSCONFDIR ? [at(env.PGSYSCONFDIR, 'pg_service.conf')] : [])];
    for (const file of files) {
      const text = readTextIfExists(file);
      const section = text === undefined ? undefined : readService(text, service);
      if (!section) continue;
      for (const key of keys) {
        if (section[key] !== undefined) {
          set(key, section[key], { source: 'file', key: `[${service}] ${key}`, value: section[key], file: displayPath(file, env) });
        }
      }
      break;
    }
  }

  for (const key of keys) {
    const value = env[envFor[key]];
    if (value) set(key, value, { source: 'env', key: envFor[key], value });
  }
  if (values.host === undefined && values.hostaddr === undefined) {
    evidence.push({ source: 'default', key: 'host', value: 'the local Unix socket (no host given)' });
  }
  return { values, evidence };
}

/** The target of a libpq connection: its hosts, and its database named by token. */
export function targetOf(connection: Connection, database = connection.values.dbname): ResolvedTarget {
  const identifiers: Identifier[] = [];
  const hosts = connection.values.host ?? connection.values.hostaddr;
  if (hosts) for (const host of hosts.split(',')) identifiers.push({ kind: 'host', value: host || 'localhost' });
  else identifiers.push({ kind: 'host', value: '/var/run/postgresql' });
  if (connection.values.hostaddr && connection.values.host) identifiers.push({ kind: 'host', value: connection.values.hostaddr });
  if (database) identifiers.push({ kind: 'name', value: database });
  if (connection.values.service) identifiers.push({ kind: 'name', value: connection.values.service });
  return { name: database, evidence: connection.evidence, identifiers };
}
