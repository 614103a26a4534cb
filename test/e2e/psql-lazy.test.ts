// The PostgreSQL grammar (libpg-query, ~100 ms to load) loads only when a unit could destroy
// something: a cheap scan that can only over-approximate decides. Runs the built CLI with a preload
// that reports any read under libpg-query.

import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/sandbox.js';
import { emptyHome } from '../helpers/evaluate.js';

const trace = join(repoRoot, 'test/fixtures/trace-libpg-query.cjs');
const check = (args: string[], input?: string) =>
  execa(process.execPath, ['-r', trace, cliPath, 'check', '--actor', 'agent', '--', 'psql', '-h', 'db.prod.example', ...args], {
    env: { HOME: emptyHome, PATH: process.env.PATH },
    extendEnv: false,
    reject: false,
    ...(input !== undefined ? { input } : {}),
  });

describe('libpg-query loads only when something could destroy', () => {
  it('psql -c "select 1" and a benign script do not load it', async () => {
    for (const result of [await check(['-c', 'select 1']), await check(['-c', 'SELECT count(*) FROM orders', '-c', 'INSERT INTO t VALUES (1)'])]) {
      expect(result.exitCode).toBe(0);
      expect(result.stderr).not.toContain('trace: libpg-query read');
    }
  });
  it('a DROP the grammar must read (or a psql variable that could hold one) loads it and is refused', async () => {
    for (const sql of ['drop table t /* old */', 'DROP FUNCTION f(double precision)', 'drop table "T"', 'drop table t; select 1']) {
      const drop = await check(['-c', sql]);
      expect(drop.stderr, sql).toContain('trace: libpg-query read');
      expect(drop.exitCode, sql).toBe(77);
    }
  });
  it('a statement whose words alone fix it (DROP TABLE t, TRUNCATE a, DELETE FROM t) is refused without loading it', async () => {
    for (const sql of ['drop table t', 'DROP TABLE IF EXISTS orders, s.items CASCADE;', 'truncate orders', 'delete from orders', 'drop function f()', 'DROP PROCEDURE IF EXISTS s.p(a int, text), q', 'drop materialized view mv', 'drop extension hstore']) {
      const result = await check(['-c', sql]);
      expect(result.stderr, sql).not.toContain('trace: libpg-query read');
      expect(result.exitCode, sql).toBe(77);
      expect(result.stdout, sql).toMatch(/psql\.sql\.(drop|truncate|delete)/);
    }
  });
  it('an UPDATE or DELETE with a real WHERE on a plain string is allowed without loading it', async () => {
    for (const sql of ["update users set email = 'a@b.example' where id = 5", "DELETE FROM sessions WHERE token = 'abc;--'", 'delete from jobs where id in (1, 2) and done_at is not null', 'alter table t add column c text']) {
      const result = await check(['-c', sql]);
      expect(result.stderr, sql).not.toContain('trace: libpg-query read');
      expect(result.exitCode, sql).toBe(0);
    }
    // A string the words do not read ('' inside) goes to the grammar, which allows it too.
    const quoted = await check(['-c', "delete from t where v = 'it''s'"]);
    expect(quoted.stderr).toContain('trace: libpg-query read');
    expect(quoted.exitCode).toBe(0);
    // The same without its WHERE is refused, still without the grammar.
    const bare = await check(['-c', "update users set email = 'a@b.example'"]);
    expect(bare.stderr).not.toContain('trace: libpg-query read');
    expect(bare.exitCode).toBe(77);
  });
});
