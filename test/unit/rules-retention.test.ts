// Switches that shorten backups rather than turn them off (the incident's volume held its backups too):
// a retention under a week, a backup plan left with no rules, a lifecycle rule that expires noncurrent
// versions within days. The rules compare numbers (`--flag<N`, src/rules/match.ts); each route has two
// spellings where the CLI has them, and its benign neighbour (a week or more) stays ungated.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';
import { isoDays } from '../../src/tools/az.js';
import { judgeLifecycle } from '../../src/tools/gcs-lifecycle.js';
import { matchesRule } from '../../src/rules/match.js';
import { loadConfig, readLayer } from '../../src/rules/load.js';

const dir = join(emptyHome, 'retention');
mkdirSync(dir, { recursive: true });
const file = (name: string, body: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
};
const noncurrent1 = file('noncurrent-1.json', { Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] });
const noncurrent30 = file('noncurrent-30.json', { Rules: [{ ID: 'x', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 30 } }] });
const emptyPlan = file('plan-empty.json', { BackupPlanName: 'p', Rules: [] });
const shortPlan = file('plan-short.json', { BackupPlanName: 'p', Rules: [{ RuleName: 'daily', TargetBackupVaultName: 'v', Lifecycle: { DeleteAfterDays: 1 } }] });
// Cloud Storage lifecycle files (src/tools/gcs-lifecycle.ts): Delete rules limited to noncurrent versions.
const gcsNoncurrent1 = file('gcs-noncurrent-1.json', { rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 1 } }] });
const gcsAgeNotLive = file('gcs-age-not-live.json', { lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 2, isLive: false } }] } });
const gcsBeforeDate = file('gcs-before-date.json', { rule: [{ action: { type: 'Delete' }, condition: { noncurrentTimeBefore: '2026-12-01' } }] });
const gcsOddDays = file('gcs-odd-days.json', { rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 'soon' } }] });
const gcsNoncurrent30 = file('gcs-noncurrent-30.json', { rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 30 } }, { action: { type: 'Delete' }, condition: { numNewerVersions: 3 } }] });
const longPlan = file('plan-long.json', { BackupPlanName: 'p', Rules: [{ RuleName: 'daily', TargetBackupVaultName: 'v', Lifecycle: { DeleteAfterDays: 35 } }] });

