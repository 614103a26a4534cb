// mysql and mariadb: which invocations the built-in rules gate, how the client's script is split, and
// what each invocation targets. Every line here gives SQL with -e: a unit test never reads stdin.

import { beforeAll, describe } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { normalizeMysqlArgs } from '../../src/tools/mysql.js';
import { readMysqlScriptText } from '../../src/sql/mysql-script.js';
import { readOptionFiles } from '../../src/tools/my-cnf.js';
import { CommandCollector } from '../../src/payload/collect.js';
import { statementCommands } from '../../src/sql/mysql.js';

describe('mysql SQL against the built-in rules', () => {
  table((line) => line, [
    [`mysql -e "DROP TABLE orders"`, 'mysql.sql.drop'],
    [`mysql -e "drop table if exists \\\`orders\\\`"`, 'mysql.sql.drop'],
    [`mysql -e "DROP TABLE shop.orders, shop.items"`, 'mysql.sql.drop'],
    [`mysql -e "DROP DATABASE shop"`, 'mysql.sql.drop'],
    [`mysql -e "DROP SCHEMA IF EXISTS shop"`, 'mysql.sql.drop'],
    [`mysql -e "DROP USER bob"`, 'mysql.sql.drop'],
    [`mysql -e "DROP PROCEDURE cleanup"`, 'mysql.sql.drop'],
    [`mysql -e "DROP VIEW v"`, 'mysql.sql.drop'],
    [`mysql -e "DROP INDEX idx ON orders"`, 'mysql.sql.drop'],
    [`mysql -e "TRUNCATE orders"`, 'mysql.sql.truncate'],
    [`mysql -e "truncate table orders"`, 'mysql.sql.truncate'],
    [`mysql -e "CREATE OR REPLACE TABLE orders (id int)"`, 'mysql.sql.replace'],
    [`mysql -e "CREATE OR REPLACE DATABASE shop"`, 'mysql.sql.replace'],
    [`mysql -e "DELETE FROM orders"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders LIMIT 10"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders WHERE 1"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders WHERE TRUE"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders WHERE 1 = 1"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders WHERE (id = id)"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE FROM orders WHERE id = 7 OR 1"`, 'mysql.sql.delete-all'],
    [`mysql -e "DELETE o FROM orders o JOIN gone g ON g.id = o.id"`, 'mysql.sql.delete-all'],
    [`mysql -e "WITH old AS (SELECT 1) DELETE FROM orders"`, 'mysql.sql.delete-all'],
    [`mysql -e "UPDATE orders SET total = 0"`, 'mysql.sql.update-all'],
    [`mysql -e "UPDATE orders SET total = (SELECT 1 FROM t WHERE t.id = 1)"`, 'mysql.sql.update-all'],
    [`mysql -e "ALTER TABLE orders DROP COLUMN total"`, 'mysql.sql.alter-drop'],
    [`mysql -e "ALTER TABLE orders DROP PRIMARY KEY"`, 'mysql.sql.alter-drop'],
    [`mysql -e "ALTER TABLE orders TRUNCATE PARTITION p0"`, 'mysql.sql.alter-drop'],
    [`mysql -e "ALTER TABLE orders DISCARD TABLESPACE"`, 'mysql.sql.alter-drop'],
    [`mysql -e "CALL cleanup()"`, 'mysql.sql.opaque'],
    [`mysql -e "PREPARE s FROM @sql"`, 'mysql.sql.opaque'],
    [`mysql -e "PREPARE s FROM 'DROP TABLE orders'"`, 'mysql.sql.drop'],
    [`mysql -e "EXECUTE IMMEDIATE 'TRUNCATE orders'"`, 'mysql.sql.truncate'],
    [`mysql -e "BEGIN NOT ATOMIC DELETE FROM orders; END"`, 'mysql.sql.delete-all'],
    [`mysql -e "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW DELETE FROM log"`, 'mysql.sql.delete-all'],
    [`mysql -e "PURGE BINARY LOGS BEFORE NOW()"`, 'mysql.sql.purge-logs'],
    [`mysql -e "RESET MASTER"`, 'mysql.sql.purge-logs'],
    [`mysql -e "CLONE INSTANCE FROM root@db1:3306 IDENTIFIED BY 'x'"`, 'mysql.sql.clone'],
    [`mysql -e "SHUTDOWN"`, 'mysql.sql.shutdown'],
    [`mysql -e "EXPLAIN ANALYZE DELETE FROM orders"`, 'mysql.sql.delete-all'],
    [`mysql -e "ANALYZE DELETE FROM orders"`, 'mysql.sql.delete-all'],
    // classes read since issue 9, two spellings each
    [`mysql -e "SELECT * FROM orders INTO OUTFILE '/var/www/x.php'"`, 'mysql.sql.write-file'],
    [`mysql -e "SELECT 1 INTO DUMPFILE '/usr/lib/mysql/plugin/x.so'"`, 'mysql.sql.write-file'],
    [`mysql -e "LOAD DATA INFILE '/tmp/o.tsv' REPLACE INTO TABLE orders"`, 'mysql.sql.load-replace'],
    [`mysql -e "LOAD DATA LOCAL INFILE 'o.tsv' REPLACE INTO TABLE orders"`, 'mysql.sql.load-replace'],
    [`mysql -e "RENAME TABLE orders TO old_orders"`, 'mysql.sql.rename'],
    [`mysql -e "ALTER TABLE orders RENAME COLUMN total TO amount"`, 'mysql.sql.rename'],
    [`mysql -e "ALTER TABLE orders ENGINE=BLACKHOLE"`, 'mysql.sql.alter-drop'],
    [`mysql -e "ALTER TABLE orders ENGINE 'blackhole'"`, 'mysql.sql.alter-drop'],
    [`mysql -e "REVOKE ALL ON shop.* FROM app"`, 'mysql.sql.revoke'],
    [`mysql -e "ALTER USER app ACCOUNT LOCK"`, 'mysql.sql.revoke'],
    [`mysql -e "SET PASSWORD FOR app = PASSWORD('x')"`, 'mysql.sql.revoke'],
    [`mysql -e "SET sql_log_bin = 0"`, 'mysql.sql.recovery-off'],
    [`mysql -e "SET @@session.sql_log_bin = OFF"`, 'mysql.sql.recovery-off'],
    [`mysql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 2"`, 'mysql.sql.recovery-off'],
    [`mysql -e "ALTER INSTANCE DISABLE INNODB REDO_LOG"`, 'mysql.sql.recovery-off'],
    [`mysql -e "SET GLOBAL binlog_expire_logs_seconds = 0"`, 'mysql.sql.binlog-retention'],
    [`mysql -e "SET PERSIST expire_logs_days = 1"`, 'mysql.sql.binlog-retention'],
    [`mysql -e "RESET BINARY LOGS AND GTIDS"`, 'mysql.sql.purge-logs'],
    [`mysql -e "BINLOG 'AAAA'"`, 'mysql.sql.opaque'],
    [`mysql -e "SET STATEMENT max_statement_time=1 FOR TRUNCATE orders"`, 'mysql.sql.truncate'],
    [`mysql -e "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders"`, 'mysql.sql.delete-all'],
    [`mysql -e "CREATE DEFINER=root@localhost FUNCTION f() RETURNS INT BEGIN DROP TABLE orders; RETURN 1; END"`, 'mysql.sql.drop'],
    [`mysql -e "ALTER EVENT e DO TRUNCATE orders"`, 'mysql.sql.truncate'],
    [`mysql -e "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN IF NEW.x THEN UPDATE b SET y = 1; END IF; END"`, 'mysql.sql.update-all'],
    [`mysql -e "CREATE PROCEDURE p() BEGIN WHILE 1 DO ELSEWHERE; END WHILE; END"`, 'mysql.sql.unreadable'],
    [`mysql -e "FROBNICATE orders"`, 'mysql.sql.unreadable'],
    [`mysql -e "IF 1 THEN DELETE FROM orders; END IF"`, 'mysql.sql.unreadable'],
    // several statements at one delimiter: the client sends them in one packet, the server runs each
    [`mysql -e "DELIMITER //\nSELECT 1; DROP TABLE orders //"`, 'mysql.sql.drop'],
    [`mysql -e "DELIMITER ;;\nINSERT INTO t VALUES (';'); TRUNCATE orders;;"`, 'mysql.sql.truncate'],
    // what the server runs although it looks like a comment, and what hides behind a string
    [`mysql -e "/*!40101 DROP TABLE orders */"`, 'mysql.sql.drop'],
    [`mysql -e "/*M!100101 TRUNCATE orders */"`, 'mysql.sql.truncate'],
    [`mysql -e "SELECT 1; DROP TABLE orders"`, 'mysql.sql.drop'],
    [`mysql -e "SELECT 'it\\'s'; DROP TABLE orders"`, 'mysql.sql.drop'],
    // NO_BACKSLASH_ESCAPES: the string ends at the quote after the backslash
    [`mysql -e "SELECT 'a\\\\'; DROP TABLE orders; -- '"`, 'mysql.sql.drop'],
    // client commands
    [`mysql -e "system mysql -h db.prod.example -e 'DROP TABLE orders'"`, 'mysql.sql.drop'],
    [`mysql -e "\\\\! psql -h db.prod.example -c 'TRUNCATE orders'"`, 'psql.sql.truncate'],
    [`mysql -e "\\\\! ls"`, ''],
    [`mysql -e "source /nonexistent/wipe.sql"`, 'mysql.sql.unreadable'],
    [`mysql -e "\\\\. /nonexistent/wipe.sql"`, 'mysql.sql.unreadable'],
    [`mysql -e "SELECT 'unterminated"`, 'mysql.sql.unreadable'],
    [`mysql -e "DROP TABLE orders \\\\c SELECT 1"`, ''],
    [`mysql -e "SELECT 1; \\\\q DROP TABLE orders"`, ''],
    [`mysql -e "DROP TABLE orders \\\\q"`, 'mysql.sql.drop'],
    // --init-command runs on connecting
    [`mysql --init-command="DROP TABLE orders" -e "SELECT 1"`, 'mysql.sql.drop'],
    // grammar: abbreviations, --loose-, -e attached, mariadb
    [`mysql --exec="DROP TABLE orders"`, 'mysql.sql.drop'],
    [`mysql --loose-execute="DROP TABLE orders"`, 'mysql.sql.drop'],
    [`mysql -BeDROP\\ TABLE\\ orders`, 'mysql.sql.drop'],
    [`mysql -pSECRET -e "DROP TABLE orders"`, 'mysql.sql.drop'],
    [`mariadb -e "TRUNCATE orders"`, 'mysql.sql.truncate'],
    // never gated
    [`mysql -e "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW INSERT INTO log VALUES (NEW.id)"`, ''],
    [`mysql -e "CREATE FUNCTION f(a INT) RETURNS VARCHAR(10) CHARSET utf8mb4 DETERMINISTIC RETURN CONCAT('a', a)"`, ''],
    [`mysql -e "CREATE PROCEDURE p(IN x INT) BEGIN DECLARE n INT DEFAULT 0; SELECT count(*) INTO n FROM t WHERE id = x; END"`, ''],
    [`mysql -e "LOAD DATA INFILE '/tmp/o.tsv' INTO TABLE orders"`, ''],
    [`mysql -e "SELECT 'outfile', 1 INTO @x"`, ''],
    [`mysql -e "SET @@session.sql_log_bin = 1"`, ''],
    [`mysql -e "SET NAMES utf8mb4; SET SESSION sql_mode = ''"`, ''],
    [`mysql -e "HANDLER orders OPEN; HANDLER orders READ FIRST; HANDLER orders CLOSE"`, ''],
    [`mysql -e "GRANT SELECT ON shop.* TO app"`, ''],
    [`mysql -e "REPLACE INTO t VALUES (1, 'x')"`, ''],
    [`mysql -e "DELETE FROM orders WHERE id = 7"`, ''],
    [`mysql -e "UPDATE orders SET total = 0 WHERE id IN (SELECT id FROM t WHERE 1)"`, ''],
    [`mysql -e "ALTER TABLE orders ADD COLUMN drop_count int"`, ''],
    [`mysql -e "ALTER TABLE orders ALTER COLUMN total DROP DEFAULT"`, ''],
    [`mysql -e "DROP TEMPORARY TABLE scratch"`, ''],
    [`mysql -e "DROP PREPARE s"`, ''],
    [`mysql -e "EXPLAIN DELETE FROM orders"`, ''],
    [`mysql -e "ANALYZE TABLE orders"`, ''],
    [`mysql -e "CREATE TABLE orders (id int, ON_DELETE int)"`, ''],
    [`mysql -e "INSERT INTO log VALUES ('DROP TABLE orders')"`, ''],
    [`mysql -e "INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE n = n + 1"`, ''],
    [`mysql -e "SELECT 1 # DROP TABLE orders"`, ''],
    [`mysql -e "SELECT 1 -- DROP TABLE orders"`, ''],
    [`mysql -e "/* DROP TABLE orders */ SELECT 1"`, ''],
    [`mysql -e "SELECT \\\`drop table x\\\` FROM t"`, ''],
    [`mysql -e "SHOW TABLES"`, ''],
    [`mysql -e "USE shop"`, ''],
    [`mysql --help -e "DROP TABLE orders"`, ''],
    [`mysql -? -e "DROP TABLE orders"`, ''],
    [`mysql -I -e "DROP TABLE orders"`, ''],
    [`mysql --version`, ''],
    [`mysql -V -e "DROP TABLE orders"`, ''],
    [`mysql --print-defaults`, ''],
  ], (line) => rulesOf(line));
});

