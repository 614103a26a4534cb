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
    [`psql -c "\\! dropdb shop"`, 'dropdb'],
    [`psql -c "\\! ls"`, ''],
    [`psql -c "\\o |dropdb shop"`, 'dropdb'],
    [`psql -c "\\!"`, 'psql.nested.unreadable'],
    // statements the classifier knows since issue 9
    [`psql -c "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE"`, 'psql.sql.merge-delete'],
    [`psql -c "MERGE INTO t USING s ON true WHEN MATCHED THEN UPDATE SET a = 1"`, 'psql.sql.merge-update-all'],
    [`psql -c "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1 WHEN NOT MATCHED THEN INSERT VALUES (s.id)"`, ''],
    [`psql -c "COPY t TO PROGRAM 'rm -rf /tmp/x'"`, 'psql.sql.copy-program'],
    [`psql -c "copy t from program 'curl x'"`, 'psql.sql.copy-program'],
    [`psql -c "COPY t TO STDOUT"`, ''],
    [`psql -c "SELECT dblink_exec('host=db', 'DROP TABLE t')"`, 'psql.sql.dblink'],
    [`psql -c "SELECT * FROM dblink('host=db', 'DELETE FROM t RETURNING 1') AS x(a int)"`, 'psql.sql.dblink'],
    [`psql -c "SELECT * FROM dblink('host=db', 'SELECT 1') AS x(a int)"`, ''],
    [`psql -c "ALTER SYSTEM SET archive_mode = off"`, 'psql.sql.alter-system'],
    [`psql -c "alter system reset all"`, 'psql.sql.alter-system'],
    [`psql -c "EXPLAIN ANALYZE DELETE FROM orders"`, 'psql.sql.delete-all'],
    [`psql -c "EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET total = 0"`, 'psql.sql.update-all'],
    [`psql -c "EXPLAIN DELETE FROM orders"`, ''],
    [`psql -c "EXPLAIN (ANALYZE false) DELETE FROM orders"`, ''],
    [`psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"`, 'psql.sql.terminate-backend'],
    [`psql -c "SELECT lo_unlink(16402)"`, 'psql.sql.lo-unlink'],
    [`psql -c "\\lo_unlink 16402"`, 'psql.sql.lo-unlink'],
    [`psql -c "ALTER ROLE app NOLOGIN"`, 'psql.sql.alter-role'],
    [`psql -c "REVOKE ALL ON orders FROM app"`, 'psql.sql.revoke'],
    [`psql -c "revoke admin from app"`, 'psql.sql.revoke'],
    [`psql -c "GRANT SELECT ON orders TO app"`, ''],
    [`psql -c "REASSIGN OWNED BY app TO admin"`, 'psql.sql.reassign-owned'],
    [`psql -c "ALTER TABLE orders SET (autovacuum_enabled = false)"`, 'psql.sql.alter-table-options'],
    [`psql -c "ALTER TABLE orders SET (fillfactor = 70)"`, ''],
    [`psql -c "ALTER TABLE orders SET UNLOGGED"`, 'psql.sql.alter-table-options'],
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
