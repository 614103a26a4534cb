// gcloud through the real shim: with a recording double standing in for gcloud (so nothing reaches Google
// Cloud), and then with the machine's real gcloud, to check that chaperone reads gcloud's configurations
// exactly as gcloud itself does.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, which } from '../helpers/system.js';

/** Writes gcloud configurations into a config dir: `active` names the active one, if any. */
function writeGcloudConfig(dir: string, projects: Record<string, string>, active?: string): void {
  mkdirSync(join(dir, 'configurations'), { recursive: true });
  for (const [name, project] of Object.entries(projects)) {
    writeFileSync(join(dir, 'configurations', `config_${name}`), `[core]\naccount = me@example.com\nproject = ${project}\n`);
  }
  if (active) writeFileSync(join(dir, 'active_config'), active);
}

/** gcloud must never prompt or phone home in a test. */
const quietGcloud = {
  CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
  CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
};

describe('gcloud through the shim, with no terminal (an agent)', () => {
  let sb: Sandbox;
  const deleteDb = ['sql', 'instances', 'delete', 'db1', '--quiet'];

  beforeEach(async () => {
    sb = await makeSandbox(['gcloud']);
    sb.double('gcloud', { stdout: 'Deleted [db1].\n' });
    writeGcloudConfig(join(sb.home, '.config', 'gcloud'), { prod: 'acme-prod', dev: 'acme-dev' }, 'prod');
  });

  it('refuses to delete a Cloud SQL instance in the active production project, naming the config file', async () => {
    const result = await sb.run('gcloud', deleteDb);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: gcloud sql instances delete db1 --quiet');
    expect(result.stderr).toContain('gcloud.sql.delete [destroy]');
    expect(result.stderr).toContain('acme-prod (production): "acme-prod" contains "prod"');
    expect(result.stderr).toContain('file ~/.config/gcloud/configurations/config_prod [core] project = acme-prod');
    expect(result.stderr).toContain('file ~/.config/gcloud/active_config active configuration = prod');
    expect(sb.record('gcloud')).toBeUndefined();
  });

  it('runs the same delete in a development configuration, with a one-line notice', async () => {
    const result = await sb.run('gcloud', deleteDb, { env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'dev' } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Deleted [db1].\n');
    expect(result.stderr).toBe('chaperone: gcloud.sql.delete in acme-dev (development): allowed\n');
    expect(sb.record('gcloud')?.argv).toEqual(deleteDb);
  });

  it('lets --project on the command line win over the configuration', async () => {
    const result = await sb.run('gcloud', ['--project', 'acme-prod', ...deleteDb], { env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'dev' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('flag --project acme-prod');
    expect(sb.record('gcloud')).toBeUndefined();
  });

  it('holds a recursive rm on a production bucket even when the project is development', async () => {
    const result = await sb.run('gcloud', ['storage', 'rm', '-r', 'gs://acme-prod-assets'], { env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('gcloud.storage.rm.recursive');
    expect(result.stderr).toContain('argument bucket: gs://acme-prod-assets');
    expect(sb.record('gcloud')).toBeUndefined();
  });

  it('passes a read-only command through untouched', async () => {
    const result = await sb.run('gcloud', ['sql', 'instances', 'list', '--format=json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('gcloud')?.argv).toEqual(['sql', 'instances', 'list', '--format=json']);
  });

  it('never gates --help, even on a delete in production', async () => {
    const result = await sb.run('gcloud', ['projects', 'delete', 'acme-prod', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('gcloud')?.argv).toEqual(['projects', 'delete', 'acme-prod', '--help']);
  });
});

// The machine's own gcloud, behind the shim: what `gcloud config get-value project` prints must be the
// project chaperone resolves for a gated command in the same environment.
const realGcloud = toolGroup('gcloud and chaperone agree on the project', which('gcloud') ? [] : ['gcloud is not on PATH']);

describe.skipIf(realGcloud.skip)(realGcloud.title, () => {
  let sb: Sandbox;
  beforeAll(async () => {
    realGcloud.assertAvailable();
    sb = await makeSandbox(['gcloud']); // no double: the shim finds the real gcloud on the system PATH
    writeGcloudConfig(join(sb.home, '.config', 'gcloud'), { prod: 'acme-prod', dev: 'acme-dev' }, 'prod');
    writeGcloudConfig(join(sb.root, 'cloudsdk'), { team: 'team-sandbox-42', dev: 'other-dev' }, 'dev');
  });

  /** The project the real gcloud reports (through the shim, which lets it pass), and chaperone's. */
  const bothProjects = async (globalFlags: string[], env: Record<string, string>) => {
    const [real, check] = await Promise.all([
      sb.run('gcloud', [...globalFlags, 'config', 'get-value', 'project'], { env: { ...quietGcloud, ...env } }),
      sb.chaperone(['check', '--json', '--', 'gcloud', ...globalFlags, 'sql', 'instances', 'delete', 'db1'], { env: { ...quietGcloud, ...env } }),
    ]);
    expect(real.exitCode).toBe(0);
    expect(String(real.stderr)).not.toContain('chaperone');
    return { gcloud: String(real.stdout).trim(), chaperone: JSON.parse(String(check.stdout)).environment.name as string };
  };

  it('reads ~/.config/gcloud/active_config and the configuration it names', async () => {
    const { gcloud, chaperone } = await bothProjects([], {});
    expect(gcloud).toBe('acme-prod');
    expect(chaperone).toBe(gcloud);
  });

  it('lets --configuration beat CLOUDSDK_ACTIVE_CONFIG_NAME and the active_config file under CLOUDSDK_CONFIG', async () => {
    const { gcloud, chaperone } = await bothProjects(['--configuration', 'team'], { CLOUDSDK_CONFIG: join(sb.root, 'cloudsdk'), CLOUDSDK_ACTIVE_CONFIG_NAME: 'dev' });
    expect(gcloud).toBe('team-sandbox-42');
    expect(chaperone).toBe(gcloud);
  });
});