describe("the client's splitter: statements and client commands, as mysql sends and runs them", () => {
  const show = (script: string) =>
    readMysqlScriptText(script)
      .map((u) => (u.kind === 'sql' ? `sql(${u.text.replace(/\n/g, '⏎')})` : `${u.command}(${u.argument})`))
      .join(' ');
  table((script) => JSON.stringify(script), [
    ['SELECT 1; SELECT 2', 'sql(SELECT 1) sql(SELECT 2)'],
    ["SELECT ';' ; SELECT \"a;b\"", `sql(SELECT ';') sql(SELECT "a;b")`],
    ['SELECT `a;b` FROM t', 'sql(SELECT `a;b` FROM t)'],
    ["SELECT 'it\\'s;'; SELECT 2", "sql(SELECT 'it\\'s;') sql(SELECT 2)"],
    ['SELECT 1 # c;\n, 2;', 'sql(SELECT 1 ⏎, 2)'],
    ['SELECT 1 -- c;\n;', 'sql(SELECT 1)'],
    ['SELECT 1 --x\n;', 'sql(SELECT 1 --x)'],
    ['/* a; b */ SELECT 1;', 'sql(SELECT 1)'],
    ['/*!40101 SET NAMES utf8 */;', 'sql(/*!40101 SET NAMES utf8 */)'],
    ['DELIMITER //\nCREATE PROCEDURE p() BEGIN DELETE FROM t; SELECT 1; END//\nDELIMITER ;\nSELECT 2;', 'delimiter(//) sql(CREATE PROCEDURE p() BEGIN DELETE FROM t; SELECT 1; END) delimiter(;) sql(SELECT 2)'],
    ['use shop\nSELECT 1;', 'use(shop) sql(SELECT 1)'],
    ['USE shop; SELECT 1;', 'use(shop) sql(SELECT 1)'],
    ['SELECT 1\\g SELECT 2\\G', 'sql(SELECT 1) sql(SELECT 2)'],
    ['source a.sql\n\\. b.sql', 'source(a.sql) source(b.sql)'],
    ['system ls -l\n\\! rm x', 'system(ls -l) system(rm x)'],
    ['connect shop db.prod', 'connect(shop db.prod)'],
    ['SELECT 1;\nquit\nDROP TABLE t;', 'sql(SELECT 1) quit()'],
    ['SELECT 1;\n\\q DROP TABLE t;', 'sql(SELECT 1) quit()'],
    // at \q the client sends what stands in its buffer, as at the end of input
    ['SELECT 1; TRUNCATE t\n\\q\nDROP TABLE t;', 'sql(SELECT 1) sql(TRUNCATE t) quit()'],
    ['DROP TABLE t \\q', 'sql(DROP TABLE t) quit()'],
    ['SELECT 1 \\c\nSELECT 2;', 'clear() sql(SELECT 2)'],
    ['SELECT 1', 'sql(SELECT 1)'],
    ['go away;', 'sql(go away)'],
  ], (script) => show(script));
});

