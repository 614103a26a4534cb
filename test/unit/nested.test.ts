// The judge of commands inside commands (src/nested.ts), fed NestedLines directly: what a tool's parser
// would hand over for `kubectl exec … -- LINE`, `ssh HOST LINE` or a git `!` alias.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Invocation, NestedLine } from '../../src/model.js';
import { judgeNested, maxNesting } from '../../src/nested.js';
import { loadConfig } from '../../src/rules/load.js';
import { emptyHome } from '../helpers/evaluate.js';

const outer: Invocation = { tool: 'kubectl', args: [], cwd: emptyHome, env: { HOME: emptyHome } };

async function judge(...lines: NestedLine[]) {
  return judgeNested(lines, outer, await loadConfig(emptyHome, outer.env));
}

describe('judgeNested', () => {
  it.each([
    ["psql -h localhost -c 'drop table users'", 'psql.sql.drop'],
    ["sh -c \"psql -c 'truncate orders'\"", 'psql.sql.truncate'],
    ["cd /srv && dropdb -h 127.0.0.1 shop", 'dropdb'],
    ["echo 'drop table t;' | psql shop", 'psql.sql.drop'],
  ])('finds what %s destroys, and says where it runs', async (line, rule) => {
    const { findings, commands } = await judge({ via: 'kubectl exec', line, where: 'remote' });
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(findings[0].text).toMatch(/^kubectl exec > /);
    expect(commands).toEqual([]);
  });

  it('runs an argv without a shell: its words are not split again', async () => {
    const { findings } = await judge({ via: 'docker exec', argv: ['psql', '-c', 'drop table users; select 1'], where: 'remote' });
    expect(findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
  });

  it('leaves benign inner commands alone', async () => {
    const { findings, commands } = await judge(
      { via: 'kubectl exec', line: "psql -c 'select 1'", where: 'remote' },
      { via: 'kubectl exec', argv: ['ls', '-la'], where: 'remote' },
    );
    expect(findings).toEqual([]);
    expect(commands).toEqual([]);
  });

  it('hands an interactive session or an unparseable remote line to the outer rules as unreadable', async () => {
    const { commands } = await judge({ via: 'kubectl exec', where: 'remote' }, { via: 'ssh db', line: 'echo "unterminated', where: 'remote' });
    expect(commands.map((c) => c.path.join(' '))).toEqual(['nested unreadable', 'nested unreadable']);
    expect(commands[0].text).toMatch(/^kubectl exec: an interactive session/);
  });

  it('does not read this machine\'s files for a remote line, so `< file` there is unknown, not this file', async () => {
    const dir = mkdtempSync(join(emptyHome, 'nested-'));
    writeFileSync(join(dir, 'wipe.sql'), 'drop table users;');
    const local = await judgeNested([{ via: 'git alias', line: 'psql < wipe.sql', where: 'local', cwd: dir }], outer, await loadConfig(dir, outer.env));
    expect(local.findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
    const remote = await judgeNested([{ via: 'ssh db', line: `psql < ${join(dir, 'wipe.sql')}`, where: 'remote' }], outer, await loadConfig(dir, outer.env));
    expect(remote.findings.map((f) => f.rule)).not.toContain('psql.sql.drop');
  });

  it('stops at a bound instead of following lines forever', async () => {
    const config = await loadConfig(emptyHome, outer.env);
    const { commands } = await judgeNested([{ via: 'ssh a', line: 'true', where: 'remote' }], outer, config, maxNesting);
    expect(commands.map((c) => c.text)).toEqual([`ssh a: commands nested more than ${maxNesting} levels deep`]);
  });

  it('gives each local inner command its own target, a remote one the outer target', async () => {
    const local = await judge({ via: 'git alias nuke', line: "psql -h localhost -c 'drop table t'", where: 'local' });
    expect(local.targets.map((t) => [t.where, t.target.class])).toEqual([['local', 'development']]);
    const remote = await judge({ via: 'kubectl exec', line: "psql -h db.prod.example -c 'drop table t'", where: 'remote' });
    expect(remote.targets.map((t) => [t.where, t.target.class])).toEqual([['remote', 'production']]);
  });
});
