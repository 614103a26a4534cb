// turso: which command lines the built-in rules gate (db shell SQL read as SQLite, from its argument or
// stdin), and which organization and database they reach.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('turso command lines against the built-in rules', () => {
  table((line) => line, [
    ['turso db destroy shop --yes', 'turso.destroy'],
    ['turso database destroy shop', 'turso.destroy'],
    ['turso group destroy default -y', 'turso.destroy'],
    ['turso org destroy acme', 'turso.destroy'],
    ['turso db tokens invalidate shop', 'turso.tokens.invalidate'],
    [`turso db shell shop 'DROP TABLE users'`, 'sqlite.sql.drop'],
    [`turso db shell shop "DELETE FROM users; UPDATE users SET a = 1 WHERE 1=1"`, 'sqlite.sql.delete-all sqlite.sql.update-all'],
    [`turso db shell shop "SELECT 'x\\'; DROP TABLE users; --'"`, 'sqlite.sql.drop'],
    [`turso db shell shop "SELECT 'open"`, 'sqlite.sql.unreadable'],
    // never gated
    ['turso db destroy shop --help', ''],
    ['turso db destroy -h', ''],
    ['turso help db', ''],
    ['turso db list', ''],
    ['turso db create shop-2', ''],
    [`turso db shell shop 'SELECT * FROM users'`, ''],
    [`turso db shell shop "SELECT 'DROP TABLE users'"`, ''],
    ['turso db shell shop .dump', ''],
    ['turso db shell shop ".read /no/such/file.sql"', 'sqlite.sql.unreadable'],
  ], (line) => rulesOf(line));

  it('reads SQL piped into db shell, as a shell line says it is', async () => {
    const ev = await evaluateLine('turso db shell shop-prod', {}, undefined, 'SELECT 1;\nDROP TABLE users;\n');
    expect(ev.findings.map((f) => `${f.rule}: ${f.text}`)).toEqual(['sqlite.sql.drop: DROP TABLE users']);
    expect(ev.target!.class).toBe('production');
    const wipe = join(emptyHome, 'turso-wipe.sql');
    writeFileSync(wipe, 'DELETE FROM orders;\n');
    const read = await evaluateLine('turso db shell shop-prod', {}, undefined, `.tables\n.read ${wipe}\n`);
    expect(read.findings.map((f) => `${f.rule}: ${f.text}`)).toEqual(['sqlite.sql.delete-all: DELETE FROM orders']);
    const benign = await evaluateLine('turso db shell shop-prod', {}, undefined, 'SELECT count(*) FROM users;\n');
    expect(benign.findings).toEqual([]);
  });
});

const config = join(emptyHome, 'turso-config');

beforeAll(() => {
  mkdirSync(join(config, 'turso'), { recursive: true });
  writeFileSync(join(config, 'turso', 'settings.json'), JSON.stringify({ organization: 'acme-staging', token: 'SECRET' }));
});

describe('turso target: organization and database', () => {
  const target = async (c: { line: string; env?: NodeJS.ProcessEnv }) => {
    const t = (await evaluateLine(c.line, { XDG_CONFIG_HOME: join(emptyHome, 'nowhere'), ...c.env })).target!;
    return `${t.name ?? '-'} ${t.class}`;
  };
  table((c) => `${c.env ? '(settings: acme-staging) ' : ''}${c.line}`, [
    [{ line: 'turso db destroy shop-dev' }, 'shop-dev development'],
    [{ line: 'turso db destroy shop' }, 'shop unknown'],
    [{ line: 'turso db destroy shop', env: { XDG_CONFIG_HOME: config } }, 'shop staging'],
    [{ line: 'turso db destroy shop', env: { TURSO_CONFIG_FOLDER: join(config, 'turso') } }, 'shop staging'],
    [{ line: 'turso db destroy shop-prod', env: { XDG_CONFIG_HOME: config } }, 'shop-prod production'],
    [{ line: `turso db shell http://127.0.0.1:8080 'DROP TABLE t'` }, 'http://127.0.0.1:8080 development'],
    [{ line: `turso db shell libsql://shop-acme.turso.io 'DROP TABLE t'` }, 'libsql://shop-acme.turso.io unknown'],
    [{ line: 'turso group destroy prod-eu' }, 'prod-eu production'],
  ], target);

  it('never shows the token in the settings file', async () => {
    const ev = await evaluateLine('turso db destroy shop', { XDG_CONFIG_HOME: config });
    expect(JSON.stringify(ev.target)).not.toContain('SECRET');
  });
});
