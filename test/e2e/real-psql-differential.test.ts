// A differential test against a real PostgreSQL (issue 9). A seeded generator writes psql scripts that
// mix destructive statements, hidden by every route psql and the server offer (variables, \; and \\,
// meta-commands inside statements, `$` in identifiers, long dollar tags, E'' strings,
// standard_conforming_strings, a failed COPY whose data becomes SQL, \c, \if, \!), with benign SQL.
// Each script is judged as an agent would run it against a database the config calls production
// (`shop_prod_wN`), through the same pipeline the shim runs (evaluate, in process: fast enough for
// thousands). When chaperone allows it, the real psql runs it against that database, as the shim
// would; the property is that the database is then unchanged (tables, columns, options, privileges and
// every row). A sample of the refused scripts is run too, against a fresh copy, to show the generator
// does destroy things. A few scripts also go through the built shim to check it decides the same.
//
// DIFFERENTIAL_SCRIPTS sets how many scripts (default 2000), DIFFERENTIAL_SEED the first seed.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { postgresProblems, startPostgres, type Postgres } from '../helpers/postgres.js';
import { toolGroup, which } from '../helpers/system.js';
import { runClient, runDifferential, snapshotOr } from '../helpers/differential.js';
import { random } from '../helpers/random.js';

// The config is the same for every script: read it once (the shim reads it on each call).
vi.mock('../../src/rules/load.js', async (importOriginal) =>
  (await import('../helpers/cached-rules.js')).cachedRulesModule(await importOriginal<typeof import('../../src/rules/load.js')>()),
);

const group = toolGroup('psql scripts, differentially against a real PostgreSQL server', await postgresProblems());
const scripts = Number(process.env.DIFFERENTIAL_SCRIPTS ?? 2000);
const firstSeed = Number(process.env.DIFFERENTIAL_SEED ?? 90210);
const workers = 2;

interface Script {
  seed: number;
  /** Extra psql arguments (-v …) and the script on stdin. */
  args: string[];
  text: string;
  /** The database psql starts on. */
  startDb: string;
}

