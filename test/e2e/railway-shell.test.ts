// railway shell through the real railway shim, with a recording double behind it that must never run
// when refused: an interactive shell on production is refused to an agent; a script fed from a file is
// judged like `railway run`'s; on development it runs with a notice. `railway run` with a shell, and the
// line analysis (`chaperone check`, the Claude hook) giving the same answers.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { agentLineAnswers } from '../helpers/line-checks.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['railway', 'dropdb']);
  sb.double('railway', { stdout: 'railway ran\n' });
  sb.double('dropdb');
});

const agent = { CHAPERONE_ACTOR: 'agent' };
const lineAnswers = (line: string) => agentLineAnswers(sb, line, sb.work);

describe('railway shell', () => {
  it.each([
    ['railway shell', ['shell']],
    ['railway shell --service api', ['shell', '--service', 'api']],
  ])("refuses an agent's %s on production (stdin a pipe nobody read), and railway never runs", async (_name, args) => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.run('railway', args, { env: agent, input: 'psql "$DATABASE_URL"\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('railway.shell [destroy] opens a shell with the environment');
    expect(result.stderr).toContain('production (production)');
    expect(sb.record('railway')).toBeUndefined();
    expect(await lineAnswers(`railway ${args.join(' ')}`)).toEqual(['deny', 'deny']);
  });

  it('judges a script fed from a file like railway run: refused when it drops the database, run untouched when it reads', async () => {
    linkRailway(sb, sb.work, 'production');
    const wipe = join(sb.work, 'wipe.sh');
    writeFileSync(wipe, 'dropdb shop\n');
    const refused = await sb.sh(`railway shell < ${wipe}`, { env: agent });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('railway shell > dropdb shop');
    expect(sb.record('railway')).toBeUndefined();
    const read = join(sb.work, 'read.sh');
    writeFileSync(read, 'echo "$RAILWAY_ENVIRONMENT_ID"\n');
    const ran = await sb.sh(`railway shell < ${read}`, { env: agent });
    expect(ran.stderr).toBe('');
    expect(ran.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(['shell']);
    expect(sb.record('railway')?.stdin.toString()).toBe('echo "$RAILWAY_ENVIRONMENT_ID"\n');
  });

  it('runs an interactive railway shell on development with a notice, argv untouched', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.run('railway', ['shell'], { env: agent, input: 'exit\n' });
    expect(result.stderr).toBe('chaperone: railway.shell in dev (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(['shell']);
    expect(sb.record('railway')?.stdin.toString()).toBe('exit\n');
  });

  it("refuses what a refused agent types next: railway run with a shell, interactive or with the command in -c", async () => {
    linkRailway(sb, sb.work, 'production');
    for (const args of [['run', 'bash'], ['run', 'sh', '-c', 'dropdb shop'], ['run', '--', 'bash', '-c', 'railway down -y']]) {
      const result = await sb.run('railway', args, { env: agent, input: 'dropdb shop\n' });
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(sb.record('railway')).toBeUndefined();
    }
    expect(await lineAnswers(`railway run bash -c 'dropdb shop'`)).toEqual(['deny', 'deny']);
    expect(await lineAnswers(`railway shell <<'EOF'\ndropdb shop\nEOF`)).toEqual(['deny', 'deny']);
    expect(await lineAnswers(`railway run -- env`)).toEqual(['allow', 'allow']);
  });
});
