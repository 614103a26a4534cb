import { describe } from 'vitest';
import { table } from '../helpers/cases.js';
import { rulesOf } from '../helpers/evaluate.js';

describe('psql -c SQL against the built-in rules (PostgreSQL grammar)', () => {
  table((line) => line, [
    [`psql -c "DROP TABLE orders"`, 'psql.sql.drop'],
    [`psql -c "drop table if exists orders"`, 'psql.sql.drop'],
    [`psql -c "DROP DATABASE shop"`, 'psql.sql.drop'],
    [`psql -c "DROP SCHEMA public CASCADE"`, 'psql.sql.drop'],
    [`psql -c "DROP ROLE bob"`, 'psql.sql.drop'],
    [`psql -c "TRUNCATE orders"`, 'psql.sql.truncate'],
    [`psql -c "DELETE FROM orders"`, 'psql.sql.delete-all'],
    [`psql -c "DELETE FROM orders WHERE true"`, 'psql.sql.delete-all'],
    [`psql -c "DELETE FROM orders WHERE 1 = 1"`, 'psql.sql.delete-all'],
    [`psql -c "DELETE FROM orders WHERE id = id"`, 'psql.sql.delete-all'],
    [`psql -c "DELETE FROM orders WHERE id = 7"`, ''],
    [`psql -c "UPDATE orders SET total = 0"`, 'psql.sql.update-all'],
    [`psql -c "UPDATE orders SET total = 0 WHERE id = 1"`, ''],
    [`psql -c "ALTER TABLE orders DROP COLUMN total"`, 'psql.sql.alter-drop'],
    [`psql -c "ALTER TABLE orders DROP CONSTRAINT pk"`, 'psql.sql.alter-drop'],
    [`psql -c "ALTER TABLE orders ADD COLUMN note text"`, ''],
    [`psql -c "DROP OWNED BY bob"`, 'psql.sql.drop-owned'],
    [`psql -c "DO \\$\\$ BEGIN EXECUTE 'x'; END \\$\\$"`, 'psql.sql.opaque'],
    [`psql -c "CALL cleanup()"`, 'psql.sql.opaque'],
    [`psql -c "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DROP TABLE orders'; SELECT f();"`, 'psql.sql.opaque'],
    [`psql -c "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d"`, 'psql.sql.delete-all'],
    [`psql -c "SELECT 1; DROP TABLE orders"`, 'psql.sql.drop'],
    [`psql -c "SELECT 1" -c "TRUNCATE orders"`, 'psql.sql.truncate'],
    [`psql -c "DROP TABL orders"`, 'psql.sql.unreadable'],
    // strings and comments never trigger
    [`psql -c "SELECT 'DROP TABLE x'"`, ''],
    [`psql -c "SELECT 1 -- DROP TABLE x"`, ''],
    [`psql -c "/* TRUNCATE orders */ SELECT 1"`, ''],
    [`psql -c "SELECT \\$q\\$ DELETE FROM x \\$q\\$"`, ''],
    [`psql -c "select count(*) from orders"`, ''],
    [`psql -c "INSERT INTO orders VALUES (1)"`, ''],
    // meta-commands
    [`psql -c "\\dt"`, ''],
    [`psql -c "\\! rm -rf /"`, 'psql.meta.shell'],
    // never gated
    [`psql --help`, ''],
    [`psql -l`, ''],
  ], (line) => rulesOf(line));
});

describe('dropdb and pg_restore', () => {
  table((line) => line, [
    ['dropdb shop', 'dropdb'],
    ['dropdb -h db.prod.example -U admin shop', 'dropdb'],
    ['dropdb --help', ''],
    ['pg_restore --clean -d shop dump.pgc', 'pg_restore.clean'],
    ['pg_restore -c -d shop dump.pgc', 'pg_restore.clean'],
    ['pg_restore -cd shop dump.pgc', 'pg_restore.clean'],
    ['pg_restore -d shop dump.pgc', ''],
    ['pg_restore --clean -f out.sql dump.pgc', ''],
  ], (line) => rulesOf(line));
});
