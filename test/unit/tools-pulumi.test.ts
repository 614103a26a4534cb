// pulumi: which invocations the built-in rules gate, and which stack each one acts on (the flag, else
// the stack `pulumi stack select` wrote into the project's workspace file).

import { beforeAll, describe } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { checkWithEvaluations } from '../../src/cli/check.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('pulumi commands against the built-in rules', () => {
  table((line) => line, [
    ['pulumi destroy', 'pulumi.destroy'],
    ['pulumi destroy --yes --skip-preview', 'pulumi.destroy'],
    ['pulumi down -y', 'pulumi.destroy'],
    ['pulumi dn -s prod', 'pulumi.destroy'],
    ['pulumi -C infra destroy -f', 'pulumi.destroy'],
    ['pulumi --cwd infra --color never down', 'pulumi.destroy'],
    ['pulumi --non-interactive destroy --remove --yes', 'pulumi.destroy'],
    ['pulumi destroy --target urn:pulumi:prod::shop::aws:s3/bucket:Bucket::logs', 'pulumi.destroy'],
    ['pulumi destroy --preview-only=false', 'pulumi.destroy'],
    ['pulumi destroy --refresh -y', 'pulumi.destroy'],
    ['pulumi stack rm prod --yes', 'pulumi.stack.rm'],
    ['pulumi stack rm --force --yes', 'pulumi.stack.rm'],
    ['pulumi stack -s prod rm -y', 'pulumi.stack.rm'],
    ['pulumi state delete urn:pulumi:prod::shop::aws:rds/instance:Instance::db --yes', 'pulumi.state.delete'],
    ['pulumi state delete --all --force', 'pulumi.state.delete'],
    ['pulumi state unprotect --all -y', 'pulumi.state.unprotect'],
    ['pulumi state edit', 'pulumi.state.edit'],
    ['pulumi state move --source a --dest b urn', 'pulumi.state.edit'],
    ['pulumi cancel prod --yes', 'pulumi.cancel'],
    ['pulumi up --yes', 'pulumi.up'],
    ['pulumi update -s prod --skip-preview', 'pulumi.up'],
    ['pulumi up --plan plan.json -y', 'pulumi.up'],
    ['pulumi up --target-replace urn -y', 'pulumi.up'],
    // never gated
    ['pulumi destroy --preview-only', ''],
    ['pulumi down --preview-only -s prod', ''],
    ['pulumi preview --diff', ''],
    ['pulumi preview --save-plan plan.json -s prod', ''],
    ['pulumi refresh --yes', ''],
    ['pulumi stack ls', ''],
    ['pulumi stack select prod', ''],
    ['pulumi stack output -s prod', ''],
    ['pulumi state --help', ''],
    ['pulumi destroy --help', ''],
    ['pulumi destroy -h -s prod --yes', ''],
    ['pulumi stack rm prod --help', ''],
    ['pulumi help destroy', ''],
    ['pulumi --help', ''],
    ['pulumi version', ''],
    ['pulumi', ''],
  ], (line) => rulesOf(line));
});

// A HOME with three projects: shop has acme/shop/production selected, site has dev, blank none.
const home = join(emptyHome, 'pulumi-home');
const shop = join(home, 'code', 'shop');
const site = join(home, 'code', 'site');
const blank = join(home, 'code', 'blank');
const otherPulumiHome = join(home, 'other-pulumi');

