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
    ['\\i ~/… inside ~/.psqlrc (psql expands the tilde)', { '.psqlrc': '\\timing\n\\i ~/.psqlrc.local', '.psqlrc.local': 'DROP TABLE t;' }, {}, '~/.psqlrc: DROP TABLE t'],
    ['\\ir inside ~/.psqlrc', { '.psqlrc': '\\set QUIET on\n\\ir sql/drop.sql', 'sql/drop.sql': 'DROP TABLE t;' }, {}, '~/.psqlrc: DROP TABLE t'],
    ['system psqlrc', { 'sysconf/psqlrc': 'DELETE FROM orders;' }, {}, '~/sysconf/psqlrc:1: DELETE FROM orders'],
    // A shell escape in a startup file is held as unreadable (the file is read on its own, without the shell analysis).
    ['system psqlrc-15', { 'sysconf/psqlrc-15': '\\! rm -rf /srv' }, {}, '~/sysconf/psqlrc-15: psql \\! rm -rf /srv: runs elsewhere'],
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

  it('PSQLRC=~user/… is that user\'s home, from /etc/passwd; an unknown user is held', async () => {
    const dir = home();
    const root = await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: '~root/.chaperone-test-none' });
    expect(root.verdict).toBe('allow');
    const unknown = await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: '~no-such-user-xyz/rc' });
    expect(unknown.rules).toBe('psql.sql.unreadable');
    expect(unknown.texts.join('\n')).toContain('PSQLRC=~no-such-user-xyz/rc names a user whose home chaperone cannot find');
  });

  it('empty PSQLRC means ~/.psqlrc, as in psql', async () => {
    expect((await judge(`psql ${prod} -c 'select 1'`, home({ '.psqlrc': 'DROP TABLE t;' }), { PSQLRC: '' })).rules).toBe('psql.sql.drop');
  });

  it('PSQLRC=/dev/null, the usual "no psqlrc", reads as empty; another device (/dev/zero) is held', async () => {
    const dir = home({ '.psqlrc': 'DROP TABLE t;' });
    expect((await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: '/dev/null' })).verdict).toBe('allow');
    expect((await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: '/dev/zero' })).rules).toBe('psql.sql.unreadable');
  });

  it('PSQLRC replaces ~/.psqlrc: then only the named file counts', async () => {
    const dir = home({ '.psqlrc': 'DROP TABLE t;', 'ok.rc': '\\timing' });
    expect((await judge(`psql ${prod} -c 'select 1'`, dir, { PSQLRC: join(dir, 'ok.rc') })).verdict).toBe('allow');
  });

  it.each([
    ['\\set QUIET on and \\timing', { '.psqlrc': '\\set QUIET on\n\\timing\n\\pset null (null)\nSET search_path TO app;\n' }],
    ['a well-known dotfiles psqlrc', { '.psqlrc': [
      '\\set QUIET 1', "\\pset null '¤'", "\\set PROMPT1 '%[%033[1m%]%M %n@%/%R%[%033[0m%]%# '", "\\set PROMPT2 '[more] %R > '",
      '\\timing', '\\x auto', '\\set VERBOSITY verbose', '\\set HISTFILE ~/.psql_history- :DBNAME', '\\set HISTCONTROL ignoredups',
      '\\set COMP_KEYWORD_CASE upper', "\\set ON_ERROR_ROLLBACK interactive", "\\set version 'SELECT version();'",
      "\\set kill 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = ''idle'';'", "\\setenv PAGER 'less -S'",
      "SET client_min_messages TO warning;", '\\unset QUIET', ''].join('\n') }],
    ['a benign ~/.psqlrc.local included with \\i ~/…', { '.psqlrc': '\\i ~/.psqlrc.local', '.psqlrc.local': '\\x auto\n' }],
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

  it.each([
    ['in ~/.psqlrc', `psql ${prod} -c 'select 1'`, '\\i f.sql'],
    ['in -c', `psql ${prod} -c '\\i f.sql'`, ''],
  ])('a FIFO named by \\i %s is never read (psql could be handed other bytes than chaperone was), and is held', async (_name, line, psqlrc) => {
    const result = await judge(line, home({ '.psqlrc': psqlrc, 'fifo:f.sql': '' }));
    expect(result.rules).toBe('psql.sql.unreadable');
    expect(result.texts.join('\n')).toMatch(/\\i f\.sql \(not a regular file/);
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

  it('--defaults-file=/dev/null reads no option file', async () => {
    expect((await judge(line('--defaults-file=/dev/null'), home({ '.my.cnf': '[client]\ninit-command=DROP TABLE t' }))).verdict).toBe('allow');
  });

  it('MYSQL_HOME and MARIADB_HOME name one more my.cnf', async () => {
    for (const variable of ['MYSQL_HOME', 'MARIADB_HOME']) {
      const dir = home({ 'etc/my.cnf': '[client]\ninit-command=DROP TABLE t' });
      expect((await judge(line(), dir, { [variable]: join(dir, 'etc') })).rules).toBe('mysql.sql.drop');
    }
  });
});

describe('aws CLI aliases', () => {
  const aliasFile = (text: string) => ({ '.aws/cli/alias': text, '.aws/config': '[profile acme-prod]\nregion = us-east-1\n[profile acme-dev]\nregion = us-east-1\n' });
  const awsJudge = (line: string, text: string, env: NodeJS.ProcessEnv = {}) => judge(line, home(aliasFile(text)), env);

  it.each([
    ['a toplevel alias', '[toplevel]\nnuke = s3 rb s3://prod-data --force\n', 'aws nuke', 'aws.s3.rb', 'alias nuke (~/.aws/cli/alias:2)'],
    ['a toplevel alias after global options', '[toplevel]\nnuke = s3 rb s3://prod-data --force\n', 'aws --region us-east-1 --profile acme-prod nuke', 'aws.s3.rb', 's3 rb s3://prod-data --force (alias nuke'],
    ['a toplevel alias written with `:` and upper case', '[toplevel]\nNuke: s3 rm s3://prod-data --recursive\n', 'aws nuke', 'aws.s3.rm.recursive', 'alias nuke'],
    ['an alias over several lines', '[toplevel]\nnuke =\n    s3 rm\n    s3://prod-data --recursive\n', 'aws nuke', 'aws.s3.rm.recursive', 'alias nuke (~/.aws/cli/alias:2)'],
    ['arguments typed after the alias', '[toplevel]\nrmr = s3 rm --recursive\n', 'aws rmr s3://prod-data', 'aws.s3.rm.recursive', 'aws s3 rm --recursive s3://prod-data'],
    ['an alias of an alias', '[toplevel]\na = b s3://prod-data\nb = s3 rb --force\n', 'aws a', 'aws.s3.rb', 'alias a (~/.aws/cli/alias:2) > alias b (~/.aws/cli/alias:3)'],
    ['an alias named like a service', '[toplevel]\ns3 = s3 rb s3://prod-data --force\n', 'aws s3 ls', 'aws.s3.rb', 'alias s3'],
    ['a [DEFAULT] key, which every section has', '[DEFAULT]\nnuke = s3 rb s3://prod-data --force\n[toplevel]\n', 'aws nuke', 'aws.s3.rb', 'alias nuke'],
    ['a subcommand alias', '[command s3]\nnuke = rb s3://prod-data --force\n', 'aws s3 nuke', 'aws.s3.rb', 'alias s3 nuke (~/.aws/cli/alias:2)'],
    ['a subcommand alias over a built-in name', '[command s3]\nls = rm s3://prod-data --recursive\n', 'aws s3 ls', 'aws.s3.rm.recursive', 'alias s3 ls'],
    ['a built-in shadowed the other way', '[command s3]\nrm = ls s3://prod-data --recursive\n', 'aws s3 rm', 'aws.s3.rm.recursive', 'alias s3 rm'],
    ['a section name with extra spaces', '[command  s3 ]\nnuke = rb s3://prod-data --force\n', 'aws s3 nuke', 'aws.s3.rb', 'alias s3 nuke'],
    ['another service\'s section', '[command cloudformation]\ngone = delete-stack --stack-name shop\n', 'aws cloudformation gone', 'aws.api.delete', 'alias cloudformation gone'],
    ['a `!` alias running aws', '[toplevel]\nwipe = !aws s3 rm s3://prod-data --recursive\n', 'aws wipe', 'aws.s3.rm.recursive', 'aws alias wipe (~/.aws/cli/alias:2) > aws s3 rm'],
    ['a `!` alias with arguments', '[toplevel]\nwipe = !f() { aws s3 rm "$1" --recursive; }; f\n', 'aws wipe s3://prod-data', 'aws.s3.rm.recursive', 'aws alias wipe'],
    ['a `!` alias running psql', '[toplevel]\ndbreset = !psql -h db.prod.example.com shop -c "DROP TABLE orders"\n', 'aws dbreset', 'psql.sql.drop', 'aws alias dbreset'],
    ['a `!` subcommand alias', '[command s3]\nwipe = !aws s3 rb s3://prod-data --force\n', 'aws s3 wipe', 'aws.s3.rb', 'aws alias s3 wipe'],
  ])('%s: refused for an agent against production', async (_name, text, line, rule, shown) => {
    const result = await awsJudge(line, text);
    expect(result.rules.split(' ')).toContain(rule);
    expect(result.texts.join('\n')).toContain(shown);
    expect(result.verdict).toBe('deny');
  });

  it('a `!` alias does not get the typed --profile: its aws runs with the default profile, so a dev profile typed outside changes nothing', async () => {
    const result = await awsJudge('aws wipe --profile acme-dev', '[toplevel]\nwipe = !aws s3 rm s3://prod-data --recursive\n');
    expect(result.texts.join('\n')).toMatch(/> aws s3 rm s3:\/\/prod-data --recursive$/m);
    expect(result.verdict).toBe('deny');
  });

  it('an alias\'s --profile wins over the typed one', async () => {
    const result = await evaluateLine('aws --profile acme-dev nuke', { HOME: home(aliasFile('[toplevel]\nnuke = s3 rb s3://x --force --profile acme-prod\n')), ...agent });
    expect(result.target?.name).toBe('acme-prod');
  });

  it.each([
    ['a benign toplevel alias', '[toplevel]\nwhoami = sts get-caller-identity\nbuckets = s3 ls\n', 'aws whoami'],
    ['a benign alias among destructive ones', '[toplevel]\nnuke = s3 rb s3://x --force\nbuckets = s3 ls\n', 'aws buckets'],
    ['a benign subcommand alias', '[command ec2]\nmine = describe-instances --filters Name=tag:owner,Values=me\n', 'aws ec2 mine'],
    ['a benign `!` alias', '[toplevel]\nwho = !aws sts get-caller-identity --query Account\n', 'aws who'],
    ['aliases the command does not use', '[toplevel]\nnuke = s3 rb s3://x --force\n[command s3]\nwipe = rm s3://x --recursive\n', 'aws s3 ls'],
    ['a comment', '[toplevel]\n# nuke = s3 rb s3://x --force\n; also = s3 rb s3://x --force\n', 'aws s3 ls'],
    ['a `!` alias word only as an argument', '[toplevel]\nwipe = !aws s3 rb s3://x --force\n', 'aws s3 ls wipe'],
  ])('%s: allowed', async (_name, text, line) => {
    expect(await awsJudge(line, text)).toEqual({ rules: '', texts: [], verdict: 'allow' });
  });

  it('a development target (moto on localhost) is not refused', async () => {
    const result = await awsJudge('aws nuke', '[toplevel]\nnuke = s3 rb s3://x --force --endpoint-url http://127.0.0.1:5000\n');
    expect(result.rules).toBe('aws.s3.rb');
    expect(result.verdict).not.toBe('deny');
  });

  it.each([
    ['a FIFO (never waited on)', { 'fifo:alias': '' }, /alias cannot be read \(not a regular file/],
    ['a directory', { 'alias/': '' }, /alias cannot be read \(a directory\)/],
  ])('an alias file that cannot be read is held: %s', async (_name, files, message) => {
    const dir = home();
    mkdirSync(join(dir, '.aws', 'cli'), { recursive: true });
    const [name] = Object.keys(files);
    if (name.startsWith('fifo:')) execFileSync('mkfifo', [join(dir, '.aws', 'cli', 'alias')]);
    else mkdirSync(join(dir, '.aws', 'cli', 'alias'));
    const result = await judge('aws s3 ls', dir);
    expect(result.rules).toBe('aws.alias.unreadable');
    expect(result.texts.join('\n')).toMatch(message);
  });

  it.each([
    ['an option before any section', 'nuke = s3 rb s3://x\n'],
    ['a line with no `=` or `:`', '[toplevel]\nnuke s3 ls\n'],
    ['an alias defined twice', '[toplevel]\nnuke = s3 ls\nnuke = s3 rb s3://x\n'],
  ])('%s: the CLI fails on it, and chaperone holds it', async (_name, text) => {
    const result = await awsJudge('aws s3 ls', text);
    expect(result.rules).toBe('aws.alias.unreadable');
    expect(result.texts.join('\n')).toMatch(/~\/\.aws\/cli\/alias cannot be read \(line \d/);
    expect(result.verdict).toBe('deny');
  });

  it('an alias with an open quote is held when it is used (the CLI fails on it then), and only then', async () => {
    const text = '[toplevel]\nnuke = s3 rb "s3://x --force\n';
    const used = await awsJudge('aws nuke', text);
    expect(used.rules).toBe('aws.alias.unreadable');
    expect(used.texts.join('\n')).toContain('alias nuke in ~/.aws/cli/alias:2 cannot be split into words');
    expect((await awsJudge('aws s3 ls', text)).rules).toBe('');
  });

  it('a loop of aliases ends (the CLI fails on it; nothing destructive is found in it)', async () => {
    expect((await awsJudge('aws a', '[toplevel]\na = b\nb = a --force\n')).rules).toBe('');
  });
});
