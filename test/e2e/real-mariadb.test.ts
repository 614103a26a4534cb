// The real mariadb/mysql client behind the real shim, against a throwaway MariaDB server. What the
// tests check is the server afterwards: a refused DROP TABLE leaves the table and its rows, a SELECT
// runs and prints them, an allowed DROP on a development database really drops.
//
// Skipped with the reason printed when the server or client is missing; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead. Debian packages: mariadb-server, mariadb-client.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
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
      await db!.sql(`DROP TABLE IF EXISTS ${database}.orders; CREATE TABLE ${database}.orders (id int PRIMARY KEY, item text); INSERT INTO ${database}.orders VALUES (1, 'apple'), (2, 'pear')`);
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
});
