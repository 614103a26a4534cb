// terraform through the real shim, with a recording double standing in for terraform.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let repo: string;
beforeEach(async () => {
  sb = await makeSandbox(['terraform', 'tofu']);
  sb.double('terraform', { stdout: 'Destroy complete!\n' });
  sb.double('tofu', { stdout: 'Destroy complete!\n' });
  // A repository, so that only infra/envs/... is read for environment words.
  repo = join(sb.work, 'infra');
  for (const dir of ['.git', 'envs/prod', 'envs/dev']) mkdirSync(join(repo, dir), { recursive: true });
});

describe('terraform through the shim, with no terminal (an agent)', () => {
  it('refuses destroy in envs/prod, naming the rule, production and the working directory', async () => {
    const result = await sb.run('terraform', ['destroy', '-auto-approve'], { cwd: join(repo, 'envs/prod') });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: terraform destroy -auto-approve');
    expect(result.stderr).toContain('terraform.destroy [destroy]');
    expect(result.stderr).toContain('environment  prod (production): "infra/envs/prod" contains "prod"');
    expect(result.stderr).toContain(`evidence   default working directory: ${join(repo, 'envs/prod')}, read as infra/envs/prod`);
    expect(result.stderr).toContain('evidence   default workspace: default (no TF_WORKSPACE');
    expect(sb.record('terraform')).toBeUndefined();
  });

  it('runs the same destroy in envs/dev, with a one-line notice, and passes argv through untouched', async () => {
    const result = await sb.run('terraform', ['destroy', '-auto-approve'], { cwd: join(repo, 'envs/dev') });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Destroy complete!\n');
    expect(result.stderr).toBe('chaperone: terraform.destroy in dev (development): allowed\n');
    expect(sb.record('terraform')?.argv).toEqual(['destroy', '-auto-approve']);
  });

  it('reads -chdir before the command: from envs/dev, -chdir=../prod is production', async () => {
    const result = await sb.run('terraform', ['-chdir=../prod', 'destroy'], { cwd: join(repo, 'envs/dev') });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`evidence   flag -chdir ../prod (working directory ${join(repo, 'envs/prod')}, read as infra/envs/prod)`);
    expect(sb.record('terraform')).toBeUndefined();
  });

  it('refuses a plain apply when TF_CLI_ARGS_apply injects -destroy, and says so', async () => {
    const result = await sb.run('terraform', ['apply', '-auto-approve'], { cwd: join(repo, 'envs/prod'), env: { TF_CLI_ARGS_apply: '-destroy' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('terraform.apply.destroy [destroy]');
    expect(result.stderr).toContain('evidence   env TF_CLI_ARGS_apply=-destroy (inserted after the command)');
    expect(sb.record('terraform')).toBeUndefined();
  });

  it('holds TF_WORKSPACE=production even in envs/dev: the strictest fact wins', async () => {
    const result = await sb.run('tofu', ['destroy'], { cwd: join(repo, 'envs/dev'), env: { TF_WORKSPACE: 'production' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('chaperone: refused: tofu destroy');
    expect(result.stderr).toContain('evidence   env TF_WORKSPACE=production');
    expect(sb.record('tofu')).toBeUndefined();
  });

  it('passes plan -destroy in production through untouched, with nothing on stderr', async () => {
    const result = await sb.run('terraform', ['plan', '-destroy', '-out=destroy.tfplan'], { cwd: join(repo, 'envs/prod') });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('terraform')?.argv).toEqual(['plan', '-destroy', '-out=destroy.tfplan']);
  });

  it('never gates -help, even on destroy in production', async () => {
    const result = await sb.run('terraform', ['destroy', '-auto-approve', '-help'], { cwd: join(repo, 'envs/prod') });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('terraform')?.argv).toEqual(['destroy', '-auto-approve', '-help']);
  });
});
