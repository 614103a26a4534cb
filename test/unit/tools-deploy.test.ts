// cdk, sst and serverless: which invocations the built-in rules gate, and the stacks, stage and AWS
// account each one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { interpolate } from '../../src/tools/serverless.js';

describe('cdk, sst and serverless commands against the built-in rules', () => {
  table((line) => line, [
    ['cdk destroy ShopStack', 'cdk.destroy'],
    ['cdk destroy --all --force', 'cdk.destroy'],
    ['cdk destroy -f "*-Prod"', 'cdk.destroy'],
    ['cdk --profile prod destroy ShopStack -e', 'cdk.destroy'],
    ['cdk -c stage=prod destroy', 'cdk.destroy'],
    ['cdk deploy ShopStack', 'cdk.deploy'],
    ['cdk deploy --all --require-approval never', 'cdk.deploy'],
    ['cdk deploy --force --hotswap', 'cdk.deploy'],
    ['cdk deploy --execute=true', 'cdk.deploy'],
    ['cdk watch ShopStack', 'cdk.deploy'],
    ['cdk gc --unstable=gc', 'cdk.gc'],
    ['cdk gc --unstable=gc --action=full --confirm=false', 'cdk.gc'],
    ['sst remove', 'sst.remove'],
    ['sst remove --stage production', 'sst.remove'],
    ['sst --stage=prod remove --target Database', 'sst.remove'],
    ['sst deploy --stage prod', 'sst.deploy'],
    ['sst secret remove StripeKey --stage prod', 'sst.secret.remove'],
    ['sst secrets remove StripeKey', 'sst.secret.remove'],
    ['sst state remove Database', 'sst.state'],
    ['sst unlock', 'sst.state'],
    ['serverless remove', 'serverless.remove'],
    ['sls remove --stage prod', 'serverless.remove'],
    ['sls remove -s prod --aws-profile acme', 'serverless.remove'],
    ['serverless --stage prod remove --verbose', 'serverless.remove'],
    ['sls deploy', 'serverless.deploy'],
    ['sls deploy function -f hello -s prod', 'serverless.deploy'],
    ['sls rollback --timestamp 1476893957131', 'serverless.rollback'],
    // never gated
    ['cdk deploy --no-execute', ''],
    ['cdk deploy --execute=false ShopStack', ''],
    ['cdk deploy --method prepare-change-set', ''],
    ['cdk gc --unstable=gc --action=print', ''],
    ['cdk diff ShopStack', ''],
    ['cdk synth', ''],
    ['cdk ls', ''],
    ['cdk destroy --help', ''],
    ['cdk destroy ShopStack -h', ''],
    ['cdk --version', ''],
    ['cdk docs', ''],
    ['sst diff --stage prod', ''],
    ['sst dev', ''],
    ['sst secret list --stage prod', ''],
    ['sst remove --help', ''],
    ['sst help remove', ''],
    ['sls info -s prod', ''],
    ['sls deploy list -s prod', ''],
    ['sls print', ''],
    ['sls logs -f hello --tail', ''],
    ['sls remove --help', ''],
    ['serverless remove -h', ''],
    ['sls help', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'deploy-home');
const app = join(home, 'code', 'cdk-app');
const glob = join(home, 'code', 'cdk-glob');
const sstApp = join(home, 'code', 'sst-app');
const slsPlain = join(home, 'code', 'sls-plain');
const slsProd = join(home, 'code', 'sls-prod');
const slsOpt = join(home, 'code', 'sls-opt');
const slsEnv = join(home, 'code', 'sls-env');
const slsOdd = join(home, 'code', 'sls-odd');
const slsTs = join(home, 'code', 'sls-ts');

const manifest = (stacks: string[]) =>
  JSON.stringify({ version: '36.0.0', artifacts: Object.fromEntries(stacks.map((s) => [s, { type: 'aws:cloudformation:stack', environment: 'aws://111122223333/us-east-1', properties: { templateFile: `${s}.template.json` } }])) });

beforeAll(() => {
  for (const dir of [join(app, 'cdk.out'), join(glob, 'cdk.out'), join(sstApp, '.sst'), join(sstApp, 'packages', 'web'), slsPlain, slsProd, slsOpt, slsEnv, slsOdd, slsTs, join(home, '.aws')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(home, '.aws', 'config'), '[profile acme-prod]\nsso_account_id = 111122223333\n[profile sandbox]\nregion = eu-west-1\n');
  writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: 'npx ts-node bin/app.ts', context: { '@aws-cdk/core:newStyleStackSynthesis': true } }));
  writeFileSync(join(app, 'cdk.out', 'manifest.json'), manifest(['Shop-Dev', 'Shop-Test']));
  writeFileSync(join(glob, 'cdk.json'), JSON.stringify({ app: 'x', context: { stage: 'production' } }));
  writeFileSync(join(glob, 'cdk.out', 'manifest.json'), manifest(['Shop-Dev', 'Shop-Prod']));
  writeFileSync(join(sstApp, 'sst.config.ts'), 'export default $config({})\n');
  writeFileSync(join(sstApp, '.sst', 'stage'), 'alice-dev\n');
  writeFileSync(join(slsPlain, 'serverless.yml'), 'service: shop\nprovider:\n  name: aws\n');
  writeFileSync(join(slsProd, 'serverless.yml'), 'service: shop\nprovider:\n  name: aws\n  stage: production\n  profile: acme-prod\n');
  writeFileSync(join(slsOpt, 'serverless.yml'), "service: shop\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n");
  writeFileSync(join(slsEnv, 'serverless.yml'), "service: shop\nprovider:\n  name: aws\n  stage: ${env:STAGE, 'dev'}\n");
  writeFileSync(join(slsOdd, 'serverless.yml'), 'service: shop\nprovider:\n  name: aws\n  stage: ${self:custom.stages.prod}\n');
  writeFileSync(join(slsTs, 'serverless.ts'), 'export default { service: "shop", provider: { name: "aws", stage: "dev" } }\n');
});

interface Case {
  line: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}
const where = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line} (in ${c.cwd.replace(home, '~')})`;
/** "<name> <class> <verdict>" */
const target = async ({ line, cwd, env = {} }: Case) => {
  const e = await evaluateLine(line, { HOME: home, ...env }, cwd);
  return `${e.target!.name ?? '-'} ${e.target!.class} ${e.decision.verdict}`;
};

describe('cdk target: stacks, account, context', () => {
  table(where, [
    [{ line: 'cdk destroy ShopStack-Prod --force', cwd: app }, 'ShopStack-Prod production deny'],
    [{ line: 'cdk destroy ShopStack-Dev --force', cwd: app }, 'ShopStack-Dev development allow'],
    [{ line: 'cdk destroy ShopStack-Dev --force --profile acme-prod', cwd: app }, 'ShopStack-Dev production deny'],
    [{ line: 'cdk destroy ShopStack-Dev --force', cwd: app, env: { AWS_PROFILE: 'acme-prod' } }, 'ShopStack-Dev production deny'],
    [{ line: 'cdk destroy ShopStack --force --profile sandbox', cwd: app }, 'ShopStack development allow'],
    [{ line: 'cdk destroy ShopStack --force', cwd: app }, 'ShopStack unknown deny'],
    // --all: the stacks of the last synth can raise, not lower: Shop-Dev and Shop-Test vouch for nothing
    [{ line: 'cdk destroy --all --force', cwd: app }, 'default unknown deny'],
    [{ line: 'cdk destroy --all --force', cwd: glob }, 'default production deny'],
    [{ line: 'cdk destroy "Shop-*" --force --profile sandbox', cwd: glob }, 'sandbox production deny'],
    // context values only raise: `-c stage=dev` cannot launder an unknown account
    [{ line: 'cdk destroy ShopStack -f -c stage=dev', cwd: app }, 'ShopStack unknown deny'],
    [{ line: 'cdk destroy ShopStack -f --profile sandbox -c stage=prod', cwd: app }, 'ShopStack production deny'],
    [{ line: 'cdk deploy ShopStack-Dev --profile sandbox', cwd: app }, 'ShopStack-Dev development allow'],
  ], target);
});

describe('sst target: the stage', () => {
  table(where, [
    [{ line: 'sst remove --stage production', cwd: sstApp }, 'production production deny'],
    [{ line: 'sst remove --stage=dev', cwd: sstApp }, 'dev development allow'],
    [{ line: 'sst remove', cwd: sstApp, env: { SST_STAGE: 'prod' } }, 'prod production deny'],
    [{ line: 'sst remove', cwd: sstApp }, 'alice-dev development allow'],
    [{ line: 'sst remove', cwd: join(sstApp, 'packages', 'web') }, 'alice-dev development allow'],
    [{ line: 'sst remove --stage prod', cwd: sstApp, env: { SST_STAGE: 'dev' } }, 'prod production deny'],
    [{ line: 'sst remove', cwd: slsPlain }, '- unknown deny'],
  ], target);
});

describe('serverless target: the stage and the account', () => {
  table(where, [
    [{ line: 'sls remove --stage prod --aws-profile sandbox', cwd: slsPlain }, 'prod production deny'],
    [{ line: 'sls remove -s dev --aws-profile sandbox', cwd: slsPlain }, 'dev development allow'],
    [{ line: 'sls remove --aws-profile sandbox', cwd: slsPlain }, 'dev development allow'],
    [{ line: 'sls remove -s dev', cwd: slsPlain, env: { AWS_PROFILE: 'acme-prod' } }, 'dev production deny'],
    [{ line: 'sls remove', cwd: slsProd }, 'production production deny'],
    [{ line: 'sls remove -s dev', cwd: slsProd }, 'dev production deny'],
    [{ line: 'sls remove', cwd: slsOpt }, 'dev development allow'],
    [{ line: 'sls remove', cwd: slsEnv, env: { STAGE: 'prod' } }, 'prod production deny'],
    [{ line: 'sls remove', cwd: slsEnv }, 'dev development allow'],
    [{ line: 'sls remove', cwd: slsOdd }, '- production deny'],
    [{ line: 'sls remove', cwd: slsTs }, '- unknown deny'],
    [{ line: 'sls remove -s dev', cwd: slsTs }, 'dev development allow'],
    [{ line: 'sls remove -c serverless.yml', cwd: home }, '- unknown deny'],
  ], target);
});

describe('serverless interpolation', () => {
  const env = { STAGE: 'qa' };
  table((v) => v, [
    ['prod', 'prod'],
    ["${opt:stage, 'dev'}", 'dev'],
    ['${opt:stage, "staging"}', 'staging'],
    ["${env:STAGE, 'dev'}", 'qa'],
    ["${env:NOPE, 'dev'}", 'dev'],
    ['${opt:stage}', undefined],
    ['${self:custom.stage}', undefined],
    ["${opt:stage, self:custom.stage, 'dev'}", undefined],
    ["pre-${opt:stage, 'dev'}", undefined],
  ], (value) => interpolate(value, env));
});
