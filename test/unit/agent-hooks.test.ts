// chaperone's own entries in an agent's hook config: found wherever the agent keeps them, taken out
// without touching anything else, and a random mix of the user's hooks and chaperone's never loses one
// of the user's.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaperoneCommandsIn, entryOfCommand, hookCommand, isChaperoneCommand, withoutChaperone } from '../../src/cli/setup.js';
import { geminiFolderTrust, olderThan } from '../../src/cli/agent-facts.js';

const ours = hookCommand(['hook', 'claude']);
const oldForm = '/usr/bin/node /usr/lib/node_modules/chaperone/bin/chaperone.js hook codex';

describe('which commands are chaperone\'s', () => {
  it.each([
    [ours, true],
    [oldForm, true],
    ["'/opt/node' '/home/me/my chaperone/bin/chaperone.js' hook gemini", true],
    ['node guard.js hook claude', false], // someone else's hook that happens to say "hook claude"
    ['chaperone-lint --fix', false],
    ['echo chaperone', false],
    [42, false],
  ])('%s → %s', (command, expected) => {
    expect(isChaperoneCommand(command)).toBe(expected);
  });

  it.each([
    [oldForm, '/usr/lib/node_modules/chaperone/bin/chaperone.js'],
    ["if [ -f '/a b/chaperone.js' ]; then exec node '/a b/chaperone.js' hook claude; fi; exit 0", '/a b/chaperone.js'],
    [hookCommand(['hook', 'gemini'], '{}'), process.argv[1]],
  ])('the entry of %s is %s', (command, entry) => {
    expect(entryOfCommand(command)).toBe(entry);
  });
});

describe('withoutChaperone', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, number]>([
    [
      'a matcher group that held only chaperone goes, the user\'s group stays',
      { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ command: ours }] }, { matcher: 'Edit', hooks: [{ command: 'lint' }] }] } },
      { hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [{ command: 'lint' }] }] } },
      1,
    ],
    [
      'a shared group keeps the user\'s handler',
      { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ command: 'mine' }, { command: oldForm }] }] } },
      { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ command: 'mine' }] }] } },
      1,
    ],
    ['an emptied hooks object goes, other keys stay', { model: 'x', hooks: { SessionStart: [{ hooks: [{ command: ours }] }] } }, { model: 'x' }, 1],
    ['flat lists (Copilot `bash`, Cursor `command`)', { version: 1, hooks: { preToolUse: [{ bash: ours }, { bash: 'x' }], beforeShellExecution: [{ command: ours }] } }, { version: 1, hooks: { preToolUse: [{ bash: 'x' }] } }, 2],
    ['nothing of chaperone\'s: untouched', { hooks: { Stop: [{ hooks: [] }] } }, { hooks: { Stop: [{ hooks: [] }] } }, 0],
    ['no hooks at all', { theme: 'dark' }, { theme: 'dark' }, 0],
  ])('%s', (_, config, expected, count) => {
    const copy = structuredClone(config);
    expect(withoutChaperone(copy)).toBe(count);
    expect(copy).toEqual(expected);
  });

  it('never loses one of the user\'s hooks, whatever the mix (seeded)', () => {
    let seed = 12345;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 300; round++) {
      const config: Record<string, any> = { hooks: {} }; // eslint-disable-line @typescript-eslint/no-explicit-any
      const mine: string[] = [];
      for (let e = 0; e < 1 + random(3); e++) {
        const groups = [];
        for (let g = 0; g < 1 + random(3); g++) {
          const hooks = [];
          for (let h = 0; h < random(4); h++) {
            if (random(2)) hooks.push({ command: random(2) ? ours : oldForm });
            else {
              const command = `user-${round}-${e}-${g}-${h}`;
              mine.push(command);
              hooks.push({ command });
            }
          }
          groups.push({ matcher: `m${g}`, hooks });
        }
        config.hooks[`Event${e}`] = groups;
      }
      withoutChaperone(config);
      const left = chaperoneCommandsIn(config);
      expect(left).toEqual([]);
      expect(JSON.stringify(config).match(/user-[\d-]+/g) ?? []).toEqual(mine);
    }
  });
});

describe('agent facts', () => {
  it.each([
    ['2.1.197', '2.1.295', true],
    ['2.1.295', '2.1.295', false],
    ['2.1.332', '2.1.295', false],
    ['2.10.0', '2.9.9', false],
    ['1.9', '1.10', true],
  ])('%s older than %s: %s', (a, b, expected) => {
    expect(olderThan(a, b)).toBe(expected);
  });

  it("reads Gemini's trusted folders: a folder, its children, a parent's trust, and a distrust", () => {
    const home = mkdtempSync(join(tmpdir(), 'chaperone-gemini-'));
    mkdirSync(join(home, '.gemini'));
    expect(geminiFolderTrust(home, '/work/app')).toEqual({ enabled: true, trusted: undefined });
    writeFileSync(join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ '/work/app/secret': 'DO_NOT_TRUST', '/work/app': 'TRUST_FOLDER', '/srv/a/b': 'TRUST_PARENT' }));
    expect(geminiFolderTrust(home, '/work/app/src').trusted).toBe(true);
    expect(geminiFolderTrust(home, '/work/application').trusted).toBeUndefined();
    expect(geminiFolderTrust(home, '/srv/a/c').trusted).toBe(true);
    expect(geminiFolderTrust(home, '/work/app/secret/x').trusted).toBe(false);
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { folderTrust: { enabled: false } } }));
    expect(geminiFolderTrust(home, '/elsewhere').enabled).toBe(false);
  });
});
