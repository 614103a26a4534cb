// The real mariadb/mysql client behind the real shim, against a throwaway MariaDB server. What the
// tests check is the server afterwards: a refused DROP TABLE leaves the table and its rows, a SELECT
// runs and prints them, an allowed DROP on a development database really drops.
//
// Skipped with the reason printed when the server or client is missing; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead. Debian packages: mariadb-server, mariadb-client.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { mariadbProblems, startMariadb, type Mariadb } from '../helpers/mariadb.js';
import { toolGroup } from '../helpers/system.js';

const group = toolGroup('mysql and mariadb through the shim, against a real MariaDB server', await mariadbProblems());

describe.skipIf(group.skip)(group.title, () => {
  let db: Mariadb | undefined;
  let sb: Sandbox | undefined;
  const seeded = '1\tapple\n2\tpear';
  /** The client's connection flags as an agent would type them; --no-defaults keeps /etc/mysql out. */
  const at = (database: string) => ['--no-defaults', '-h', '127.0.0.1', '-P', String(db!.port), '-u', 'root', database];
  const rows = (database: string) => db!.sql(`SELECT id, item FROM ${database}.orders ORDER BY id`);
  const hasOrders = (database: string) => db!.sql(`SELECT count(*) FROM information_schema.tables WHERE table_schema = '${database}' AND table_name = 'orders'`);

  beforeAll(async () => {
    group.assertAvailable();
    [db, sb] = await Promise.all([startMariadb(), makeSandbox(['mysql', 'mariadb'])]);
    await db.sql('CREATE DATABASE shop_prod; CREATE DATABASE shop_dev');
  });
  afterAll(async () => {
    await db?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const database of ['shop_prod', 'shop_dev']) {
      await db!.sql(`CREATE DATABASE IF NOT EXISTS ${database}; DROP TABLE IF EXISTS ${database}.orders; DROP TABLE IF EXISTS ${database}.gone; CREATE TABLE ${database}.orders (id int PRIMARY KEY, item text); INSERT INTO ${database}.orders VALUES (1, 'apple'), (2, 'pear')`);
    }
  });

  it("refuses an agent's DROP TABLE on a production database, and the table keeps every row", async () => {
    const result = await sb!.run('mysql', [...at('shop_prod'), '-e', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`chaperone: refused: mysql --no-defaults -h 127.0.0.1 -P ${db!.port} -u root shop_prod -e 'DROP TABLE orders'`);
    expect(result.stderr).toContain('mysql.sql.drop [destroy]');
    expect(result.stderr).toContain('environment  shop_prod (production): "shop_prod" contains "prod"');
    expect(result.stderr).toContain('The real mysql did not run.');
    expect(await hasOrders('shop_prod')).toBe('1');
    expect(await rows('shop_prod')).toBe(seeded);
  });

  it('refuses a DELETE without WHERE piped to mariadb, and the rows remain', async () => {
    const result = await sb!.run('mariadb', at('shop_prod'), { input: 'SELECT 1;\nDELETE FROM orders;\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysql.sql.delete-all');
    expect(await rows('shop_prod')).toBe(seeded);
  });

  it('runs a SELECT on the production database and prints the real rows, silently', async () => {
    const result = await sb!.run('mysql', [...at('shop_prod'), '-N', '-B', '-e', 'SELECT id, item FROM orders ORDER BY id']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${seeded}\n`);
    expect(result.exitCode).toBe(0);
  });

  it('really drops the table in a development database, with a one-line notice', async () => {
    const result = await sb!.run('mariadb', [...at('shop_dev'), '-e', 'DROP TABLE orders']);
    expect(result.stderr).toBe('chaperone: mysql.sql.drop in shop_dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(await hasOrders('shop_dev')).toBe('0');
  });

  // Each class the classifier names, in two spellings or routes where it has them: refused for an agent
  // on the production database with every row, column and engine intact; allowed (with a notice) on the
  // development one, where the real server then does what it does.
  describe('every destructive class: refused on production with the data intact, allowed on development', () => {
    const state = (database: string) =>
      db!.sql(`SELECT concat_ws('|', (SELECT group_concat(concat(table_name, ':', engine)) FROM information_schema.tables WHERE table_schema = '${database}'), (SELECT group_concat(column_name ORDER BY column_name) FROM information_schema.columns WHERE table_schema = '${database}'), (SELECT group_concat(concat(id, '=', item) ORDER BY id) FROM ${database}.orders))`).catch((e: Error) => e.message);
    const client = (database: string) => `mariadb --no-defaults -h 127.0.0.1 -P ${db?.port ?? "PORT"} -u root ${database}`;
    const cases: [string, (database: string) => string][] = [
      ['mysql.sql.drop', () => 'DROP TABLE orders'],
      ['mysql.sql.drop', () => 'drop table if exists `orders`'],
      ['mysql.sql.drop', (d) => `DROP DATABASE ${d}`],
      ['mysql.sql.truncate', () => 'TRUNCATE orders'],
      ['mysql.sql.truncate', () => '/*M!100000 TRUNCATE TABLE orders */'],
      ['mysql.sql.delete-all', () => 'DELETE FROM orders'],
      ['mysql.sql.delete-all', () => 'DELETE FROM orders WHERE 1 = 1'],
      ['mysql.sql.delete-all', () => 'DELETE o FROM orders o JOIN orders p ON o.id = p.id'],
      ['mysql.sql.delete-all', () => 'SET STATEMENT max_statement_time = 10 FOR DELETE FROM orders'],
      ['mysql.sql.update-all', () => "UPDATE orders SET item = 'gone'"],
      ['mysql.sql.update-all', () => "UPDATE orders SET item = 'gone' WHERE TRUE"],
      ['mysql.sql.alter-drop', () => 'ALTER TABLE orders DROP COLUMN item'],
      ['mysql.sql.alter-drop', () => 'ALTER TABLE orders ENGINE = BLACKHOLE'],
      ['mysql.sql.rename', () => 'RENAME TABLE orders TO gone'],
      ['mysql.sql.rename', () => 'ALTER TABLE orders RENAME TO gone'],
      ['mysql.sql.replace', () => 'CREATE OR REPLACE TABLE orders (id int)'],
      ['mysql.sql.load-replace', () => "LOAD DATA INFILE '/nonexistent/orders.tsv' REPLACE INTO TABLE orders"],
      ['mysql.sql.write-file', () => "SELECT * FROM orders INTO OUTFILE '/nonexistent/orders.tsv'"],
      ['mysql.sql.purge-logs', () => 'PURGE BINARY LOGS BEFORE NOW()'],
      ['mysql.sql.purge-logs', () => 'RESET MASTER'],
      ['mysql.sql.recovery-off', () => 'SET sql_log_bin = 0'],
      ['mysql.sql.binlog-retention', () => 'SET GLOBAL binlog_expire_logs_seconds = 0'],
      ['mysql.sql.revoke', () => "REVOKE ALL ON *.* FROM 'nobody'@'%'"],
      ['mysql.sql.opaque', () => 'CALL wipe()'],
      ['mysql.sql.opaque', () => "SET @q = 'DROP TABLE orders'; PREPARE s FROM @q; EXECUTE s"],
      ['mysql.sql.drop', () => "EXECUTE IMMEDIATE 'DROP TABLE orders'"],
      ['mysql.sql.drop', () => "PREPARE s FROM 'DROP TABLE orders'; EXECUTE s"],
      ['mysql.sql.drop', () => '/*!50001 DROP TABLE orders */'],
      ['mysql.sql.drop', () => 'DELIMITER //\nSELECT 1; DROP TABLE orders //'],
      ['mysql.sql.delete-all', () => 'DELIMITER //\nBEGIN NOT ATOMIC SELECT 1; DELETE FROM orders; END //'],
      ['mysql.sql.delete-all', () => "CREATE TRIGGER wipe AFTER INSERT ON orders FOR EACH ROW DELETE FROM gone; INSERT INTO orders VALUES (9, 'x')"],
      ['mysql.sql.drop', () => "SET sql_mode = 'NO_BACKSLASH_ESCAPES'; SELECT 'a\\'; DROP TABLE orders; -- '"],
      ['mysql.sql.drop', () => 'DROP TABLE orders \\q'],
      ['mysql.sql.drop', (d) => `system ${client(d)} -e 'DROP TABLE orders'`],
      ['mysql.sql.truncate', (d) => `\\! ${client(d)} -e 'TRUNCATE orders'`],
      ['mysql.sql.unreadable', () => 'FROBNICATE orders'],
      ['mysql.sql.unreadable', () => "SELECT 'unterminated"],
    ];
    table(([rule, sql]) => `${rule}: ${sql('DB')}`, cases.map((c) => [c, true]), async ([rule, sql]) => {
      const before = await state('shop_prod');
      const refused = await sb!.run('mysql', [...at('shop_prod'), '-e', sql('shop_prod')], { env: { CHAPERONE_ACTOR: 'agent' } });
      expect(refused.exitCode).toBe(77);
      expect(refused.stderr).toContain(rule);
      expect(await state('shop_prod')).toBe(before);
      const allowed = await sb!.run('mariadb', [...at('shop_dev'), '-e', sql('shop_dev')], { env: { CHAPERONE_ACTOR: 'agent' } });
      expect(allowed.stderr).toMatch(new RegExp(`${rule.replace(/\./g, '\\.')} in \\S+ \\(development\\): allowed`));
      expect(allowed.exitCode).not.toBe(77);
      return true;
    });

    it('the same routes with nothing destructive behind them stay allowed on production, silently', async () => {
      writeFileSync(join(sb!.work, 'read.sql'), 'SELECT 1;\n');
      for (const sql of [
        'SELECT 1 # DROP TABLE orders',
        "SELECT 'DROP TABLE orders; TRUNCATE orders'",
        '/*!50001 SELECT 1 */',
        'DELIMITER //\nSELECT 1; SELECT 2 //',
        "PREPARE s FROM 'SELECT 1'; EXECUTE s",
        "EXECUTE IMMEDIATE 'SELECT 1'",
        'DELETE FROM orders WHERE id = 99',
        'CREATE TRIGGER keep AFTER INSERT ON orders FOR EACH ROW SET @n = 1',
        'DROP TABLE orders \\c',
        'SET @@session.sql_log_bin = 1',
        'source read.sql',
        `system ${client('shop_prod')} -e 'SELECT 1'`,
        'use shop_dev',
      ]) {
        const result = await sb!.run('mysql', [...at('shop_prod'), '-e', sql], { env: { CHAPERONE_ACTOR: 'agent' } });
        expect.soft(result.exitCode === 77 ? result.stderr : '', sql).toBe('');
      }
    });

    it('after `use`, judges against the database it names, both ways', async () => {
      const toProd = await sb!.run('mysql', at('shop_dev'), { input: 'SELECT 1;\nuse shop_prod\nDROP TABLE orders;\n', env: { CHAPERONE_ACTOR: 'agent' } });
      expect(toProd.exitCode).toBe(77);
      expect(await rows('shop_prod')).toBe(seeded);
      const toDev = await sb!.run('mysql', at('shop_dev'), { input: '\\u shop_dev\nDROP TABLE orders;\n', env: { CHAPERONE_ACTOR: 'agent' } });
      expect(toDev.exitCode).toBe(0);
      expect(await hasOrders('shop_dev')).toBe('0');
    });
  });
});
