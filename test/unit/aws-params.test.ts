// The AWS CLI's structured values (shorthand, JSON, file://, --cli-input-json/yaml) read into dotted flags.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionName, readShorthand, readStructuredParameters } from '../../src/tools/aws-params.js';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

describe('shorthand syntax', () => {
  table((text) => text, [
    ['Status=Suspended', { Status: 'Suspended' }],
    ['MFADelete=Disabled,Status=Suspended', { MFADelete: 'Disabled', Status: 'Suspended' }],
    ['PointInTimeRecoveryEnabled=false,RecoveryPeriodInDays=7', { PointInTimeRecoveryEnabled: 'false', RecoveryPeriodInDays: '7' }],
    ['Value=false', { Value: 'false' }],
    ['Key={Sub=v,Other=w},Next=x', { Key: { Sub: 'v', Other: 'w' }, Next: 'x' }],
    ['Rules=[{ID=a,Expiration={Days=1}}]', { Rules: [{ ID: 'a', Expiration: { Days: '1' } }] }],
    ['Tags=[a,b]', { Tags: ['a', 'b'] }],
    ['Name="a,b",X=1', { Name: 'a,b', X: '1' }],
    ['Desc=a,b,X=1', { Desc: 'a,b', X: '1' }],
    ['', undefined],
    ['no-equals', undefined],
    ['Key={Sub=v', undefined],
    ['=v', undefined],
  ], (text) => readShorthand(text));
});

describe('request members as options', () => {
  table((key) => key, [
    ['BackupRetentionPeriod', 'backup-retention-period'],
    ['DBInstanceIdentifier', 'db-instance-identifier'],
    ['DeletionProtection', 'deletion-protection'],
    ['PointInTimeRecoverySpecification', 'point-in-time-recovery-specification'],
    ['SkipFinalSnapshot', 'skip-final-snapshot'],
  ], (key) => optionName(key));
});

describe('file:// values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaperone-aws-params-'));
  writeFileSync(join(dir, 'expire.json'), JSON.stringify({ Rules: [{ ID: 'old', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }] }));
  writeFileSync(join(dir, 'mpu.json'), JSON.stringify({ Rules: [{ ID: 'mpu', Status: 'Enabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] }));
  writeFileSync(join(dir, 'suspend.json'), '{"Status":"Suspended"}');
  writeFileSync(join(dir, 'request.json'), '{"DBInstanceIdentifier":"db","BackupRetentionPeriod":0}');

  it('reads a lifecycle file relative to the working directory', async () => {
    const flags = new Map([['--lifecycle-configuration', ['file://expire.json']]]);
    await readStructuredParameters(flags, dir, { HOME: emptyHome });
    expect(flags.get('--lifecycle-configuration.Rules.Expiration.Days')).toEqual(['30']);
    expect(flags.get('--lifecycle-configuration.Rules.Status')).toEqual(['Enabled']);
  });

  it('gates a file that expires current objects, and not one that only aborts uploads', async () => {
    expect(await rulesOf(`aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration file://${dir}/expire.json`)).toBe('aws.s3.lifecycle.expire-current');
    expect(await rulesOf(`aws s3api put-bucket-lifecycle-configuration --bucket b --lifecycle-configuration file://${dir}/mpu.json`)).toBe('');
    expect(await rulesOf(`aws s3api put-bucket-versioning --bucket b --versioning-configuration fileb://${dir}/suspend.json`)).toBe('aws.s3.versioning.suspend');
    expect(await rulesOf(`aws rds modify-db-instance --cli-input-json file://${dir}/request.json`)).toBe('aws.rds.backup-retention-zero');
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text.trim());
    return /^[[{]/.test(text.trim());
  } catch {
    return false;
  }
}

describe('the structured reader never throws', () => {
  const pieces = ['Status', '=', ',', '{', '}', '[', ']', '"', "'", '\\', 'Suspended', 'false', ' ', 'file://', 'fileb://', '~/', '0', '\n', 'Rules', ':', 'null', 'true'];
  it('on thousands of random values, for every parameter it reads', async () => {
    const next = random(10);
    for (let i = 0; i < 3000; i++) {
      const value = Array.from({ length: 1 + Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      for (const name of ['--versioning-configuration', '--lifecycle-configuration', '--cli-input-json', '--cli-input-yaml']) {
        const flags = new Map([[name, [value]]]);
        await readStructuredParameters(flags, emptyHome, { HOME: emptyHome });
        // A value that is neither JSON nor shorthand is never taken as harmless: it is flagged.
        const parses = readShorthand(value.trim()) !== undefined || isJson(value);
        if (!parses && name !== '--cli-input-yaml') expect(flags.get('--unreadable-parameter'), value).toEqual([name]);
      }
    }
  });
});
