// Recovery routes (issue 10) through the real shims, with recording doubles standing in for the real
// CLIs: a refused command's double never runs; an allowed one runs with its argv untouched. The agent
// here has no terminal. Real aws and git are in real-recovery.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const tools = ['fly', 'gcloud', 'gsutil', 'heroku', 'railway', 'docker', 'gh', 'velero'];
let sb: Sandbox;
beforeAll(async () => {
  sb = await makeSandbox(tools);
  for (const tool of tools) sb.double(tool, { stdout: `${tool} ran\n` });
  sb.write(
    'home/.flyrc',
    'targets:\n  ci:\n    api: https://ci.acme-prod.example\n    team: main\n  lab:\n    api: http://127.0.0.1:8080\n    team: dev\n',
  );
  writeKubeconfig(join(sb.home, '.kube', 'config'), { current: 'gke-acme-prod', contexts: [{ name: 'gke-acme-prod' }, { name: 'kind-dev' }] });
});

/** Runs one command through the shim; `argv` is what the double got, undefined when it never ran. */
const run = async (tool: string, args: string[], env: Record<string, string> = {}) => {
  rmSync(join(sb.records, tool), { recursive: true, force: true });
  const result = await sb.run(tool, args, { env });
  const argv = sb.record(tool)?.argv;
  return { result, ran: argv !== undefined, argv };
};

describe('Concourse fly, told apart from flyctl', () => {
  it("refuses an agent's destroy-pipeline on a production target from ~/.flyrc; fly never runs", async () => {
    const { result, ran } = await run('fly', ['-t', 'ci', 'destroy-pipeline', '-p', 'deploy', '--non-interactive']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('fly.concourse.destroy-pipeline [destroy]');
    expect(result.stderr).toContain('environment  ci (production)');
    expect(result.stderr).toContain('targets.ci.api = https://ci.acme-prod.example');
    expect(ran).toBe(false);
  });

  it('refuses the alias `dp` with --target=, and destroy-team', async () => {
    for (const args of [['dp', '--target=ci', '-p', 'deploy'], ['-t', 'ci', 'destroy-team', '-n', 'main']]) {
      const { result, ran } = await run('fly', args);
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(ran).toBe(false);
    }
  });

  it('runs destroy-pipeline on a local target with a notice, argv untouched', async () => {
    const args = ['-t', 'lab', 'dp', '-p', 'deploy', '--non-interactive'];
    const { result, argv } = await run('fly', args);
    expect(result.stderr).toBe('chaperone: fly.concourse.destroy-pipeline in lab (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(argv).toEqual(args);
  });

  it('lets a benign Concourse command run silently', async () => {
    const { result, argv } = await run('fly', ['-t', 'ci', 'get-pipeline', '-p', 'deploy']);
    expect(result.stderr).toBe('');
    expect(argv).toEqual(['-t', 'ci', 'get-pipeline', '-p', 'deploy']);
  });
});

describe('turning recovery off, with a production target', () => {
  const prod = { CLOUDSDK_CORE_PROJECT: 'acme-prod' };
  const cases: [string, string[], string, Record<string, string>][] = [
    ['gcloud', ['sql', 'instances', 'patch', 'orders', '--no-backup'], 'gcloud.sql.backup.off [disables-recovery]', prod],
    ['gcloud', ['storage', 'buckets', 'update', 'gs://acme-prod-assets', '--no-versioning'], 'gcloud.storage.versioning.off [disables-recovery]', prod],
    ['gcloud', ['compute', 'snapshots', 'delete', 'nightly'], 'gcloud.backups.delete [deletes-recovery]', prod],
    ['gsutil', ['versioning', 'set', 'off', 'gs://acme-prod-assets'], 'gsutil.versioning.off [disables-recovery]', prod],
    ['heroku', ['pg:backups:unschedule', 'DATABASE_URL', '-a', 'shop-prod'], 'heroku.pg.backups.unschedule [disables-recovery]', {}],
    ['heroku', ['pg:backups:restore', 'b101', 'DATABASE_URL', '-a', 'shop-prod', '--confirm', 'shop-prod'], 'heroku.pg.backups.restore [restores-over]', {}],
    ['railway', ['postgres', 'pitr', 'disable', '-e', 'production', '--yes'], 'railway.postgres.pitr.disable [disables-recovery]', {}],
    ['railway', ['postgres', '-e', 'production', 'pitr', 'backup', 'restore', 'b1', '-y'], 'railway.postgres.backup.restore [restores-over]', {}],
    ['railway', ['volume', '-e', 'production', 'file', 'delete', '/data/pgdata', '--yes'], 'railway.volume.files.delete [destroy]', {}],
  ];
  for (const [tool, args, finding, env] of cases) {
    it(`refuses ${tool} ${args.join(' ')}; the real ${tool} never runs`, async () => {
      const { result, ran } = await run(tool, args, env);
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain(finding);
      expect(ran).toBe(false);
    });
  }

  it('runs the benign neighbours untouched and silently', async () => {
    for (const [tool, args, env] of [
      ['gcloud', ['sql', 'instances', 'patch', 'orders', '--backup-start-time', '02:00'], prod],
      ['gsutil', ['versioning', 'set', 'on', 'gs://acme-prod-assets'], prod],
      ['railway', ['postgres', 'pitr', 'schedule', 'set', '--daily', '--weekly', '--monthly', '-e', 'production'], {}],
      ['gh', ['repo', 'delete', 'me/shop', '-h'], {}],
    ] as [string, string[], Record<string, string>][]) {
      const { result, argv } = await run(tool, args, env);
      expect(result.stderr, `${tool} ${args.join(' ')}`).toBe('');
      expect(argv).toEqual(args);
    }
  });

  it('judges the same routes in a whole shell line, as the agent hooks do', async () => {
    const result = await sb.chaperone(['check', '--actor', 'agent', '--command', 'gsutil versioning set off gs://acme-prod-assets && echo done'], { env: prod });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toContain('gsutil.versioning.off');
  });
});

describe('velero', () => {
  it("refuses an agent's backup delete in the production context; velero never runs", async () => {
    for (const args of [['backup', 'delete', 'nightly', '--confirm'], ['delete', 'backup', '--all', '--confirm']]) {
      const { result, ran } = await run('velero', args);
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain('velero.backup.delete [deletes-recovery]');
      expect(result.stderr).toContain('environment  gke-acme-prod (production)');
      expect(ran).toBe(false);
    }
  });

  it('runs it in a development context with a notice, argv untouched; a backup create runs silently', async () => {
    const args = ['backup', 'delete', 'nightly', '--confirm', '--kubecontext', 'kind-dev'];
    const deleted = await run('velero', args);
    expect(deleted.result.stderr).toBe('chaperone: velero.backup.delete in kind-dev (development): allowed\n');
    expect(deleted.argv).toEqual(args);
    const created = await run('velero', ['backup', 'create', 'before-migration']);
    expect(created.result.stderr).toBe('');
    expect(created.argv).toEqual(['backup', 'create', 'before-migration']);
  });
});
