// The canary: every covered tool's secret-bearing forms, carrying one recognisable secret, sent through
// the refused, the allowed (notice) and the confirmed paths, `check --json` and `explain`; then every
// output and every file chaperone wrote is searched for the secret. The answer must be 0 leaks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';

const canary = 'CANARY7f3q9';
const c = canary;

/** [tool, argv, extra environment]: each a destructive call, so that it is gated and shown. */
const cases: [string, string[], Record<string, string>?][] = [
  ['railway', ['volume', 'delete', '--volume', 'v', '--yes'], { RAILWAY_TOKEN: c }],
  ['railway', ['variables', '--set', `DB_PASSWORD=${c}`, '--environment', 'production', '--yes'], {}],
  ['psql', [`postgres://app:${c}@db.prod.example/shop`, '-c', 'DROP TABLE users']],
  ['psql', ['host=db.prod.example dbname=shop password=' + c, '-c', 'TRUNCATE users']],
  ['psql', ['-h', 'db.prod.example', '-c', `ALTER ROLE app PASSWORD '${c}'; DROP TABLE users`]],
  ['psql', ['-h', 'db.prod.example', '-c', `DO $$ BEGIN EXECUTE 'ALTER ROLE x PASSWORD ''${c}'''; END $$; DROP TABLE t`]],
  ['dropdb', ['--maintenance-db', `postgres://app:${c}@db.prod.example/postgres`, 'shop']],
  ['pg_restore', ['--clean', '-d', `postgres://app:${c}@db.prod.example/shop`, 'dump.pgc']],
  ['aws', ['secretsmanager', 'delete-secret', '--secret-id', 'x', '--force-delete-without-recovery'], { AWS_SECRET_ACCESS_KEY: c }],
  ['kubectl', ['delete', 'namespace', 'shop', '--token', c]],
  ['kubectl', ['delete', 'secret', 'db', `--token=${c}`]],
  ['helm', ['uninstall', 'shop', '--password', c]],
  ['terraform', ['destroy', '-auto-approve', '-var', `db_password=${c}`], { TF_WORKSPACE: 'prod' }],
  ['heroku', ['pg:reset', '--confirm', 'shop', '-a', 'shop'], { HEROKU_API_KEY: c }],
  ['fly', ['apps', 'destroy', 'shop', '--yes', '--access-token', c]],
  ['supabase', ['db', 'reset', '--linked', '--password', c]],
  ['vercel', ['remove', 'shop', '--yes', '--token', c]],
  ['doctl', ['databases', 'delete', 'db-id', '--force', '--access-token', c]],
  ['docker', ['exec', 'db', 'mysql', `-p${c}`, '-e', 'DROP DATABASE shop'], { DOCKER_HOST: 'ssh://deploy@db.prod.example' }],
  ['gh', ['repo', 'delete', 'acme/shop', '--yes'], { GH_TOKEN: c }],
  ['git', ['push', '--force', `https://bot:${c}@github.com/acme/shop.git`, 'main']],
  ['mysql', [`-p${c}`, '-h', 'db.prod.example', '-e', 'DROP DATABASE shop']],
  ['mysql', ['--password', c, '-h', 'db.prod.example', '-e', 'DROP DATABASE shop']],
  ['mysql', [`--password=${c}`, '-h', 'db.prod.example', '-e', `DROP USER x; CREATE USER y IDENTIFIED BY '${c}'`]],
  ['mongosh', [`mongodb://app:${c}@db.prod.example/shop`, '--eval', 'db.dropDatabase()']],
  ['redis-cli', ['-h', 'cache.prod.example', '-a', c, 'FLUSHALL']],
  ['redis-cli', ['-u', `redis://:${c}@cache.prod.example:6379`, 'FLUSHALL']],
  ['curl', ['-X', 'DELETE', '-u', `admin:${c}`, 'https://api.example.com/v1/db']],
  ['curl', ['-X', 'DELETE', '-H', `Authorization: Bearer ${c}`, 'https://api.example.com/v1/db']],
  ['curl', ['-X', 'DELETE', '-b', `session=${c}`, 'https://api.example.com/v1/db']],
  ['curl', ['https://backboard.railway.app/graphql/v2', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ query: `mutation { volumeDelete(volumeId: "v") }`, variables: { token: c } })]],
  ['curl', ['https://backboard.railway.app/graphql/v2', '-d', JSON.stringify({ query: `mutation { login(token: "${c}") { id } volumeDelete(volumeId: "v") }` })]],
  ['curl', ['-X', 'DELETE', `https://admin:${c}@api.example.com/v1/db`]],
  ['wget', ['--method=DELETE', `--http-password=${c}`, 'https://api.example.com/v1/db']],
  ['wget', ['--method=DELETE', `--header=Authorization: Bearer ${c}`, 'https://api.example.com/v1/db']],
  ['http', ['DELETE', 'https://api.example.com/v1/db', '-a', `admin:${c}`]],
  ['http', ['DELETE', 'https://api.example.com/v1/db', `Authorization:Bearer ${c}`]],
  ['xh', ['DELETE', 'https://api.example.com/v1/db', `password=${c}`]],
  ['ssh', ['db.prod.example', `mysql -p${c} -e 'DROP DATABASE shop'`]],
  ['ssh', ['db.prod.example', `redis-cli -a ${c} FLUSHALL`]],
  // Secrets named by longer names, as cloud APIs name them
  ['curl', ['-X', 'PUT', 'https://management.azure.com/subscriptions/s1/resourceGroups/prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/db?api-version=2022-12-01', '-d', JSON.stringify({ properties: { administratorLoginPassword: c, backup: { backupRetentionDays: 1 } } })]],
  ['az', ['rest', '--method', 'put', '--url', 'https://management.azure.com/subscriptions/s1/resourceGroups/prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/db?api-version=2022-12-01', '--body', JSON.stringify({ properties: { adminPassword: c, backup: { backupRetentionDays: 1 } } })]],
  ['az', ['postgres', 'flexible-server', 'delete', '-g', 'prod', '-n', 'db', '--yes', '--admin-password', c]],
  ['curl', ['-X', 'DELETE', '-H', `X-Admin-Token: ${c}`, 'https://api.example.com/v1/db']],
];

