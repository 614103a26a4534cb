// Files the real tools read on their own at start-up are payloads: psql's psqlrc files, the init-command
// of mysql option files, and aws CLI aliases. Each case writes them into a fresh HOME.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const root = mkdtempSync(join(emptyHome, 'startup-'));
let homes = 0;

/** A fresh HOME holding `files` (paths relative to it; `dir/` makes a directory, `fifo:` a FIFO). */
function home(files: Record<string, string> = {}): string {
  const dir = join(root, `home-${++homes}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    if (name.startsWith('fifo:')) {
      execFileSync('mkfifo', [join(dir, name.slice(5))]);
      continue;
    }
    const path = join(dir, name.replace(/\/$/, ''));
    mkdirSync(join(path, '..'), { recursive: true });
    if (name.endsWith('/')) mkdirSync(path);
    else writeFileSync(path, text);
  }
  return dir;
}

const agent = { CHAPERONE_ACTOR: 'agent' };
const prod = '-h db.prod.example.com shop';

async function judge(line: string, homeDir: string, env: NodeJS.ProcessEnv = {}) {
  const evaluation = await evaluateLine(line, { HOME: homeDir, PGSYSCONFDIR: join(homeDir, 'sysconf'), ...agent, ...env }, homeDir, '');
  return {
    rules: evaluation.findings.map((f) => f.rule).join(' '),
    texts: evaluation.findings.map((f) => f.text ?? ''),
    verdict: evaluation.decision.verdict,
  };
}

describe('psql startup files', () => {
  it.each([
    ['~/.psqlrc', { '.psqlrc': '\\set QUIET on\nDROP TABLE t;\n' }, {}, '~/.psqlrc:2: DROP TABLE t'],
    ['~/.psqlrc, lower case over two lines', { '.psqlrc': '\\timing\ndrop\n  table t;' }, {}, '~/.psqlrc:2: drop table t'],
    ['~/.psqlrc-15', { '.psqlrc-15': 'TRUNCATE orders;' }, {}, '~/.psqlrc-15:1: TRUNCATE orders'],
    ['~/.psqlrc-15.4', { '.psqlrc': '\\timing', '.psqlrc-15.4': '\n\nTRUNCATE orders;' }, {}, '~/.psqlrc-15.4:3: TRUNCATE orders'],
    ['PSQLRC', { 'rc/evil': 'DROP TABLE t;' }, { PSQLRC: 'rc/evil' }, '~/rc/evil:1: DROP TABLE t'],
    ['PSQLRC=~/…', { 'rc/evil': 'DROP TABLE t;' }, { PSQLRC: '~/rc/evil' }, '~/rc/evil:1: DROP TABLE t'],
    ['\\i inside ~/.psqlrc', { '.psqlrc': '\\i drop.sql', 'drop.sql': 'DROP TABLE t;' }, {}, '~/.psqlrc: DROP TABLE t'],
    ['\\ir inside ~/.psqlrc', { '.psqlrc': '\\set QUIET on\n\\ir sql/drop.sql', 'sql/drop.sql': 'DROP TABLE t;' }, {}, '~/.psqlrc: DROP TABLE t'],
    ['system psqlrc', { 'sysconf/psqlrc': 'DELETE FROM orders;' }, {}, '~/sysconf/psqlrc:1: DELETE FROM orders'],
    ['system psqlrc-15', { 'sysconf/psqlrc-15': '\\! rm -rf /srv' }, {}, '~/sysconf/psqlrc-15:1: \\! rm -rf /srv'],
  ])('%s runs before -c: refused for an agent against production', async (_name, files, env, text) => {
    const dir = home(files);
    const result = await judge(`psql ${prod} -c 'select 1'`, dir, env);
    expect(result.verdict).toBe('deny');
    expect(result.texts.join('\n')).toContain(text);
    // -X and --no-psqlrc (and its abbreviation) leave it unread
    for (const x of ['-X', '--no-psqlrc', '--no-psql']) expect((await judge(`psql ${x} ${prod} -c 'select 1'`, dir, env)).verdict).toBe('allow');
  });

  it.each([
    ['-f', `psql ${prod} -f /dev/null`],
    ['-l', `psql ${prod} -l`],
    ['stdin', `psql ${prod}`],
    ['a connection string', `psql postgresql://db.prod.example.com/shop -c 'select 1'`],
  ])('is read with %s too', async (_name, line) => {
    expect((await judge(line, home({ '.psqlrc': 'DROP TABLE t;' }))).rules).toBe('psql.sql.drop');
  });

  it('empty PSQLRC means ~/.psqlrc, as in psql', async () => {
    expect((await judge(`psql ${prod} -c 'select 1'`, home({ '.psqlrc': 'DROP TABLE t;' }), { PSQLRC: '' })).rules).toBe('psql.sql.drop');
  });

  it('PSQLRC replaces ~/.psqlrc: then only the named file counts', async () => {
    const dir = home({ '.psqlrc': 'DROP TABLE t;', 'ok.rc': '\\timing' });
    expect((await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: join(dir, 'ok.rc') })).verdict).toBe('allow');
  });

  it.each([
    ['\\set QUIET on and \\timing', { '.psqlrc': '\\set QUIET on\n\\timing\n\\pset null (null)\nSET search_path TO app;\n' }],
    ['a system psqlrc setting a prompt', { 'sysconf/psqlrc': "\\set PROMPT1 '%n@%/%R%# '" }],
    ['an unrelated file named like a variant', { '.psqlrc-backup': 'DROP TABLE t;', '.psqlrc': '\\timing' }],
  ])('benign startup files leave benign commands allowed: %s', async (_name, files) => {
    const result = await judge(`psql ${prod} -c 'select 1'`, home(files));
    expect(result).toEqual({ rules: '', texts: [], verdict: 'allow' });
  });

  it('a development target still runs (the finding is there, the policy allows it)', async () => {
    const result = await judge(`psql -h localhost shop_dev -c 'select 1'`, home({ '.psqlrc': 'DROP TABLE t;' }));
    expect(result.rules).toBe('psql.sql.drop');
    expect(result.verdict).not.toBe('deny');
  });

  it.each([
    ['a FIFO (never waited on)', { 'fifo:.psqlrc': '' }, /~\/\.psqlrc cannot be read \(not a regular file/],
    ['a directory', { '.psqlrc/': '' }, /~\/\.psqlrc cannot be read \(a directory\)/],
    ['a FIFO variant', { '.psqlrc': '\\timing', 'fifo:.psqlrc-15': '' }, /~\/\.psqlrc-15 cannot be read/],
  ])('an unreadable startup file is held, naming the file: %s', async (_name, files, message) => {
    const result = await judge(`psql ${prod} -c 'select 1'`, home(files));
    expect(result.rules).toBe('psql.sql.unreadable');
    expect(result.texts.join('\n')).toMatch(message);
    expect(result.texts.join('\n')).toMatch(/run psql with -X/);
    expect(result.verdict).toBe('deny');
  });

  it.runIf(process.getuid?.() !== 0)('a psqlrc without read permission is held', async () => {
    const dir = home({ '.psqlrc': 'SELECT 1;' });
    chmodSync(join(dir, '.psqlrc'), 0o000);
    expect((await judge(`psql ${prod} -c 'select 1'`, dir)).rules).toBe('psql.sql.unreadable');
  });

  it('dropdb and pg_restore read no psqlrc', async () => {
    const dir = home({ '.psqlrc': 'DROP TABLE t;' });
    expect((await judge(`pg_restore --list x.dump`, dir)).rules).toBe('');
  });
});

