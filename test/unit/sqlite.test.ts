// The SQLite reader (wrangler d1 execute, turso db shell): table cases, then random scripts, judged
// against the real sqlite3 where the machine has it: whenever sqlite3 drops the table, the reader said
// drop or unreadable.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSqlite } from '../../src/sql/sqlite.js';
import { table } from '../helpers/cases.js';
import { toolGroup } from '../helpers/system.js';
import { tokenSoup } from '../helpers/random.js';

/** The actions of a script, `path flags` each, joined by ` | `. */
const actions = (sql: string) =>
  readSqlite(sql)
    .map((c) => [...c.path.slice(1), ...[...c.flags.keys()]].join(' '))
    .join(' | ');

describe('SQLite statements as actions', () => {
  table((sql) => sql, [
    ['DROP TABLE users', 'drop table'],
    ['drop table if exists "users"', 'drop table'],
    ['DROP INDEX idx; DROP VIEW v; DROP TRIGGER t', 'drop index | drop view | drop trigger'],
    ['DELETE FROM users', 'delete'],
    ['DELETE FROM users WHERE id = 1', 'delete --where'],
    ['DELETE FROM users WHERE 1', 'delete'],
    ['DELETE FROM users WHERE 1 = 1 RETURNING *', 'delete'],
    ['delete from users --WHERE id = 1', 'delete'],
    ['DELETE FROM users /* WHERE id = 1 */', 'delete'],
    ['UPDATE users SET admin = 1', 'update'],
    ['UPDATE OR REPLACE users SET admin = 1 WHERE id = 2', 'update --where'],
    ['WITH old AS (SELECT id FROM users) DELETE FROM users', 'delete'],
    ['ALTER TABLE users DROP COLUMN email', 'alter-table drop'],
    ['ALTER TABLE users RENAME TO people', 'alter-table rename'],
    ['VACUUM; REINDEX; BEGIN IMMEDIATE; END', 'vacuum | reindex | begin | commit'],
    ['FROBNICATE users', 'unreadable'],
    ['CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END; SELECT 1', 'create-routine | select'],
    ['CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; DELETE FROM c; END', 'create-routine'],
    ["SELECT 'a\\'; DROP TABLE t; --'", 'select | drop table'],
    ["SELECT 'DROP TABLE t'", 'select'],
    ['SELECT "DROP TABLE t", [DROP TABLE x], `drop`', 'select'],
    ["INSERT OR REPLACE INTO t VALUES (1, x'00ff')", 'insert'],
    ['REPLACE INTO t VALUES (1)', 'replace'],
    ['EXPLAIN QUERY PLAN DELETE FROM users', 'explain'],
    ['SELECT 1 -- ; DROP TABLE t', 'select'],
    ['SELECT 1; -- trailing comment', 'select'],
    ['SELECT :a, @b, $c, ?1, ? ; DROP TABLE t', 'select | drop table'],
    ["SELECT 'never closes; DROP TABLE t", 'unreadable'],
    ['SELECT [never closes', 'unreadable'],
    ['SELECT 1; SELECT "oops', 'select | unreadable'],
    ['PRAGMA foreign_keys = OFF', 'pragma'],
    ['', ''],
    [';;;', ''],
  ], actions);
});

const fragments = [
  'SELECT', ' ', '1', ';', '\n', "'", "''", '"', '`', '[', ']', '--', '/*', '*/', '\\', "x'", '(', ')', 'BEGIN', 'END',
  'CREATE TRIGGER tr AFTER INSERT ON log BEGIN ', 'DROP TABLE orders', 'DELETE FROM log', ' WHERE ', 'CASE WHEN 1 THEN 2 ', '$v', ':v', 'ü',
];

const soup = (seed: number): string => tokenSoup(fragments, seed, 24);

const held = (sql: string) => readSqlite(sql).some((c) => c.path[1] === 'drop' || c.path[1] === 'unreadable' || c.path[1] === 'create-routine');

describe('the SQLite reader on random scripts', () => {
  it('reads every script without throwing, and finds a DROP that follows plain statements', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = soup(seed);
      expect(() => readSqlite(text)).not.toThrow();
      // Without quotes or comments a DROP is always where it stands.
      if (!/['"`[\-/]/.test(text)) expect(held(`${text};\nDROP TABLE orders;`), `seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
    }
  });
});

const sqlite3 = toolGroup('the SQLite reader against the real sqlite3', spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0 ? [] : ['sqlite3 is not installed']);
describe.skipIf(sqlite3.skip)(sqlite3.title, () => {
  it('never reads as harmless a script that makes the real sqlite3 drop the table', () => {
    sqlite3.assertAvailable();
    const dir = mkdtempSync(join(tmpdir(), 'chaperone-sqlite-'));
    let dropped = 0;
    try {
      for (let seed = 1; seed <= 250; seed++) {
        const db = join(dir, `${seed}.db`);
        const script = soup(seed) + (seed % 2 === 0 ? '\n;\nDROP TABLE orders;\n' : '');
        // Without -bail sqlite3 runs on past a failing statement: a superset of what D1 runs.
        spawnSync('sqlite3', [db], { input: `CREATE TABLE orders (id); CREATE TABLE log (id);\n${script}`, encoding: 'utf8' });
        const left = execFileSync('sqlite3', [db, "SELECT count(*) FROM sqlite_master WHERE name = 'orders'"], { encoding: 'utf8' }).trim();
        if (left === '0') {
          dropped++;
          expect(held(script), `seed ${seed}: ${JSON.stringify(script)}`).toBe(true);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`sqlite3 differential: ${dropped} of 250 random scripts dropped the table; every one was held`);
    expect(dropped).toBeGreaterThan(25);
  });
});
