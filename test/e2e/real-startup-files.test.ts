// Startup files through the real shims and the real tools: ~/.psqlrc with a real psql and PostgreSQL,
// ~/.my.cnf init-command with the real mariadb client and server, ~/.aws/cli/alias with the real AWS CLI
// and moto. A refused agent's next move is to write what was refused into a file the tool reads on its
// own; the command it then types looks harmless. What the tests check is the world afterwards, and, on
// a development target, that the real tool does read the file (so a refusal is not about nothing).
//
// A group whose tools are missing is skipped, with the reason printed; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, systemPath, type Sandbox } from '../helpers/sandbox.js';
import { postgresProblems, startPostgres, type Postgres } from '../helpers/postgres.js';
import { mariadbProblems, startMariadb, type Mariadb } from '../helpers/mariadb.js';
import { motoProblems, startMoto, type Moto } from '../helpers/moto.js';
import { toolGroup } from '../helpers/system.js';

const [pgMissing, mariadbMissing, awsMissing] = await Promise.all([postgresProblems(), mariadbProblems(), motoProblems()]);
const postgresGroup = toolGroup('psql startup files, with a real psql and PostgreSQL', pgMissing);
const mariadbGroup = toolGroup('mysql option files, with the real mariadb client and server', mariadbMissing);
const awsGroup = toolGroup('aws CLI aliases, with the real AWS CLI against moto', awsMissing);

describe.skipIf(postgresGroup.skip)(postgresGroup.title, () => {
  let pg: Postgres | undefined;
  let sb: Sandbox | undefined;
  const at = (db: string) => ['-h', '127.0.0.1', '-p', String(pg!.port), '-U', 'postgres', '-d', db];
  const hasOrders = (db: string) => pg!.sql(db, "SELECT to_regclass('public.orders') IS NOT NULL");
  const startupFiles = ['.psqlrc', '.psqlrc-15', 'rc', 'drop.sql'];

  beforeAll(async () => {
    postgresGroup.assertAvailable();
    [pg, sb] = await Promise.all([startPostgres(), makeSandbox(['psql'])]);
    await pg.sql('postgres', 'CREATE DATABASE shop_prod', 'CREATE DATABASE shop_dev');
  });
  afterAll(async () => {
    await pg?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const db of ['shop_prod', 'shop_dev']) await pg!.sql(db, 'DROP TABLE IF EXISTS orders', 'CREATE TABLE orders (id int)', 'INSERT INTO orders VALUES (1), (2)');
  });
  afterEach(() => {
    for (const name of startupFiles) rmSync(join(sb!.home, name), { recursive: true, force: true });
  });

  it.each([
    ['~/.psqlrc', () => sb!.write('home/.psqlrc', '\\set QUIET on\nDROP TABLE orders;\n'), {}, '~/.psqlrc:2: DROP TABLE orders'],
    ['~/.psqlrc-15', () => sb!.write('home/.psqlrc-15', 'DROP TABLE orders;\n'), {}, '~/.psqlrc-15:1: DROP TABLE orders'],
    ['PSQLRC', () => sb!.write('home/rc', 'drop table orders;\n'), { PSQLRC: '~/rc' }, '~/rc:1: drop table orders'],
    ['a \\i inside ~/.psqlrc', () => (sb!.write('home/drop.sql', 'DROP TABLE orders;\n'), sb!.write('home/.psqlrc', `\\i ${join(sb!.home, 'drop.sql')}\n`)), {}, '~/.psqlrc: DROP TABLE orders'],
  ])("%s with DROP TABLE: an agent's `psql -c 'select 1'` on production is refused, and the table survives", async (_name, write, env, shown) => {
    write();
    const result = await sb!.run('psql', [...at('shop_prod'), '-c', 'select 1'], { env });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('psql.sql.drop [destroy]');
    expect(result.stderr).toContain(shown);
    expect(result.stderr).toContain('The real psql did not run.');
    expect(await hasOrders('shop_prod')).toBe('t');

    // With -X the real psql leaves the file unread: the command runs, and the table is still there.
    const unread = await sb!.run('psql', ['-X', '-At', ...at('shop_prod'), '-c', 'select count(*) from orders'], { env });
    expect(unread.stderr).toBe('');
    expect(unread.stdout).toBe('2\n');
    expect(await hasOrders('shop_prod')).toBe('t');

    // On a development database it runs with a notice, and the real psql does read the file: the table goes.
    const dev = await sb!.run('psql', [...at('shop_dev'), '-c', 'select 1'], { env });
    expect(dev.exitCode).toBe(0);
    expect(dev.stderr).toContain('chaperone: psql.sql.drop in shop_dev (development): allowed');
    expect(await hasOrders('shop_dev')).toBe('f');
  });

  it("the refused agent's next line, writing the DROP into ~/.psqlrc and then a harmless psql, is refused by the shim", async () => {
    const refused = await sb!.run('psql', [...at('shop_prod'), '-c', 'DROP TABLE orders']);
    expect(refused.exitCode).toBe(77);
    const line = `echo 'DROP TABLE orders;' > ~/.psqlrc && psql ${at('shop_prod').join(' ')} -c 'select 1'`;
    const result = await sb!.sh(line);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('~/.psqlrc:1: DROP TABLE orders');
    expect(await hasOrders('shop_prod')).toBe('t');
  });

  it('a benign ~/.psqlrc (\\set QUIET on, \\timing) leaves a SELECT on production running, silently', async () => {
    sb!.write('home/.psqlrc', '\\set QUIET on\n\\timing\n\\pset null (null)\n');
    const result = await sb!.run('psql', [...at('shop_prod'), '-At', '-c', 'select count(*) from orders']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^2\nTime: /);
  });

  it('a FIFO as ~/.psqlrc is refused at once, naming the file (psql itself would wait on it)', async () => {
    execFileSync('mkfifo', [join(sb!.home, '.psqlrc')]);
    const result = await sb!.run('psql', [...at('shop_prod'), '-c', 'select 1'], { timeout: 30_000 });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('psql.sql.unreadable');
    expect(result.stderr).toContain('startup file ~/.psqlrc cannot be read (not a regular file');
  });
});

