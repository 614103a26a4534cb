// The routes a refused agent took next, through the built CLI: switches that shorten backups (through
// the real shims, with recording doubles behind them), a script under `railway run`, and command words
// spelled as data (IFS, read, set --, parameter rewrites) or hidden in inline code (through `check
// --command`, the Claude hook, and a real sh running the shims). A refused command's double never runs;
// an allowed one runs with its argv untouched; the benign use of each route stays allowed.

import { checkLine, claudeHook } from '../helpers/line-checks.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const tools = ['aws', 'gcloud', 'az', 'railway', 'psql'];
let sb: Sandbox;
let prod: string;
let dev: string;
// A destroy the link bounds (a volume delete is the whole project's: production wherever it is linked).
const destroy = 'railway variable delete DATABASE_URL';

beforeAll(async () => {
  sb = await makeSandbox(tools);
  for (const tool of tools) sb.double(tool, { stdout: `${tool} ran\n` });
  prod = join(sb.work, 'shop-prod');
  dev = join(sb.work, 'shop-dev');
  for (const [dir, env] of [[prod, 'production'], [dev, 'development']] as const) {
    mkdirSync(dir, { recursive: true });
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    };
    file('wipe.sh', `#!/bin/sh\n${destroy}\n`);
    file('drop.sh', '#!/bin/sh\npsql -c "DROP TABLE users"\n');
    file('logs.sh', '#!/bin/sh\nrailway logs\n');
    file('package.json', JSON.stringify({ name: 'shop', scripts: { nuke: destroy, start: 'node server.js' } }));
    file('noncurrent-1.json', JSON.stringify({ Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] }));
    file('noncurrent-90.json', JSON.stringify({ Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 90 } }] }));
    file('gcs-noncurrent-1.json', JSON.stringify({ rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 1 } }] }));
    file('gcs-noncurrent-30.json', JSON.stringify({ rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 30 } }] }));
    file('plan-empty.json', JSON.stringify({ BackupPlanName: 'daily', Rules: [] }));
    file('plan-35.json', JSON.stringify({ BackupPlanName: 'daily', Rules: [{ RuleName: 'd', TargetBackupVaultName: 'v', Lifecycle: { DeleteAfterDays: 35 } }] }));
    linkRailway(sb, dir, env);
  }
});

/** Runs one command through its shim as an agent (no terminal); `argv` is what the double got, undefined when it never ran. */
const run = async (tool: string, args: string[], cwd = prod) => {
  rmSync(join(sb.records, tool), { recursive: true, force: true });
  const result = await sb.run(tool, args, { cwd, env: { CHAPERONE_ACTOR: 'agent' } });
  return { result, argv: sb.record(tool)?.argv };
};

const words = (line: string) => line.split(' ');

/**
 * Each switch: the production spelling and a second one (what the refused agent types next), the same
 * against a development target, and the benign neighbour against production.
 */
