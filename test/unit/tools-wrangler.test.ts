// wrangler: which command lines the built-in rules gate (D1 SQL read as SQLite), local or remote, and
// which Worker, database or resource a remote one reaches.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('wrangler command lines against the built-in rules', () => {
  table((line) => line, [
    [`wrangler d1 execute shop-db --remote --command 'DROP TABLE users'`, 'sqlite.sql.drop'],
    [`wrangler d1 execute DB --remote --command='DELETE FROM users'`, 'sqlite.sql.delete-all'],
    [`wrangler d1 execute DB --remote --command 'DELETE FROM users WHERE id = 1'`, ''],
    [`wrangler d1 execute DB --remote --command 'UPDATE users SET admin = 1; ALTER TABLE users DROP COLUMN email'`, 'sqlite.sql.update-all sqlite.sql.alter-drop'],
    [`wrangler d1 execute DB --remote --command "SELECT 'x\\'; DROP TABLE users; --'"`, 'sqlite.sql.drop'],
    [`wrangler d1 execute DB --remote --command 'SELECT 1' --command 'DROP TABLE t'`, 'sqlite.sql.drop'],
    [`wrangler d1 execute DB --remote --command "SELECT 'open"`, 'sqlite.sql.unreadable'],
    [`wrangler d1 execute DB --remote --file ./no-such.sql`, 'sqlite.sql.unreadable'],
    ['wrangler d1 delete shop-db -y', 'wrangler.d1.delete'],
    ['wrangler d1 time-travel restore shop-db --bookmark 00000001', 'wrangler.d1.time-travel.restore'],
    ['wrangler r2 bucket delete assets', 'wrangler.r2.bucket.delete'],
    ['wrangler r2 object delete assets/logo.png', 'wrangler.r2.object.delete'],
    ['wrangler kv namespace delete --namespace-id 0f2ac74b498b48028cb68387c421e279', 'wrangler.kv.namespace.delete'],
    ['wrangler kv:namespace delete --binding CACHE', 'wrangler.kv.namespace.delete'],
    ['wrangler kv key delete --binding CACHE user:1', 'wrangler.kv.key.delete'],
    ['wrangler kv:key delete --namespace-id abc user:1', 'wrangler.kv.key.delete'],
    ['wrangler kv bulk delete --binding CACHE keys.json', 'wrangler.kv.key.delete'],
    ['wrangler delete', 'wrangler.delete'],
    ['wrangler delete shop-api --env production', 'wrangler.delete'],
    ['wrangler queues delete jobs', 'wrangler.resource.delete'],
    ['wrangler vectorize delete embeddings --force', 'wrangler.resource.delete'],
    ['wrangler pages project delete shop-site', 'wrangler.pages.project.delete'],
    ['wrangler secret delete API_KEY', 'wrangler.secret.delete'],
    ['wrangler r2 bucket lifecycle add assets expire-all --expire-days 1', 'wrangler.r2.lifecycle.expire'],
    ['wrangler r2 bucket lifecycle add assets old --expire-date 2025-01-01', 'wrangler.r2.lifecycle.expire-date'],
    ['wrangler r2 bucket lifecycle set assets --file rules.json', 'wrangler.r2.lifecycle.set'],
    ['wrangler r2 bucket lock remove assets keep-all', 'wrangler.r2.lock.remove'],
    // never gated
    [`wrangler d1 execute DB --remote --command 'DROP TABLE users' --help`, ''],
    ['wrangler d1 delete shop-db -h', ''],
    ['wrangler help d1', ''],
    ['wrangler --version', ''],
    [`wrangler d1 execute DB --remote --command 'SELECT * FROM users'`, ''],
    [`wrangler d1 execute DB --remote --command "SELECT 'DROP TABLE users'"`, ''],
    ['wrangler d1 list', ''],
    ['wrangler d1 export shop-db --remote --output dump.sql', ''],
    ['wrangler r2 bucket list', ''],
    ['wrangler r2 object get assets/logo.png', ''],
    ['wrangler kv key get --binding CACHE user:1', ''],
    ['wrangler delete --dry-run', ''],
    ['wrangler deploy --env production', ''],
    ['wrangler tail', ''],
    ['wrangler r2 bucket lifecycle list assets', ''],
  ], (line) => rulesOf(line));
});

