// fly / flyctl: which invocations the built-in rules gate, and which app each one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

interface Line {
  line: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}
const label = ({ line, env = {}, cwd }: Line) =>
  `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}${cwd ? ` (in ${cwd.replace(home, '~')})` : ''}`;

describe('fly commands against the built-in rules', () => {
  table<Line, string>(label, [
    [{ line: 'fly apps destroy shop-prod' }, 'fly.apps.destroy'],
    [{ line: 'fly apps destroy shop-prod --yes' }, 'fly.apps.destroy'],
    [{ line: 'flyctl apps destroy shop-prod -y' }, 'fly.apps.destroy'],
    [{ line: 'fly app delete shop-prod' }, 'fly.apps.destroy'],
    [{ line: 'fly apps rm shop-prod' }, 'fly.apps.destroy'],
    [{ line: 'fly apps remove shop-prod --auto-confirm' }, 'fly.apps.destroy'],
    [{ line: 'fly destroy shop-prod' }, 'fly.apps.destroy'],
    [{ line: 'fly volumes destroy vol_123 -y' }, 'fly.volumes.destroy'],
    [{ line: 'fly vol delete vol_123 -a shop' }, 'fly.volumes.destroy'],
    [{ line: 'fly volume rm vol_123 --app=shop' }, 'fly.volumes.destroy'],
    [{ line: 'fly -a shop volumes destroy vol_123' }, 'fly.volumes.destroy'],
    [{ line: 'fly machine destroy 148ed123 --force' }, 'fly.machine.destroy'],
    [{ line: 'fly machines rm 148ed123 -f' }, 'fly.machine.destroy'],
    [{ line: 'fly m remove 148ed123' }, 'fly.machine.destroy'],
    [{ line: 'fly machine destroy --image registry.fly.io/shop:deployment-1 -a shop' }, 'fly.machine.destroy'],
    [{ line: 'fly postgres detach shop-db -a shop' }, 'fly.postgres.detach'],
    [{ line: 'fly pg detach shop-db' }, 'fly.postgres.detach'],
    [{ line: 'fly mpg destroy abc123 --yes' }, 'fly.mpg.destroy'],
    [{ line: 'fly redis destroy shop-cache' }, 'fly.redis.destroy'],
    [{ line: 'fly storage destroy shop-media' }, 'fly.storage.destroy'],
    [{ line: 'fly secrets unset STRIPE_KEY -a shop' }, 'fly.secrets.unset'],
    [{ line: 'fly scale count 0 -a shop' }, 'fly.scale.count.zero'],
    [{ line: 'fly scale count worker=0' }, 'fly.scale.count.zero'],
    [{ line: 'fly scale count web=2 worker=0 -a shop' }, 'fly.scale.count.zero'],
    // never gated
    [{ line: 'fly apps destroy shop-prod --help' }, ''],
    [{ line: 'fly volumes destroy -h' }, ''],
    [{ line: 'fly help apps destroy' }, ''],
    [{ line: 'fly --version' }, ''],
    [{ line: 'fly apps list' }, ''],
    [{ line: 'fly status -a shop' }, ''],
    [{ line: 'fly volumes list -a shop' }, ''],
    [{ line: 'fly machine list' }, ''],
    [{ line: 'fly machine stop 148ed123' }, ''],
    [{ line: 'fly logs -a shop' }, ''],
    [{ line: 'fly secrets list' }, ''],
    [{ line: 'fly secrets set K=V' }, ''],
    [{ line: 'fly scale count 2' }, ''],
    [{ line: 'fly scale count 10' }, ''],
    [{ line: 'fly scale count web=2 worker=1' }, ''],
    [{ line: 'fly scale count --max-per-region 0 2' }, ''],
    [{ line: 'fly deploy --remote-only' }, ''],
    [{ line: 'fly ssh console -C "rm -rf /tmp/x"' }, ''],
    [{ line: 'fly postgres list' }, ''],
  ], ({ line, env }) => rulesOf(line, env));
});