describe('aws: retention shortened, plans emptied', () => {
  table((line) => line, [
    [`aws s3api put-bucket-lifecycle-configuration --bucket shop-prod --lifecycle-configuration file://${noncurrent1}`, 'aws.s3.lifecycle.noncurrent-short'],
    ['aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration \'{"Rules":[{"ID":"x","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":3,"NewerNoncurrentVersions":1}}]}\'', 'aws.s3.lifecycle.noncurrent-short'],
    ['aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration Rules=[{ID=x,Status=Enabled,Filter={},NoncurrentVersionExpiration={NoncurrentDays=1}}]', 'aws.s3.lifecycle.noncurrent-short'],
    ['aws s3api put-bucket-lifecycle --bucket b --lifecycle-configuration \'{"Rules":[{"Prefix":"","Status":"Enabled","NoncurrentVersionExpiration":{"NoncurrentDays":"1"}}]}\'', 'aws.s3.lifecycle.noncurrent-short'],
    // Expiration of current objects was gated before; both together name both.
    ['aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration \'{"Rules":[{"ID":"x","Status":"Enabled","Filter":{},"Expiration":{"Days":1},"NoncurrentVersionExpiration":{"NoncurrentDays":1}}]}\'', 'aws.s3.lifecycle.expire-current aws.s3.lifecycle.noncurrent-short'],
    [`aws backup update-backup-plan --backup-plan-id p1 --backup-plan file://${emptyPlan}`, 'aws.backup.plan.no-rules'],
    ['aws backup update-backup-plan --backup-plan-id p1 --backup-plan \'{"BackupPlanName":"p","Rules":[]}\'', 'aws.backup.plan.no-rules'],
    ['aws backup update-backup-plan --backup-plan-id p1 --backup-plan BackupPlanName=p', 'aws.backup.plan.no-rules'],
    ['aws backup update-backup-plan --cli-input-json \'{"BackupPlanId":"p1","BackupPlan":{"BackupPlanName":"p","Rules":[]}}\'', 'aws.backup.plan.no-rules'],
    [`aws backup update-backup-plan --backup-plan-id p1 --backup-plan file://${shortPlan}`, 'aws.backup.plan.short-retention'],
    ['aws backup update-backup-plan --backup-plan-id p1 --backup-plan BackupPlanName=p,Rules=[{RuleName=r,TargetBackupVaultName=v,Lifecycle={DeleteAfterDays=2}}]', 'aws.backup.plan.short-retention'],
    ['aws backup update-backup-plan --backup-plan-id p1 --backup-plan file:///nonexistent/plan.json', 'aws.backup.plan.no-rules aws.parameter.unreadable'],
    ['aws backup update-recovery-point-lifecycle --backup-vault-name v --recovery-point-arn a --lifecycle DeleteAfterDays=1', 'aws.backup.recovery-point.shorten'],
    ['aws backup update-recovery-point-lifecycle --backup-vault-name v --recovery-point-arn a --lifecycle \'{"DeleteAfterDays": 0}\'', 'aws.backup.recovery-point.shorten'],
    ['aws backup delete-backup-plan --backup-plan-id p1', 'aws.api.delete aws.backup.plan.delete'],
    ['aws backup delete-backup-vault --backup-vault-name v', 'aws.api.delete aws.backup.recovery-point.delete'],
    ['aws backup delete-recovery-point --backup-vault-name v --recovery-point-arn a', 'aws.api.delete aws.backup.recovery-point.delete'],
    ['aws rds modify-db-instance --db-instance-identifier shop-prod --backup-retention-period 1', 'aws.rds.backup-retention-short'],
    ['aws rds modify-db-cluster --db-cluster-identifier c --backup-retention-period=06', 'aws.rds.backup-retention-short'],
    ['aws rds modify-db-instance --cli-input-json \'{"DBInstanceIdentifier":"db","BackupRetentionPeriod":1}\'', 'aws.rds.backup-retention-short'],
    ['aws dynamodb update-continuous-backups --table-name t --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=1', 'aws.dynamodb.pitr.short'],
    ['aws dynamodb update-continuous-backups --table-name t --point-in-time-recovery-specification \'{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":3}\'', 'aws.dynamodb.pitr.short'],
    ['aws rds modify-db-cluster --db-cluster-identifier c --backtrack-window 0', 'aws.rds.backtrack.off'],
    ['aws rds modify-db-cluster --db-cluster-identifier c --backtrack-window=00', 'aws.rds.backtrack.off'],
    ['aws dlm update-lifecycle-policy --policy-id p --state DISABLED', 'aws.dlm.policy.disable'],
    ['aws dlm update-lifecycle-policy --state=DISABLED --policy-id p', 'aws.dlm.policy.disable'],
    // 0 is the rule of its own, not both
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period 0', 'aws.rds.backup-retention-zero'],
    // never gated
    [`aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration file://${noncurrent30}`, ''],
    ['aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration \'{"Rules":[{"ID":"x","Status":"Enabled","Filter":{"Prefix":"logs/"},"Transitions":[{"Days":30,"StorageClass":"GLACIER"}]}]}\'', ''],
    [`aws backup update-backup-plan --backup-plan-id p1 --backup-plan file://${longPlan}`, ''],
    ['aws backup update-backup-plan --backup-plan-id p1 --backup-plan \'{"BackupPlanName":"p","Rules":[{"RuleName":"r","TargetBackupVaultName":"v"}]}\'', ''],
    ['aws backup update-recovery-point-lifecycle --backup-vault-name v --recovery-point-arn a --lifecycle MoveToColdStorageAfterDays=30,DeleteAfterDays=365', ''],
    ['aws backup get-backup-plan --backup-plan-id p1', ''],
    ['aws dynamodb update-continuous-backups --table-name t --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=35', ''],
    ['aws rds modify-db-cluster --db-cluster-identifier c --backtrack-window 86400', ''],
    ['aws dlm update-lifecycle-policy --policy-id p --state ENABLED', ''],
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period 7', ''],
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period 35', ''],
  ], (line) => rulesOf(line));
});

