// Finding an agent behind a process from /proc: by the executable's name, or by the script an
// interpreter runs; up the parent chain, and up the chain of whoever holds the terminal's master side.
// The /proc here is a fake tree, so the rows say exactly what the walk sees.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentName, findAgentProcess, ptsIndex } from '../../src/context/ancestry.js';
import { table } from '../helpers/cases.js';

describe('agentName', () => {
  type Case = { comm: string; argv: string[] };
  table<Case, string | undefined>((c) => `${c.comm} ${JSON.stringify(c.argv)}`, [
    [{ comm: 'claude', argv: ['claude'] }, 'claude'],
    [{ comm: 'claude.exe', argv: ['/opt/claude.exe', '--resume'] }, 'claude.exe'],
    [{ comm: 'codex', argv: ['codex', 'exec'] }, 'codex'],
    [{ comm: 'cursor-agent', argv: ['cursor-agent'] }, 'cursor-agent'],
    [{ comm: 'copilot', argv: ['copilot'] }, 'copilot'],
    [{ comm: 'MainThread', argv: ['/usr/local/bin/claude'] }, 'claude'],
    [{ comm: 'node', argv: ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'] }, 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'],
    [{ comm: 'node', argv: ['node', '--no-warnings', '/x/node_modules/@google/gemini-cli/dist/index.js'] }, 'node /x/node_modules/@google/gemini-cli/dist/index.js'],
    [{ comm: 'node', argv: ['node', '/home/me/.npm-global/bin/gemini'] }, 'node /home/me/.npm-global/bin/gemini'],
    [{ comm: 'node', argv: ['node', '/x/@openai/codex/bin/codex.js'] }, 'node /x/@openai/codex/bin/codex.js'],
    [{ comm: 'node', argv: ['node', '/x/@github/copilot/index.js'] }, 'node /x/@github/copilot/index.js'],
    // Not agents: editors, a script's own arguments, other programs mentioning an agent.
    [{ comm: 'code', argv: ['/usr/share/code/code'] }, undefined],
    [{ comm: 'cursor', argv: ['/opt/cursor/cursor'] }, undefined],
    [{ comm: 'node', argv: ['node', '/opt/chaperone/dist/shim.js', '/shims/git', 'checkout', 'claude'] }, undefined],
    [{ comm: 'vim', argv: ['vim', 'claude'] }, undefined],
    [{ comm: 'bash', argv: ['bash', '-c', 'claude'] }, undefined],
    [{ comm: 'node', argv: ['node', '/home/me/claude-helper/index.js'] }, undefined],
  ], (c) => agentName(c));
});

describe('ptsIndex', () => {
  table<number, number | undefined>(String, [
    [34816, 0], // 136:0
    [34817, 1],
    [(137 << 8) | 5, 261],
    [(136 << 8) | (1 << 20), 256], // minor 256 (its high bits stored above bit 20)
    [1025, undefined], // /dev/tty1 (4:1)
    [0, undefined],
  ], (n) => ptsIndex(n));
});

/** A fake /proc: pid → [comm, ppid, tty_nr, argv, ptmx tty-index held]. */
function fakeProc(tree: Record<number, [comm: string, ppid: number, ttyNr: number, argv: string[], masterOf?: number]>): string {
  const root = mkdtempSync(join(tmpdir(), 'chaperone-proc-'));
  for (const [pid, [comm, ppid, ttyNr, argv, masterOf]] of Object.entries(tree)) {
    const dir = join(root, pid);
    mkdirSync(join(dir, 'fd'), { recursive: true });
    mkdirSync(join(dir, 'fdinfo'));
    writeFileSync(join(dir, 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} ${ttyNr} -1 4194560 0 0`);
    writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
    if (masterOf !== undefined) {
      symlinkSync('/dev/ptmx', join(dir, 'fd', '3'));
      writeFileSync(join(dir, 'fdinfo', '3'), `pos:\t0\nflags:\t0104002\nmnt_id:\t24\nino:\t90\ntty-index:\t${masterOf}\n`);
    }
  }
  return root;
}

describe('findAgentProcess', () => {
  it('finds an agent among the ancestors, with a comm that has spaces and parentheses on the way', () => {
    const proc = fakeProc({
      1: ['init', 0, 0, ['init']],
      10: ['claude', 1, 0, ['claude']],
      20: ['script', 10, 0, ['script', '-qec', 'railway', '/dev/null']],
      30: ['sh (x) y', 20, 34817, ['sh', '-c', 'railway']],
      40: ['node', 30, 34817, ['node', '/dist/shim.js', '/shims/railway']],
    });
    expect(findAgentProcess(40, proc)).toEqual({ pid: 10, name: 'claude', via: 'ancestor' });
  });

  it("finds an agent behind the terminal's creator when the command itself was adopted by init", () => {
    const proc = fakeProc({
      1: ['init', 0, 0, ['init']],
      10: ['node', 1, 0, ['node', '/x/@anthropic-ai/claude-code/cli.js']],
      20: ['python3', 10, 0, ['python3', '-c', 'import pty'], 1],
      40: ['node', 1, 34817, ['node', '/dist/shim.js', '/shims/railway']],
    });
    expect(findAgentProcess(40, proc)).toEqual({ pid: 10, name: 'node /x/@anthropic-ai/claude-code/cli.js', via: 'terminal' });
  });

  it('finds nobody for a human terminal, nor when /proc cannot be read', () => {
    const proc = fakeProc({
      1: ['init', 0, 0, ['init']],
      5: ['tmux: server', 1, 0, ['tmux'], 1],
      30: ['bash', 5, 34817, ['bash']],
      40: ['node', 30, 34817, ['node', '/dist/shim.js', '/shims/railway']],
    });
    expect(findAgentProcess(40, proc)).toBeUndefined();
    expect(findAgentProcess(40, join(proc, 'missing'))).toBeUndefined();
  });

  it('stops on a parent loop', () => {
    const proc = fakeProc({ 7: ['a', 8, 0, ['a']], 8: ['b', 7, 0, ['b']] });
    expect(findAgentProcess(7, proc)).toBeUndefined();
  });

  it('finds the real agent stand-in through the real /proc (a script named claude running sleep)', async () => {
    const { execa } = await import('execa');
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'chaperone-agent-'));
    writeFileSync(join(dir, 'claude'), '#!/bin/sh\n"$@"\n:\n', { mode: 0o755 });
    const agent = execa(join(dir, 'claude'), ['sleep', '30'], { reject: false });
    const childrenOf = () => readFileSync(`/proc/${agent.pid}/task/${agent.pid}/children`, 'utf8').trim();
    // Until sleep has started: a child forked from the script is called claude until it execs sleep.
    const started = () => childrenOf() !== '' && readFileSync(`/proc/${childrenOf().split(' ')[0]}/comm`, 'utf8') === 'sleep\n';
    while (!started()) await new Promise((r) => setImmediate(r));
    const sleeper = Number(childrenOf().split(' ')[0]);
    expect(findAgentProcess(sleeper)).toMatchObject({ pid: agent.pid, name: 'claude', via: 'ancestor' });
    // The sleep holds the script's output pipes open: end it too, or waiting takes its 30 s.
    process.kill(sleeper);
    agent.kill();
    await agent;
  });
});
