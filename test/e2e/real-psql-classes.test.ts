// Each route of issue 9 through the real shim and the real psql, against a real PostgreSQL: as an
// agent against a database the config calls production, refused and the rows intact; against a
// development database, run, and the destruction real (so the route does reach the server).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { postgresProblems, startPostgres, type Postgres } from '../helpers/postgres.js';
import { toolGroup } from '../helpers/system.js';

const group = toolGroup('issue 9 routes through the psql shim, against a real PostgreSQL server', await postgresProblems());

/** Scripts on stdin that empty or drop `orders` in the database psql starts on (DB is replaced by its name). */
const routes: [string, string, string[]?][] = [
  ['a variable from \\set', "\\set cmd 'DELETE FROM orders'\n:cmd;\n"],
  ['a variable from -v', ':cmd;\n', ['-v', 'cmd=TRUNCATE orders']],
  ['\\; joining statements', 'SELECT 1 \\; DELETE FROM orders;\n'],
  ['SQL after \\\\ on a meta-command line', '\\echo hi \\\\ TRUNCATE orders;\n'],
  ['a meta-command inside a statement', 'DELETE \\echo split\nFROM orders;\n'],
  ['$ inside an identifier', 'SELECT 1 AS x$a$; TRUNCATE orders; SELECT $a$ $a$;\n'],
  ['a failed COPY whose data is SQL', 'COPY missing_table FROM stdin;\nTRUNCATE orders;\n\\.\n'],
  ['standard_conforming_strings off', "SET standard_conforming_strings = off;\nSELECT 'a\\' , $$ ' ; TRUNCATE orders; -- $$;\n"],
  ['MERGE … THEN DELETE', 'MERGE INTO orders USING (SELECT 1 AS k) s ON true WHEN MATCHED THEN DELETE;\n'],
  ['EXPLAIN ANALYZE of a DELETE', 'EXPLAIN ANALYZE DELETE FROM orders;\n'],
  ['\\gexec', "SELECT 'TRUNCATE orders' \\gexec\n"],
];

describe.skipIf(group.skip)(group.title, () => {
  let pg: Postgres | undefined;
  let sb: Sandbox | undefined;
  const at = (db: string) => ['-X', '-h', '127.0.0.1', '-p', String(pg!.port), '-U', 'postgres', '-d', db];
  const seed = (db: string) =>
    pg!.sql(db, 'DROP TABLE IF EXISTS orders', 'CREATE TABLE orders (id int PRIMARY KEY, item text)', "INSERT INTO orders VALUES (1, 'apple'), (2, 'pear')");
  const count = (db: string) => pg!.sql(db, 'SELECT count(*) FROM orders');

  beforeAll(async () => {
    group.assertAvailable();
    [pg, sb] = await Promise.all([startPostgres(), makeSandbox(['psql'])]);
    await pg.sql('postgres', 'CREATE DATABASE shop_prod', 'CREATE DATABASE shop_dev');
  });
  afterAll(async () => {
    await pg?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  for (const [name, script, extra = []] of routes) {
    it(`${name}: refused against production with the rows intact, run against development`, async () => {
      await Promise.all([seed('shop_prod'), seed('shop_dev')]);
      const refused = await sb!.run('psql', [...at('shop_prod'), ...extra], { input: script, env: { CHAPERONE_ACTOR: 'agent' } });
      expect(refused.exitCode, String(refused.stderr)).toBe(77);
      expect(await count('shop_prod')).toBe('2');
      const ran = await sb!.run('psql', [...at('shop_dev'), ...extra], { input: script, env: { CHAPERONE_ACTOR: 'agent' } });
      expect(ran.exitCode, String(ran.stderr)).toBe(0);
      expect(ran.stderr).toContain('(development): allowed');
      expect(await count('shop_dev')).toBe('0');
    });
  }

  it('\\c from development to production: refused, and the production rows stay', async () => {
    await Promise.all([seed('shop_prod'), seed('shop_dev')]);
    const refused = await sb!.run('psql', at('shop_dev'), { input: 'SELECT 1;\n\\c shop_prod\nTRUNCATE orders;\n', env: { CHAPERONE_ACTOR: 'agent' } });
    expect(refused.exitCode, String(refused.stderr)).toBe(77);
    expect(refused.stderr).toContain('\\c shop_prod');
    expect(await count('shop_prod')).toBe('2');
    const ran = await sb!.run('psql', at('shop_prod'), { input: 'SELECT 1;\n\\c shop_dev\nTRUNCATE orders;\n', env: { CHAPERONE_ACTOR: 'agent' } });
    expect(ran.exitCode, String(ran.stderr)).toBe(0);
    expect(await count('shop_dev')).toBe('0');
    expect(await count('shop_prod')).toBe('2');
  });

  it('benign spellings of the same routes run against production, silently', async () => {
    await seed('shop_prod');
    const script = "\\set t orders\nSELECT count(*) FROM :t \\; SELECT 1;\n\\echo hi \\\\ SELECT 'TRUNCATE orders';\nEXPLAIN DELETE FROM orders;\nSELECT 1 AS x$a$;\n";
    const result = await sb!.run('psql', at('shop_prod'), { input: script, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toBe('');
    expect(await count('shop_prod')).toBe('2');
  });
});