describe("mysql's argv, normalised for reading", () => {
  table((args) => args.join(' '), [
    [['-pSECRET', 'shop'], ['--password=SECRET', 'shop']],
    [['-p', 'shop'], ['--password', 'shop']],
    [['-Bp', 'shop'], ['-B', '--password', 'shop']],
    [['-uroot', '-hdb'], ['-u', 'root', '-h', 'db']],
    [['-U', '-e', 'x'], ['-U', '-e', 'x']],
    [['--safe_updates', '--skip-column-names', '--loose-host=db'], ['--safe-updates', '--column-names=0', '--host=db']],
    [['-#d:t'], ['--debug=d:t']],
    [['--', '-e'], ['--', '-e']],
  ], (args) => normalizeMysqlArgs(args));
});

const home = join(emptyHome, 'mysql-home');
beforeAll(() => {
  mkdirSync(join(home, 'conf.d'), { recursive: true });
  writeFileSync(join(home, '.my.cnf'), '[client]\nuser = app\npassword = "hunter2"\n[mysql]\nhost = db.staging.example # the staging box\n');
  writeFileSync(join(home, 'prod.cnf'), '[client]\nhost=db.prod.example\ndatabase=shop\n!includedir conf.d\n');
  writeFileSync(join(home, 'conf.d', 'override.cnf'), '[client]\nport = 3307\n[mysqld]\nhost = ignored.example\n');
  writeFileSync(join(home, 'local.cnf'), '[client]\nsocket=/tmp/mysql.sock\n[client-prod]\nhost=db.prod.example\n');
  writeFileSync(join(home, 'wipe.sql'), 'SELECT 1;\nTRUNCATE orders;\n');
  execFileSync('mkfifo', [join(home, 'fifo.sql')]); // like <(…): reading it would take it from mysql
});

