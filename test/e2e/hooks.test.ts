// Agent hooks: recorded payloads in each agent's format go into `chaperone hook <agent>`, and the
// answers are checked against each protocol (shared agents.md). `chaperone setup` is checked too.

import { beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { setAsideShOf } from '../../src/shim/set-aside.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  linkRailway(sb, sb.work, 'production');
});

/** A recorded payload with the command and cwd filled in. */
function payload(agent: string, command: string, cwd = sb.work): string {
  const text = readFileSync(new URL(`../fixtures/hooks/${agent}.json`, import.meta.url), 'utf8');
  return text
    .replace('COMMAND_JSON', JSON.stringify(JSON.stringify(command)).slice(1, -1))
    .replace(/"COMMAND"/g, JSON.stringify(command))
    .replace(/"CWD"/g, JSON.stringify(cwd));
}

const dangerous = 'bash -c "railway volume delete -v pg-data --yes"';
const benign = 'railway status && git log --oneline | head';

async function hook(agent: string, input: string) {
  const result = await sb.chaperone(['hook', agent], { input });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('chaperone hook claude (PreToolUse)', () => {
  it('denies a production volume delete inside bash -c, naming production, with the JSON decision and exit 2', async () => {
    const answer = await hook('claude', payload('claude', dangerous));
    expect(answer.exitCode).toBe(2);
    const json = JSON.parse(answer.stdout);
    expect(json.hookSpecificOutput.hookEventName).toBe('PreToolUse');
    expect(json.hookSpecificOutput.permissionDecision).toBe('deny');
    const reason: string = json.hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain('railway.volume.delete');
    expect(reason).toContain('production (production)');
    expect(reason).toMatch(/chaperone approve [2-9A-Z]{3}-[2-9A-Z]{3}/);
    expect(answer.stderr).toContain('production');
  });

  it('says nothing for a benign line, so the agent goes on as usual', async () => {
    expect(await hook('claude', payload('claude', benign))).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('leaves tools that are not a shell alone', async () => {
    const input = JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_input: { file_path: 'x' }, cwd: sb.work });
    expect(await hook('claude', input)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('denies, never crashes, on malformed input', async () => {
    for (const input of ['{not json', '', JSON.stringify({ tool_name: 'Bash', tool_input: {} })]) {
      const answer = await hook('claude', input);
      expect(answer.exitCode).toBe(2);
      expect(JSON.parse(answer.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
      expect(answer.stdout).toContain('chaperone could not check this command');
    }
  });

  it('lets an out-of-band approved command through, leaving the approval for the shim to use', async () => {
    const denied = await hook('claude', payload('claude', 'railway volume delete -v pg-data --yes'));
    const code = /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(denied.stdout)![1];
    const { approve } = await import('../../src/approval/store.js');
    approve(sb.env, code, 15);
    expect((await hook('claude', payload('claude', 'railway volume delete -v pg-data --yes'))).exitCode).toBe(0);
    sb.double('railway');
    expect((await sb.run('railway', ['volume', 'delete', '-v', 'pg-data', '--yes'])).exitCode).toBe(0);
  });
});

describe('the other agents, in their own protocols', () => {
  it('codex: PreToolUse JSON deny and exit 2', async () => {
    const answer = await hook('codex', payload('codex', dangerous));
    expect(answer.exitCode).toBe(2);
    expect(Object.keys(JSON.parse(answer.stdout).hookSpecificOutput).sort()).toEqual(['hookEventName', 'permissionDecision', 'permissionDecisionReason']);
    expect((await hook('codex', payload('codex', benign))).stdout).toBe('');
  });

  it('codex: refuses a bare interactive shell, whose typed lines (write_stdin) reach no hook; a shell with a command is judged as usual', async () => {
    for (const line of ['bash', 'bash -i', '/bin/sh', 'exec zsh -l', 'bash -s']) {
      const answer = await hook('codex', payload('codex', line));
      expect(answer.exitCode, line).toBe(2);
      expect(JSON.parse(answer.stdout).hookSpecificOutput.permissionDecisionReason).toContain('an interactive shell');
    }
    for (const line of ['bash -lc "railway status"', 'bash deploy-notes.sh', 'bashtop', 'shellcheck x.sh']) {
      expect(await hook('codex', payload('codex', line)), line).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    }
    // Claude Code has no tool that types into a running shell: a bare shell there is not chaperone's concern.
    expect((await hook('claude', payload('claude', 'bash'))).exitCode).toBe(0);
  });

  it('cursor: permission deny with both spellings of the messages', async () => {
    const answer = await hook('cursor', payload('cursor', dangerous));
    expect(answer.exitCode).toBe(0);
    const json = JSON.parse(answer.stdout);
    expect(json.permission).toBe('deny');
    for (const key of ['user_message', 'agent_message', 'userMessage', 'agentMessage']) expect(json[key]).toContain('production');
    expect(JSON.parse((await hook('cursor', payload('cursor', benign))).stdout)).toEqual({ permission: 'allow' });
  });

  it('gemini: decision deny as JSON only on stdout', async () => {
    const answer = await hook('gemini', payload('gemini', dangerous));
    expect(answer.exitCode).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('production') });
    expect(JSON.parse((await hook('gemini', payload('gemini', benign))).stdout)).toEqual({});
  });

  it('copilot: permissionDecision deny, reading toolArgs as a JSON string', async () => {
    const answer = await hook('copilot', payload('copilot', dangerous));
    expect(JSON.parse(answer.stdout)).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: expect.stringContaining('production') });
    expect(JSON.parse((await hook('copilot', payload('copilot', benign))).stdout)).toEqual({});
  });

  it('an unknown agent is refused with exit 2', async () => {
    const answer = await hook('aider', '{}');
    expect(answer.exitCode).toBe(2);
    expect(answer.stderr).toContain('unknown agent "aider"');
  });
});

describe('claude-session-start', () => {
  it('appends the PATH line and the actor to CLAUDE_ENV_FILE', async () => {
    const file = join(sb.root, 'claude-env');
    writeFileSync(file, 'export FOO=1\n');
    const result = await sb.chaperone(['hook', 'claude-session-start', '--dir', sb.shims], { env: { CLAUDE_ENV_FILE: file } });
    expect(result.exitCode).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('export FOO=1\n')).toBe(true);
    expect(text).toContain(`export PATH='${sb.shims}'":$PATH"`);
    expect(text).toContain('export CHAPERONE_ACTOR=agent');
  });
});

describe('chaperone setup', () => {
  it('claude --print shows the merged settings without writing them', async () => {
    const settings = join(sb.home, '.claude', 'settings.json');
    mkdirSync(join(sb.home, '.claude'));
    writeFileSync(settings, JSON.stringify({ model: 'opus', hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }] }] } }));
    const result = await sb.chaperone(['setup', 'claude', '--print', '--dir', sb.shims]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toBe(`chaperone: ${settings} would become:\n`);
    const config = JSON.parse(String(result.stdout));
    expect(config.model).toBe('opus');
    expect(config.hooks.PreToolUse[0]).toEqual({ matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }] });
    const bash = config.hooks.PreToolUse.find((g: { matcher: string }) => g.matcher === 'Bash');
    expect(bash.hooks[0]).toMatchObject({ type: 'command', timeout: 10, onFailure: 'block' });
    expect(bash.hooks[0].command).toMatch(/^if \[ -f \S+hook\.cjs \]; then .* exec "\$n" \S+hook\.cjs hook claude; fi; /);
    expect(config.hooks.SessionStart[0].hooks[0].command).toContain('hook claude-session-start --dir');
    expect(JSON.parse(readFileSync(settings, 'utf8')).hooks.SessionStart).toBeUndefined();
  });

  it('writes once, keeps a backup, and is idempotent', async () => {
    const dir = join(sb.home, '.cursor');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hooks.json'), JSON.stringify({ version: 1, hooks: { afterFileEdit: [{ command: 'fmt' }] } }));
    const first = await sb.chaperone(['setup', 'cursor']);
    expect(first.exitCode).toBe(0);
    const backups = readdirSync(dir).filter((f) => f.includes('chaperone-backup'));
    expect(backups).toHaveLength(1);
    const config = JSON.parse(readFileSync(join(dir, 'hooks.json'), 'utf8'));
    expect(config.hooks.afterFileEdit).toEqual([{ command: 'fmt' }]);
    expect(config.hooks.beforeShellExecution).toHaveLength(1);
    expect(config.hooks.beforeShellExecution[0]).toMatchObject({ timeout: 10, failClosed: true });
    const second = await sb.chaperone(['setup', 'cursor']);
    expect(String(second.stdout)).toContain('nothing changed');
    expect(JSON.parse(readFileSync(join(dir, 'hooks.json'), 'utf8')).hooks.beforeShellExecution).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.includes('chaperone-backup'))).toHaveLength(1);
  });

  it('refuses to touch a file that is not valid JSON', async () => {
    mkdirSync(join(sb.home, '.gemini'));
    writeFileSync(join(sb.home, '.gemini', 'settings.json'), '{ "theme": ');
    const result = await sb.chaperone(['setup', 'gemini']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
    expect(readFileSync(join(sb.home, '.gemini', 'settings.json'), 'utf8')).toBe('{ "theme": ');
  });

  it('codex and gemini get their own files', async () => {
    expect((await sb.chaperone(['setup', 'codex'])).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(sb.home, '.codex', 'hooks.json'), 'utf8')).hooks.PreToolUse[0].matcher).toBe('Bash');
    expect((await sb.chaperone(['setup', 'gemini'])).exitCode).toBe(0);
    const gemini = JSON.parse(readFileSync(join(sb.home, '.gemini', 'settings.json'), 'utf8'));
    expect(gemini.hooks.BeforeTool[0]).toMatchObject({ matcher: 'run_shell_command', hooks: [{ name: 'chaperone', type: 'command', timeout: 10000 }] });
    expect(existsSync(join(sb.home, '.claude'))).toBe(false);
  });
});

