// git's configuration as git reads it (src/tools/git-repo.ts), and the word splitting that terraform's
// TF_CLI_ARGS and git's aliases share (src/tools/shell-words.ts).

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome } from '../helpers/evaluate.js';
import { localBranches, locateRepo, readConfig } from '../../src/tools/git-repo.js';
import { splitWords } from '../../src/tools/shell-words.js';

describe('splitWords', () => {
  table((text) => JSON.stringify(text), [
    ['-destroy', ['-destroy']],
    ['  -destroy   -auto-approve ', ['-destroy', '-auto-approve']],
    ['push --force', ['push', '--force']],
    [`-var 'name=a b' "-var-file=x y.tfvars"`, ['-var', 'name=a b', '-var-file=x y.tfvars']],
    [`a\\ b "c\\"d" 'e\\f'`, ['a b', 'c"d', 'e\\f']],
    [`'' ""`, ['', '']],
    ['', []],
    [`"open`, undefined],
    [`trailing\\`, undefined],
  ], splitWords);
});

const home = join(emptyHome, 'git-config-home');
const repoDir = join(home, 'repo');

beforeAll(() => {
  mkdirSync(join(repoDir, '.git', 'refs', 'heads', 'feature'), { recursive: true });
  writeFileSync(join(repoDir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(repoDir, '.git', 'refs', 'heads', 'main'), 'x\n');
  writeFileSync(join(repoDir, '.git', 'refs', 'heads', 'feature', 'a'), 'x\n');
  writeFileSync(join(repoDir, '.git', 'packed-refs'), `${'a'.repeat(40)} refs/heads/release/1.0\n${'b'.repeat(40)} refs/tags/v1\n^${'c'.repeat(40)}\n`);
  writeFileSync(
    join(repoDir, '.git', 'config'),
    [
      '# a comment',
      '[Remote "Origin"]',
      '  URL = "git@host:a b.git" ; trailing comment',
      '[remote "origin"]',
      '  url = second-origin',
      '[alias]',
      '  pf = push \\',
      '    --force',
      '  q = "log --format=\\"%h #1\\""',
      '[branch.Main]',
      '  remote = upstream',
      '[push] default = current',
      '[include]',
      '  path = ../extra.gitconfig',
      '',
    ].join('\n'),
  );
  writeFileSync(join(repoDir, 'extra.gitconfig'), '[alias]\n\tpf = push --force-with-lease\n');
  writeFileSync(join(home, '.gitconfig'), '[alias]\n\tpf = push\n\tst = status\n[push]\n\tdefault = simple\n');
});

describe('readConfig', () => {
  const value = ([key, env]: [string, NodeJS.ProcessEnv?]) => {
    const repo = locateRepo(repoDir, undefined, { HOME: home });
    const config = readConfig(repo, ['alias.cli=push -f'], { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1', ...env });
    const entry = config.last(key);
    return entry ? `${entry.value} <- ${entry.from.file ?? entry.from.source}` : undefined;
  };
  table(([key, env]) => `${key}${env ? ` ${JSON.stringify(env)}` : ''}`, [
    [['remote.Origin.url'], 'git@host:a b.git <- ~/repo/.git/config'],
    [['remote.origin.url'], 'second-origin <- ~/repo/.git/config'],
    [['REMOTE.origin.URL'], 'second-origin <- ~/repo/.git/config'],
    [['alias.pf'], 'push --force-with-lease <- ~/repo/extra.gitconfig'],
    [['alias.q'], 'log --format="%h #1" <- ~/repo/.git/config'],
    [['alias.st'], 'status <- ~/.gitconfig'],
    [['alias.cli'], 'push -f <- flag'],
    [['branch.main.remote'], 'upstream <- ~/repo/.git/config'],
    [['push.default'], 'current <- ~/repo/.git/config'],
    [['push.default', { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'push.default', GIT_CONFIG_VALUE_0: 'matching' }], 'matching <- env'],
    [['push.default', { GIT_CONFIG_PARAMETERS: `'push.default'='nothing'` }], 'nothing <- env'],
    [['alias.st', { GIT_CONFIG_GLOBAL: '' }], undefined],
  ], value);
});

describe('localBranches', () => {
  table((dir) => dir.replace(home, '~'), [[repoDir, ['feature/a', 'main', 'release/1.0']]], (dir) => localBranches(locateRepo(dir, undefined, { HOME: home })!));
});
