// "No human can be faked": an agent that unsets its markers, runs the command in a pseudo-terminal of
// its own (util-linux `script`, Python's pty, tmux) and types the environment's name into it must not
// get the command run. Two walls, each tested through the built CLI, real shims and a recording double:
// - the process ancestry: a pty whose command descends from an agent process counts as the agent
//   (here the agent is a small script named `claude`, as `/proc/<pid>/comm` would show the real one);
// - the PIN, once set: asked after the name for production and unknown targets, and an agent does not
//   know it. A pty holder that daemonized (a tmux server) hides its ancestry; the PIN still holds.

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setPin } from '../../src/approval/pin.js';
import { cliPath, linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('human-only.test.ts');

const deleteVolume = 'railway volume delete --volume pg-data --yes';
/** A destroy the link bounds (a volume delete is production's wherever it is linked). */
const deleteVariable = 'railway variable delete DATABASE_URL';
const haveScript = execa('script', ['--version'], { reject: false }).then((r) => r.exitCode === 0);
/** The real interpreter (not a pyenv shim, which needs the developer's HOME). */
const python = execa('python3', ['-c', 'import sys; print(sys.executable)'], { reject: false }).then((r) => (r.exitCode === 0 ? String(r.stdout).trim() : undefined));

let sb: Sandbox;
const terminals = new Terminals();

/** A railway double that records its argv and does not read the terminal. */
function recordingDouble(): void {
  const path = join(sb.doubles, 'railway');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'd="$RECORDS/railway"; mkdir -p "$d"',
      `for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"`,
      `printf '%s' "$0" > "$d/argv0"; env -0 > "$d/env"; pwd > "$d/cwd"; : > "$d/stdin"`,
      'echo railway-double-ran',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
}

/** A stand-in for an agent: an executable named `claude` that runs its arguments as a child. */
function agentProcess(): string {
  const dir = join(sb.root, 'agent-bin');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'claude');
  // Not `exec`: the agent stays the command's ancestor, as a real agent's process does.
  writeFileSync(path, '#!/bin/sh\n"$@"\nstatus=$?\necho "agent: command exited $status"\nexit $status\n');
  chmodSync(path, 0o755);
  return path;
}

function auditOutcomes(): { outcome?: string; event?: string; why?: string }[] {
  const file = join(sb.home, '.local/state/chaperone/audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

/**
 * Runs argv with a pipe as its stdin (what the agent writes into its pty program), and plays the
 * agent: each time `waitFor` shows up in the output, types `keys`. Returns the exit code and output.
 */
async function drive(file: string, args: string[], steps: [waitFor: string, keys: string][], env: Record<string, string> = {}) {
  const child = sb.run(file, args, { stdin: 'pipe', all: true, env });
  return play(child, steps);
}

/**
 * The same, from a process adopted by init (a double fork): as a pty holder that daemonized looks, and
 * independent of whoever runs the tests (under an agent, the test runner's own ancestry would count).
 * The outer shell stays to keep the pipes open until the inner one is done; the exit code comes back
 * as an EXIT= line.
 */
async function driveDetached(argv: string[], steps: [waitFor: string, keys: string][]) {
  const done = join(sb.root, `done-${Math.random().toString(36).slice(2)}`);
  // A background job's stdin is /dev/null unless redirected: it gets the pipe back through fd 3.
  const script = `exec 3<&0; ( ( "$@" <&3; echo "EXIT=$?"; : > '${done}' ) & ); while [ ! -e '${done}' ]; do sleep 0.05; done`;
  const child = sb.run('sh', ['-c', script, 'sh', ...argv], { stdin: 'pipe', all: true });
  const { output } = await play(child, steps);
  return { code: Number(/^EXIT=(\d+)/m.exec(output)?.[1] ?? NaN), output };
}

async function play(child: ReturnType<Sandbox['run']>, steps: [waitFor: string, keys: string][]) {
  let seen = '';
  const pending = [...steps];
  child.all?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    while (pending.length && seen.includes(pending[0][0])) {
      const [waitFor, keys] = pending.shift()!;
      seen = seen.slice(seen.indexOf(waitFor) + waitFor.length); // the next step waits for newer output
      child.stdin?.write(keys);
    }
    if (pending.length === 0) child.stdin?.end();
  });
  const result = await child;
  return { code: result.exitCode, output: String(result.all) };
}

