// gh: which command lines the built-in rules gate, and which repository they reach.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('gh command lines against the built-in rules', () => {
  table((line) => line, [
    ['gh repo delete acme/shop --yes', 'gh.repo.delete'],
    ['gh repo delete', 'gh.repo.delete'],
    ['gh repo delete https://github.com/acme/shop --confirm', 'gh.repo.delete'],
    ['gh repo archive acme/shop -y', 'gh.repo.archive'],
    ['gh release delete v1.2.0 --yes --cleanup-tag', 'gh.release.delete'],
    ['gh release delete v1.2.0 -R acme/shop -y', 'gh.release.delete'],
    ['gh -R acme/shop release delete v1', 'gh.release.delete'],
    ['gh release delete-asset v1 app.tgz -y', 'gh.release.delete-asset'],
    ['gh secret delete DB_PASSWORD', 'gh.secret.delete'],
    ['gh secret remove DB_PASSWORD -e production', 'gh.secret.delete'],
    ['gh secret delete DB_PASSWORD --org acme', 'gh.secret.delete'],
    ['gh secret delete DB_PASSWORD -a dependabot -R acme/shop', 'gh.secret.delete'],
    ['gh variable delete REGION', 'gh.variable.delete'],
    ['gh variable remove REGION --env=staging', 'gh.variable.delete'],
    ['gh run delete 123456', 'gh.run.delete'],
    ['gh cache delete --all', 'gh.cache.delete'],
    ['gh cache delete -a --repo acme/shop', 'gh.cache.delete'],
    ['gh label delete bug --yes', 'gh.label.delete'],
    ['gh issue delete 42 --yes', 'gh.issue.delete'],
    ['gh repo deploy-key delete 1234', 'gh.deploy-key.delete'],
    ['gh api -X DELETE repos/acme/shop', 'gh.api.delete'],
    ['gh api --method DELETE /repos/acme/shop/git/refs/heads/main', 'gh.api.delete'],
    ['gh api --method=delete repos/{owner}/{repo}/environments/production', 'gh.api.delete'],
    ['gh api -XDELETE repos/acme/shop/hooks/1', 'gh.api.delete'],
    ['gh api repos/acme/shop/releases/1 -X DELETE -H "Accept: application/json"', 'gh.api.delete'],
    // never gated
    ['gh repo delete --help', ''],
    ['gh help repo delete', ''],
    ['gh --version', ''],
    ['gh repo view acme/shop', ''],
    ['gh repo list', ''],
    ['gh release list', ''],
    ['gh release view v1', ''],
    ['gh secret list', ''],
    ['gh secret set DB_PASSWORD', ''],
    ['gh run list', ''],
    ['gh run view 123', ''],
    ['gh cache list', ''],
    ['gh pr list', ''],
    ['gh issue close 42', ''],
    ['gh api repos/acme/shop', ''],
    ['gh api -X GET repos/acme/shop', ''],
    ['gh api -X POST repos/acme/shop/issues -f title=x', ''],
    ['gh api -f method=DELETE repos/acme/shop/issues', ''],
    ['gh alias delete rd', ''],
    ['gh workflow disable deploy.yml', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'gh-home');
const code = join(home, 'code');

function gitRepo(name: string, config: string): string {
  const dir = join(code, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, '.git', 'config'), `[core]\n\trepositoryformatversion = 0\n${config}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  return dir;
}

const repos = {
  single: gitRepo('single', '[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'),
  fork: gitRepo('fork', '[remote "origin"]\n\turl = https://github.com/me/shop.git\n[remote "upstream"]\n\turl = https://github.com/acme/shop.git\n'),
  defaulted: gitRepo('defaulted', '[remote "origin"]\n\turl = https://github.com/me/shop.git\n\tgh-resolved = base\n[remote "upstream"]\n\turl = https://github.com/acme/shop.git\n'),
  gitlab: gitRepo('gitlab', '[remote "origin"]\n\turl = git@gitlab.com:acme/shop.git\n'),
  enterprise: gitRepo('enterprise', '[remote "origin"]\n\turl = ssh://git@ghe.acme.com/team/app.git\n'),
  rewritten: gitRepo('rewritten', '[url "git@github.com:"]\n\tinsteadOf = gh:\n[remote "origin"]\n\turl = gh:acme/tools\n'),
  parented: gitRepo('parented', '[remote "origin"]\n\turl = https://github.com/me/shop.git\n\tgh-resolved = acme/shop\n'),
  sandbox: gitRepo('sandbox', '[remote "origin"]\n\turl = https://github.com/me/sandbox\n'),
};

beforeAll(() => {
  mkdirSync(join(home, '.config', 'gh'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'gh', 'hosts.yml'),
    ['github.com:', '    users:', '        octocat:', '    oauth_token: gho_SECRET', '    user: octocat', '    git_protocol: ssh', 'ghe.acme.com:', '    user: ops', '    oauth_token: ghe_SECRET', ''].join('\n'),
  );
  writeFileSync(
    join(home, '.config', 'gh', 'config.yml'),
    [
      'git_protocol: ssh',
      'aliases:',
      '    rd: repo delete --yes',
      "    relrm: 'release delete $1 --yes --cleanup-tag'",
      '    nuke: \'!gh repo delete "$1" --yes\'',
      '    co: pr checkout',
      '    repo: release delete',
      '',
    ].join('\n'),
  );
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'chaperone', 'rules.yaml'),
    ['targets:', '  github-repo:', '    acme/shop: production', '    me/shop: development', '    me/sandbox: development', '    octocat/scratch: development', '    team/app: staging', ''].join('\n'),
  );
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const evaluate = ({ line, cwd = code, env = {} }: Case) => evaluateLine(line, { HOME: home, ...env }, cwd);
const target = async (c: Case) => {
  const t = (await evaluate(c)).target!;
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first.source}:${first.key}=${first.value}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.cwd ? ` (in ${c.cwd.replace(home, '~')})` : ''}`;

describe('gh target: the repository, as gh chooses it', () => {
  table(label, [
    [{ line: 'gh repo delete acme/shop --yes' }, 'acme/shop production argument:gh repo delete=acme/shop'],
    [{ line: 'gh repo delete https://github.com/me/shop --yes' }, 'me/shop development argument:gh repo delete=https://github.com/me/shop'],
    [{ line: 'gh repo delete ghe.acme.com/team/app --yes' }, 'team/app staging argument:gh repo delete=ghe.acme.com/team/app'],
    [{ line: 'gh repo delete scratch --yes' }, "octocat/scratch development argument:gh repo delete=scratch (no owner: the logged-in user's)"],
    [{ line: 'gh repo delete scratch --yes', env: { GH_CONFIG_DIR: join(home, 'nowhere') } }, `- unknown argument:gh repo delete=scratch (no owner: the logged-in user's, and ~/nowhere/hosts.yml names none for github.com)`],
    [{ line: 'gh repo delete acme/unmapped --yes' }, 'acme/unmapped unknown argument:gh repo delete=acme/unmapped'],
    [{ line: 'gh repo delete --yes', cwd: repos.single }, `acme/shop production file:remote.origin.url=git@github.com:acme/shop.git`],
    [{ line: 'gh repo delete --yes', cwd: join(repos.single, 'src') }, `acme/shop production file:remote.origin.url=git@github.com:acme/shop.git`],
    [{ line: 'gh release delete v1 -y', cwd: repos.fork }, 'acme/shop production file:remote.upstream.url=https://github.com/acme/shop.git'],
    [{ line: 'gh release delete v1 -y', cwd: repos.defaulted }, 'me/shop development file:remote.origin.url=https://github.com/me/shop.git'],
    [{ line: 'gh release delete v1 -y', cwd: repos.parented }, 'acme/shop production file:remote.origin.gh-resolved=acme/shop (gh repo set-default)'],
    [{ line: 'gh release delete v1 -y', cwd: repos.gitlab }, '- unknown default:git remotes=none points at GitHub (origin git@gitlab.com:acme/shop.git)'],
    [{ line: 'gh release delete v1 -y', cwd: repos.enterprise }, 'team/app staging file:remote.origin.url=ssh://git@ghe.acme.com/team/app.git'],
    [{ line: 'gh release delete v1 -y', cwd: repos.rewritten }, 'acme/tools unknown file:remote.origin.url=git@github.com:acme/tools'],
    [{ line: 'gh release delete v1 -y' }, `- unknown default:git remotes=no -R/--repo or GH_REPO, and ~/code is not in a git repository`],
    [{ line: 'gh release delete v1 -R me/sandbox -y', cwd: repos.single }, 'me/sandbox development flag:--repo=me/sandbox'],
    [{ line: 'gh release delete v1 --repo=github.com/me/shop', cwd: repos.single }, 'me/shop development flag:--repo=github.com/me/shop'],
    [{ line: 'gh release delete v1 -y', cwd: repos.single, env: { GH_REPO: 'me/sandbox' } }, 'me/sandbox development env:GH_REPO=me/sandbox'],
    [{ line: 'gh release delete v1 -R acme/shop', cwd: repos.sandbox, env: { GH_REPO: 'me/sandbox' } }, 'acme/shop production flag:--repo=acme/shop'],
    [{ line: 'gh repo delete --yes', cwd: repos.sandbox, env: { GH_REPO: 'me/sandbox' } }, 'me/sandbox development env:GH_REPO=me/sandbox'],
    [{ line: 'gh repo delete --yes', cwd: repos.single, env: { GH_REPO: 'me/sandbox' } }, '- unknown env:GH_REPO=me/sandbox (gh repo delete without an argument may ignore GH_REPO)'],
    [{ line: 'gh secret delete KEY --env staging', cwd: repos.fork }, 'acme/shop production file:remote.upstream.url=https://github.com/acme/shop.git'],
    [{ line: 'gh secret delete KEY --env staging', cwd: repos.sandbox }, 'me/sandbox staging file:remote.origin.url=https://github.com/me/sandbox'],
    [{ line: 'gh secret delete KEY -e production -R acme/unmapped' }, 'acme/unmapped production flag:--repo=acme/unmapped'],
    [{ line: 'gh secret delete KEY --org acme', cwd: repos.sandbox }, 'acme unknown flag:--org=acme (an organization-level secret: every repository given access to it)'],
    [{ line: 'gh variable delete KEY -o acme', cwd: repos.sandbox }, 'acme unknown flag:--org=acme (an organization-level variable: every repository given access to it)'],
    [{ line: 'gh secret delete KEY --user', cwd: repos.sandbox }, '- unknown flag:--user=a user-level secret of the logged-in account (Codespaces)'],
    [{ line: 'gh api -X DELETE repos/acme/shop/hooks/1', cwd: repos.sandbox }, 'acme/shop production argument:gh api endpoint=repos/acme/shop/hooks/1'],
    [{ line: 'gh api -X DELETE repos/{owner}/{repo}/hooks/1', cwd: repos.sandbox }, 'me/sandbox development file:remote.origin.url=https://github.com/me/sandbox'],
    [{ line: 'gh api -X DELETE repos/{owner}/{repo}/hooks/1', cwd: repos.sandbox, env: { GH_REPO: 'acme/shop' } }, 'acme/shop production env:GH_REPO=acme/shop'],
    [{ line: 'gh api -X DELETE /orgs/acme/hooks/1', cwd: repos.sandbox }, '- unknown argument:gh api endpoint=/orgs/acme/hooks/1 (names no repository)'],
    [{ line: 'gh rd', cwd: repos.sandbox }, 'me/sandbox development file:remote.origin.url=https://github.com/me/sandbox'],
    [{ line: 'gh rd acme/shop' }, 'acme/shop production argument:gh repo delete=acme/shop'],
    [{ line: 'gh relrm v1 -R acme/shop' }, 'acme/shop production flag:--repo=acme/shop'],
  ], target);

  it('names the host from GH_HOST as evidence, and never shows a token', async () => {
    const t = (await evaluate({ line: 'gh repo delete acme/shop --yes', env: { GH_HOST: 'ghe.acme.com', GH_TOKEN: 'ghp_SECRET' } })).target!;
    expect(t.evidence).toContainEqual({ source: 'env', key: 'GH_HOST', value: 'ghe.acme.com' });
    expect(JSON.stringify(t.evidence)).not.toContain('SECRET');
  });
});

describe('gh aliases from config.yml are expanded as gh does', () => {
  table((line) => line, [
    ['gh rd', 'gh.repo.delete'],
    ['gh rd acme/shop', 'gh.repo.delete'],
    ['gh relrm v1', 'gh.release.delete'],
    ['gh relrm v1 -R acme/shop', 'gh.release.delete'],
    ['gh co 12', ''],
    ['gh nuke acme/shop', ''],
    ['gh repo view', ''],
  ], async (line) => (await evaluate({ line })).findings.map((f) => f.rule).join(' '));

  it('shows what the alias expanded to', async () => {
    const ev = await evaluate({ line: 'gh relrm v1 -R acme/shop' });
    expect(ev.findings[0].text).toBe('gh release delete v1 --yes --cleanup-tag -R acme/shop (the alias "relrm" in ~/.config/gh/config.yml)');
  });
});