describe('gcloud and az: retention shortened, long-term retention off', () => {
  table((line) => line, [
    ['gcloud sql instances patch shop-prod --retained-backups-count=1', 'gcloud.sql.retained-backups.short'],
    ['gcloud sql instances patch --retained-backups-count 2 shop-prod', 'gcloud.sql.retained-backups.short'],
    ['gcloud sql instances patch shop-prod --retained-transaction-log-days=1', 'gcloud.sql.log-retention.short'],
    ['gcloud sql instances patch shop-prod --no-backup', 'gcloud.sql.backup.off'],
    ['gcloud alloydb clusters update c --region r --disable-automated-backup', 'gcloud.alloydb.backup.off'],
    ['gcloud beta alloydb clusters update c --region=r --no-enable-continuous-backup', 'gcloud.alloydb.continuous-backup.off'],
    ['gcloud alloydb clusters update c --region r --automated-backup-retention-count=1', 'gcloud.alloydb.retention.short'],
    ['gcloud alloydb clusters update c --region r --continuous-backup-recovery-window-days 1', 'gcloud.alloydb.recovery-window.short'],
    ['az postgres flexible-server update -g rg -n shop-prod --backup-retention 1', 'az.postgres-mysql.backup-retention.short'],
    ['az mysql flexible-server update -g rg -n shop-prod --backup-retention=3', 'az.postgres-mysql.backup-retention.short'],
    // argparse takes an unambiguous prefix of an option
    ['az postgres flexible-server update -g rg -n shop-prod --backup-ret 1', 'az.postgres-mysql.backup-retention.short'],
    ['az postgres flexible-server update -g rg -n shop-prod --set backup.backupRetentionDays=1', 'az.postgres-mysql.backup-retention.short'],
    ['az mysql flexible-server update -g rg -n shop-prod --set BackupRetentionDays=2', 'az.postgres-mysql.backup-retention.short'],
    ['az postgres server update -g rg -n shop-prod --set storageProfile.backupRetentionDays="1"', 'az.postgres-mysql.backup-retention.short'],
    [`az postgres flexible-server update -g rg -n shop-prod --set 'backup={"backupRetentionDays":1}'`, 'az.postgres-mysql.backup-retention.short'],
    ['az resource update --ids /subscriptions/s/resourceGroups/rg-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop --set properties.backup.backupRetentionDays=1', 'az.resource.backup-retention.short'],
    [`az resource update -g rg -n shop --resource-type Microsoft.DBforMySQL/flexibleServers --set 'properties.backup={"BackupRetentionDays":2}'`, 'az.resource.backup-retention.short'],
    ['az sql db str-policy set -g rg -s srv -n db --retention-days 1', 'az.sql.short-term-retention.short'],
    ['az sql midb short-term-retention-policy set -g rg --mi mi -n db --retention-days 1', 'az.sql.short-term-retention.short'],
    ['az sql db ltr-policy set -g rg -s srv -n db --weekly-retention P0W --monthly-retention P0M --yearly-retention P0Y --week-of-year 1', 'az.sql.ltr.weekly-off az.sql.ltr.monthly-off az.sql.ltr.yearly-off'],
    ['az sql db ltr-policy set -g rg -s srv -n db --weekly-retention PT0S', 'az.sql.ltr.weekly-off'],
    ['az sql midb ltr-policy set -g rg --mi mi -n db --yearly-retention p0y', 'az.sql.ltr.yearly-off'],
    ['az sql db ltr-policy set -g rg -s srv -n db --monthly-retention garbage', 'az.sql.ltr.monthly-off'],
    [`gsutil lifecycle set ${gcsNoncurrent1} gs://shop-prod-backups`, 'gsutil.lifecycle.noncurrent-short'],
    [`gsutil lifecycle set ${gcsAgeNotLive} gs://b`, 'gsutil.lifecycle.noncurrent-short'],
    [`gsutil lifecycle set ${gcsBeforeDate} gs://b`, 'gsutil.lifecycle.noncurrent-short'],
    [`gsutil lifecycle set ${gcsOddDays} gs://b`, 'gsutil.lifecycle.noncurrent-short'],
    [`gcloud storage buckets update gs://shop-prod-backups --lifecycle-file=${gcsNoncurrent1}`, 'gcloud.storage.lifecycle.noncurrent-short'],
    [`gcloud storage buckets update --lifecycle-file ${gcsAgeNotLive} gs://b`, 'gcloud.storage.lifecycle.noncurrent-short'],
    // never gated
    [`gsutil lifecycle set ${gcsNoncurrent30} gs://b`, ''],
    [`gcloud storage buckets update gs://b --lifecycle-file=${gcsNoncurrent30}`, ''],
    ['gcloud sql instances patch shop-prod --retained-backups-count=30', ''],
    ['gcloud alloydb clusters update c --region r --automated-backup-retention-count=14 --continuous-backup-recovery-window-days=14', ''],
    ['gcloud alloydb clusters update c --region r --enable-continuous-backup', ''],
    ['gcloud sql instances patch shop-prod --retained-transaction-log-days 7', ''],
    ['az postgres flexible-server update -g rg -n shop-prod --backup-retention 14', ''],
    ['az postgres flexible-server update -g rg -n shop-prod --set backup.backupRetentionDays=14', ''],
    ['az postgres flexible-server update -g rg -n shop-prod --set tags.owner=team', ''],
    [`az postgres flexible-server update -g rg -n shop-prod --set 'backup={"backupRetentionDays":35}'`, ''],
    ['az resource update --ids /subscriptions/s/resourceGroups/rg-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop --set properties.backup.backupRetentionDays=14', ''],
    ['az resource update -g rg -n vm1 --resource-type Microsoft.Compute/virtualMachines --set tags.env=prod', ''],
    ['az sql db str-policy set -g rg -s srv -n db --retention-days 7', ''],
    ['az sql db ltr-policy set -g rg -s srv -n db --weekly-retention P12W --monthly-retention P12M --yearly-retention P5Y --week-of-year 1', ''],
    ['az sql db ltr-policy show -g rg -s srv -n db', ''],
  ], (line) => rulesOf(line));
});

