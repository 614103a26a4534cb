// The platform CLIs (az, wrangler, firebase, neonctl, pscale, turso, netlify) through the real shims,
// with recording doubles standing in for them: refused calls never reach the double, allowed ones reach
// it with their argv and stdin untouched.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const tools = ['az', 'wrangler', 'firebase', 'neonctl', 'neon', 'pscale', 'turso', 'netlify', 'ntl'];

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(tools);
  for (const tool of tools) sb.double(tool, { stdout: `${tool} ran\n` });
});

/** Refused for an agent, and the double never ran. */
async function refused(tool: string, args: string[], rule: string, env: Record<string, string> = {}, input?: string) {
  const result = await sb.run(tool, args, { env: { CHAPERONE_ACTOR: 'agent', ...env }, ...(input !== undefined ? { input } : {}) });
  expect(result.exitCode, result.stderr as string).toBe(77);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('chaperone: refused:');
  expect(result.stderr).toContain(rule);
  expect(sb.record(tool)).toBeUndefined();
  return result;
}

/** Ran, with argv (and stdin) untouched. */
async function ran(tool: string, args: string[], env: Record<string, string> = {}, input?: string) {
  const result = await sb.run(tool, args, { env: { CHAPERONE_ACTOR: 'agent', ...env }, ...(input !== undefined ? { input } : {}) });
  expect(result.exitCode, result.stderr as string).toBe(0);
  expect(result.stdout).toBe(`${tool} ran\n`);
  expect(sb.record(tool)?.argv).toEqual(args);
  if (input !== undefined) expect(sb.record(tool)?.stdin.toString()).toBe(input);
  return result;
}

describe('az', () => {
  beforeEach(() => {
    const profile = { subscriptions: [{ id: '11111111-2222-3333-4444-555555555555', name: 'Acme Production', isDefault: true }, { id: '66666666-7777-8888-9999-000000000000', name: 'Acme Dev', isDefault: false }] };
    sb.write('home/.azure/azureProfile.json', `\uFEFF${JSON.stringify(profile)}`);
  });

  it('refuses a resource group delete in the default production subscription, naming the profile', async () => {
    const result = await refused('az', ['group', 'delete', '-n', 'shop-rg', '--yes'], 'az.group.delete');
    expect(result.stderr).toContain('file ~/.azure/azureProfile.json subscriptions[isDefault] = Acme Production');
  });

  it('refuses the backup-data delete spelled another way', async () => {
    await refused('az', ['backup', 'protection', 'disable', '--delete-backup-data', 'Yes', '-g', 'rg', '-v', 'vault', '-c', 'c', '-i', 'item'], 'az.backup.protection.disable.delete-data');
  });

  it('runs the delete in the dev subscription and a dev group, with a notice', async () => {
    const result = await ran('az', ['group', 'delete', '-n', 'shop-dev', '--yes', '--subscription', 'Acme Dev']);
    expect(result.stderr).toBe('chaperone: az.group.delete in shop-dev (development): allowed\n');
  });

  // Refused the server delete, an agent sends the SQL or the command through az itself.
  it('refuses SQL, a VM script and a cluster command sent through az in production', async () => {
    await refused('az', ['postgres', 'flexible-server', 'execute', '-n', 'shop-pg', '-u', 'admin', '-d', 'shop', '-q', 'DROP TABLE users'], 'psql.sql.drop');
    await refused('az', ['mysql', 'flexible-server', 'execute', '-n', 'shop-my', '-u', 'admin', '-d', 'shop', '--querytext=DELETE FROM users'], 'mysql.sql.delete-all');
    await refused('az', ['vm', 'run-command', 'invoke', '-g', 'rg', '-n', 'db-vm', '--command-id', 'RunShellScript', '--scripts', 'sudo -u postgres dropdb shop'], 'dropdb');
    await refused('az', ['aks', 'command', 'invoke', '-g', 'rg', '-n', 'aks', '--command', 'kubectl delete ns shop'], 'kubectl.delete');
  });

  it('runs az SQL in the dev subscription with a notice, and a SELECT in production untouched', async () => {
    const dev = await ran('az', ['postgres', 'flexible-server', 'execute', '-n', 'shop-pg', '-g', 'shop-dev', '-d', 'shop', '-q', 'DROP TABLE users', '--subscription', 'Acme Dev']);
    expect(dev.stderr).toMatch(/^chaperone: psql.sql.drop in .* \(development\): allowed\n$/);
    const read = await ran('az', ['postgres', 'flexible-server', 'execute', '-n', 'shop-pg', '-d', 'shop', '-q', 'select count(*) from users']);
    expect(read.stderr).toBe('');
  });

  it('passes a read and --help through untouched, even in production', async () => {
    await ran('az', ['group', 'list', '-o', 'table']);
    await ran('az', ['group', 'delete', '-n', 'shop-rg', '--help']);
  });
});

