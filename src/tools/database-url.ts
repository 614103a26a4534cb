// A database URL (`DATABASE_URL`, Prisma's `url`, SQLAlchemy's `sqlalchemy.url`, Rails' `url:`) as a
// target: its hosts and its database, classified the way psql's are (a local host is development, a
// name is read by token, anything else is unknown until the user's config maps it). The password never
// reaches the evidence.
//
// Spellings read: `postgres(ql)://` (libpq's own URI rules: several hosts, `?host=/socket`), with a
// driver suffix (`postgresql+psycopg2://`) or a `jdbc:` prefix; `mysql://`, `mariadb://`, `mongodb://`,
// `cockroachdb://` and other `scheme://host/db` URLs; Prisma's `sqlserver://host:1433;database=db`;
// SQLite files (`file:./dev.db`, `sqlite:///db.sqlite3`, a bare `*.db`/`*.sqlite3` path), which are on
// this machine. Anything else names nothing, so the target stays unknown.

import { basename, isAbsolute } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import type { Evidence, Identifier, ResolvedTarget } from '../model.js';
import { redactText } from '../redact.js';
import { parseConnectionString } from './libpq.js';
import { percentDecoded } from './tool.js';

export interface UrlTarget {
  evidence: Evidence[];
  identifiers: Identifier[];
  /** The database's name, when the URL gives one. */
  database?: string;
}

/**
 * What a database URL points at. `from` is where it was read (its value is replaced by the URL, redacted);
 * `base` is the directory a relative SQLite path is relative to.
 */
export function databaseUrlTarget(url: string, from: Evidence, base: string): UrlTarget {
  const text = url.trim().replace(/^jdbc:/i, '');
  const shown = { ...from, value: redactText(text) };
  const none = (why: string): UrlTarget => ({ evidence: [{ ...shown, value: `${shown.value} (${why})` }], identifiers: [] });
  if (text === '') return none('empty');
  const sqlite = sqlitePath(text);
  if (sqlite !== undefined) {
    if (sqlite === ':memory:') return { evidence: [shown], identifiers: [{ kind: 'host', value: 'localhost' }], database: ':memory:' };
    const file = isAbsolute(sqlite) ? sqlite : resolve(base, sqlite);
    const name = basename(file).replace(/\.(db|sqlite3?|db3)$/i, '');
    return { evidence: [shown, { source: 'default', key: 'SQLite file', value: `${file} (on this machine)` }], identifiers: [{ kind: 'host', value: file }, ...(name ? [{ kind: 'name' as const, value: name }] : [])], database: name };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1].toLowerCase();
  if (scheme === undefined) return none('not a URL chaperone can read');
  const driver = scheme.split('+')[0];
  let hosts: string[] = [];
  let database: string | undefined;
  if (driver === 'postgres' || driver === 'postgresql' || driver === 'pgsql' || driver === 'psql') {
    const params = parseConnectionString(`postgresql://${text.slice(scheme.length + 3)}`);
    hosts = (params.host ?? params.hostaddr ?? '').split(',').filter(Boolean);
    if (hosts.length === 0) hosts = ['/var/run/postgresql'];
    database = params.dbname;
  } else if (driver === 'sqlserver' || driver === 'mssql') {
    // Prisma's form: sqlserver://HOST[:PORT];database=DB;user=…;password=…
    const [address, ...pairs] = text.slice(scheme.length + 3).split(';');
    hosts = [address.replace(/^[^@]*@/, '').replace(/[:\\/].*$/, '')].filter(Boolean);
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      if (/^(database|initial catalog)$/i.test(key?.trim() ?? '') && value) database = value.trim();
    }
    if (database === undefined) database = /\/([^/?;]+)/.exec(address)?.[1];
  } else {
    try {
      const parsed = new URL(text);
      // mongodb://a,b,c/db: WHATWG URL takes only one host; read the list itself.
      const authority = text.slice(scheme.length + 3).split(/[/?]/)[0].replace(/^[^@]*@/, '');
      hosts = authority.split(',').map((h) => h.replace(/:\d*$/, '').replace(/^\[|\]$/g, '')).filter(Boolean);
      if (hosts.length === 0 && parsed.hostname) hosts = [parsed.hostname];
      database = decodeURIComponent(parsed.pathname.replace(/^\//, '').split('/')[0]) || undefined;
    } catch {
      return none('not a URL chaperone can read');
    }
  }
  if (hosts.length === 0) return none('names no host');
  const identifiers: Identifier[] = hosts.map((value) => ({ kind: 'host' as const, value: percentDecoded(value) }));
  if (database) identifiers.push({ kind: 'name', value: database });
  return { evidence: [shown], identifiers, ...(database ? { database } : {}) };
}

/** The file a SQLite URL names, `:memory:`, or undefined when it is not SQLite. */
function sqlitePath(text: string): string | undefined {
  if (/^file:/i.test(text)) return text.replace(/^file:(\/\/(?=\/))?/i, '').replace(/\?.*$/, '');
  const sqlalchemy = /^sqlite(?:\+\w+)?:\/\/\/?(.*)$/i.exec(text);
  if (sqlalchemy) return sqlalchemy[1] === '' ? ':memory:' : sqlalchemy[1].replace(/\?.*$/, '');
  if (!text.includes('://') && /\.(db|sqlite3?|db3)$/i.test(text)) return text;
  return undefined;
}

/** Several partial targets as one: all their evidence and identifiers (the strictest class wins). */
export function combineTargets(parts: readonly { evidence: Evidence[]; identifiers: Identifier[] }[], name?: string): ResolvedTarget {
  return {
    ...(name !== undefined ? { name } : {}),
    evidence: parts.flatMap((p) => p.evidence),
    identifiers: parts.flatMap((p) => p.identifiers),
  };
}