/** Writes one script for worker w: 1 to 4 fragments, each benign or destructive behind some route. */
function generate(seed: number, w: number, port: number): Script {
  const r = random(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const prod = `shop_prod_w${w}`;
  const dev = `shop_dev_w${w}`;
  const table = () => pick(['orders', 'items']);
  const destroy = (): string => {
    const t = table();
    return pick([
      `DROP TABLE ${t}`,
      `TRUNCATE ${t}`,
      `DELETE FROM ${t}`,
      `UPDATE ${t} SET v = 'gone'`,
      `ALTER TABLE ${t} DROP COLUMN v`,
      `MERGE INTO ${t} USING (SELECT 1 AS k) s ON true WHEN MATCHED THEN DELETE`,
      `EXPLAIN ANALYZE DELETE FROM ${t}`,
      `ALTER TABLE ${t} SET (autovacuum_enabled = false)`,
      `REVOKE ALL ON ${t} FROM PUBLIC`,
      `DO $$ BEGIN DELETE FROM ${t}; END $$`,
      `WITH d AS (DELETE FROM ${t} RETURNING 1) SELECT count(*) FROM d`,
      `delete from ${t} where true`,
    ]);
  };
  const benign = (): string => {
    const t = table();
    return pick([
      `SELECT count(*) FROM ${t};`,
      'SELECT 1;',
      '\\echo hello',
      `SELECT 'DROP TABLE ${t}; DELETE FROM ${t}';`,
      `-- DROP TABLE ${t}\nSELECT 2;`,
      `EXPLAIN DELETE FROM ${t};`,
      `DELETE FROM ${t} WHERE id = -1;`,
      `UPDATE ${t} SET v = v WHERE id = -5;`,
      '\\set x 1\nSELECT :x;',
      'INSERT INTO scratch VALUES (1);',
      `SELECT $$ TRUNCATE ${t} $$;`,
      `/* TRUNCATE ${t}; /* nested */ DELETE FROM ${t}; */ SELECT 3;`,
      `\\if false\n\\echo skipped\n\\endif`,
      `SELECT 1 \\gset one_\nSELECT :one_1;`,
    ]);
  };
  const args: string[] = [];
  let startDb = prod;
  const hidden = (): string => {
    const s = destroy();
    const [first, ...rest] = s.split(' ');
    const tag = 'q'.repeat(64 + Math.floor(r() * 8));
    switch (Math.floor(r() * 17)) {
      case 0: return `${s};`;
      case 1: return `\\set v '${s.replace(/'/g, "''")}'\n:v;`;
      case 2: {
        const name = `cmd${Math.floor(r() * 100)}`;
        args.push('-v', `${name}=${s}`);
        return `:${name};`;
      }
      case 3: return `${first} \\echo split\n${rest.join(' ')};`;
      case 4: return `SELECT 1 \\; ${s};`;
      case 5: return `\\echo hi \\\\ ${s};`;
      case 6: return `SELECT '${s.replace(/'/g, "''")}' AS v \\gset\n:v;`;
      case 7: return `SELECT 1 AS x$a$; ${s}; SELECT $a$ $a$;`;
      case 8: return `SELECT $${tag}$ ' $${tag}$; ${s}; --'`;
      case 9: return `COPY missing_table FROM stdin;\n${s};\n\\.\n`;
      case 10: return `COPY missing_table FROM stdin;\n'\n\\.\n' ; ${s}; --'\n`;
      case 11: return `SET standard_conforming_strings = off;\nSELECT 'a\\' , $$ ' ; ${s}; -- $$;\nSET standard_conforming_strings = on;`;
      case 12:
        startDb = dev;
        return `SELECT 1;\n\\c ${prod}\n${s};`;
      case 13: return `\\if true\n${s};\n\\endif`;
      case 14: return `SELECT E'\\''; ${s}; --';`;
      case 15: return `\\! psql -X -q -h 127.0.0.1 -p ${port} -U postgres -d ${prod} -c "${s.replace(/\$/g, '\\$')}"`;
      default: return `\\set t ${s.split(' ').slice(-1)[0]}\n${s.split(' ').slice(0, -1).join(' ')} :t;`;
    }
  };
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) parts.push(r() < 0.45 ? hidden() : benign());
  if (r() < 0.3) args.push('-v', 'ON_ERROR_STOP=1');
  return { seed, args, text: parts.join('\n') + '\n', startDb };
}

const snapshotSql = `SELECT md5(
  coalesce((SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || coalesce(c.reloptions::text, '') || ':' || coalesce(c.relacl::text, ''), ',' ORDER BY c.relname)
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname NOT LIKE 'scratch%'), '') ||
  coalesce((SELECT string_agg(a.attrelid::regclass::text || '.' || a.attname, ',' ORDER BY a.attrelid::regclass::text, a.attname)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname NOT LIKE 'scratch%' AND a.attnum > 0 AND NOT a.attisdropped), '') ||
  coalesce((SELECT string_agg(o::text, ',' ORDER BY o::text) FROM orders o), 'no orders') ||
  coalesce((SELECT string_agg(i::text, ',' ORDER BY i::text) FROM items i), 'no items'))`;

