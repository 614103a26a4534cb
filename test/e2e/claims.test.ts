// Claims against what you know, through the built shim: a name beside an id your config maps to
// production (a variable, a flag beside a project token, a cached label) does not let an agent's
// delete through; the same spelling where the id really is development still runs.

import { beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/tools/tool.js';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const prodToken = 'project-token-of-production';
// A destroy the environment bounds (a volume delete is production's whatever the ids say).
const del = ['variable', 'delete', 'DATABASE_URL'];

beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  sb.double('railway');
  sb.write(
    'home/.config/chaperone/rules.yaml',
    `targets:\n  railway-environment: { "env-prod-1": production, "env-dev-1": development }\n  railway-token: { "${fingerprint(prodToken)}": production }\n`,
  );
});

describe('an agent naming a development environment beside a production id', () => {
  it.each([
    ['RAILWAY_ENVIRONMENT_NAME=dev beside a production RAILWAY_ENVIRONMENT_ID', { RAILWAY_ENVIRONMENT_ID: 'env-prod-1', RAILWAY_ENVIRONMENT_NAME: 'dev' }, del],
    ['-e dev beside a production project token', { RAILWAY_TOKEN: prodToken }, [...del, '-e', 'dev']],
    ['--environment=development beside a production project token', { RAILWAY_TOKEN: prodToken }, [...del, '--environment=development']],
  ])('%s is refused, and the real railway never runs', async (_label, env, args) => {
    const result = await sb.run('railway', args, { env });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('environment  (production)');
    expect(result.stderr).not.toContain('to type "dev"');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('a cached environmentName of dev on a link whose id is production is refused', async () => {
    linkRailway(sb, sb.work, 'dev', 'env-prod-1');
    const result = await sb.run('railway', del);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('the name "dev" says development, and the stricter class stands');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('the same names where the id is development run, with a notice', async () => {
    const result = await sb.run('railway', del, { env: { RAILWAY_ENVIRONMENT_ID: 'env-dev-1', RAILWAY_ENVIRONMENT_NAME: 'dev' } });
    expect(result.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(del);
  });

  it('-e dev with an account token (RAILWAY_API_TOKEN reaches every environment) runs, with a notice', async () => {
    const result = await sb.run('railway', [...del, '-e', 'dev'], { env: { RAILWAY_API_TOKEN: prodToken } });
    expect(result.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual([...del, '-e', 'dev']);
  });

  it('a benign call beside the production id runs untouched', async () => {
    const result = await sb.run('railway', ['status'], { env: { RAILWAY_TOKEN: prodToken } });
    expect(result.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(['status']);
  });
});
