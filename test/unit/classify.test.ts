import { describe } from 'vitest';
import { classifyName, classifyTarget, isLocalHost, tokensOf } from '../../src/context/classify.js';
import type { Identifier } from '../../src/model.js';
import type { Config } from '../../src/rules/config.js';
import { table } from '../helpers/cases.js';

const names: Config['names'] = {
  production: ['prod', 'production', 'prd', 'live'],
  staging: ['staging', 'stage', 'stg', 'preprod', 'uat'],
  development: ['dev', 'development', 'local', 'test', 'sandbox', 'kind-*', 'minikube', 'docker-desktop'],
};
const config = { names, targets: { 'aws-account': { '111111111111': 'production', '222222222222': 'development' } }, policy: {}, rules: [], layers: [] } as unknown as Config;

describe('tokensOf splits on separators, case and digits', () => {
  table((n) => n, [
    ['db-prod01.eu', ['db', 'prod', '01', 'eu']],
    ['myProdDB', ['my', 'prod', 'db']],
    ['product-api', ['product', 'api']],
    ['PRODUCTION', ['production']],
  ], tokensOf);
});

describe('classifyName reads names by token; the strictest class wins', () => {
  table((n) => n, [
    ['production', 'production'],
    ['acme-prod', 'production'],
    ['prod2', 'production'],
    ['product-api', undefined],
    ['reproduce', undefined],
    ['livestream', undefined],
    ['staging', 'staging'],
    ['eu-stg-1', 'staging'],
    ['preprod', 'staging'],
    ['dev', 'development'],
    ['shop_dev', 'development'],
    ['kind-payments', 'development'],
    ['docker-desktop', 'development'],
    ['minikube', 'development'],
    ['prod-test', 'production'],
    ['staging-dev', 'staging'],
    ['devious', undefined],
    ['', undefined],
  ], (n) => classifyName(n, names)?.class);
});

describe('isLocalHost', () => {
  table((h) => h, [
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['/var/run/postgresql', true],
    ['api.localhost', true],
    ['db.prod.example', false],
    ['10.0.0.5', false],
    ['localhost.example.com', false],
  ], isLocalHost);
});

const target = (...identifiers: Identifier[]) => classifyTarget({ evidence: [], identifiers }, config).class;
describe('classifyTarget', () => {
  table<Identifier[], string>((ids) => ids.map((i) => `${i.kind}=${i.value}`).join(' ') || '(nothing)', [
    [[], 'unknown'],
    [[{ kind: 'name', value: 'production' }], 'production'],
    [[{ kind: 'host', value: '127.0.0.1' }], 'development'],
    [[{ kind: 'host', value: '127.0.0.1' }, { kind: 'name', value: 'shop_prod' }], 'production'],
    [[{ kind: 'host', value: 'db.example.com' }, { kind: 'name', value: 'shop' }], 'unknown'],
    [[{ kind: 'host', value: 'db.prod.example' }, { kind: 'name', value: 'shop' }], 'production'],
    [[{ kind: 'aws-account', value: '111111111111' }, { kind: 'aws-profile', value: 'dev' }], 'production'],
    [[{ kind: 'aws-account', value: '222222222222' }], 'development'],
    [[{ kind: 'aws-account', value: '333333333333' }], 'unknown'],
    [[{ kind: 'railway-token', value: 'sha256:abc' }], 'unknown'],
    [[{ kind: 'kube-namespace', value: 'dev' }], 'unknown'],
    [[{ kind: 'kube-context', value: 'eks-main' }, { kind: 'kube-namespace', value: 'dev' }], 'unknown'],
    [[{ kind: 'kube-context', value: 'eks-main' }, { kind: 'kube-namespace', value: 'payments-prod' }], 'production'],
    [[{ kind: 'kube-context', value: 'kind-dev' }, { kind: 'kube-namespace', value: 'staging' }], 'staging'],
    [[{ kind: 'kube-context', value: 'prod-eu' }, { kind: 'kube-namespace', value: 'dev' }], 'production'],
  ], (ids) => target(...ids));
});

describe('protected-branches are globs as a shell reads them (picomatch), matching too much rather than too little', () => {
  const branches = { ...config, protectedBranches: ['main', 'release-?', 'release-[0-9]*', 'hotfix/*', '{prod,live}-*'] } as unknown as Config;
  const branch = (value: string) => classifyTarget({ evidence: [], identifiers: [{ kind: 'git-branch', value } as Identifier] }, branches).class;
  table((n) => n, [
    ['main', 'production'],
    ['Main', 'production'],
    ['release-1', 'production'],
    ['release-12', 'production'],
    ['release-xy', 'development'],
    ['release-', 'development'],
    ['hotfix/a/b', 'production'],
    ['prod-eu', 'production'],
    ['live-1', 'production'],
    ['feature/main', 'development'],
    ['maintenance', 'development'],
  ], branch);
});
