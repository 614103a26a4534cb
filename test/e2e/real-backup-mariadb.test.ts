// Backup before a destroy on MySQL/MariaDB, end to end (issue 10): a human at a real terminal (tmux)
// confirms a DROP TABLE against a production database on a real MariaDB server, through the real shim
// and the real client. mysqldump runs first, the table is gone, and `chaperone backups restore` brings
// every row back; restoring over a table that exists asks a human first. A backup that cannot be taken
// stops the command; typing "NAME without backup" runs it without one. `mysqladmin drop DB` (and
// mariadb-admin's, `-f`, the prefix `dro`) is backed up the same way, over mysqladmin's own connection.
//
// Skipped with the reason printed when MariaDB, mysqldump or tmux is missing; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) that is a failure instead.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approve } from '../../src/approval/store.js';
import { mariadbProblems, startMariadb, type Mariadb } from '../helpers/mariadb.js';
import { cliPath, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, which } from '../helpers/system.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';

const group = toolGroup('a confirmed DROP TABLE is backed up first (real MariaDB, tmux)', [
  ...(await mariadbProblems()),
  ...(which('mysqldump') || which('mariadb-dump') ? [] : ['neither mysqldump nor mariadb-dump is on PATH']),
  ...(haveTmux ? [] : ['tmux is not installed']),
]);