describe('wrangler', () => {
  beforeEach(() => {
    sb.write('work/wrangler.toml', 'name = "shop-api"\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "shop-db"\ndatabase_id = "x"\n[env.dev]\n[[env.dev.d1_databases]]\nbinding = "DB"\ndatabase_name = "shop-db-dev"\ndatabase_id = "y"\n');
  });

  it('refuses remote D1 SQL that drops a table, and the backslash trick', async () => {
    const result = await refused('wrangler', ['d1', 'execute', 'DB', '--remote', '--command', 'DROP TABLE users'], 'sqlite.sql.drop');
    expect(result.stderr).toContain('shop-db');
    await refused('wrangler', ['d1', 'execute', 'DB', '--remote', `--command=SELECT 'a\\'; DROP TABLE users; --'`], 'sqlite.sql.drop');
  });

  it('refuses an R2 bucket delete, however the environment is named', async () => {
    await refused('wrangler', ['r2', 'bucket', 'delete', 'assets-prod', '--env', 'dev'], 'wrangler.r2.bucket.delete');
  });

  it('runs the same SQL against the local database, and against the dev environment', async () => {
    const local = await ran('wrangler', ['d1', 'execute', 'DB', '--command', 'DROP TABLE users']);
    expect(local.stderr).toContain('(development): allowed');
    await ran('wrangler', ['d1', 'execute', 'DB', '--remote', '--env', 'dev', '--command', 'DROP TABLE users']);
  });

  it('refuses applying migrations to the remote database when one of them drops a table', async () => {
    sb.write('work/migrations/0001_init.sql', 'CREATE TABLE users (id);\n');
    sb.write('work/migrations/0002_cleanup.sql', 'DROP TABLE users;\n');
    const result = await refused('wrangler', ['d1', 'migrations', 'apply', 'DB', '--remote'], 'sqlite.sql.drop');
    expect(result.stderr).toContain('0002_cleanup.sql');
    await ran('wrangler', ['d1', 'migrations', 'apply', 'DB']);
  });

  it('passes a remote SELECT through untouched', async () => {
    const result = await ran('wrangler', ['d1', 'execute', 'DB', '--remote', '--command', "SELECT 'DROP TABLE users'"]);
    expect(result.stderr).toBe('');
  });
});

describe('firebase', () => {
  beforeEach(() => {
    sb.write('work/firebase.json', '{}');
    sb.write('work/.firebaserc', JSON.stringify({ projects: { default: 'acme-dev', prod: 'acme-prod' } }));
  });

  it('refuses wiping Firestore in the prod alias, by -P and by --project=', async () => {
    await refused('firebase', ['firestore:delete', '--all-collections', '-f', '-P', 'prod'], 'firebase.firestore.delete');
    await refused('firebase', ['database:remove', '/', '--project=acme-prod', '-f'], 'firebase.database.remove');
  });

  it('runs it in the default (dev) project, and passes reads through', async () => {
    await ran('firebase', ['firestore:delete', '--all-collections', '-f']);
    await ran('firebase', ['firestore:indexes', '-P', 'prod']);
  });
});

describe('neonctl and neon', () => {
  it('refuses deleting the primary branch, under either name', async () => {
    await refused('neonctl', ['branches', 'delete', 'main', '--project-id', 'shiny-wind-028834'], 'neonctl.branches.delete');
    await refused('neon', ['db', 'delete', 'shop', '--project-id', 'shiny-wind-028834'], 'neonctl.databases.delete');
  });

  it('runs a dev branch delete, and passes a list through', async () => {
    await ran('neonctl', ['branches', 'delete', 'dev-alice', '--project-id', 'shiny-wind-028834']);
    await ran('neon', ['branches', 'list']);
  });
});

