// git: which invocations the built-in rules gate, and which branches (so which class) each one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('git commands against the built-in rules', () => {
  table((line) => line, [
    ['git push --force origin main', 'git.push.force'],
    ['git push -f origin main', 'git.push.force'],
    ['git push origin main -f', 'git.push.force'],
    ['git push --forc origin main', ''],
    ['git push --force', 'git.push.force'],
    ['git push -uf origin feature', 'git.push.force'],
    ['git push --force-with-lease origin main', 'git.push.force-with-lease'],
    ['git push --force-with-lease=main:4b1d3c0 origin main', 'git.push.force-with-lease'],
    ['git push --force-w origin main', 'git.push.force-with-lease'],
    ['git push --force-with-lease --force-if-includes origin main', 'git.push.force-with-lease git.push.force-if-includes'],
    ['git push origin +main', 'git.push.force-refspec'],
    ['git push origin +HEAD:refs/heads/main', 'git.push.force-refspec'],
    ['git push origin main +feature', 'git.push.force-refspec'],
    ['git push origin :old-branch', 'git.push.delete-refspec'],
    ['git push origin -- :old-branch', 'git.push.delete-refspec'],
    ['git push --delete origin old-branch', 'git.push.delete'],
    ['git push -d origin old-branch', 'git.push.delete'],
    ['git push origin --del old-branch', 'git.push.delete'],
    ['git push --mirror backup', 'git.push.mirror'],
    ['git push --prune origin refs/heads/*:refs/heads/*', 'git.push.prune'],
    // History dropped now, not after git's weeks of grace; update-ref -d is branch -D without checks.
    ['git reflog expire --expire=now --all', 'git.history.drop-now'],
    ['git reflog expire --expire-unreachable now --all', 'git.history.drop-now'],
    ['git reflog expire --expire=all refs/heads/main', 'git.history.drop-now'],
    ['git gc --prune=now', 'git.history.drop-now'],
    ['git gc --aggressive --prune=all', 'git.history.drop-now'],
    ['git prune', 'git.history.drop-now'],
    ['git prune --expire=now', 'git.history.drop-now'],
    ['git update-ref -d refs/heads/main', 'git.update-ref.delete'],
    // The same by configuration: git takes it where the option is not given.
    ['git -c gc.reflogExpire=now -c gc.reflogExpireUnreachable=now reflog expire --all', 'git.history.drop-now'],
    ['git -c gc.pruneExpire=now gc', 'git.history.drop-now'],
    ['git -c gc.refs/heads/*.reflogExpire=all gc', 'git.history.drop-now'],
    ['git -c gc.reflogExpire=90.days reflog expire --all', ''],
    ['git -c gc.pruneExpire=now gc --prune=2.weeks.ago', ''],
    ['git reflog expire --all', ''],
    ['git reflog expire --expire=90.days.ago --all', ''],
    ['git gc', ''],
    ['git gc --prune=2.weeks.ago', ''],
    ['git prune --expire 2.weeks.ago', ''],
    ['git update-ref refs/heads/x HEAD', ''],
    ['git reflog show', ''],
    // An expiry under a week counts as now: the way back from today's mistake goes with it.
    ['git reflog expire --expire=1.minute.ago --all', 'git.history.drop-now'],
    ['git reflog expire --expire-unreachable=2.seconds.ago --all', 'git.history.drop-now'],
    ['git reflog expire --expire="6 days ago" --all', 'git.history.drop-now'],
    ['git gc --prune=2.seconds.ago', 'git.history.drop-now'],
    ['git gc --prune=yesterday', 'git.history.drop-now'],
    ['git prune --expire=1.hour.ago', 'git.history.drop-now'],
    ['git prune --expire 3.days.1.hour.ago', 'git.history.drop-now'],
    ['git reflog expire --expire=tomorrow --all', 'git.history.drop-now'],
    ['git -c gc.pruneExpire=5.minutes.ago gc', 'git.history.drop-now'],
    ['git -c gc.reflogExpire=1.day.ago reflog expire --all', 'git.history.drop-now'],
    ['git reflog delete main@{1}', 'git.history.drop-now'],
    ['git reflog delete --rewrite --updateref refs/heads/main@{0} main@{1}', 'git.history.drop-now'],
    ['git reflog delete --dry-run main@{1}', ''],
    ['git reflog delete --updateref --rewrite refs/stash@{0}', ''],
    ['git reflog delete stash@{1}', ''],
    ['git reflog expire --expire=1.week.ago --all', ''],
    ['git reflog expire --expire=2.weeks.ago --all', ''],
    ['git gc --prune=3.months.ago', ''],
    ['git prune --expire=never', ''],
    ['git reflog expire --expire=2001-01-01 --all', ''],
    ['git -c gc.pruneExpire=never gc', ''],
    // filter-branch and filter-repo rewrite branches' history (in the empty HOME: no repository, unknown).
    ['git filter-branch --tree-filter "rm -f secrets.env" -- --all', 'git.history.filter-branch'],
    ['git filter-branch -f --index-filter true HEAD', 'git.history.filter-branch'],
    ['git filter-repo --path secrets.env --invert-paths', 'git.history.filter-repo'],
    ['git filter-repo --force --refs main', 'git.history.filter-repo'],
    ['git filter-repo --analyze', ''],
    ['git filter-repo --dry-run --path x', ''],
    ['git filter-branch -h', ''],
    // worktree remove --force deletes a dirty worktree.
    ['git worktree remove --force ../hotfix', 'git.worktree.remove-force'],
    ['git worktree remove -f -f ../hotfix', 'git.worktree.remove-force'],
    ['git worktree remove ../hotfix --force', 'git.worktree.remove-force'],
    ['git worktree remove ../hotfix', ''],
    ['git worktree list', ''],
    ['git worktree add -f ../x main', ''],
    ['git worktree prune --expire=now', ''],
    // send-pack, push's plumbing, is read as a push.
    ['git send-pack --force ../remote.git main', 'git.push.force'],
    ['git send-pack ../remote.git +main', 'git.push.force-refspec'],
    ['git send-pack --all --force ../remote.git', 'git.push.force'],
    ['git send-pack --stdin --force ../remote.git', 'git.push.force'],
    ['git send-pack ../remote.git main', ''],
    ['git send-pack --dry-run --force ../remote.git main', ''],
    ['git -C ../shop push --force', 'git.push.force'],
    ['git -c core.pager=cat --no-pager -C /tmp push -f origin main', 'git.push.force'],
    ['git --git-dir=/tmp/x/.git --work-tree /tmp/x push -f', 'git.push.force'],
    ["git -c alias.pf='push --force' pf origin main", 'git.push.force'],
    ["git -c alias.pf='push --force' -c alias.yolo=pf yolo", 'git.push.force'],
    ["git -c alias.Pf='--no-pager push -f' pf", 'git.push.force'],
    ['git reset --hard', 'git.reset.hard'],
    ['git reset --hard origin/main', 'git.reset.hard'],
    ['git reset --har HEAD~3', 'git.reset.hard'],
    ['git clean -fdx', 'git.clean.force'],
    ['git clean -xdf', 'git.clean.force'],
    ['git clean -f -d -x', 'git.clean.force'],
    ['git clean --force -X', 'git.clean.force'],
    ['git checkout -- .', 'git.checkout.discard'],
    ['git checkout .', 'git.checkout.discard'],
    ['git checkout HEAD -- .', 'git.checkout.discard'],
    ['git checkout -- :/', 'git.checkout.discard'],
    ['git checkout -f', 'git.checkout.force'],
    ['git checkout --force main', 'git.checkout.force'],
    ['git restore .', 'git.restore.discard'],
    ['git restore -- .', 'git.restore.discard'],
    ['git restore --source=HEAD~2 .', 'git.restore.discard'],
    ['git restore -s HEAD~2 -- .', 'git.restore.discard'],
    ['git restore --staged --worktree .', 'git.restore.discard-staged'],
    ['git restore -SW .', 'git.restore.discard-staged'],
    ['git switch -f main', 'git.switch.discard'],
    ['git switch --discard-changes main', 'git.switch.discard'],
    ['git switch --force main', 'git.switch.discard'],
    ['git branch -D feature/login', 'git.branch.force-delete'],
    ['git branch -d -f feature/login', 'git.branch.force-delete'],
    ['git branch --delete --force feature/login', 'git.branch.force-delete'],
    ['git branch -df feature/login', 'git.branch.force-delete'],
    // never gated
    ['git push origin main', ''],
    ['git push', ''],
    ['git push -u origin feature', ''],
    ['git push --force --dry-run origin main', ''],
    ['git push -nf origin main', ''],
    ['git push --force --no-force origin main', ''],
    ['git push --force-with-lease --no-force-with-lease origin main', ''],
    ['git push --force --help', ''],
    ['git push -fh origin main', ''],
    ['git help push', ''],
    ['git --help push', ''],
    ['git -h', ''],
    ['git --version', ''],
    ['git -v push --force', ''],
    ['git --frobnicate push --force', ''],
    ["git -c alias.nuke='!git push --force' nuke origin main", 'git.push.force'],
    ["git -c alias.push='status' push", ''],
    ['git status', ''],
    ['git log --oneline', ''],
    ['git diff HEAD', ''],
    ['git fetch --prune', ''],
    ['git pull --force', ''],
    ['git checkout main', ''],
    ['git checkout -b feature/new', ''],
    ['git checkout -- src/app.ts', ''],
    ['git restore --staged .', ''],
    ['git restore -S .', ''],
    ['git restore src/app.ts', ''],
    ['git reset --soft HEAD~1', ''],
    ['git reset HEAD src/app.ts', ''],
    ['git reset --hard -h', ''],
    ['git clean -n', ''],
    ['git clean -fdn', ''],
    ['git clean -f --dry-run', ''],
    ['git clean -d', ''],
    ['git switch main', ''],
    ['git switch -c feature/new', ''],
    ['git branch -d feature/login', ''],
    ['git branch -D -h', ''],
    ['git stash list', ''],
  ], (line) => rulesOf(line));
});