const switches: { tool: string; rule: string; prod: string[]; dev: string; benign: string }[] = [
  {
    tool: 'aws',
    rule: 'aws.s3.lifecycle.noncurrent-short',
    prod: ['s3api put-bucket-lifecycle-configuration --bucket shop --lifecycle-configuration file://noncurrent-1.json --profile acme-prod', 's3api put-bucket-lifecycle --bucket shop --lifecycle-configuration Rules=[{Prefix=,Status=Enabled,NoncurrentVersionExpiration={NoncurrentDays=1}}] --profile acme-prod'],
    dev: 's3api put-bucket-lifecycle-configuration --bucket shop --lifecycle-configuration file://noncurrent-1.json --profile dev',
    benign: 's3api put-bucket-lifecycle-configuration --bucket shop --lifecycle-configuration file://noncurrent-90.json --profile acme-prod',
  },
  {
    tool: 'aws',
    rule: 'aws.backup.plan.no-rules',
    prod: ['backup update-backup-plan --backup-plan-id p1 --backup-plan file://plan-empty.json --profile acme-prod', 'backup update-backup-plan --cli-input-json {"BackupPlanId":"p1","BackupPlan":{"BackupPlanName":"daily","Rules":[]}} --profile acme-prod'],
    dev: 'backup update-backup-plan --backup-plan-id p1 --backup-plan file://plan-empty.json --profile dev',
    benign: 'backup update-backup-plan --backup-plan-id p1 --backup-plan file://plan-35.json --profile acme-prod',
  },
  {
    tool: 'aws',
    rule: 'aws.rds.backup-retention-short',
    prod: ['rds modify-db-instance --db-instance-identifier shop --backup-retention-period 1 --profile acme-prod', 'rds modify-db-instance --cli-input-json {"DBInstanceIdentifier":"shop","BackupRetentionPeriod":2} --profile acme-prod'],
    dev: 'rds modify-db-instance --db-instance-identifier shop --backup-retention-period 1 --profile dev',
    benign: 'rds modify-db-instance --db-instance-identifier shop --backup-retention-period 14 --profile acme-prod',
  },
  {
    tool: 'gcloud',
    rule: 'gcloud.sql.retained-backups.short',
    prod: ['sql instances patch shop --retained-backups-count=1 --project acme-prod', 'sql instances patch --retained-backups-count 3 shop --project=acme-prod'],
    dev: 'sql instances patch shop --retained-backups-count=1 --project acme-dev',
    benign: 'sql instances patch shop --retained-backups-count=30 --project acme-prod',
  },
  {
    tool: 'gcloud',
    rule: 'gcloud.storage.lifecycle.noncurrent-short',
    prod: ['storage buckets update gs://shop-backups --lifecycle-file=gcs-noncurrent-1.json --project acme-prod', 'storage buckets update --lifecycle-file gcs-noncurrent-1.json gs://shop-backups --project=acme-prod'],
    dev: 'storage buckets update gs://shop-backups --lifecycle-file=gcs-noncurrent-1.json --project acme-dev',
    benign: 'storage buckets update gs://shop-backups --lifecycle-file=gcs-noncurrent-30.json --project acme-prod',
  },
  {
    tool: 'az',
    rule: 'az.postgres-mysql.backup-retention.short',
    prod: ['postgres flexible-server update -g rg-prod -n shop --backup-retention 1', 'mysql flexible-server update -g rg-prod -n shop --backup-ret=1', 'postgres flexible-server update -g rg-prod -n shop --set backup.backupRetentionDays=1'],
    dev: 'postgres flexible-server update -g rg-dev -n shop --backup-retention 1',
    benign: 'postgres flexible-server update -g rg-prod -n shop --backup-retention 14',
  },
  {
    tool: 'az',
    rule: 'az.sql.ltr.weekly-off',
    prod: ['sql db ltr-policy set -g rg-prod -s srv -n shop --weekly-retention P0W', 'sql db ltr-policy set -g rg-prod -s srv -n shop --weekly-retention PT0S --monthly-retention P12M'],
    dev: 'sql db ltr-policy set -g rg-dev -s srv -n shop --weekly-retention P0W',
    benign: 'sql db ltr-policy set -g rg-prod -s srv -n shop --weekly-retention P12W',
  },
];

describe.each(switches)('$tool: $rule', ({ tool, rule, prod: spellings, dev: devArgs, benign }) => {
  it.each(spellings)('refuses %s for an agent against production; the real tool never runs', async (line) => {
    const { result, argv } = await run(tool, words(line));
    expect(result.exitCode, String(result.stderr)).toBe(77);
    expect(result.stderr).toContain(rule);
    expect(argv).toBeUndefined();
  });

  it('runs it against a development target with a notice, argv untouched', async () => {
    const { result, argv } = await run(tool, words(devArgs));
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain(rule);
    expect(argv).toEqual(words(devArgs));
  });

  it('runs the benign neighbour against production silently, argv untouched', async () => {
    const { result, argv } = await run(tool, words(benign));
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toBe('');
    expect(argv).toEqual(words(benign));
  });
});

describe('railway run reads the script it starts', () => {
  it.each([['run', './wipe.sh'], ['run', '--', 'sh', 'wipe.sh'], ['run', 'npm', 'run', 'nuke'], ['local', './drop.sh']])('refuses railway %s … in production; railway never runs', async (...args) => {
    const { result, argv } = await run('railway', args);
    expect(result.exitCode, String(result.stderr)).toBe(77);
    expect(result.stderr).toMatch(/railway\.variable\.delete|psql\.sql\.drop/);
    expect(argv).toBeUndefined();
  });

  it('runs it in development with a notice, and the benign script in production silently', async () => {
    const dev1 = await run('railway', ['run', './wipe.sh'], dev);
    expect(dev1.result.exitCode).toBe(0);
    expect(dev1.result.stderr).toContain('railway.variable.delete');
    expect(dev1.argv).toEqual(['run', './wipe.sh']);
    const benign = await run('railway', ['run', './logs.sh']);
    expect(benign.result.exitCode).toBe(0);
    expect(benign.result.stderr).toBe('');
    expect(benign.argv).toEqual(['run', './logs.sh']);
  });
});

interface Report {
  decision: string;
  reason: string;
}

const check = (line: string, cwd: string) => checkLine<Report>(sb, line, cwd);

const hook = (line: string, cwd: string) => claudeHook(sb, line, cwd);

