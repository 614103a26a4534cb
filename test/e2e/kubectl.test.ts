// kubectl through the real shim, with a recording double standing in for kubectl (no cluster exists).

import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { kubeToken, writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['kubectl']);
  sb.double('kubectl', { exitCode: 0, stdout: 'namespace "payments" deleted\n' });
});

/** ~/.kube/config with a production and a kind context; `current` picks one. */
const useContext = (current: string) =>
  writeKubeconfig(join(sb.home, '.kube', 'config'), {
    current,
    contexts: [
      { name: 'prod-eu', cluster: 'eks-main' },
      { name: 'kind-dev', server: 'https://127.0.0.1:6443' },
    ],
  });

const deleteNamespace = ['delete', 'ns', 'payments'];

describe('kubectl through the shim, with no terminal (an agent)', () => {
  it('refuses a namespace delete when the current context is production, naming the context and the kubeconfig', async () => {
    useContext('prod-eu');
    const result = await sb.run('kubectl', deleteNamespace);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: kubectl delete ns payments');
    expect(result.stderr).toContain('kubectl.delete [destroy]');
    expect(result.stderr).toContain('environment  prod-eu (production): "prod-eu" contains "prod"');
    expect(result.stderr).toContain('evidence   file ~/.kube/config current-context = prod-eu');
    expect(result.stderr).toContain('evidence   argument namespace deleted: payments');
    expect(result.stderr).toContain('The real kubectl did not run.');
    expect(result.stderr).not.toContain(kubeToken);
    expect(sb.record('kubectl')).toBeUndefined();
  });

  // Refused the PVC delete, an agent first makes the volume go with its claim, or frees a held delete.
  it.each([
    [['patch', 'pv', 'pv-1', '-p', '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'], 'kubectl.patch.reclaim-delete [disables-recovery]'],
    [['patch', 'pvc', 'data', '--type=json', '-p=[{"op":"remove","path":"/metadata/finalizers"}]'], 'kubectl.patch.finalizers [destroy]'],
    [['patch', 'pv', 'pv-1', '--patch-file', 'reclaim.yaml'], 'kubectl.patch.reclaim-delete [disables-recovery]'],
  ])('refuses %j in the production context; the real kubectl never runs', async (args, rule) => {
    useContext('prod-eu');
    sb.write('work/reclaim.yaml', 'spec:\n  persistentVolumeReclaimPolicy: Delete\n');
    const result = await sb.run('kubectl', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(rule);
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('runs a reclaim patch in a kind context with a notice, and a Retain patch in production untouched', async () => {
    useContext('kind-dev');
    const reclaim = ['patch', 'pv', 'pv-1', '-p', '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'];
    const notice = await sb.run('kubectl', reclaim);
    expect(notice.exitCode).toBe(0);
    expect(notice.stderr).toBe('chaperone: kubectl.patch.reclaim-delete in kind-dev (development): allowed\n');
    useContext('prod-eu');
    const retain = ['patch', 'pv', 'pv-1', '-p', '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'];
    const benign = await sb.run('kubectl', retain);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('kubectl')?.argv).toEqual(retain);
  });

  it('runs the same delete in a kind context, with a one-line notice and the argv untouched', async () => {
    useContext('kind-dev');
    const result = await sb.run('kubectl', deleteNamespace);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('namespace "payments" deleted\n');
    expect(result.stderr).toBe('chaperone: kubectl.delete in kind-dev (development): allowed\n');
    expect(sb.record('kubectl')?.argv).toEqual(deleteNamespace);
  });

  it('lets --context anywhere on the line pick the context, as kubectl does', async () => {
    useContext('kind-dev');
    const args = ['delete', '--context', 'prod-eu', 'ns', 'payments'];
    const refused = await sb.run('kubectl', args);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('evidence   flag --context prod-eu');
    useContext('prod-eu');
    const allowed = await sb.run('kubectl', ['--context=kind-dev', ...deleteNamespace]);
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('kubectl')?.argv).toEqual(['--context=kind-dev', ...deleteNamespace]);
  });

  it('takes current-context from the first KUBECONFIG file that sets it', async () => {
    const first = writeKubeconfig(join(sb.root, 'kube', 'first.yaml'), { contexts: [{ name: 'prod-eu' }] });
    const second = writeKubeconfig(join(sb.root, 'kube', 'second.yaml'), { current: 'prod-eu', contexts: [{ name: 'kind-dev' }] });
    const result = await sb.run('kubectl', deleteNamespace, { env: { KUBECONFIG: `${first}:${second}` } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`evidence   file ${second} current-context = prod-eu`);
    expect(result.stderr).toContain(`evidence   file ${first} contexts["prod-eu"].cluster = prod-eu`);
  });

  it('finds the delete past flags that take the next word, as cobra does', async () => {
    useContext('prod-eu');
    const result = await sb.run('kubectl', ['-A', 'pods', 'delete', '--all']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('kubectl.delete');
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('passes a read-only command in production untouched and silent', async () => {
    useContext('prod-eu');
    sb.double('kubectl', { exitCode: 0, stdout: 'NAME READY\n' });
    const result = await sb.run('kubectl', ['get', 'pods', '-A', '-o', 'wide']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('NAME READY\n');
    expect(result.stderr).toBe('');
    expect(sb.record('kubectl')?.argv).toEqual(['get', 'pods', '-A', '-o', 'wide']);
  });

  it('passes a client dry run and --help in production', async () => {
    useContext('prod-eu');
    for (const args of [[...deleteNamespace, '--dry-run=client'], [...deleteNamespace, '--help']]) {
      const result = await sb.run('kubectl', args);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toBe('');
      expect(sb.record('kubectl')?.argv).toEqual(args);
    }
  });

  it('resolves the target of a read-only command for `chaperone check` too', async () => {
    useContext('prod-eu');
    const result = await sb.chaperone(['check', '--json', '--', 'kubectl', 'get', 'pods']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout)).environment).toMatchObject({ name: 'prod-eu', class: 'production' });
  });
});