describe('setup copilot', () => {
  it('writes a preToolUse hook into ~/.copilot/settings.json, keeping what is there', async () => {
    mkdirSync(join(sb.home, '.copilot'));
    writeFileSync(join(sb.home, '.copilot', 'settings.json'), JSON.stringify({ model: 'x', hooks: { sessionStart: [{ type: 'command', bash: 'hello' }] } }));
    expect((await sb.chaperone(['setup', 'copilot'])).exitCode).toBe(0);
    const config = JSON.parse(readFileSync(join(sb.home, '.copilot', 'settings.json'), 'utf8'));
    expect(config.model).toBe('x');
    expect(config.hooks.sessionStart).toEqual([{ type: 'command', bash: 'hello' }]);
    expect(config.hooks.preToolUse).toHaveLength(1);
    expect(config.hooks.preToolUse[0]).toMatchObject({ type: 'command', timeoutSec: 10 });
    expect(config.hooks.preToolUse[0].bash).toContain('hook copilot');
    expect(String((await sb.chaperone(['setup', 'copilot'])).stdout)).toContain('nothing changed');
  });

  it('follows COPILOT_HOME, and --project writes .github/hooks/chaperone.json', async () => {
    const copilotHome = join(sb.root, 'copilot-home');
    expect((await sb.chaperone(['setup', 'copilot'], { env: { COPILOT_HOME: copilotHome } })).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(copilotHome, 'settings.json'), 'utf8')).hooks.preToolUse).toHaveLength(1);
    expect(existsSync(join(sb.home, '.copilot'))).toBe(false);
    expect((await sb.chaperone(['setup', 'copilot', '--project', sb.work])).exitCode).toBe(0);
    const project = JSON.parse(readFileSync(join(sb.work, '.github', 'hooks', 'chaperone.json'), 'utf8'));
    expect(project.version).toBe(1);
    expect(project.hooks.preToolUse[0].bash).toContain('hook copilot');
  });
});

