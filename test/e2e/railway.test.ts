// The incident, replayed through the real shim with a recording double standing in for railway.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('railway.test.ts');

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  sb.double('railway', { exitCode: 0, stdout: 'deleted\n' });
});

const deleteVolume = ['volume', 'delete', '--volume', 'pg-data', '--yes'];
/** A destroy the environment bounds (variableDelete takes it): what the link, flags and tokens decide is shown on it. */
const deleteVariable = ['variable', 'delete', 'DATABASE_URL'];
/** The incident: the agent named staging; volumeDelete takes only the volume's id. */
const deleteVolumeInStaging = ['volume', '--environment', 'staging', 'delete', '--volume', 'pg-data', '--yes'];

describe('railway through the shim, with no terminal (an agent)', () => {
  it('refuses a variable delete in a production-linked directory, naming production and the config file', async () => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.run('railway', deleteVariable);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: railway variable delete DATABASE_URL');
    expect(result.stderr).toContain('railway.variable.delete');
    expect(result.stderr).toContain('production (production)');
    expect(result.stderr).toContain('~/.railway/config.json');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('runs the same delete in a development-linked directory, with a one-line notice', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', deleteVariable);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('deleted\n');
    expect(result.stderr).toBe('chaperone: railway.variable.delete in dev (development): allowed\n');
    expect(sb.record('railway')?.argv).toEqual(deleteVariable);
  });

  // Refused the delete, an agent reaches the database with the environment's own variables.
  it.each([
    [['run', 'psql', '-c', 'DROP TABLE users'], 'psql.sql.drop'],
    [['local', '-s', 'api', '--', 'sh', '-c', 'psql "$DATABASE_URL" -c "TRUNCATE users"'], 'psql.sql.truncate'],
    [['run', '--', 'npx', 'prisma', 'migrate', 'reset', '--force'], 'prisma.migrate.reset'],
  ])('refuses %j in a production-linked directory; the real railway never runs', async (args, rule) => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.run('railway', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(result.stderr).toContain('production (production)');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('runs railway run with a notice in development, and a benign command in production untouched', async () => {
    linkRailway(sb, sb.work, 'dev');
    const drop = ['run', 'psql', '-c', 'DROP TABLE users'];
    const notice = await sb.run('railway', drop);
    expect(notice.exitCode).toBe(0);
    expect(notice.stderr).toBe('chaperone: psql.sql.drop in dev (development): allowed\n');
    expect(sb.record('railway')?.argv).toEqual(drop);
    linkRailway(sb, sb.work, 'production');
    const start = ['run', 'npm', 'start'];
    const benign = await sb.run('railway', start);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('railway')?.argv).toEqual(start);
  });

  it('refuses as unknown when nothing is linked', async () => {
    const result = await sb.run('railway', deleteVariable);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('(unknown)');
    expect(result.stderr).toContain('unknown counts as production');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('uses the nearest linked ancestor of cwd', async () => {
    linkRailway(sb, sb.work, 'dev');
    const sub = join(sb.work, 'services', 'api');
    mkdirSync(sub, { recursive: true });
    linkRailway(sb, join(sb.work, 'services'), 'production');
    const result = await sb.run('railway', deleteVariable, { cwd: sub });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`projects["${join(sb.work, 'services')}"].environmentName = production`);
  });

  it('lets -e before the subcommand override the link, as clap reads parent flags', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', ['volume', '-e', 'production', 'detach', '-v', 'pg-data', '-y']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('railway.volume.detach');
    expect(result.stderr).toContain('flag --environment production');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('treats RAILWAY_TOKEN as opaque: unknown even in a dev-linked directory, and never shows the token', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', deleteVariable, { env: { RAILWAY_TOKEN: 'tok-SECRET-123' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('RAILWAY_TOKEN=set (fingerprint sha256:');
    expect(result.stderr).not.toContain('tok-SECRET-123');
  });

  it('holds project deletion as production whatever the link says', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', ['rm', '-y']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('railway.project.delete');
    expect(result.stderr).toContain('every environment');
  });

  it('never gates --help, even on a destroy command in production', async () => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.run('railway', ['volume', 'delete', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('railway')?.argv).toEqual(['volume', 'delete', '--help']);
  });

  it('writes refusals to the audit log', async () => {
    linkRailway(sb, sb.work, 'production');
    await sb.run('railway', deleteVariable);
    const lines = readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record).toMatchObject({
      tool: 'railway',
      argv: deleteVariable,
      cwd: sb.work,
      rules: ['railway.variable.delete'],
      decision: 'deny',
      outcome: 'refused',
      actor: 'agent',
      environment: { name: 'production', class: 'production' },
    });
    expect(record.environment.evidence[0]).toMatchObject({ source: 'file', file: '~/.railway/config.json' });
  });
});

// The incident: an agent on a staging task deleted a volume "in staging", and production's went. Railway's
// volumeDelete takes only the volume's id (a volume is the project's, with an instance in every
// environment) and serviceDelete deletes in every environment that is not a fork: -e is where the object
// is looked up, not where its deletion stops.
describe('a volume or service deleted "in staging" is production\'s', () => {
  it("refuses an agent's volume --environment staging delete; the real railway never runs", async () => {
    linkRailway(sb, sb.work, 'staging');
    const result = await sb.run('railway', deleteVolumeInStaging);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`chaperone: refused: railway ${deleteVolumeInStaging.join(' ')}`);
    expect(result.stderr).toContain('railway.volume.delete [destroy]');
    expect(result.stderr).toContain('production (production): a volume belongs to the project: deleting it deletes it in every environment, production included');
    expect(result.stderr).toContain('railway volume delete: volumeDelete(volumeId): the volume in every environment it has an instance in');
    expect(result.stderr).toContain('--environment staging (where the volume is looked up, not where its deletion stops)');
    expect(result.stderr).not.toContain('staging (staging)');
    expect(sb.record('railway')).toBeUndefined();
    const record = JSON.parse(readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim());
    expect(record).toMatchObject({ argv: deleteVolumeInStaging, rules: ['railway.volume.delete'], outcome: 'refused', environment: { name: 'production', class: 'production' } });
  });

  it.each([
    [['volume', '-e', 'development', 'delete', '-v', 'pg-data', '-y'], 'railway.volume.delete'],
    [['volumes', 'rm', '--volume', 'pg-data'], 'railway.volume.delete'],
    [['service', 'delete', '-e', 'dev', '-s', 'api', '--yes'], 'railway.service.delete'],
    [['functions', 'delete', '-f', 'cron', '-y'], 'railway.functions.delete'],
  ])('refuses %j in a development-linked directory', async (args, rule) => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(result.stderr).toContain('production (production): ');
    expect(result.stderr).toContain('in every environment');
    expect(sb.record('railway')).toBeUndefined();
  });

  // Refused, the agent runs it with the development environment's variables, or a token, instead.
  it.each([
    [['run', '-e', 'development', '--', 'railway', 'volume', 'delete', '-v', 'pg-data', '-y'], {}],
    [deleteVolume, { RAILWAY_ENVIRONMENT_ID: 'env-dev', RAILWAY_ENVIRONMENT_NAME: 'development' }],
    [deleteVolume, { RAILWAY_API_TOKEN: 'account-token' }],
  ])('refuses %j with %j: the variables do not bound it either', async (args, env) => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', args, { env });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('railway.volume.delete [destroy]');
    expect(result.stderr).toContain('production (production): a volume belongs to the project');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('leaves what stays in one environment to that environment: volume list runs untouched, down with a notice', async () => {
    linkRailway(sb, sb.work, 'production');
    const list = ['volume', 'list', '-e', 'development'];
    const listed = await sb.run('railway', list);
    expect(listed.exitCode).toBe(0);
    expect(listed.stderr).toBe('');
    expect(sb.record('railway')?.argv).toEqual(list);
    const down = ['down', '-e', 'development', '-y'];
    const result = await sb.run('railway', down);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: railway.down in development (development): allowed\n');
    expect(sb.record('railway')?.argv).toEqual(down);
  });
});

