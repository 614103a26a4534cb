// The MySQL/MariaDB backup taken before a destroy: what a statement destroys, which connection mysqldump
// gets (the client's, with the password in a 0600 option file, never on argv), and how a dump is read
// back. real-backup-mariadb.test.ts takes one from a real server and restores it.

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientArgs, mysqlConnection, mysqlScopeOf, readDump, switchedDatabases, takeMysqlBackup, type MysqlBackupRecord, type MysqlScope } from '../../src/backup/mysql.js';
import { backsUp } from '../../src/backup/before-destroy.js';
import { BackupError, listBackups } from '../../src/backup/store.js';
import { adminClientReading, droppedDatabases } from '../../src/tools/mysqladmin.js';
import { table } from '../helpers/cases.js';
import { systemPath } from '../helpers/sandbox.js';
import { which } from '../helpers/system.js';

const show = (scope: MysqlScope | undefined) =>
  scope === undefined
    ? 'nothing'
    : [
        ...(scope.databases.length > 0 ? [`databases ${scope.databases.join(' ')}`] : []),
        ...(scope.tables.length > 0 ? [`tables ${scope.tables.map((t) => `${t.schema}.${t.name}`).join(' ')}`] : []),
      ].join('; ');

describe('what a statement destroys, as mysqldump selects it (current database: shop)', () => {
  table((sql) => sql, [
    ['DROP TABLE orders', 'tables shop.orders'],
    ['drop table if exists `Orders`, other.items cascade', 'tables shop.Orders other.items'],
    ['DROP TABLES a,b', 'tables shop.a shop.b'],
    ['DROP VIEW v', 'tables shop.v'],
    ['DROP TEMPORARY TABLE t', 'nothing'],
    ['DROP INDEX i ON other.t', 'tables other.t'],
    ['TRUNCATE orders', 'tables shop.orders'],
    ['TRUNCATE TABLE other.orders', 'tables other.orders'],
    ['DELETE FROM orders', 'tables shop.orders'],
    ['DELETE LOW_PRIORITY QUICK FROM other.orders o ORDER BY id LIMIT 5', 'tables other.orders'],
    ['DELETE o, i FROM orders o JOIN other.items i ON o.id = i.order_id', 'tables shop.orders other.items'],
    ['DELETE FROM o USING orders AS o LEFT JOIN items i ON (o.id = i.id) WHERE i.id IS NULL', 'tables shop.orders shop.items'],
    ['UPDATE orders SET item = NULL', 'tables shop.orders'],
    ['UPDATE LOW_PRIORITY orders o, (SELECT 1) x SET o.item = 1', 'tables shop.orders'],
    ['ALTER TABLE orders DROP COLUMN item', 'tables shop.orders'],
    ['ALTER ONLINE TABLE other.orders DISCARD TABLESPACE', 'tables other.orders'],
    ['CREATE OR REPLACE TABLE orders (id int)', 'tables shop.orders'],
    ['CREATE OR REPLACE DATABASE ledger', 'databases ledger'],
    ['DROP DATABASE ledger_prod', 'databases ledger_prod'],
    ['DROP SCHEMA IF EXISTS `ledger prod`', 'databases ledger prod'],
    ['DROP PROCEDURE other.p', 'databases other'],
    ['DROP TRIGGER t', 'databases shop'],
    ['CALL cleanup()', 'databases shop'],
    ["PREPARE s FROM @sql", 'databases shop'],
    ['system rm -rf /var/lib/mysql', 'databases shop'],
    ['DROP USER bob', 'nothing'],
    ['PURGE BINARY LOGS BEFORE NOW()', 'nothing'],
    ['SHUTDOWN', 'nothing'],
    ['DROP TABLE orders; DROP DATABASE shop', 'databases shop'],
  ], (sql) => show(mysqlScopeOf(sql.split('; '), 'shop')));
});

