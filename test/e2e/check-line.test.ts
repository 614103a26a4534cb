// `chaperone check --command LINE`, black-box: a whole shell line, as an agent hook gets it, analysed by
// the built CLI into its commands, each judged where and how it would run; the strictest decision wins.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});

interface Report {
  decision: string;
  reason: string;
  commands: { tool: string; argv: string[]; decision: string; reason: string; via?: string[]; cwd?: string; environment: { name?: string; class: string } | null; findings: { rule: string }[] }[];
}

async function checkLine(line: string, actor = 'agent'): Promise<{ exitCode: number | undefined; report: Report }> {
  const result = await sb.chaperone(['check', '--json', '--actor', actor, '--command', line]);
  expect(result.stderr).toBe('');
  const json = JSON.parse(String(result.stdout));
  // One command is printed flattened; a line of several keeps the list.
  return { exitCode: result.exitCode, report: json.commands ? json : { ...json, commands: [json] } };
}

describe('check --command: a whole shell line', () => {
  it('follows `cd` inside `bash -c` to the directory linked to production, and denies an agent', async () => {
    const prod = join(sb.work, 'prod-dir');
    mkdirSync(prod);
    linkRailway(sb, sb.work, 'development');
    linkRailway(sb, prod, 'production');
    const { exitCode, report } = await checkLine('bash -c "cd prod-dir && railway variable delete DATABASE_URL"');
    expect(exitCode).toBe(77);
    expect(report.decision).toBe('deny');
    expect(report.reason).toContain('production');
    expect(report.commands).toMatchObject([
      { tool: 'cd', decision: 'allow', via: ['bash -c'] },
      {
        tool: 'railway',
        argv: ['variable', 'delete', 'DATABASE_URL'],
        decision: 'deny',
        via: ['bash -c'],
        cwd: prod,
        environment: { name: 'production', class: 'production' },
        findings: [{ rule: 'railway.variable.delete' }],
      },
    ]);
  });

  it('judges the same delete where the line leaves it: a subshell `cd` does not leak', async () => {
    const prod = join(sb.work, 'prod-dir');
    mkdirSync(prod);
    linkRailway(sb, sb.work, 'development');
    linkRailway(sb, prod, 'production');
    const { exitCode, report } = await checkLine('(cd prod-dir && railway status); railway variable delete DATABASE_URL');
    expect(exitCode).toBe(0);
    expect(report.commands.map((c) => `${c.tool}:${c.decision}:${c.environment?.class ?? '-'}`)).toEqual(['cd:allow:-', 'railway:allow:production', 'railway:allow:development']);
  });

  it('reads an environment prefix through sudo, and leaves quoted text alone', async () => {
    const denied = await checkLine('sudo AWS_PROFILE=acme-prod aws s3 rb s3://b --force');
    expect(denied.exitCode).toBe(77);
    expect(denied.report.commands).toMatchObject([{ tool: 'aws', decision: 'deny', via: ['sudo'], findings: [{ rule: 'aws.s3.rb' }] }]);

    const data = await checkLine('echo "sudo AWS_PROFILE=acme-prod aws s3 rb s3://b --force" && git commit -m "aws s3 rb s3://b --force"');
    expect(data.exitCode).toBe(0);
    expect(data.report.commands.map((c) => c.tool)).toEqual(['echo', 'git']);
  });

  it('judges the SQL a heredoc feeds to psql, and not the one it feeds to cat', async () => {
    const sql = "<<'EOF'\nDROP TABLE orders;\nEOF";
    const psql = await checkLine(`psql postgresql://app@db.prod.example/shop ${sql}`);
    expect(psql.exitCode).toBe(77);
    expect(psql.report.commands).toMatchObject([{ tool: 'psql', argv: ['postgresql://app@db.prod.example/shop'], decision: 'deny', findings: [{ rule: 'psql.sql.drop' }] }]);

    const cat = await checkLine(`cat ${sql}`);
    expect(cat.exitCode).toBe(0);
  });

  it('maps a package runner to the tool it runs', async () => {
    linkRailway(sb, sb.work, 'production');
    const { exitCode, report } = await checkLine('npx -y @railway/cli@latest volume delete -v pg-data');
    expect(exitCode).toBe(77);
    expect(report.commands).toMatchObject([{ tool: 'railway', via: ['npx'], environment: { class: 'production' } }]);
  });

  it.each([
    [`env -u CLAUDE_CODE_SESSION_ID script -qec 'railway volume delete -v pg-data' /dev/null`, ['env', 'script -c']],
    [`tmux new-session -d 'railway volume delete -v pg-data'`, ['tmux new-session']],
    [`tmux send-keys -t s 'railway volume delete -v pg-data' Enter`, ['tmux send-keys']],
    [`expect -c 'spawn railway volume delete -v pg-data; expect eof'`, ['expect spawn']],
    [`screen -dmS s railway volume delete -v pg-data`, ['screen']],
  ])('judges what a terminal-maker runs: %s', async (line, via) => {
    linkRailway(sb, sb.work, 'production');
    const { exitCode, report } = await checkLine(line);
    expect(exitCode).toBe(77);
    expect(report.commands).toMatchObject([{ tool: 'railway', via, environment: { class: 'production' } }]);
  });

  it('asks a human, and refuses an agent, when a line naming a covered tool cannot be parsed', async () => {
    const line = `railway status; echo 'unterminated`;
    const agent = await checkLine(line);
    expect(agent.exitCode).toBe(77);
    expect(agent.report.decision).toBe('deny');
    expect(agent.report.reason).toMatch(/^chaperone cannot parse this line \(unterminated single quote\) and it names a tool it covers: it needs a human/);

    const human = await checkLine(line, 'human');
    expect(human.exitCode).toBe(1);
    expect(human.report).toMatchObject({ decision: 'confirm', reason: expect.stringContaining('a human must confirm it') });

    const other = await checkLine(`echo 'unterminated`);
    expect(other.exitCode).toBe(0);
  });

  it('explains for a human what ran each command and where', async () => {
    linkRailway(sb, sb.work, 'staging');
    const result = await sb.chaperone(['check', '--actor', 'human', '--command', 'cd sub && sudo railway variable delete DATABASE_URL']);
    expect(String(result.stdout)).toContain(`railway variable delete DATABASE_URL\n  decision     confirm (type "yes"): staging needs a human to confirm\n  runs         via sudo, in ${join(sb.work, 'sub')}`);
  });
});

