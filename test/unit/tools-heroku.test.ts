// heroku: which invocations the built-in rules gate, and which app each one targets.

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

describe('heroku commands against the built-in rules', () => {
  table<Line, string>(label, [
    [{ line: 'heroku apps:destroy' }, 'heroku.apps.destroy'],
    [{ line: 'heroku apps:destroy shop-prod --confirm shop-prod' }, 'heroku.apps.destroy'],
    [{ line: 'heroku apps:destroy -a shop-prod -c shop-prod' }, 'heroku.apps.destroy'],
    [{ line: 'heroku apps:delete --app=shop-prod' }, 'heroku.apps.destroy'],
    [{ line: 'heroku destroy -a shop-prod' }, 'heroku.apps.destroy'],
    [{ line: 'heroku addons:destroy heroku-postgresql-curly-1234 -a shop' }, 'heroku.addons.destroy'],
    [{ line: 'heroku addons:remove redis-flat-42 --force' }, 'heroku.addons.destroy'],
    [{ line: 'heroku pg:reset DATABASE_URL -a shop --confirm shop' }, 'heroku.pg.reset'],
    [{ line: 'heroku pg:reset -ashop' }, 'heroku.pg.reset'],
    [{ line: 'heroku pg:copy shop::DATABASE_URL HEROKU_POSTGRESQL_PINK_URL -a shop-staging' }, 'heroku.pg.copy'],
    [{ line: 'heroku pg:backups:delete b042 -a shop' }, 'heroku.pg.backups.delete'],
    [{ line: 'heroku pg:backups delete b042 -a shop' }, 'heroku.pg.backups.delete'],
    [{ line: 'heroku pg:backups:restore b042 DATABASE_URL -a shop' }, 'heroku.pg.backups.restore'],
    [{ line: 'heroku config:unset STRIPE_KEY -a shop' }, 'heroku.config.unset'],
    [{ line: 'heroku config:remove STRIPE_KEY' }, 'heroku.config.unset'],
    [{ line: 'heroku ps:scale web=0 -a shop' }, 'heroku.ps.scale.zero'],
    [{ line: 'heroku ps:scale web=2 worker=0 -a shop' }, 'heroku.ps.scale.zero'],
    [{ line: 'heroku ps:scale web=0:Standard-2X' }, 'heroku.ps.scale.zero'],
    [{ line: 'heroku dyno:scale web=0' }, 'heroku.ps.scale.zero'],
    [{ line: 'heroku scale web=0' }, 'heroku.ps.scale.zero'],
    [{ line: 'heroku ps:scale web=0 worker=0' }, 'heroku.ps.scale.zero heroku.ps.scale.zero'],
    [{ line: 'heroku maintenance:on -a shop' }, 'heroku.maintenance.on'],
    [{ line: 'heroku pg:killall -a shop' }, 'heroku.pg.killall'],
    // never gated
    [{ line: 'heroku apps:destroy --help' }, ''],
    [{ line: 'heroku apps:destroy -h' }, ''],
    [{ line: 'heroku help apps:destroy' }, ''],
    [{ line: 'heroku --version' }, ''],
    [{ line: 'heroku apps' }, ''],
    [{ line: 'heroku apps:info -a shop' }, ''],
    [{ line: 'heroku pg:info -a shop' }, ''],
    [{ line: 'heroku pg:backups -a shop' }, ''],
    [{ line: 'heroku pg:backups:capture -a shop' }, ''],
    [{ line: 'heroku config -a shop' }, ''],
    [{ line: 'heroku config:get STRIPE_KEY -a shop' }, ''],
    [{ line: 'heroku config:set FOO=1 -a shop' }, ''],
    [{ line: 'heroku ps:scale -a shop' }, ''],
    [{ line: 'heroku ps:scale web=2 -a shop' }, ''],
    [{ line: 'heroku ps:scale web=10' }, ''],
    [{ line: 'heroku ps:scale web-1' }, ''],
    [{ line: 'heroku maintenance:off -a shop' }, ''],
    [{ line: 'heroku logs --tail -a shop' }, ''],
    [{ line: 'heroku run rake db:migrate -a shop' }, ''],
    [{ line: 'heroku run -- destroy' }, ''],
    [{ line: 'heroku releases -a shop' }, ''],
    [{ line: 'heroku repo:reset -a shop' }, 'heroku.repo.reset'],
    [{ line: 'heroku ps:stop web -a shop' }, 'heroku.ps.stop'],
    [{ line: 'heroku ps:restart -a shop' }, 'heroku.ps.stop'],
    [{ line: 'heroku access:remove ann@example.com -a shop' }, 'heroku.access.remove'],
    [{ line: 'heroku addons:detach DATABASE -a shop' }, 'heroku.addons.detach'],
  ], ({ line, env }) => rulesOf(line, env));
});

