// A line whose earlier commands switch what later ones target, judged by the built CLI the way an agent
// hook gets it (`chaperone hook claude`, `chaperone check --command` with an agent's marker), and then
// run for real through the shims: the shim needs no simulation, since it reads the files after the
// switch really happened.

import { beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
/** An agent's own marker, not --actor: the CLI must find the agent itself. */
const agent = { CLAUDE_CODE_SESSION_ID: 'session-1' };

beforeEach(async () => {
  sb = await makeSandbox(['kubectl', 'railway', 'terraform']);
});

const kubeconfig = (current: string, path = join(sb.home, '.kube', 'config')) =>
  writeKubeconfig(path, { current, contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }, { name: 'prod' }] });

async function check(line: string, env: Record<string, string> = {}) {
  const result = await sb.chaperone(['check', '--json', '--command', line], { env: { ...agent, ...env } });
  const json = JSON.parse(String(result.stdout));
  const commands: { tool: string; argv: string[]; decision: string; findings: unknown[]; environment: { class: string; evidence: { source: string; key: string; value: string }[] } | null }[] =
    json.commands ?? [json];
  // The switches themselves match no rule: what is shown is what comes after them.
  const gated = commands.filter((c) => c.findings.length > 0);
  return { exitCode: result.exitCode, decision: json.decision as string, gated: gated.map((c) => `${c.tool}:${c.decision}:${c.environment?.class}`), commands };
}

async function hook(line: string): Promise<{ exitCode: number | undefined; decision?: string; reason?: string }> {
  const payload = readFileSync(new URL('../fixtures/hooks/claude.json', import.meta.url), 'utf8').replace(/"COMMAND"/g, JSON.stringify(line)).replace(/"CWD"/g, JSON.stringify(sb.work));
  const result = await sb.chaperone(['hook', 'claude'], { input: payload });
  const out = String(result.stdout);
  if (out === '') return { exitCode: result.exitCode };
  const json = JSON.parse(out).hookSpecificOutput;
  return { exitCode: result.exitCode, decision: json.permissionDecision, reason: json.permissionDecisionReason };
}

