// netlify: which command lines the built-in rules gate, and which site and deploy context they reach.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf, words } from '../helpers/evaluate.js';
import { evaluate } from '../../src/evaluate.js';

const site = '3f1c2d3e-1111-2222-3333-444455556666';

describe('netlify command lines against the built-in rules', () => {
  table((line) => line, [
    [`netlify sites:delete ${site} --force`, 'netlify.sites.delete'],
    [`ntl sites delete ${site}`, 'netlify.sites.delete'],
    ['netlify env:unset API_KEY', 'netlify.env.unset'],
    ['netlify env:unset API_KEY --context production', 'netlify.env.unset'],
    ['netlify env:delete API_KEY', 'netlify.env.unset'],
    ['netlify env unset API_KEY', 'netlify.env.unset'],
    ['netlify blobs:delete uploads avatar.png', 'netlify.blobs.delete'],
    [`netlify api deleteSite --data '{"site_id":"${site}"}'`, 'netlify.api.delete'],
    [`netlify api deleteDeploy --data '{"deploy_id":"x"}'`, 'netlify.api.delete'],
    ['netlify env:set API_KEY x', 'netlify.env.set'],
    ['netlify env:clone --to 7f1c2d3e-1111-2222-3333-444455556666', 'netlify.env.set'],
    ['netlify env:import .env --replace-existing', 'netlify.env.import.replace'],
    // never gated
    [`netlify sites:delete ${site} --help`, ''],
    ['netlify env:unset -h', ''],
    ['netlify help sites', ''],
    ['netlify --version', ''],
    ['netlify deploy --prod', ''],
    ['netlify deploy --prod --dir dist', ''],
    ['netlify sites:list', ''],
    ['netlify env:list', ''],
    ['netlify env:import .env', ''],
    ['netlify dev:exec npm run build', ''],
    ['netlify dev:exec psql -h localhost -c "SELECT 1"', ''],
    ['netlify blobs:get uploads avatar.png', ''],
    ['netlify api listSites', ''],
  ], (line) => rulesOf(line));
});

const repo = join(emptyHome, 'netlify-repo');

beforeAll(() => {
  mkdirSync(join(repo, '.netlify'), { recursive: true });
  mkdirSync(join(repo, 'web'), { recursive: true });
  writeFileSync(join(repo, '.netlify', 'state.json'), JSON.stringify({ siteId: site }));
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const target = async ({ line, cwd = emptyHome, env = {} }: Case) => {
  const [tool, ...args] = words(line);
  const t = (await evaluate({ tool, args, cwd, env: { HOME: emptyHome, ...env } }, { alwaysResolve: true, terminal: () => false })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('netlify target: the site, and the deploy context', () => {
  table(({ line, cwd, env }) => `${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${line}${cwd ? ` (in ${cwd.split('/').pop()})` : ''}`, [
    [{ line: 'netlify env:unset API_KEY --context dev --site shop-sandbox' }, 'dev development'],
    [{ line: 'netlify env:unset API_KEY --context dev --site shop-prod' }, 'dev production'],
    [{ line: 'netlify env:unset API_KEY --site shop-sandbox' }, 'production production'],
    [{ line: 'netlify env:unset API_KEY --context deploy-preview --site shop' }, 'deploy-preview staging'],
    [{ line: 'netlify blobs:delete uploads a.png --site shop-staging' }, 'shop-staging staging'],
    [{ line: 'netlify blobs:delete uploads a.png', env: { NETLIFY_SITE_ID: 'shop-dev' } }, 'shop-dev development'],
    [{ line: 'netlify blobs:delete uploads a.png', cwd: join(repo, 'web') }, '- unknown'],
    [{ line: `netlify sites:delete ${site}` }, '- unknown'],
    [{ line: 'netlify sites:delete shop-dev' }, 'shop-dev development'],
  ], target);
});