// A HOME with repositories in it, written by hand so that every file git would read is in the test.
const home = join(emptyHome, 'git-home');
const shop = join(home, 'code', 'shop');
const worktree = join(home, 'code', 'shop-hotfix');
const detached = join(home, 'code', 'detached');
const upstream = join(home, 'code', 'upstream');
const outside = join(home, 'notes');
const sha = '4b1d3c0e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c';

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeAll(() => {
  const git = join(shop, '.git');
  write(join(git, 'HEAD'), 'ref: refs/heads/feature/login\n');
  for (const branch of ['main', 'feature/login', 'feature/search']) write(join(git, 'refs', 'heads', branch), `${sha}\n`);
  write(join(git, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${sha} refs/heads/release/1.0\n${sha} refs/tags/v1.0\n`);
  mkdirSync(join(git, 'objects'), { recursive: true });
  write(
    join(git, 'config'),
    [
      '[core]',
      '\tbare = false',
      '[remote "origin"]',
      '\turl = https://ci-bot:ghp_SECRET@github.com/acme/shop.git',
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      '[remote "backup"]',
      '\turl = /srv/git/shop-backup.git',
      '\tmirror = true',
      '[remote "deploy"]',
      '\turl = git@deploy.example:shop.git',
      '\tpush = +refs/heads/main:refs/heads/production',
      '[branch "feature/login"]',
      '\tremote = origin',
      '\tmerge = refs/heads/feature/login',
      '[branch "main"]',
      '\tpushRemote = deploy',
      '[alias]',
      '\tpf = push --force  ; forced',
      '\tsync = "!git fetch && git push --force"',
      '',
    ].join('\n'),
  );
  // A linked worktree of shop, on main.
  write(join(worktree, '.git'), `gitdir: ${join(git, 'worktrees', 'hotfix')}\n`);
  write(join(git, 'worktrees', 'hotfix', 'HEAD'), 'ref: refs/heads/main\n');
  write(join(git, 'worktrees', 'hotfix', 'commondir'), '../..\n');
  write(join(git, 'worktrees', 'hotfix', 'gitdir'), `${join(worktree, '.git')}\n`);
  // A detached HEAD.
  write(join(detached, '.git', 'HEAD'), `${sha}\n`);
  // push.default=upstream: feature pushes to main.
  write(join(upstream, '.git', 'HEAD'), 'ref: refs/heads/feature\n');
  write(join(upstream, '.git', 'config'), '[push]\n\tdefault = upstream\n[branch "feature"]\n\tremote = origin\n\tmerge = refs/heads/main\n');
  mkdirSync(outside, { recursive: true });
});

interface Case {
  line: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}
const where = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line} (in ${c.cwd.replace(home, '~')})`;
const evaluate = (c: Case) => evaluateLine(c.line, { HOME: home, ...c.env }, c.cwd);
/** "<name> <class> | <source:key of each piece of evidence>" */
const target = async (c: Case) => {
  const t = (await evaluate(c)).target!;
  return `${t.name ?? '-'} ${t.class} | ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('git push targets: the branches a push rewrites or deletes', () => {
  table(where, [
    [{ line: 'git push --force origin main', cwd: shop }, 'main production | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push --force origin feature/login', cwd: shop }, 'feature/login development | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push origin +main', cwd: shop }, 'main production | argument:refspec argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push origin feature/login +HEAD:release/2.0', cwd: shop }, 'release/2.0 production | argument:refspec argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push origin main +feature/login', cwd: shop }, 'feature/login development | argument:refspec argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push origin +HEAD', cwd: shop }, 'feature/login development | argument:refspec file:HEAD argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push origin :main', cwd: shop }, 'main production | argument:refspec argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push -d origin feature/search main', cwd: shop }, 'origin production | argument:refspec argument:refspec flag:--delete argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push -f', cwd: shop }, 'feature/login development | default:push.default file:HEAD flag:--force file:branch.feature/login.remote file:remote.origin.url default:repository'],
    [{ line: 'git push -f', cwd: worktree }, 'production production | file:remote.deploy.push flag:--force file:branch.main.pushremote file:remote.deploy.url file:gitdir'],
    [{ line: 'git push', cwd: worktree }, 'production production | file:remote.deploy.push file:branch.main.pushremote file:remote.deploy.url file:gitdir'],
    [{ line: 'git push -f', cwd: upstream }, 'main production | file:push.default file:branch.feature.merge file:HEAD flag:--force file:branch.feature.remote default:repository'],
    [{ line: 'git push --force --all origin', cwd: shop }, 'origin production | flag:--all flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push --force origin refs/heads/feature/*:refs/heads/feature/*', cwd: shop }, 'origin development | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push --force origin refs/heads/*:refs/heads/*', cwd: shop }, 'origin production | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git push --mirror backup', cwd: shop }, 'backup production | flag:--mirror argument:repository file:remote.backup.url default:repository'],
    [{ line: 'git push backup', cwd: shop }, 'backup production | file:remote.backup.mirror argument:repository file:remote.backup.url default:repository'],
    [{ line: 'git push --prune origin refs/heads/*:refs/heads/*', cwd: shop }, 'origin production | flag:--prune argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git pf origin main', cwd: shop }, 'main production | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: 'git -C code/shop push --force origin main', cwd: home }, 'main production | argument:refspec flag:--force argument:repository file:remote.origin.url default:repository'],
    [{ line: `git --git-dir=${join(shop, '.git')} push -f`, cwd: outside }, 'feature/login development | default:push.default file:HEAD flag:--force file:branch.feature/login.remote file:remote.origin.url flag:--git-dir'],
    [{ line: 'git push -f', cwd: outside, env: { GIT_DIR: join(worktree, '..', 'shop', '.git') } }, 'feature/login development | default:push.default file:HEAD flag:--force file:branch.feature/login.remote file:remote.origin.url env:GIT_DIR'],
    [{ line: 'git push -f', cwd: shop, env: { GIT_CONFIG_PARAMETERS: "'push.default'='nothing'" } }, '- unknown | flag:--force file:branch.feature/login.remote file:remote.origin.url default:repository'],
    [{ line: 'git push -f', cwd: detached }, '- unknown | flag:--force default:remote default:repository'],
    [{ line: 'git push -f origin main', cwd: outside }, '- unknown | default:repository'],
  ], target);
});

describe('git local commands target the current branch; branch -D the branches it names', () => {
  table(where, [
    [{ line: 'git reset --hard', cwd: shop }, 'feature/login development | file:HEAD default:repository'],
    [{ line: 'git reset --hard', cwd: join(shop, 'src', 'deep').replace('/src/deep', '') }, 'feature/login development | file:HEAD default:repository'],
    [{ line: 'git clean -fdx', cwd: worktree }, 'main production | file:HEAD file:gitdir'],
    [{ line: 'git -C ../shop-hotfix checkout -- .', cwd: shop }, 'main production | file:HEAD file:gitdir'],
    [{ line: 'git reset --hard', cwd: detached }, '- unknown | file:HEAD default:repository'],
    [{ line: 'git branch -D main feature/search', cwd: shop }, 'main, feature/search production | argument:branch --delete default:repository'],
    [{ line: 'git branch -D feature/search', cwd: worktree }, 'feature/search development | argument:branch --delete file:gitdir'],
    // worktree remove --force: the branch checked out in the worktree it deletes, found by path or suffix.
    [{ line: 'git worktree remove --force ../shop-hotfix', cwd: shop }, 'main production | argument:worktree remove file:HEAD default:repository'],
    [{ line: 'git worktree remove -f -f shop-hotfix', cwd: shop }, 'main production | argument:worktree remove file:HEAD default:repository'],
    [{ line: 'git worktree remove --force ../elsewhere', cwd: shop }, '- unknown | argument:worktree remove default:repository'],
    // History rewrites: the branches named, every one for --all and filter-repo, else the current one.
    [{ line: 'git filter-branch --tree-filter true -- --all', cwd: shop }, 'feature/login, feature/search, main, release/1.0 production | argument:filter-branch default:repository'],
    [{ line: 'git filter-branch --msg-filter cat feature/search', cwd: shop }, 'feature/search development | argument:filter-branch default:repository'],
    [{ line: 'git filter-branch --msg-filter cat main..feature/search', cwd: shop }, 'feature/search development | argument:filter-branch default:repository'],
    [{ line: 'git filter-branch -f --env-filter true', cwd: shop }, 'feature/login development | argument:filter-branch file:HEAD default:repository'],
    [{ line: 'git filter-branch -f --env-filter true', cwd: worktree }, 'main production | argument:filter-branch file:HEAD file:gitdir'],
    [{ line: 'git filter-repo --path secrets.env --invert-paths', cwd: shop }, 'feature/login, feature/search, main, release/1.0 production | argument:filter-repo default:repository'],
    [{ line: 'git filter-repo --refs feature/search --path x', cwd: shop }, 'feature/search development | argument:filter-repo default:repository'],
    // reflog delete reaches the branches whose entries it names; HEAD's is the current branch's.
    [{ line: 'git reflog delete feature/search@{1}', cwd: shop }, 'feature/search development | argument:reflog default:repository'],
    [{ line: 'git reflog delete HEAD@{1} main@{2}', cwd: shop }, 'feature/login, main production | argument:reflog default:repository'],
    // An expiry under a week reaches every branch.
    [{ line: 'git reflog expire --expire=1.minute.ago --all', cwd: shop }, 'feature/login, feature/search, main, release/1.0 production | argument:reflog default:repository'],
  ], target);
});

describe('git evidence values name the remote, without credentials', () => {
  const values = async (c: Case) => (await evaluate(c)).target!.evidence.map((e) => `${e.key}=${e.value}${e.file ? ` @${e.file}` : ''}`);
  table(where, [
    [
      { line: 'git push --force origin main', cwd: shop },
      ['refspec=main: force-updates branch main', '--force=applies to every ref pushed', 'repository=origin', 'remote.origin.url=https://github.com/acme/shop.git @~/code/shop/.git/config', 'repository=~/code/shop/.git'],
    ],
    [
      { line: 'git push -f', cwd: worktree },
      [
        'remote.deploy.push=+refs/heads/main:refs/heads/production: force-updates branch production @~/code/shop/.git/config',
        '--force=applies to every ref pushed',
        'branch.main.pushremote=deploy @~/code/shop/.git/config',
        'remote.deploy.url=git@deploy.example:shop.git @~/code/shop/.git/config',
        'gitdir=~/code/shop/.git/worktrees/hotfix @~/code/shop-hotfix/.git',
      ],
    ],
    [
      { line: 'git push --force https://ci:ghp_TOKEN@github.com/acme/shop.git main feature/login', cwd: shop },
      [
        'refspec=main: force-updates branch main',
        'refspec=feature/login: force-updates branch feature/login',
        '--force=applies to every ref pushed',
        'repository=https://github.com/acme/shop.git',
        'repository=~/code/shop/.git',
      ],
    ],
    [
      { line: 'git push --force --all origin', cwd: shop },
      [
        '--all=force-updates every local branch: branch feature/login, branch feature/search, branch main, branch release/1.0',
        '--force=applies to every ref pushed',
        'repository=origin',
        'remote.origin.url=https://github.com/acme/shop.git @~/code/shop/.git/config',
        'repository=~/code/shop/.git',
      ],
    ],
    [
      { line: 'git reset --hard', cwd: shop },
      ['HEAD=ref: refs/heads/feature/login @~/code/shop/.git/HEAD', 'repository=~/code/shop/.git'],
    ],
  ], values);
});

describe('git commands as the rules see them (the text shown for each part)', () => {
  const texts = async (c: Case) => (await evaluate(c)).findings.map((f) => `${f.rule}${f.text ? `: ${f.text}` : ''}`);
  table(where, [
    [{ line: 'git push origin +main +feature/login', cwd: shop }, ['git.push.force-refspec: git push origin +main', 'git.push.force-refspec: git push origin +feature/login']],
    [{ line: 'git push', cwd: worktree }, ['git.push.force-refspec: git push deploy +refs/heads/main:refs/heads/production (remote.deploy.push in ~/code/shop/.git/config)']],
    [{ line: 'git pf origin main', cwd: shop }, ['git.push.force: git push --force origin main (alias.pf = push --force)']],
    [{ line: 'git push --force https://x:ghp_TOKEN@github.com/acme/shop.git main feature/login', cwd: shop }, ['git.push.force: git push https://github.com/acme/shop.git main', 'git.push.force: git push https://github.com/acme/shop.git feature/login']],
    [{ line: 'git sync', cwd: shop }, ['git.push.force: git alias sync > git push --force']],
  ], texts);
});