describe('kubectl: a context switch earlier in the line, for an agent', () => {
  it('refuses a delete after a switch to prod while kind-dev is current, in both spellings and through the hook', async () => {
    kubeconfig('kind-dev');
    expect((await check('kubectl delete ns shop')).gated).toEqual(['kubectl:allow:development']);
    for (const line of ['kubectl config use-context prod && kubectl delete ns shop', 'kubectx prod && kubectl delete ns shop']) {
      const { exitCode, gated } = await check(line);
      expect([line, exitCode, gated]).toEqual([line, 77, ['kubectl:deny:production']]);
      const answer = await hook(line);
      expect([line, answer.exitCode, answer.decision]).toEqual([line, 2, 'deny']);
      expect(answer.reason).toContain('earlier in the line');
    }
  });

  it('allows (with a notice) a delete after a switch to kind-dev that certainly happened, while prod is current', async () => {
    kubeconfig('prod');
    expect((await check('kubectl delete ns shop')).gated).toEqual(['kubectl:deny:production']);
    for (const line of ['kubectl config use-context kind-dev && kubectl delete ns shop', 'kubectx kind-dev && kubectl delete ns shop']) {
      const { exitCode, gated, commands } = await check(line);
      expect([line, exitCode, gated]).toEqual([line, 0, ['kubectl:allow:development']]);
      expect(commands.at(-1)!.environment!.evidence).toContainEqual(expect.objectContaining({ source: 'command', key: `earlier in the line: ${line.split(' && ')[0]}` }));
      expect(await hook(line)).toEqual({ exitCode: 0 });
    }
  });

  it('refuses when the switch may have failed: both targets count', async () => {
    kubeconfig('prod');
    for (const line of ['kubectl config use-context kind-dev; kubectl delete ns shop', 'kubectx kind-dev || kubectl delete ns shop']) {
      const { exitCode, gated } = await check(line);
      expect([line, exitCode, gated]).toEqual([line, 77, ['kubectl:deny:production']]);
      expect((await hook(line)).decision).toBe('deny');
    }
  });

  it("judges what a refused agent types next: --context beats the switch, KUBECONFIG names its own file's production", async () => {
    kubeconfig('kind-dev');
    expect((await check('kubectx prod && kubectl --context kind-dev delete ns shop')).gated).toEqual(['kubectl:allow:development']);
    expect((await check('kubectx kind-dev && kubectl --context prod delete ns shop')).gated).toEqual(['kubectl:deny:production']);
    const dev = join(sb.root, 'dev.yaml');
    writeKubeconfig(dev, { current: 'shop', contexts: [{ name: 'shop', server: 'https://k8s.prod.example.com' }] });
    expect((await check(`KUBECONFIG=${dev} kubectl delete ns shop`)).gated).toEqual(['kubectl:deny:production']);
    expect((await check(`export KUBECONFIG=${dev}; kubectl delete ns shop`)).gated).toEqual(['kubectl:deny:production']);
    // a switch in another kubeconfig does not move this one
    expect((await check(`kubectl config use-context kind-dev && kubectl --kubeconfig ${dev} delete ns shop`)).gated).toEqual(['kubectl:deny:production']);
    expect((await check(`kubectl config use-context kind-dev && KUBECONFIG=${dev} kubectl delete ns shop`)).gated).toEqual(['kubectl:deny:production']);
  });

  it('runs for real through the shims: the switch passes, the delete is refused from the file the switch really wrote', async () => {
    kubeconfig('kind-dev');
    // A kubectl double that really switches the current context, as kubectl would.
    const double = join(sb.doubles, 'kubectl');
    writeFileSync(
      double,
      [
        '#!/bin/sh',
        'mkdir -p "$RECORDS/kubectl"; echo "$*" >> "$RECORDS/kubectl/calls"',
        'if [ "$1 $2" = "config use-context" ]; then sed -i "s/^current-context: .*/current-context: $3/" "$HOME/.kube/config"; fi',
        '',
      ].join('\n'),
    );
    chmodSync(double, 0o755);
    const result = await sb.sh('kubectl config use-context prod && kubectl delete ns shop', { env: agent });
    expect(result.exitCode).toBe(77);
    expect(String(result.stderr)).toContain('chaperone: refused: kubectl delete ns shop');
    expect(readFileSync(join(sb.records, 'kubectl', 'calls'), 'utf8')).toBe('config use-context prod\n');
  });
});

describe('railway and terraform: two spellings each, for an agent', () => {
  it('railway: a relink to production refuses the delete; to development, certainly, allows it', async () => {
    linkRailway(sb, sb.work, 'staging');
    const del = 'railway variable delete DATABASE_URL';
    expect((await check(del)).gated).toEqual(['railway:deny:staging']);
    expect((await check(`railway environment production && ${del}`)).gated).toEqual(['railway:deny:production']);
    expect((await check(`railway link -e production && ${del}`)).gated).toEqual(['railway:deny:production']);
    expect((await check(`railway environment development && ${del}`)).gated).toEqual(['railway:allow:development']);
    expect((await check(`railway environment link development && ${del}`)).gated).toEqual(['railway:allow:development']);
    expect((await check(`railway environment development; ${del}`)).gated).toEqual(['railway:deny:staging']);
    expect((await hook(`railway environment production && ${del}`)).decision).toBe('deny');
    // A volume is the project's: no relink keeps its deletion out of production.
    expect((await check('railway environment development && railway volume delete -v pg-data --yes')).gated).toEqual(['railway:deny:production']);
  });

  it('terraform: workspace select and new move the destroy', async () => {
    sb.write('work/.terraform/environment', 'dev\n');
    expect((await check('terraform destroy -auto-approve')).gated).toEqual(['terraform:allow:development']);
    expect((await check('terraform workspace select prod && terraform destroy -auto-approve')).gated).toEqual(['terraform:deny:production']);
    expect((await check('tofu workspace new prod && tofu destroy -auto-approve')).gated).toEqual(['tofu:deny:production']);
    sb.write('work/.terraform/environment', 'prod\n');
    expect((await check('terraform workspace select dev && terraform destroy -auto-approve')).gated).toEqual(['terraform:allow:development']);
    expect((await check('terraform workspace select dev || terraform destroy -auto-approve')).gated).toEqual(['terraform:deny:production']);
  });
});