describe('when the database is not plain', () => {
  it('dumps every database an unqualified name may be in when the script changes database', () => {
    expect(show(mysqlScopeOf(['DROP TABLE orders'], 'shop', ['ledger']))).toBe('databases shop ledger');
    expect(show(mysqlScopeOf(['DROP TABLE other.orders'], 'shop', ['ledger']))).toBe('tables other.orders');
  });

  it('dumps the whole database when a statement was cut before its end', () => {
    const cut = `DROP TABLE ${Array.from({ length: 40 }, (_, i) => `t${i}`).join(', ')}`.slice(0, 197) + '...';
    expect(show(mysqlScopeOf([cut], 'shop'))).toBe('databases shop');
  });

  it('fails, saying why, when no database is selected or the statement clones a server', () => {
    expect(() => mysqlScopeOf(['DROP TABLE orders'], undefined)).toThrow(/no database is selected/);
    expect(() => mysqlScopeOf(['CLONE INSTANCE FROM u@h:3306'], 'shop')).toThrow(BackupError);
    expect(show(mysqlScopeOf(['DROP TABLE shop.orders'], undefined))).toBe('tables shop.orders');
  });

  it('reads the databases a script switches to from the evidence of USE and connect', () => {
    const evidence = [
      { source: 'command' as const, key: 'use ledger', value: 'ledger' },
      { source: 'command' as const, key: 'DROP DATABASE x', value: 'x' },
      { source: 'command' as const, key: '\\u audit', value: 'audit' },
      { source: 'flag' as const, key: '--database', value: 'shop' },
      { source: 'command' as const, key: 'init-command in ~/.my.cnf:2 [client]: USE hidden', value: 'hidden' },
      { source: 'command' as const, key: '--init-command: use other', value: 'other' },
    ];
    expect(switchedDatabases(evidence)).toEqual(['ledger', 'audit', 'hidden', 'other']);
  });
});

