// A differential test against a real MariaDB server (issue 9). A seeded generator writes mysql client
// scripts that mix destructive statements, hidden by every route the client and the server offer
// (DELIMITER, `/*! */` and `/*M! */` executable comments, several statements at one delimiter, \g,
// backslash escapes and NO_BACKSLASH_ESCAPES, `source` and `\.`, `system` and `\!`, `use`, `\u` and
// `connect`, SET STATEMENT … FOR, PREPARE and EXECUTE IMMEDIATE, BEGIN NOT ATOMIC, a trigger that fires
// later), with benign SQL. Each script is judged as an agent would run it (stdin of `mariadb`) against
// a database the config calls production (`shop_prod_wN`), through the same pipeline the shim runs
// (evaluate, in process: fast enough for hundreds). When chaperone allows it, the real client runs it,
// as the shim would; the property is that the production database is then unchanged (tables,
// columns, engines, triggers and every row). A sample of the refused scripts is run too, against a
// fresh copy, to show the generator does destroy things; a few go through the built shim to check it
// decides the same.
//
// Benign fragments a careful reader still refuses, on purpose: a string with a backslash read both with
// and without escapes (the server's sql_mode is not known), and `/*!99999 … */` (nor is its version).
//
// DIFFERENTIAL_SCRIPTS sets how many scripts (default 800), DIFFERENTIAL_SEED the first seed.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { mariadbProblems, startMariadb, type Mariadb } from '../helpers/mariadb.js';
import { toolGroup, which } from '../helpers/system.js';
import { runClient, runDifferential, snapshotOr } from '../helpers/differential.js';
import { random } from '../helpers/random.js';

// The config is the same for every script: read it once (the shim reads it on each call).
vi.mock('../../src/rules/load.js', async (importOriginal) =>
  (await import('../helpers/cached-rules.js')).cachedRulesModule(await importOriginal<typeof import('../../src/rules/load.js')>()),
);

const group = toolGroup('mysql scripts, differentially against a real MariaDB server', await mariadbProblems());
const scripts = Number(process.env.DIFFERENTIAL_SCRIPTS ?? 800);
const firstSeed = Number(process.env.DIFFERENTIAL_SEED ?? 31337);
const workers = 2;

interface Script {
  seed: number;
  text: string;
  /** The database the client starts on. */
  startDb: string;
  /** Whether any fragment hides a destructive statement (else a refusal is a false alarm). */
  destroys: boolean;
}

