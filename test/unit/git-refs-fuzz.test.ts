// Property tests for the readers behind git.ref.rewind, git's own scripts and rm of what git keeps: no
// input crashes into an allow. A rewind of main keeps its finding whatever harmless options surround
// it; random words given to the commands that set branches, to rm and to the script reader never throw;
// and the system config files are the ones git reads, by the same variables.

import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateLine } from '../helpers/evaluate.js';
import { gitIdentity } from '../helpers/real-git.js';
import { random } from '../helpers/random.js';
import { systemPath } from '../helpers/sandbox.js';
import { which } from '../helpers/system.js';
import { table } from '../helpers/cases.js';
import { gitRemovals } from '../../src/shell/git-rm.js';
import { gitScriptOf } from '../../src/shell/git-scripts.js';
import { systemConfigFiles } from '../../src/tools/git-repo.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-refs-fuzz-')));
const shop = join(root, 'shop');
const env = { HOME: root, PATH: systemPath, ...gitIdentity };
const git = (...args: string[]) => execFileSync(which('git')!, args, { cwd: shop, env, encoding: 'utf8' }).trim();

beforeAll(() => {
  mkdirSync(shop, { recursive: true });
  git('init', '-q', '-b', 'main');
  for (const n of ['one', 'two', 'three']) git('commit', '-q', '--allow-empty', '-m', n);
  git('branch', 'feature/x', 'main~1');
});

/** `pick(words)` with a seeded source. */
function picker(seed: number) {
  const next = random(seed);
  return <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
}

describe.skipIf(!which('git'))('a rewind of main stays a rewind, whatever harmless options surround it', () => {
  const forms: { base: string[]; noise: string[][] }[] = [
    { base: ['update-ref', 'refs/heads/main', 'main~1'], noise: [['-m', 'msg'], ['--create-reflog'], ['-m', 'refs/heads/feature/x'], ['-m', '-d']] },
    { base: ['branch', '-f', 'main', 'main~2'], noise: [['-q'], ['--no-track'], ['--create-reflog'], ['--force']] },
    { base: ['reset', '--soft', 'HEAD~1'], noise: [['-q'], ['--no-refresh'], ['--quiet'], ['--soft']] },
    { base: ['checkout', '-B', 'main', 'main~1'], noise: [['-q'], ['--no-track'], ['--quiet'], ['--no-guess']] },
  ];
  for (let seed = 1; seed <= 24; seed++) {
    it(`seed ${seed}`, async () => {
      const pick = picker(seed);
      const form = pick(forms);
      const [command, ...rest] = form.base;
      const noise = Array.from({ length: 1 + Math.floor(random(seed * 7)() * 3) }, () => pick(form.noise)).flat();
      // Options go between the command and its operands, as parse-options reads them anywhere before `--`.
      const line = `git ${command} ${noise.map((w) => `'${w}'`).join(' ')} ${rest.join(' ')}`;
      const evaluation = await evaluateLine(line, env, shop);
      expect(evaluation.findings.map((f) => f.rule), line).toContain('git.ref.rewind');
      expect(evaluation.target?.class, line).toBe('production');
    });
  }
});

describe.skipIf(!which('git'))('random words to the commands that set branches never throw', () => {
  const vocabulary = ['-f', '-d', '-m', '--stdin', '--no-deref', '-B', '-C', '-M', '--force', '--soft', '--', 'HEAD', 'HEAD~1', 'main', 'refs/heads/main', 'refs/heads/', 'feature/x', '@', '-', '', '0000000000000000000000000000000000000000', 'main^{tree}', ':/three', '--end-of-options', '$(x)', 'a b', '-q'];
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}`, async () => {
      const pick = picker(seed * 31);
      const command = pick(['update-ref', 'symbolic-ref', 'branch', 'reset', 'checkout', 'switch', 'worktree']);
      const words = Array.from({ length: 1 + Math.floor(random(seed)() * 5) }, () => pick(vocabulary));
      const evaluation = await evaluateLine(`git ${command} ${words.map((w) => `'${w.replace(/'/g, '')}'`).join(' ')}`, env, shop);
      expect(Array.isArray(evaluation.findings)).toBe(true);
    });
  }
});

describe('rm and the script reader take any words', () => {
  it('gitRemovals never throws, and names only git commands', () => {
    const vocabulary = ['rm', '-rf', '-r', '-R', '--recursive', '--rec', '-f', '--', '-', '.', '..', '/', shop, join(shop, '.git'), 'shop', '', '\u{F0000}x', '-i', '*'];
    for (let seed = 1; seed <= 400; seed++) {
      const pick = picker(seed);
      const argv = ['rm', ...Array.from({ length: Math.floor(random(seed)() * 5) }, () => pick(vocabulary))];
      const found = gitRemovals(argv, root);
      for (const command of found ?? []) expect(command[0]).toBe('git');
    }
  });

  it("gitScriptOf never throws, and knows git's own filter-branch only by its exact bytes", () => {
    const lookup = (name: string) => (name === 'PATH' ? systemPath : undefined);
    const execPath = which('git') ? execFileSync(which('git')!, ['--exec-path'], { encoding: 'utf8' }).trim() : undefined;
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const text = `#!/bin/sh\n${Array.from({ length: Math.floor(next() * 40) }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join('')}`;
      expect(gitScriptOf(text, lookup)).toBeUndefined();
    }
    if (execPath) {
      const real = readFileSync(join(execPath, 'git-filter-branch'), 'utf8');
      expect(gitScriptOf(real, lookup)).toBe('filter-branch');
      expect(gitScriptOf(`${real} `, lookup)).toBeUndefined();
      expect(gitScriptOf(real.replace('# if you run', '# If you run'), lookup)).toBeUndefined();
    }
  });
});

describe('the system config git reads', () => {
  const file = join(root, 'system.gitconfig');
  beforeAll(() => writeFileSync(file, ''));
  table((e: Record<string, string>) => JSON.stringify(e), [
    [{ GIT_CONFIG_SYSTEM: file }, [file]],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: '1' }, []],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: 'true' }, []],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: 'Yes' }, []],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: '2' }, []],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: '0' }, [file]],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: 'false' }, [file]],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: 'off' }, [file]],
    [{ GIT_CONFIG_SYSTEM: file, GIT_CONFIG_NOSYSTEM: '' }, [file]],
    [{ GIT_CONFIG_SYSTEM: '' }, []],
    [{ PATH: '/nowhere' }, ['/etc/gitconfig']],
  ], (e) => systemConfigFiles(e));
});
