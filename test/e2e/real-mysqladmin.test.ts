// The real mysqladmin and mariadb-admin behind the real shims, against a throwaway MariaDB server. What
// the tests check is the server afterwards: a refused `drop` leaves the database and its rows, an
// allowed one on a development database really drops it (also when written as the prefix `dro`, which
// shows the real client reads prefixes as chaperone does), and `status` runs and prints.
//
// Skipped with the reason printed when the server or client is missing; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead. Debian packages: mariadb-server, mariadb-client.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { mariadbProblems, startMariadb, type Mariadb } from '../helpers/mariadb.js';
import { toolGroup, which } from '../helpers/system.js';

const problems = await mariadbProblems();
if (!which('mysqladmin') && !which('mariadb-admin')) problems.push('neither mysqladmin nor mariadb-admin is on PATH (Debian package mariadb-client)');
const group = toolGroup('mysqladmin through the shim, against a real MariaDB server', problems);

describe.skipIf(group.skip)(group.title, () => {
  let db: Mariadb | undefined;
  let sb: Sandbox | undefined;
  const admin = which('mariadb-admin') ? 'mariadb-admin' : 'mysqladmin';
  /** Connection flags as an agent would type them; --no-defaults keeps /etc/mysql out. */
  const at = () => ['--no-defaults', '-h', '127.0.0.1', '-P', String(db!.port), '-u', 'root'];
  const exists = (database: string) => db!.sql(`SELECT count(*) FROM information_schema.schemata WHERE schema_name = '${database}'`);

  beforeAll(async () => {
    group.assertAvailable();
    [db, sb] = await Promise.all([startMariadb(), makeSandbox(['mysqladmin', 'mariadb-admin'])]);
  });
  afterAll(async () => {
    await db?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const database of ['shop_prod', 'shop_dev']) {
      await db!.sql(`CREATE DATABASE IF NOT EXISTS ${database}; CREATE TABLE IF NOT EXISTS ${database}.orders (id int PRIMARY KEY); INSERT IGNORE INTO ${database}.orders VALUES (1), (2)`);
    }
  });

  it("refuses an agent's `drop -f` of a production database, and the database keeps its rows", async () => {
    const result = await sb!.run(admin, [...at(), '-f', 'drop', 'shop_prod']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`chaperone: refused: ${admin} --no-defaults -h 127.0.0.1`);
    expect(result.stderr).toContain('mysqladmin.drop [destroy]');
    expect(result.stderr).toContain('environment  shop_prod (production): "shop_prod" contains "prod"');
    expect(result.stderr).toContain(`The real ${admin} did not run.`);
    expect(await exists('shop_prod')).toBe('1');
    expect(await db!.sql('SELECT count(*) FROM shop_prod.orders')).toBe('2');
  });

  it('refuses the prefix `dro` too, through the other name of the client', async () => {
    const other = admin === 'mariadb-admin' && which('mysqladmin') ? 'mysqladmin' : admin;
    const result = await sb!.run(other, [...at(), '--force', 'dro', 'shop_prod']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysqladmin.drop [destroy]');
    expect(await exists('shop_prod')).toBe('1');
  });

  it('really drops a development database written as `dro`, with a one-line notice', async () => {
    const result = await sb!.run(admin, [...at(), '-f', 'dro', 'shop_dev']);
    expect(result.stderr).toBe('chaperone: mysqladmin.drop in shop_dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(await exists('shop_dev')).toBe('0');
  });

  it('runs status against the server silently and prints what the server says', async () => {
    const result = await sb!.run(admin, [...at(), 'status']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Uptime: \d+/);
  });
});
