// The real terraform behind the real shim. Each working directory holds terraform_data resources (the
// built-in provider: no download, no network) applied with the real terraform directly; what the tests
// check is the state afterwards. A refused destroy leaves every resource in it, an allowed one empties it.
//
// Skipped with the reason printed when terraform is missing; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI)
// that is a failure instead.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, toolProblems, which } from '../helpers/system.js';

const group = toolGroup('terraform through the shim, against real local state', await toolProblems([['terraform', ['version']]]));

describe.skipIf(group.skip)(group.title, () => {
  let sb: Sandbox;
  let repo: string;
  /** No update check, no developer CLI config: the sandbox's env plus this. */
  const quiet = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

  /** Runs the real terraform directly, not through the shim. */
  const direct = async (dir: string, args: string[]) => {
    const result = await execa(which('terraform')!, args, { cwd: dir, env: { ...sb.env, ...quiet }, extendEnv: false, reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) throw new Error(`terraform ${args.join(' ')} failed in ${dir}: ${result.stderr}`);
    return result.stdout;
  };
  const stateList = (dir: string) => direct(dir, ['state', 'list']);

  /** A working directory with two applied terraform_data resources. */
  const applied = async (env: string) => {
    const dir = join(repo, 'envs', env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf'), ['resource "terraform_data" "bucket" { input = "logs" }', 'resource "terraform_data" "db" { input = "orders" }', ''].join('\n'));
    await direct(dir, ['init', '-input=false', '-no-color']);
    await direct(dir, ['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(await stateList(dir)).toBe('terraform_data.bucket\nterraform_data.db');
    return dir;
  };

  beforeAll(async () => {
    group.assertAvailable();
    sb = await makeSandbox(['terraform']);
    repo = join(sb.work, 'infra');
    mkdirSync(join(repo, '.git'), { recursive: true });
  });

  it("refuses an agent's destroy in envs/prod, and the state keeps every resource", async () => {
    const prod = await applied('prod');
    const before = await stateList(prod);
    const result = await sb.run('terraform', ['destroy', '-auto-approve'], { cwd: prod, env: quiet });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('terraform.destroy [destroy]');
    expect(result.stderr).toContain('environment  prod (production): "infra/envs/prod" contains "prod"');
    expect(result.stderr).toContain('The real terraform did not run.');
    expect(await stateList(prod)).toBe(before);
  });

  it('refuses apply -auto-approve in envs/prod when TF_CLI_ARGS_apply injects -destroy, and the state is intact', async () => {
    const prod = await applied('prod');
    const before = await stateList(prod);
    const result = await sb.run('terraform', ['apply', '-auto-approve'], { cwd: prod, env: { ...quiet, TF_CLI_ARGS_apply: '-destroy' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('terraform.apply.destroy [destroy]');
    expect(result.stderr).toContain('evidence   env TF_CLI_ARGS_apply=-destroy (inserted after the command)');
    expect(await stateList(prod)).toBe(before);
  });

  it('lets the same destroy run in envs/dev, and the real terraform empties the state', async () => {
    const dev = await applied('dev');
    const result = await sb.run('terraform', ['destroy', '-auto-approve', '-no-color'], { cwd: dev, env: quiet });
    expect(result.stderr).toContain('chaperone: terraform.destroy in dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Destroy complete! Resources: 2 destroyed.');
    expect(await stateList(dev)).toBe('');
  });

  it('passes a read-only state list in production through, silently', async () => {
    const prod = await applied('prod');
    const result = await sb.run('terraform', ['state', 'list'], { cwd: prod, env: quiet });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('terraform_data.bucket\nterraform_data.db\n');
  });
});
