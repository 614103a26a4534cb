// Target resolution, per tool: which environment, which class, and the first piece of evidence.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const home = join(emptyHome, 'resolve-home');
const linkedProd = join(home, 'code', 'shop');
const linkedDev = join(home, 'code', 'shop-dev');

beforeAll(() => {
  mkdirSync(join(home, '.railway'), { recursive: true });
  mkdirSync(join(linkedProd, 'api'), { recursive: true });
  mkdirSync(linkedDev, { recursive: true });
  writeFileSync(
    join(home, '.railway', 'config.json'),
    JSON.stringify({
      projects: {
        [linkedProd]: { projectPath: linkedProd, project: 'p1', environment: 'e-prod', environmentName: 'production' },
        [linkedDev]: { projectPath: linkedDev, project: 'p1', environment: 'e-dev', environmentName: 'dev' },
      },
    }),
  );
  writeFileSync(join(home, '.railway', 'config-staging.json'), JSON.stringify({ projects: { [linkedDev]: { environmentName: 'staging' } } }));
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(
    join(home, '.aws', 'config'),
    [
      '[default]',
      'region = us-east-1',
      '[profile acme-prod]',
      'role_arn = arn:aws:iam::111111111111:role/admin',
      'source_profile = default',
      '[profile ops]',
      'sso_account_id = 222222222222',
      'sso_role_name = Admin',
      '[profile team.sandbox]',
      'region = eu-west-1',
    ].join('\n'),
  );
  writeFileSync(join(home, '.pg_service.conf'), '[billing]\nhost=db.prod.internal\ndbname=billing\n[scratch]\nhost=localhost\ndbname=scratch\n');
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}
const resolveCase = async ({ line, env = {}, cwd = home }: Case) => {
  const ev = await evaluateLine(line, { HOME: home, ...env }, cwd);
  const t = ev.target!;
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first ? `${first.source}:${first.key}` : '-'}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.cwd ? ` (in ${c.cwd.replace(home, '~')})` : ''}`;

describe('railway target', () => {
  // An environment-scoped delete (variableDelete takes the environment): the link, flags and variables decide.
  table(label, [
    [{ line: 'railway variable delete API_URL', cwd: linkedProd }, 'production production file:projects["' + linkedProd + '"].environmentName'],
    [{ line: 'railway variable delete API_URL', cwd: join(linkedProd, 'api') }, 'production production file:projects["' + linkedProd + '"].environmentName'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev }, 'dev development file:projects["' + linkedDev + '"].environmentName'],
    [{ line: 'railway variable delete API_URL', cwd: home }, '- unknown default:railway'],
    [{ line: 'railway variable delete API_URL -e staging', cwd: linkedProd }, 'staging staging flag:--environment'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev, env: { RAILWAY_TOKEN: 't' } }, '- unknown env:RAILWAY_TOKEN'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev, env: { RAILWAY_API_TOKEN: 't' } }, '- unknown env:RAILWAY_API_TOKEN'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev, env: { RAILWAY_ENVIRONMENT_ID: 'e9', RAILWAY_ENVIRONMENT_NAME: 'production' } }, 'production production env:RAILWAY_ENVIRONMENT_ID'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev, env: { RAILWAY_ENVIRONMENT_ID: 'e9' } }, '- unknown env:RAILWAY_ENVIRONMENT_ID'],
    [{ line: 'railway variable delete API_URL', cwd: linkedDev, env: { RAILWAY_ENV: 'staging' } }, 'staging staging file:projects["' + linkedDev + '"].environmentName'],
    [{ line: 'railway environment delete production', cwd: linkedDev }, 'production production argument:environment delete'],
    [{ line: 'railway delete -y', cwd: linkedDev }, 'production production command:railway delete'],
  ], resolveCase);
});

// volumeDelete takes only the volume's id (a volume is the project's, with an instance in every
// environment) and serviceDelete deletes in every environment that is not a fork: whatever -e, the link
// or the variables say, they reach production. -e names where the object is looked up, and says so.
describe('railway deletes that -e does not bound', () => {
  const reach = async (c: Case) => {
    const ev = await evaluateLine(c.line, { HOME: home, ...c.env }, c.cwd ?? home);
    const t = ev.target!;
    return [`${t.name ?? '-'} ${t.class} (${t.because})`, ...t.evidence.map((e) => `${e.source}:${e.key} = ${e.value}`)].join(' | ');
  };
  const volume = 'production production (a volume belongs to the project: deleting it deletes it in every environment, production included)';
  const service = 'production production (deleting a service outside a forked environment deletes it in every environment, production included)';
  const volumeDelete = 'volumeDelete(volumeId): the volume in every environment it has an instance in';
  const serviceDelete = 'serviceDelete: the service in every environment that is not a fork, unless the one given is a fork';
  table(label, [
    [{ line: 'railway volume -e development delete -v pg-data --yes', cwd: linkedDev }, `${volume} | command:railway volume delete = ${volumeDelete} | flag:--environment = development (where the volume is looked up, not where its deletion stops)`],
    [{ line: 'railway volume --environment staging delete --volume pg-data', cwd: linkedDev }, `${volume} | command:railway volume delete = ${volumeDelete} | flag:--environment = staging (where the volume is looked up, not where its deletion stops)`],
    [{ line: 'railway volume --environment=dev rm -v pg-data', cwd: linkedDev }, `${volume} | command:railway volume rm = ${volumeDelete} | flag:--environment = dev (where the volume is looked up, not where its deletion stops)`],
    [{ line: 'railway volumes remove -v pg-data', cwd: linkedDev }, `${volume} | command:railway volumes remove = ${volumeDelete}`],
    [{ line: 'railway volume delete -v pg-data', cwd: linkedDev, env: { RAILWAY_ENVIRONMENT_ID: 'e-dev', RAILWAY_ENVIRONMENT_NAME: 'dev' } }, `${volume} | command:railway volume delete = ${volumeDelete}`],
    [{ line: 'railway volume -e dev delete -v pg-data', cwd: linkedDev, env: { RAILWAY_TOKEN: 'token-of-dev' } }, `${volume} | command:railway volume delete = ${volumeDelete} | flag:--environment = dev (where the volume is looked up, not where its deletion stops)`],
    [{ line: 'railway service delete -e dev -s api --yes', cwd: linkedDev }, `${service} | command:railway service delete = ${serviceDelete} | flag:--environment = dev (where the service is looked up, not where its deletion stops)`],
    [{ line: 'railway services rm -s api', cwd: linkedDev }, `${service} | command:railway services rm = ${serviceDelete}`],
    [{ line: 'railway functions delete -f cron -y', cwd: linkedDev }, `${service} | command:railway functions delete = ${serviceDelete}`],
    [{ line: 'railway fn -e development remove -f cron', cwd: linkedDev }, `${service} | command:railway fn remove = ${serviceDelete} | flag:--environment = development (where the service is looked up, not where its deletion stops)`],
  ], reach);

  // What stays in one environment keeps the environment it names.
  table(label, [
    [{ line: 'railway volume list -e development', cwd: linkedProd }, 'development development ("development" contains "development") | flag:--environment = development'],
    [{ line: 'railway down -e development -y', cwd: linkedProd }, 'development development ("development" contains "development") | flag:--environment = development'],
    [{ line: 'railway volume -e development detach -v pg-data', cwd: linkedProd }, 'development development ("development" contains "development") | flag:--environment = development'],
    [{ line: 'railway volume -e development files delete /data/tmp', cwd: linkedProd }, 'development development ("development" contains "development") | flag:--environment = development'],
    [{ line: 'railway service -e development files delete /tmp/x', cwd: linkedProd }, 'development development ("development" contains "development") | flag:--environment = development'],
  ], reach);
});

describe('psql, dropdb and pg_restore targets (libpq rules)', () => {
  table(label, [
    [{ line: 'psql "postgresql://app:pw@db.prod.example/shop" -c "DROP TABLE t"' }, 'shop production argument:connection string host'],
    [{ line: 'psql "host=db.prod.example dbname=shop" -c "DROP TABLE t"' }, 'shop production argument:connection string host'],
    [{ line: 'psql -h 127.0.0.1 -d shop -c "DROP TABLE t"' }, 'shop development flag:--host'],
    [{ line: 'psql -h 127.0.0.1 -d shop_prod -c "DROP TABLE t"' }, 'shop_prod production flag:--host'],
    [{ line: 'psql -h db.example.com shop -c "DROP TABLE t"' }, 'shop unknown flag:--host'],
    [{ line: 'psql -c "DROP TABLE t"', env: { PGHOST: 'db.prod.example', PGDATABASE: 'shop' } }, 'shop production env:PGHOST'],
    [{ line: 'psql -c "DROP TABLE t"', env: { PGSERVICE: 'billing' } }, 'billing production env:PGSERVICE'],
    [{ line: 'psql "service=scratch" -c "DROP TABLE t"' }, 'scratch development argument:connection string service'],
    [{ line: 'psql "postgresql://localhost/shop" -h db.prod.example -c "DROP TABLE t"' }, 'shop development argument:connection string host'],
    [{ line: 'psql -d shop -c "DROP TABLE t" admin' }, 'shop development flag:--dbname'],
    [{ line: 'dropdb -h db.prod.example shop' }, 'shop production argument:dbname (dropped)'],
    [{ line: 'dropdb shop_staging' }, 'shop_staging staging argument:dbname (dropped)'],
    [{ line: 'pg_restore --clean -d "postgresql://db.stg.example/shop" dump' }, 'shop staging flag:--dbname host'],
  ], resolveCase);
});

describe('aws target', () => {
  table(label, [
    [{ line: 'aws s3 rb s3://b --profile acme-prod' }, 'acme-prod production flag:--profile'],
    [{ line: 'aws s3 rb s3://b', env: { AWS_PROFILE: 'acme-prod' } }, 'acme-prod production env:AWS_PROFILE'],
    [{ line: 'aws s3 rb s3://b', env: { AWS_DEFAULT_PROFILE: 'staging' } }, 'staging staging env:AWS_DEFAULT_PROFILE'],
    [{ line: 'aws s3 rb s3://b', env: { AWS_PROFILE: 'dev', AWS_DEFAULT_PROFILE: 'prod' } }, 'dev production env:AWS_PROFILE'],
    [{ line: 'aws s3 rb s3://b' }, 'default unknown default:profile'],
    [{ line: 'aws s3 rb s3://b', env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_PROFILE: 'dev' } }, '- unknown env:AWS_ACCESS_KEY_ID'],
    [{ line: 'aws s3 rb s3://b --profile ops' }, 'ops unknown flag:--profile'],
    [{ line: 'aws s3 rb s3://b --profile team.sandbox' }, 'team.sandbox development flag:--profile'],
    [{ line: 'aws --endpoint-url http://127.0.0.1:5000 s3 rb s3://b' }, 'default development default:profile'],
    [{ line: 'aws --endpoint-url http://127.0.0.1:5000 s3 rb s3://b --profile acme-prod' }, 'acme-prod production flag:--profile'],
  ], resolveCase);
});