const project = join(emptyHome, 'wrangler-project');
const jsonc = join(emptyHome, 'wrangler-jsonc');

beforeAll(() => {
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(
    join(project, 'wrangler.toml'),
    [
      'name = "shop-api"',
      'account_id = "0123456789abcdef0123456789abcdef"',
      '[[d1_databases]]',
      'binding = "DB"',
      'database_name = "shop-db"',
      'database_id = "c020574a-5623-407b-be0c-cd192bab9545"',
      '[env.dev]',
      '[[env.dev.d1_databases]]',
      'binding = "DB"',
      'database_name = "shop-db-dev"',
      'database_id = "d020574a-5623-407b-be0c-cd192bab9545"',
      '[env.production]',
      'name = "shop-api-live"',
      '',
    ].join('\n'),
  );
  mkdirSync(jsonc, { recursive: true });
  writeFileSync(join(jsonc, 'wrangler.jsonc'), '{\n  // the worker\n  "name": "blog", /* staging copy */\n  "env": { "staging": { "name": "blog-staging", }, },\n}\n');
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const target = async ({ line, cwd = project, env = {} }: Case) => {
  const [tool, ...args] = (await import('../helpers/evaluate.js')).words(line);
  const { evaluate } = await import('../../src/evaluate.js');
  const t = (await evaluate({ tool, args, cwd, env: { HOME: emptyHome, ...env } }, { alwaysResolve: true, terminal: () => false })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('wrangler target: local or remote, the environment, the Worker and what is named', () => {
  table(({ line, cwd, env }) => `${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${line}${cwd ? ` (in ${cwd.split('/').pop()})` : ''}`, [
    // d1 execute is local unless --remote; the local database is development
    [{ line: `wrangler d1 execute DB --command 'DROP TABLE t'` }, 'local development'],
    [{ line: `wrangler d1 execute DB --local --command 'DROP TABLE t'` }, 'local development'],
    [{ line: `wrangler d1 execute DB --remote --command 'DROP TABLE t'` }, 'shop-db unknown'],
    [{ line: `wrangler d1 execute DB --remote false --command 'DROP TABLE t'` }, 'local development'],
    [{ line: `wrangler d1 execute DB --no-remote --command 'DROP TABLE t'` }, 'local development'],
    [{ line: `wrangler d1 execute DB --preview --command 'DROP TABLE t'` }, 'shop-db staging'],
    // --env picks the config block: its database and Worker decide
    [{ line: `wrangler d1 execute DB --remote --env dev --command 'DROP TABLE t'` }, 'shop-db-dev development'],
    [{ line: `wrangler d1 execute DB --remote --command 'DROP TABLE t'`, env: { CLOUDFLARE_ENV: 'dev' } }, 'shop-db-dev development'],
    // --env alone cannot launder a resource that the command names
    [{ line: 'wrangler r2 bucket delete assets-prod --env dev' }, 'assets-prod production'],
    [{ line: 'wrangler d1 delete shop-db -e dev' }, 'shop-db unknown'],
    [{ line: 'wrangler d1 delete DB -e dev' }, 'shop-db-dev development'],
    [{ line: 'wrangler d1 delete shop-db' }, 'shop-db unknown'],
    [{ line: 'wrangler r2 bucket delete assets-staging' }, 'assets-staging staging'],
    [{ line: 'wrangler r2 object delete uploads-dev/a.png' }, 'uploads-dev development'],
    [{ line: 'wrangler r2 object delete uploads-dev/a.png --local' }, 'local development'],
    [{ line: 'wrangler kv key delete --binding CACHE k --local' }, 'local development'],
    // without --local, kv and r2 object commands count as remote (wrangler 3 runs them remotely)
    [{ line: 'wrangler kv key delete --binding CACHE k' }, '- unknown'],
    [{ line: 'wrangler kv key delete --binding CACHE k --env dev' }, '- unknown'],
    [{ line: 'wrangler delete' }, 'shop-api unknown'],
    [{ line: 'wrangler delete --env production' }, 'shop-api-live production'],
    [{ line: 'wrangler delete --env dev' }, 'shop-api-dev development'],
    [{ line: 'wrangler secret delete API_KEY -e dev' }, 'shop-api-dev development'],
    [{ line: 'wrangler delete', cwd: join(project, 'src') }, 'shop-api unknown'],
    [{ line: 'wrangler delete', cwd: jsonc }, 'blog unknown'],
    [{ line: 'wrangler delete --env staging', cwd: jsonc }, 'blog-staging staging'],
    [{ line: `wrangler delete -c ${join(jsonc, 'wrangler.jsonc')} --env staging`, cwd: emptyHome }, 'blog-staging staging'],
    [{ line: 'wrangler delete', cwd: emptyHome }, '- unknown'],
    [{ line: 'wrangler queues delete jobs-dev', cwd: emptyHome }, 'jobs-dev development'],
  ], target);

  it('names the config file, the binding it resolved and the account as evidence', async () => {
    const ev = await evaluateLine(`wrangler d1 execute DB --remote --command 'DROP TABLE t'`, {}, project);
    const shown = ev.target!.evidence;
    expect(shown).toContainEqual({ source: 'file', key: 'd1_databases[binding DB].database_name', value: 'shop-db', file: expect.stringContaining('wrangler.toml') });
    expect(shown).toContainEqual({ source: 'file', key: 'account_id', value: '0123456789abcdef0123456789abcdef', file: expect.stringContaining('wrangler.toml') });
    expect(ev.findings.map((f) => f.text)).toEqual(['DROP TABLE t']);
  });

  it('a config it cannot read is said, and the target stays unknown', async () => {
    const broken = join(emptyHome, 'wrangler-broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'wrangler.toml'), 'name = "shop-dev\n');
    const ev = await evaluateLine('wrangler delete', {}, broken);
    expect(ev.target!.class).toBe('unknown');
    expect(JSON.stringify(ev.target!.evidence)).toMatch(/unreadable .*fix the file or pass -c/);
  });

  it('reads every migration a migrations apply may run, and says which file holds the DROP', async () => {
    mkdirSync(join(project, 'migrations'), { recursive: true });
    writeFileSync(join(project, 'migrations', '0001_init.sql'), 'CREATE TABLE users (id);\n');
    writeFileSync(join(project, 'migrations', '0002_cleanup.sql'), 'DROP TABLE users;\n');
    const remote = await evaluateLine('wrangler d1 migrations apply DB --remote', {}, project);
    expect(remote.findings.map((f) => `${f.rule}: ${f.text}`)).toEqual(['sqlite.sql.drop: 0002_cleanup.sql: DROP TABLE users']);
    expect(remote.target!.name).toBe('shop-db');
    expect(remote.target!.class).toBe('unknown');
    const local = await evaluateLine('wrangler d1 migrations apply DB', {}, project);
    expect(local.target!.class).toBe('development');
    const other = await evaluateLine('wrangler d1 migrations apply DB --remote', {}, jsonc);
    expect(other.findings).toEqual([]);
  });

  it('reads a --file of SQL relative to the working directory', async () => {
    writeFileSync(join(project, 'wipe.sql'), "-- cleanup\nDELETE FROM sessions WHERE expires < 0;\nDROP TABLE users;\n");
    const ev = await evaluateLine('wrangler d1 execute DB --remote --file wipe.sql', {}, project);
    expect(ev.findings.map((f) => `${f.rule}: ${f.text}`)).toEqual(['sqlite.sql.drop: DROP TABLE users']);
  });
});
