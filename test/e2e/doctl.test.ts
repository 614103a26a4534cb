// doctl through the real shim, with a recording double standing in for doctl.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['doctl']);
  sb.double('doctl', { stdout: 'deleted\n' });
  // The sandbox's XDG_CONFIG_HOME is ~/.config, so this is the file doctl itself would read.
  sb.write('home/.config/doctl/config.yaml', ['access-token: dop_v1_default_SECRET', 'context: prod', 'auth-contexts:', '  prod: dop_v1_prod_SECRET', '  sandbox: dop_v1_sbx_SECRET', ''].join('\n'));
});

const deleteDroplet = ['compute', 'droplet', 'delete', 'web-1', '--force'];

describe('doctl through the shim, with no terminal (an agent)', () => {
  it('refuses a droplet delete in the production context, naming the rule, the context and the file', async () => {
    const result = await sb.run('doctl', deleteDroplet);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: doctl compute droplet delete web-1 --force');
    expect(result.stderr).toContain('doctl.droplet.delete');
    expect(result.stderr).toContain('prod (production)');
    expect(result.stderr).toContain('file ~/.config/doctl/config.yaml context = prod');
    expect(result.stderr).not.toContain('SECRET');
    expect(sb.record('doctl')).toBeUndefined();
  });

  it('runs the same delete in a sandbox context given by flag, with a one-line notice', async () => {
    const args = ['--context', 'sandbox', ...deleteDroplet];
    const result = await sb.run('doctl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('deleted\n');
    expect(result.stderr).toBe('chaperone: doctl.droplet.delete in sandbox (development): allowed\n');
    expect(sb.record('doctl')?.argv).toEqual(args);
  });

  it('reads DIGITALOCEAN_CONTEXT, and the aliases of a cluster delete with --dangerous', async () => {
    const result = await sb.run('doctl', ['k8s', 'c', 'rm', 'shop', '--dangerous'], { env: { DIGITALOCEAN_CONTEXT: 'prod', DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_env_SECRET' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('doctl.kubernetes.cluster.delete.dangerous');
    expect(result.stderr).toContain('env DIGITALOCEAN_CONTEXT=prod');
    expect(result.stderr).toContain('not used: the context "prod" takes its token from auth-contexts');
    expect(result.stderr).not.toContain('SECRET');
    expect(sb.record('doctl')).toBeUndefined();
  });

  it('passes a read-only command through untouched, even in production', async () => {
    const result = await sb.run('doctl', ['compute', 'd', 'ls', '--format', 'ID,Name']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('doctl')?.argv).toEqual(['compute', 'd', 'ls', '--format', 'ID,Name']);
  });
});
