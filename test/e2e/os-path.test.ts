// A `..` after a directory link, through the real kubectl shim with a recording double behind it.
// kubectl (and the kernel) follow `dirlink` first, so `dirlink/../prod-config` is the production
// kubeconfig next to the link's target, while the text says ./prod-config, a harmless file here. The
// shim must judge the file kubectl will read: refused for an agent (the double never runs), run
// untouched where the file really is a development one; the same through the resident decision, the
// shim's own Node, and the line analysis. Then what a refused agent tries next.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { agentLineAnswers } from '../helpers/line-checks.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const agent = { CHAPERONE_ACTOR: 'agent' };
const contexts = [{ name: 'prod-eu', cluster: 'eks-main' }, { name: 'kind-dev', server: 'https://127.0.0.1:6443' }];

beforeEach(async () => {
  sb = await makeSandbox(['kubectl']);
  sb.double('kubectl', { stdout: 'namespace "payments" deleted\n' });
  // ops/clusters/kube is where the link points; ops/clusters/prod-config is the production kubeconfig
  // kubectl reaches through it. work/prod-config is a kind config with the same name: the decoy.
  mkdirSync(join(sb.root, 'ops', 'clusters', 'kube'), { recursive: true });
  writeKubeconfig(join(sb.root, 'ops', 'clusters', 'prod-config'), { current: 'prod-eu', contexts });
  writeKubeconfig(join(sb.work, 'prod-config'), { current: 'kind-dev', contexts });
  symlinkSync('../ops/clusters/kube', join(sb.work, 'dirlink'));
});

describe('kubectl with a kubeconfig named through a directory link and ..', () => {
  it.each([
    ['KUBECONFIG, resident decision', { KUBECONFIG: 'dirlink/../prod-config' }, []],
    ['KUBECONFIG, the shim\'s Node', { KUBECONFIG: 'dirlink/../prod-config', CHAPERONE_SERVER: 'off' }, []],
    ['KUBECONFIG list', { KUBECONFIG: '/nonexistent/kube:./dirlink/./../prod-config' }, []],
    ['--kubeconfig', {}, ['--kubeconfig', 'dirlink/../prod-config']],
    ['--kubeconfig=', { CHAPERONE_SERVER: 'off' }, ['--kubeconfig=dirlink/../prod-config']],
  ] as [string, Record<string, string>, string[]][])('%s: refused to an agent, kubectl never runs', async (_name, env, flags) => {
    const result = await sb.run('kubectl', [...flags, 'delete', 'ns', 'payments'], { env: { ...agent, ...env } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('kubectl.delete [destroy]');
    expect(result.stderr).toContain('prod-eu (production)');
    expect(result.stderr).toContain('ops/clusters/prod-config');
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('runs untouched where the link leads to a development kubeconfig, argv and variable as given', async () => {
    writeKubeconfig(join(sb.root, 'ops', 'clusters', 'prod-config'), { current: 'kind-dev', contexts });
    writeKubeconfig(join(sb.work, 'prod-config'), { current: 'prod-eu', contexts });
    const result = await sb.run('kubectl', ['delete', 'ns', 'payments'], { env: { ...agent, KUBECONFIG: 'dirlink/../prod-config' } });
    expect(result.stderr).toBe('chaperone: kubectl.delete in kind-dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(sb.record('kubectl')?.argv).toEqual(['delete', 'ns', 'payments']);
    expect(sb.record('kubectl')?.env.KUBECONFIG).toBe('dirlink/../prod-config');
  });

  it('a benign kubectl get through the same path stays untouched', async () => {
    const result = await sb.run('kubectl', ['get', 'pods'], { env: { ...agent, KUBECONFIG: 'dirlink/../prod-config' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('kubectl')?.argv).toEqual(['get', 'pods']);
  });

  it('what a refused agent types next: the line analysis reads the same file, cd into the link included', async () => {
    for (const line of [
      'KUBECONFIG=dirlink/../prod-config kubectl delete ns payments',
      'kubectl --kubeconfig dirlink/../prod-config delete ns payments',
      'export KUBECONFIG=dirlink/../prod-config; kubectl delete ns payments',
      // bash's cd is logical: `cd dirlink` then `..` is the kernel's parent of where it went
      'cd dirlink && kubectl --kubeconfig ../prod-config delete ns payments',
      'cd -P dirlink/.. && kubectl --kubeconfig prod-config delete ns payments',
    ]) {
      expect(await agentLineAnswers(sb, line, sb.work), line).toEqual(['deny', 'deny']);
    }
    // the logical cd lands back in work/, where prod-config is the kind one
    expect(await agentLineAnswers(sb, 'cd dirlink/.. && kubectl --kubeconfig prod-config delete ns payments', sb.work)).toEqual(['allow', 'allow']);
  });
});