const tools = [...new Set(cases.map(([tool]) => tool))];
let sb: Sandbox;
const outputs: string[] = [];
const terminals = new Terminals();

/** Every file under the sandbox's home that chaperone may have written, as text. */
function writtenFiles(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ file: path, text: readFileSync(path, 'latin1') });
    }
  };
  walk(join(sb.home, '.local/state'));
  return out;
}

beforeAll(async () => {
  sb = await makeSandbox(tools);
  for (const tool of tools) sb.double(tool);
}, 60_000);
afterAll(() => terminals.close());

describe(`the canary (${cases.length} secret forms of ${tools.length} tools)`, () => {
  it('is refused for an agent, and no output says the secret', async () => {
    for (const [tool, args, env] of cases) {
      const result = await sb.run(tool, args, { env: { ...env, CHAPERONE_ACTOR: 'agent' } });
      expect([tool, ...args, result.exitCode]).toEqual([tool, ...args, 77]);
      outputs.push(String(result.stdout), String(result.stderr));
    }
  }, 240_000);

  it('check --json and explain never say it', async () => {
    for (const [tool, args, env] of cases) {
      for (const how of [['check', '--json', '--actor', 'agent', '--'], ['explain', '--']]) {
        const result = await sb.chaperone([...how, tool, ...args], { env: env ?? {} });
        outputs.push(String(result.stdout), String(result.stderr));
      }
    }
  }, 240_000);

  it('is allowed with a notice when the policy says so, and neither the notice nor the audit says it', async () => {
    sb.write('home/.config/chaperone/rules.yaml', 'policy:\n  production: notice\n  unknown: notice\n  staging: notice\n');
    try {
      for (const [tool, args, env] of cases) {
        const result = await sb.run(tool, args, { env: env ?? {} });
        expect([tool, ...args, result.exitCode]).toEqual([tool, ...args, 0]);
        outputs.push(String(result.stdout), String(result.stderr));
      }
    } finally {
      sb.write('home/.config/chaperone/rules.yaml', '');
    }
  }, 240_000);

  it.skipIf(!haveTmux)('is confirmed by a human at a terminal, and the prompt never shows it', async () => {
    // No server stands behind these doubles to dump from: the backup before a destroy is off here.
    sb.write('home/.config/chaperone/rules.yaml', 'backup-before-destroy: []\n');
    for (const [tool, args] of cases.filter(([tool]) => ['psql', 'mysql', 'curl', 'railway', 'redis-cli'].includes(tool)).slice(0, 8)) {
      // The double reads its stdin to the end: give it none, so the terminal is not what it waits on.
      const quoted = `${[tool, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} < /dev/null`;
      const term = terminals.open(sb, quoted);
      const screen = await term.waitFor(/Type (\S+) to run it/);
      const word = /Type (\S+) to run it/.exec(screen)![1];
      term.type(`${word}\n`);
      const { code, screen: after } = await term.exit();
      expect([tool, ...args, code]).toEqual([tool, ...args, 0]);
      outputs.push(screen, after);
    }
  }, 240_000);

  it('0 leaks: not on screen, not in the audit log, the approval store or any file chaperone wrote', () => {
    const leaks = [
      ...outputs.filter((o) => o.includes(canary)).map((o) => `output: ${o.slice(Math.max(0, o.indexOf(canary) - 120), o.indexOf(canary) + 20)}`),
      ...writtenFiles().filter((f) => f.text.includes(canary)).map((f) => `file: ${f.file}`),
    ];
    expect(outputs.length).toBeGreaterThan(cases.length * 4);
    expect(writtenFiles().some((f) => f.file.endsWith('audit.jsonl'))).toBe(true);
    expect(writtenFiles().some((f) => f.file.endsWith('approvals.json'))).toBe(true);
    expect(leaks).toEqual([]);
  });
});
