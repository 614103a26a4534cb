// Shell text a program carries, black-box: the built CLI's `check --command` and `hook claude` get lines
// that run a production delete through awk, GNU sed's `e`, vim's `:!`, git's pager/ssh command/editor
// and `!` aliases, and `LESSOPEN`, two spellings each. Each is refused for an agent in a directory linked
// to production, allowed in one linked to development, and the benign use of the same route is allowed.
// Then the line is run anyway through the real awk and sed with the shims on PATH: the railway double
// behind the shim must never run.

import { checkLine, claudeHook } from '../helpers/line-checks.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let prod: string;
let dev: string;

// A destroy the link bounds (a volume delete is the whole project's: production wherever it is linked).
const destroy = 'railway variable delete DATABASE_URL';

beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  prod = join(sb.work, 'shop-prod');
  dev = join(sb.work, 'shop-dev');
  for (const [dir, env] of [[prod, 'production'], [dev, 'development']] as const) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'f'), 'one two\n');
    linkRailway(sb, dir, env);
  }
});

const check = (line: string, cwd: string) => checkLine<{ decision: string; reason: string }>(sb, line, cwd);

const hook = (line: string, cwd: string) => claudeHook(sb, line, cwd);

const routes: { route: string; spellings: [string, string]; benign: string }[] = [
  { route: 'awk', spellings: [`awk 'BEGIN{system("${destroy}")}'`, `gawk 'BEGIN{print "${destroy}" | "sh"}'`], benign: `awk '{print $1}' f` },
  { route: 'GNU sed e', spellings: [`sed -n '1e ${destroy}' f`, `sed -e '$e ${destroy}' f`], benign: 'sed -n 1p f' },
  { route: 'vim', spellings: [`vim -c '!${destroy}' f`, `vi +'r !${destroy}' f`], benign: 'vim f' },
  { route: 'git configuration', spellings: [`git -c core.pager='${destroy}' log`, `git config alias.x '!${destroy}' && git x`], benign: 'git -c core.pager=cat log' },
  { route: 'variables git runs', spellings: [`GIT_SSH_COMMAND='${destroy}' git fetch`, `PAGER='${destroy}' git log`], benign: `GIT_SSH_COMMAND='ssh -i key' git fetch` },
  { route: 'LESSOPEN', spellings: [`LESSOPEN='|${destroy} %s' less f`, `export LESSOPEN='|${destroy}'; less f`], benign: `LESSOPEN='| lesspipe %s' less f` },
];

describe.each(routes)('$route', ({ spellings, benign }) => {
  it.each(spellings)('check --command and the Claude hook refuse %s in production, and allow it in development', async (line) => {
    const refused = await check(line, prod);
    expect(refused.decision, refused.reason).toBe('deny');
    expect(refused.reason).toContain('production');
    expect((await check(line, dev)).decision).toBe('allow');
    const denied = await hook(line, prod);
    expect(denied.decision).toBe('deny');
    expect(denied.reason).toContain('railway.variable.delete');
    expect((await hook(line, dev)).decision).toBeUndefined();
  });

  it(`allows the benign ${benign} in production`, async () => {
    expect((await check(benign, prod)).decision).toBe('allow');
    expect((await hook(benign, prod)).exitCode).toBe(0);
  });
});

describe('the shim behind a program that runs it anyway', () => {
  it.each([`awk 'BEGIN{system("${destroy}")}'`, `sed -n '1e ${destroy}' f`])('%s: the real railway never runs for an agent; a benign call passes untouched', async (line) => {
    sb.double('railway');
    await sb.sh(line, { cwd: prod, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(sb.record('railway')).toBeUndefined();
    await sb.sh(`awk 'BEGIN{system("railway logs")}'`, { cwd: prod, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(sb.record('railway')?.argv).toEqual(['logs']);
  });
});
