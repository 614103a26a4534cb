// The real tools behind the real shims: a throwaway PostgreSQL server with the machine's psql, and the
// AWS CLI against moto. No test doubles: the sandbox's PATH holds the system PATH after the shims, so
// each shim finds the real psql or aws. What the tests check is the world afterwards: a refused DROP
// leaves the table and its rows, an allowed one really drops it.
//
// A group whose tools are missing is skipped, with the reason printed; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, systemPath, type Sandbox } from '../helpers/sandbox.js';
import { postgresProblems, startPostgres, type Postgres } from '../helpers/postgres.js';
import { motoProblems, startMoto, type Moto } from '../helpers/moto.js';
import { toolGroup } from '../helpers/system.js';

const [pgMissing, awsMissing] = await Promise.all([postgresProblems(), motoProblems()]);
const postgresGroup = toolGroup('psql through the shim, against a real PostgreSQL server', pgMissing);
const awsGroup = toolGroup('aws through the shim, against moto', awsMissing);

const auditFile = (sb: Sandbox) => join(sb.home, '.local/state/chaperone/audit.jsonl');
const auditRecords = (sb: Sandbox) =>
  readFileSync(auditFile(sb), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);

describe.skipIf(postgresGroup.skip)(postgresGroup.title, () => {
  let pg: Postgres | undefined;
  let sb: Sandbox | undefined;
  const seeded = '1|apple\n2|pear\n3|fig';

  /** (Re)creates `orders` with three rows, directly (no shim), so each test starts from the same world. */
  const seed = (db: string) =>
    pg!.sql(
      db,
      'DROP TABLE IF EXISTS orders',
      'CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL)',
      "INSERT INTO orders VALUES (1, 'apple'), (2, 'pear'), (3, 'fig')",
    );
  const rows = (db: string) => pg!.sql(db, 'SELECT id, item FROM orders ORDER BY id');
  const hasOrders = (db: string) => pg!.sql(db, "SELECT to_regclass('public.orders') IS NOT NULL");
  /** psql's connection flags for the test server, as an agent would type them. */
  const at = (db: string) => ['-h', '127.0.0.1', '-p', String(pg!.port), '-U', 'postgres', '-d', db];

  beforeAll(async () => {
    postgresGroup.assertAvailable();
    [pg, sb] = await Promise.all([startPostgres(), makeSandbox(['psql'])]);
    await pg.sql('postgres', 'CREATE DATABASE shop_prod', 'CREATE DATABASE shop_dev', 'CREATE DATABASE shop');
  });
  afterAll(async () => {
    await pg?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it('refuses an agent\'s DROP TABLE on a production database, and the table keeps every row', async () => {
    await seed('shop_prod');
    const result = await sb!.run('psql', [...at('shop_prod'), '-c', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`chaperone: refused: psql -h 127.0.0.1 -p ${pg!.port} -U postgres -d shop_prod -c 'DROP TABLE orders'`);
    expect(result.stderr).toContain('psql.sql.drop [destroy]');
    expect(result.stderr).toContain('environment  shop_prod (production): "shop_prod" contains "prod"');
    expect(result.stderr).toContain('The real psql did not run.');
    // Checked with psql directly, not through the shim.
    expect(await hasOrders('shop_prod')).toBe('t');
    expect(await rows('shop_prod')).toBe(seeded);
    expect(auditRecords(sb!).at(-1)).toMatchObject({
      tool: 'psql',
      rules: ['psql.sql.drop'],
      decision: 'deny',
      outcome: 'refused',
      actor: 'agent',
      environment: { name: 'shop_prod', class: 'production' },
    });
  });

  it('runs an allowed SELECT on the production database and prints the real result, silently', async () => {
    await seed('shop_prod');
    const result = await sb!.run('psql', [...at('shop_prod'), '-At', '-c', 'SELECT count(*) FROM orders']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('3\n');
    expect(result.exitCode).toBe(0);
  });

  it('refuses DROP TABLE read from a file with -f, and the rows remain', async () => {
    await seed('shop_prod');
    sb!.write('work/drop.sql', 'DROP TABLE orders;\n');
    const result = await sb!.run('psql', [...at('shop_prod'), '-f', 'drop.sql']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('psql.sql.drop [destroy] DROP removes a database object and its data: DROP TABLE orders');
    expect(result.stderr).toContain('shop_prod (production)');
    expect(await rows('shop_prod')).toBe(seeded);
  });

  it('refuses a DROP piped into psql, and the rows remain', async () => {
    await seed('shop_prod');
    const result = await sb!.run('psql', at('shop_prod'), { input: "SELECT 'first';\nDROP TABLE orders;\n" });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(await rows('shop_prod')).toBe(seeded);
  });

  it('stops a piped script before its DROP past the read-ahead: the statements before it ran, the rows remain', async () => {
    await seed('shop_prod');
    const before = Array.from({ length: 200 }, (_, i) => `INSERT INTO orders VALUES (${i + 10}, 'item ${i}; DROP TABLE orders');\n`).join('');
    const result = await sb!.run('psql', at('shop_prod'), { input: `${before}DROP TABLE orders;\nINSERT INTO orders VALUES (999, 'after');\n`, env: { CHAPERONE_READ_AHEAD_BYTES: '4096' } });
    // psql was exec'd, and a feeder beside it stopped its input: psql's own status (0: its input ended).
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('stopped psql\'s input before statement 201');
    expect(await pg!.sql('shop_prod', 'SELECT count(*) FROM orders')).toBe('203');
  });

  it('passes a 100 MB benign script through byte-exact: psql prints what it prints without chaperone', async () => {
    await pg!.sql('shop_prod', 'DROP TABLE IF EXISTS events', 'CREATE TABLE events (id bigint, payload text)');
    // Mostly COPY data (fast for the server), with statements that mention DROP and DELETE in strings.
    const rowsPerCopy = 200_000;
    const copy = (from: number) =>
      `COPY events (id, payload) FROM stdin;\n${Array.from({ length: rowsPerCopy }, (_, i) => `${from + i}\t{"note": "DROP TABLE events; DELETE FROM users", "i": ${i}, "pad": "${'x'.repeat(400)}"}`).join('\n')}\n\\.\n`;
    let script = "SELECT 'DROP TABLE events' AS harmless;\n";
    for (let from = 0; script.length < 100 * 1024 * 1024; from += rowsPerCopy) script += copy(from);
    script += 'SELECT count(*) FROM events;\n';
    const tableAfter = () => pg!.sql('shop_prod', 'SELECT count(*), sum(length(payload)), sum(id) FROM events');
    const direct = await sb!.run('/usr/bin/psql', [...at('shop_prod'), '-X', '-q'], { input: script, env: { PATH: systemPath } });
    const directTable = await tableAfter();
    await pg!.sql('shop_prod', 'TRUNCATE events');
    const shimmed = await sb!.run('psql', [...at('shop_prod'), '-X', '-q'], { input: script });
    expect(shimmed.exitCode).toBe(0);
    expect(shimmed.exitCode).toBe(direct.exitCode);
    expect(shimmed.stderr).toBe(direct.stderr);
    expect(shimmed.stdout).toBe(direct.stdout);
    expect(String(shimmed.stdout)).toMatch(/harmless/);
    expect(await tableAfter()).toBe(directTable);
    expect(Number(directTable.split('|')[0])).toBeGreaterThan(200_000);
  }, 180_000);

  it('really drops the table in a development database, with a one-line notice', async () => {
    await seed('shop_dev');
    const result = await sb!.run('psql', [...at('shop_dev'), '-c', 'DROP TABLE orders']);
    expect(result.stderr).toBe('chaperone: psql.sql.drop in shop_dev (development): allowed\n');
    expect(result.stdout).toBe('DROP TABLE\n');
    expect(result.exitCode).toBe(0);
    expect(await hasOrders('shop_dev')).toBe('f');
  });

  it('counts 127.0.0.1 as development when the database name says nothing, and really drops', async () => {
    await seed('shop');
    const result = await sb!.run('psql', [...at('shop'), '-c', 'DROP TABLE orders']);
    expect(result.stderr).toBe('chaperone: psql.sql.drop in shop (development): allowed\n');
    expect(result.stdout).toBe('DROP TABLE\n');
    expect(result.exitCode).toBe(0);
    expect(await hasOrders('shop')).toBe('f');
  });
});

// Refused before psql would start, so this needs no server (nor psql): it runs everywhere.
describe('a password in a psql connection string, refused', () => {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await makeSandbox(['psql']);
  });
  afterAll(() => {
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it('appears nowhere: not on stdout or stderr, not in any file the sandbox holds, audit log included', async () => {
    const secret = 'PW-s3cret-XYZ';
    const result = await sb!.run('psql', [`postgresql://app:${secret}@db.prod.example/shop`, '-c', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('psql.sql.drop');
    expect(result.stderr).toContain('shop (production): "db.prod.example" contains "prod"');
    expect(result.stderr).toContain("postgresql://app:***@db.prod.example/shop");
    expect(String(result.stdout) + String(result.stderr)).not.toContain(secret);

    // The refusal was logged (so the walk below reads a real audit log), without the password.
    expect(auditRecords(sb!)).toHaveLength(1);
    expect(auditRecords(sb!)[0]).toMatchObject({ outcome: 'refused', argv: ['postgresql://app:***@db.prod.example/shop', '-c', 'DROP TABLE orders'] });
    const files = readdirSync(sb!.root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const paths = files.map((entry) => join(entry.parentPath, entry.name));
    expect(paths).toContain(auditFile(sb!));
    for (const path of paths) {
      expect(readFileSync(path).includes(secret), `${path} holds the password`).toBe(false);
    }
  });
});

describe.skipIf(awsGroup.skip)(awsGroup.title, () => {
  let moto: Moto | undefined;
  let sb: Sandbox | undefined;
  const bucket = 'orders-bucket'; // moto (like S3) wants 3 to 63 characters, so not just "b"

  /** aws through the shim, at moto, with the given profile (never static keys in the environment). */
  const aws = (args: string[], profile = 'acme-prod') =>
    sb!.run('aws', ['--endpoint-url', moto!.endpoint, ...args, '--profile', profile]);
  /** The real aws, directly: the shims are not on this PATH. */
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
    // Benign commands, through the shim: they run untouched and say nothing.
    for (const args of [['s3', 'mb', `s3://${bucket}`], ['s3', 'cp', 'hello.txt', `s3://${bucket}/hello.txt`, '--only-show-errors']]) {
      const result = await aws(args);
      if (result.exitCode !== 0 || result.stderr !== '') throw new Error(`aws ${args.join(' ')}: exit ${result.exitCode}: ${result.stderr}`);
    }
  });
  afterAll(async () => {
    await moto?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it('refuses `s3 rb --force` with a production profile, though the endpoint is this machine; bucket and object remain', async () => {
    const result = await aws(['s3', 'rb', `s3://${bucket}`, '--force']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('aws.s3.rb [destroy]');
    expect(result.stderr).toContain('environment  acme-prod (production): "acme-prod" contains "prod"');
    expect(result.stderr).toContain(`evidence   flag --endpoint-url ${moto!.endpoint}`);
    expect(await awsDirect(['s3', 'ls'])).toContain(bucket);
    expect(await awsDirect(['s3', 'ls', `s3://${bucket}`])).toMatch(/ 6 hello\.txt\n/);
  });

  it('runs `s3 ls` with the production profile, listing the bucket, silently', async () => {
    const result = await aws(['s3', 'ls']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^\\S+ \\S+ ${bucket}\\n$`));
    expect(result.exitCode).toBe(0);
  });

  it('really removes a bucket with a development profile, with a one-line notice', async () => {
    const scratch = 'scratch-bucket';
    expect((await aws(['s3', 'mb', `s3://${scratch}`], 'acme-dev')).exitCode).toBe(0);
    const result = await aws(['s3', 'rb', `s3://${scratch}`, '--force'], 'acme-dev');
    expect(result.stderr).toBe('chaperone: aws.s3.rb in acme-dev (development): allowed\n');
    expect(result.stdout).toBe(`remove_bucket: ${scratch}\n`);
    expect(result.exitCode).toBe(0);
    const listing = await awsDirect(['s3', 'ls']);
    expect(listing).not.toContain(scratch);
    expect(listing).toContain(bucket);
  });
});
