// railway shell with every kind of stdin, through the real railway shim (a recording double behind it)
// and through the line analysis (`chaperone check` and the Claude hook), which must agree. The shell
// railway starts reads its commands from stdin: a regular file with something in it is that script,
// judged against the environment; anything else (a terminal, a pipe nobody read, /dev/null, a closed
// stdin, an empty file) is the interactive shell's rule, railway.shell, since nothing there says what
// the shell will run (a shell with nothing to read still runs its startup files, BASH_ENV, ENV,
// ~/.zshenv, with the environment's credentials). /dev/null used to run in the shim and be refused by
// the line analysis.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentLineAnswers } from '../helpers/line-checks.js';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

let sb: Sandbox;
const agent = { CHAPERONE_ACTOR: 'agent' };
const terminals = new Terminals();

beforeEach(async () => {
  sb = await makeSandbox(['railway', 'dropdb']);
  sb.double('railway', { stdout: 'railway ran\n' });
  sb.double('dropdb');
  writeFileSync(join(sb.work, 'wipe.sh'), 'dropdb shop\n');
  writeFileSync(join(sb.work, 'read.sh'), 'echo "$RAILWAY_ENVIRONMENT_ID"\n');
  writeFileSync(join(sb.work, 'empty.sh'), '');
});
afterEach(() => terminals.closeSessions());
afterAll(() => terminals.close());

// [how stdin is given, the line, the shim's exit code on production for an agent, the line's answers]
const routes: [string, string, number, string][] = [
  ['/dev/null', 'railway shell < /dev/null', 77, 'deny'],
  ['a closed stdin', 'railway shell <&-', 77, 'deny'],
  ['a pipe', "echo 'dropdb shop' | railway shell", 77, 'deny'],
  // The line reads what `echo` pipes; the shim does not read a pipe ahead for railway shell, so it is
  // stricter here: the hook allows and the shim refuses (never the other way).
  ['a pipe of something harmless', 'echo ok | railway shell', 77, 'allow'],
  ['an empty file', 'railway shell < empty.sh', 77, 'deny'],
  ['a file that drops the database', 'railway shell < wipe.sh', 77, 'deny'],
  ['a file that reads', 'railway shell < read.sh', 0, 'allow'],
];

describe('railway shell: the shim and the line analysis give the same answer for each stdin', () => {
  it.each(routes)('%s, on production, as an agent', async (_how, line, code, answer) => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.sh(line, { env: agent });
    expect(result.exitCode, String(result.stderr)).toBe(code);
    if (code === 77) {
      expect(sb.record('railway')).toBeUndefined();
    } else {
      expect(sb.record('railway')?.argv).toEqual(['shell']);
      expect(result.stderr).toBe('');
    }
    expect(await agentLineAnswers(sb, line, sb.work)).toEqual([answer, answer]);
  });

  it.each(routes.filter(([how, , code]) => code === 77 && !/drops/.test(how)))('%s, on development: runs with a notice', async (_how, line) => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.sh(line, { env: agent });
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toContain('chaperone: railway.shell in dev (development): allowed');
    expect(sb.record('railway')?.argv).toEqual(['shell']);
    expect(await agentLineAnswers(sb, line, sb.work)).toEqual(['allow', 'allow']);
  });

  it('/dev/null: what a refused agent types next', async () => {
    linkRailway(sb, sb.work, 'production');
    for (const line of ['railway shell < /dev/null', 'railway shell 0</dev/null', 'railway shell </dev/null >/dev/null 2>&1', 'BASH_ENV=./wipe.sh railway shell < /dev/null', 'railway shell -s api < /dev/null']) {
      const result = await sb.sh(line, { env: agent });
      expect(result.exitCode, line).toBe(77);
      expect(sb.record('railway'), line).toBeUndefined();
      expect(await agentLineAnswers(sb, line, sb.work), line).toEqual(['deny', 'deny']);
    }
  });
});

requireTmux('railway-shell-stdin.test.ts');
describe.skipIf(!haveTmux)('railway shell with a terminal for stdin (a real pty)', () => {
  it('is refused to an agent on production, and railway never runs', async () => {
    linkRailway(sb, sb.work, 'production');
    const t = terminals.open(sb, 'railway shell', { extraEnv: agent });
    const { code, screen } = await t.exit();
    expect(code).toBe(77);
    expect(screen).toContain('railway.shell');
    expect(sb.record('railway')).toBeUndefined();
    expect(await agentLineAnswers(sb, 'railway shell', sb.work)).toEqual(['deny', 'deny']);
  });

  it('runs on development with a notice', async () => {
    linkRailway(sb, sb.work, 'dev');
    const t = terminals.open(sb, 'railway shell', { extraEnv: agent });
    await t.waitFor('chaperone: railway.shell in dev (development): allowed');
    t.press('C-d'); // the double reads its stdin, the terminal, to the end
    const { code } = await t.exit();
    expect(code).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(['shell']);
  });
});