describe.skipIf(!haveTmux)('a human at a real terminal deleting a volume "in staging" (tmux)', () => {
  const terminals = new Terminals();
  afterEach(() => terminals.closeSessions());
  afterAll(() => terminals.close());
  // The answer is read from the terminal; the double's stdin is /dev/null.
  const line = `railway ${deleteVolumeInStaging.join(' ')} </dev/null`;

  it.each(['staging', 'yes'])('asks for "production", and %j does not run it', async (answer) => {
    linkRailway(sb, sb.work, 'staging');
    const term = terminals.open(sb, line);
    const prompt = await term.waitFor('Type production to run it');
    expect(prompt).toContain('  environment  production (production): a volume belongs to the project');
    expect(prompt).toContain('--environment staging (where the volume is looked up, not where its deletion stops)');
    expect(prompt).not.toContain('Type yes');
    expect(prompt).not.toContain('Type staging');
    term.type(answer);
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('chaperone: not confirmed; the real railway did not run.');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('runs it, argv untouched, when "production" is typed', async () => {
    linkRailway(sb, sb.work, 'staging');
    const term = terminals.open(sb, line);
    await term.waitFor('Type production to run it');
    term.type('production');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).toContain('deleted');
    expect(sb.record('railway')?.argv).toEqual(deleteVolumeInStaging);
    expect(existsSync(join(sb.home, '.local/state/chaperone/audit.jsonl'))).toBe(true);
    expect(readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8')).toContain('"outcome":"confirmed"');
  });
});

describe('a benign railway command is indistinguishable from the real tool', () => {
  it('passes argv, stdin bytes, cwd and env through, and mirrors the exit code', async () => {
    sb.double('railway', { exitCode: 42, stdout: 'Project: shop\n' });
    linkRailway(sb, sb.work, 'production');
    const stdin = Buffer.from([0, 1, 2, 255, 10, 13, 0x1b, 0x5b, 65]);
    const args = ['status', '--json', 'arg with spaces', '', '-e', 'production', '--weird=$HOME', 'ünïcødé'];
    const result = await sb.run('railway', args, { input: stdin, encoding: 'buffer', env: { CUSTOM: 'kept' } });
    expect(result.exitCode).toBe(42);
    expect(Buffer.from(result.stdout as unknown as Uint8Array).toString()).toBe('Project: shop\n');
    expect(Buffer.from(result.stderr as unknown as Uint8Array).toString()).toBe('');
    const record = sb.record('railway')!;
    expect(record.argv).toEqual(args);
    expect(record.stdin.equals(stdin)).toBe(true);
    expect(record.cwd).toBe(sb.work);
    expect(record.argv0).toBe(join(sb.doubles, 'railway'));

    // The environment is the caller's, plus only the recursion guard.
    const direct = await sb.run('sh', ['-c', 'env -0'], { env: { CUSTOM: 'kept' } });
    const expected = Object.fromEntries(
      String(direct.stdout).replace(/\0$/, '').split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const { CHAPERONE_DEPTH, ...rest } = record.env;
    expect(CHAPERONE_DEPTH).toBe('1');
    delete expected._; delete rest._; // sh's record of the last command differs by design
    delete expected.SHLVL; delete rest.SHLVL;
    expect(rest).toEqual(expected);
  });

  it('dies by the same signal as the real tool', async () => {
    sb.write('doubles/railway', '#!/bin/sh\nkill -TERM $$\n');
    const { chmodSync } = await import('node:fs');
    chmodSync(join(sb.doubles, 'railway'), 0o755);
    const result = await sb.run('railway', ['status']);
    expect(result.signal).toBe('SIGTERM');
  });

  it('says so and exits 127 when no real railway stands behind the shim', async () => {
    const { rmSync } = await import('node:fs');
    rmSync(join(sb.doubles, 'railway'));
    const result = await sb.run('railway', ['status'], { env: { PATH: `${sb.shims}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('railway: command not found behind the chaperone shim');
  });

  it('exits 126 when the railway behind the shim is not executable', async () => {
    const { chmodSync } = await import('node:fs');
    chmodSync(join(sb.doubles, 'railway'), 0o644);
    const result = await sb.run('railway', ['status'], { env: { PATH: `${sb.shims}:${sb.doubles}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(126);
  });
});