describe('ISO 8601 durations as days (az long-term retention)', () => {
  table((value) => value, [
    ['P0W', '0'],
    ['PT0S', '0'],
    ['P12W', '84'],
    ['P1Y', '365'],
    ['P1M2D', '32'],
    ['PT12H', '0.5'],
    ['P', 'P'],
    ['PT', 'PT'],
    ['12', '12'],
    ['weekly', 'weekly'],
  ], (value) => isoDays(value));

  it('never turns a value into a number of a week or more unless it says so (fuzz)', () => {
    const next = random(20260425);
    const alphabet = 'PTYMWDHS0123456789.-+ x';
    for (let i = 0; i < 3000; i++) {
      let value = '';
      const n = 1 + Math.floor(next() * 10);
      for (let j = 0; j < n; j++) value += alphabet[Math.floor(next() * alphabet.length)];
      const days = isoDays(value);
      // Either the value is left as written (a rule counts it as under) or it is a number read from it.
      if (days !== value) {
        expect(days).toMatch(/^\d+(\.\d+)?(e[-+]?\d+)?$/);
        expect(value.trim().toUpperCase().startsWith('P')).toBe(true);
      }
    }
  });
});

describe('a `--flag<N` condition', () => {
  it('counts a value that is not a number as under N, and a number at N as not', async () => {
    const config = await loadConfig(emptyHome, { HOME: emptyHome });
    const rule = config.rules.find((r) => r.id === 'aws.rds.backup-retention-short')!;
    const command = (value: string) => ({ path: ['rds', 'modify-db-instance'], flags: new Map([['--backup-retention-period', [value]]]) });
    expect(matchesRule(command('6'), rule)).toBe(true);
    expect(matchesRule(command('6.5'), rule)).toBe(true);
    expect(matchesRule(command('seven'), rule)).toBe(true);
    expect(matchesRule(command(''), rule)).toBe(true);
    expect(matchesRule(command('7'), rule)).toBe(false);
    expect(matchesRule(command('0'), rule)).toBe(false); // the zero rule's, by `without`
  });
});