describe('mysql and mariadb option files: init-command', () => {
  const mprod = '-h db.prod.example.com shop';
  const line = (options = '') => `mysql ${options} ${mprod} -e 'select 1'`.replace(/\s+/g, ' ');

  it.each([
    ['~/.my.cnf [client] init-command', { '.my.cnf': '[client]\nuser = app\ninit-command = DROP TABLE t\n' }, '', 'init-command in ~/.my.cnf:3 [client]: DROP TABLE t'],
    ['~/.my.cnf [mysql] init_command, quoted', { '.my.cnf': '[mysql]\ninit_command="TRUNCATE orders"\n' }, '', 'init-command in ~/.my.cnf:2 [mysql]: TRUNCATE orders'],
    ['[mariadb-client] with loose- and a prefix', { '.my.cnf': '[mariadb-client]\nloose-init=DELETE FROM orders\n' }, '', 'loose-init in ~/.my.cnf:2 [mariadb-client]: DELETE FROM orders'],
    ['--defaults-extra-file', { 'extra.cnf': '[client]\ninit-command=DROP TABLE t' }, '--defaults-extra-file=extra.cnf', 'init-command in ~/extra.cnf:2 [client]: DROP TABLE t'],
    ['--defaults-file', { 'only.cnf': '[client]\ninit-command=DROP DATABASE shop' }, '--defaults-file=only.cnf', 'init-command in ~/only.cnf:2 [client]: DROP DATABASE shop'],
    ['!include from ~/.my.cnf', { '.my.cnf': '[client]\n!include inc/x.cnf\n', 'inc/x.cnf': '[client]\n\ninit-command=DROP TABLE t' }, '', 'init-command in ~/inc/x.cnf:3 [client]: DROP TABLE t'],
    ['!includedir from ~/.my.cnf', { '.my.cnf': '!includedir conf.d\n', 'conf.d/z.cnf': '[client]\ninit-command=DROP TABLE t' }, '', 'init-command in ~/conf.d/z.cnf:2 [client]: DROP TABLE t'],
    ['--defaults-group-suffix', { '.my.cnf': '[client_x]\ninit-command=DROP TABLE t' }, '--defaults-group-suffix=_x', 'init-command in ~/.my.cnf:2 [client_x]: DROP TABLE t'],
    ['MySQL 8.4 init-command-add after a benign one', { '.my.cnf': '[client]\ninit-command=SET NAMES utf8mb4\ninit-command-add=DROP TABLE t' }, '', 'init-command-add in ~/.my.cnf:3 [client]: DROP TABLE t'],
    ['--init-command on the command line', {}, '--init-command="DROP TABLE t"', '--init-command: DROP TABLE t'],
    ['--init= abbreviated on the command line', {}, '--init="TRUNCATE t"', '--init-command: TRUNCATE t'],
    ['a FIFO for ~/.my.cnf (never waited on)', { 'fifo:.my.cnf': '' }, '', 'option file ~/.my.cnf cannot be read (not a regular file'],
  ])('%s: refused for an agent against production', async (_name, files, options, text) => {
    const result = await judge(line(options), home(files));
    expect(result.verdict).toBe('deny');
    expect(result.texts.join('\n')).toContain(text);
  });

  it.each([
    ['mysql', 'mysql'],
    ['mariadb', 'mariadb'],
  ])('%s reads them', async (_name, tool) => {
    expect((await judge(`${tool} ${mprod} -e 'select 1'`, home({ '.my.cnf': '[client]\ninit-command=DROP TABLE t' }))).rules).toBe('mysql.sql.drop');
  });

  it.each([
    ['--no-defaults', { '.my.cnf': '[client]\ninit-command=DROP TABLE t' }, '--no-defaults'],
    ['--defaults-file names only that file', { '.my.cnf': '[client]\ninit-command=DROP TABLE t', 'ok.cnf': '[client]\nuser=app' }, '--defaults-file=ok.cnf'],
    ['a later init-command replaces it', { '.my.cnf': '[client]\ninit-command=DROP TABLE t' }, '--init-command="SET NAMES utf8mb4"'],
    ['another program\'s group', { '.my.cnf': '[mysqldump]\ninit-command=DROP TABLE t\n[mysqld]\ninit-file=/x.sql' }, ''],
    ['a benign init-command', { '.my.cnf': '[client]\ninit-command=SET SESSION sql_mode=TRADITIONAL\ninit-command-add=SET NAMES utf8mb4' }, ''],
    ['a directory as ~/.my.cnf (the client skips it)', { '.my.cnf/': '' }, ''],
    ['a commented-out init-command', { '.my.cnf': '[client]\n# init-command=DROP TABLE t\n; init-command=DROP TABLE t' }, ''],
  ])('%s: runs', async (_name, files, options) => {
    const result = await judge(line(options), home(files));
    expect(result).toEqual({ rules: '', texts: [], verdict: 'allow' });
  });

  it('a development target runs with a notice, not a refusal', async () => {
    const result = await judge(`mysql -h 127.0.0.1 shop_dev -e 'select 1'`, home({ '.my.cnf': '[client]\ninit-command=DROP TABLE t' }));
    expect(result.rules).toBe('mysql.sql.drop');
    expect(result.verdict).not.toBe('deny');
  });

  it('MYSQL_HOME and MARIADB_HOME name one more my.cnf', async () => {
    for (const variable of ['MYSQL_HOME', 'MARIADB_HOME']) {
      const dir = home({ 'etc/my.cnf': '[client]\ninit-command=DROP TABLE t' });
      expect((await judge(line(), dir, { [variable]: join(dir, 'etc') })).rules).toBe('mysql.sql.drop');
    }
  });
});
