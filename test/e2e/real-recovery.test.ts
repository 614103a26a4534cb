// What recovery depends on, with the real tools behind the real shims (issue 10): the AWS CLI against
// moto, and git on a throwaway repository. What the tests check is the world afterwards: a refused
// `--backup-retention-period 0` leaves moto's instance with its backups, a refused suspension leaves the
// bucket versioned, a refused `git stash clear` leaves the stash.
//
// A group whose tools are missing is skipped, with the reason printed; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, systemPath, type Sandbox } from '../helpers/sandbox.js';
import { directGit, gitIdentity } from '../helpers/real-git.js';
import { motoProblems, startMoto, type Moto } from '../helpers/moto.js';
import { toolGroup, toolProblems, which } from '../helpers/system.js';

const [awsMissing, gitMissing, gcloudMissing] = await Promise.all([
  motoProblems(),
  toolProblems([['git', ['--version']]]),
  toolProblems([['gcloud', ['--version']]]),
]);
const awsGroup = toolGroup('aws recovery settings through the shim, against moto', awsMissing);
const gitGroup = toolGroup('git commands that discard local work, through the shim', gitMissing);
const gcloudGroup = toolGroup('gcloud recovery settings through the shim, offline', gcloudMissing);

describe.skipIf(awsGroup.skip)(awsGroup.title, () => {
  let moto: Moto | undefined;
  let sb: Sandbox | undefined;
  const bucket = 'orders-archive';

  /** aws through the shim, at moto; the sandbox's actor has no terminal, like an agent. */
  const aws = (args: string[], profile = 'acme-prod') => sb!.run('aws', ['--endpoint-url', moto!.endpoint, ...args, '--profile', profile]);
  /** The real aws, directly: the shims are not on this PATH. */
  const awsDirect = async (args: string[]) => {
    const result = await sb!.run('aws', ['--endpoint-url', moto!.endpoint, ...args, '--profile', 'acme-prod', '--output', 'json'], { env: { PATH: systemPath } });
    if (result.exitCode !== 0) throw new Error(`aws ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr}`);
    return JSON.parse(String(result.stdout)) as Record<string, any>;
  };
  const retention = async (id: string) =>
    (await awsDirect(['rds', 'describe-db-instances', '--db-instance-identifier', id])).DBInstances[0].BackupRetentionPeriod as number;
  const versioning = async () => (await awsDirect(['s3api', 'get-bucket-versioning', '--bucket', bucket])).Status as string;

  beforeAll(async () => {
    awsGroup.assertAvailable();
    [moto, sb] = await Promise.all([startMoto(), makeSandbox(['aws'])]);
    const profile = (name: string) => `[profile ${name}]\nregion = us-east-1\n`;
    const keys = (name: string) => `[${name}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`;
    sb.write('home/.aws/config', profile('acme-prod') + profile('acme-dev'));
    sb.write('home/.aws/credentials', keys('acme-prod') + keys('acme-dev'));
    for (const id of ['orders-db', 'scratch-db']) {
      await awsDirect([
        'rds', 'create-db-instance', '--db-instance-identifier', id, '--db-instance-class', 'db.t3.micro', '--engine', 'postgres',
        '--master-username', 'app', '--master-user-password', 'not-a-secret-1', '--allocated-storage', '20', '--backup-retention-period', '7',
      ]);
    }
    await awsDirect(['s3api', 'create-bucket', '--bucket', bucket]);
    // Benign, through the shim: runs untouched and says nothing.
    const enabled = await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
    if (enabled.exitCode !== 0 || enabled.stderr !== '') throw new Error(`put-bucket-versioning Enabled: exit ${enabled.exitCode}: ${enabled.stderr}`);
  });
  afterAll(async () => {
    await moto?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });

  it("refuses an agent's --backup-retention-period 0 with a production profile; the instance keeps its 7 days", async () => {
    const result = await aws(['rds', 'modify-db-instance', '--db-instance-identifier', 'orders-db', '--backup-retention-period', '0', '--apply-immediately']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('aws.rds.backup-retention-zero [disables-recovery]');
    expect(result.stderr).toContain('environment  acme-prod (production): "acme-prod" contains "prod"');
    expect(result.stderr).toContain('The real aws did not run.');
    expect(await retention('orders-db')).toBe(7);
  });

  it('refuses the same change written as =0 and as --cli-input-json, which the agent tries next', async () => {
    for (const args of [
      ['rds', 'modify-db-instance', '--db-instance-identifier=orders-db', '--backup-retention-period=0'],
      ['rds', 'modify-db-instance', '--cli-input-json', '{"DBInstanceIdentifier":"orders-db","BackupRetentionPeriod":0,"ApplyImmediately":true}'],
    ]) {
      const result = await aws(args);
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain('aws.rds.backup-retention-zero [disables-recovery]');
    }
    expect(await retention('orders-db')).toBe(7);
  });

  it('runs a retention change that keeps backups on the production instance, silently', async () => {
    const result = await aws(['rds', 'modify-db-instance', '--db-instance-identifier', 'orders-db', '--backup-retention-period', '14', '--apply-immediately', '--output', 'json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(await retention('orders-db')).toBe(14);
  });

  it('really turns backups off on a development profile, with a one-line notice', async () => {
    const result = await aws(['rds', 'modify-db-instance', '--db-instance-identifier', 'scratch-db', '--backup-retention-period', '0', '--apply-immediately', '--output', 'json'], 'acme-dev');
    expect(result.stderr).toBe('chaperone: aws.rds.backup-retention-zero in acme-dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(await retention('scratch-db')).toBe(0);
  });

  it('lets --generate-cli-skeleton through untouched: the real CLI prints JSON and sends nothing', async () => {
    const result = await aws(['rds', 'modify-db-instance', '--db-instance-identifier', 'orders-db', '--backup-retention-period', '0', '--generate-cli-skeleton']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout))).toHaveProperty('BackupRetentionPeriod');
    expect(await retention('orders-db')).toBe(14);
  });

  it('refuses suspending versioning, in shorthand and from a file; the bucket stays versioned', async () => {
    sb!.write('work/suspend.json', '{"Status": "Suspended"}\n');
    for (const value of ['Status=Suspended', 'file://suspend.json']) {
      const result = await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', value]);
      expect(result.exitCode, value).toBe(77);
      expect(result.stderr).toContain('aws.s3.versioning.suspend [disables-recovery]');
    }
    expect(await versioning()).toBe('Enabled');
  });

  it('refuses a lifecycle file that expires current objects, and runs one that only aborts uploads', async () => {
    sb!.write('work/expire.json', JSON.stringify({ Rules: [{ ID: 'purge', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] }));
    sb!.write('work/mpu.json', JSON.stringify({ Rules: [{ ID: 'mpu', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] }));
    const refused = await aws(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', 'file://expire.json']);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('aws.s3.lifecycle.expire-current [destroy]');
    const allowed = await aws(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', 'file://mpu.json']);
    expect(allowed.stderr).toBe('');
    expect(allowed.exitCode).toBe(0);
    const rules = (await awsDirect(['s3api', 'get-bucket-lifecycle-configuration', '--bucket', bucket])).Rules as { ID: string }[];
    expect(rules.map((r) => r.ID)).toEqual(['mpu']);
  });
});

describe.skipIf(gitGroup.skip)(gitGroup.title, () => {
  let sb: Sandbox;
  let work: string;
  const identity = gitIdentity;
  /** Runs the real git directly, not through the shim. */
  const direct = (args: string[]) => directGit(() => sb)(work, args);
  const git = (args: string[]) => sb.run('git', args, { cwd: work, env: identity });

  beforeAll(async () => {
    gitGroup.assertAvailable();
    sb = await makeSandbox(['git']);
    work = join(sb.work, 'shop');
    await execa(which('git')!, ['init', '-q', '-b', 'main', work], { env: { ...sb.env, ...identity }, extendEnv: false });
    writeFileSync(join(work, 'app.txt'), 'v1\n');
    await direct(['add', 'app.txt']);
    await direct(['commit', '-q', '-m', 'first']);
  });

  it("refuses an agent's `git stash clear` on main (a protected branch); the stash keeps its entry", async () => {
    writeFileSync(join(work, 'app.txt'), 'work in progress\n');
    await direct(['stash', 'push', '-q', '-m', 'wip']);
    const result = await git(['stash', 'clear']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('git.stash.clear [destroy]');
    expect(result.stderr).toContain('environment  main (production): branch "main" is protected');
    expect(await direct(['stash', 'list'])).toContain('wip');
  });

  it("refuses `git checkout-index -a -f` on main, spelled two ways; the uncommitted change stays", async () => {
    writeFileSync(join(work, 'app.txt'), 'uncommitted\n');
    for (const args of [['checkout-index', '-a', '-f'], ['checkout-index', '--force', '--all']]) {
      const result = await git(args);
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain('git.checkout-index.force-all [destroy]');
    }
    expect(readFileSync(join(work, 'app.txt'), 'utf8')).toBe('uncommitted\n');
  });

  it('runs both on a feature branch with a notice, and they really discard', async () => {
    await direct(['checkout', '-q', '-b', 'feature/x']);
    const restored = await git(['checkout-index', '-a', '-f']);
    expect(restored.stderr).toBe('chaperone: git.checkout-index.force-all in feature/x (development): allowed\n');
    expect(restored.exitCode).toBe(0);
    expect(readFileSync(join(work, 'app.txt'), 'utf8')).toBe('v1\n');
    const cleared = await git(['stash', 'clear']);
    expect(cleared.exitCode).toBe(0);
    expect(await direct(['stash', 'list'])).toBe('');
  });

  it('lets the benign neighbours run silently on main', async () => {
    await direct(['checkout', '-q', 'main']);
    for (const args of [['stash', 'list'], ['checkout-index', '-a']]) {
      const result = await git(args);
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.exitCode).toBe(0);
    }
  });
});

// gcloud cannot reach Google from here, but it parses a command fully before it asks for an account: a
// spelling it does not know fails with "unrecognized arguments", one it knows with "no active account".
// That shows each gated spelling is real, and that the shim lets gcloud run (or not) with the argv as typed.
describe.skipIf(gcloudGroup.skip)(gcloudGroup.title, () => {
  let sb: Sandbox;
  // Bucket commands are classified by the bucket too: each run names one of its own environment's.
  const spellings: [args: string[], rule: string][] = [
    [['sql', 'instances', 'patch', 'orders', '--no-backup'], 'gcloud.sql.backup.off'],
    [['sql', 'instances', 'patch', 'orders', '--no-enable-point-in-time-recovery'], 'gcloud.sql.pitr.off'],
    [['compute', 'instances', 'update', 'vm1', '--zone', 'us-central1-a', '--no-deletion-protection'], 'gcloud.deletion-protection.off'],
    [['storage', 'buckets', 'update', 'gs://acme-ENV-assets', '--no-versioning'], 'gcloud.storage.versioning.off'],
    [['storage', 'buckets', 'update', 'gs://acme-ENV-assets', '--soft-delete-duration=0'], 'gcloud.storage.soft-delete.zero'],
    [['firestore', 'databases', 'update', '--no-enable-pitr'], 'gcloud.firestore.pitr.off'],
  ];
  /** A gcloud with no account and no configuration: the sandbox's own config directory. */
  const gcloudEnv = (project: string) => ({ CLOUDSDK_CONFIG: join(sb.home, 'gcloud-config'), CLOUDSDK_CORE_PROJECT: project });

  beforeAll(async () => {
    gcloudGroup.assertAvailable();
    sb = await makeSandbox(['gcloud']);
  });

  it('refuses each spelling for a production project; the real gcloud never runs', async () => {
    for (const [args, rule] of spellings) {
      const result = await sb.run('gcloud', args.map((a) => a.replace('ENV', 'prod')), { env: gcloudEnv('acme-prod') });
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain(`${rule} [disables-recovery]`);
      expect(result.stderr).not.toContain('(gcloud.');
    }
  });

  it('runs each for a development project, with a notice; gcloud parses every spelling and stops only for an account', async () => {
    for (const [args, rule] of spellings) {
      const result = await sb.run('gcloud', args.map((a) => a.replace('ENV', 'dev')), { env: gcloudEnv('acme-dev') });
      expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^chaperone: ${rule.replace(/\./g, '\\.')} in acme-dev(-assets)? \\(development\\): allowed\n`));
      expect(result.stderr).toContain('You do not currently have an active account selected');
      expect(result.stderr).not.toContain('unrecognized arguments');
    }
  });
});
