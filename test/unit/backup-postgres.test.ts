// The PostgreSQL backup taken before a destroy (issue 10, first slice): what it dumps, and with which
// connection. real-backup.test.ts takes one from a real server and restores it.

import { describe } from 'vitest';
import { dumpArgs, scopeOf, tablePattern, withoutPassword } from '../../src/backup/postgres.js';
import { table } from '../helpers/cases.js';

describe('what a statement destroys, as pg_dump selects it', () => {
  table((sql) => sql, [
    ['DROP TABLE orders', 'tables "orders"'],
    ['DROP TABLE IF EXISTS public.orders, "Items" CASCADE', 'tables "public"."orders" "Items"'],
    ['TRUNCATE a, s.b', 'tables "a" "s"."b"'],
    ['DELETE FROM s.t WHERE id = 1', 'tables "s"."t"'],
    ['UPDATE t SET x = 1', 'tables "t"'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'tables "t"'],
    ['ALTER TABLE t DROP COLUMN c', 'tables "t"'],
    ['DROP VIEW v; DROP MATERIALIZED VIEW m', 'tables "v" "m"'],
    ['TRUNCATE t; DELETE FROM t', 'tables "t"'],
    ['DROP DATABASE shop_prod', 'database shop_prod'],
    ['DROP SCHEMA app CASCADE', 'database (current)'],
    ['DROP FUNCTION f()', 'database (current)'],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$", 'database (current)'],
    ['SELECT 1; DROP TABLE t; DROP SCHEMA s', 'database (current)'],
    ['DROP TABLE', 'database (current)'],
    ['SELECT * FROM orders', 'nothing'],
    ['INSERT INTO t VALUES (1)', 'nothing'],
  ], async (sql) => {
    const scope = await scopeOf(sql);
    if (scope.kind === 'tables') return `tables ${scope.tables.map(tablePattern).join(' ')}`;
    if (scope.kind === 'database') return `database ${scope.database ?? '(current)'}`;
    return 'nothing';
  });
});

describe("pg_dump's connection, taken from psql's", () => {
  table((args) => args.join(' '), [
    [['-h', 'db.internal', '-p', '5433', '-U', 'app', '-d', 'shop', '-c', 'DROP TABLE t'], '--host db.internal --port 5433 --username app --dbname shop'],
    [['shop', 'app', '-c', 'DROP TABLE t'], '--username app --dbname shop'],
    [['--dbname=postgresql://app:s3cret@db:5432/shop?sslmode=require', '-c', 'TRUNCATE t'], '--dbname postgresql://app:s3cret@db:5432/shop?sslmode=require'],
    [['-c', 'TRUNCATE t'], ''],
    [['-hdb', '-Uapp', 'shop'], '--host db --username app --dbname shop'],
  ], (args) => dumpArgs(args).join(' '));

  table((args) => `${args.join(' ')} → other database`, [
    [['-h', 'db', '-d', 'postgres', '-c', 'DROP DATABASE shop'], '--host db --dbname shop'],
    [['postgresql://app:pw@db:5432/postgres?sslmode=require'], '--dbname postgresql://app:pw@db:5432/shop?sslmode=require'],
    [['host=db user=app dbname=postgres'], "--dbname host=db user=app dbname=postgres dbname='shop'"],
  ], (args) => dumpArgs(args, 'shop').join(' '));
});

describe('the recorded connection keeps no password', () => {
  table((text) => text, [
    ['postgresql://app:s3cret@db:5432/shop?sslmode=require', 'postgresql://app@db:5432/shop?sslmode=require'],
    ["host=db password='a b' dbname=shop", 'host=db dbname=shop'],
    ['host=db password=s3cret', 'host=db'],
    ['postgresql://db/shop', 'postgresql://db/shop'],
  ], (text) => withoutPassword(text));
});
