// The hook asks `check` for a decision only (CheckRequest.decisionOnly): a covered command no rule
// matches has its target left unresolved, since no finding means allow whatever the environment. This
// proves the verdicts, findings, targets of what is refused, and the refusal texts the hook prints are
// those of the full check, across lines benign and destructive, local and remote, nested and computed,
// in production and in development.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWithEvaluations, type CheckResult } from '../../src/cli/check.js';
import { refusalMessage } from '../../src/display/describe.js';
import { emptyHome } from '../helpers/evaluate.js';

const work = join(emptyHome, 'decision-only');
mkdirSync(join(work, '.git'), { recursive: true });
// A git alias that runs psql (a local line inside git), and a railway link to production.
writeFileSync(join(work, '.git', 'config'), '[alias]\n\twipe = !psql -h db.prod.example -c "drop table users"\n\tst = status\n');
mkdirSync(join(emptyHome, '.railway'), { recursive: true });
writeFileSync(join(emptyHome, '.railway', 'config.json'), JSON.stringify({ projects: { [work]: { project: 'p', environment: 'e', environmentName: 'production' } } }));

const env = { HOME: emptyHome, PATH: '/usr/bin:/bin' };
const development = { ...env, AWS_PROFILE: 'dev', RAILWAY_ENVIRONMENT: 'development' };

const lines = [
  'git status && ls -la | head',
  'git st',
  'git wipe',
  'railway status',
  'railway volume delete --volume pg',
  'RAILWAY_ENVIRONMENT=development railway volume delete --volume pg',
  'aws s3 ls && aws s3 rb s3://b --profile acme-prod',
  'aws s3 rb s3://b --profile dev',
  "psql -h db.prod.example -c 'select 1'",
  "psql -h localhost -c 'drop table t'",
  "psql -h db.prod.example -c 'drop table t'",
  "ssh prod-db 'psql -c \"drop table users\"'",
  "ssh prod-db 'uptime'",
  "kubectl exec -it api -- sh -c 'rm -rf /data'",
  'kubectl get pods && kubectl delete ns prod',
  "bash -c 'railway down --yes'",
  '$X volume delete --volume pg',
  'X=railway; $X volume delete --volume pg',
  'cd /tmp && terraform destroy -auto-approve',
  'echo "railway volume delete --volume pg"',
  "curl -X DELETE https://api.example.com/v1/databases/prod",
  'git push --force origin main',
  'if true; then railway down',
  'docker system prune -af --volumes',
];

/** What the hook's answer is made of: the verdict, each command's, and the refused commands' findings, targets and texts. */
function answer({ report, evaluations }: CheckResult) {
  const refused = evaluations.filter((e) => e.decision.verdict !== 'allow');
  return {
    decision: report.decision,
    commands: report.commands.map((c) => [c.tool, c.decision, c.covered, c.findings.map((f) => f.rule)]),
    uncovered: report.commands.filter((c) => !c.covered && c.decision !== 'allow').map((c) => c.reason),
    refused: refused.map((e) => ({ decision: e.decision, findings: e.findings, target: e.target, text: refusalMessage(e, 'CODE') })),
  };
}

describe('a decision-only check answers as the full check does', () => {
  for (const [label, world] of [['production', env], ['development', development]] as const) {
    it.each(lines)(`${label}: %s`, async (line) => {
      const request = { line, actor: 'agent' as const, cwd: work, env: world };
      const full = await checkWithEvaluations(request);
      const lean = await checkWithEvaluations({ ...request, decisionOnly: true });
      expect(answer(lean)).toEqual(answer(full));
    });
  }

  it('refuses what it should (the comparison above is not between two allows)', async () => {
    const verdicts = await Promise.all(lines.map(async (line) => (await checkWithEvaluations({ line, actor: 'agent', cwd: work, env, decisionOnly: true })).report.decision));
    expect(verdicts.filter((v) => v === 'deny').length).toBeGreaterThan(10);
    expect(verdicts.filter((v) => v === 'allow').length).toBeGreaterThan(4);
  });

  it('leaves out only the environment of a command no rule matched', async () => {
    const request = { line: 'railway status && railway volume delete --volume pg', actor: 'agent' as const, cwd: work, env };
    const full = await checkWithEvaluations(request);
    const lean = await checkWithEvaluations({ ...request, decisionOnly: true });
    expect(full.report.commands.map((c) => c.environment?.class)).toEqual(['production', 'production']);
    expect(lean.report.commands.map((c) => c.environment?.class)).toEqual([undefined, 'production']);
  });
});
