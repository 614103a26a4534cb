import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/display/describe.js';
import { evaluate } from '../../src/evaluate.js';
import { redactArgs, redactText, textPatterns } from '../../src/redact.js';
import { table } from '../helpers/cases.js';
import { emptyHome } from '../helpers/evaluate.js';

describe('redactText', () => {
  table((t) => t, [
    ['postgresql://app:PW@db.prod.example/shop', 'postgresql://app:***@db.prod.example/shop'],
    ['postgres://app:p%40ss@h:5432/db?sslmode=require', 'postgres://app:***@h:5432/db?sslmode=require'],
    ['mysql://root:hunter2@10.0.0.1/x', 'mysql://root:***@10.0.0.1/x'],
    ['postgresql://app@db/shop', 'postgresql://app@db/shop'],
    ['https://ghp_abcdef1234567890XYZ@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['ssh://git@github.com/o/r.git', 'ssh://git@github.com/o/r.git'],
    ['host=db password=hunter2 dbname=x', 'host=db password=*** dbname=x'],
    ["host=db password='a b' dbname=x", 'host=db password=*** dbname=x'],
    ['host=db password = hunter2 dbname=x', 'host=db password = *** dbname=x'],
    ["ALTER ROLE app PASSWORD 'hunter2'; DROP TABLE t", "ALTER ROLE app PASSWORD '***'; DROP TABLE t"],
    ['https://api.example.com/x?token=abc123&y=1', 'https://api.example.com/x?token=***&y=1'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'Authorization: Bearer ***'],
    ['authorization: token ghp_abcdefghijklmnop', 'authorization: token ***'],
    ['Bearer abcdefghijklmnop', 'Bearer ***'],
    ['project-access-token: 1234-5678', 'project-access-token: ***'],
    ['DROP TABLE orders', 'DROP TABLE orders'],
    ["CREATE USER app IDENTIFIED BY 'hunter2'", "CREATE USER app IDENTIFIED BY '***'"],
    ["ALTER USER app IDENTIFIED WITH mysql_native_password BY \"hunter2\"", "ALTER USER app IDENTIFIED WITH mysql_native_password BY '***'"],
    ["SET PASSWORD FOR app = PASSWORD('hunter2')", "SET PASSWORD FOR app = PASSWORD('***')"],
    ['AUTH default hunter2', 'AUTH ***'],
    ['CONFIG SET requirepass hunter2', 'CONFIG SET requirepass ***'],
    ['MIGRATE h 6379 k 0 5000 AUTH2 admin hunter2', 'MIGRATE h 6379 k 0 5000 AUTH2 admin ***'],
    ['ACL SETUSER bob on >hunter2 ~* +@all', 'ACL SETUSER bob on >*** ~* +@all'],
    ['authentication failed', 'authentication failed'],
    // Secrets named by a longer name, as cloud APIs name them
    ['{"properties":{"administratorLoginPassword":"hunter2","backup":{"backupRetentionDays":1}}}', '{"properties":{"administratorLoginPassword":"***","backup":{"backupRetentionDays":1}}}'],
    ['{"clientSecret": "s3cr3t", "client_id": "app"}', '{"clientSecret": "***", "client_id": "app"}'],
    ['{"storage_account_key":"abc=="}', '{"storage_account_key":"***"}'],
    ['{"storageAccessKey":"abc=="}', '{"storageAccessKey":"***"}'],
    ['properties.administratorLoginPassword=hunter2', 'properties.administratorLoginPassword=***'],
    ['DB_PASSWORD=hunter2 adminpassword=x', 'DB_PASSWORD=*** adminpassword=***'],
    ['{"config":"x","secretName":"db","oldpwd":"/home"}', '{"config":"x","secretName":"db","oldpwd":"/home"}'],
    ['X-Admin-Token: hunter2', 'X-Admin-Token: ***'],
    ['Api-Key:abc123', 'Api-Key:***'],
    ['X-Client-Secret: s3cr3t', 'X-Client-Secret: ***'],
    ['Content-Type: application/json', 'Content-Type: application/json'],
  ], redactText);
});

describe('redactArgs', () => {
  table((a) => a.join(' '), [
    [['--password', 'hunter2', 'x'], ['--password', '***', 'x']],
    [['--password=hunter2'], ['--password=***']],
    [['--token', 't0k'], ['--token', '***']],
    [['--password', '-d', 'x'], ['--password', '-d', 'x']],
    [['--admin-password', 'hunter2', '--name', 'db'], ['--admin-password', '***', '--name', 'db']],
    [['--administrator-login-password=hunter2'], ['--administrator-login-password=***']],
    [['--sp-secret', 's', '--refresh-token', 't'], ['--sp-secret', '***', '--refresh-token', '***']],
    [['--no-password', 'mydb'], ['--no-password', 'mydb']],
    [['--adminPassword', 'hunter2', '--db_password=x'], ['--adminPassword', '***', '--db_password=***']],
    [['--bypass', 'x', '--tokens', 'y'], ['--bypass', 'x', '--tokens', 'y']],
    [['--password-file', 'pw.txt'], ['--password-file', 'pw.txt']],
    [['-H', 'Authorization: Bearer abcdefghijkl'], ['-H', 'Authorization: Bearer ***']],
    [['postgresql://a:b@h/d', '-c', 'select 1'], ['postgresql://a:***@h/d', '-c', 'select 1']],
  ], (args) => redactArgs(args));
});

describe('redactArgs for redis-cli command words', () => {
  table((a) => a.join(' '), [
    [['-h', 'db', 'AUTH', 'hunter2'], ['-h', 'db', 'AUTH', '***']],
    [['AUTH', 'default', 'hunter2'], ['AUTH', '***', '***']],
    [['CONFIG', 'SET', 'masterauth', 'hunter2'], ['CONFIG', 'SET', 'masterauth', '***']],
    [['ACL', 'SETUSER', 'bob', 'on', '>hunter2', '#abc'], ['ACL', 'SETUSER', 'bob', 'on', '>***', '#***']],
    [['GET', 'auth'], ['GET', 'auth']],
  ], (args) => redactArgs(args, 'redis-cli'));
});

describe('escapeControl makes text inert on a terminal', () => {
  table((t) => JSON.stringify(t), [
    ['\u001b[2K\rfake', '\\e[2K\\rfake'],
    ['a\nb', 'a\\nb'],
    ['\u0007bell', '\\u{7}bell'],
    ['rtl\u202eevil', 'rtl\\u{202e}evil'],
    ['plain ünïcødé', 'plain ünïcødé'],
  ], escapeControl);
});

describe('a 128 KiB argument', () => {
  // Each shape below once made a pattern backtrack over the whole argument (a 131 KB argument took
  // ~30 s). Linear patterns finish these in milliseconds; the test's timeout only catches a regression
  // by orders of magnitude, and `npm run bench` keeps the real budget.
  const n = 128 * 1024;
  const shapes: Record<string, string> = {
    letters: 'a'.repeat(n),
    'scheme characters': 'a.b+'.repeat(n / 4),
    spaces: ' '.repeat(n),
    'setuser words': 'setuser '.repeat(n / 8),
    'half a URL': 'x://aaaaaaaaaaaaaaaaaaaa1'.repeat(n / 24),
    'open quotes': "password 'identified by \"".repeat(n / 26),
    'secret words': 'token=password:='.repeat(n / 16),
    'long names': `"${'aPassword_'.repeat(n / 10)}`,
    'glued names': 'xpasswordtoken'.repeat(n / 14),
  };

  it.each(Object.entries(shapes))('is redacted in linear time: %s', (_name, arg) => {
    expect(redactArgs([arg, '--token', arg], 'curl')).toHaveLength(3);
    expect(redactText(arg).length).toBeLessThanOrEqual(arg.length);
  });

  it.each(['railway', 'psql', 'aws', 'kubectl', 'terraform', 'git', 'curl', 'mysql', 'redis-cli', 'gcloud', 'docker', 'helm'])(
    'is decided by %s in linear time',
    async (tool) => {
      for (const arg of Object.values(shapes)) {
        const ev = await evaluate({ tool, args: ['delete', arg, `--x=${arg}`], cwd: emptyHome, env: { HOME: emptyHome }, input: '' }, { terminal: () => false });
        expect(ev.decision.verdict).toMatch(/^(allow|deny)$/);
      }
    },
    20_000,
  );
});

// redactText runs a pattern only over a text that holds one of its words (lower case): the words must
// be in every text the pattern matches, or a secret would be shown. Random texts built from the
// patterns' own shapes (a secret word, a separator, a value), in mixed case and with the non-ASCII
// letters whose case folds to an ASCII one (ſ, K, ı, İ) put in for letters, must never match a pattern
// without holding one of its words; and every pattern must match some of them, or the test says nothing.
describe('each redaction pattern runs wherever it could match', () => {
  const names = [
    ...new Set(textPatterns.flatMap(([, , words]) => words)),
    'password', 'passwd', 'pwd', 'token', 'api_key', 'sig', 'secret', 'auth2 user', 'set-cookie', 'identified with plugin by', 'bearer', 'basic',
    'postgresql://app:', 'https://ghp_abcdef1234567890', 'ssh://git', 'proxy-authorization', 'x-api-key', 'project-access-token', 'setuser bob', 'requirepass',
  ];
  const separators = ['=', ' = ', ':=', ':', ': ', '":"', '" : "', ' ', '  ', '(', '( ', '\n', '@', ':x@'];
  const values = ['hunter2', "'a b'", '"x y"', '\\"x\\"', "''x''", "E'x'", '$$x$$', '$q$x$q$', 'ghp_abcdef1234567890', '>pw', '#h', 'token abcdefghij', '***', '@host/db'];
  const lookalikes: Record<string, string> = { s: 'ſ', k: 'K', i: 'ı', I: 'İ' };
  let seed = 11;
  // The high bits of a linear congruential generator: its low bits repeat with a short period.
  const next = () => Math.floor((seed = (seed * 1103515245 + 12345) % 2147483648) / 65536);
  const pick = <T>(list: T[]) => list[next() % list.length];
  // One text each pattern redacts, so that each is matched by some of the random ones.
  const known = [
    'postgresql://app:PW@db/shop', 'https://ghp_abcdef1234567890XYZ@github.com/o/r.git', 'password=hunter2', '{"token": "abc"}', 'login(token: "abc")',
    'q(token: \\"abc\\")', "EXECUTE 'ALTER ROLE app PASSWORD ''x'''", "PASSWORD E'hunter2'", 'PASSWORD $q$x$q$', "IDENTIFIED WITH p BY 'x'",
    "PASSWORD('x')", 'AUTH2 user pass', 'AUTH hunter2', 'CONFIG SET masterauth x', 'ACL SETUSER bob on >pw', 'Authorization: Bearer abcdefghij', 'Cookie: a=b', 'Bearer abcdefghijklmnop', 'Basic dXNlcjpwYXNz',
  ];
  const mutate = (text: string) => [...text].map((c) => (next() % 7 === 0 ? c.toUpperCase() : next() % 11 === 0 && lookalikes[c] ? lookalikes[c] : c)).join('');
  const texts = [
    ...Array.from({ length: 6000 }, () =>
      mutate(Array.from({ length: 1 + (next() % 3) }, () => `${pick(['', ' ', 'x ', '"', '-H'])}${pick(names)}${pick(separators)}${pick(values)}`).join(pick([' ', '&', ';', '']))),
    ),
    ...known.flatMap((text) => Array.from({ length: 100 }, () => `${pick(['', 'x ', '-H'])}${mutate(text)}${pick(['', ' ', ' and more'])}`)),
  ];
  it.each(textPatterns.map(([pattern, , words], i) => [i, pattern, words] as const))('pattern %i', (_i, pattern, words) => {
    let matched = 0;
    for (const text of texts) {
      pattern.lastIndex = 0;
      if (!pattern.test(text)) continue;
      matched++;
      expect(words.some((word) => text.toLowerCase().includes(word)), text).toBe(true);
    }
    expect(matched).toBeGreaterThan(10);
  });
});
