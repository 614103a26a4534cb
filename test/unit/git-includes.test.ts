// git configuration reached through `[include]` and `[includeIf]`: command-valued keys (pager, ssh
// command, filters…) the line analysis judges with every git command, and aliases the git tool expands.
// include.path is relative to the including file; an includeIf whose gitdir/onbranch condition may hold
// is read, one that cannot is not.

import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe } from 'vitest';
import { check } from '../../src/cli/check.js';
import { table } from '../helpers/cases.js';
import { evaluateLine } from '../helpers/evaluate.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-includes-')));
const shop = join(home, 'code', 'shop');
const blog = join(home, 'code', 'blog');
const notes = join(home, 'notes');
const docs = join(home, 'docs');
const sha = '4b1d3c0e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c';
const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

// shop, on main: its config includes a file beside it, which includes one further up (relative to
// itself); ~/.gitconfig includes a file for repositories under ~/code/ and another for ~/elsewhere/.
write(join(shop, '.git', 'HEAD'), 'ref: refs/heads/main\n');
write(join(shop, '.git', 'refs', 'heads', 'main'), `${sha}\n`);
write(join(shop, '.git', 'config'), '[core]\n\tbare = false\n[include]\n\tpath = team.inc\n');
write(join(shop, '.git', 'team.inc'), '[include]\n\tpath = ../../shared/tools.inc\n[alias]\n\tship = push --force origin main\n');
write(join(home, 'code', 'shared', 'tools.inc'), '[core]\n\tpager = dropdb -h db.prod.example.com shop\n');
// blog, on feature/x: only what ~/.gitconfig includes reaches it.
write(join(blog, '.git', 'HEAD'), 'ref: refs/heads/feature/x\n');
write(join(blog, '.git', 'refs', 'heads', 'feature', 'x'), `${sha}\n`);
write(join(blog, '.git', 'config'), '[core]\n\tbare = false\n');
write(
  join(home, '.gitconfig'),
  [
    '[includeIf "gitdir:~/code/"]',
    '\tpath = .config/git/code.inc',
    '[includeIf "gitdir:~/elsewhere/"]',
    '\tpath = .config/git/elsewhere.inc',
    '[includeIf "onbranch:feature/**"]',
    '\tpath = .config/git/features.inc',
    '[includeIf "hasconfig:remote.*.url:https://github.com/acme/**"]',
    '\tpath = .config/git/acme.inc',
    '',
  ].join('\n'),
);
write(join(home, '.config', 'git', 'code.inc'), '[alias]\n\tnuke = push --force\n');
write(join(home, '.config', 'git', 'elsewhere.inc'), '[alias]\n\tfar = push --force\n');
write(join(home, '.config', 'git', 'features.inc'), '[alias]\n\tfx = reset --hard\n[core]\n\tsshCommand = railway down\n');
// docs, on main, outside ~/code: nothing is included for it.
write(join(docs, '.git', 'HEAD'), 'ref: refs/heads/main\n');
write(join(docs, '.git', 'config'), '[core]\n\tbare = false\n');
write(join(home, '.config', 'git', 'acme.inc'), '[alias]\n\tacme = push --force\n');
mkdirSync(notes, { recursive: true });

const env = { HOME: home, PATH: '/usr/bin:/bin' };

describe('aliases from included files, as the git shim expands them', () => {
  const rules = async ([line, cwd]: [string, string]) => (await evaluateLine(line, env, cwd)).findings.map((f) => f.rule).join(' ');
  table(([line, cwd]) => `${line} (in ${cwd.replace(home, '~')})`, [
    [['git ship', shop], 'git.push.force'], // [include] path beside the repository's config
    [['git nuke origin main', shop], 'git.push.force'], // includeIf gitdir:~/code/ from ~/.gitconfig
    [['git nuke origin main', blog], 'git.push.force'],
    [['git fx', blog], 'git.reset.hard'], // includeIf onbranch:feature/** on feature/x
    [['git fx', shop], ''], // on main: not included, so no such alias
    [['git far origin main', shop], ''], // gitdir:~/elsewhere/ cannot hold here
    [['git acme origin main', shop], 'git.push.force'], // hasconfig: may hold, so read
    [['git nuke origin main', notes], ''], // no repository: gitdir never holds
    [['git ship', blog], ''], // shop's own include does not reach blog
  ], rules);
});

describe('command-valued keys from included files, judged with every git command (check --command as an agent)', () => {
  const agent = async ([line, cwd]: [string, string]) => {
    const report = await check({ line, cwd, env, actor: 'agent' });
    return `${report.decision}: ${report.commands.flatMap((c) => c.findings.map((f) => `${f.rule}@${c.environment?.class}`)).join(' ')}`;
  };
  table(([line, cwd]) => `${line} (in ${cwd.replace(home, '~')})`, [
    // shop's config > team.inc > ../../shared/tools.inc: core.pager runs dropdb on a production host.
    [['git log', shop], 'deny: dropdb@production'],
    [['git -C code/shop log --oneline', home], 'deny: dropdb@production'],
    // ~/.gitconfig's includeIf onbranch:feature/**: core.sshCommand runs railway down (environment unknown).
    [['git fetch', blog], 'deny: railway.down@unknown'],
    [['git fetch', docs], 'allow: '],
    // The refused agent writes the include itself: the file it names is judged where it is written.
    [[`printf '[core]\\n\\tpager = dropdb -h db.prod.example.com shop\\n' > .git/extra.inc && git config include.path extra.inc`, docs], 'deny: dropdb@production'],
    [[`printf '[alias]\\n\\tz = !railway down\\n' > /tmp/z.inc; git config --global includeIf.gitdir:~/.path /tmp/z.inc`, notes], 'deny: railway.down@unknown'],
    [[`printf '[core]\\n\\tpager = less -R\\n' > .git/extra.inc && git config include.path extra.inc`, docs], 'allow: '],
    [['git status', notes], 'allow: '],
    // A worktree's own config file, and what it includes.
    [[`printf '[include]\n\tpath = ../w.inc\n' > .git/config.worktree && printf '[core]\n\tpager = dropdb -h db.prod.example.com shop\n' > w.inc && git log`, docs], 'deny: dropdb@production'],
  ], agent);
});
