// fly and flyctl through the real shims, with recording doubles standing in for flyctl. The app comes
// from fly.toml in the working directory, as flyctl reads it.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['fly', 'flyctl']);
  sb.double('fly', { stdout: 'Destroyed volume ID: vol_123\n' });
  sb.double('flyctl', { stdout: 'Destroyed volume ID: vol_123\n' });
});

const flyToml = (app: string) => writeFileSync(join(sb.work, 'fly.toml'), `app = "${app}"\nprimary_region = "ams"\n\n[mounts]\n  source = "data"\n`);

describe('fly through the shim, with no terminal (an agent)', () => {
  const destroyVolume = ['volumes', 'destroy', 'vol_123', '--yes'];

  it('refuses to destroy a volume of the production app in fly.toml', async () => {
    flyToml('shop-prod');
    const result = await sb.run('fly', destroyVolume);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: fly volumes destroy vol_123 --yes');
    expect(result.stderr).toContain('fly.volumes.destroy [destroy]');
    expect(result.stderr).toContain('shop-prod (production): "shop-prod" contains "prod"');
    expect(result.stderr).toContain(`file ${join(sb.work, 'fly.toml')} app = shop-prod`);
    expect(sb.record('fly')).toBeUndefined();
  });

  // Refused the volume destroy, an agent runs the drop on a console Machine of the app instead.
  it.each([
    [['console', '-C', 'dropdb shop'], 'dropdb'],
    [['console', '--command', `psql "$DATABASE_URL" -c 'DROP TABLE users'`], 'psql.sql.drop'],
  ])('refuses fly %j for the production app; the real fly never runs', async (args, rule) => {
    flyToml('shop-prod');
    const result = await sb.run('fly', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(sb.record('fly')).toBeUndefined();
  });

  it('runs fly console -C on a development app with a notice, and a benign command in production untouched', async () => {
    flyToml('shop-dev');
    const drop = ['console', '-C', 'dropdb shop'];
    const notice = await sb.run('flyctl', drop);
    expect(notice.exitCode).toBe(0);
    expect(notice.stderr).toBe('chaperone: dropdb in shop-dev (development): allowed\n');
    expect(sb.record('flyctl')?.argv).toEqual(drop);
    flyToml('shop-prod');
    const uptime = ['console', '-C', 'uptime'];
    const benign = await sb.run('fly', uptime);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('fly')?.argv).toEqual(uptime);
  });

  it('reads a multi-line TOML string as the app, and treats a fly.toml that does not parse as unknown', async () => {
    writeFileSync(join(sb.work, 'fly.toml'), 'app = """\nshop-prod"""\n');
    const multiline = await sb.run('fly', destroyVolume);
    expect(multiline.exitCode).toBe(77);
    expect(multiline.stderr).toContain('shop-prod (production)');
    writeFileSync(join(sb.work, 'fly.toml'), 'app = "shop-dev\nprimary_region = "ams"\n');
    const broken = await sb.run('fly', destroyVolume);
    expect(broken.exitCode).toBe(77);
    expect(broken.stderr).toContain('(unknown)');
    expect(broken.stderr).toContain(`file ${join(sb.work, 'fly.toml')} app = not readable as TOML`);
    expect(sb.record('fly')).toBeUndefined();
  });

  it('reads flyctl the same way as fly', async () => {
    flyToml('shop-prod');
    const result = await sb.run('flyctl', ['vol', 'rm', 'vol_123', '-y']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('fly.volumes.destroy');
    expect(sb.record('flyctl')).toBeUndefined();
  });

  it('runs the same destroy for a development app, with a one-line notice', async () => {
    flyToml('shop-dev');
    const result = await sb.run('fly', destroyVolume);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Destroyed volume ID: vol_123\n');
    expect(result.stderr).toBe('chaperone: fly.volumes.destroy in shop-dev (development): allowed\n');
    expect(sb.record('fly')?.argv).toEqual(destroyVolume);
  });

  it('lets -a before the subcommand override fly.toml', async () => {
    flyToml('shop-dev');
    const result = await sb.run('fly', ['-a', 'shop-prod', ...destroyVolume]);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('flag --app shop-prod');
  });

  it('destroys the app named as an argument, whatever fly.toml says', async () => {
    flyToml('shop-dev');
    const result = await sb.run('fly', ['apps', 'destroy', 'shop-prod', '--yes']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('argument apps destroy APP: shop-prod');
    expect(sb.record('fly')).toBeUndefined();
  });

  it('passes a read-only command through untouched', async () => {
    flyToml('shop-prod');
    const result = await sb.run('fly', ['volumes', 'list', '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('fly')?.argv).toEqual(['volumes', 'list', '--json']);
  });
});
