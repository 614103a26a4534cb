import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

describe('helm commands against the built-in rules', () => {
  table((line) => line, [
    ['helm uninstall api', 'helm.uninstall'],
    ['helm del api', 'helm.uninstall'],
    ['helm delete api --keep-history', 'helm.uninstall'],
    ['helm un api web', 'helm.uninstall'],
    ['helm uninstall api --wait --cascade foreground', 'helm.uninstall'],
    ['helm -n payments uninstall api', 'helm.uninstall'],
    ['helm --namespace=payments uninstall api', 'helm.uninstall'],
    ['helm --kube-context prod-eu uninstall api', 'helm.uninstall'],
    ['helm --kubeconfig /tmp/kc --debug uninstall api', 'helm.uninstall'],
    ['helm uninstall api -n payments --kube-context prod-eu', 'helm.uninstall'],
    // cobra finds the command with the global flags only: there --no-hooks takes the next word
    ['helm --no-hooks api uninstall', 'helm.uninstall'],
    ['helm uninstall api --dry-run=false', 'helm.uninstall'],
    ['helm uninstall api --dry-run=none', 'helm.uninstall'],
    ['helm uninstall api --dry-run --dry-run=false', 'helm.uninstall'],
    ['helm rollback api 3', 'helm.rollback'],
    ['helm rollback api --force --wait', 'helm.rollback'],
    ['helm -n payments rollback api', 'helm.rollback'],
    ['helm upgrade api ./chart --force-replace', 'helm.upgrade.force-replace'],
    ['helm upgrade --install api ./chart --force', 'helm.upgrade.force-replace'],
    // never gated
    ['helm uninstall --help', ''],
    ['helm uninstall api -h', ''],
    ['helm help uninstall', ''],
    ['helm uninstall api --dry-run', ''],
    ['helm uninstall api --dry-run=true', ''],
    ['helm rollback api 3 --dry-run', ''],
    ['helm upgrade api ./chart --force --dry-run=server', ''],
    ['helm upgrade api ./chart --force=false', ''],
    ['helm upgrade --install api ./chart -f values.yaml', ''],
    ['helm list -A', ''],
    ['helm ls --uninstalled', ''],
    ['helm status api', ''],
    ['helm history api', ''],
    ['helm get values api', ''],
    ['helm template api ./chart -s templates/job.yaml', ''],
    ['helm plugin uninstall diff', ''],
    ['helm repo remove bitnami', ''],
    ['helm version', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'helm-home');

beforeAll(() => {
  writeKubeconfig(join(home, '.kube', 'config'), {
    current: 'prod-eu',
    contexts: [
      { name: 'prod-eu', namespace: 'payments' },
      { name: 'kind-dev', server: 'https://127.0.0.1:6443' },
      { name: 'acme', cluster: 'shared' },
    ],
  });
  writeKubeconfig(join(home, 'kube', 'b.yaml'), { current: 'kind-dev', contexts: [{ name: 'kind-dev' }] });
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
}
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}`;
const targetOf = async ({ line, env = {} }: Case) => (await evaluateLine(line, { HOME: home, ...env }, home)).target!;
const summary = async (c: Case) => {
  const t = await targetOf(c);
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first ? `${first.source}:${first.key}` : '-'}`;
};

describe('helm target', () => {
  table(label, [
    [{ line: 'helm uninstall api' }, 'prod-eu production file:current-context'],
    [{ line: 'helm uninstall api --kube-context kind-dev' }, 'kind-dev development flag:--kube-context'],
    // --context is kubectl's spelling; helm has no such flag
    [{ line: 'helm uninstall api --context kind-dev' }, 'prod-eu production file:current-context'],
    [{ line: 'helm uninstall api', env: { HELM_KUBECONTEXT: 'kind-dev' } }, 'kind-dev development env:HELM_KUBECONTEXT'],
    [{ line: 'helm uninstall api --kube-context prod-eu', env: { HELM_KUBECONTEXT: 'kind-dev' } }, 'prod-eu production flag:--kube-context'],
    [{ line: 'helm uninstall api --kube-context=', env: { HELM_KUBECONTEXT: 'kind-dev' } }, 'prod-eu production file:current-context'],
    [{ line: 'helm uninstall api --kube-context acme' }, 'acme unknown flag:--kube-context'],
    [{ line: 'helm uninstall api --kube-context acme -n staging' }, 'acme unknown flag:--kube-context'], // a namespace may only raise the class
    [{ line: 'helm uninstall api --kube-context acme', env: { HELM_NAMESPACE: 'prod' } }, 'acme production flag:--kube-context'],
    [{ line: 'helm uninstall api --kube-context acme -n dev', env: { HELM_NAMESPACE: 'prod' } }, 'acme unknown flag:--kube-context'],
    [{ line: 'helm uninstall api --kube-context acme --kube-apiserver https://api.prod.example.com' }, 'acme production flag:--kube-context'],
    [{ line: 'helm uninstall api --kube-context acme', env: { HELM_KUBEAPISERVER: 'https://api.prod.example.com' } }, 'acme production flag:--kube-context'],
    [{ line: 'helm uninstall api', env: { KUBECONFIG: `${home}/kube/b.yaml` } }, 'kind-dev development env:KUBECONFIG'],
    [{ line: 'helm uninstall api --kubeconfig kube/b.yaml' }, 'kind-dev development flag:--kubeconfig'],
  ], summary);

  it('shows the context, cluster, server and namespace it read', async () => {
    const t = await targetOf({ line: 'helm uninstall api' });
    expect(t.evidence).toEqual([
      { source: 'file', key: 'current-context', value: 'prod-eu', file: '~/.kube/config' },
      { source: 'file', key: 'contexts["prod-eu"].cluster', value: 'prod-eu', file: '~/.kube/config' },
      { source: 'file', key: 'clusters["prod-eu"].server', value: 'https://prod-eu.example.com:6443', file: '~/.kube/config' },
      { source: 'file', key: 'contexts["prod-eu"].namespace', value: 'payments', file: '~/.kube/config' },
    ]);
  });

  it('takes the namespace from -n, then HELM_NAMESPACE, then the context', async () => {
    const last = async (c: Case) => (await targetOf(c)).evidence.at(-1);
    expect(await last({ line: 'helm uninstall api -n web', env: { HELM_NAMESPACE: 'jobs' } })).toEqual({ source: 'flag', key: '--namespace', value: 'web' });
    expect(await last({ line: 'helm uninstall api', env: { HELM_NAMESPACE: 'jobs' } })).toEqual({ source: 'env', key: 'HELM_NAMESPACE', value: 'jobs' });
    expect(await last({ line: 'helm uninstall api --kube-context kind-dev' })).toEqual({ source: 'default', key: 'namespace', value: 'default' });
  });
});
