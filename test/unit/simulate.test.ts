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
import { analyzeLine } from '../../src/shell/analyze.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { table } from '../helpers/cases.js';
import { random } from '../helpers/random.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-simulate-')));
const home = join(root, 'home');
const work = join(root, 'work');
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: '/usr/bin:/bin' };

const write = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

beforeAll(() => {
  mkdirSync(join(work, '.git'), { recursive: true });
  // Railway: work/app is linked to staging, work/live to production.
  const link = (dir: string, environmentName: string) => ({ projectPath: dir, project: 'proj-0000', environment: `env-${environmentName}`, environmentName });
  mkdirSync(join(work, 'app', 'sub'), { recursive: true });
  mkdirSync(join(work, 'live'), { recursive: true });
  write(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [join(work, 'app')]: link(join(work, 'app'), 'staging'), [join(work, 'live')]: link(join(work, 'live'), 'production') } }));
  // Terraform: work/tf is on workspace dev, work/tf-main on prod, work/tf-other on dev.
  for (const [dir, workspace] of [['tf', 'dev'], ['tf-main', 'prod'], ['tf-other', 'dev']]) write(join(work, dir, '.terraform', 'environment'), `${workspace}\n`);
  // gcloud: the active configuration is dev (project acme-dev); prod's project is acme-prod.
  write(join(home, '.config', 'gcloud', 'active_config'), 'dev');
  write(join(home, '.config', 'gcloud', 'configurations', 'config_dev'), '[core]\nproject = acme-dev\n');
  write(join(home, '.config', 'gcloud', 'configurations', 'config_prod'), '[core]\nproject = acme-prod\n');
  write(join(home, '.config', 'gcloud', 'configurations', 'config_main'), '[core]\nproject = acme-prod\n');
  // AWS: profile ops assumes a role in the production account; the user's config maps the accounts.
  write(join(home, '.aws', 'config'), '[profile ops]\nrole_arn = arn:aws:iam::111122223333:role/admin\n\n[profile sandbox]\nrole_arn = arn:aws:iam::444455556666:role/admin\n');
  write(join(home, '.config', 'chaperone', 'rules.yaml'), 'targets:\n  aws-account: { "111122223333": production, "444455556666": development }\n');
  writeKubeconfig(join(home, '.kube', 'config'), { current: 'kind-dev', contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }, { name: 'prod' }] });
  // A second kubeconfig whose current context is prod, and one whose context named "dev" points at production.
  writeKubeconfig(join(root, 'prod.yaml'), { current: 'prod', contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }, { name: 'prod' }] });
  writeKubeconfig(join(root, 'dev.yaml'), { current: 'acme-production', contexts: [{ name: 'acme-production' }] });
});

