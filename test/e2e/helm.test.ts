// helm through the real shim, with a recording double standing in for helm (no cluster exists).

import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['helm']);
  sb.double('helm', { exitCode: 0, stdout: 'release "api" uninstalled\n' });
  writeKubeconfig(join(sb.home, '.kube', 'config'), {
    current: 'prod-eu',
    contexts: [{ name: 'prod-eu', namespace: 'payments' }, { name: 'kind-dev' }],
  });
});

const uninstall = ['uninstall', 'api', '-n', 'payments'];

describe('helm through the shim, with no terminal (an agent)', () => {
  it('refuses an uninstall in the production context, naming the context, kubeconfig and namespace', async () => {
    const result = await sb.run('helm', uninstall);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: helm uninstall api -n payments');
    expect(result.stderr).toContain('helm.uninstall [destroy]');
    expect(result.stderr).toContain('environment  prod-eu (production)');
    expect(result.stderr).toContain('evidence   file ~/.kube/config current-context = prod-eu');
    expect(result.stderr).toContain('evidence   flag --namespace payments');
    expect(sb.record('helm')).toBeUndefined();
  });

  it('runs it with --kube-context kind-dev, with a one-line notice and the argv untouched', async () => {
    const args = ['--kube-context', 'kind-dev', 'del', 'api'];
    const result = await sb.run('helm', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('release "api" uninstalled\n');
    expect(result.stderr).toBe('chaperone: helm.uninstall in kind-dev (development): allowed\n');
    expect(sb.record('helm')?.argv).toEqual(args);
  });

  it('reads HELM_KUBECONTEXT', async () => {
    const result = await sb.run('helm', ['rollback', 'api', '3'], { env: { HELM_KUBECONTEXT: 'kind-dev' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: helm.rollback in kind-dev (development): allowed\n');
  });

  it('passes read-only commands, dry runs and --help in production untouched and silent', async () => {
    for (const args of [['list', '-A'], ['status', 'api'], [...uninstall, '--dry-run'], ['uninstall', '--help']]) {
      const result = await sb.run('helm', args);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(sb.record('helm')?.argv).toEqual(args);
    }
  });
});