describe('mysql target', () => {
  interface Case {
    line: string;
    env?: NodeJS.ProcessEnv;
  }
  const resolveCase = async ({ line, env = {} }: Case) => {
    const t = (await evaluateLine(line, { HOME: home, ...env }, home)).target!;
    return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}=${e.value}`).join(' ')}`;
  };
  table(({ line, env = {} }: Case) => `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}`, [
    [{ line: 'mysql --no-defaults -h db.prod.example -e "SELECT 1"' }, 'db.prod.example production flag:--host=db.prod.example'],
    [{ line: 'mysql --no-defaults -h 127.0.0.1 -P 3307 shop_dev -e "SELECT 1"' }, 'shop_dev development flag:--host=127.0.0.1 flag:--port=3307 argument:database=shop_dev'],
    [{ line: 'mysql --no-defaults --host=localhost -D shop -e "SELECT 1"' }, 'shop development flag:--host=localhost flag:--database=shop'],
    [{ line: 'mysql --no-defaults -D shop_prod shop_dev -e "SELECT 1"' }, 'shop_dev development default:host=localhost (no host given: the local socket) argument:database=shop_dev'],
    [{ line: 'mysql --no-defaults -e "SELECT 1"' }, 'localhost development default:host=localhost (no host given: the local socket)'],
    [{ line: 'mysql --no-defaults -S /run/mysqld/mysqld.sock -e "SELECT 1"' }, '/run/mysqld/mysqld.sock development flag:--socket=/run/mysqld/mysqld.sock'],
    [{ line: 'mysql --no-defaults -U -e "SELECT 1" shop' }, 'shop development default:host=localhost (no host given: the local socket) argument:database=shop'],
    [{ line: 'mysql --no-defaults -p shop_prod -e "SELECT 1"' }, 'shop_prod production default:host=localhost (no host given: the local socket) argument:database=shop_prod'],
    [{ line: 'mysql --no-defaults -e "SELECT 1"', env: { MYSQL_HOST: 'db.prod.example', MYSQL_TCP_PORT: '3310' } }, 'db.prod.example production env:MYSQL_HOST=db.prod.example env:MYSQL_TCP_PORT=3310'],
    [{ line: 'mysql --no-defaults -h db.dev.example -e "SELECT 1"', env: { MYSQL_HOST: 'db.prod.example' } }, 'db.dev.example development flag:--host=db.dev.example'],
    [{ line: 'mysql --no-defaults -h 127.0.0.1 -e "USE shop_prod; SELECT 1"' }, '127.0.0.1 production flag:--host=127.0.0.1 command:USE shop_prod=shop_prod'],
    [{ line: 'mysql --no-defaults -h 127.0.0.1 -e "DROP DATABASE shop_prod"' }, '127.0.0.1 production flag:--host=127.0.0.1 command:DROP DATABASE shop_prod=shop_prod'],
    [{ line: 'mysql --no-defaults -h 127.0.0.1 -e "connect shop db.prod.example"' }, '127.0.0.1 production flag:--host=127.0.0.1 command:connect shop db.prod.example=shop command:connect shop db.prod.example=db.prod.example'],
    [{ line: 'mysql --no-defaults --login-path=prod -e "SELECT 1"' }, 'localhost production flag:--login-path=prod (from ~/.mylogin.cnf, which chaperone cannot read) default:host=localhost (no host given: the local socket)'],
    // option files: ~/.my.cnf after the system files; an option's last occurrence wins; [mysqld] is not the client's
    [{ line: 'mysql --defaults-file=prod.cnf -e "SELECT 1"' }, 'shop production file:[client] host=db.prod.example file:[client] port=3307 file:[client] database=shop'],
    [{ line: 'mysql --defaults-file=prod.cnf -h db.dev.example -e "SELECT 1"' }, 'shop development flag:--host=db.dev.example file:[client] port=3307 file:[client] database=shop'],
    [{ line: 'mysql --defaults-file=~/.my.cnf -e "SELECT 1"' }, 'db.staging.example staging file:[mysql] host=db.staging.example'],
    [{ line: 'mysql --defaults-file=local.cnf -e "SELECT 1"' }, '/tmp/mysql.sock development file:[client] socket=/tmp/mysql.sock'],
    [{ line: 'mysql --defaults-file=local.cnf --defaults-group-suffix=-prod -e "SELECT 1"' }, 'db.prod.example production file:[client-prod] host=db.prod.example'],
  ], resolveCase);
});

