// heroku through the real shim, with a recording double standing in for the Heroku CLI. The app comes
// from the git remotes of the repository the command runs in, as heroku reads them.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['heroku']);
  sb.double('heroku', { stdout: 'Resetting postgresql-curly-1234... done\n' });
});

/** Makes sb.work a git repository whose `heroku` remote points at the app. */
function herokuRemote(app: string): void {
  mkdirSync(join(sb.work, '.git'), { recursive: true });
  writeFileSync(join(sb.work, '.git', 'config'), `[remote "heroku"]\n\turl = https://git.heroku.com/${app}.git\n\tfetch = +refs/heads/*:refs/remotes/heroku/*\n`);
}

describe('heroku through the shim, with no terminal (an agent)', () => {
  const reset = ['pg:reset', 'DATABASE_URL', '--confirm', 'shop-prod'];

  it('refuses pg:reset on the app the git remote points at, naming the remote', async () => {
    herokuRemote('shop-prod');
    const result = await sb.run('heroku', reset);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: heroku pg:reset DATABASE_URL --confirm shop-prod');
    expect(result.stderr).toContain('heroku.pg.reset [destroy]');
    expect(result.stderr).toContain('shop-prod (production): "shop-prod" contains "prod"');
    expect(result.stderr).toContain(`file ${join(sb.work, '.git', 'config')} remote "heroku".url = https://git.heroku.com/shop-prod.git`);
    expect(sb.record('heroku')).toBeUndefined();
  });

  // Refused pg:reset, an agent sends the SQL through heroku's own psql instead.
  it.each([
    [['pg:psql', '-a', 'shop-prod', '-c', 'DROP TABLE users'], 'psql.sql.drop'],
    [['psql', 'DATABASE_URL', '--app=shop-prod', '--command', 'TRUNCATE users'], 'psql.sql.truncate'],
    [['pg:psql', '-a', 'shop-prod', '-f', 'wipe.sql'], 'psql.sql.drop'],
  ])('refuses SQL sent by %j to a production app; the real heroku never runs', async (args, rule) => {
    sb.write('work/wipe.sql', 'DELETE FROM orders WHERE true;\nDROP TABLE users;\n');
    const result = await sb.run('heroku', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(result.stderr).toContain('shop-prod (production)');
    expect(sb.record('heroku')).toBeUndefined();
  });

  it('runs pg:psql SQL on a development app with a notice, and a SELECT on production untouched', async () => {
    const dev = ['pg:psql', '-a', 'shop-dev', '-c', 'DROP TABLE users'];
    const notice = await sb.run('heroku', dev);
    expect(notice.exitCode).toBe(0);
    expect(notice.stderr).toBe('chaperone: psql.sql.drop in shop-dev (development): allowed\n');
    expect(sb.record('heroku')?.argv).toEqual(dev);
    const read = ['pg:psql', '-a', 'shop-prod', '-c', 'select count(*) from users'];
    const benign = await sb.run('heroku', read);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('heroku')?.argv).toEqual(read);
  });

  it('runs pg:reset on a development app, with a one-line notice', async () => {
    herokuRemote('shop-dev');
    const args = ['pg:reset', 'DATABASE_URL', '--confirm', 'shop-dev'];
    const result = await sb.run('heroku', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Resetting postgresql-curly-1234... done\n');
    expect(result.stderr).toBe('chaperone: heroku.pg.reset in shop-dev (development): allowed\n');
    expect(sb.record('heroku')?.argv).toEqual(args);
  });

  it('lets HEROKU_APP win over the git remote', async () => {
    herokuRemote('shop-dev');
    const result = await sb.run('heroku', ['ps:scale', 'web=0'], { env: { HEROKU_APP: 'shop-prod' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('heroku.ps.scale.zero [disrupt]');
    expect(result.stderr).toContain('env HEROKU_APP=shop-prod');
    expect(sb.record('heroku')).toBeUndefined();
  });

  it('destroys the app named as an argument, not the one the remote points at', async () => {
    herokuRemote('shop-dev');
    const result = await sb.run('heroku', ['apps:destroy', 'shop-prod', '--confirm', 'shop-prod']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('argument apps:destroy APP: shop-prod');
    expect(sb.record('heroku')).toBeUndefined();
  });

  it('passes a read-only command through untouched', async () => {
    herokuRemote('shop-prod');
    const result = await sb.run('heroku', ['pg:info', '-a', 'shop-prod']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('heroku')?.argv).toEqual(['pg:info', '-a', 'shop-prod']);
  });
});