// Directories in a HOME with each kind of app config, and one without.
const home = join(emptyHome, 'fly-home');
const tomlDir = join(home, 'code', 'shop');
const jsonDir = join(home, 'code', 'shop-json');
const yamlDir = join(home, 'code', 'shop-yaml');
const nested = join(tomlDir, 'web');
const deployDir = join(home, 'deploy');
const noApp = join(home, 'code', 'no-app');

beforeAll(() => {
  for (const dir of [tomlDir, jsonDir, yamlDir, nested, join(deployDir, 'staging'), noApp]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(tomlDir, 'fly.toml'), `# fly.toml app configuration file\napp = "shop-prod" # the live one\nprimary_region = "ams"\n\n[env]\n  app = "not-this"\n`);
  writeFileSync(join(jsonDir, 'fly.json'), JSON.stringify({ app: 'shop-dev', primary_region: 'ams' }));
  writeFileSync(join(yamlDir, 'fly.yaml'), `app: 'shop-staging'\nprimary_region: ams\n`);
  writeFileSync(join(deployDir, 'staging', 'fly.toml'), `app = 'shop-staging'\n`);
  writeFileSync(join(deployDir, 'fly.dev.toml'), `app = "shop-dev"\n`);
  writeFileSync(join(noApp, 'fly.toml'), `primary_region = "ams"\n`);
});

/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, env = {}, cwd = home }: Line) => {
  const t = (await evaluateLine(line, { HOME: home, ...env }, cwd)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('fly target', () => {
  table<Line, string>(label, [
    [{ line: 'fly volumes destroy vol_1 -y', cwd: tomlDir }, 'shop-prod production file:app'],
    [{ line: 'fly volumes destroy vol_1 -y', cwd: jsonDir }, 'shop-dev development file:app'],
    [{ line: 'fly volumes destroy vol_1 -y', cwd: yamlDir }, 'shop-staging staging file:app'],
    [{ line: 'fly volumes destroy vol_1 -y', cwd: nested }, '- unknown default:app file:app'],
    [{ line: 'fly volumes destroy vol_1 -y', cwd: noApp }, '- unknown default:app file:app'],
    [{ line: 'fly volumes destroy vol_1 -a shop-dev', cwd: tomlDir }, 'shop-dev development flag:--app'],
    [{ line: 'fly -a shop-dev volumes destroy vol_1', cwd: tomlDir }, 'shop-dev development flag:--app'],
    [{ line: 'fly volumes destroy vol_1', cwd: tomlDir, env: { FLY_APP: 'shop-dev' } }, 'shop-dev development env:FLY_APP'],
    [{ line: 'fly volumes destroy vol_1 --app shop-staging', cwd: tomlDir, env: { FLY_APP: 'shop-dev' } }, 'shop-staging staging flag:--app'],
    [{ line: 'fly volumes destroy vol_1 -c staging', cwd: deployDir }, 'shop-staging staging file:app'],
    [{ line: 'fly volumes destroy vol_1 --config fly.dev.toml', cwd: deployDir }, 'shop-dev development file:app'],
    [{ line: 'fly volumes destroy vol_1 -c ../shop/fly.toml', cwd: jsonDir }, 'shop-prod production file:app'],
    [{ line: 'fly volumes destroy vol_1 -c missing.toml', cwd: tomlDir }, '- unknown default:app file:app'],
    // apps destroy names the app it destroys: fly.toml and -a do not matter
    [{ line: 'fly apps destroy shop-dev -y', cwd: tomlDir }, 'shop-dev development argument:apps destroy APP'],
    [{ line: 'flyctl app rm shop-prod', cwd: jsonDir }, 'shop-prod production argument:app rm APP'],
    [{ line: 'fly destroy shop-staging', cwd: tomlDir }, 'shop-staging staging argument:destroy APP'],
  ], target);
});
