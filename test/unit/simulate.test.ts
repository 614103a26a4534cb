// Lines whose earlier commands switch what later ones target: `kubectl config use-context prod && kubectl
// delete ns shop` deletes in prod, whatever the kubeconfig says before the line runs. Each case is a line
// judged by `check --command`'s own path (the shell analyzer, then evaluate) for an agent, shown as
// `tool:decision:class` per covered command (the switch commands themselves are allowed).
//
// The sandbox HOME holds a kubeconfig with contexts kind-dev (current) and prod, a Railway link to
// staging, a terraform data dir on workspace dev, a gcloud configuration on acme-dev and an AWS profile
// per environment.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithEvaluations, explainText } from '../../src/cli/check.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { table } from '../helpers/cases.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-simulate-')));
const home = join(root, 'home');
const work = join(root, 'work');
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: '/usr/bin:/bin' };

beforeAll(() => {
  mkdirSync(work, { recursive: true });
  writeKubeconfig(join(home, '.kube', 'config'), { current: 'kind-dev', contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }, { name: 'prod' }] });
  // A second kubeconfig whose current context is prod, and one whose context named "dev" points at production.
  writeKubeconfig(join(root, 'prod.yaml'), { current: 'prod', contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }, { name: 'prod' }] });
  writeKubeconfig(join(root, 'dev.yaml'), { current: 'acme-production', contexts: [{ name: 'acme-production' }] });
});

async function judge(line: string, cwd = work, extra: Record<string, string> = {}): Promise<string[]> {
  const { report } = await checkWithEvaluations({ line, cwd, env: { ...env, ...extra }, actor: 'agent' });
  return report.commands.filter((c) => c.covered && c.findings.length + (c.environment ? 1 : 0) > 0 && !isSwitch(c.argv)).map((c) => `${c.tool}:${c.decision}:${c.environment?.class ?? '-'}`);
}

/** The switch commands themselves are benign; the table shows what comes after them. */
function isSwitch(argv: string[]): boolean {
  return argv[0] === 'config' || argv[0] === 'workspace' || argv[0] === 'link' || argv[0] === 'environment' || argv[0] === 'configure';
}

describe('kubectl: a context switch earlier in the line', () => {
  table((line) => line, [
    // nothing switched: kind-dev is current
    ['kubectl delete ns shop', ['kubectl:allow:development']],
    // && : the switch happened before the delete
    ['kubectl config use-context prod && kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectl config use prod && kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectl config set current-context prod && kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectx prod && kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectx prod && helm uninstall shop', ['helm:deny:production']],
    // ; and || : the switch may have failed, both count: the strictest wins
    ['kubectl config use-context prod; kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectl config use-context prod || kubectl delete ns shop', ['kubectl:deny:production']],
    // files, not shell state: a switch in a subshell or bash -c still counts
    ['(kubectl config use-context prod) ; kubectl delete ns shop', ['kubectl:deny:production']],
    ['bash -c "kubectl config use-context prod" && kubectl delete ns shop', ['kubectl:deny:production']],
    // a pipeline stage may switch before the delete reads the kubeconfig, and a later switch may reach a background job
    ['kubectl config use-context prod | cat; kubectl delete ns shop', ['kubectl:deny:production']],
    ['kubectl delete ns shop & kubectl config use-context prod', ['kubectl:deny:production']],
    // ... but a switch after a command that has finished does not reach it
    ['kubectl delete ns shop; kubectl config use-context prod', ['kubectl:allow:development']],
    // the --context flag beats the current context, switched or not
    ['kubectl config use-context prod && kubectl --context kind-dev delete ns shop', ['kubectl:allow:development']],
    ['kubectx kind-dev && kubectl --context prod delete ns shop', ['kubectl:deny:production']],
    // another kubeconfig is another file: the switch of one does not move the other
    [`kubectl config use-context prod && KUBECONFIG=${'$HOME'}/other kubectl delete ns shop`, ['kubectl:deny:unknown']],
    // a context the line does not know is unknown
    ['kubectl config use-context "$CTX" && kubectl delete ns shop', ['kubectl:deny:unknown']],
    ['kubectx - && kubectl delete ns shop', ['kubectl:deny:unknown']],
    // namespaces may only make it stricter
    ['kubens payments-prod && kubectl delete deploy api', ['kubectl:deny:production']],
    ['kubectl config set-context --current --namespace=payments-prod && kubectl delete deploy api', ['kubectl:deny:production']],
    ['kubectl config set-context --current --namespace=dev-scratch && kubectl delete deploy api', ['kubectl:allow:development']],
    // kubeconfig writes chaperone does not follow make the target unknown
    ['kubectl config set-cluster kind-dev --server=https://10.0.0.1 && kubectl delete ns shop', ['kubectl:deny:unknown']],
    ['kubectl config rename-context prod kind-dev2 && kubectl delete ns shop', ['kubectl:deny:unknown']],
    ['kubectl config set-context --current --cluster=prod && kubectl delete ns shop', ['kubectl:deny:unknown']],
  ], (line) => judge(line));

  it('relaxes only when the switch certainly happened: prod is current, kind-dev switched to', async () => {
    const prodCurrent = { KUBECONFIG: join(root, 'prod.yaml') };
    expect(await judge('kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('kubectl config use-context kind-dev && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:allow:development']);
    expect(await judge('kubectx kind-dev && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:allow:development']);
    expect(await judge('kubectl config use-context kind-dev; kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('kubectl config use-context kind-dev || kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('! kubectl config use-context kind-dev && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('sudo kubectl config use-context kind-dev && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('kubectl config use-context kind-dev && kubectl delete ns shop || kubectl delete ns web', work, prodCurrent)).toEqual(['kubectl:allow:development', 'kubectl:deny:production']);
  });

  it('reads KUBECONFIG from the line: a file that names production is production, whatever its context is called', async () => {
    expect(await judge(`KUBECONFIG=${join(root, 'dev.yaml')} kubectl delete ns shop`)).toEqual(['kubectl:deny:production']);
    expect(await judge(`export KUBECONFIG=${join(root, 'prod.yaml')}; kubectl delete ns shop`)).toEqual(['kubectl:deny:production']);
    expect(await judge(`HOME=${root}/nowhere kubectl delete ns shop`)).toEqual(['kubectl:deny:unknown']);
  });

  it('explains the switch as evidence', async () => {
    const { report } = await checkWithEvaluations({ line: 'kubectl config use-context prod && kubectl delete ns shop', cwd: work, env, actor: 'agent' });
    expect(explainText(report)).toContain('command earlier in the line: kubectl config use-context prod: current-context prod in ~/.kube/config');
    const maybe = await checkWithEvaluations({ line: 'kubectl config use-context prod; kubectl delete ns shop', cwd: work, env, actor: 'agent' });
    expect(explainText(maybe.report)).toContain('may have failed');
  });
});