describe('pscale', () => {
  it('refuses deleting a production branch and a database', async () => {
    await refused('pscale', ['branch', 'delete', 'shop', 'main', '--org', 'acme', '--force'], 'pscale.branch.delete');
    await refused('pscale', ['db', 'rm', 'shop-dev', '--org', 'acme'], 'pscale.database.delete');
  });

  it('runs a dev branch delete', async () => {
    await ran('pscale', ['branch', 'delete', 'shop', 'dev-alice', '--org', 'acme', '--force']);
  });

  it('refuses SQL piped into a shell on the production branch, and hands harmless SQL on byte for byte', async () => {
    const result = await refused('pscale', ['shell', 'shop', 'main', '--org', 'acme'], 'mysql.sql.drop', {}, 'SELECT 1;\nDROP TABLE users;\n');
    expect(result.stderr).toContain('pscale shell > mysql');
    await ran('pscale', ['shell', 'shop', 'main', '--org', 'acme'], {}, 'SELECT count(*) FROM users;\n');
    await ran('pscale', ['shell', 'shop', 'dev-alice', '--org', 'acme'], {}, 'DROP TABLE users;\n');
  });
});

describe('turso', () => {
  it('refuses SQL piped into a production shell, and the SQL argument', async () => {
    await refused('turso', ['db', 'shell', 'shop-prod'], 'sqlite.sql.drop', {}, 'SELECT 1;\nDROP TABLE users;\n');
    await refused('turso', ['db', 'shell', 'shop-prod', 'DELETE FROM users'], 'sqlite.sql.delete-all');
    await refused('turso', ['db', 'destroy', 'shop-prod', '--yes'], 'turso.destroy');
  });

  it('hands piped SQL on byte for byte when it is harmless, or when the database is dev', async () => {
    await ran('turso', ['db', 'shell', 'shop-prod'], {}, 'SELECT count(*) FROM users;\n');
    await ran('turso', ['db', 'shell', 'shop-dev'], {}, 'DROP TABLE users;\n');
  });
});

describe('netlify and ntl', () => {
  it('refuses unsetting a variable from every context, and a site delete', async () => {
    await refused('netlify', ['env:unset', 'STRIPE_KEY'], 'netlify.env.unset', { NETLIFY_SITE_ID: 'shop' });
    await refused('ntl', ['sites:delete', '3f1c2d3e-1111-2222-3333-444455556666', '--force'], 'netlify.sites.delete');
  });

  it('runs an unset in the dev context of a sandbox site, and deploy --prod is not gated', async () => {
    await ran('netlify', ['env:unset', 'STRIPE_KEY', '--context', 'dev'], { NETLIFY_SITE_ID: 'shop-sandbox' });
    await ran('netlify', ['deploy', '--prod', '--dir', 'dist']);
  });
});

describe('secrets in platform CLI arguments', () => {
  it('never shows an account key, a SAS token, a connection string, a service token or a Netlify token', async () => {
    const a = await refused('az', ['storage', 'blob', 'delete', '-c', 'web', '-n', 'a.png', '--account-name', 'shop', '--account-key', 'KEYSECRET1'], 'az.storage.delete');
    const b = await refused('az', ['storage', 'container', 'delete', '-n', 'web', '--connection-string', 'DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=KEYSECRET2'], 'az.storage.delete');
    const c = await refused('az', ['storage', 'blob', 'delete-batch', '-s', 'web', '--account-name', 'shop', '--sas-token=sv=2022&sig=KEYSECRET3'], 'az.storage.delete');
    const d = await refused('pscale', ['database', 'delete', 'shop', '--org', 'acme', '--service-token', 'KEYSECRET4'], 'pscale.database.delete');
    const e = await refused('ntl', ['sites:delete', 'shop-prod', '--auth', 'KEYSECRET5'], 'netlify.sites.delete');
    for (const result of [a, b, c, d, e]) expect(result.stderr).not.toMatch(/KEYSECRET/);
    const audit = readFileSync(join(sb.home, '.local', 'state', 'chaperone', 'audit.jsonl'), 'utf8');
    expect(audit).toContain('az.storage.delete');
    expect(audit).not.toMatch(/KEYSECRET/);
  });
});