/** A recording `mysql` that answers the lookup of what exists with `rows` (tab-separated lines). */
function lookupDouble(bin: string, root: string, rows: string): void {
  const reader = which('my_print_defaults');
  writeFileSync(
    join(bin, 'mysql'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${root}/lookup-argv\n${reader ? `${reader} --defaults-file="\${1#--defaults-file=}" client > ${root}/lookup-read` : ''}\nprintf '${rows}\\n'\n`,
  );
  chmodSync(join(bin, 'mysql'), 0o755);
}

/**
 * A recording mysqldump in `bin`: under `root` it leaves its argv, its option file's mode, its
 * directory's mode, what the real option reader makes of it (`read`) and its path; it prints `dump`.
 */
function dumpDouble(bin: string, root: string, dump: string): void {
  const reader = which('my_print_defaults');
  writeFileSync(join(root, 'dump.out'), dump);
  writeFileSync(
    join(bin, 'mysqldump'),
    `#!/bin/sh
printf '%s\\n' "$@" > ${root}/argv
file=\${1#--defaults-file=}
stat -c %a "$file" > ${root}/mode
stat -c %a "$(dirname "$file")" > ${root}/dirmode
${reader ? `${reader} --defaults-file="$file" client > ${root}/read` : `cp "$file" ${root}/read`}
echo "$file" > ${root}/path
cat ${root}/dump.out
`,
  );
  chmodSync(join(bin, 'mysqldump'), 0o755);
}

describe("mysqldump's connection is the client's", () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysql-conn-')));
  const home = join(root, 'home');
  mkdirSync(home);
  const env = { HOME: home, PATH: systemPath };
  const connect = (args: string[], files: Record<string, string> = {}) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(home, name), text);
    const c = mysqlConnection(args, env, root);
    return { options: c.options.map(([k, v]) => `${k}=${v}`).join(' '), password: c.password, database: c.database, shown: c.shown.join(' ') };
  };

  it('takes host, port, user and password from the command line, and the database', () => {
    const c = connect(['--no-defaults', '-h', 'db.prod', '-P3307', '-uapp', '-pS3cret!', 'shop', '-e', 'DROP TABLE t']);
    expect(c).toEqual({ options: 'host=db.prod port=3307 user=app', password: { value: 'S3cret!' }, database: 'shop', shown: '--host=db.prod --port=3307 --user=app' });
  });

  table((args) => args.join(' '), [
    [['--no-defaults', '-p', 'shop'], 'prompt'],
    [['--no-defaults', '--password', 'shop'], 'prompt'],
    [['--no-defaults', '--password=', 'shop'], ''],
    [['--no-defaults', '--pass=x y', 'shop'], 'x y'],
    [['--no-defaults', 'shop'], 'none'],
  ], (args) => {
    const p = mysqlConnection(args, env, root).password;
    return p === undefined ? 'none' : p === 'prompt' ? 'prompt' : p.value;
  });

  it("reads the client's option files, [mysql] included, which mysqldump would not", () => {
    const c = connect([`--defaults-file=${join(home, 'my.cnf')}`, '-D', 'shop'], { 'my.cnf': '[client]\nuser = app\n[mysql]\nhost = db.prod\npassword = "fr#m file"\nssl-ca = /etc/ca.pem\n[mysqldump]\nhost = elsewhere\n' });
    expect(c.options).toBe('user=app host=db.prod loose-ssl-ca=/etc/ca.pem');
    expect(c.password).toEqual({ value: 'fr#m file' });
    expect(c.database).toBe('shop');
  });

  it('keeps --skip-ssl', () => {
    expect(connect(['--no-defaults', '--skip-ssl', 'shop']).options).toBe('loose-ssl=0');
  });

  it('gives a restore the options to reach the server, never the password or the SQL', () => {
    expect(clientArgs(['-h', 'db', '-P', '3307', '-u', 'app', '-pS3cret', '--defaults-extra-file=x.cnf', 'shop', '-e', 'DROP TABLE t'])).toEqual([
      '--defaults-extra-file=x.cnf',
      '--host=db',
      '--port=3307',
      '--user=app',
      '--password',
    ]);
  });
});

describe('mysqldump gets the password in a 0600 option file, never on its argv', () => {
  it('writes the option file the dump tool reads, and removes it after', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysqldump-double-')));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const myPrintDefaults = which('my_print_defaults');
    dumpDouble(bin, root, 'CREATE TABLE `orders` (id int);\nINSERT INTO `orders` VALUES (1),(2),(3);\n-- Dump completed on 2026-12-05\n');
    lookupDouble(bin, root, 't\tshop\torders');
    const env = { HOME: root, PATH: `${bin}:${systemPath}`, XDG_DATA_HOME: join(root, 'share') };
    const secret = 'p@ss "quoted" # and \\ back';
    const record = (await takeMysqlBackup({
      args: ['--no-defaults', '-h', '127.0.0.1', '-P', '3306', '-u', 'app', `--password=${secret}`, 'shop', '-e', 'DROP TABLE orders'],
      scope: { kind: 'objects', databases: [], tables: [{ schema: 'shop', name: 'orders' }] },
      env,
      cwd: root,
    })) as MysqlBackupRecord;
    // The lookup of what exists got the password the same way.
    expect(readFileSync(join(root, 'lookup-argv'), 'utf8')).not.toContain('p@ss');
    if (myPrintDefaults) expect(readFileSync(join(root, 'lookup-read'), 'utf8')).toContain(`--password=${secret}`);
    const argv = readFileSync(join(root, 'argv'), 'utf8');
    expect(argv).not.toContain('p@ss');
    expect(argv.split('\n')[0]).toMatch(/^--defaults-file=/);
    expect(argv).toContain('shop\norders\n');
    expect(readFileSync(join(root, 'mode'), 'utf8').trim()).toBe('600');
    expect(readFileSync(join(root, 'dirmode'), 'utf8').trim()).toBe('700');
    const read = readFileSync(join(root, 'read'), 'utf8');
    if (myPrintDefaults) expect(read.split('\n')).toEqual(['--host=127.0.0.1', '--port=3306', '--user=app', `--password=${secret}`, '']);
    expect(() => readFileSync(readFileSync(join(root, 'path'), 'utf8').trim())).toThrow(/ENOENT/);

    expect(record.objects).toEqual([{ database: 'shop', name: 'orders', kind: 'table', rows: 3 }]);
    expect(record.verified).toMatch(/^parsed: 1 tables and views, 3 rows/);
    const index = readFileSync(join(root, 'share/chaperone/backups/index.jsonl'), 'utf8');
    expect(index).not.toContain('p@ss');
    expect(listBackups(env).map((r) => r.id)).toEqual([record.id]);
  });

  it('fails when the dump does not end as a finished dump, or lacks a table asked for', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysqldump-bad-')));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const env = { HOME: root, PATH: `${bin}:${systemPath}`, XDG_DATA_HOME: join(root, 'share') };
    const scope: MysqlScope = { kind: 'objects', databases: [], tables: [{ schema: 'shop', name: 'orders' }] };
    lookupDouble(bin, root, 't\tshop\torders');
    const take = () => takeMysqlBackup({ args: ['--no-defaults', 'shop'], scope, env, cwd: root });
    const double = (body: string) => {
      writeFileSync(join(bin, 'mysqldump'), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, 'mysqldump'), 0o755);
    };
    double("printf 'CREATE TABLE `orders` (id int);\\n'");
    await expect(take()).rejects.toThrow(/stopped before the end of the dump/);
    double("printf 'CREATE TABLE `items` (id int);\\n-- Dump completed\\n'");
    await expect(take()).rejects.toThrow(/the dump does not create shop.orders/);
    double("echo 'mysqldump: Got error: 1045: Access denied for user' >&2; exit 2");
    await expect(take()).rejects.toThrow(/mysqldump failed: mysqldump: Got error: 1045: Access denied/);
    writeFileSync(join(root, 'cut.sql'), "CREATE TABLE `orders` (id int);\nINSERT INTO `orders` VALUES (1,'\n-- Dump completed\n");
    double(`cat ${join(root, 'cut.sql')}`);
    await expect(take()).rejects.toThrow(/ends inside a statement/);
    // A backup that failed leaves nothing behind, and no record.
    expect(readdirSync(join(root, 'share/chaperone/backups'))).toEqual([]);
  });
});

describe('what is not there, and a password the client would ask for', () => {
  const setup = (lookup: string) => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysqldump-lookup-')));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    dumpDouble(bin, root, 'CREATE TABLE `orders` (id int);\n-- Dump completed\n');
    lookupDouble(bin, root, lookup);
    return { root, env: { HOME: root, PATH: `${bin}:${systemPath}`, XDG_DATA_HOME: join(root, 'share') } };
  };

  it('backs up only what exists, and nothing when nothing does (DROP TABLE IF EXISTS)', async () => {
    const { root, env } = setup('t\tshop\torders');
    const scope: MysqlScope = { kind: 'objects', databases: ['gone'], tables: [{ schema: 'shop', name: 'orders' }, { schema: 'shop', name: 'missing' }] };
    const record = (await takeMysqlBackup({ args: ['--no-defaults', 'shop'], scope, env, cwd: root })) as MysqlBackupRecord;
    expect(record.scope).toEqual({ kind: 'objects', databases: [], tables: [{ schema: 'shop', name: 'orders' }] });
    expect(readFileSync(join(root, 'argv'), 'utf8').split('\n').slice(-3)).toEqual(['shop', 'orders', '']);

    const none = setup('');
    expect(await takeMysqlBackup({ args: ['--no-defaults', 'shop'], scope, env: none.env, cwd: none.root })).toEqual({
      kind: 'nothing',
      why: 'nothing to back up: database gone, shop.orders, shop.missing does not exist',
    });
  });

  it('asks for the password once when the client would (-p), and gives it to mysqldump in the option file', async () => {
    const { root, env } = setup('t\tshop\torders');
    const scope: MysqlScope = { kind: 'objects', databases: [], tables: [{ schema: 'shop', name: 'orders' }] };
    let asked = 0;
    await takeMysqlBackup({ args: ['--no-defaults', '-p', 'shop'], scope, env, cwd: root, askPassword: async () => (asked++, 'typed secret') });
    expect(asked).toBe(1);
    expect(readFileSync(join(root, 'argv'), 'utf8')).not.toMatch(/--password|typed secret/);
    if (which('my_print_defaults')) expect(readFileSync(join(root, 'read'), 'utf8')).toContain('--password=typed secret');

    const noTerminal = takeMysqlBackup({ args: ['--no-defaults', '-p', 'shop'], scope, env, cwd: root, askPassword: () => Promise.reject(new Error('ENXIO: no /dev/tty')) });
    await expect(noTerminal).rejects.toThrow('the client asks for a password (-p), and there is no terminal to ask it at for mysqldump (ENXIO: no /dev/tty); give it in MYSQL_PWD or an option file');
  });
});

describe('reading a dump back', () => {
  it('counts the rows each table gets, across databases, views too', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'chaperone-dump-')), 'dump.sql');
    writeFileSync(
      file,
      [
        'USE `shop`;',
        "CREATE TABLE `orders` (id int, item text);",
        "INSERT INTO `orders` VALUES (1,'a (b), c'),(2,'it''s; here');",
        "INSERT INTO `orders` VALUES (3,'x') ON DUPLICATE KEY UPDATE item = (item);",
        '/*!50001 CREATE ALGORITHM=UNDEFINED VIEW `v` AS select 1 AS `1` */;',
        'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `ledger`;',
        'USE `ledger`;',
        'CREATE TABLE `entries` (id int);',
        'INSERT INTO `entries` VALUES (1);',
        '-- Dump completed',
      ].join('\n'),
    );
    expect(await readDump(file)).toEqual([
      { database: 'shop', name: 'orders', kind: 'table', rows: 3 },
      { database: 'shop', name: 'v', kind: 'view', rows: 0 },
      { database: 'ledger', name: 'entries', kind: 'table', rows: 1 },
    ]);
  });
});

describe('mysqladmin drop: the same dump, over mysqladmin\'s own connection', () => {
  table((args) => args.join(' '), [
    // Whether each name of the client is backed up: only `drop DB` destroys data a dump can keep.
    [['-f', 'drop', 'shop'], [true, true]],
    [['--force', 'dro', 'shop'], [true, true]],
    [['-c', '2', '-i', '1', 'DROP', 'shop', 'drop', 'ledger'], [true, true]],
    [['shutdown'], [false, false]],
    [['kill', '12,13'], [false, false]],
    [['drop'], [false, false]],
  ], (args) => [backsUp('mysqladmin', args), backsUp('mariadb-admin', args)]);

  it('lists each dropped database once, in order', () => {
    expect(droppedDatabases(['-c', '2', 'drop', 'shop', 'status', 'dro', 'ledger'])).toEqual(['shop', 'ledger']);
  });

  it("reads mysqladmin's values (-c, -i) and groups ([mysqladmin], not [mysql]), and no database to start in", () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysqladmin-conn-')));
    const cnf = join(root, 'my.cnf');
    writeFileSync(cnf, '[client]\nuser = app\n[mysql]\nhost = wrong\n[mysqladmin]\nhost = db.prod\nport = 3307\n');
    const c = mysqlConnection([`--defaults-file=${cnf}`, '-c', '3', '-i', '1', '-pS3cret', '-f', 'drop', 'shop'], { HOME: root }, root, adminClientReading);
    expect(c.options.map(([k, v]) => `${k}=${v}`)).toEqual(['user=app', 'host=db.prod', 'port=3307']);
    expect(c.password).toEqual({ value: 'S3cret' });
    expect(c.database).toBeUndefined();
    expect(clientArgs([`--defaults-file=${cnf}`, '-h', 'db', '-c', '3', '-pS3cret', 'drop', 'shop'], adminClientReading)).toEqual([`--defaults-file=${cnf}`, '--host=db', '--password']);
  });

  it('gives mysqldump the password in the 0600 option file, and dumps the database dropped', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mysqladmin-dump-')));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const myPrintDefaults = which('my_print_defaults');
    dumpDouble(bin, root, 'CREATE DATABASE `shop`;\nUSE `shop`;\nCREATE TABLE `orders` (id int);\nINSERT INTO `orders` VALUES (1),(2);\n-- Dump completed\n');
    lookupDouble(bin, root, 'd\tshop\t');
    const env = { HOME: root, PATH: `${bin}:${systemPath}`, XDG_DATA_HOME: join(root, 'share') };
    const record = (await takeMysqlBackup({
      args: ['--no-defaults', '-h', 'db.prod', '-u', 'app', '-pS3cret', '-c', '2', '-f', 'drop', 'shop'],
      scope: { kind: 'objects', databases: ['shop'], tables: [], why: 'mysqladmin drop drops the whole database' },
      env,
      cwd: root,
      reading: adminClientReading,
    })) as MysqlBackupRecord;
    const argv = readFileSync(join(root, 'argv'), 'utf8');
    expect(argv).not.toContain('S3cret');
    expect(argv).toContain('--databases\nshop\n');
    expect(readFileSync(join(root, 'lookup-argv'), 'utf8')).not.toContain('S3cret');
    expect(readFileSync(join(root, 'mode'), 'utf8').trim()).toBe('600');
    if (myPrintDefaults) expect(readFileSync(join(root, 'read'), 'utf8').split('\n')).toEqual(['--host=db.prod', '--user=app', '--password=S3cret', '']);
    expect(record.objects).toEqual([{ database: 'shop', name: 'orders', kind: 'table', rows: 2 }]);
    expect(record.clientArgs).toEqual(['--no-defaults', '--host=db.prod', '--user=app', '--password']);
    expect(readFileSync(join(root, 'share/chaperone/backups/index.jsonl'), 'utf8')).not.toContain('S3cret');
  });
});