describe('a comparison in a rules file', () => {
  it('names the line of a comparison that is not --flag<N', async () => {
    const text = 'rules:\n  - id: my.short\n    tool: aws\n    with: ["--backup-retention-period<seven"]\n    effect: destroy\n    summary: s\n';
    await expect(readLayer('rules.yaml', text)).rejects.toThrow(/rules\.yaml:4:.*a comparison is written --flag<N/);
  });

  it('accepts one that is', async () => {
    const text = 'rules:\n  - id: my.short\n    tool: aws\n    with: ["--backup-retention-period<14"]\n    effect: destroy\n    summary: s\n';
    expect((await readLayer('rules.yaml', text)).layer.rules[0].with).toEqual(['--backup-retention-period<14']);
  });
});

describe('retention values an agent might try (fuzz)', () => {
  it('gates every retention that is not plainly a number of 7 days or more', async () => {
    const next = random(7331);
    const alphabet = '0123456789 .+-eE7xP';
    for (let i = 0; i < 150; i++) {
      let value = '';
      const n = 1 + Math.floor(next() * 5);
      for (let j = 0; j < n; j++) value += alphabet[Math.floor(next() * alphabet.length)];
      const found = await rulesOf(`aws rds modify-db-instance --db-instance-identifier db --backup-retention-period '${value}'`);
      const plain = /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
      if (plain !== undefined && plain >= 7) expect(found, value).toBe('');
      else expect(found, value).toMatch(/aws\.rds\.backup-retention-(short|zero)/);
    }
  });

  it('judges random Cloud Storage lifecycle files: never a crash, and a short noncurrent delete is never kept', () => {
    const next = random(4242);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const values = [0, 1, 6, 7, 30, -1, 6.5, '3', null, true, [], {}];
    const keys = ['daysSinceNoncurrentTime', 'age', 'isLive', 'numNewerVersions', 'noncurrentTimeBefore', 'createdBefore', 'matchesPrefix'];
    for (let i = 0; i < 400; i++) {
      const rules = Array.from({ length: Math.floor(next() * 4) }, () => {
        const condition: Record<string, unknown> = {};
        for (let k = Math.floor(next() * 3); k > 0; k--) condition[pick(keys)] = pick([...values, false]);
        return next() < 0.1 ? pick([null, 'Delete', {}]) : { action: { type: pick(['Delete', 'SetStorageClass', 'AbortIncompleteMultipartUpload', 7]) }, ...(next() < 0.9 ? { condition } : {}) };
      });
      const text = next() < 0.05 ? '{"rule": [' : JSON.stringify(next() < 0.5 ? { rule: rules } : { lifecycle: { rule: rules } });
      const verdict = judgeLifecycle(text);
      expect(['deletes-live-objects', 'trims-recent-versions', 'keeps-live-objects', 'unreadable'], text).toContain(verdict);
      const shortNoncurrent = rules.some((r) => {
        const rule = r as { action?: { type?: unknown }; condition?: Record<string, unknown> } | null;
        const c = rule?.condition;
        return rule?.action?.type === 'Delete' && c !== undefined && c !== null && typeof c === 'object' && typeof c.daysSinceNoncurrentTime === 'number' && c.daysSinceNoncurrentTime < 7;
      });
      if (shortNoncurrent) expect(verdict, text).not.toBe('keeps-live-objects');
    }
  });

  it('gates a backup plan unless every rule keeps its points a week or more (random plans)', async () => {
    const next = random(9001);
    for (let i = 0; i < 60; i++) {
      const rules = Array.from({ length: Math.floor(next() * 3) }, (_, k) => ({
        RuleName: `r${k}`,
        TargetBackupVaultName: 'v',
        ...(next() < 0.8 ? { Lifecycle: { DeleteAfterDays: Math.floor(next() * 20) } } : {}),
      }));
      const plan = JSON.stringify({ BackupPlanName: 'p', Rules: rules });
      const found = await rulesOf(`aws backup update-backup-plan --backup-plan-id p1 --backup-plan '${plan}'`);
      const short = rules.some((r) => 'Lifecycle' in r && r.Lifecycle!.DeleteAfterDays < 7);
      expect(found, plan).toBe(rules.length === 0 ? 'aws.backup.plan.no-rules' : short ? 'aws.backup.plan.short-retention' : '');
    }
  });
});
