// The machine's real kubectl as the oracle. No cluster is reachable, and none is needed: kubectl reads
// the same kubeconfig files chaperone reads (`kubectl config current-context`), parses the same argv
// (an invalid --dry-run value is rejected only by a command that got as far as running), and, behind the
// shim, fails to reach the unreachable server only when chaperone let it run.
//
// Skipped, with the reason printed, when kubectl is missing; CHAPERONE_REQUIRE_REAL_TOOLS=1 makes that a
// failure.

import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { evaluateLine, rulesOf, words } from '../helpers/evaluate.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, sandboxRoots, systemPath, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

const group = toolGroup('chaperone against the real kubectl', await toolProblems([['kubectl', ['version', '--client']]]));

// Every server is 127.0.0.1:1, where nothing listens: kubectl fails fast if it ever gets that far.
const unreachable = 'https://127.0.0.1:1';
const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-kubectl-')));
sandboxRoots.push(root); // removed when the file is done (test/helpers/cleanup.ts)
const home = join(root, 'home');
const kube = join(root, 'kube');

/** Runs the real kubectl with only the given HOME and KUBECONFIG. */
const realKubectl = (args: string[], env: Record<string, string> = {}) =>
  execa('kubectl', args, { env: { PATH: systemPath, HOME: home, ...env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 20_000 });

describe.skipIf(group.skip)(group.title, () => {
  beforeAll(() => {
    group.assertAvailable();
    mkdirSync(home, { recursive: true });
    const contexts = [
      { name: 'prod-eu', server: unreachable },
      { name: 'kind-dev', server: unreachable },
      { name: 'stage-us', server: unreachable },
    ];
    writeKubeconfig(join(home, '.kube', 'config'), { current: 'prod-eu', contexts });
    writeKubeconfig(join(kube, 'none.yaml'), { contexts: [{ name: 'stage-us', server: unreachable }] });
    writeKubeconfig(join(kube, 'kind.yaml'), { current: 'kind-dev', contexts });
    writeKubeconfig(join(kube, 'stage.yaml'), { current: 'stage-us', contexts });
  });

  describe('the context chaperone resolves is the one `kubectl config current-context` prints', () => {
    const cases: [label: string, env: Record<string, string>, args: string[]][] = [
      ['~/.kube/config', {}, []],
      ['KUBECONFIG, one file', { KUBECONFIG: `${kube}/kind.yaml` }, []],
      ['KUBECONFIG, the first file sets none', { KUBECONFIG: `${kube}/none.yaml:${kube}/kind.yaml` }, []],
      ['KUBECONFIG, both files set one', { KUBECONFIG: `${kube}/stage.yaml:${kube}/kind.yaml` }, []],
      ['KUBECONFIG, both files set one, other order', { KUBECONFIG: `${kube}/kind.yaml:${kube}/stage.yaml` }, []],
      ['KUBECONFIG, a missing file and an empty entry first', { KUBECONFIG: `${kube}/missing.yaml::${kube}/stage.yaml` }, []],
      ['--kubeconfig beats KUBECONFIG', { KUBECONFIG: `${kube}/kind.yaml` }, ['--kubeconfig', `${kube}/stage.yaml`]],
    ];
    for (const [label, env, args] of cases) {
      it(label, async () => {
        const real = await realKubectl(['config', 'current-context', ...args], env);
        expect(real.exitCode).toBe(0);
        const ours = await evaluateLine(['kubectl', 'delete', 'ns', 'payments', ...args].join(' '), { HOME: home, ...env });
        expect(ours.target?.name).toBe(String(real.stdout).trim());
      });
    }
  });

  describe('the command chaperone reads is the one kubectl runs', () => {
    // Each line runs with --dry-run=bogus put first (written with `=`, it takes no word from the line): a
    // mutating command that kubectl really runs rejects the value before it contacts a server; a line
    // kubectl cannot run fails earlier with a usage error.
    const outcome = async (line: string) => {
      const real = await realKubectl(['--dry-run=bogus', ...words(line).slice(1)]);
      const runs = String(real.stderr).includes('Invalid dry-run value (bogus)');
      return `${runs ? 'kubectl runs it' : 'kubectl refuses it'}; chaperone: ${(await rulesOf(line)) || 'not gated'}`;
    };
    table((line) => line, [
      ['kubectl delete ns payments', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl -A pods delete --all', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl --all pods delete', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl -f manifest.yaml delete', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl -R x delete pods', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl -nprod delete pod x', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl -v 6 delete ns x', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl delete ns x -l --help', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl delete -- ns x', 'kubectl runs it; chaperone: kubectl.delete'],
      ['kubectl rollout -R deploy/api undo', 'kubectl runs it; chaperone: kubectl.rollout.undo'],
      ['kubectl scale deploy/api --replicas 0_0', 'kubectl runs it; chaperone: kubectl.scale.zero'],
      ['kubectl --foo delete ns x', 'kubectl refuses it; chaperone: not gated'],
      ['kubectl ns delete x', 'kubectl refuses it; chaperone: not gated'],
    ], outcome);
  });

  describe('through the shim, with the real kubectl behind it', () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await makeSandbox(['kubectl']);
      writeKubeconfig(join(sb.home, '.kube', 'config'), {
        current: 'prod-eu',
        contexts: [
          { name: 'prod-eu', server: unreachable },
          { name: 'kind-dev', server: unreachable },
        ],
      });
    });
    const timeout = '--request-timeout=2s';

    it('refuses a delete in the production context before kubectl ever tries the server', async () => {
      const result = await sb.run('kubectl', ['delete', 'ns', 'payments', timeout]);
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('environment  prod-eu (production)');
      expect(result.stderr).toContain('evidence   file ~/.kube/config current-context = prod-eu');
      expect(result.stderr).not.toContain('connection refused');
    });

    it('lets it through in the kind context, where the real kubectl then fails to reach the server', async () => {
      const result = await sb.run('kubectl', ['--context', 'kind-dev', 'delete', 'ns', 'payments', timeout]);
      expect(result.stderr).toMatch(/^chaperone: kubectl\.delete in kind-dev \(development\): allowed\n/);
      expect(result.stderr).toContain('connection refused');
      expect(result.exitCode).toBe(1);
    });

    it('passes a read-only command untouched: the real kubectl answers', async () => {
      const result = await sb.run('kubectl', ['config', 'current-context']);
      expect(result).toMatchObject({ exitCode: 0, stdout: 'prod-eu\n', stderr: '' });
    });
  });
});
