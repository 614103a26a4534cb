// Every reader that resolves a path from a flag or a variable reads the file the tool will open: with
// `dirlink -> ../prod/inner`, `dirlink/../X` is prod/X to the kernel (and so to kubectl, psql, mysql,
// terraform, gcloud, git...), while the text says here/X. Each row puts a harmless development X in
// here/ and a production X in prod/, and names X through the link: the production one must decide.
// On the old readers (path.resolve, path.join) every row read the development file.

import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateLine } from '../helpers/evaluate.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-os-readers-')));
const work = join(root, 'here');
const prod = join(root, 'prod');
const home = () => join(root, 'home');

/** Writes `name` twice: the development one in here/, the production one in prod/. */
function both(name: string, dev: string, production: string): void {
  for (const [dir, text] of [[work, dev], [prod, production]] as const) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

beforeAll(() => {
  mkdirSync(join(prod, 'inner'), { recursive: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(home(), { recursive: true });
  symlinkSync('../prod/inner', join(work, 'dirlink'));
  for (const [dir, current] of [[work, 'kind-dev'], [prod, 'prod-eu']] as const) {
    writeKubeconfig(join(dir, 'kubeconfig'), { current, contexts: [{ name: 'prod-eu', cluster: 'eks-main' }, { name: 'kind-dev', server: 'https://127.0.0.1:6443' }] });
  }
  both('pg_service.conf', '[shop]\nhost=localhost\ndbname=shop\n', '[shop]\nhost=db.prod.internal\ndbname=shop\n');
  both('ssh_config', 'Host shop\n  HostName localhost\n', 'Host shop\n  HostName db.prod.example.com\n');
  both('my.cnf', '[client]\nhost=localhost\n', '[client]\nhost=db.prod.example\n');
  both('gcloud/active_config', 'default', 'default');
  both('gcloud/configurations/config_default', '[core]\nproject = shop-dev\n', '[core]\nproject = shop-prod\n');
  both('aws-config', '[default]\nregion = eu-west-1\n[profile shop]\nregion = eu-west-1\n', '[default]\nregion = eu-west-1\n[profile shop]\nsource_profile = shop-prod\nrole_arn = arn:aws:iam::111122223333:role/admin\n');
  // a terraform working directory's selected workspace, and the same under TF_DATA_DIR
  for (const dir of [work, prod]) {
    mkdirSync(join(dir, 'repo', '.git'), { recursive: true });
  }
  // `git reset --hard` discards the current branch's work: a feature branch here, main there
  both('repo/.git/HEAD', 'ref: refs/heads/feature-x\n', 'ref: refs/heads/main\n');
  both('app/.terraform/environment', 'dev', 'live-prod');
  both('state/environment', 'dev', 'live-prod');
});

interface Row {
  line: string;
  env?: Record<string, string>;
}
const summary = async ({ line, env = {} }: Row) => {
  const e = await evaluateLine(line, { HOME: home(), ...env }, work);
  return `${e.target?.name ?? '-'} ${e.target?.class}`;
};

describe('a `..` after a directory link, in every reader that resolves a path', () => {
  it.each<[Row, string]>([
    [{ line: 'kubectl delete ns payments', env: { KUBECONFIG: 'dirlink/../kubeconfig' } }, 'prod-eu production'],
    [{ line: 'kubectl delete ns payments', env: { KUBECONFIG: '/nonexistent:./dirlink/../kubeconfig' } }, 'prod-eu production'],
    [{ line: 'kubectl delete ns payments --kubeconfig dirlink/../kubeconfig' }, 'prod-eu production'],
    [{ line: 'kubectl --kubeconfig=dirlink/./../kubeconfig delete ns payments' }, 'prod-eu production'],
    [{ line: 'helm uninstall api --kubeconfig dirlink/../kubeconfig' }, 'prod-eu production'],
    [{ line: 'psql service=shop -c "DROP TABLE t"', env: { PGSERVICEFILE: 'dirlink/../pg_service.conf' } }, 'shop production'],
    [{ line: 'psql -c "DROP TABLE t"', env: { PGSERVICE: 'shop', PGSYSCONFDIR: 'dirlink/..' } }, 'shop production'],
    [{ line: 'mysql --defaults-file=dirlink/../my.cnf -e "DROP TABLE t"' }, 'db.prod.example production'],
    [{ line: "ssh -F dirlink/../ssh_config shop 'dropdb shop'" }, 'shop production'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_CONFIG: `${work}/dirlink/../gcloud` } }, 'shop-prod production'],
    [{ line: 'terraform -chdir=dirlink/../app destroy -auto-approve' }, 'live-prod production'],
    [{ line: 'terraform destroy -auto-approve', env: { TF_DATA_DIR: 'dirlink/../state' } }, 'live-prod production'],
    [{ line: 'git -C dirlink/../repo reset --hard' }, 'main production'],
    [{ line: 'git reset --hard', env: { GIT_DIR: 'dirlink/../repo/.git' } }, 'main production'],
  ])('%j', async (row, expected) => {
    expect(await summary(row)).toBe(expected);
  });

  it('AWS_CONFIG_FILE and DOCKER_CONFIG through the link: the files beside the target are read, from the tool\'s directory', async () => {
    const aws = await evaluateLine('aws s3 rb s3://shop --profile shop', { HOME: home(), AWS_CONFIG_FILE: 'dirlink/../aws-config' }, work);
    expect(JSON.stringify(aws.target?.evidence)).toContain('111122223333');
    both('docker/config.json', '{"currentContext":"dev-box"}', '{"currentContext":"prod-box"}');
    const docker = await evaluateLine('docker volume rm data', { HOME: home(), DOCKER_CONFIG: 'dirlink/../docker' }, work);
    expect(JSON.stringify(docker.target?.evidence)).toContain('prod-box');
  });

  it('still reads the development file where the text and the kernel agree', async () => {
    expect(await summary({ line: 'kubectl delete ns payments', env: { KUBECONFIG: 'kubeconfig' } })).toBe('kind-dev development');
    expect(await summary({ line: 'kubectl delete ns payments', env: { KUBECONFIG: 'dirlink/../../here/kubeconfig' } })).toBe('kind-dev development');
    expect(await summary({ line: 'mysql --defaults-file=my.cnf -e "DROP TABLE t"' })).toBe('localhost development');
    expect(await summary({ line: 'git -C repo reset --hard' })).toBe('feature-x development');
  });

  it('a path the kernel cannot resolve gives no facts, even where its text names a file', async () => {
    // missing/.. is ENOENT to kubectl, so this list is the production file alone
    expect(await summary({ line: 'kubectl delete ns payments', env: { KUBECONFIG: `missing/../kubeconfig:${prod}/kubeconfig` } })).toBe('prod-eu production');
    expect(await summary({ line: 'kubectl delete ns payments --kubeconfig missing/../kubeconfig' })).toBe('- unknown');
  });
});
