// vercel through the real shim, with a recording double standing in for the Vercel CLI.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['vercel']);
  sb.double('vercel', { stdout: 'removed\n' });
  // `vercel link` writes this into the linked directory.
  sb.write('work/.vercel/project.json', JSON.stringify({ projectId: 'prj_4Xq1b2C3devTk9', orgId: 'team_Q7', projectName: 'shop' }));
});

describe('vercel through the shim, with no terminal (an agent)', () => {
  it('refuses removing a production project by name, showing the argument it read', async () => {
    const result = await sb.run('vercel', ['rm', 'shop-prod', '--yes']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: vercel rm shop-prod --yes');
    expect(result.stderr).toContain('vercel.remove');
    expect(result.stderr).toContain('shop-prod (production)');
    expect(result.stderr).toContain('argument vercel rm: shop-prod');
    expect(sb.record('vercel')).toBeUndefined();
  });

  it('refuses env rm with no environment named: it reaches production', async () => {
    const result = await sb.run('vercel', ['env', 'rm', 'API_KEY', '-y']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('vercel.env.remove');
    expect(result.stderr).toContain('production (production)');
    expect(result.stderr).toContain('production included');
    expect(result.stderr).toContain(`file ${sb.work}/.vercel/project.json projectName = shop`);
    expect(sb.record('vercel')).toBeUndefined();
  });

  it('runs env rm in the development environment of the linked project, with a one-line notice', async () => {
    const args = ['env', 'rm', 'API_KEY', 'development', '-y'];
    const result = await sb.run('vercel', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('removed\n');
    expect(result.stderr).toBe('chaperone: vercel.env.remove in development (development): allowed\n');
    expect(sb.record('vercel')?.argv).toEqual(args);
  });

  it('passes a read-only command through untouched', async () => {
    const result = await sb.run('vercel', ['env', 'ls', 'production']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('vercel')?.argv).toEqual(['env', 'ls', 'production']);
  });
});
