// xh (xh, xhs) through the real shims, with recording doubles standing in for them.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['xh', 'xhs']);
  sb.double('xh', { stdout: 'ok\n' });
  sb.double('xhs', { stdout: 'ok\n' });
});

describe('xh through the shim, with no terminal (an agent)', () => {
  it('refuses a DELETE to a platform API, naming the rule, the platform and the app', async () => {
    const result = await sb.run('xhs', ['DELETE', 'api.heroku.com/apps/shop', '--bearer', 'rw-SECRET-4f2a9c1e']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('xh.delete [destroy] an HTTP DELETE removes what the URL names: DELETE https://api.heroku.com/apps/shop (Heroku Platform API)');
    expect(result.stderr).toContain('environment  shop (unknown)');
    expect(result.stderr).toContain('evidence   argument url path: heroku-app shop');
    expect(sb.record('xhs')).toBeUndefined();
  });

  it('refuses an environmentDelete sent with --raw', async () => {
    const result = await sb.run('xh', ['backboard.railway.com/graphql/v2', `--raw=${JSON.stringify({ query: 'mutation { environmentDelete(id: "e") }' })}`]);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('xh.graphql.delete');
    expect(sb.record('xh')).toBeUndefined();
  });

  it('runs a DELETE to localhost with a one-line notice', async () => {
    const args = ['delete', ':8080/items/1'];
    const result = await sb.run('xh', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: xh.delete in localhost (development): allowed\n');
    expect(sb.record('xh')?.argv).toEqual(args);
  });

  it('passes --offline and a GET through untouched', async () => {
    for (const args of [['--offline', 'DELETE', 'api.heroku.com/apps/shop'], ['api.heroku.com/apps/shop']]) {
      const result = await sb.run('xh', args);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(sb.record('xh')?.argv).toEqual(args);
    }
  });
});