function selectStack(pulumiHome: string, project: string, dir: string, stack: string): void {
  const file = join(pulumiHome, 'workspaces', `${project}-${createHash('sha1').update(join(dir, 'Pulumi.yaml')).digest('hex')}-workspace.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify({ stack }, null, 4));
}

beforeAll(() => {
  for (const [dir, name] of [[shop, 'shop'], [site, 'site'], [blank, 'blank']]) {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'Pulumi.yaml'), `name: ${name}\nruntime: nodejs\n`);
  }
  selectStack(join(home, '.pulumi'), 'shop', shop, 'acme/shop/production');
  selectStack(join(home, '.pulumi'), 'site', site, 'dev');
  selectStack(otherPulumiHome, 'site', site, 'staging');
});

interface Case {
  line: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}
const where = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line} (in ${c.cwd.replace(home, '~')})`;
/** "<name> <class> <verdict> <source:key of each piece of evidence>" */
const target = async ({ line, cwd, env = {} }: Case) => {
  const e = await evaluateLine(line, { HOME: home, ...env }, cwd);
  return `${e.target!.name ?? '-'} ${e.target!.class} ${e.decision.verdict} ${e.target!.evidence.map((x) => `${x.source}:${x.key}`).join(' ')}`;
};

describe('pulumi target: the stack', () => {
  table(where, [
    [{ line: 'pulumi destroy --yes', cwd: shop }, 'acme/shop/production production deny file:stack'],
    [{ line: 'pulumi destroy --yes', cwd: join(shop, 'src') }, 'acme/shop/production production deny file:stack'],
    [{ line: 'pulumi up --yes', cwd: shop }, 'acme/shop/production production deny file:stack'],
    [{ line: 'pulumi destroy -s dev --yes', cwd: shop }, 'dev development allow flag:--stack'],
    [{ line: 'pulumi destroy --stack=acme/shop/prod', cwd: site }, 'acme/shop/prod production deny flag:--stack'],
    [{ line: 'pulumi destroy --yes', cwd: site }, 'dev development allow file:stack'],
    [{ line: 'pulumi -C ../shop destroy --yes', cwd: site }, 'acme/shop/production production deny flag:--cwd file:stack'],
    [{ line: 'pulumi destroy --yes', cwd: site, env: { PULUMI_HOME: otherPulumiHome } }, 'staging staging deny file:stack'],
    [{ line: 'pulumi destroy --yes', cwd: shop, env: { PULUMI_STACK: 'dev' } }, 'acme/shop/production production deny file:stack'],
    [{ line: 'pulumi destroy --yes', cwd: blank }, '- unknown deny file:stack'],
    [{ line: 'pulumi destroy --yes', cwd: home }, '- unknown deny default:stack'],
    [{ line: 'pulumi stack rm prod -y', cwd: site }, 'prod production deny argument:stack rm'],
    [{ line: 'pulumi stack rm -y', cwd: site }, 'dev development allow file:stack'],
    [{ line: 'pulumi cancel acme/shop/prod -y', cwd: site }, 'acme/shop/prod production deny argument:cancel'],
  ], target);
});

describe('pulumi: a project file chaperone cannot read leaves the stack unknown', () => {
  const broken = join(home, 'code', 'broken');
  beforeAll(() => {
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'Pulumi.yaml'), 'name: [unclosed\n');
  });
  table(where, [[{ line: 'pulumi destroy --yes', cwd: broken }, '- unknown deny file:project']], target);
});

describe('pulumi: a `stack select` earlier in a shell line counts as written', () => {
  // Judged by `check --command`'s own path (the shell analyzer, then evaluate), for an agent; shown as
  // `tool:decision:class` per gated command. site has dev selected on disk.
  const judge = async (line: string) => {
    const { report } = await checkWithEvaluations({ line, cwd: site, env: { HOME: home, PATH: '/usr/bin:/bin' }, actor: 'agent' });
    return report.commands.filter((c) => c.covered && c.findings.length > 0).map((c) => `${c.tool}:${c.decision}:${c.environment?.class ?? '-'}`);
  };
  table((line) => line, [
    ['pulumi destroy --yes', ['pulumi:allow:development']],
    ['pulumi stack select acme/shop/prod && pulumi destroy --yes', ['pulumi:deny:production']],
    ['pulumi stack select --stack acme/shop/prod && pulumi down -y', ['pulumi:deny:production']],
    ['pulumi stack init prod-eu && pulumi up --yes', ['pulumi:deny:production']],
    ['pulumi stack select "$S" && pulumi destroy --yes', ['pulumi:deny:unknown']],
    ['pulumi stack select staging; pulumi destroy --yes', ['pulumi:deny:staging']],
    // another project's selection leaves this one alone
    ['pulumi -C ../shop stack select dev && pulumi destroy --yes', ['pulumi:allow:development']],
    ['pulumi destroy --yes; pulumi stack select prod', ['pulumi:allow:development']],
  ], judge);
});
