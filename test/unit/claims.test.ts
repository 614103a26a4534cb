// Claims are checked against what you know: a name supplied beside an id (a variable, a flag, a cached
// label in a link file) never loosens the class your config gives that id. When they disagree the
// stricter class wins, and the disagreeing name is not what a human is asked to type.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint } from '../../src/tools/tool.js';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const home = join(emptyHome, 'claims-home');
const prodToken = 'project-token-of-production';
const linked = join(home, 'code', 'shop');
const vercelLinked = join(home, 'code', 'site');

beforeAll(() => {
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'chaperone', 'rules.yaml'),
    [
      'targets:',
      '  railway-environment: { "env-prod-1": production, "env-dev-1": development }',
      `  railway-token: { "${fingerprint(prodToken)}": production }`,
      '  vercel-project-id: { "prj_prod": production }',
      '  aws-account: { "111111111111": production }',
      '  host: { "db.internal.example": production }',
      '',
    ].join('\n'),
  );
  mkdirSync(join(home, '.railway'), { recursive: true });
  mkdirSync(linked, { recursive: true });
  // An agent edited the cached name; the id is what Railway acts on.
  writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [linked]: { projectPath: linked, project: 'p1', environment: 'env-prod-1', environmentName: 'dev' } } }));
  mkdirSync(join(vercelLinked, '.vercel'), { recursive: true });
  writeFileSync(join(vercelLinked, '.vercel', 'project.json'), JSON.stringify({ projectId: 'prj_prod', orgId: 'team_1', projectName: 'my-dev' }));
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'config'), '[profile dev]\nsso_account_id = 111111111111\nsso_role_name = Admin\n');
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}
/** "name class confirm-word" for the target. */
const claim = async ({ line, env = {}, cwd = home }: Case) => {
  const ev = await evaluateLine(line, { HOME: home, ...env }, cwd);
  return `${ev.target?.name ?? '-'} ${ev.target?.class} ${ev.decision.confirmWord ?? '-'}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.cwd ? ` (in ${c.cwd.replace(home, '~')})` : ''}`;

describe('a name beside a mapped id', () => {
  table(label, [
    // railway: RAILWAY_ENVIRONMENT_NAME is a label Railway never reads; the id decides.
    [{ line: 'railway variable delete API_URL', env: { RAILWAY_ENVIRONMENT_ID: 'env-prod-1', RAILWAY_ENVIRONMENT_NAME: 'dev' } }, '- production production'],
    [{ line: 'railway variable delete API_URL', env: { RAILWAY_ENVIRONMENT_ID: 'env-prod-1', RAILWAY_ENVIRONMENT_NAME: 'development' } }, '- production production'],
    [{ line: 'railway variable delete API_URL', env: { RAILWAY_ENVIRONMENT_ID: 'env-dev-1', RAILWAY_ENVIRONMENT_NAME: 'dev' } }, 'dev development -'],
    // railway: a project token is scoped to its environment; -e cannot move it.
    [{ line: 'railway variable delete API_URL -e dev', env: { RAILWAY_TOKEN: prodToken } }, '- production production'],
    [{ line: 'railway variable delete API_URL --environment=development', env: { RAILWAY_TOKEN: prodToken } }, '- production production'],
    [{ line: 'railway variable delete API_URL -e dev', env: { RAILWAY_TOKEN: 'unmapped' } }, '- unknown production'],
    [{ line: 'railway variable delete API_URL -e dev', env: { RAILWAY_API_TOKEN: prodToken } }, 'dev development -'],
    [{ line: 'railway variable delete API_URL', env: { RAILWAY_TOKEN: prodToken, RAILWAY_ENVIRONMENT_NAME: 'dev' } }, '- production production'],
    // railway: a linked project whose cached environmentName says dev, while its id is production's.
    [{ line: 'railway variable delete API_URL', cwd: linked }, '- production production'],
    [{ line: 'railway status', cwd: linked }, '- production -'],
    // vercel: the project id counts beside a projectName, from the link file or the variables.
    [{ line: 'vercel env rm KEY production -y', cwd: vercelLinked }, 'production production production'],
    [{ line: 'vercel env rm KEY preview -y', cwd: vercelLinked }, '- production production'],
    [{ line: 'vercel env rm KEY development -y', env: { VERCEL_ORG_ID: 'team_1', VERCEL_PROJECT_ID: 'prj_prod' } }, '- production production'],
    [{ line: 'vercel env rm KEY development -y --project prj_prod' }, '- production production'],
    // aws: a profile called dev in an account mapped to production.
    [{ line: 'aws s3 rb s3://b', env: { AWS_PROFILE: 'dev' } }, '- production production'],
    // psql: a database called dev on a host mapped to production.
    [{ line: 'dropdb -h db.internal.example dev_copy' }, '- production production'],
  ], claim);
});

describe('a label beside an id nobody mapped', () => {
  table(label, [
    // RAILWAY_ENVIRONMENT_NAME is a label the CLI never reads: beside an id your config does not map it
    // cannot make the target development, and is not what a human types to confirm.
    [{ line: 'railway down -y', env: { RAILWAY_PROJECT_ID: 'p1', RAILWAY_ENVIRONMENT_ID: 'env-unmapped', RAILWAY_ENVIRONMENT_NAME: 'development' } }, '- unknown production'],
    [{ line: 'railway down -y', env: { RAILWAY_ENVIRONMENT_ID: 'env-unmapped', RAILWAY_ENVIRONMENT_NAME: 'dev' } }, '- unknown production'],
    // It may still make the target stricter.
    [{ line: 'railway down -y', env: { RAILWAY_ENVIRONMENT_ID: 'env-unmapped', RAILWAY_ENVIRONMENT_NAME: 'production' } }, 'production production production'],
    // The id decides when it is mapped.
    [{ line: 'railway down -y', env: { RAILWAY_ENVIRONMENT_ID: 'env-dev-1', RAILWAY_ENVIRONMENT_NAME: 'dev' } }, 'dev development -'],
  ], claim);
});