describe("check --command: what a line feeds a command's stdin is judged, and chaperone's own stdin is never read", () => {
  const rulesIn = (report: Report) => report.commands.flatMap((c) => c.findings.map((f) => f.rule));

  it('reads `< file`, a pipe from echo and a heredoc as the command would', async () => {
    sb.write('work/drop.sql', 'DROP TABLE orders;\n');
    expect(rulesIn((await checkLine('psql -h db.prod.example shop < drop.sql')).report)).toEqual(['psql.sql.drop']);
    expect(rulesIn((await checkLine('echo "TRUNCATE orders" | psql -h db.prod.example shop')).report)).toEqual(['psql.sql.truncate']);
    expect(rulesIn((await checkLine('mysql -h db.prod.example shop <<EOF\nDROP TABLE orders;\nEOF')).report)).toEqual(['mysql.sql.drop']);
    expect(rulesIn((await checkLine('echo FLUSHALL | redis-cli -h cache.prod.example')).report)).toEqual(['redis-cli.flush']);
    expect(rulesIn((await checkLine('psql -h db.prod.example shop < missing.sql')).report)).toEqual([]);
  });

  it('does not wait on its own stdin, even when it is a pipe that never ends', async () => {
    const child = sb.chaperone(['check', '--json', '--actor', 'agent', '--command', 'psql -h db.prod.example shop'], { stdin: 'pipe' });
    const result = await child; // the pipe is never written to or closed before the check returns
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout)).decision).toBe('allow');
  }, 15_000);
});
