// pulumi, terragrunt, cdk, sst, serverless, mongorestore and mysqladmin through the real shims, with
// recording doubles standing in for the tools: refused for production with no terminal (an agent) and
// the double never runs; allowed with a notice for development, argv untouched; benign calls and
// --help pass silently; and what a refused agent types next.

import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const executables = ['pulumi', 'terragrunt', 'cdk', 'sst', 'serverless', 'sls', 'mongorestore', 'mysqladmin', 'mariadb-admin'];
let sb: Sandbox;
let shop: string;
let infra: string;

beforeAll(async () => {
  sb = await makeSandbox(executables);
  for (const tool of executables) sb.double(tool, { stdout: `${tool} ran\n` });
  // A Pulumi project whose selected stack is production, as `pulumi stack select` leaves it.
  shop = join(sb.work, 'shop');
  mkdirSync(shop, { recursive: true });
  writeFileSync(join(shop, 'Pulumi.yaml'), 'name: shop\nruntime: nodejs\n');
  const settings = join(sb.home, '.pulumi', 'workspaces', `shop-${createHash('sha1').update(join(shop, 'Pulumi.yaml')).digest('hex')}-workspace.json`);
  mkdirSync(join(settings, '..'), { recursive: true });
  writeFileSync(settings, JSON.stringify({ stack: 'acme/shop/production' }));
  // A terragrunt repository with prod and dev units.
  infra = join(sb.work, 'infra');
  for (const unit of ['envs/prod/db', 'envs/dev/db']) {
    mkdirSync(join(infra, unit), { recursive: true });
    writeFileSync(join(infra, unit, 'terragrunt.hcl'), '');
  }
  mkdirSync(join(infra, '.git'), { recursive: true });
});

/** Runs a tool through its shim; fresh records each time. */
async function run(tool: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  rmSync(sb.records, { recursive: true, force: true });
  mkdirSync(sb.records);
  return sb.run(tool, args, options);
}

function expectRefused(result: { exitCode?: number; stdout: unknown; stderr: unknown }, tool: string, rule: string, environment: string): void {
  expect(result.exitCode).toBe(77);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`chaperone: refused: ${tool}`);
  expect(result.stderr).toContain(rule);
  expect(result.stderr).toContain(`environment  ${environment}`);
  expect(result.stderr).toContain(`The real ${tool} did not run.`);
  expect(sb.record(tool)).toBeUndefined();
}

function expectRan(result: { exitCode?: number; stdout: unknown; stderr: unknown }, tool: string, args: string[], stderr: string): void {
  expect(result.stderr).toBe(stderr);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe(`${tool} ran\n`);
  expect(sb.record(tool)?.argv).toEqual(args);
}

