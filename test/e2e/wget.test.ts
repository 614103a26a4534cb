// wget through the real shim, with a recording double standing in for wget.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['wget']);
  sb.double('wget', { stdout: 'saved\n' });
});

describe('wget through the shim, with no terminal (an agent)', () => {
  it('refuses a GraphQL volumeDelete posted to Railway, naming the rule, the platform and the evidence', async () => {
    const body = JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "v") }' });
    const result = await sb.run('wget', ['-qO-', `--post-data=${body}`, '--header=Authorization: Bearer rw-SECRET-4f2a9c1e', 'https://backboard.railway.com/graphql/v2']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('wget.graphql.delete [destroy]');
    expect(result.stderr).toContain('environment  production (production): volumeDelete takes only the volume id');
    expect(result.stderr).toContain('evidence   command host: backboard.railway.com is the Railway API');
    expect(result.stderr).not.toContain('rw-SECRET-4f2a9c1e');
    expect(sb.record('wget')).toBeUndefined();
  });

  it('refuses a DELETE set by ~/.wgetrc', async () => {
    writeFileSync(join(sb.home, '.wgetrc'), 'method = DELETE\n');
    const result = await sb.run('wget', ['https://api.heroku.com/apps/shop-prod']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('wget.delete [destroy] an HTTP DELETE removes what the URL names: DELETE https://api.heroku.com/apps/shop-prod (Heroku Platform API)');
    expect(result.stderr).toContain('environment  shop-prod (production)');
    expect(sb.record('wget')).toBeUndefined();
  });

  it('runs a DELETE to localhost with a one-line notice', async () => {
    const args = ['--method=DELETE', 'http://localhost:9200/logs-2024'];
    const result = await sb.run('wget', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: wget.delete in localhost (development): allowed\n');
    expect(sb.record('wget')?.argv).toEqual(args);
  });

  it('passes a download through untouched', async () => {
    const args = ['-q', 'https://example.com/file.tar.gz'];
    const result = await sb.run('wget', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('saved\n');
    expect(sb.record('wget')?.argv).toEqual(args);
  });
});