/** Writes one script for worker w: 1 to 4 fragments, each benign or destructive behind some route. */
function generate(seed: number, w: number, port: number, dir: string): Script {
  const r = random(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const prod = `shop_prod_w${w}`;
  const dev = `shop_dev_w${w}`;
  const table = () => pick(['orders', 'items', '`orders`']);
  const destroy = (): string => {
    const t = table();
    return pick([
      `DROP TABLE ${t}`,
      `TRUNCATE ${t}`,
      `TRUNCATE TABLE ${t}`,
      `DELETE FROM ${t}`,
      `delete from ${t} where 1 = 1`,
      `DELETE FROM ${t} WHERE TRUE OR id = 3`,
      `UPDATE ${t} SET v = 'gone'`,
      `ALTER TABLE ${t} DROP COLUMN v`,
      `ALTER TABLE ${t} ENGINE = BLACKHOLE`,
      `RENAME TABLE ${t} TO ${t.replace(/`/g, '')}_old`,
      `CREATE OR REPLACE TABLE ${t} (id int)`,
      'DELETE o FROM orders o JOIN items i ON o.id = i.id',
      `DROP/**/TABLE ${t}`,
      `SET STATEMENT max_statement_time = 100 FOR DELETE FROM ${t}`,
      `ANALYZE DELETE FROM ${t}`,
      `ALTER TABLE ${t} RENAME TO gone`,
    ]);
  };
  const benign = (): string => {
    const t = table();
    return pick([
      `SELECT count(*) FROM ${t};`,
      'SELECT 1;',
      `SELECT 'DROP TABLE ${t}; DELETE FROM ${t}';`,
      `# DROP TABLE ${t}\nSELECT 2;`,
      `-- TRUNCATE ${t}\nSELECT 3;`,
      `/* DROP TABLE ${t}; */ SELECT 4;`,
      `EXPLAIN DELETE FROM ${t};`,
      `DELETE FROM ${t} WHERE id = -1;`,
      `UPDATE ${t} SET v = v WHERE id = -5;`,
      'INSERT INTO scratch VALUES (1);',
      `DROP TABLE ${t} \\c`,
      "SELECT 'a\\'b; DROP TABLE orders; -- ';",
      'SELECT `drop table orders` FROM (SELECT 1 AS `drop table orders`) x;',
      '/*!99999 DROP TABLE orders */;',
      'CREATE TABLE IF NOT EXISTS scratch2 (id int);',
      `CREATE TRIGGER IF NOT EXISTS keep_${seed} AFTER INSERT ON scratch FOR EACH ROW INSERT INTO scratch_log VALUES (NEW.id);`,
      'SET @x = 5;',
      'SHOW TABLES;',
      "PREPARE q FROM 'SELECT 1'; EXECUTE q;",
      'DELIMITER //\nSELECT 5 //\nDELIMITER ;',
      'SELECT 6 \\g',
      `\\q\nDROP TABLE ${t};`,
      `SELECT 1 -- ; DROP TABLE ${t};\n;`,
      `use ${dev}\nDELETE FROM ${t};\nuse ${prod}`,
      `SELECT '\\'; DROP TABLE ${t}; -- ';`,
      `CREATE TABLE IF NOT EXISTS scratch3 SELECT * FROM ${t};`,
    ]);
  };
  let startDb = prod;
  const client = `mariadb --no-defaults -h 127.0.0.1 -P ${port} -u root`;
  const hidden = (): string => {
    const s = destroy();
    const quoted = s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    switch (Math.floor(r() * 32)) {
      case 0: return `${s};`;
      case 1: return `/*!50001 ${s} */;`;
      case 2: return `/*M!100000 ${s} */;`;
      case 3: return `DELIMITER $$\nSELECT 1 $$\n${s} $$\nDELIMITER ;`;
      case 4: return `DELIMITER //\nSELECT 1; ${s} //\nDELIMITER ;`;
      case 5: return `SELECT 1 \\g ${s} \\g`;
      case 6: return `SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSELECT 'a\\'; ${s}; -- ';\nSET sql_mode = DEFAULT;`;
      case 7: {
        const file = join(dir, `s${seed}.sql`);
        writeFileSync(file, `SELECT 1;\n${s};\n`);
        return pick([`source ${file}`, `\\. ${file}`]);
      }
      case 8: return `system ${client} ${prod} -e "${s.replace(/`/g, '\\`')}"`;
      case 9: return `\\! ${client} ${prod} -e "${s.replace(/`/g, '\\`')}"`;
      case 10:
        startDb = dev;
        return `SELECT 1;\nuse ${prod}\n${s};`;
      case 11:
        startDb = dev;
        return `\\u ${prod}\n${s};`;
      case 12:
        startDb = dev;
        return `connect ${prod} 127.0.0.1\n${s};`;
      case 13: return `PREPARE p FROM '${quoted}'; EXECUTE p;`;
      case 14: return `EXECUTE IMMEDIATE '${quoted}';`;
      case 15: return `DELIMITER //\nBEGIN NOT ATOMIC SELECT 1; ${s}; END //\nDELIMITER ;`;
      case 16: return `CREATE TRIGGER wipe_${seed} AFTER INSERT ON scratch FOR EACH ROW ${s};\nINSERT INTO scratch VALUES (7);`;
      case 17: return `SET @q = CONCAT('${quoted.slice(0, 4)}', '${quoted.slice(4)}'); PREPARE p FROM @q; EXECUTE p;`;
      case 18: return `${s.toLowerCase().replace(/ /g, '\n  ')}\n;`;
      case 19: return `SELECT 1; ${s}`;
      case 20: return `DELIMITER ;;\n${s};;\nDELIMITER ;`;
      case 21: return `${s}\ngo`;
      case 22: return `delimiter '$$'\n/* $$ */ ${s} $$\nDeLiMiTeR ;`;
      case 23: return `SELECT 1 --x\n; ${s};`;
      case 24: return `${s.replace(/ /g, '\t')};\r`;
      case 25: return `SELECT 'DROP TABLE orders' INTO @q; PREPARE p FROM @q; EXECUTE p;`;
      case 26: return `EXECUTE IMMEDIATE CONCAT('${quoted}', '');`;
      case 27: {
        const inner = join(dir, `i${seed}.sql`);
        const outer = join(dir, `o${seed}.sql`);
        writeFileSync(inner, `DELIMITER //\n${s} //\n`);
        writeFileSync(outer, `SELECT 1;\nsource ${inner}\n`);
        return `source ${outer}`;
      }
      case 28: return `CREATE PROCEDURE wipe_${seed}() ${s};\nCALL wipe_${seed}();`;
      case 29: return `SELECT 1 \\G ${s} \\G`;
      case 30:
        startDb = dev;
        return `use \`${prod}\`;\n${s};`;
      default: return `SELECT "it\\"s"; ${s};`;
    }
  };
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  let destroys = false;
  for (let i = 0; i < n; i++) {
    const bad = r() < 0.45;
    destroys ||= bad;
    parts.push(bad ? hidden() : benign());
  }
  return { seed, text: parts.join('\n') + '\n', startDb, destroys };
}

