// The incident's own request, replayed through the real curl shim: a recording double stands in for
// curl, then the real curl against a local server shows what reaches the wire.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const token = 'rw-SECRET-4f2a9c1e';
const endpoint = 'https://backboard.railway.com/graphql/v2';
const incident = ['-X', 'POST', endpoint, '-H', `Authorization: Bearer ${token}`, '-d', JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "3f1c…") }' })];
const audit = (sb: Sandbox) => join(sb.home, '.local/state/chaperone/audit.jsonl');

describe('curl through the shim, with no terminal (an agent), and a double for curl', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox(['curl']);
    sb.double('curl', { stdout: '{"data":{}}\n' });
  });

  it('refuses the incident: volumeDelete sent to Railway, with the token shown nowhere', async () => {
    const result = await sb.run('curl', incident);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: curl -X POST https://backboard.railway.com/graphql/v2 -H');
    expect(result.stderr).toContain('curl.graphql.delete [destroy]');
    expect(result.stderr).toContain('mutation volumeDelete, sent to https://backboard.railway.com/graphql/v2 (Railway API)');
    // A volume belongs to the project: no token or environment id keeps its deletion to one environment.
    expect(result.stderr).toContain('environment  production (production): volumeDelete takes only the volume id');
    expect(result.stderr).toContain('evidence   command host: backboard.railway.com is the Railway API');
    expect(result.stderr).toContain('evidence   flag -H Authorization a Railway API token, fingerprint sha256:');
    expect(sb.record('curl')).toBeUndefined();
    const log = readFileSync(audit(sb), 'utf8');
    expect(JSON.parse(log.trim())).toMatchObject({ tool: 'curl', rules: ['curl.graphql.delete'], decision: 'deny', outcome: 'refused', actor: 'agent' });
    expect(`${result.stdout}${result.stderr}${log}`).not.toContain(token);
  });

  it('runs a GraphQL query to the same endpoint untouched', async () => {
    const args = [...incident.slice(0, -1), JSON.stringify({ query: 'query { me { id email } }' })];
    const result = await sb.run('curl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"data":{}}\n');
    expect(sb.record('curl')?.argv).toEqual(args);
    expect(existsSync(audit(sb))).toBe(false);
  });

  it('reads the body piped to --data-binary @-, refuses it, and never shows the token', async () => {
    const result = await sb.run('curl', [endpoint, '-H', `Authorization: Bearer ${token}`, '--data-binary', '@-'], {
      input: JSON.stringify({ query: 'mutation($id: String!) { x: volumeDelete(volumeId: $id) }', variables: { id: 'v' } }),
    });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mutation x: volumeDelete');
    expect(result.stderr).not.toContain(token);
    expect(sb.record('curl')).toBeUndefined();
  });

  it('hands a piped query body to curl byte for byte', async () => {
    const body = `${JSON.stringify({ query: '{ me { id } }', variables: { name: '\u00fc\r\n\u0000' } })}\r\n`;
    const args = [endpoint, '--data-binary', '@-'];
    const result = await sb.run('curl', args, { input: body });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('curl')?.stdin.toString()).toBe(body);
  });

  it('refuses a piped body longer than the read-ahead when it goes to a platform API', async () => {
    const body = JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(4000) } });
    const result = await sb.run('curl', [endpoint, '--data-binary', '@-'], { input: body, env: { CHAPERONE_READ_AHEAD_BYTES: '1024' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('curl.body.unreadable [destroy]');
    expect(result.stderr).toContain('stdin is longer than 1024 bytes');
    expect(sb.record('curl')).toBeUndefined();
  });

  it('passes a piped body longer than the read-ahead through whole when nothing needs it read', async () => {
    const body = `${'{"k":"v;"},\n'.repeat(500)}`;
    const result = await sb.run('curl', ['http://localhost:8080/bulk', '--data-binary', '@-'], { input: body, env: { CHAPERONE_READ_AHEAD_BYTES: '1024' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('curl')?.stdin.toString()).toBe(body);
  });

  it('reads a body file: -d @file', async () => {
    writeFileSync(join(sb.work, 'delete.json'), JSON.stringify({ query: 'mutation { projectDelete(id: "p") }' }));
    const result = await sb.run('curl', ['-d', '@delete.json', endpoint]);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mutation projectDelete');
  });

  it('refuses a REST DELETE to a platform API, naming it', async () => {
    const result = await sb.run('curl', ['-sS', '-X', 'DELETE', 'https://api.heroku.com/apps/shop', '-H', `Authorization: Bearer ${token}`]);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('curl.delete [destroy] an HTTP DELETE removes what the URL names: DELETE https://api.heroku.com/apps/shop (Heroku Platform API)');
    expect(result.stderr).toContain('environment  shop (unknown)');
    expect(result.stderr).not.toContain(token);
    expect(sb.record('curl')).toBeUndefined();
  });

  it('runs a DELETE to localhost with a one-line notice', async () => {
    const args = ['-XDELETE', 'http://localhost:8080/items/1'];
    const result = await sb.run('curl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: curl.delete in localhost (development): allowed\n');
    expect(sb.record('curl')?.argv).toEqual(args);
  });

  it('runs the incident in an environment the user mapped to development', async () => {
    mkdirSync(join(sb.home, '.config', 'chaperone'), { recursive: true });
    writeFileSync(join(sb.home, '.config', 'chaperone', 'rules.yaml'), 'targets:\n  railway-environment:\n    env-dev: development\n');
    const args = [endpoint, '-d', JSON.stringify({ query: 'mutation { environmentDelete(id: "env-dev") }' })];
    const result = await sb.run('curl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: curl.graphql.delete in (development): allowed\n');
    expect(sb.record('curl')?.argv).toEqual(args);
  });

  it('never gates --help', async () => {
    const result = await sb.run('curl', ['-X', 'DELETE', 'https://api.heroku.com/apps/shop', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('the real curl behind the shim, against a local server', () => {
  let sb: Sandbox;
  let server: Server;
  let port: number;
  const seen: string[] = [];
  beforeAll(async () => {
    sb = await makeSandbox(['curl']); // no double: the real curl stands behind the shim
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        res.end('ok\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  it('sends a development DELETE, and the piped body arrives whole after the read-ahead', async () => {
    const body = JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "v") }' });
    const result = await sb.run('curl', ['-sS', `http://127.0.0.1:${port}/graphql`, '--data-binary', '@-'], { input: body });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ok\n');
    expect(result.stderr).toBe('chaperone: curl.graphql.delete in 127.0.0.1 (development): allowed\n');
    expect(seen).toEqual([`POST /graphql ${body}`]);
  });

  it('sends nothing when it refuses (a local server named as production by a --connect-to elsewhere)', async () => {
    const result = await sb.run('curl', ['-sS', '-X', 'DELETE', `http://127.0.0.1:${port}/x`, '--connect-to', `127.0.0.1:${port}:db.prod.example:${port}`]);
    expect(result.exitCode).toBe(77);
    expect(seen).toEqual([]);
  });
});
