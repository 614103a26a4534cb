// neonctl: which command lines the built-in rules gate, and which project and branch they reach (the
// primary branch counts as production).

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf, words } from '../helpers/evaluate.js';
import { evaluate } from '../../src/evaluate.js';

describe('neonctl command lines against the built-in rules', () => {
  table((line) => line, [
    ['neonctl projects delete shiny-wind-028834', 'neonctl.projects.delete'],
    ['neon project delete shiny-wind-028834', 'neonctl.projects.delete'],
    ['neonctl branches delete feature-x --project-id shiny-wind-028834', 'neonctl.branches.delete'],
    ['neon branch delete br-cool-sun-123456', 'neonctl.branches.delete'],
    ['neonctl branches reset dev --parent', 'neonctl.branches.reset'],
    ['neonctl branches restore main ^self@2024-01-01T00:00:00Z', 'neonctl.branches.reset'],
    ['neonctl databases delete shop --branch dev', 'neonctl.databases.delete'],
    ['neon db delete shop', 'neonctl.databases.delete'],
    ['neon database delete shop', 'neonctl.databases.delete'],
    ['neonctl roles delete app --branch main', 'neonctl.roles.delete'],
    ['neon role delete app', 'neonctl.roles.delete'],
    // never gated
    ['neonctl projects delete shiny-wind-028834 --help', ''],
    ['neonctl branches delete main -h', ''],
    ['neonctl --version', ''],
    ['neonctl projects list', ''],
    ['neonctl branches list --project-id shiny-wind-028834', ''],
    ['neonctl branches create --name feature-y', ''],
    ['neonctl connection-string main', ''],
    ['neonctl set-context --project-id shiny-wind-028834', ''],
  ], (line) => rulesOf(line));
});

const repo = join(emptyHome, 'neon-repo');

beforeAll(() => {
  mkdirSync(join(repo, 'src'), { recursive: true });
  writeFileSync(join(repo, 'package.json'), '{}');
  writeFileSync(join(repo, '.neon'), JSON.stringify({ projectId: 'live-lake-123456', branchId: 'br-cool-sun-123456' }));
});

interface Case {
  line: string;
  cwd?: string;
}
const target = async ({ line, cwd = emptyHome }: Case) => {
  const [tool, ...args] = words(line);
  const t = (await evaluate({ tool, args, cwd, env: { HOME: '/nonexistent-home' } }, { alwaysResolve: true, terminal: () => false })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('neonctl target: the branch, and the project', () => {
  table(({ line, cwd }) => `${line}${cwd ? ` (in ${cwd.split('/').pop()})` : ''}`, [
    [{ line: 'neonctl branches delete feature-dev-1 --project-id p' }, 'feature-dev-1 development'],
    [{ line: 'neonctl branches delete main --project-id p' }, 'main production'],
    [{ line: 'neonctl branches delete production --project-id p' }, 'production production'],
    [{ line: 'neonctl branches delete staging --project-id p' }, 'staging staging'],
    [{ line: 'neonctl branches delete feature-x --project-id p' }, 'feature-x unknown'],
    [{ line: 'neonctl branches delete br-cool-sun-123456 --project-id p' }, 'p unknown'],
    [{ line: 'neonctl databases delete shop --project-id p' }, 'p production'],
    [{ line: 'neonctl databases delete shop --branch dev' }, 'dev development'],
    [{ line: 'neonctl roles delete app --branch main' }, 'main production'],
    [{ line: 'neonctl projects delete dev-dawn-123456' }, 'dev-dawn-123456 production'],
    // the context file: its project id is never read by token ("live" is a random word here)
    [{ line: 'neonctl branches delete feature-x', cwd: join(repo, 'src') }, 'feature-x unknown'],
    [{ line: 'neonctl databases delete shop', cwd: join(repo, 'src') }, 'live-lake-123456 unknown'],
    [{ line: 'neonctl databases delete shop --branch sandbox', cwd: repo }, 'sandbox development'],
  ], target);

  it('names the context file and the branch it holds as evidence', async () => {
    const [tool, ...args] = words('neonctl databases delete shop');
    const ev = await evaluate({ tool, args, cwd: join(repo, 'src'), env: { HOME: '/nonexistent-home' } }, { alwaysResolve: true, terminal: () => false });
    expect(ev.target!.evidence).toContainEqual({ source: 'file', key: 'projectId', value: 'live-lake-123456', file: join(repo, '.neon') });
    expect(ev.target!.evidence).toContainEqual({ source: 'file', key: 'branchId', value: 'br-cool-sun-123456', file: join(repo, '.neon') });
  });
});
