// A line's commands share the rules they are judged by: `check` (and the hook) load them once per
// directory and environment in a line, not once per covered command (~2 ms each; ~65 times over for a
// computed command word). A command in another directory (a `cd`, a project file there) or with another
// environment (`XDG_CONFIG_HOME=… cmd`) still gets its own.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkWithEvaluations } from '../../src/cli/check.js';
import { loadConfig } from '../../src/rules/load.js';
import { emptyHome } from '../helpers/evaluate.js';

vi.mock('../../src/rules/load.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/rules/load.js')>();
  return { ...actual, loadConfig: vi.fn(actual.loadConfig) };
});

const root = join(emptyHome, 'rules-once');
const loose = join(root, 'loose');
const strict = join(root, 'strict');
const otherHome = join(root, 'other-config');
mkdirSync(loose, { recursive: true });
mkdirSync(strict, { recursive: true });
// Development is allowed by default; this project asks a human for it, which an agent cannot be.
writeFileSync(join(strict, '.chaperone.yaml'), 'policy:\n  development: confirm\n');
mkdirSync(join(otherHome, 'chaperone'), { recursive: true });
writeFileSync(join(otherHome, 'chaperone', 'rules.yaml'), 'policy:\n  development: confirm\n');

const env = { HOME: emptyHome, XDG_CONFIG_HOME: join(emptyHome, '.config'), PATH: '/usr/bin:/bin' };
const drop = 'railway variable delete DATABASE_URL --environment development';
const check = (line: string, cwd = loose) => checkWithEvaluations({ line, actor: 'agent', cwd, env, decisionOnly: true });
const decisions = async (line: string, cwd = loose) => (await check(line, cwd)).report.commands.map((c) => `${c.tool} ${c.decision}`);

beforeEach(() => {
  vi.mocked(loadConfig).mockClear();
});

describe('rules loaded once per directory and environment of a line', () => {
  it('loads them once for a line of three git commands', async () => {
    expect(await decisions('git add -A && git commit -m "fix: a" && git push origin feature')).toEqual(['git allow', 'git allow', 'git allow']);
    expect(loadConfig).toHaveBeenCalledTimes(1);
  });

  it('loads them once for a computed command word read as every covered tool', async () => {
    expect((await check('$X volume delete --volume pg')).report.decision).toBe('deny');
    expect(loadConfig).toHaveBeenCalledTimes(1);
  });

  it("takes a directory's own project file: a cd to it is judged by it", async () => {
    expect(await decisions(drop, loose)).toEqual(['railway allow']);
    expect(await decisions(drop, strict)).toEqual(['railway deny']);
    vi.mocked(loadConfig).mockClear();
    expect(await decisions(`${drop}; cd ../strict && ${drop}; cd ../loose && ${drop}`)).toEqual(['railway allow', 'cd allow', 'railway deny', 'cd allow', 'railway allow']);
    expect(loadConfig).toHaveBeenCalledTimes(2);
  });

  it("takes the environment a command runs with: another user config is that config's", async () => {
    expect(await decisions(`${drop}; XDG_CONFIG_HOME=${otherHome} ${drop}; ${drop}`)).toEqual(['railway allow', 'railway deny', 'railway allow']);
    expect(loadConfig).toHaveBeenCalledTimes(2);
  });

  it('loads them anew for each check: a rules file changed between two hook calls counts', async () => {
    const dir = join(root, 'changing');
    mkdirSync(dir, { recursive: true });
    expect(await decisions(drop, dir)).toEqual(['railway allow']);
    writeFileSync(join(dir, '.chaperone.yaml'), 'policy:\n  development: confirm\n');
    expect(await decisions(drop, dir)).toEqual(['railway deny']);
  });
});