async function judge(line: string, cwd = work, extra: Record<string, string> = {}): Promise<string[]> {
  const { report } = await checkWithEvaluations({ line, cwd, env: { ...env, ...extra }, actor: 'agent' });
  // The switch commands themselves match no rule; the table shows what comes after them.
  return report.commands.filter((c) => c.covered && c.findings.length > 0).map((c) => `${c.tool}:${c.decision}:${c.environment?.class ?? '-'}`);
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
    ['kubectl config set-context kind-dev --namespace=payments-prod && kubectl delete deploy api', ['kubectl:deny:production']],
    ['kubectl config set-context prod --namespace=dev-scratch && kubectl delete deploy api', ['kubectl:allow:development']],
    // a switch of another kubeconfig file (--kubeconfig, KUBECONFIG) leaves ~/.kube/config alone
    [`kubectl --kubeconfig ${'$HOME'}/other.yaml config use-context prod && kubectl delete ns shop`, ['kubectl:allow:development']],
    [`KUBECONFIG=${'$HOME'}/other.yaml kubectx prod && kubectl delete ns shop`, ['kubectl:allow:development']],
    // ... but the first existing file of a KUBECONFIG list is the one written, and read
    [`export KUBECONFIG=${'$HOME'}/missing.yaml:${'$HOME'}/.kube/config; kubectl config use-context prod && kubectl delete ns shop`, ['kubectl:deny:production']],
    // a pipeline stage and a trap may run after a later switch
    ['kubectl delete ns shop | kubectl config use-context prod', ['kubectl:deny:production']],
    [`trap 'kubectl delete ns shop' EXIT; kubectl config use-context prod`, ['kubectl:deny:production']],
    ['f() { kubectl delete ns shop; }; kubectl config use-context prod', ['kubectl:deny:production']],
    // xargs runs the switch with words from its input
    ['echo prod | xargs kubectl config use-context && kubectl delete ns shop', ['kubectl:deny:production']],
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
    expect(await judge('echo kind-dev | xargs kubectl config use-context && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:deny:production']);
    expect(await judge('timeout 5 kubectl config use-context kind-dev && kubectl delete ns shop', work, prodCurrent)).toEqual(['kubectl:allow:development']);
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

describe('railway: link and environment switches earlier in the line', () => {
  const app = join(work, 'app');
  const del = 'railway variable delete DATABASE_URL';
  table((line) => line, [
    [del, ['railway:deny:staging']],
    [`railway environment production && ${del}`, ['railway:deny:production']],
    [`railway environment link production && ${del}`, ['railway:deny:production']],
    [`railway link -p proj-0000 -e production && ${del}`, ['railway:deny:production']],
    [`railway environment development && ${del}`, ['railway:allow:development']],
    [`railway env link development && ${del}`, ['railway:allow:development']],
    [`railway link --environment development && ${del}`, ['railway:allow:development']],
    // may have failed: staging still counts
    [`railway environment development; ${del}`, ['railway:deny:staging']],
    [`railway environment development || ${del}`, ['railway:deny:staging']],
    // -e on the command beats the link, switched or not
    [`railway environment development && railway variable delete DATABASE_URL -e production`, ['railway:deny:production']],
    // a volume is the project's: no switch of environment keeps its deletion out of production
    [`railway environment development && railway volume delete -v pg-data --yes`, ['railway:deny:production']],
    [`railway link --environment development && railway volume -e development delete -v pg-data --yes`, ['railway:deny:production']],
    // the nearest link is relinked, so a subdirectory follows it
    [`railway environment development && cd sub && ${del}`, ['railway:allow:development']],
    // an environment Railway asks for, or the line does not show, is unknown; unlink leaves no link
    [`railway environment && ${del}`, ['railway:deny:unknown']],
    [`railway environment "$ENV" && ${del}`, ['railway:deny:unknown']],
    [`railway unlink && ${del}`, ['railway:deny:unknown']],
  ], (line) => judge(line, app));

  it('links the directory the link runs in, not the one the delete runs in', async () => {
    expect(await judge(`(cd ../live && railway environment development) && ${del}`, app)).toEqual(['railway:deny:staging']);
    expect(await judge(`cd ../live && railway environment development && cd ../app && ${del}`, app)).toEqual(['railway:deny:staging']);
    expect(await judge(`cd ../live && railway environment development && ${del}`, app)).toEqual(['railway:allow:development']);
  });
});

describe('terraform and tofu: workspace switches earlier in the line', () => {
  const tf = join(work, 'tf');
  table((line) => line, [
    ['terraform destroy -auto-approve', ['terraform:allow:development']],
    ['terraform workspace select prod && terraform destroy -auto-approve', ['terraform:deny:production']],
    ['terraform workspace select -or-create prod && terraform destroy -auto-approve', ['terraform:deny:production']],
    ['terraform workspace new prod && terraform destroy -auto-approve', ['terraform:deny:production']],
    ['tofu workspace select prod && tofu destroy -auto-approve', ['tofu:deny:production']],
    ['terraform env select prod; terraform destroy -auto-approve', ['terraform:deny:production']],
    ['terraform -chdir=../tf-other workspace select prod && terraform -chdir=../tf-other destroy -auto-approve', ['terraform:deny:production']],
    // another directory has its own data dir
    ['terraform -chdir=../tf-other workspace select prod && terraform destroy -auto-approve', ['terraform:allow:development']],
    ['terraform workspace select "$WS" && terraform destroy -auto-approve', ['terraform:deny:unknown']],
    // TF_WORKSPACE beats the file
    ['terraform workspace select prod && TF_WORKSPACE=dev terraform destroy -auto-approve', ['terraform:allow:development']],
  ], (line) => judge(line, tf));

  it('relaxes only when the switch certainly happened', async () => {
    const live = join(work, 'tf-main');
    expect(await judge('terraform destroy -auto-approve', live)).toEqual(['terraform:deny:production']);
    expect(await judge('terraform workspace select dev && terraform destroy -auto-approve', live)).toEqual(['terraform:allow:development']);
    expect(await judge('tofu workspace select dev; tofu destroy -auto-approve', live)).toEqual(['tofu:deny:production']);
  });
});

describe('gcloud and gsutil: project and configuration switches earlier in the line', () => {
  table((line) => line, [
    ['gcloud sql instances delete db -q', ['gcloud:allow:development']],
    ['gcloud config set project acme-prod && gcloud sql instances delete db -q', ['gcloud:deny:production']],
    ['gcloud config set core/project acme-prod && gcloud sql instances delete db -q', ['gcloud:deny:production']],
    ['gcloud config configurations activate prod && gcloud sql instances delete db -q', ['gcloud:deny:production']],
    ['gcloud config configurations activate prod && gsutil rm -r gs://assets', ['gsutil:deny:production']],
    ['gcloud config set project acme-prod; gsutil rm -r gs://assets', ['gsutil:deny:production']],
    ['gcloud config set project "$P" && gcloud sql instances delete db -q', ['gcloud:deny:unknown']],
    // with no project, the configuration's own name is what is left (as for a file with none)
    ['gcloud config unset project && gcloud sql instances delete db -q', ['gcloud:allow:development']],
    ['gcloud config configurations activate prod && gcloud config unset project && gcloud sql instances delete db -q', ['gcloud:deny:production']],
    // set in another configuration than the active one
    ['gcloud config set project acme-prod --configuration prod && gcloud sql instances delete db -q', ['gcloud:allow:development']],
    ['gcloud config configurations create scratch && gcloud sql instances delete db -q', ['gcloud:deny:unknown']],
    ['gcloud config configurations create scratch --no-activate && gcloud sql instances delete db -q', ['gcloud:allow:development']],
    ['gcloud init && gcloud sql instances delete db -q', ['gcloud:deny:unknown']],
    // the flag and the variable beat the configuration
    ['gcloud config set project acme-prod && gcloud sql instances delete db -q --project acme-dev', ['gcloud:allow:development']],
    ['gcloud config set project acme-dev && CLOUDSDK_CORE_PROJECT=acme-prod gcloud sql instances delete db -q', ['gcloud:deny:production']],
  ], (line) => judge(line));

  it('relaxes only when the switch certainly happened', async () => {
    const prod = { CLOUDSDK_ACTIVE_CONFIG_NAME: 'main' };
    expect(await judge('gcloud sql instances delete db -q', work, prod)).toEqual(['gcloud:deny:production']);
    expect(await judge('gcloud config set project acme-dev && gcloud sql instances delete db -q', work, prod)).toEqual(['gcloud:allow:development']);
    expect(await judge('gcloud config set project acme-dev || gcloud sql instances delete db -q', work, prod)).toEqual(['gcloud:deny:production']);
  });
});

describe('aws: configure set earlier in the line', () => {
  table((line) => line, [
    ['aws s3 rb s3://scratch --force --profile sandbox', ['aws:allow:development']],
    ['aws configure set role_arn arn:aws:iam::111122223333:role/admin --profile sandbox && aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:production']],
    ['aws configure set profile.sandbox.role_arn arn:aws:iam::111122223333:role/admin && aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:production']],
    ['AWS_PROFILE=sandbox aws configure set role_arn arn:aws:iam::111122223333:role/admin && AWS_PROFILE=sandbox aws s3 rb s3://scratch --force', ['aws:deny:production']],
    ['aws configure set role_arn arn:aws:iam::111122223333:role/admin --profile sandbox; aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:production']],
    // another profile is not touched
    ['aws configure set role_arn arn:aws:iam::111122223333:role/admin --profile other && aws s3 rb s3://scratch --force --profile sandbox', ['aws:allow:development']],
    ['aws configure set role_arn "$ROLE" --profile sandbox && aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:unknown']],
    ['aws configure sso && aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:unknown']],
    ['aws configure set aws_access_key_id AKIAEXAMPLE --profile sandbox && aws s3 rb s3://scratch --force --profile sandbox', ['aws:deny:unknown']],
    // keys that name no account change nothing
    ['aws configure set region eu-west-1 --profile sandbox && aws s3 rb s3://scratch --force --profile sandbox', ['aws:allow:development']],
    // export AWS_PROFILE is shell state, already followed
    ['export AWS_PROFILE=ops; aws s3 rb s3://scratch --force', ['aws:deny:production']],
  ], (line) => judge(line));

  it('relaxes only when the switch certainly happened', async () => {
    const line = (op: string) => `aws configure set role_arn arn:aws:iam::444455556666:role/admin --profile ops ${op} aws s3 rb s3://scratch --force --profile ops`;
    expect(await judge(line('&&'))).toEqual(['aws:allow:development']);
    expect(await judge(line(';'))).toEqual(['aws:deny:production']);
  });
});

