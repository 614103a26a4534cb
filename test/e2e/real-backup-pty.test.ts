// Backup before a destroy, end to end (issue 10): a human at a real terminal (tmux) confirms a DROP TABLE
// against a production database on a real PostgreSQL server, with `backup-before-destroy: [production]`.
// The dump is taken first, the table is gone, and restoring the dump brings every row back. A backup
// that cannot be written stops the command; typing "NAME without backup" runs it without one.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { approve } from '../../src/approval/store.js';
import { postgresProblems, startPostgres, type Postgres } from '../helpers/postgres.js';
import { cliPath, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, which } from '../helpers/system.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';

const group = toolGroup('a confirmed DROP TABLE is backed up first (real PostgreSQL, tmux)', [
  ...(await postgresProblems()),
  ...(which('pg_dump') && which('pg_restore') ? [] : ['pg_dump and pg_restore are not on PATH']),
  ...(haveTmux ? [] : ['tmux is not installed']),
]);

describe.skipIf(group.skip)(group.title, () => {
  let pg: Postgres;
  let sb: Sandbox;
  const terminals = new Terminals();
  const drop = () => `psql -X -h 127.0.0.1 -p ${pg.port} -U postgres -d shop_prod -c 'DROP TABLE orders'`;
  const seed = () =>
    pg.sql('shop_prod', 'DROP TABLE IF EXISTS orders', 'CREATE TABLE orders (id int PRIMARY KEY, item text)', "INSERT INTO orders VALUES (1, 'apple'), (2, 'pear'), (3, 'fig')");
  const hasOrders = () => pg.sql('shop_prod', "SELECT to_regclass('public.orders') IS NOT NULL");
  const audit = () => {
    const file = join(sb.home, '.local/state/chaperone/audit.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>) : [];
  };

  beforeAll(async () => {
    group.assertAvailable();
    [pg, sb] = await Promise.all([startPostgres(), makeSandbox(['psql', 'dropdb'])]);
    await pg.sql('postgres', 'CREATE DATABASE shop_prod');
    sb.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: [production]\n');
  });
  afterEach(() => terminals.closeSessions());
  afterAll(async () => {
    terminals.close();
    await pg?.stop();
  });

  it('dumps the table, then drops it; restoring the dump brings every row back', async () => {
    await seed();
    const term = terminals.open(sb, drop());
    const prompt = await term.waitFor('Type shop_prod to run it');
    expect(prompt).toContain('psql.sql.drop [destroy]');
    expect(prompt).toContain('type "shop_prod without backup" to run it without one');
    term.type('shop_prod');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toMatch(/chaperone: backup \S+ taken \(\d+ entries, \d+ bytes\): \S+dump\.pgc/);
    expect(screen).toContain('checked      restored into a scratch database and dropped: 3 rows in 1 tables, as many as the dump holds');
    expect(screen).toContain('DROP TABLE');
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('f');

    const record = audit().at(-1)!;
    expect(record.outcome).toBe('confirmed');
    expect(record.backupFile).toMatch(new RegExp(`^${join(sb.home, '.local/share/chaperone/backups')}/\\S+/dump\\.pgc$`));

    const listed = JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as { id: string; file: string }[];
    expect(listed.map((b) => b.id)).toContain(record.backup);
    const restored = await sb.chaperone(['backups', 'restore', record.backup]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toBe(`chaperone: backup ${record.backup} restored (tables "public"."orders").\n`);
    expect(await pg.sql('shop_prod', 'SELECT id, item FROM orders ORDER BY id')).toBe('1|apple\n2|pear\n3|fig');

    // The table is back: restoring again would replace it, which an agent may not do, and nothing changes.
    await pg.sql('shop_prod', "UPDATE orders SET item = 'changed' WHERE id = 1");
    const again = await sb.chaperone(['backups', 'restore', record.backup]);
    expect(again.exitCode).toBe(77);
    expect(again.stderr).toContain('holds objects that exist now');
    expect(again.stderr).toContain('Nothing was changed.');
    expect(await pg.sql('shop_prod', 'SELECT item FROM orders WHERE id = 1')).toBe('changed');

    // A human at a terminal may replace them, after typing the database's name.
    const human = terminals.open(sb, `node ${cliPath} backups restore ${record.backup}`);
    await human.waitFor('Type shop_prod to replace them');
    human.type('shop_prod');
    human.press('Enter');
    const replaced = await human.exit();
    expect(replaced.screen).toContain('restored over the objects that were there');
    expect(replaced.code).toBe(0);
    expect(await pg.sql('shop_prod', 'SELECT id, item FROM orders ORDER BY id')).toBe('1|apple\n2|pear\n3|fig');
  });

  it('dumps the whole database before a confirmed dropdb, and the restore creates it again', async () => {
    await pg.sql('postgres', 'CREATE DATABASE ledger_prod');
    await pg.sql('ledger_prod', 'CREATE TABLE entries (id int)', 'INSERT INTO entries VALUES (1), (2)');
    const term = terminals.open(sb, `dropdb -h 127.0.0.1 -p ${pg.port} -U postgres ledger_prod`);
    await term.waitFor('Type ledger_prod to run it');
    term.type('ledger_prod');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toMatch(/chaperone: backup \S+ taken/);
    expect(code).toBe(0);
    expect(await pg.sql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'ledger_prod'")).toBe('0');

    const restored = await sb.chaperone(['backups', 'restore', audit().at(-1)!.backup]);
    expect(restored.stdout).toContain('restored (database ledger_prod)');
    expect(await pg.sql('ledger_prod', 'SELECT count(*) FROM entries')).toBe('2');
  });

  it('does not run the DROP when the backup cannot be written, and says why', async () => {
    await seed();
    const blocked = sb.write('not-a-directory', '');
    const term = terminals.open(sb, drop(), { extraEnv: { XDG_DATA_HOME: blocked } });
    await term.waitFor('Type shop_prod to run it');
    term.type('shop_prod');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('chaperone: the backup before this command failed, so the real psql did not run.');
    expect(screen).toContain('cannot create the backup directory');
    expect(await hasOrders()).toBe('t');
    expect(audit().at(-1)!.outcome).toBe('aborted');
  });

  it('runs a DROP TABLE IF EXISTS of a table that is not there, saying there was nothing to back up', async () => {
    const term = terminals.open(sb, `psql -X -h 127.0.0.1 -p ${pg.port} -U postgres -d shop_prod -c 'DROP TABLE IF EXISTS nosuch'`);
    await term.waitFor('Type shop_prod to run it');
    term.type('shop_prod');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toContain('chaperone: nothing to back up: "nosuch" does not exist');
    expect(code).toBe(0);
    expect(audit().at(-1)).toMatchObject({ outcome: 'confirmed', backup: 'nothing to back up: "nosuch" does not exist' });
  });

  it('runs without a backup when the human types "NAME without backup"', async () => {
    await seed();
    const term = terminals.open(sb, drop(), { extraEnv: { XDG_DATA_HOME: join(sb.root, 'not-a-directory') } });
    await term.waitFor('Type shop_prod to run it');
    term.type('shop_prod without backup');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toContain('chaperone: no backup taken, as typed at the prompt.');
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('f');
    expect(audit().at(-1)!.backup).toBe('skipped at the prompt');
  });

  it("backs up an agent's approved DROP before it runs, and refuses it when the backup fails", async () => {
    await seed();
    const args = ['-X', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', 'shop_prod', '-c', 'DROP TABLE orders'];
    const codeOf = (text: string) => /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(text)![1];

    const blocked = { XDG_DATA_HOME: sb.write('blocked-data-home', '') };
    approve(sb.env, codeOf(String((await sb.run('psql', args, { env: blocked })).stderr)), 15);
    const failed = await sb.run('psql', args, { env: blocked });
    expect(failed.exitCode).toBe(77);
    expect(failed.stderr).toContain('chaperone: the backup before this command failed, so the real psql did not run.');
    expect(await hasOrders()).toBe('t');
    expect(audit().at(-1)!.outcome).toBe('aborted');

    approve(sb.env, codeOf(String((await sb.run('psql', args)).stderr)), 15);
    const ran = await sb.run('psql', args);
    expect(ran.stderr).toMatch(/chaperone: backup \S+ taken/);
    expect(ran.exitCode).toBe(0);
    expect(await hasOrders()).toBe('f');
    const record = audit().at(-1)!;
    expect(record.outcome).toBe('approval-used');
    expect((await sb.chaperone(['backups', 'restore', record.backup])).exitCode).toBe(0);
    expect(await pg.sql('shop_prod', 'SELECT count(*) FROM orders')).toBe('3');
  });
});
