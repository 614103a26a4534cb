// mysql and mariadb through the real shims, with recording doubles standing in for the clients: SQL
// from -e, from a file on stdin, from a pipe (and one longer than the read-ahead).

import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['mysql', 'mariadb']);
  sb.double('mysql', { stdout: 'mysql ran\n' });
  sb.double('mariadb', { stdout: 'mariadb ran\n' });
});

// --no-defaults keeps the machine's /etc/mysql files out of what the tests see.
const prod = ['--no-defaults', '-h', 'db.prod.example', 'shop'];
const dev = ['--no-defaults', '-h', '127.0.0.1', 'shop'];

describe('mysql -e, with no terminal (an agent)', () => {
  it('refuses DROP TABLE on a production host, naming the rule, the environment and its evidence', async () => {
    const args = [...prod, '-e', 'DROP TABLE orders'];
    const result = await sb.run('mysql', args);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("chaperone: refused: mysql --no-defaults -h db.prod.example shop -e 'DROP TABLE orders'");
    expect(result.stderr).toContain('mysql.sql.drop [destroy] DROP removes a database, table or other object and its data: DROP TABLE orders');
    expect(result.stderr).toContain('environment  shop (production): "db.prod.example" contains "prod"');
    expect(result.stderr).toContain('evidence   flag --host db.prod.example');
    expect(result.stderr).toContain('evidence   argument database: shop');
    expect(sb.record('mysql')).toBeUndefined();
  });

  it('runs the same DROP on a local host with a one-line notice, argv untouched', async () => {
    const args = [...dev, '-e', 'DROP TABLE orders'];
    const result = await sb.run('mysql', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('mysql ran\n');
    expect(result.stderr).toBe('chaperone: mysql.sql.drop in shop (development): allowed\n');
    expect(sb.record('mysql')?.argv).toEqual(args);
  });

  it('passes a SELECT on production through untouched and silently', async () => {
    const args = [...prod, '-e', 'SELECT count(*) FROM orders'];
    const result = await sb.run('mysql', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('mysql')?.argv).toEqual(args);
  });

  it('guards mariadb, the same client under its other name', async () => {
    const result = await sb.run('mariadb', [...prod, '--execute=TRUNCATE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysql.sql.truncate');
    expect(sb.record('mariadb')).toBeUndefined();
  });

  it('reads the database from the script: USE shop_prod on a local host is production', async () => {
    const result = await sb.run('mysql', ['--no-defaults', '-h', '127.0.0.1', '-e', 'USE shop_prod; DELETE FROM orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysql.sql.delete-all');
    // Judged as the client call it becomes after USE: the same host, the database USE names.
    expect(result.stderr).toContain("mysql USE shop_prod > mysql --no-defaults --host=127.0.0.1 --database=shop_prod -e 'DELETE FROM orders'");
    expect(result.stderr).toContain('evidence   flag --database shop_prod');
  });

  it('reads the host from ~/.my.cnf', async () => {
    writeFileSync(join(sb.home, '.my.cnf'), '[client]\nhost = db.prod.example\npassword = hunter2\n');
    const result = await sb.run('mysql', ['-e', 'DROP DATABASE shop']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('evidence   file ~/.my.cnf [client] host = db.prod.example');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('never gates --help', async () => {
    const result = await sb.run('mysql', [...prod, '--help', '-e', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('mysql')?.argv).toEqual([...prod, '--help', '-e', 'DROP TABLE orders']);
  });

  it('never shows a password given as -pSECRET, on screen or in the audit log', async () => {
    const result = await sb.run('mysql', [...prod, '-pSECRET', '-e', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain("chaperone: refused: mysql --no-defaults -h db.prod.example shop '-p***' -e");
    expect(result.stderr).not.toContain('SECRET');
    expect(readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8')).not.toContain('SECRET');
  });
});

describe('mysql reading SQL on stdin', () => {
  it('refuses a pipe with a DROP in production before mysql starts', async () => {
    const result = await sb.run('mysql', prod, { input: 'SELECT 1;\nDROP TABLE orders;\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysql.sql.drop');
    expect(sb.record('mysql')).toBeUndefined();
  });

  it('passes a benign pipe through byte for byte', async () => {
    const script = Buffer.concat([Buffer.from("INSERT INTO t VALUES (1, 'DROP TABLE t; \\' --');\n# DROP TABLE t\nINSERT INTO t VALUES ('"), Buffer.from([0xff, 0xfe]), Buffer.from("');\n")]);
    const result = await sb.run('mysql', prod, { input: script });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('mysql')!.stdin.equals(script)).toBe(true);
  });

  it('reads a regular file on stdin without consuming it', async () => {
    const file = join(sb.root, 'dump.sql');
    writeFileSync(file, '/*!40101 SET NAMES utf8 */;\nDROP TABLE IF EXISTS `orders`;\nCREATE TABLE `orders` (id int);\n');
    const refused = await sb.sh(`mysql --no-defaults -h db.prod.example shop < ${file}`);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('mysql.sql.drop [destroy] DROP removes a database, table or other object and its data: DROP TABLE IF EXISTS `orders`');
    writeFileSync(file, 'SELECT 1;\n');
    const allowed = await sb.sh(`mysql --no-defaults -h db.prod.example shop < ${file}`);
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('mysql')!.stdin.toString()).toBe('SELECT 1;\n');
  });

  it('reads files named by `source`', async () => {
    writeFileSync(join(sb.work, 'wipe.sql'), 'TRUNCATE orders;\n');
    const result = await sb.run('mysql', prod, { input: 'SELECT 1;\nsource wipe.sql\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mysql.sql.truncate');
  });

  describe('a pipe longer than the read-ahead (CHAPERONE_READ_AHEAD_BYTES=1024)', () => {
    const env = { CHAPERONE_READ_AHEAD_BYTES: '1024' };
    const inserts = (n: number) => Array.from({ length: n }, (_, i) => `INSERT INTO t VALUES (${i});\n`).join('');

    it('passes a benign stream through in production: it is judged statement by statement (see mysql-stdin.test.ts)', async () => {
      const script = inserts(200);
      const result = await sb.run('mysql', prod, { input: script, env });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(sb.record('mysql')!.stdin.toString()).toBe(script);
    });

    it('passes all of it through in development, byte for byte, with a notice for the DROP', async () => {
      const script = `${inserts(300)}DROP TABLE scratch;\n${inserts(5)}`;
      const result = await sb.run('mysql', dev, { input: script, env });
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('chaperone: mysql.sql.drop in shop (development): allowed\n');
      expect(sb.record('mysql')!.stdin.toString()).toBe(script);
    });
  });
});
