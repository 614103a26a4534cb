// The real agent CLIs (Claude Code, Codex, Gemini CLI, Copilot CLI; pinned in scripts/test-agents.js),
// each run headless against a mock of its vendor's model API on loopback that asks for one shell call.
// `chaperone setup AGENT` writes the hook; the agent's PATH holds a recording railway double and no
// shims, so the hook is the only thing that can stop the call. Then the way out: `chaperone uninstall`
// takes the hooks away and the agent's shell tool works; and with chaperone's files removed first, the
// hook left behind lets the agent work instead of blocking it.
//
// Needs the npm registry once (then the cache). Without it the suite is skipped, with the reason
// printed; with CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installTestAgents, registryReachable } from '../../scripts/test-agents.js';
import { agentDrivers, codexHooks, trustCodexHooks, type AgentDriver } from '../helpers/agents.js';
import { cliPath, linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup } from '../helpers/system.js';

let bin = '';
const problems: string[] = [];
try {
  bin = installTestAgents();
} catch (error) {
  // Only an unreachable registry may skip; any other failure to install is a failure.
  if (process.env.CHAPERONE_REQUIRE_REAL_TOOLS === '1' || registryReachable()) throw error;
  problems.push(`the npm registry is unreachable, so the agent CLIs cannot be installed (${(error as Error).message.split('\n')[0]})`);
}
const group = toolGroup('real agent CLIs with chaperone hooks', problems);

const destructive = 'railway volume delete --volume v --yes';
const configFile: Record<string, string> = {
  claude: '.claude/settings.json',
  codex: '.codex/hooks.json',
  gemini: '.gemini/settings.json',
  copilot: '.copilot/settings.json',
};

// An agent's start-up is seconds, and slower on a loaded machine: generous limits, never a timed assertion.
const slow = { timeout: 240_000 };

