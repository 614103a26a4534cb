// chaperone's own help and shell completions, run the way a user meets them: `--help` on each command,
// and the completion scripts loaded into real bash, fish and (through a tmux pty) zsh.

import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await makeSandbox([]);
});

const commands = ['install', 'uninstall', 'init', 'check', 'explain', 'agent', 'approve', 'approvals', 'backups', 'pin', 'hook', 'setup', 'scan', 'doctor', 'log', 'completion'];

describe('help', () => {
  it.each(commands)('`chaperone help %s` shows an example to copy', async (name) => {
    const result = await sb.chaperone(['help', name]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n  .*chaperone ${name}`));
  });

  it('the top-level help names the variables, the files and the exit codes', async () => {
    const result = await sb.chaperone(['--help']);
    expect(result.exitCode).toBe(0);
    for (const word of ['CHAPERONE_ACTOR', 'CHAPERONE_SCOPE', 'NO_COLOR', 'rules.yaml', '.chaperone.yaml', '77 held', '70 internal']) expect(result.stdout).toContain(word);
  });

  it('check documents its verdict codes', async () => {
    expect((await sb.chaperone(['check', '--help'])).stdout).toContain('Exit codes: 0 allow, 1 confirm');
  });
});

const have = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const requireReal = process.env.CHAPERONE_REQUIRE_REAL_TOOLS === '1';

describe('completion', () => {
  it('an unknown shell is a usage error (2)', async () => {
    const result = await sb.chaperone(['completion', 'tcsh']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
  });

  it('bash completes commands, agents, flags, and after -- leaves the words to the checked command', async () => {
    const script = String((await sb.chaperone(['completion', 'bash'])).stdout);
    const path = sb.write('completion.bash', script);
    const complete = async (...words: string[]) => {
      const line = `source ${path}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _chaperone; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return String((await sb.run('bash', ['-c', line])).stdout).trim().split('\n');
    };
    expect(await complete('chaperone', 'se')).toEqual(['setup', 'server']);
    expect(await complete('chaperone', 'setup', 'c')).toEqual(expect.arrayContaining(['claude', 'codex', 'cursor']));
    expect(await complete('chaperone', 'check', '--j')).toEqual(['--json']);
    expect(await complete('chaperone', 'install', 'rail')).toEqual(['railway', 'rails']);
    expect(await complete('chaperone', 'check', '--', 'chaperone-no-such-')).toEqual(['']);
  });

  it.skipIf(!have('fish') && !requireReal)('fish completes commands and their flags', async () => {
    const path = sb.write('chaperone.fish', String((await sb.chaperone(['completion', 'fish'])).stdout));
    const result = await sb.run('fish', ['--no-config', '-c', `source ${path}; complete -C 'chaperone doc'; complete -C 'chaperone scan --st'`]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^doctor\t/m);
    expect(result.stdout).toMatch(/^--staged/m);
  });

  it.skipIf((!have('zsh') || !haveTmux) && !requireReal)('zsh completes a command at a real prompt', async () => {
    sb.write('zfuncs/_chaperone', String((await sb.chaperone(['completion', 'zsh'])).stdout));
    const terminals = new Terminals();
    try {
      const t = terminals.open(sb, `zsh -f -i`, { extraEnv: { PS1: '%% ' } });
      await t.waitFor('%');
      t.type(`fpath=(${sb.root}/zfuncs $fpath); autoload -U compinit; compinit -u; print COMP-READY\n`);
      await t.waitFor(/^COMP-READY\n%/m);
      t.type('chaperone docto');
      t.press('Tab');
      await t.waitFor(/chaperone doctor $/m);
    } finally {
      terminals.close();
    }
  });
});