/** Everything a destroy could change in one database: tables, engines, columns, triggers, rows. */
const snapshotSql = (db: string) => `SELECT md5(concat_ws('|',
  (SELECT group_concat(concat(table_name, ':', engine) ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${db}' AND table_name NOT LIKE 'scratch%'),
  (SELECT group_concat(concat(table_name, '.', column_name) ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = '${db}' AND table_name NOT LIKE 'scratch%'),
  (SELECT group_concat(concat(trigger_name, ':', action_statement) ORDER BY trigger_name) FROM information_schema.triggers WHERE trigger_schema = '${db}' AND trigger_name NOT LIKE 'keep%'),
  (SELECT group_concat(concat(id, '=', v) ORDER BY id) FROM ${db}.orders),
  (SELECT group_concat(concat(id, '=', v) ORDER BY id) FROM ${db}.items)))`;

const schema = (db: string) =>
  `DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; USE ${db}; ` +
  'CREATE TABLE orders (id int PRIMARY KEY, v text); CREATE TABLE items (id int, v text); ' +
  'CREATE TABLE scratch (id int); CREATE TABLE scratch_log (id int); ' +
  "INSERT INTO orders VALUES (1, 'order 1'), (2, 'order 2'), (3, 'order 3'); INSERT INTO items VALUES (1, 'item 1'), (2, 'item 2');";

describe.skipIf(group.skip)(group.title, () => {
  let db: Mariadb | undefined;
  let sb: Sandbox | undefined;
  let dir = '';
  const client = which('mariadb')!;

  const run = (startDb: string, script: Script) => runClient(client, ['--no-defaults', '-h', '127.0.0.1', '-P', String(db!.port), '-u', 'root', startDb], script.text);
  const snapshot = (name: string) => snapshotOr(async () => (await db!.sql(snapshotSql(name))).trim());
  /** The client's arguments an agent's call has: the connection and the database it starts on. */
  const argsOf = (script: Script) => ['--no-defaults', '-h', '127.0.0.1', '-P', String(db!.port), '-u', 'root', script.startDb];
  const reset = (w: number) => db!.sql(schema(`shop_prod_w${w}`));

  beforeAll(async () => {
    group.assertAvailable();
    [db, sb] = await Promise.all([startMariadb(), makeSandbox(['mysql', 'mariadb'])]);
    dir = mkdtempSync(join(tmpdir(), 'chaperone-mariadb-scripts-'));
    for (let w = 0; w < workers; w++) await db.sql(`${schema(`shop_prod_w${w}`)} ${schema(`shop_dev_w${w}`)}`);
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`no script chaperone allows changes the production database (${scripts} scripts)`, { timeout: 600_000 }, async () => {
    const clean = await snapshot('shop_prod_w0');
    expect(clean).toMatch(/^[0-9a-f]{32}$/);
    const { violations, destroyedWhenRun } = await runDifferential(
      {
        name: 'mariadb differential',
        scripts,
        firstSeed,
        workers,
        generate: (seed, w) => generate(seed, w, db!.port, dir),
        tool: 'mariadb',
        args: argsOf,
        sandbox: sb!,
        shimEvery: 100,
        sampleEvery: 8,
        run: (script) => run(script.startDb, script),
        snapshot: (w) => snapshot(`shop_prod_w${w}`),
        reset,
        replay: (script) => `. mariadb ${argsOf(script).join(' ')} <<'EOF'\n${script.text}EOF`,
      },
      clean,
    );
    expect(violations).toEqual([]);
    expect(destroyedWhenRun).toBeGreaterThan(0);
  });
});