/** The pty spellings an agent can reach for from a pipe: util-linux script and Python's pty. */
const routes: { name: string; argv: (line: string) => Promise<string[] | undefined> }[] = [
  { name: 'script -qec', argv: async (line) => ((await haveScript) ? ['script', '-qec', line, '/dev/null'] : undefined) },
  {
    name: 'python3 pty.spawn',
    argv: async (line) => {
      const py = await python;
      return py ? [py, '-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', 'sh', '-c', line] : undefined;
    },
  },
];

beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  recordingDouble();
  linkRailway(sb, sb.work, 'production');
});
afterEach(() => terminals.closeSessions());
afterAll(() => terminals.close());

describe('an agent with its markers unset, in a pty of its own, typing the name', () => {
  it.each(routes)('is refused through $name, because the command descends from the agent', async (route) => {
    const argv = await route.argv(deleteVolume);
    if (!argv) return console.warn(`${route.name} is not available; skipped`);
    // The agent's own marker is set in its environment and unset for the command, as the attack does.
    const { code, output } = await drive(agentProcess(), ['env', '-u', 'CLAUDE_CODE_SESSION_ID', ...argv], [['Type production', 'production\r']], {
      CLAUDE_CODE_SESSION_ID: 'session-1',
    });
    expect(code).toBe(77);
    expect(output).toContain(`chaperone: refused: ${deleteVolume}`);
    expect(output).toMatch(/process \d+ \(claude\) is an agent, and this command descends from it/);
    expect(output).not.toContain('Type production');
    expect(output).toMatch(/chaperone approve [2-9A-Z]{3}-[2-9A-Z]{3}/);
    expect(sb.record('railway')).toBeUndefined();
    expect(auditOutcomes().map((r) => r.outcome)).toEqual(['refused']);
  });

  it.each(routes)('without the agent ancestor (a daemonized pty) gets the PIN prompt through $name, and a wrong PIN runs nothing', async (route) => {
    const argv = await route.argv(deleteVolume);
    if (!argv) return console.warn(`${route.name} is not available; skipped`);
    setPin(sb.env, '4711');
    const { code, output } = await driveDetached(argv, [
      ['Type production', 'production\r'],
      ['PIN', 'production\r'], // the agent's best guess: it does not know the PIN
    ]);
    expect(code).toBe(77);
    expect(output).toContain('chaperone: wrong PIN; not confirmed; the real railway did not run.');
    expect(output).not.toContain('railway-double-ran');
    expect(sb.record('railway')).toBeUndefined();
    expect(auditOutcomes()).toMatchObject([{ outcome: 'aborted', why: 'wrong PIN' }]);
  });

  it('an unknown target (nothing linked) asks for the PIN too', async () => {
    if (!(await haveScript)) return;
    setPin(sb.env, '4711');
    const unlinked = join(sb.root, 'unlinked');
    mkdirSync(unlinked);
    const { code, output } = await driveDetached(['script', '-qec', `cd '${unlinked}' && ${deleteVariable}`, '/dev/null'], [
      ['Type production', 'production\r'],
      ['PIN', '1111\r'],
    ]);
    expect(code).toBe(77);
    expect(output).toContain('an unknown environment (counted as production)');
    expect(output).toContain('wrong PIN; not confirmed');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('an agent that ends its input at the PIN prompt runs nothing', async () => {
    if (!(await haveScript)) return;
    setPin(sb.env, '4711');
    const { code, output } = await driveDetached(['script', '-qec', deleteVolume, '/dev/null'], [
      ['Type production', 'production\r'],
      ['PIN', '\x04'], // Ctrl-D
    ]);
    expect(code).toBe(77);
    expect(output).toContain('not confirmed');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('after five wrong PINs the PIN is not asked any more, even for the right one', async () => {
    if (!(await haveScript)) return;
    setPin(sb.env, '4711');
    for (let i = 0; i < 5; i++) {
      const { code } = await driveDetached(['script', '-qec', deleteVolume, '/dev/null'], [
        ['Type production', 'production\r'],
        ['PIN', `${1000 + i}\r`],
      ]);
      expect(code).toBe(77);
    }
    const { code, output } = await driveDetached(['script', '-qec', deleteVolume, '/dev/null'], [['Type production', 'production\r'], ['PIN', '4711\r']]);
    expect(code).toBe(77);
    expect(output).toContain('too many wrong PINs');
    expect(sb.record('railway')).toBeUndefined();
  });

  it('a benign railway call in the same pty under the agent runs untouched', async () => {
    if (!(await haveScript)) return;
    const { code, output } = await drive(agentProcess(), ['script', '-qec', 'railway status', '/dev/null'], []);
    expect(code).toBe(0);
    expect(output).toContain('railway-double-ran');
    expect(sb.record('railway')?.argv).toEqual(['status']);
  });

  it('a development target in the same pty under the agent runs, with a notice', async () => {
    if (!(await haveScript)) return;
    linkRailway(sb, sb.work, 'development');
    const { code, output } = await drive(agentProcess(), ['script', '-qec', deleteVariable, '/dev/null'], []);
    expect(code).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(['variable', 'delete', 'DATABASE_URL']);
    expect(output).toContain('railway-double-ran');
  });
});

describe.skipIf(!haveTmux)('tmux: the name and the PIN at a real terminal', () => {
  it('a human (no agent behind the terminal) types the name and the PIN, and the tool runs', async () => {
    setPin(sb.env, '4711');
    const term = terminals.open(sb, deleteVolume);
    await term.waitFor('Type production to run it');
    term.type('production');
    term.press('Enter');
    await term.waitFor('PIN');
    term.type('4711');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).not.toContain('4711'); // typed without echo
    expect(sb.record('railway')?.argv).toEqual(['volume', 'delete', '--volume', 'pg-data', '--yes']);
    expect(auditOutcomes().map((r) => r.outcome)).toEqual(['confirmed']);
  });

  /** Types "production" at the delete's prompt, then a wrong PIN: refused, and railway never runs. */
  async function typeNameThenWrongPin(): Promise<void> {
    const term = terminals.open(sb, deleteVolume);
    await term.waitFor('Type production to run it');
    term.type('production');
    term.press('Enter');
    await term.waitFor('PIN');
    term.type('0000');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toContain('wrong PIN; not confirmed');
    expect(sb.record('railway')).toBeUndefined();
  }

  it('an agent driving a tmux it started (whose server daemonized, hiding the agent) is stopped by the PIN', async () => {
    setPin(sb.env, '4711');
    // The tmux session is all the agent's: it types with send-keys. The server's parent is init now.
    await typeNameThenWrongPin();
  });

  it('a staging target asks for yes and no PIN', async () => {
    setPin(sb.env, '4711');
    linkRailway(sb, sb.work, 'staging');
    const term = terminals.open(sb, deleteVariable);
    await term.waitFor('Type yes to run it');
    term.type('yes');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).not.toContain('PIN');
    expect(sb.record('railway')?.argv).toEqual(['variable', 'delete', 'DATABASE_URL']);
  });

  it('a volume delete in a staging-linked directory is production\'s: it asks for the name and the PIN', async () => {
    setPin(sb.env, '4711');
    linkRailway(sb, sb.work, 'staging');
    await typeNameThenWrongPin();
  });

  it('the agent ancestry is also found when the agent drives tmux inside a pty it holds (script under claude)', async () => {
    if (!(await haveScript)) return;
    // claude → script → sh → railway: the command is attached to script's pty, in a tmux pane's shell.
    const agent = agentProcess();
    const term = terminals.open(sb, `${agent} script -qec '${deleteVolume}' /dev/null`);
    const { code, screen } = await term.exit();
    expect(code).toBe(77);
    expect(screen).toMatch(/\(claude\) is an agent/);
    expect(sb.record('railway')).toBeUndefined();
  });
});

describe('chaperone approve', () => {
  const codeIn = (text: string) => /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(text)?.[1];
  const requestCode = async () => codeIn(String((await sb.run('railway', deleteVolume.split(' ').slice(1))).stderr))!;

  it.each(routes)('refuses when its own ancestry leads to an agent ($name), with no PIN set', async (route) => {
    const code = await requestCode();
    const argv = await route.argv(`${process.execPath} ${cliPath} approve ${code}`);
    if (!argv) return;
    const { code: exit, output } = await drive(agentProcess(), argv, [['Type production', 'production\r']]);
    expect(exit).toBe(77);
    expect(output).toContain('An agent cannot approve its own commands');
    expect(output).toMatch(/\(claude\) is an agent/);
    // Still not approved: the agent's command is refused again.
    expect((await sb.run('railway', deleteVolume.split(' ').slice(1))).exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });

  it.skipIf(!haveTmux)('asks for the PIN kept under the account home even when HOME and XDG_* point elsewhere', async () => {
    setPin(sb.env, '4711');
    const code = await requestCode();
    const elsewhere = join(sb.root, 'elsewhere');
    mkdirSync(elsewhere);
    const term = terminals.open(sb, `${process.execPath} ${cliPath} approve ${code}`, {
      extraEnv: { HOME: elsewhere, XDG_CONFIG_HOME: elsewhere, XDG_STATE_HOME: elsewhere },
    });
    await term.waitFor('Type production to approve it');
    term.type('production');
    term.press('Enter');
    await term.waitFor('PIN');
    term.type('1234');
    term.press('Enter');
    const { code: exit, screen } = await term.exit();
    expect(exit).toBe(77);
    expect(screen).toContain('wrong PIN; not approved');
    expect((await sb.run('railway', deleteVolume.split(' ').slice(1))).exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });

  it('XDG_CONFIG_HOME pointed elsewhere does not skip the PIN through script either', async () => {
    if (!(await haveScript)) return;
    setPin(sb.env, '4711');
    const code = await requestCode();
    const elsewhere = join(sb.root, 'elsewhere');
    mkdirSync(elsewhere);
    const { code: exit, output } = await driveDetached(
      ['script', '-qec', `XDG_CONFIG_HOME='${elsewhere}' HOME='${elsewhere}' ${process.execPath} ${cliPath} approve ${code}`, '/dev/null'],
      [['Type production', 'production\r'], ['PIN', 'production\r']],
    );
    expect(exit).toBe(77);
    expect(output).toContain('wrong PIN; not approved');
    expect((await sb.run('railway', deleteVolume.split(' ').slice(1))).exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });

  it('an approval written into a store the caller points at is not used', async () => {
    const code = await requestCode();
    // The agent copies the store, marks the request approved, and points XDG_STATE_HOME and HOME at it.
    const store = JSON.parse(readFileSync(join(sb.home, '.local/state/chaperone/approvals.json'), 'utf8'));
    const forged = join(sb.root, 'forged');
    mkdirSync(join(forged, '.local/state/chaperone'), { recursive: true });
    for (const r of store.approvals) if (r.code === code) Object.assign(r, { status: 'approved', approvedAt: new Date().toISOString() });
    writeFileSync(join(forged, '.local/state/chaperone/approvals.json'), JSON.stringify(store));
    mkdirSync(join(forged, 'chaperone'), { recursive: true });
    writeFileSync(join(forged, 'chaperone/approvals.json'), JSON.stringify(store));
    const result = await sb.run('railway', deleteVolume.split(' ').slice(1), { env: { HOME: forged, XDG_STATE_HOME: forged } });
    expect(result.exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });
});

describe('setup offers a PIN; doctor warns without one', () => {
  it('doctor warns when an agent is set up and no PIN is set, and says so once one is', async () => {
    const before = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(before.stdout)).not.toContain('PIN');
    expect((await sb.chaperone(['setup', 'claude', '--dir', sb.shims])).exitCode).toBe(0);
    const warned = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(warned.stdout)).toContain('WARN hooks are set up for claude and no PIN is set');
    expect(warned.exitCode).toBe(0); // a warning, not a failure
    setPin(sb.env, '4711');
    const fine = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(fine.stdout)).toContain('ok   a PIN is set');
    expect(String(fine.stdout)).not.toContain('WARN');
  });

  it('setup without a terminal only prints how to set a PIN, and --print not even that', async () => {
    const printed = await sb.chaperone(['setup', 'cursor', '--print']);
    expect(printed.exitCode).toBe(0);
    expect(String(printed.stderr)).not.toContain('PIN');
    expect(() => JSON.parse(String(printed.stdout))).not.toThrow();
    const written = await sb.chaperone(['setup', 'cursor']);
    expect(written.exitCode).toBe(0);
    expect(String(written.stderr)).toContain('no PIN is set');
    expect(String(written.stderr)).toContain('chaperone pin set');
  });

  it.skipIf(!haveTmux)('setup at a terminal offers to set a PIN, and sets it', async () => {
    const term = terminals.open(sb, `${process.execPath} ${cliPath} setup gemini`);
    await term.waitFor('Type yes to set a PIN now');
    term.type('yes');
    term.press('Enter');
    await term.waitFor('New PIN');
    term.type('2468');
    term.press('Enter');
    await term.waitFor('The same PIN again');
    term.type('2468');
    term.press('Enter');
    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).toContain('PIN set');
    expect(existsSync(join(sb.home, '.config/chaperone/pin'))).toBe(true);
  });

  it.skipIf(!haveTmux)('setup at a terminal under an agent does not offer (it would be the agent answering)', async () => {
    const term = terminals.open(sb, `${agentProcess()} ${process.execPath} ${cliPath} setup gemini`);
    const { code, screen } = await term.exit();
    expect(code).toBe(0);
    expect(screen).not.toContain('Type yes');
    expect(screen).toContain('no PIN is set');
    expect(existsSync(join(sb.home, '.config/chaperone/pin'))).toBe(false);
  });
});