describe('which earlier commands certainly succeeded (bash: && and || bind left to right)', () => {
  const after = (line: string) =>
    analyzeLine(line, { cwd: '/', env: {} }).commands.map((c) => `${c.argv[0]}${c.after ? `<${c.after.map((i) => String(i)).join(',')}` : ''}${c.concurrent ? '&' : ''}`).join(' ');
  table((line) => line, [
    ['a && b && c', 'a b<0 c<0,1'],
    ['a; b', 'a b'],
    ['a || b', 'a b'],
    ['a || b && c', 'a b c'],
    ['a && b || c && d', 'a b<0 c d'],
    ['a || b && c && d', 'a b c d<2'],
    ['! a && b', 'a b'],
    ['(a) && b', 'a b'],
    ['a && (b; c)', 'a b<0 c<0'],
    ['a && bash -c "b && c"', 'a b<0 c<0,1'],
    ['a | b && c', 'a& b& c'],
    ['a & b', 'a& b'],
    ['x && { a; b; }', 'x a<0 b<0'],
    ['if a; then b; fi', 'a b'],
    ['diff <(a) b', 'a& diff'],
  ], after);
});

describe('a property: with prod current, random switch lines allow a delete only after a certain switch to kind-dev', () => {
  // What decides is the last switch, the operator after it, and the one before it (a switch behind `||`
  // may not run). Every one of those 48 endings is a line, behind 0 to 3 seeded earlier switches joined
  // by seeded operators: each case the property has is met, in a third of the lines 150 random ones took.
  it('holds for every ending, behind seeded earlier switches', async () => {
    const next = random(8);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const spellings = ['kubectl config use-context prod', 'kubectl config use-context kind-dev', 'kubectx kind-dev', 'kubectx prod'];
    const operators = ['&&', '||', ';'];
    const env2 = { KUBECONFIG: join(root, 'prod.yaml') };
    for (const lastSwitch of spellings) {
      for (const lastOp of operators) {
        for (const before of [undefined, ...operators]) {
          const earlier = before === undefined ? [] : Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(spellings));
          const switches = [...earlier, lastSwitch];
          const ops = [...earlier.map((_, i) => (i === earlier.length - 1 ? before! : pick(operators))), lastOp];
          const line = switches.map((s, i) => `${s} ${ops[i]} `).join('') + 'kubectl delete ns shop';
          const certain = lastOp === '&&' && before !== '||';
          const expected = certain && lastSwitch.endsWith('kind-dev') ? 'kubectl:allow:development' : 'kubectl:deny:production';
          expect([line, ...(await judge(line, work, env2))]).toEqual([line, expected]);
        }
      }
    }
  });
});

