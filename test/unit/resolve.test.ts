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
  table(label, [
    [{ line: 'railway volume delete', cwd: linkedProd }, 'production production file:projects["' + linkedProd + '"].environmentName'],
    [{ line: 'railway volume delete', cwd: join(linkedProd, 'api') }, 'production production file:projects["' + linkedProd + '"].environmentName'],
    [{ line: 'railway volume delete', cwd: linkedDev }, 'dev development file:projects["' + linkedDev + '"].environmentName'],
    [{ line: 'railway volume delete', cwd: home }, '- unknown default:railway'],
    [{ line: 'railway volume delete -e staging', cwd: linkedProd }, 'staging staging flag:--environment'],
    [{ line: 'railway volume delete', cwd: linkedDev, env: { RAILWAY_TOKEN: 't' } }, '- unknown env:RAILWAY_TOKEN'],
    [{ line: 'railway volume delete', cwd: linkedDev, env: { RAILWAY_API_TOKEN: 't' } }, '- unknown env:RAILWAY_API_TOKEN'],
    [{ line: 'railway volume delete', cwd: linkedDev, env: { RAILWAY_ENVIRONMENT_ID: 'e9', RAILWAY_ENVIRONMENT_NAME: 'production' } }, 'production production env:RAILWAY_ENVIRONMENT_ID'],
    [{ line: 'railway volume delete', cwd: linkedDev, env: { RAILWAY_ENVIRONMENT_ID: 'e9' } }, '- unknown env:RAILWAY_ENVIRONMENT_ID'],
    [{ line: 'railway volume delete', cwd: linkedDev, env: { RAILWAY_ENV: 'staging' } }, 'staging staging file:projects["' + linkedDev + '"].environmentName'],
    [{ line: 'railway environment delete production', cwd: linkedDev }, 'production production argument:environment delete'],
    [{ line: 'railway delete -y', cwd: linkedDev }, 'production production command:railway delete'],
  ], resolveCase);
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