describe.skipIf(group.skip)(group.title, () => {
  let db: Mariadb;
  let sb: Sandbox;
  const terminals = new Terminals();
  /** The client's connection as typed; --no-defaults keeps the machine's /etc/mysql out. */
  const at = () => `--no-defaults -h 127.0.0.1 -P ${db.port} -u root`;
  const drop = (client = 'mysql') => `${client} ${at()} shop_prod -e 'DROP TABLE orders'`;
  const rows = () => db.sql('SELECT id, item FROM shop_prod.orders ORDER BY id');
  const seeded = "1\tapple\n2\tpear\n3\tit's a fig";
  const hasOrders = () => db.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'shop_prod' AND table_name = 'orders'");
  const audit = () => {
    const file = join(sb.home, '.local/state/chaperone/audit.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>) : [];
  };
  const confirm = async (line: string, word: string, extraEnv?: Record<string, string>) => {
    const term = terminals.open(sb, line, extraEnv ? { extraEnv } : {});
    const prompt = await term.waitFor(`Type ${word.split(' ')[0]} to run it`);
    term.type(word);
    term.press('Enter');
    return { prompt, ...(await term.exit()) };
  };

  /** An agent's call, refused; a human approves its code; the agent's same call again, which uses it. */
  const approvedRun = async (tool: string, args: string[], env: Record<string, string> = {}) => {
    const refused = String((await sb.run(tool, args, { env })).stderr);
    approve(sb.env, /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(refused)![1], 15);
    return sb.run(tool, args, { env });
  };

  beforeAll(async () => {
    group.assertAvailable();
    [db, sb] = await Promise.all([startMariadb(), makeSandbox(['mysql', 'mariadb', 'mysqladmin', 'mariadb-admin'])]);
    await db.sql('CREATE DATABASE shop_prod; CREATE DATABASE shop_dev');
    sb.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: [production]\n');
  });
  beforeEach(() =>
    db.sql(
      "DROP TABLE IF EXISTS shop_prod.orders; CREATE TABLE shop_prod.orders (id int PRIMARY KEY, item text); INSERT INTO shop_prod.orders VALUES (1, 'apple'), (2, 'pear'), (3, 'it''s a fig')",
    ),
  );
  afterEach(() => terminals.closeSessions());
  afterAll(async () => {
    terminals.close();
    await db?.stop();
  });

  it('dumps the table, then drops it; restoring the dump brings every row back, and asks before replacing', async () => {
    const { prompt, code, screen } = await confirm(drop(), 'shop_prod');
    expect(prompt).toContain('mysql.sql.drop [destroy]');
    expect(prompt).toContain('what it destroys is dumped first (mysqldump); type "shop_prod without backup" to run it without one');
    expect(screen).toMatch(/chaperone: backup \S+ taken \(1 entries, \d+ bytes\): \S+dump\.sql/);
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('0');

    const record = audit().at(-1)!;
    expect(record.outcome).toBe('confirmed');
    const backups = join(sb.home, '.local/share/chaperone/backups');
    expect(record.backupFile).toBe(join(backups, record.backup, 'dump.sql'));
    expect(statSync(backups).mode & 0o777).toBe(0o700);
    expect(statSync(join(backups, record.backup)).mode & 0o777).toBe(0o700);
    expect(statSync(record.backupFile).mode & 0o777).toBe(0o600);

    const listed = JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as Record<string, unknown>[];
    const entry = listed.find((b) => b.id === record.backup)!;
    expect(entry).toMatchObject({
      engine: 'mysql',
      scope: { kind: 'objects', databases: [], tables: [{ schema: 'shop_prod', name: 'orders' }] },
      objects: [{ database: 'shop_prod', name: 'orders', kind: 'table', rows: 3 }],
      connection: ['--host=127.0.0.1', `--port=${db.port}`, '--user=root'],
    });
    expect(entry.verified).toMatch(/^parsed: 1 tables and views, 3 rows/);
    const text = String((await sb.chaperone(['backups'])).stdout);
    expect(text).toContain(`id           ${record.backup}`);
    expect(text).toContain('holds        table `shop_prod`.`orders` (1 entries');
    expect(text).toContain(`from         mysqldump --host=127.0.0.1 --port=${db.port} --user=root`);

    const restored = await sb.chaperone(['backups', 'restore', record.backup]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toBe(`chaperone: backup ${record.backup} restored (table \`shop_prod\`.\`orders\`).\n`);
    expect(await rows()).toBe(seeded);

    // The table is back: restoring again would replace it, which an agent may not do, and nothing changes.
    await db.sql("UPDATE shop_prod.orders SET item = 'changed' WHERE id = 1");
    const again = await sb.chaperone(['backups', 'restore', record.backup]);
    expect(again.exitCode).toBe(77);
    expect(again.stderr).toContain('holds objects that exist now (shop_prod.orders exists now)');
    expect(again.stderr).toContain('Nothing was changed.');
    expect(await db.sql('SELECT item FROM shop_prod.orders WHERE id = 1')).toBe('changed');

    // A human who types something else changes nothing either; one who types the database's name replaces it.
    const wrong = terminals.open(sb, `node ${cliPath} backups restore ${record.backup}`);
    await wrong.waitFor('Type shop_prod to replace them');
    wrong.type('yes');
    wrong.press('Enter');
    expect((await wrong.exit()).code).toBe(77);
    expect(await db.sql('SELECT item FROM shop_prod.orders WHERE id = 1')).toBe('changed');

    const human = terminals.open(sb, `node ${cliPath} backups restore ${record.backup}`);
    const asked = await human.waitFor('Type shop_prod to replace them');
    expect(asked).toContain('found        shop_prod.orders exists now');
    human.type('shop_prod');
    human.press('Enter');
    const replaced = await human.exit();
    expect(replaced.screen).toContain('restored over the objects that were there');
    expect(replaced.code).toBe(0);
    expect(await rows()).toBe(seeded);
  });

  it('dumps the whole database before a confirmed DROP DATABASE, and the restore creates it again', async () => {
    await db.sql("CREATE DATABASE ledger_prod; CREATE TABLE ledger_prod.entries (id int, note text); INSERT INTO ledger_prod.entries VALUES (1, 'a'), (2, NULL); CREATE TABLE ledger_prod.notes (id int)");
    // (No view or routine: without grant tables their definer is empty, and no server could load them back.)
    // No database to start in: the environment's name is the host, and the backup is of the database dropped.
    const { code, screen } = await confirm(`mariadb ${at()} -e 'DROP DATABASE ledger_prod'`, '127.0.0.1');
    expect(screen).toMatch(/chaperone: backup \S+ taken \(2 entries/);
    expect(code).toBe(0);
    expect(await db.sql("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ledger_prod'")).toBe('0');

    const restored = await sb.chaperone(['backups', 'restore', audit().at(-1)!.backup]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain('restored (database `ledger_prod`)');
    expect(await db.sql('SELECT id, note FROM ledger_prod.entries ORDER BY id')).toBe('1\ta\n2\tNULL');
    expect(await db.sql('SELECT count(*) FROM ledger_prod.notes')).toBe('0');
  });

  it('does not run the DROP when the backup cannot be written, or the server cannot be reached, and says why', async () => {
    const blocked = sb.write('not-a-directory', '');
    const unwritable = await confirm(drop(), 'shop_prod', { XDG_DATA_HOME: blocked });
    expect(unwritable.code).toBe(77);
    expect(unwritable.screen).toContain('chaperone: the backup before this command failed, so the real mysql did not run.');
    expect(unwritable.screen).toContain('cannot create the backup directory');
    expect(unwritable.screen).toContain('type "shop_prod without backup" at the prompt');
    expect(await rows()).toBe(seeded);
    expect(audit().at(-1)!.outcome).toBe('aborted');

    // The server is not there: chaperone cannot connect to back up, and the client never runs.
    const down = await confirm(`mysql --no-defaults -h 127.0.0.1 -P 1 -u root shop_prod -e 'DROP TABLE orders'`, 'shop_prod');
    expect(down.code).toBe(77);
    expect(down.screen).toMatch(/mysql could not look the objects up: .*Can't connect/);
    expect(await rows()).toBe(seeded);
  });

  it('asks once for the password the client asks for (-p), for mysqldump, and never shows it', async () => {
    // Without grant tables the server takes any password: what is checked is who asks, and where it goes.
    // (-D: the word right after a bare -p is taken for a mistyped password, and not shown or classified.)
    const term = terminals.open(sb, `mysql ${at()} -p -D shop_prod -e 'DROP TABLE orders'`);
    await term.waitFor('Type shop_prod to run it');
    term.type('shop_prod');
    term.press('Enter');
    await term.waitFor('Password for the backup (mysqldump)');
    term.type('s3cret-pw');
    term.press('Enter');
    await term.waitFor('Enter password:'); // the real client's own prompt
    term.type('s3cret-pw');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toMatch(/chaperone: backup \S+ taken \(1 entries/);
    expect(screen).not.toContain('s3cret-pw');
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('0');
    const record = audit().at(-1)!;
    expect(JSON.stringify(record)).not.toContain('s3cret-pw');
    expect(readFileSync(join(sb.home, '.local/share/chaperone/backups/index.jsonl'), 'utf8')).not.toContain('s3cret-pw');
  });

  it('backs up a table whose name has capitals, written without quotes (names are case-sensitive here)', async () => {
    await db.sql("CREATE TABLE shop_prod.Items (id int); INSERT INTO shop_prod.Items VALUES (7), (8)");
    const { code, screen } = await confirm(`mysql ${at()} shop_prod -e 'DROP TABLE Items'`, 'shop_prod');
    expect(screen).toMatch(/chaperone: backup \S+ taken \(1 entries/);
    expect(code).toBe(0);
    const restored = await sb.chaperone(['backups', 'restore', audit().at(-1)!.backup]);
    expect(restored.stdout).toContain('restored (table `shop_prod`.`Items`)');
    expect(await db.sql('SELECT id FROM shop_prod.Items ORDER BY id')).toBe('7\n8');
    await db.sql('DROP TABLE shop_prod.Items');
  });

  it('dumps every database an unqualified name may be in when the script changes database (USE)', async () => {
    const term = terminals.open(sb, `mysql ${at()} shop_dev -e 'USE shop_prod; DROP TABLE orders'`);
    const prompt = await term.waitFor(/Type \S+ to run it/);
    const word = /Type (\S+) to run it/.exec(prompt)![1];
    term.type(word);
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toMatch(/chaperone: backup \S+ taken/);
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('0');
    const listed = JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as { id: string; scope: { databases: string[] } }[];
    expect(listed.find((b) => b.id === audit().at(-1)!.backup)!.scope.databases.sort()).toEqual(['shop_dev', 'shop_prod']);
    const restored = await sb.chaperone(['backups', 'restore', audit().at(-1)!.backup]);
    expect(restored.stderr).toBe('');
    expect(await rows()).toBe(seeded);
  });

  it('does not run a script whose DROP runs after connecting to another server: that server is not backed up', async () => {
    const term = terminals.open(sb, `mysql ${at()} shop_dev -e 'connect shop_prod 127.0.0.2; DROP TABLE orders'`);
    const prompt = await term.waitFor(/Type \S+ to run it/);
    term.type(/Type (\S+) to run it/.exec(prompt)![1]);
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(screen).toContain('chaperone: the backup before this command failed, so the real mysql did not run.');
    expect(screen).toMatch(/`DROP TABLE orders` runs on another connection \(.*--host=127\.0\.0\.2/);
    expect(code).toBe(77);
    expect(await rows()).toBe(seeded);
  });

  it('backs up what a script on stdin destroys: a TRUNCATE among other statements', async () => {
    const script = sb.write('work/migrate.sql', 'SELECT 1;\n-- empty it\nTRUNCATE TABLE orders;\nINSERT INTO orders VALUES (9, \'new\');\n');
    const { code, screen } = await confirm(`mysql ${at()} shop_prod < ${script}`, 'shop_prod');
    expect(screen).toContain('mysql.sql.truncate [destroy]');
    expect(screen).toMatch(/chaperone: backup \S+ taken \(1 entries/);
    expect(code).toBe(0);
    expect(await rows()).toBe('9\tnew');
    await db.sql('DROP TABLE shop_prod.orders');
    expect((await sb.chaperone(['backups', 'restore', audit().at(-1)!.backup])).exitCode).toBe(0);
    expect(await rows()).toBe(seeded);
  });

  it('runs a DROP TABLE IF EXISTS of a table that is not there, saying there was nothing to back up', async () => {
    const { code, screen } = await confirm(`mysql ${at()} shop_prod -e 'DROP TABLE IF EXISTS nosuch'`, 'shop_prod');
    expect(screen).toContain('chaperone: nothing to back up: shop_prod.nosuch does not exist');
    expect(code).toBe(0);
    expect(audit().at(-1)).toMatchObject({ outcome: 'confirmed', backup: 'nothing to back up: shop_prod.nosuch does not exist' });
  });

  it('keeps the backups within backup-limits: the oldest go first', async () => {
    const before = (JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as unknown[]).length;
    expect(before).toBeGreaterThan(0);
    sb.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: [production]\nbackup-limits: {max-total-mb: 0.000001}\n');
    try {
      const { code, screen } = await confirm(drop(), 'shop_prod');
      expect(code).toBe(0);
      expect(screen).toContain(`; ${before} older backup(s) removed to stay within backup-limits`);
      const kept = JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as { id: string }[];
      expect(kept.map((b) => b.id)).toEqual([audit().at(-1)!.backup]);
      expect(readdirSync(join(sb.home, '.local/share/chaperone/backups')).sort()).toEqual([audit().at(-1)!.backup, 'index.jsonl'].sort());
    } finally {
      sb.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: [production]\n');
    }
  });

  it('runs without a backup when the human types "NAME without backup"', async () => {
    const { code, screen } = await confirm(drop(), 'shop_prod without backup', { XDG_DATA_HOME: sb.write('blocked-too', '') });
    expect(screen).toContain('chaperone: no backup taken, as typed at the prompt.');
    expect(code).toBe(0);
    expect(await hasOrders()).toBe('0');
    expect(audit().at(-1)!.backup).toBe('skipped at the prompt');
  });

  it("backs up an agent's approved DELETE before it runs, and refuses it when the backup fails", async () => {
    const args = ['--no-defaults', '-h', '127.0.0.1', '-P', String(db.port), '-u', 'root', 'shop_prod', '-e', 'DELETE FROM orders'];
    // An agent cannot type the skip word: it has no terminal, and an approval does not carry one.
    const blocked = { XDG_DATA_HOME: sb.write('blocked-data-home', '') };
    const failed = await approvedRun('mysql', args, blocked);
    expect(failed.exitCode).toBe(77);
    expect(failed.stderr).toContain('chaperone: the backup before this command failed, so the real mysql did not run.');
    expect(await rows()).toBe(seeded);

    const ran = await approvedRun('mysql', args);
    expect(ran.stderr).toMatch(/chaperone: backup \S+ taken/);
    expect(ran.exitCode).toBe(0);
    expect(await db.sql('SELECT count(*) FROM shop_prod.orders')).toBe('0');
    const record = audit().at(-1)!;
    expect(record.outcome).toBe('approval-used');
    // The table exists (empty): the agent's restore is refused until a human replaces it.
    expect((await sb.chaperone(['backups', 'restore', record.backup])).exitCode).toBe(77);
    await db.sql('DROP TABLE shop_prod.orders');
    expect((await sb.chaperone(['backups', 'restore', record.backup])).exitCode).toBe(0);
    expect(await rows()).toBe(seeded);
  });
  describe('mysqladmin drop', () => {
    const ledger = () => db.sql("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ledger_prod'");
    const admin = which('mariadb-admin') ? 'mariadb-admin' : 'mysqladmin';
    const other = admin === 'mariadb-admin' && which('mysqladmin') ? 'mysqladmin' : admin;
    beforeEach(() =>
      db.sql("DROP DATABASE IF EXISTS ledger_prod; CREATE DATABASE ledger_prod; CREATE TABLE ledger_prod.entries (id int, note text); INSERT INTO ledger_prod.entries VALUES (1, 'a'), (2, 'b''s')"),
    );

    it('dumps the whole database before a confirmed `-f drop`, and the restore creates it again', async () => {
      const { prompt, code, screen } = await confirm(`${admin} ${at()} -f drop ledger_prod`, 'ledger_prod');
      expect(prompt).toContain('mysqladmin.drop [destroy]');
      expect(prompt).toContain('what it destroys is dumped first (mysqldump); type "ledger_prod without backup" to run it without one');
      expect(screen).toMatch(/chaperone: backup \S+ taken \(1 entries, \d+ bytes\): \S+dump\.sql/);
      expect(screen).toMatch(/checked +parsed: 1 tables and views, 2 rows/);
      expect(code).toBe(0);
      expect(await ledger()).toBe('0');

      const record = audit().at(-1)!;
      expect(record.outcome).toBe('confirmed');
      const listed = JSON.parse(String((await sb.chaperone(['backups', '--json'])).stdout)) as Record<string, unknown>[];
      expect(listed.find((b) => b.id === record.backup)).toMatchObject({
        engine: 'mysql',
        scope: { kind: 'objects', databases: ['ledger_prod'], tables: [] },
        objects: [{ database: 'ledger_prod', name: 'entries', kind: 'table', rows: 2 }],
        connection: ['--host=127.0.0.1', `--port=${db.port}`, '--user=root'],
        clientArgs: ['--no-defaults', '--host=127.0.0.1', `--port=${db.port}`, '--user=root'],
      });
      const restored = await sb.chaperone(['backups', 'restore', record.backup]);
      expect(restored.stderr).toBe('');
      expect(restored.stdout).toContain('restored (database `ledger_prod`)');
      expect(await db.sql('SELECT id, note FROM ledger_prod.entries ORDER BY id')).toBe("1\ta\n2\tb's");
    });

    it("takes the backup before mysqladmin's own question (no -f), which the human still answers", async () => {
      const term = terminals.open(sb, `${other} ${at()} drop ledger_prod`);
      await term.waitFor('Type ledger_prod to run it');
      term.type('ledger_prod');
      term.press('Enter');
      const asked = await term.waitFor(/drop the 'ledger_prod' database/);
      expect(asked).toMatch(/chaperone: backup \S+ taken \(1 entries/);
      term.type('y');
      term.press('Enter');
      const { code } = await term.exit();
      expect(code).toBe(0);
      expect(await ledger()).toBe('0');
    });

    it('does not run the prefix `dro` when the backup cannot be written; "NAME without backup" runs it', async () => {
      const blocked = { XDG_DATA_HOME: sb.write('admin-blocked', '') };
      const failed = await confirm(`${admin} ${at()} --force dro ledger_prod`, 'ledger_prod', blocked);
      expect(failed.code).toBe(77);
      expect(failed.screen).toContain(`chaperone: the backup before this command failed, so the real ${admin} did not run.`);
      expect(failed.screen).toContain('type "ledger_prod without backup" at the prompt');
      expect(await ledger()).toBe('1');
      expect(audit().at(-1)!.outcome).toBe('aborted');

      const skipped = await confirm(`${admin} ${at()} --force dro ledger_prod`, 'ledger_prod without backup', blocked);
      expect(skipped.screen).toContain('chaperone: no backup taken, as typed at the prompt.');
      expect(skipped.code).toBe(0);
      expect(await ledger()).toBe('0');
      expect(audit().at(-1)!.backup).toBe('skipped at the prompt');
    });

    it("backs up an agent's approved `drop` before it runs, and refuses it when the backup fails", async () => {
      const args = ['--no-defaults', '-h', '127.0.0.1', '-P', String(db.port), '-u', 'root', '-f', 'drop', 'ledger_prod'];
        const blocked = { XDG_DATA_HOME: sb.write('admin-blocked-agent', '') };
      const failed = await approvedRun(other, args, blocked);
      expect(failed.exitCode).toBe(77);
      expect(failed.stderr).toContain(`the backup before this command failed, so the real ${other} did not run.`);
      expect(await ledger()).toBe('1');

      const ran = await approvedRun(other, args);
      expect(ran.stderr).toMatch(/chaperone: backup \S+ taken \(1 entries/);
      expect(ran.exitCode).toBe(0);
      expect(await ledger()).toBe('0');
      expect(audit().at(-1)!.outcome).toBe('approval-used');
    });
  });
});