// Repositories in a HOME: one with a single Heroku remote, one with staging and production remotes
// (and heroku.remote picking one), one whose remote is spelled through insteadOf, and a linked worktree.
const home = join(emptyHome, 'heroku-home');
const single = join(home, 'code', 'shop');
const twoRemotes = join(home, 'code', 'multi');
const chosen = join(home, 'code', 'chosen');
const rewritten = join(home, 'code', 'rewritten');
const worktree = join(home, 'code', 'shop-feature');
const noRepo = join(home, 'scratch');

beforeAll(() => {
  for (const dir of [join(single, '.git', 'worktrees', 'feature'), join(single, 'web', 'assets'), join(twoRemotes, '.git'), join(chosen, '.git'), join(rewritten, '.git'), worktree, noRepo]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(
    join(single, '.git', 'config'),
    '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[remote "heroku"]\n\turl = https://git.heroku.com/shop-prod.git\n\tfetch = +refs/heads/*:refs/remotes/heroku/*\n',
  );
  const multi = '[remote "staging"]\n\turl = https://git.heroku.com/shop-staging.git\n[remote "production"]\n\turl = git@heroku.com:shop-prod.git\n';
  writeFileSync(join(twoRemotes, '.git', 'config'), multi);
  writeFileSync(join(chosen, '.git', 'config'), `${multi}[heroku]\n\tremote = staging\n`);
  writeFileSync(join(rewritten, '.git', 'config'), '[url "https://git.heroku.com/"]\n\tinsteadOf = heroku:\n[remote "heroku"]\n\turl = heroku:shop-dev.git\n');
  writeFileSync(join(worktree, '.git'), `gitdir: ${join(single, '.git', 'worktrees', 'feature')}\n`);
  writeFileSync(join(single, '.git', 'worktrees', 'feature', 'commondir'), '../..\n');
});

/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, env = {}, cwd = noRepo }: Line) => {
  const t = (await evaluateLine(line, { HOME: home, ...env }, cwd)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('heroku target', () => {
  table<Line, string>(label, [
    [{ line: 'heroku pg:reset', cwd: single }, 'shop-prod production file:remote "heroku".url'],
    [{ line: 'heroku pg:reset', cwd: join(single, 'web', 'assets') }, 'shop-prod production file:remote "heroku".url'],
    [{ line: 'heroku pg:reset', cwd: worktree }, 'shop-prod production file:remote "heroku".url'],
    [{ line: 'heroku pg:reset -a shop-dev', cwd: single }, 'shop-dev development flag:--app'],
    [{ line: 'heroku pg:reset --app=shop-staging', cwd: single, env: { HEROKU_APP: 'shop-dev' } }, 'shop-staging staging flag:--app'],
    [{ line: 'heroku pg:reset', cwd: single, env: { HEROKU_APP: 'shop-dev' } }, 'shop-dev development env:HEROKU_APP'],
    [{ line: 'heroku pg:reset -r staging', cwd: twoRemotes, env: { HEROKU_APP: 'shop-dev' } }, 'shop-dev development env:HEROKU_APP'],
    [{ line: 'heroku pg:reset -r staging', cwd: twoRemotes }, 'shop-staging staging file:remote "staging".url flag:--remote'],
    [{ line: 'heroku pg:reset --remote production', cwd: twoRemotes }, 'shop-prod production file:remote "production".url flag:--remote'],
    [{ line: 'heroku pg:reset', cwd: twoRemotes }, '- production file:remote "staging".url file:remote "production".url'],
    [{ line: 'heroku pg:reset', cwd: chosen }, 'shop-staging staging file:remote "staging".url file:heroku.remote'],
    [{ line: 'heroku pg:reset -r origin', cwd: single }, '- unknown default:app flag:--remote file:remotes'],
    [{ line: 'heroku pg:reset', cwd: rewritten }, 'shop-dev development file:remote "heroku".url'],
    [{ line: 'heroku pg:reset', cwd: noRepo }, '- unknown default:app file:.git'],
    [{ line: 'heroku pg:reset', cwd: single, env: { HEROKU_GIT_HOST: 'git.example.test' } }, '- unknown default:app file:remotes'],
    // apps:destroy takes the app as an argument, which wins over -a and the remotes
    [{ line: 'heroku apps:destroy shop-dev -a shop-prod', cwd: single }, 'shop-dev development argument:apps:destroy APP'],
    [{ line: 'heroku destroy shop-staging', cwd: single }, 'shop-staging staging argument:destroy APP'],
    [{ line: 'heroku apps:destroy', cwd: single }, 'shop-prod production file:remote "heroku".url'],
  ], target);
});