describe('the hook command setup writes', () => {
  /** Runs an agent's hook command the way the agent does: through a shell, with the payload on stdin. */
  const runCommand = (command: string, input: string) => sb.sh(command, { input });
  const commandOf = (agent: string, config: any): string => // eslint-disable-line @typescript-eslint/no-explicit-any
    agent === 'copilot' ? config.hooks.preToolUse[0].bash : agent === 'cursor' ? config.hooks.beforeShellExecution[0].command : agent === 'gemini' ? config.hooks.BeforeTool[0].hooks[0].command : config.hooks.PreToolUse[0].hooks[0].command;
  const files: Record<string, string> = { claude: '.claude/settings.json', codex: '.codex/hooks.json', gemini: '.gemini/settings.json', copilot: '.copilot/settings.json', cursor: '.cursor/hooks.json' };
  const allow: Record<string, string> = { claude: '', codex: '', gemini: '{}\n', copilot: '{}\n', cursor: '{"permission":"allow"}\n' };

  it.each(Object.keys(files))('%s: denies through chaperone while it is installed, and allows, saying why, once it is gone', async (agent) => {
    // A copy of the built CLI stands for the installed package, so it can be removed.
    const pkg = join(sb.root, 'global', 'chaperone');
    cpSync(join(cliPath, '..'), pkg, { recursive: true });
    const setup = await sb.run(process.execPath, [join(pkg, 'chaperone.js'), 'setup', agent]);
    expect(setup.exitCode, String(setup.stderr)).toBe(0);
    const command = commandOf(agent, JSON.parse(readFileSync(join(sb.home, files[agent]), 'utf8')));
    const agentPayload = payload(agent, 'railway volume delete -v pg-data --yes');

    const denied = await runCommand(command, agentPayload);
    expect(`${denied.stdout}${denied.stderr}`).toContain('railway.volume.delete');
    expect(denied.exitCode === 2 || /deny/.test(String(denied.stdout))).toBe(true);

    rmSync(pkg, { recursive: true });
    const gone = await runCommand(command, agentPayload);
    expect({ exitCode: gone.exitCode, stdout: gone.stdout }).toEqual({ exitCode: 0, stdout: allow[agent] });
    expect(String(gone.stderr)).toBe(`chaperone: ${join(pkg, 'hook.cjs')} is gone, so this hook allows everything; remove the hook (chaperone uninstall) or reinstall chaperone\n`);
  });

  it('starts Node without NODE_EXTRA_CA_CERTS (parsed at every start), and the agent keeps it', async () => {
    expect((await sb.chaperone(['setup', 'claude'])).exitCode).toBe(0);
    const command = commandOf('claude', JSON.parse(readFileSync(join(sb.home, files.claude), 'utf8')));
    // Node warns at start-up about a CA file it cannot load: with the variable gone it has nothing to load.
    const withCa = { NODE_EXTRA_CA_CERTS: join(sb.root, 'no-such-ca.pem') };
    const judged = await sb.sh(command, { input: payload('claude', 'railway volume delete -v pg-data --yes'), env: withCa });
    expect(String(judged.stdout)).toContain('railway.volume.delete');
    expect(String(judged.stderr)).not.toContain('extra certs');
    // The same command without the hook's unset would have warned (so the check above can fail).
    const plain = await sb.sh(command.replace('unset NODE_EXTRA_CA_CERTS; ', ''), { input: payload('claude', 'git status'), env: withCa });
    expect(String(plain.stderr)).toContain('extra certs');
  });

  it("starts Node without the agent's NODE_OPTIONS (a V8 flag there voids the code cache, a --require runs in the judge), and judges the line with them", async () => {
    expect((await sb.chaperone(['setup', 'claude'])).exitCode).toBe(0);
    const command = commandOf('claude', JSON.parse(readFileSync(join(sb.home, files.claude), 'utf8')));
    const marker = join(sb.root, 'preloaded');
    writeFileSync(join(sb.root, 'mark.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'loaded')\n`);
    const mark = { NODE_OPTIONS: `--require ${join(sb.root, 'mark.js')}` };
    const benign = await sb.sh(command, { input: payload('claude', 'git status'), env: mark });
    expect({ exitCode: benign.exitCode, stdout: String(benign.stdout) }).toEqual({ exitCode: 0, stdout: '' });
    expect(existsSync(marker)).toBe(false);
    // The same command without setting them aside would have preloaded the file (so the check above can fail).
    const aside = `${setAsideShOf('NODE_OPTIONS')};`;
    expect(command).toContain(`${aside} unset NODE_EXTRA_CA_CERTS`);
    await sb.sh(command.replace(aside, ''), { input: payload('claude', 'git status'), env: mark });
    expect(existsSync(marker)).toBe(true);
    // The agent's commands run with its NODE_OPTIONS: a project file it preloads is read as the program.
    writeFileSync(join(sb.work, 'wipe.js'), "require('child_process').execSync('railway volume delete -v pg-data --yes')\n");
    writeFileSync(join(sb.work, 'app.js'), 'console.log(1)\n');
    const preload = await sb.sh(command, { input: payload('claude', 'node app.js'), env: { NODE_OPTIONS: '--require ./wipe.js' } });
    expect(preload.exitCode).toBe(2);
    expect(String(preload.stdout)).toContain('railway.volume.delete');
    const plain = await sb.sh(command, { input: payload('claude', 'node app.js'), env: { NODE_OPTIONS: '' } });
    expect({ exitCode: plain.exitCode, stdout: String(plain.stdout) }).toEqual({ exitCode: 0, stdout: '' });
    // A CHAPERONE_NODE_OPTIONS the agent's environment brings is not taken for its NODE_OPTIONS.
    const stray = await sb.sh(command, { input: payload('claude', 'node app.js'), env: { CHAPERONE_NODE_OPTIONS: '--require ./wipe.js' } });
    expect({ exitCode: stray.exitCode, stdout: String(stray.stdout) }).toEqual({ exitCode: 0, stdout: '' });
  });

  it.each(Object.keys(files))('%s: re-running setup replaces the hook an earlier setup wrote (before the CA change, before the NODE_OPTIONS change), and says so', async (agent) => {
    expect((await sb.chaperone(['setup', agent])).exitCode).toBe(0);
    const file = join(sb.home, files[agent]);
    const current = commandOf(agent, JSON.parse(readFileSync(file, 'utf8')));
    expect(current).toMatch(/unset NODE_EXTRA_CA_CERTS; .*exec "\$n"/);
    // The form an earlier setup wrote: the same line, without the unset.
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('unset NODE_EXTRA_CA_CERTS; ', ''));
    const again = await sb.chaperone(['setup', agent]);
    expect(again.exitCode).toBe(0);
    expect(String(again.stdout)).toContain('written by an older setup and is now replaced');
    expect(String(again.stdout).includes('trust it again')).toBe(agent === 'codex');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(commandOf(agent, config)).toBe(current);
    expect(JSON.stringify(config).split(`hook ${agent}; fi`).length - 1).toBe(1);
    expect(String((await sb.chaperone(['setup', agent])).stdout)).toContain('nothing changed');
    // The form the setup before the NODE_OPTIONS change wrote: NODE_OPTIONS left in place.
    const aside = `${setAsideShOf('NODE_OPTIONS')};`;
    expect(current).toContain(aside);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(JSON.stringify(aside).slice(1, -1), ''));
    expect(commandOf(agent, JSON.parse(readFileSync(file, 'utf8')))).not.toContain('NODE_OPTIONS');
    const newer = await sb.chaperone(['setup', agent]);
    expect(String(newer.stdout)).toContain('written by an older setup and is now replaced');
    const replaced = JSON.parse(readFileSync(file, 'utf8'));
    expect(commandOf(agent, replaced)).toBe(current);
    expect(JSON.stringify(replaced).split(`hook ${agent}; fi`).length - 1).toBe(1);
  });

  it('replaces a hook an older chaperone wrote instead of adding a second one', async () => {
    const old = `${process.execPath} /old/place/bin/chaperone.js hook claude`;
    mkdirSync(join(sb.home, '.claude'));
    writeFileSync(join(sb.home, '.claude', 'settings.json'), JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'mine' }, { type: 'command', command: old }] }] } }));
    expect((await sb.chaperone(['setup', 'claude'])).exitCode).toBe(0);
    const config = JSON.parse(readFileSync(join(sb.home, '.claude', 'settings.json'), 'utf8'));
    const commands = config.hooks.PreToolUse.flatMap((g: { hooks: { command: string }[] }) => g.hooks.map((h) => h.command));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toBe('mine');
    expect(commands[1]).toContain(join(cliPath, '..', 'hook.cjs'));
  });

  it('starts the hook\'s own CommonJS entry (dist/hook.cjs), not the CLI\'s ES module entry, and replaces a hook written through the CLI entry', async () => {
    expect((await sb.chaperone(['setup', 'claude'])).exitCode).toBe(0);
    const file = join(sb.home, files.claude);
    const current = commandOf('claude', JSON.parse(readFileSync(file, 'utf8')));
    const hookEntry = join(cliPath, '..', 'hook.cjs');
    expect(current).toContain(`exec "$n" ${hookEntry} hook claude; fi`);
    expect(current).toContain(`if [ -f ${hookEntry} ]`);
    // It judges as the CLI entry did.
    const denied = await sb.sh(current, { input: payload('claude', 'railway volume delete -v pg-data --yes') });
    expect(String(denied.stdout)).toContain('railway.volume.delete');
    const benign = await sb.sh(current, { input: payload('claude', 'git status') });
    expect({ exitCode: benign.exitCode, stdout: String(benign.stdout) }).toEqual({ exitCode: 0, stdout: '' });
    // A setup before this change wrote the CLI's entry into the line: re-running setup replaces it.
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(hookEntry, cliPath));
    const again = await sb.chaperone(['setup', 'claude']);
    expect(String(again.stdout)).toContain('written by an older setup and is now replaced');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(commandOf('claude', config)).toBe(current);
    expect(JSON.stringify(config).split('hook claude; fi').length - 1).toBe(1);
  });
});
