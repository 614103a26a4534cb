// vercel: which command lines the built-in rules gate, and which project and environment they reach.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('vercel command lines against the built-in rules', () => {
  table((line) => line, [
    ['vercel remove shop', 'vercel.remove'],
    ['vercel rm shop --yes', 'vercel.remove'],
    ['vc rm shop --yes', 'vercel.remove'], // vc is vercel's second binary name
    ['vercel rm shop-abc123-acme.vercel.app', 'vercel.remove'],
    ['vercel rm dpl_4Xq1b2C3 dpl_9Zz', 'vercel.remove'],
    ['vercel rm shop --hard -y', 'vercel.remove'],
    ['vercel --scope acme rm shop', 'vercel.remove'],
    ['vercel rm -S acme shop -y', 'vercel.remove'],
    ['vercel rm --team=acme shop', 'vercel.remove'],
    ['vercel rm shop --safe', 'vercel.remove.safe'],
    ['vercel rm -s shop -y', 'vercel.remove.safe'],
    ['vercel remove -ys shop', 'vercel.remove.safe'],
    ['vercel project rm shop', 'vercel.project.remove'],
    ['vercel projects remove shop', 'vercel.project.remove'],
    ['vercel env rm API_KEY production -y', 'vercel.env.remove'],
    ['vercel env remove API_KEY', 'vercel.env.remove'],
    ['vercel env rm API_KEY preview feat-1 --cwd apps/web', 'vercel.env.remove'],
    ['vercel domains rm example.com', 'vercel.domains.remove'],
    ['vercel domain remove example.com -y', 'vercel.domains.remove'],
    ['vercel dns rm rec_123', 'vercel.dns.remove'],
    // never gated
    ['vercel rm shop --help', ''],
    ['vercel rm -h', ''],
    ['vercel help rm', ''],
    ['vercel --version', ''],
    ['vercel -v', ''],
    ['vercel ls', ''],
    ['vercel list shop', ''],
    ['vercel inspect shop-abc123.vercel.app', ''],
    ['vercel logs shop-abc123.vercel.app', ''],
    ['vercel project ls', ''],
    ['vercel project inspect shop', ''],
    ['vercel env ls', ''],
    ['vercel env pull .env.local', ''],
    ['vercel env add API_KEY production', ''],
    ['vercel domains ls', ''],
    ['vercel dns ls example.com', ''],
    ['vercel deploy --prod', ''],
    ['vercel --prod', ''],
    ['vercel link --project shop', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'vercel-home');
const linked = (name: string) => join(home, 'code', name);
const monorepo = join(home, 'code', 'mono');

function link(dir: string, json: unknown, folder = '.vercel'): void {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, 'project.json'), JSON.stringify(json));
}

