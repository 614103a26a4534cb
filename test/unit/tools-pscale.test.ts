// pscale: which command lines the built-in rules gate, and which organization, database and branch
// they reach.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf, words } from '../helpers/evaluate.js';
import { evaluate } from '../../src/evaluate.js';

describe('pscale command lines against the built-in rules', () => {
  table((line) => line, [
    ['pscale database delete shop --force', 'pscale.database.delete'],
    ['pscale db rm shop', 'pscale.database.delete'],
    ['pscale branch delete shop feature-x --force', 'pscale.branch.delete'],
    ['pscale branch rm shop main --org acme', 'pscale.branch.delete'],
    ['pscale backup delete shop main 2024-01-01 --force', 'pscale.backup.delete'],
    ['pscale branch demote shop main', 'pscale.branch.demote'],
    ['pscale branch safe-migrations disable shop main', 'pscale.safe-migrations.disable'],
    // never gated
    ['pscale database delete shop --help', ''],
    ['pscale branch delete -h', ''],
    ['pscale help branch', ''],
    ['pscale database list', ''],
    ['pscale branch create shop feature-y', ''],
    ['pscale branch promote shop main', ''],
    ['pscale branch safe-migrations enable shop main', ''],
    ['pscale deploy-request create shop feature-x', ''],
    ['pscale backup create shop main', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'pscale-home');
const repo = join(emptyHome, 'pscale-repo');

beforeAll(() => {
  mkdirSync(join(home, '.config', 'planetscale'), { recursive: true });
  writeFileSync(join(home, '.config', 'planetscale', 'pscale.yml'), 'org: acme-prod\n');
  mkdirSync(join(repo, 'app'), { recursive: true });
  writeFileSync(join(repo, '.pscale.yml'), 'org: acme-sandbox\ndatabase: shop\nbranch: feature-x\n');
});

interface Case {
  line: string;
  cwd?: string;
}
const target = async ({ line, cwd = emptyHome }: Case) => {
  const [tool, ...args] = words(line);
  const t = (await evaluate({ tool, args, cwd, env: { HOME: home } }, { alwaysResolve: true, terminal: () => false })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('pscale target: organization, database and branch', () => {
  table(({ line, cwd }) => `${line}${cwd ? ` (in ${cwd.split('/').pop()})` : ''}`, [
    [{ line: 'pscale branch delete shop feature-x --org acme' }, 'shop/feature-x unknown'],
    [{ line: 'pscale branch delete shop dev-1 --org acme' }, 'shop/dev-1 development'],
    [{ line: 'pscale branch delete shop main --org acme-sandbox' }, 'shop/main production'],
    [{ line: 'pscale branch delete shop-dev feature-x --org acme' }, 'shop-dev/feature-x development'],
    [{ line: 'pscale database delete shop-dev --org acme-sandbox' }, 'shop-dev production'],
    // the user file's org (acme-prod), and the project file's over it
    [{ line: 'pscale branch delete shop dev-1' }, 'shop/dev-1 production'],
    [{ line: 'pscale branch delete shop dev-1', cwd: join(repo, 'app') }, 'shop/dev-1 development'],
    [{ line: 'pscale backup delete shop staging b1 --org acme' }, 'shop/staging staging'],
  ], target);
});
