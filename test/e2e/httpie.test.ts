// HTTPie (http, https) through the real shims, with recording doubles standing in for them.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const mutation = 'mutation { volumeDelete(volumeId: "v") }';
let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['http', 'https']);
  sb.double('http', { stdout: '{"data":{}}\n' });
  sb.double('https', { stdout: '{"data":{}}\n' });
});

describe('httpie through the shim, with no terminal (an agent)', () => {
  it('refuses a volumeDelete sent as a query= item, without showing the token', async () => {
    const result = await sb.run('https', ['-A', 'bearer', '-a', 'rw-SECRET-4f2a9c1e', 'backboard.railway.com/graphql/v2', `query=${mutation}`]);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('httpie.graphql.delete [destroy]');
    expect(result.stderr).toContain('mutation volumeDelete, sent to https://backboard.railway.com/graphql/v2 (Railway API)');
    expect(result.stderr).toContain('environment  production (production): volumeDelete takes only the volume id');
    expect(result.stderr).toContain('evidence   flag --auth a Railway API token, fingerprint sha256:');
    expect(sb.record('https')).toBeUndefined();
  });

  it('refuses a mutation piped on stdin', async () => {
    const result = await sb.run('http', ['POST', 'backboard.railway.com/graphql/v2'], { input: JSON.stringify({ query: mutation }) });
    expect(result.exitCode).toBe(77);
    expect(sb.record('http')).toBeUndefined();
  });

  it('runs a DELETE to localhost with a one-line notice', async () => {
    const args = ['DELETE', ':3000/items/1'];
    const result = await sb.run('http', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: httpie.delete in localhost (development): allowed\n');
    expect(sb.record('http')?.argv).toEqual(args);
  });

  it('passes a query through untouched, with its piped body', async () => {
    const body = JSON.stringify({ query: '{ me { id } }' });
    const args = ['POST', 'backboard.railway.com/graphql/v2'];
    const result = await sb.run('http', args, { input: body });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('http')?.argv).toEqual(args);
    expect(sb.record('http')?.stdin.toString()).toBe(body);
  });
});
