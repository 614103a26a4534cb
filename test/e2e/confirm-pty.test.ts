// The human confirmation prompt, through a real pseudo-terminal. Each test starts a tmux session (on a
// private tmux server for this file) whose only process is a clean `env -i` shell in the sandbox: shims
// first on PATH, a recording railway double behind them. The test types with `tmux send-keys` and reads
// the screen with `tmux capture-pane`, polling for what it expects; nothing waits on a fixed sleep.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('confirm-pty.test.ts');

const deleteVolume = 'railway volume delete --volume pg-data --yes';
/** A destroy bounded by the linked environment (a volume delete is the whole project's, so production's). */
const deleteVariable = 'railway variable delete DATABASE_URL';
/** What the double prints to stderr once it is running and about to read its stdin. */
const doubleReady = 'railway-double: reading stdin';

const terminals = new Terminals();
let sb: Sandbox;
const startTerminal = (line: string, options?: { cwd?: string; extraEnv?: Record<string, string> }) => terminals.open(sb, line, options);

/** A recording double compatible with `sb.record`, which says on stderr when it starts reading stdin. */
function writeDouble(): void {
  const path = join(sb.doubles, 'railway');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'd="$RECORDS/railway"; mkdir -p "$d"',
      `for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"`,
      `printf '%s' "$0" > "$d/argv0"`,
      'env -0 > "$d/env"; pwd > "$d/cwd"',
      `echo '${doubleReady}' >&2`,
      'cat > "$d/stdin"',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
}