describe('switchesOf never throws', () => {
  it('reads 2000 random argvs of each tool without a throw', async () => {
    let a = 5;
    const next = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
    const vocabulary = ['config', 'use-context', 'use', 'set-context', '--current', '--namespace', '-n', '=', 'set', 'unset', 'current-context', 'project', 'core/project',
      'configurations', 'activate', 'create', '--configuration', 'link', 'environment', 'env', 'new', 'unlink', '-e', '--environment', 'workspace', 'select', '-or-create',
      '-chdir=x', 'configure', 'sso', 'profile.a.role_arn', 'default.sso_account_id', 'role_arn', '--profile', '--', '-', '', '$X', 'prod', 'a=b', '-d', '--help', '-h', '--kubeconfig', '--installation'];
    const { switchesOf } = await import('../../src/simulate/facts.js');
    for (const tool of ['kubectl', 'kubectx', 'kubens', 'railway', 'terraform', 'tofu', 'gcloud', 'aws']) {
      for (let n = 0; n < 250; n++) {
        const argv = [tool, ...Array.from({ length: Math.floor(next() * 6) }, () => vocabulary[Math.floor(next() * vocabulary.length)])];
        await expect(switchesOf(argv, work, env)).resolves.toBeInstanceOf(Array);
      }
    }
  });
});

describe('a line inside a command (a git alias) switches as it goes, and a remote one switches nothing here', () => {
  it('judges the delete of a local nested line against the switched context', async () => {
    const { judgeNested } = await import('../../src/nested.js');
    const { loadConfig } = await import('../../src/rules/load.js');
    const outer = { tool: 'git', args: [], cwd: work, env: { ...env, KUBECONFIG: join(root, 'prod.yaml') } };
    const config = await loadConfig(work, outer.env);
    const classes = async (line: string, where: 'local' | 'remote') =>
      (await judgeNested([{ via: 'git alias nuke', line, where }], outer, config)).targets.map((t) => t.target.class);
    expect(await classes('kubectl delete ns shop', 'local')).toEqual(['production']);
    expect(await classes('kubectl config use-context kind-dev && kubectl delete ns shop', 'local')).toEqual(['development']);
    expect(await classes('kubectl config use-context kind-dev; kubectl delete ns shop', 'local')).toEqual(['production']);
    // in a pod, this machine's kubeconfig is not what the inner kubectl reads
    expect(await classes('kubectl config use-context kind-dev && kubectl delete ns shop', 'remote')).toEqual(['unknown']);
  });
});