describe.skipIf(group.skip)(group.title, () => {
  let pg: Postgres | undefined;
  let sb: Sandbox | undefined;
  const psql = which('psql')!;

  const run = (db: string, script: Script) => runClient(psql, ['-X', '-q', '-h', '127.0.0.1', '-p', String(pg!.port), '-U', 'postgres', '-d', db, ...script.args], script.text);
  const snapshot = (db: string) => snapshotOr(() => pg!.sql(db, snapshotSql));
  /** The psql arguments an agent's call has: the connection, the database it starts on, the script's -v. */
  const argsOf = (script: Script) => ['-X', '-h', '127.0.0.1', '-p', String(pg!.port), '-U', 'postgres', '-d', script.startDb, ...script.args];
  const reset = (w: number) => pg!.sql('postgres', `DROP DATABASE IF EXISTS shop_prod_w${w} WITH (FORCE)`, `CREATE DATABASE shop_prod_w${w} TEMPLATE shop_template`);

  beforeAll(async () => {
    group.assertAvailable();
    [pg, sb] = await Promise.all([startPostgres(), makeSandbox(['psql'])]);
    await pg.sql('postgres', 'CREATE DATABASE shop_template');
    await pg.sql(
      'shop_template',
      'CREATE TABLE orders (id int PRIMARY KEY, v text)',
      'CREATE TABLE items (id int, v text)',
      'CREATE TABLE scratch (id int)',
      "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 5) g",
      "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5) g",
      'GRANT SELECT ON orders, items TO PUBLIC',
    );
    for (let w = 0; w < workers; w++) {
      await pg.sql('postgres', `CREATE DATABASE shop_prod_w${w} TEMPLATE shop_template`, `CREATE DATABASE shop_dev_w${w} TEMPLATE shop_template`);
    }
  });
  afterAll(async () => {
    await pg?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it(`no script chaperone allows changes the production database (${scripts} scripts)`, { timeout: 600_000 }, async () => {
    const clean = await snapshot('shop_template');
    expect(clean).toMatch(/^[0-9a-f]{32}$/);
    const { violations, destroyedWhenRun } = await runDifferential(
      {
        name: 'differential',
        scripts,
        firstSeed,
        workers,
        generate: (seed, w) => generate(seed, w, pg!.port),
        tool: 'psql',
        args: argsOf,
        sandbox: sb!,
        shimEvery: 200,
        sampleEvery: 25,
        run: (script, w, refused) => run(refused ? `shop_prod_w${w}` : script.startDb, script),
        snapshot: (w) => snapshot(`shop_prod_w${w}`),
        reset,
        replay: (script, after) => ` (${after.slice(0, 300)}). psql ${script.args.join(' ')} <<'EOF'\n${script.text}EOF`,
      },
      clean,
    );
    expect(violations).toEqual([]);
    expect(destroyedWhenRun).toBeGreaterThan(0);
  });

  it('streams -f /dev/stdin and -f <(…) through the shim to the real psql: a DROP after 2,000 statements never reaches the server', { timeout: 120_000 }, async () => {
    await pg!.sql('postgres', 'CREATE DATABASE shop_prod_stream TEMPLATE shop_template', 'CREATE DATABASE shop_dev_stream TEMPLATE shop_template');
    const benign = Array.from({ length: 2000 }, (_, i) => `INSERT INTO scratch VALUES (${i});\n`).join('');
    const file = join(sb!.root, 'stream.sql');
    writeFileSync(file, `${benign}DROP TABLE orders;\nINSERT INTO scratch VALUES (-1);\n`);
    const env = { CHAPERONE_ACTOR: 'agent', CHAPERONE_READ_AHEAD_BYTES: '4096' };
    const connect = (db: string) => `psql -X -q -h 127.0.0.1 -p ${pg!.port} -U postgres -d ${db}`;
    for (const line of [`cat '${file}' | ${connect('shop_prod_stream')} -f /dev/stdin`, `${connect('shop_prod_stream')} -f <(cat '${file}')`]) {
      const result = await sb!.run('bash', ['-c', line], { env });
      // psql was exec'd, and a feeder beside it stopped its input: psql's own status (0: its input ended).
      expect(result.exitCode, line).toBe(0);
      expect(result.stderr).toContain("chaperone: stopped psql's input before statement 2001 (DROP TABLE orders;)");
      expect(result.stderr).toContain('the 2000 statement(s) before it were sent to psql');
      // The server ran every statement before the DROP, and never got the DROP or what follows it.
      expect(await pg!.sql('shop_prod_stream', 'SELECT count(*) FROM scratch', 'SELECT count(*) FROM orders')).toBe('2000\n5');
      await pg!.sql('shop_prod_stream', 'DELETE FROM scratch');
    }
    const dev = await sb!.run('bash', ['-c', `${connect('shop_dev_stream')} -f <(cat '${file}')`], { env });
    expect(dev.exitCode).toBe(0);
    expect(dev.stderr).toContain('psql.sql.drop in shop_dev_stream (development): allowed');
    expect(await pg!.sql('shop_dev_stream', 'SELECT count(*) FROM scratch', "SELECT to_regclass('orders') IS NULL")).toBe('2001\nt');
  });
});