describe('mysql source files, read from the current directory', () => {
  const rulesInHome = async (line: string) => (await evaluateLine(line, { HOME: home }, home)).findings.map((f) => f.rule).join(' ');
  table((line) => line, [
    [`mysql -e "source wipe.sql"`, 'mysql.sql.truncate'],
    [`mysql -e "\\. wipe.sql"`, 'mysql.sql.truncate'],
    [`mysql -e "source fifo.sql"`, 'mysql.sql.unreadable'],
  ], rulesInHome);
});

describe('option files', () => {
  table((files) => files.join(' '), [
    [['.my.cnf'], 'client user=app; client password=hunter2; mysql host=db.staging.example'],
    [['prod.cnf'], 'client host=db.prod.example; client database=shop; client port=3307'],
    [['missing.cnf', 'local.cnf'], 'client socket=/tmp/mysql.sock'],
  ], (files) =>
    readOptionFiles(files.map((f) => join(home, f)), new Set(['client', 'mysql']))
      .map((e) => `${e.group} ${e.key}=${e.value}`)
      .join('; '),
  );
});

describe('a long script keeps the first actions of each kind, not all of them', () => {
  table((n) => `${n} inserts and 30 drops`, [
    [5, 'sql insert ×5, sql drop table ×20'],
    [10_000, 'sql insert ×20, sql drop table ×20'],
  ], (n) => {
    const found = new CommandCollector();
    const script = `${'INSERT INTO t VALUES (1);\n'.repeat(n)}${Array.from({ length: 30 }, (_, i) => `DROP TABLE t${i};`).join('\n')}`;
    for (const unit of readMysqlScriptText(script)) if (unit.kind === 'sql') found.addAll(statementCommands(unit.text));
    const counts = new Map<string, number>();
    for (const c of found.commands) counts.set(c.path.join(' '), (counts.get(c.path.join(' ')) ?? 0) + 1);
    return [...counts].map(([path, count]) => `${path} ×${count}`).join(', ');
  });
});