describe.skipIf(group.skip)(group.title, () => {
  describe.each(agentDrivers.map((d) => [d.agent, d] as [string, AgentDriver]))('%s', (agent, driver) => {
    let sb: Sandbox;
    beforeAll(async () => {
      group.assertAvailable();
      sb = await makeSandbox(['railway']);
      linkRailway(sb, sb.work, 'production');
      sb.double('railway', { stdout: 'railway double says hello\n' });
      driver.prepare(sb);
      const setup = await sb.chaperone(['setup', agent], { env: { PATH: `${bin}:${sb.env.PATH}` } });
      expect(setup.exitCode, String(setup.stderr)).toBe(0);
      expect(readFileSync(join(sb.home, configFile[agent]), 'utf8')).toContain(`hook ${agent}`);
      const doctor = async () => String((await sb.chaperone(['doctor', '--dir', sb.shims], { env: { PATH: `${bin}:${sb.env.PATH}` } })).stdout);
      if (agent === 'claude') {
        // Claude Code before 2.1.295 (the last for Node 20 is 2.1.197) ignores onFailure: setup and doctor say so.
        const { testAgentPackages } = await import('../../scripts/test-agents.js');
        const version = testAgentPackages.find((p) => p.agent === 'claude')!.spec.split('@').pop()!;
        const old = version.localeCompare('2.1.295', undefined, { numeric: true }) < 0;
        expect(String(setup.stdout).includes('ignores `onFailure: "block"`')).toBe(old);
        expect(await doctor()).toContain(old ? `WARN claude ${version}: hooks in` : `ok   claude ${version}: hooks in`);
      }
      if (agent === 'gemini') expect(await doctor()).toContain(`${sb.work} is a trusted folder, so they run here`);
      if (agent === 'copilot') expect(await doctor()).toContain(`ok   copilot 1.0.102: hooks in ${join(sb.home, '.copilot', 'settings.json')}`);
      if (agent === 'codex') {
        // What setup says is what Codex does: untrusted, the hook never runs, and the double does.
        expect(String(setup.stdout)).toContain('is untrusted, so Codex never runs it');
        expect(String(setup.stdout)).toContain('/hooks');
        const untrusted = await driver.run(sb, bin, 'railway status --json');
        expect(untrusted.toolCalls, untrusted.output).toBe(1);
        expect(untrusted.toolResults.join('\n'), untrusted.output).toContain('railway double says hello');
        expect(sb.record('railway')?.argv).toEqual(['status', '--json']);
        rmSync(join(sb.records, 'railway'), { recursive: true });
        await trustCodexHooks(sb, bin);
        expect((await codexHooks(sb, bin)).map((h) => h.trustStatus)).toEqual(['trusted']);
        expect(await doctor()).toContain(`ok   codex 0.171.0: chaperone's hook in ${join(sb.home, '.codex', 'hooks.json')} is trusted, so it runs`);
      }
    }, slow.timeout);
    afterAll(() => sb && rmSync(sb.root, { recursive: true, force: true }));

    it('refuses a production volume delete through the hook; the real railway never runs', slow, async () => {
      const run = await driver.run(sb, bin, destructive);
      expect(run.toolCalls, run.output).toBe(1);
      expect(run.toolResults.join('\n'), run.output).toContain('chaperone: refused: railway volume delete --volume v --yes');
      expect(run.toolResults.join('\n')).toContain('railway.volume.delete');
      expect(run.toolResults.join('\n')).toContain('production');
      expect(sb.record('railway')).toBeUndefined();
    });

    it('lets a benign call run, with its argv untouched', slow, async () => {
      const run = await driver.run(sb, bin, 'railway status');
      expect(run.toolResults.join('\n'), run.output).toContain('railway double says hello');
      expect(sb.record('railway')?.argv).toEqual(['status']);
      expect(sb.record('railway')?.cwd).toBe(sb.work);
    });

    it.runIf(agent === 'codex')('codex: a shell started on a terminal, to be typed into with write_stdin (no hook sees that), is refused', slow, async () => {
      rmSync(join(sb.records, 'railway'), { recursive: true, force: true });
      const run = await driver.run(sb, bin, {
        command: 'bash',
        extraArgs: { tty: true, yield_time_ms: 500 },
        // What a model does next once the shell runs: types the command into it.
        followUp: (result) => {
          const session = /session ID (\d+)/.exec(result)?.[1];
          return session ? { tool: 'write_stdin', args: { session_id: Number(session), chars: `${destructive}\n`, yield_time_ms: 1000 } } : undefined;
        },
      });
      expect(run.toolResults.join('\n'), run.output).toContain('chaperone: refused: an interactive shell');
      expect(run.toolCalls).toBe(1);
      expect(sb.record('railway')).toBeUndefined();
    });

    it('after `chaperone uninstall` the hook is gone and the agent still runs shell commands', slow, async () => {
      const uninstall = await sb.chaperone(['uninstall', '--dir', sb.shims]);
      expect(uninstall.exitCode).toBe(0);
      expect(String(uninstall.stdout)).toContain(`${agent}: removed`);
      expect(readFileSync(join(sb.home, configFile[agent]), 'utf8')).not.toContain('chaperone');
      const run = await driver.run(sb, bin, 'echo still-works');
      expect(run.toolResults.join('\n'), run.output).toContain('still-works');
    });

    it('with chaperone removed before its hook, the hook left behind allows instead of blocking', slow, async () => {
      // A copy of the built CLI stands for a global install; setup from it, then delete it (npm rm -g).
      const pkg = join(sb.root, 'global', 'chaperone');
      cpSync(join(cliPath, '..'), pkg, { recursive: true });
      const copy = await sb.run(process.execPath, [join(pkg, 'chaperone.js'), 'setup', agent], { env: { PATH: `${bin}:${sb.env.PATH}` } });
      expect(copy.exitCode, String(copy.stderr)).toBe(0);
      const config = readFileSync(join(sb.home, configFile[agent]), 'utf8');
      expect(config).toContain(join(pkg, 'hook.cjs'));
      expect(config).not.toContain(join(cliPath, '..'));
      if (agent === 'codex') await trustCodexHooks(sb, bin); // a new command is a new hook to Codex
      rmSync(pkg, { recursive: true });
      const run = await driver.run(sb, bin, 'echo still-works');
      expect(run.toolResults.join('\n'), run.output).toContain('still-works');
    });
  });
});