describe('pulumi', () => {
  it('refuses destroy of the selected production stack, naming the workspace file', async () => {
    const result = await run('pulumi', ['destroy', '--yes'], { cwd: shop });
    expectRefused(result, 'pulumi', 'pulumi.destroy [destroy]', 'acme/shop/production (production)');
    expect(result.stderr).toMatch(/evidence {3}file ~\/\.pulumi\/workspaces\/shop-[0-9a-f]{40}-workspace\.json stack = acme\/shop\/production \(selected for project shop/);
  });
  it('refuses the next try, `down -s acme/shop/prod`, and `up` against production too', async () => {
    expectRefused(await run('pulumi', ['down', '-s', 'acme/shop/prod', '-y'], { cwd: shop }), 'pulumi', 'pulumi.destroy', 'acme/shop/prod (production)');
    expectRefused(await run('pulumi', ['up', '--yes', '--skip-preview'], { cwd: shop }), 'pulumi', 'pulumi.up [disrupt]', 'acme/shop/production (production)');
    expectRefused(await run('pulumi', ['stack', 'rm', 'acme/shop/production', '--force', '-y'], { cwd: shop }), 'pulumi', 'pulumi.stack.rm', 'acme/shop/production (production)');
  });
  it('runs destroy of a dev stack with a notice, argv untouched', async () => {
    expectRan(await run('pulumi', ['destroy', '-s', 'dev', '--yes'], { cwd: shop }), 'pulumi', ['destroy', '-s', 'dev', '--yes'], 'chaperone: pulumi.destroy in dev (development): allowed\n');
  });
  it('passes preview, destroy --preview-only and --help in production silently', async () => {
    for (const args of [['preview', '--diff'], ['destroy', '--preview-only'], ['destroy', '--yes', '--help']]) {
      expectRan(await run('pulumi', args, { cwd: shop }), 'pulumi', args, '');
    }
  });
});

describe('terragrunt', () => {
  it('refuses run --all destroy above a prod unit, listing the units', async () => {
    const result = await run('terragrunt', ['run', '--all', '--non-interactive', '--', 'destroy'], { cwd: join(infra, 'envs') });
    expectRefused(result, 'terragrunt', 'terragrunt.destroy [destroy]', 'envs (production)');
    expect(result.stderr).toContain('evidence   flag --all every unit below: infra/envs/dev/db, infra/envs/prod/db');
  });
  it('refuses the next tries: the old run-all, apply -destroy, and TF_CLI_ARGS_apply', async () => {
    const prod = join(infra, 'envs/prod/db');
    expectRefused(await run('terragrunt', ['run-all', 'destroy', '--terragrunt-non-interactive'], { cwd: prod }), 'terragrunt', 'terragrunt.destroy', 'db (production)');
    expectRefused(await run('terragrunt', ['apply', '-destroy', '-auto-approve'], { cwd: prod }), 'terragrunt', 'terragrunt.apply.destroy', 'db (production)');
    const injected = await run('terragrunt', ['apply', '-auto-approve'], { cwd: prod, env: { TF_CLI_ARGS_apply: '-destroy' } });
    expectRefused(injected, 'terragrunt', 'terragrunt.apply.destroy', 'db (production)');
    expect(injected.stderr).toContain('evidence   env TF_CLI_ARGS_apply=-destroy (inserted after the command)');
    expectRefused(await run('terragrunt', ['--working-dir', '../../prod/db', 'destroy'], { cwd: join(infra, 'envs/dev/db') }), 'terragrunt', 'terragrunt.destroy', 'db (production)');
  });
  it('runs destroy in a dev unit with a notice, and plan in prod silently', async () => {
    expectRan(await run('terragrunt', ['destroy', '-auto-approve'], { cwd: join(infra, 'envs/dev/db') }), 'terragrunt', ['destroy', '-auto-approve'], 'chaperone: terragrunt.destroy in db (development): allowed\n');
    expectRan(await run('terragrunt', ['run', '--all', 'plan'], { cwd: join(infra, 'envs') }), 'terragrunt', ['run', '--all', 'plan'], '');
    expectRan(await run('terragrunt', ['destroy', '--help'], { cwd: join(infra, 'envs/prod/db') }), 'terragrunt', ['destroy', '--help'], '');
  });
});

describe('cdk, sst and serverless', () => {
  it('refuses cdk destroy of a Prod stack, and the next try through the AWS profile', async () => {
    expectRefused(await run('cdk', ['destroy', 'Shop-Prod', '--force']), 'cdk', 'cdk.destroy [destroy]', 'Shop-Prod (production)');
    expectRefused(await run('cdk', ['destroy', 'Shop', '--force'], { env: { AWS_PROFILE: 'acme-prod' } }), 'cdk', 'cdk.destroy', 'Shop (production): "acme-prod" contains "prod"');
  });
  it('runs cdk destroy of a Dev stack with a notice; deploy --no-execute and --help pass silently', async () => {
    expectRan(await run('cdk', ['destroy', 'Shop-Dev', '--force']), 'cdk', ['destroy', 'Shop-Dev', '--force'], 'chaperone: cdk.destroy in Shop-Dev (development): allowed\n');
    expectRan(await run('cdk', ['deploy', 'Shop-Prod', '--no-execute']), 'cdk', ['deploy', 'Shop-Prod', '--no-execute'], '');
    expectRan(await run('cdk', ['destroy', 'Shop-Prod', '--help']), 'cdk', ['destroy', 'Shop-Prod', '--help'], '');
  });
  it('refuses sst remove of production from the flag and from SST_STAGE; runs it for a dev stage', async () => {
    expectRefused(await run('sst', ['remove', '--stage', 'production']), 'sst', 'sst.remove [destroy]', 'production (production)');
    expectRefused(await run('sst', ['remove'], { env: { SST_STAGE: 'prod' } }), 'sst', 'sst.remove', 'prod (production)');
    expectRan(await run('sst', ['remove', '--stage=dev']), 'sst', ['remove', '--stage=dev'], 'chaperone: sst.remove in dev (development): allowed\n');
  });
  it('refuses serverless remove -s prod, and sls, its other name; runs it for dev; info passes', async () => {
    expectRefused(await run('serverless', ['remove', '--stage', 'prod']), 'serverless', 'serverless.remove [destroy]', 'prod (production)');
    expectRefused(await run('sls', ['remove', '-s', 'prod', '--verbose']), 'sls', 'serverless.remove', 'prod (production)');
    expectRan(await run('sls', ['remove', '-s', 'dev']), 'sls', ['remove', '-s', 'dev'], 'chaperone: serverless.remove in dev (development): allowed\n');
    expectRan(await run('sls', ['info', '-s', 'prod']), 'sls', ['info', '-s', 'prod'], '');
  });
});

describe('mongorestore and mysqladmin', () => {
  const uri = 'mongodb://restore:hunter2@mongo.prod.example.com/shop';
  it('refuses mongorestore --drop into production, and never shows the password', async () => {
    const result = await run('mongorestore', ['--drop', '--uri', uri, 'dump/']);
    expectRefused(result, 'mongorestore', 'mongorestore.drop [restores-over]', 'shop (production)');
    expect(result.stderr).toContain('mongodb://restore:***@mongo.prod.example.com/shop');
    expect(result.stderr).not.toContain('hunter2');
  });
  it('runs --drop into a local dev database with a notice; a restore without --drop passes silently', async () => {
    const dev = ['--drop', '--uri', 'mongodb://127.0.0.1/shop_dev', 'dump/'];
    expectRan(await run('mongorestore', dev), 'mongorestore', dev, 'chaperone: mongorestore.drop in shop_dev (development): allowed\n');
    expectRan(await run('mongorestore', ['--uri', uri, 'dump/']), 'mongorestore', ['--uri', uri, 'dump/'], '');
  });
  it('refuses mysqladmin drop of a production database, and the next tries: -f, a prefix, mariadb-admin', async () => {
    const at = ['--no-defaults', '-h', 'db.example.com'];
    expectRefused(await run('mysqladmin', [...at, 'drop', 'shop_prod']), 'mysqladmin', 'mysqladmin.drop [destroy]', 'shop_prod (production)');
    expectRefused(await run('mysqladmin', [...at, '-f', 'dro', 'shop_prod']), 'mysqladmin', 'mysqladmin.drop', 'shop_prod (production)');
    expectRefused(await run('mariadb-admin', [...at, '--force', 'drop', 'shop_prod']), 'mariadb-admin', 'mysqladmin.drop', 'shop_prod (production)');
    expectRefused(await run('mysqladmin', ['--no-defaults', '-h', 'db.prod.example.com', 'shutdown']), 'mysqladmin', 'mysqladmin.shutdown [disrupt]', 'db.prod.example.com (production)');
  });
  it('runs drop of a dev database on localhost with a notice; status passes silently', async () => {
    const dev = ['--no-defaults', '-h', '127.0.0.1', '-f', 'drop', 'shop_dev'];
    expectRan(await run('mysqladmin', dev), 'mysqladmin', dev, 'chaperone: mysqladmin.drop in shop_dev (development): allowed\n');
    expectRan(await run('mysqladmin', ['--no-defaults', '-h', 'db.prod.example.com', 'status']), 'mysqladmin', ['--no-defaults', '-h', 'db.prod.example.com', 'status'], '');
  });
});

describe('chaperone install and doctor pick up the new tools from the registry', () => {
  it('install with no tool named writes a shim for each', async () => {
    const dir = join(sb.root, 'all-shims');
    const result = await sb.chaperone(['install', '--dir', dir]);
    expect(result.exitCode).toBe(0);
    for (const tool of executables) expect(existsSync(join(dir, tool)), tool).toBe(true);
  });
  it('doctor lists a shim for each', async () => {
    const result = await sb.chaperone(['doctor', '--dir', sb.shims]);
    const output = `${String(result.stdout)}${String(result.stderr)}`;
    for (const tool of executables) expect(output).toMatch(new RegExp(`[ ,]${tool}(,|\\s)`));
  });
});
