// `railway api` through the real railway shim: the incident's mutation sent the CLI's way.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const token = 'rw-SECRET-4f2a9c1e';
const mutation = 'mutation { volumeDelete(volumeId: "3f1c…") }';
let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  sb.double('railway', { stdout: '{"data":{}}\n' });
});

describe('railway api through the shim, with no terminal (an agent)', () => {
  it('refuses volumeDelete even in a dev-linked directory, with the token shown nowhere', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', ['api', mutation], { env: { RAILWAY_API_TOKEN: token } });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('railway.api.delete [destroy]');
    expect(result.stderr).toContain('mutation volumeDelete, sent to https://backboard.railway.com/graphql/v2 (Railway API)');
    expect(result.stderr).toContain('environment  production (production): volumeDelete takes only the volume id');
    expect(result.stderr).toContain('evidence   command railway api: the document names its own target; the linked project and environment do not apply');
    expect(result.stderr).toContain('evidence   env RAILWAY_API_TOKEN=a Railway API token, fingerprint sha256:');
    expect(sb.record('railway')).toBeUndefined();
    const log = readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8');
    expect(JSON.parse(log.trim())).toMatchObject({ tool: 'railway', rules: ['railway.api.delete'], outcome: 'refused' });
    expect(`${result.stdout}${result.stderr}${log}`).not.toContain(token);
  });

  it('refuses a mutation piped on stdin', async () => {
    const result = await sb.run('railway', ['api'], { input: mutation });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('railway.api.delete');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('runs a query untouched, stdin included', async () => {
    const query = 'query { me { id } }';
    const result = await sb.run('railway', ['api', '--compact'], { input: query, env: { RAILWAY_API_TOKEN: token } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"data":{}}\n');
    expect(sb.record('railway')?.argv).toEqual(['api', '--compact']);
    expect(sb.record('railway')?.stdin.toString()).toBe(query);
  });

  it('runs a delete in an environment the user mapped to development, with a notice', async () => {
    mkdirSync(join(sb.home, '.config', 'chaperone'), { recursive: true });
    writeFileSync(join(sb.home, '.config', 'chaperone', 'rules.yaml'), 'targets:\n  railway-environment:\n    env-dev: development\n');
    const args = ['api', 'mutation($id: String!) { environmentDelete(id: $id) }', '--var', 'id=env-dev'];
    const result = await sb.run('railway', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: railway.api.delete in (development): allowed\n');
    expect(sb.record('railway')?.argv).toEqual(args);
  });
});
