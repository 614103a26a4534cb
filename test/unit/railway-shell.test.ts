// `railway shell` (a shell here with the environment's variables) and `railway run` with a shell: what
// the shell reads is judged against the railway environment when it is known; an interactive shell on
// production is refused to an agent (railway.shell), and allowed with a notice on development.

import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { check } from '../../src/cli/check.js';
import { table } from '../helpers/cases.js';
import { evaluateLine } from '../helpers/evaluate.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-railway-shell-')));
const context = { cwd: home, env: { HOME: home, PATH: '/usr/bin:/bin' } };

// Input '' is stdin not known in advance (a terminal, a pipe), as a checked line passes it.
describe('railway shell and railway run with a shell, as the shim sees them (stdin given, or not known)', () => {
  const decide = async ([line, input]: [string, string]) => {
    const e = await evaluateLine(line, { HOME: home }, home, input);
    return `${e.findings.map((f) => f.rule).join(' ')}@${e.target?.class}`;
  };
  table(([line, input]) => `${line}${input ? ` <<< ${JSON.stringify(input)}` : ' (stdin not known)'}`, [
    [['railway shell -e production', ''], 'railway.shell@production'],
    [['railway shell --service api --environment production', ''], 'railway.shell@production'],
    [['railway shell -e development', ''], 'railway.shell@development'],
    [['railway shell -e production', 'railway down -y\n'], 'railway.down@production'],
    [['railway shell -e production', 'psql "$DATABASE_URL" -c "drop table users"\n'], 'psql.sql.drop@production'],
    [['railway shell -e production', 'echo ok\n'], '@production'],
    [['railway shell --help', ''], '@unknown'],
    [['railway run -e production bash -c "railway down -y"', ''], 'railway.down@production'],
    [['railway run -e production sh', 'dropdb shop\n'], 'dropdb@production'],
    [['railway run -e production -- zsh -c "dropdb shop"', ''], 'dropdb@production'],
  ], decide);
});

describe('the same lines in check --command as an agent', () => {
  const agent = async (line: string) => {
    const report = await check({ line, ...context, actor: 'agent' });
    return `${report.decision}: ${report.commands.flatMap((c) => c.findings.map((f) => `${f.rule}@${c.environment?.class}`)).join(' ')}`;
  };
  table((line: string) => line, [
    ['railway shell -e production', 'deny: railway.shell@production'],
    ['railway shell', 'deny: railway.shell@unknown'],
    ['railway shell -e development', 'allow: railway.shell@development'],
    [`railway shell -e production <<'EOF'\nrailway volume delete -v pg -y\nEOF`, 'deny: railway.volume.delete@production'],
    [`echo 'dropdb shop' | railway shell -e production`, 'deny: dropdb@production'],
    [`railway shell -e production <<< 'railway status'`, 'allow: '],
    [`railway run -e production bash -c 'railway down -y'`, 'deny: railway.down@production'],
    [`railway run -e production sh`, 'deny: nested.unreadable@production'],
    [`railway run -e development bash -c 'railway down -y'`, 'allow: railway.down@development'],
    [`railway run -e production -- env`, 'allow: '],
  ], agent);
});