/** Command words spelled as data: two spellings each, and the benign use of the same construct. */
const lines: { route: string; spellings: [string, string]; benign: string }[] = [
  { route: 'IFS word splitting', spellings: [`IFS=,; c=${destroy.replaceAll(' ', ',')}; $c`, `railway\${IFS}variable\${IFS}delete\${IFS}DATABASE_URL`], benign: 'IFS=,; f=a,b; echo $f' },
  { route: 'read and set --', spellings: [`IFS=, read -ra a <<< "${destroy.replaceAll(' ', ',')}"; "\${a[@]}"`, `set -- ${destroy}; "$@"`], benign: 'set -euo pipefail; read -r n <<< world; echo "hello $n"' },
  { route: 'parameter rewrites', spellings: [`c=${destroy.replaceAll(' ', ',')}; \${c//,/ }`, `c="${destroy.toUpperCase()}"; \${c,,}`], benign: 'f=report.txt; cp $f ${f%.txt}.bak' },
  { route: 'a script under railway run', spellings: ['railway run ./wipe.sh', 'railway run npm run nuke'], benign: 'railway run ./logs.sh' },
];

describe.each(lines)('$route', ({ spellings, benign }) => {
  it.each(spellings)('check --command and the Claude hook refuse %s in production, and allow it in development', async (line) => {
    const refused = await check(line, prod);
    expect(refused.decision, refused.reason).toBe('deny');
    expect(refused.reason).toContain('production');
    expect((await hook(line, prod)).decision).toBe('deny');
    expect((await check(line, dev)).decision).toBe('allow');
    expect((await hook(line, dev)).exitCode).toBe(0);
  });

  it(`allows the benign ${benign} in production`, async () => {
    expect((await check(benign, prod)).decision).toBe('allow');
    expect((await hook(benign, prod)).decision).toBeUndefined();
  });
});

describe('inline code that computes the command it starts', () => {
  it.each([
    `python3 -c 'import subprocess; subprocess.run(["rail"+"way", "volume", "delete", "--volume", "pg-data", "--yes"])'`,
    `node -e 'require("child_process")["exec"+"Sync"]("rail"+"way volume delete --volume pg-data --yes")'`,
  ])('refuses %s for an agent wherever it runs: no target can be read from it', async (line) => {
    for (const cwd of [prod, dev]) {
      const report = await check(line, cwd);
      expect(report.decision).toBe('deny');
      expect(report.reason).toContain('must name what it runs in literals');
    }
    expect((await hook(line, prod)).decision).toBe('deny');
  });

  it('judges literal calls by their target, and allows code that starts nothing', async () => {
    const literal = `python3 -c 'import subprocess; subprocess.run(${JSON.stringify(destroy.split(' '))})'`;
    expect((await check(literal, prod)).decision).toBe('deny');
    expect((await check(literal, dev)).decision).toBe('allow');
    expect((await check(`python3 -c 'print(1)'`, prod)).decision).toBe('allow');
    expect((await check(`node -e 'console.log(process.version)'`, prod)).decision).toBe('allow');
  });
});

describe('a real bash running these lines reaches the shim, which refuses', () => {
  it.each([`IFS=,; c=${destroy.replaceAll(' ', ',')}; $c`, `c=${destroy.replaceAll(' ', ',')}; \${c//,/ }`, `set -- ${destroy}; "$@"`])('%s: railway never runs in production, and runs in development', async (line) => {
    rmSync(join(sb.records, 'railway'), { recursive: true, force: true });
    const refused = await sb.run('bash', ['-c', line], { cwd: prod, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(refused.exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
    const allowed = await sb.run('bash', ['-c', line], { cwd: dev, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(destroy.split(' ').slice(1));
  });
});

describe('a git pager written into the repository by an earlier call', () => {
  it('refuses the next `git log` through the hook in production, allows it in development, and leaves an ordinary pager alone', async () => {
    const pager = `[core]\n\tpager = sh -c "${destroy}"\n`;
    for (const dir of [prod, dev]) {
      expect((await sb.run('git', ['init', '-q'], { cwd: dir })).exitCode).toBe(0);
      // The first call only writes a file: nothing runs yet.
      const write = `printf '${pager.replace(/\n/g, '\\n').replace(/\t/g, '\\t')}' >> .git/config`;
      expect((await hook(write, dir)).exitCode).toBe(0);
      expect((await sb.sh(write, { cwd: dir })).exitCode).toBe(0);
    }
    expect((await hook('git log', prod)).decision).toBe('deny');
    expect((await check('git log --oneline -5', prod)).reason).toContain('production');
    expect((await hook('git log', dev)).exitCode).toBe(0);
    const clean = join(sb.work, 'clean');
    mkdirSync(clean, { recursive: true });
    linkRailway(sb, clean, 'production');
    expect((await sb.run('git', ['init', '-q'], { cwd: clean })).exitCode).toBe(0);
    expect((await sb.run('git', ['config', 'core.pager', 'less -FRX'], { cwd: clean })).exitCode).toBe(0);
    expect((await check('git log', clean)).decision).toBe('allow');
  });
});
