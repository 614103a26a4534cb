import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { kubeToken, writeKubeconfig } from '../helpers/kubeconfig.js';

describe('kubectl commands against the built-in rules', () => {
  table((line) => line, [
    ['kubectl delete ns payments', 'kubectl.delete'],
    ['kubectl delete namespace payments --wait=false', 'kubectl.delete'],
    ['kubectl delete pod api-0 --grace-period=0 --force', 'kubectl.delete'],
    ['kubectl delete -f manifest.yaml', 'kubectl.delete'],
    ['kubectl delete -f -', 'kubectl.delete'],
    ['kubectl delete -R -f ./k8s/', 'kubectl.delete'],
    ['kubectl delete -k overlays/prod', 'kubectl.delete'],
    ['kubectl delete pods --all -A', 'kubectl.delete'],
    ['kubectl delete deploy -l app=api', 'kubectl.delete'],
    ['kubectl delete --raw /api/v1/namespaces/payments', 'kubectl.delete'],
    // global flags anywhere, in every spelling
    ['kubectl -n prod delete pod x', 'kubectl.delete'],
    ['kubectl -nprod delete pod x', 'kubectl.delete'],
    ['kubectl -n=prod delete pod x', 'kubectl.delete'],
    ['kubectl --namespace=prod delete pod x', 'kubectl.delete'],
    ['kubectl --context prod-eu delete pod x', 'kubectl.delete'],
    ['kubectl --kubeconfig /tmp/kc delete pod x', 'kubectl.delete'],
    ['kubectl -s https://api.example.com delete pod x', 'kubectl.delete'],
    ['kubectl --cluster c --user u delete pod x', 'kubectl.delete'],
    ['kubectl -v 6 delete ns x', 'kubectl.delete'],
    ['kubectl --insecure-skip-tls-verify delete ns x', 'kubectl.delete'],
    ['kubectl delete -- pods x', 'kubectl.delete'],
    // cobra finds the verb with the global flags only: -A and --all take the next word there
    ['kubectl -A pods delete --all', 'kubectl.delete'],
    ['kubectl --all pods delete', 'kubectl.delete'],
    ['kubectl -f manifest.yaml delete', 'kubectl.delete'],
    // -l takes the next argument, even one spelled like a flag
    ['kubectl delete ns x -l --help', 'kubectl.delete'],
    // dry runs: only client and server change nothing; the last one counts
    ['kubectl delete pod x --dry-run=none', 'kubectl.delete'],
    ['kubectl delete pod x --dry-run=false', 'kubectl.delete'],
    ['kubectl delete pod x --dry-run=client --dry-run=none', 'kubectl.delete'],
    ['kubectl drain node-1 --ignore-daemonsets --delete-emptydir-data', 'kubectl.drain'],
    ['kubectl drain node-1 --dry-run=none', 'kubectl.drain'],
    ['kubectl scale deploy api --replicas=0', 'kubectl.scale.zero'],
    ['kubectl scale deploy api --replicas 0', 'kubectl.scale.zero'],
    ['kubectl scale --replicas=00 deploy/api', 'kubectl.scale.zero'],
    ['kubectl scale deploy/api --replicas=0x0', 'kubectl.scale.zero'],
    ['kubectl scale deploy/api --replicas=3 --replicas=0', 'kubectl.scale.zero'],
    ['kubectl replace --force -f app.yaml', 'kubectl.replace.force'],
    ['kubectl replace -f app.yaml --force=true', 'kubectl.replace.force'],
    ['kubectl apply --prune -l app=api -f k8s/', 'kubectl.apply.prune'],
    ['kubectl apply -f k8s/ --prune --all', 'kubectl.apply.prune'],
    ['kubectl apply -f app.yaml --force', 'kubectl.apply.force'],
    ['kubectl rollout undo deploy/api', 'kubectl.rollout.undo'],
    ['kubectl rollout undo deploy/api --to-revision=2', 'kubectl.rollout.undo'],
    ['kubectl rollout -R deploy/api undo', 'kubectl.rollout.undo'],
    // a patch that takes recovery away first: the volume's data goes with its claim, or a held delete completes
    [`kubectl patch pv pv-1 -p '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'`, 'kubectl.patch.reclaim-delete'],
    [`kubectl patch pv/pv-1 --type json -p '[{"op":"replace","path":"/spec/persistentVolumeReclaimPolicy","value":"Delete"}]'`, 'kubectl.patch.reclaim-delete'],
    [`kubectl patch pv pv-1 --patch 'spec: {persistentVolumeReclaimPolicy: Delete}'`, 'kubectl.patch.reclaim-delete'],
    [`kubectl patch pvc data -p '{"metadata":{"finalizers":null}}'`, 'kubectl.patch.finalizers'],
    [`kubectl patch pvc data --type=json -p='[{"op":"remove","path":"/metadata/finalizers"}]'`, 'kubectl.patch.finalizers'],
    ['kubectl patch pv pv-1 --patch-file /nonexistent/patch.yaml', 'kubectl.patch.reclaim-delete kubectl.patch.finalizers'],
    // never gated
    ['kubectl delete --help', ''],
    ['kubectl delete ns payments -h', ''],
    ['kubectl help delete', ''],
    ['kubectl delete pod x --dry-run=client', ''],
    ['kubectl delete pod x --dry-run=server', ''],
    ['kubectl delete pod x --dry-run', ''],
    ['kubectl delete pod x --dry-run=true', ''],
    ['kubectl drain node-1 --dry-run=server', ''],
    ['kubectl get pods -A', ''],
    ['kubectl get ns delete', ''],
    ['kubectl describe pod delete', ''],
    ['kubectl logs -f delete', ''],
    ['kubectl get -o yaml deploy api', ''],
    ['kubectl scale deploy api --replicas=3', ''],
    [`kubectl patch pv pv-1 -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'`, ''],
    [`kubectl patch pv pv-1 --dry-run=client -p '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'`, ''],
    [`kubectl patch deploy api -p '{"spec":{"replicas":3}}'`, ''],
    [`kubectl patch pvc data --type=json -p='[{"op":"add","path":"/metadata/finalizers/-","value":"x"}]'`, ''],
    ['kubectl scale deploy api --replicas=0 --dry-run=server', ''],
    ['kubectl replace -f app.yaml', ''],
    ['kubectl replace -f app.yaml --force=false', ''],
    ['kubectl apply -f app.yaml', ''],
    ['kubectl apply -f app.yaml --prune=false', ''],
    ['kubectl apply --prune -l app=api -f k8s/ --dry-run=server', ''],
    ['kubectl rollout status deploy/api', ''],
    ['kubectl rollout history deploy/api', ''],
    ['kubectl config view', ''],
    ['kubectl config current-context', ''],
    ['kubectl version', ''],
    // kubectl itself refuses these: --foo takes `delete` while cobra looks for the command
    ['kubectl --foo delete ns x', ''],
    ['kubectl ns delete x', ''],
    ['kubectl cordon node01', 'kubectl.cordon'],
    ['kubectl delete ns app -h=false', 'kubectl.delete'], // pflag: help=false, the delete runs
    ['kubectl delete ns app --help=false', 'kubectl.delete'],
    ['kubectl uncordon node01', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'kubectl-home');
const kube = join(home, 'kube');

beforeAll(() => {
  writeKubeconfig(join(home, '.kube', 'config'), {
    current: 'prod-eu',
    contexts: [
      { name: 'prod-eu', cluster: 'eks-main', namespace: 'payments' },
      { name: 'kind-dev', server: 'https://127.0.0.1:6443' },
      { name: 'acme', cluster: 'shared' },
      { name: 'acme-ns', cluster: 'shared', namespace: 'staging' },
      { name: 'in-pod', server: 'https://kubernetes.default.svc.cluster.local' },
      { name: 'by-server', cluster: 'c7', server: 'https://api.prod.example.com' },
    ],
  });
  // Three files for KUBECONFIG lists: a sets no current-context, b and c do.
  writeKubeconfig(join(kube, 'a.yaml'), { contexts: [{ name: 'stage-us' }] });
  writeKubeconfig(join(kube, 'b.yaml'), { current: 'kind-dev', contexts: [{ name: 'kind-dev' }] });
  writeKubeconfig(join(kube, 'c.yaml'), { current: 'stage-us', contexts: [{ name: 'kind-dev' }] });
  mkdirSync(join(home, 'empty'), { recursive: true });
  writeFileSync(join(kube, 'broken.yaml'), 'contexts: [unclosed\n');
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}`;
const targetOf = async ({ line, env = {}, home: at = home }: Case) => (await evaluateLine(line, { HOME: at, ...env }, home)).target!;
/** name, class, and the first piece of evidence. */
const summary = async (c: Case) => {
  const t = await targetOf(c);
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first ? `${first.source}:${first.key}` : '-'}`;
};

describe('kubectl target', () => {
  table(label, [
    [{ line: 'kubectl delete deploy api' }, 'prod-eu production file:current-context'],
    [{ line: 'kubectl delete deploy api --context kind-dev' }, 'kind-dev development flag:--context'],
    [{ line: 'kubectl --context=kind-dev delete deploy api' }, 'kind-dev development flag:--context'],
    [{ line: 'kubectl delete deploy api --context acme' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl delete deploy api --context acme-ns' }, 'acme-ns unknown flag:--context'], // a namespace may only raise the class
    [{ line: 'kubectl delete deploy api --context acme -n staging' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl delete deploy api --context kind-dev -n prod' }, 'kind-dev production flag:--context'],
    // the namespace counts only where the command acts in it
    [{ line: 'kubectl delete -f app.yaml --context acme-ns' }, 'acme-ns unknown flag:--context'],
    [{ line: 'kubectl delete ns payments --context acme -n dev' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl delete ns payments-prod --context kind-dev' }, 'kind-dev production flag:--context'],
    [{ line: 'kubectl delete nodes --all --context acme -n dev' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl drain node-1 --context acme -n dev' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl delete pods --all -A --context acme -n dev' }, 'acme unknown flag:--context'],
    [{ line: 'kubectl delete --raw /api/v1/namespaces/dev-tools/pods/x --context acme' }, 'acme unknown flag:--context'],
    // the cluster and its server are identifiers too
    [{ line: 'kubectl delete deploy api --context by-server' }, 'by-server production flag:--context'],
    [{ line: 'kubectl delete deploy api --context acme -s https://api.prod.example.com' }, 'acme production flag:--context'],
    [{ line: 'kubectl delete deploy api --context in-pod' }, 'in-pod unknown flag:--context'],
    [{ line: 'kubectl delete deploy api --context nowhere' }, 'nowhere unknown flag:--context'],
    // which files: KUBECONFIG (first file to set current-context wins), --kubeconfig, ~/.kube/config
    [{ line: 'kubectl delete deploy api', env: { KUBECONFIG: `${kube}/a.yaml:${kube}/b.yaml` } }, 'kind-dev development env:KUBECONFIG'],
    [{ line: 'kubectl delete deploy api', env: { KUBECONFIG: `${kube}/c.yaml:${kube}/b.yaml` } }, 'stage-us staging env:KUBECONFIG'],
    [{ line: 'kubectl delete deploy api', env: { KUBECONFIG: `::${kube}/missing.yaml:${kube}/b.yaml` } }, 'kind-dev development env:KUBECONFIG'],
    [{ line: 'kubectl delete deploy api', env: { KUBECONFIG: `${kube}/broken.yaml:${kube}/b.yaml` } }, 'kind-dev development env:KUBECONFIG'],
    [{ line: 'kubectl delete deploy api --kubeconfig kube/b.yaml' }, 'kind-dev development flag:--kubeconfig'],
    [{ line: 'kubectl delete deploy api --kubeconfig kube/b.yaml', env: { KUBECONFIG: `${kube}/c.yaml` } }, 'kind-dev development flag:--kubeconfig'],
    [{ line: 'kubectl delete deploy api --kubeconfig kube/missing.yaml' }, '- unknown flag:--kubeconfig'],
    [{ line: 'kubectl delete deploy api', home: join(home, 'empty') }, '- unknown file:kubeconfig'],
    [{ line: 'kubectl delete deploy api', home: join(home, 'empty'), env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' } }, '- unknown file:kubeconfig'],
  ], summary);

  it('shows where each fact came from: context, cluster, server and namespace, from ~/.kube/config', async () => {
    const t = await targetOf({ line: 'kubectl delete deploy api' });
    expect(t.because).toBe('"prod-eu" contains "prod"');
    expect(t.evidence).toEqual([
      { source: 'file', key: 'current-context', value: 'prod-eu', file: '~/.kube/config' },
      { source: 'file', key: 'contexts["prod-eu"].cluster', value: 'eks-main', file: '~/.kube/config' },
      { source: 'file', key: 'clusters["eks-main"].server', value: 'https://eks-main.example.com:6443', file: '~/.kube/config' },
      { source: 'file', key: 'contexts["prod-eu"].namespace', value: 'payments', file: '~/.kube/config' },
    ]);
  });

  it('names the file of each fact when KUBECONFIG lists several', async () => {
    const t = await targetOf({ line: 'kubectl delete deploy api', env: { KUBECONFIG: `${kube}/a.yaml:${kube}/missing.yaml:${kube}/c.yaml` } });
    expect(t.evidence).toEqual([
      { source: 'env', key: 'KUBECONFIG', value: `${kube}/a.yaml:${kube}/missing.yaml:${kube}/c.yaml` },
      { source: 'file', key: 'kubeconfig', value: 'no such file', file: '~/kube/missing.yaml' },
      { source: 'file', key: 'current-context', value: 'stage-us', file: '~/kube/c.yaml' },
      // a.yaml defines stage-us first, so its definition wins
      { source: 'file', key: 'contexts["stage-us"].cluster', value: 'stage-us', file: '~/kube/a.yaml' },
      { source: 'file', key: 'clusters["stage-us"].server', value: 'https://stage-us.example.com:6443', file: '~/kube/a.yaml' },
      { source: 'default', key: 'namespace', value: 'default' },
    ]);
  });

  it('names the namespaces a delete removes, and not the -n that cannot scope it', async () => {
    const t = await targetOf({ line: 'kubectl delete ns/payments ns/ledger --context acme -n dev' });
    expect(t.evidence.slice(-3)).toEqual([
      { source: 'argument', key: 'namespace deleted', value: 'payments' },
      { source: 'argument', key: 'namespace deleted', value: 'ledger' },
      { source: 'command', key: 'kubectl delete', value: 'cluster-wide, in no one namespace' },
    ]);
  });

  it('leaves the namespace to the files when -f has no -n', async () => {
    const t = await targetOf({ line: 'kubectl delete -f app.yaml' });
    expect(t.evidence.at(-1)).toEqual({ source: 'default', key: 'namespace', value: "each object's own, else payments" });
  });

  it('says why a pod with no kubeconfig names no cluster', async () => {
    const t = await targetOf({ line: 'kubectl delete deploy api', home: join(home, 'empty'), env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' } });
    expect(t.evidence.map((e) => `${e.source}:${e.key}`)).toEqual(['file:kubeconfig', 'env:KUBERNETES_SERVICE_HOST', 'default:namespace']);
  });

  it('reports an unreadable kubeconfig and never shows a token', async () => {
    const t = await targetOf({ line: 'kubectl delete deploy api', env: { KUBECONFIG: `${kube}/broken.yaml` } });
    expect(t.class).toBe('unknown');
    expect(t.evidence[1]).toMatchObject({ source: 'file', key: 'kubeconfig', file: '~/kube/broken.yaml' });
    expect(t.evidence[1].value).toMatch(/^unreadable \(/);
    const all = await targetOf({ line: 'kubectl delete deploy api' });
    expect(JSON.stringify(all)).not.toContain(kubeToken);
  });
});