describe.skipIf(mariadbGroup.skip)(mariadbGroup.title, () => {
  let db: Mariadb | undefined;
  let sb: Sandbox | undefined;
  const at = (database: string) => ['-h', '127.0.0.1', '-P', String(db!.port), '-u', 'root', database];
  const hasOrders = (database: string) => db!.sql(`SELECT count(*) FROM information_schema.tables WHERE table_schema = '${database}' AND table_name = 'orders'`);

  beforeAll(async () => {
    mariadbGroup.assertAvailable();
    [db, sb] = await Promise.all([startMariadb(), makeSandbox(['mysql', 'mariadb'])]);
    await db.sql('CREATE DATABASE shop_prod; CREATE DATABASE shop_dev');
  });
  afterAll(async () => {
    await db?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const database of ['shop_prod', 'shop_dev']) {
      await db!.sql(`DROP TABLE IF EXISTS ${database}.orders; CREATE TABLE ${database}.orders (id int); INSERT INTO ${database}.orders VALUES (1), (2)`);
    }
  });
  afterEach(() => {
    for (const name of ['home/.my.cnf', 'work/extra.cnf']) rmSync(join(sb!.root, name), { force: true });
  });

  it.each([
    ['~/.my.cnf [client] init-command, mysql', 'mysql', () => sb!.write('home/.my.cnf', '[client]\ninit-command = DROP TABLE orders\n'), [], 'init-command in ~/.my.cnf:2 [client]: DROP TABLE orders'],
    ['--defaults-extra-file [mysql] init_command, mariadb', 'mariadb', () => sb!.write('work/extra.cnf', '[mysql]\ninit_command="DROP TABLE orders"\n'), ['--defaults-extra-file=extra.cnf'], 'init-command in '],
  ])("%s: an agent's SELECT on production is refused, and the table survives", async (_name, tool, write, options, shown) => {
    write();
    const result = await sb!.run(tool, [...options, ...at('shop_prod'), '-e', 'SELECT 1']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('mysql.sql.drop [destroy]');
    expect(result.stderr).toContain(shown);
    expect(await hasOrders('shop_prod')).toBe('1');

    // On a development database it runs with a notice, and the real client does send the init-command.
    const dev = await sb!.run(tool, [...options, ...at('shop_dev'), '-e', 'SELECT 1']);
    expect(dev.stderr).toContain('chaperone: mysql.sql.drop in shop_dev (development): allowed');
    expect(dev.exitCode).toBe(0);
    expect(await hasOrders('shop_dev')).toBe('0');
  });

  it('--no-defaults leaves ~/.my.cnf unread: the SELECT runs silently and the table stays', async () => {
    sb!.write('home/.my.cnf', '[client]\ninit-command = DROP TABLE orders\n');
    const result = await sb!.run('mysql', ['--no-defaults', ...at('shop_prod'), '-N', '-B', '-e', 'SELECT count(*) FROM orders']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('2\n');
    expect(await hasOrders('shop_prod')).toBe('1');
  });

  it('a benign init-command leaves a SELECT on production running, silently', async () => {
    sb!.write('home/.my.cnf', '[client]\ninit-command = SET NAMES utf8mb4\n');
    const result = await sb!.run('mariadb', [...at('shop_prod'), '-N', '-B', '-e', 'SELECT count(*) FROM orders']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('2\n');
  });
});

describe.skipIf(awsGroup.skip)(awsGroup.title, () => {
  let moto: Moto | undefined;
  let sb: Sandbox | undefined;
  const bucket = 'orders-bucket';
  const aws = (args: string[], profile = 'acme-prod') => sb!.run('aws', ['--endpoint-url', moto!.endpoint, ...args, '--profile', profile]);
  const awsDirect = async (args: string[]) => {
    const result = await sb!.run('aws', ['--endpoint-url', moto!.endpoint, ...args, '--profile', 'acme-prod'], { env: { PATH: systemPath } });
    if (result.exitCode !== 0) throw new Error(`aws ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr}`);
    return String(result.stdout);
  };

  beforeAll(async () => {
    awsGroup.assertAvailable();
    [moto, sb] = await Promise.all([startMoto(), makeSandbox(['aws'])]);
    const profile = (name: string) => `[profile ${name}]\nregion = us-east-1\n`;
    const keys = (name: string) => `[${name}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`;
    sb.write('home/.aws/config', profile('acme-prod') + profile('acme-dev'));
    sb.write('home/.aws/credentials', keys('acme-prod') + keys('acme-dev'));
    sb.write('work/hello.txt', 'hello\n');
    await awsDirect(['s3', 'mb', `s3://${bucket}`]);
    await awsDirect(['s3', 'cp', 'hello.txt', `s3://${bucket}/hello.txt`, '--only-show-errors']);
    sb.write(
      'home/.aws/cli/alias',
      [
        '[toplevel]',
        `nuke = s3 rb s3://${bucket} --force`,
        'scrap = s3 rb s3://scratch-bucket --force',
        `wipe = !aws s3 rm s3://${bucket} --recursive`,
        'buckets = s3 ls',
        `scrub = !aws --endpoint-url ${moto.endpoint} s3 rb s3://scratch-two --force --profile acme-dev`,
        '[command s3]',
        `rmall = rm s3://${bucket} --recursive`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await moto?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  const objectsRemain = async () => {
    expect(await awsDirect(['s3', 'ls'])).toContain(bucket);
    expect(await awsDirect(['s3', 'ls', `s3://${bucket}`])).toMatch(/ 6 hello\.txt\n/);
  };

  it.each([
    ['a toplevel alias to s3 rb --force', ['nuke'], 'aws.s3.rb [destroy]', 'alias nuke (~/.aws/cli/alias:2)'],
    ['a [command s3] alias to rm --recursive', ['s3', 'rmall'], 'aws.s3.rm.recursive [destroy]', 'alias s3 rmall (~/.aws/cli/alias:8)'],
    ['a ! alias running aws s3 rm --recursive', ['wipe'], 'aws.s3.rm.recursive [destroy]', 'aws alias wipe (~/.aws/cli/alias:4) > aws s3 rm'],
  ])("%s: refused for an agent with the production profile; the bucket and its object remain", async (_name, args, rule, shown) => {
    const result = await aws(args);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(rule);
    expect(result.stderr).toContain(shown);
    await objectsRemain();
  });

  it('a benign alias runs with the production profile, silently, as the real CLI expands it', async () => {
    const result = await aws(['buckets']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(bucket);
    expect(result.exitCode).toBe(0);
  });

  it('a ! alias whose aws targets a development profile runs: the real CLI runs its shell line, whose aws comes back through the shim', async () => {
    await awsDirect(['s3', 'mb', 's3://scratch-two']);
    const result = await aws(['scrub']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('chaperone: aws.s3.rb in acme-dev (development): allowed');
    expect(result.stdout).toBe('remove_bucket: scratch-two\n');
    expect(await awsDirect(['s3', 'ls'])).not.toContain('scratch-two');
    await objectsRemain();
  });

  it('the same alias on a development profile runs with a notice, and the real CLI does remove the bucket', async () => {
    await awsDirect(['s3', 'mb', 's3://scratch-bucket']);
    const result = await aws(['scrap'], 'acme-dev');
    expect(result.stderr).toBe('chaperone: aws.s3.rb in acme-dev (development): allowed\n');
    expect(result.stdout).toBe('remove_bucket: scratch-bucket\n');
    expect(await awsDirect(['s3', 'ls'])).not.toContain('scratch-bucket');
    await objectsRemain();
  });
});