function auditOutcomes(): string[] {
  const file = join(sb.home, '.local/state/chaperone/audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line).outcome);
}

describe.skipIf(!haveTmux)('the confirmation prompt in a real terminal (tmux)', () => {
  beforeEach(async () => {
    sb = await makeSandbox(['railway']);
    writeDouble();
  });

  afterEach(() => {
    terminals.closeSessions();
    rmSync(sb.root, { recursive: true, force: true });
  });

  afterAll(() => terminals.close());

  it('shows the command, rule, environment and evidence; typing the name runs the real tool, which then reads the terminal', async () => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVariable);

    const prompt = await term.waitFor('Type production to run it');
    expect(prompt).toContain('chaperone: this command is held for confirmation');
    expect(prompt).toContain(`  command      ${deleteVariable}`);
    expect(prompt).toContain('  rule         railway.variable.delete [destroy]');
    expect(prompt).toContain('  environment  production (production)');
    expect(prompt).toContain(`    evidence   file ~/.railway/config.json projects["${sb.work}"].environmentName = production`);
    expect(prompt).toContain('production needs a human to type "production"');
    expect(sb.record('railway')).toBeUndefined();

    term.type('production');
    await term.waitFor(/Type production to run it.*production/); // echoed as typed
    term.press('Enter');

    // The real tool runs with the terminal as its stdin, back in line mode: what is typed now is
    // echoed and reaches the tool, not the prompt.
    await term.waitFor(doubleReady);
    term.type('typed-after-the-prompt');
    await term.waitFor(/^typed-after-the-prompt$/m);
    term.press('Enter');
    term.press('C-d');

    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).toContain('TTY=icanon echo');
    expect(screen).not.toContain('not confirmed');
    const record = sb.record('railway')!;
    expect(record.argv).toEqual(['variable', 'delete', 'DATABASE_URL']);
    expect(record.stdin.toString()).toBe('typed-after-the-prompt\n');
    expect(auditOutcomes()).toEqual(['confirmed']);
  });

  it.each(['prod', 'staging', 'Production'])('aborts when %j is typed instead of the name', async (answer) => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVolume);
    await term.waitFor('Type production to run it');
    term.type(answer);
    term.press('Enter');

    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('chaperone: not confirmed; the real railway did not run.');
    expect(screen).toContain('TTY=icanon echo');
    expect(sb.record('railway')).toBeUndefined();
    expect(auditOutcomes()).toEqual(['aborted']);
  });

  it.each(['SIGKILL', 'SIGTERM'])('gives the terminal back in its ordinary mode when chaperone is killed (%s) at the prompt', async (signal) => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVolume);
    await term.waitFor('Type production to run it');
    term.type('produc');
    // The Node process deciding (the shim's child, whose argv names the shim entry and railway).
    const pid = execFileSync('pgrep', ['-f', `shim.cjs --handoff=4:feed(:server)? ${join(sb.shims, 'railway')} volume delete`], { encoding: 'utf8' }).trim().split('\n')[0];
    process.kill(Number(pid), signal);

    const { code, screen } = await term.exit();
    expect(code).toBe(128 + (signal === 'SIGKILL' ? 9 : 15));
    expect(screen).toContain('TTY=icanon echo');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('aborts on Ctrl-C at the prompt, with exit code 77', async () => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVolume);
    await term.waitFor('Type production to run it');
    term.type('produc');
    term.press('C-c');

    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('chaperone: not confirmed; the real railway did not run.');
    expect(screen).toContain('TTY=icanon echo');
    expect(sb.record('railway')).toBeUndefined();
    expect(auditOutcomes()).toEqual(['aborted']);
  });

  it('does not confirm when Enter comes mid-word in one burst of input (a paste of "prod⏎uction")', async () => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVolume);
    await term.waitFor('Type production to run it');
    // One send-keys write: the prompt reads it as a single chunk. The line submitted is "prod".
    term.type('prod\ruction');

    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('chaperone: not confirmed; the real railway did not run.');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('does not take an answer typed before the question was shown', async () => {
    linkRailway(sb, sb.work, 'production');
    const go = join(sb.work, 'go');
    const term = startTerminal(`while [ ! -e '${go}' ]; do sleep 0.02; done; ${deleteVolume}`);
    // Typed ahead, before chaperone starts: the terminal queues (and echoes) the line.
    term.type('production');
    term.press('Enter');
    await term.waitFor(/^production$/m);
    writeFileSync(go, '');

    await term.waitFor('Type production to run it');
    // Still asking: the queued line was dropped, so what is typed now starts a fresh answer.
    term.type('x');
    await term.waitFor(/Type production to run it › x$/m);
    expect(sb.record('railway')).toBeUndefined();
    term.press('C-c');

    const { code } = await term.exit();
    expect(code).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });

  it('asks for "yes" in a staging-linked directory, and runs the tool when it is typed', async () => {
    linkRailway(sb, sb.work, 'staging');
    const term = startTerminal(deleteVariable);

    const prompt = await term.waitFor('Type yes to run it');
    expect(prompt).toContain('  environment  staging (staging)');
    expect(prompt).toContain('staging needs a human to confirm');
    expect(prompt).not.toContain('Type staging');

    term.type('yes');
    term.press('Enter');
    await term.waitFor(doubleReady);
    term.press('C-d');

    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).toContain('TTY=icanon echo');
    expect(sb.record('railway')?.argv).toEqual(['variable', 'delete', 'DATABASE_URL']);
    expect(sb.record('railway')?.stdin.toString()).toBe('');
  });

  it('reads the answer from the terminal and leaves piped stdin to the real tool, byte for byte', async () => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(`printf 'payload-bytes' | ${deleteVolume}`);
    await term.waitFor('Type production to run it');
    term.type('production');
    term.press('Enter');

    const { code } = await term.exit();
    expect(code).toBe(0);
    expect(sb.record('railway')?.stdin.toString('latin1')).toBe('payload-bytes');
  });

  it('refuses an agent without asking, even though a terminal is there', async () => {
    linkRailway(sb, sb.work, 'production');
    const term = startTerminal(deleteVolume, { extraEnv: { CHAPERONE_ACTOR: 'agent' } });

    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain(`chaperone: refused: ${deleteVolume}`);
    expect(screen).toContain('CHAPERONE_ACTOR=agent');
    expect(screen).not.toContain('Type production to run it');
    expect(screen).not.toContain('held for confirmation');
    expect(sb.record('railway')).toBeUndefined();
    expect(auditOutcomes()).toEqual(['refused']);
  });

  it('shows control characters in an argument as escapes, so they cannot redraw the prompt', async () => {
    linkRailway(sb, sb.work, 'production');
    // The argument is ESC [ 2 K (erase the line), CR, "fake": interpreted, it would wipe the command line.
    const term = startTerminal(`railway volume delete --volume "$(printf 'pg\\033[2K\\rfake')" --yes`);

    const prompt = await term.waitFor('Type production to run it');
    const commandLine = prompt.split('\n').find((line) => line.startsWith('  command      '));
    expect(commandLine).toBeDefined();
    expect(commandLine).toBe(String.raw`  command      railway volume delete --volume 'pg\e[2K\rfake' --yes`);
    expect(prompt).not.toMatch(/^fake/m);
    expect(prompt).toContain('  rule         railway.volume.delete');

    term.press('C-c');
    const { code } = await term.exit();
    expect(code).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });
});
