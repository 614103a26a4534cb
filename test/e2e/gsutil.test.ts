// gsutil through the real shim, with a recording double standing in for gsutil so nothing reaches
// Cloud Storage.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['gsutil']);
  sb.double('gsutil', { stdout: 'Removing gs://scratch-bucket/...\n' });
  const gcloud = join(sb.home, '.config', 'gcloud');
  mkdirSync(join(gcloud, 'configurations'), { recursive: true });
  writeFileSync(join(gcloud, 'active_config'), 'default');
  writeFileSync(join(gcloud, 'configurations', 'config_default'), '[core]\nproject = acme-dev\n');
});

describe('gsutil through the shim, with no terminal (an agent)', () => {
  it('refuses a recursive rm of a production bucket, naming the bucket', async () => {
    const args = ['-m', 'rm', '-r', 'gs://acme-prod-assets'];
    const result = await sb.run('gsutil', args);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: gsutil -m rm -r gs://acme-prod-assets');
    expect(result.stderr).toContain('gsutil.rm.recursive [destroy]');
    expect(result.stderr).toContain('acme-prod-assets (production): "acme-prod-assets" contains "prod"');
    expect(result.stderr).toContain('argument bucket: gs://acme-prod-assets');
    expect(sb.record('gsutil')).toBeUndefined();
  });

  it("refuses rb when gcloud's project is production, whatever the bucket is called", async () => {
    const result = await sb.run('gsutil', ['rb', 'gs://scratch-bucket'], { env: { CLOUDSDK_CORE_PROJECT: 'acme-prod' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('gsutil.rb');
    expect(result.stderr).toContain('env CLOUDSDK_CORE_PROJECT=acme-prod');
    expect(sb.record('gsutil')).toBeUndefined();
  });

  it('runs a recursive rm of a scratch bucket in a development project, with a one-line notice', async () => {
    const args = ['-m', 'rm', '-r', 'gs://scratch-bucket'];
    const result = await sb.run('gsutil', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Removing gs://scratch-bucket/...\n');
    expect(result.stderr).toBe('chaperone: gsutil.rm.recursive in scratch-bucket (development): allowed\n');
    expect(sb.record('gsutil')?.argv).toEqual(args);
  });

  it('passes a read-only command through untouched', async () => {
    const result = await sb.run('gsutil', ['ls', '-l', 'gs://acme-prod-assets']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('gsutil')?.argv).toEqual(['ls', '-l', 'gs://acme-prod-assets']);
  });
});