beforeAll(() => {
  link(linked('shop'), { projectId: 'prj_4Xq1b2C3devTk9', orgId: 'team_Q7', projectName: 'shop' });
  link(linked('shop-prod'), { projectId: 'prj_p', orgId: 'team_Q7', projectName: 'shop-prod' });
  link(linked('old'), { projectId: 'prj_8devX9sandbox', orgId: 'team_Q7' });
  link(linked('legacy'), { projectId: 'prj_l', orgId: 'team_Q7', projectName: 'legacy-staging' }, '.now');
  link(linked('multi'), { projects: { default: { projectId: 'prj_d', orgId: 'team_Q7', projectName: 'site-dev' }, admin: { projectId: 'prj_a', orgId: 'team_Q7', projectName: 'admin-prod' } } });
  mkdirSync(join(monorepo, '.git'), { recursive: true });
  writeFileSync(join(monorepo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(join(monorepo, '.vercel'), { recursive: true });
  writeFileSync(
    join(monorepo, '.vercel', 'repo.json'),
    JSON.stringify({
      orgId: 'team_Q7',
      remoteName: 'origin',
      projects: [
        { id: 'prj_w', name: 'web-staging', directory: 'apps/web' },
        { id: 'prj_a', name: 'api', directory: 'apps/api' },
        { id: 'prj_r', name: 'root-site', directory: '.' },
      ],
    }),
  );
  for (const dir of ['apps/web/src', 'apps/api', 'docs']) mkdirSync(join(monorepo, dir), { recursive: true });
  mkdirSync(linked('plain'), { recursive: true });
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const evaluate = ({ line, cwd = linked('plain'), env = {} }: Case) => evaluateLine(line, { HOME: home, ...env }, cwd);
const target = async (c: Case) => {
  const t = (await evaluate(c)).target!;
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first.source}:${first.key}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.cwd ? ` (in ${c.cwd.replace(home, '~')})` : ''}`;

describe('vercel target: what the command names, else the linked project', () => {
  table(label, [
    [{ line: 'vercel rm shop-prod --yes' }, 'shop-prod production argument:vercel rm'],
    [{ line: 'vercel rm shop-dev --safe' }, 'shop-dev development argument:vercel rm'],
    [{ line: 'vercel rm shop' }, 'shop unknown argument:vercel rm'],
    [{ line: 'vercel rm shop-abc123-acme.vercel.app' }, '- unknown argument:vercel rm'],
    [{ line: 'vercel rm dpl_8devX9q' }, '- unknown argument:vercel rm'],
    [{ line: 'vercel rm prj_8devX9q' }, '- unknown argument:vercel rm'],
    [{ line: 'vercel rm shop-dev shop-prod' }, 'shop-dev production argument:vercel rm'],
    [{ line: 'vercel rm shop-dev', cwd: linked('shop-prod') }, 'shop-dev development argument:vercel rm'],
    [{ line: 'vercel project rm sandbox-site' }, 'sandbox-site development argument:vercel project rm'],
    [{ line: 'vercel domains rm staging.acme.com' }, 'staging.acme.com staging argument:vercel domains rm'],
    [{ line: 'vercel domains rm acme.com' }, 'acme.com unknown argument:vercel domains rm'],
    [{ line: 'vercel dns rm rec_1' }, '- unknown argument:vercel dns rm'],
    [{ line: 'vercel env rm KEY production', cwd: linked('shop') }, 'production production argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY development', cwd: linked('shop') }, 'development development argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: linked('shop') }, 'preview staging argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY', cwd: linked('shop') }, 'production production default:environment'],
    [{ line: 'vercel env rm KEY development', cwd: linked('shop-prod') }, 'development production argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY development --project shop-prod' }, 'development production argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: linked('legacy') }, 'preview staging argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: linked('multi') }, 'preview staging argument:vercel env rm ENVIRONMENT'], // preview names staging
    [{ line: 'vercel env rm KEY preview --project-link admin', cwd: linked('multi') }, 'preview production argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: join(monorepo, 'apps/web/src') }, 'preview staging argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: join(monorepo, 'docs') }, 'preview staging argument:vercel env rm ENVIRONMENT'],
    [{ line: `vercel env rm KEY preview --cwd ${join(monorepo, 'apps/web')}` }, 'preview staging argument:vercel env rm ENVIRONMENT'],
    [{ line: 'vercel env rm KEY preview', cwd: linked('old') }, 'preview staging argument:vercel env rm ENVIRONMENT'],
  ], target);

  it('names the linked project and team in the evidence, and never reads a project id by token', async () => {
    const old = (await evaluate({ line: 'vercel env rm KEY preview', cwd: linked('old') })).target!;
    expect(old.evidence).toContainEqual({ source: 'file', key: 'projectId', value: 'prj_8devX9sandbox (no projectName recorded: unknown offline)', file: '~/code/old/.vercel/project.json' });

    const shop = (await evaluate({ line: 'vercel env rm KEY preview --scope acme', cwd: linked('shop') })).target!;
    expect(shop.evidence).toEqual([
      { source: 'argument', key: 'vercel env rm ENVIRONMENT', value: 'preview' },
      { source: 'file', key: 'projectName', value: 'shop', file: '~/code/shop/.vercel/project.json' },
      { source: 'file', key: 'projectId', value: 'prj_4Xq1b2C3devTk9', file: '~/code/shop/.vercel/project.json' },
      { source: 'file', key: 'orgId', value: 'team_Q7', file: '~/code/shop/.vercel/project.json' },
      { source: 'flag', key: '--scope', value: 'acme (the team)' },
    ]);

    const web = (await evaluate({ line: 'vercel env rm KEY preview', cwd: join(monorepo, 'apps/web/src') })).target!;
    expect(web.evidence).toContainEqual({ source: 'file', key: 'projects[directory "apps/web"]', value: 'web-staging (prj_w)', file: '~/code/mono/.vercel/repo.json' });
  });

  it('takes VERCEL_ORG_ID with VERCEL_PROJECT_ID over the link, and says when only one is set', async () => {
    const both = (await evaluate({ line: 'vercel env rm KEY preview', cwd: linked('shop'), env: { VERCEL_ORG_ID: 'team_X', VERCEL_PROJECT_ID: 'prj_Y' } })).target!;
    expect(both.evidence).toContainEqual({ source: 'env', key: 'VERCEL_PROJECT_ID', value: 'prj_Y (an id: its name is unknown offline)' });
    expect(both.class).toBe('staging'); // the preview environment is staging whatever the project
    const one = (await evaluate({ line: 'vercel env rm KEY preview', cwd: linked('shop'), env: { VERCEL_ORG_ID: 'team_X' } })).target!;
    expect(one.evidence).toContainEqual({ source: 'env', key: 'VERCEL_ORG_ID', value: 'team_X without VERCEL_PROJECT_ID: vercel refuses to run' });
  });
});
