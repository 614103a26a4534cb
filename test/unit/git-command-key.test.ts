// Which git configuration keys run a command (src/shell/carried.ts): answered by whole name or section
// first, the pattern only for the keys of the sections that have one. The single pattern it replaced is
// the oracle here, over every section, subsection and name form, in mixed case.

import { describe, expect, it } from 'vitest';
import { gitCommandKey } from '../../src/shell/carried.js';

const oracle = (key: string) =>
  /^(core\.(pager|sshcommand|editor|askpass|fsmonitor|hookspath)|sequence\.editor|pager\..+|diff\.external|diff\..+\.(textconv|command)|merge\..+\.driver|filter\..+\.(clean|smudge|process)|gpg\.(program|.+\.program)|interactive\.difffilter|uploadpack\.packobjectshook|credential\.(.+\.)?helper|alias\..+|web\.browser|browser\..+\.cmd|mergetool\..+\.cmd|difftool\..+\.cmd|sendemail\.(smtpserver|tocmd|cccmd))$/.test(key.toLowerCase());

const sections = ['core', 'sequence', 'pager', 'diff', 'merge', 'filter', 'gpg', 'interactive', 'uploadpack', 'credential', 'alias', 'web', 'browser', 'mergetool', 'difftool', 'sendemail', 'remote', 'branch', 'user', 'include', 'Core', 'ALIAS', ''];
const names = ['pager', 'sshCommand', 'editor', 'askpass', 'fsmonitor', 'hooksPath', 'external', 'textconv', 'command', 'driver', 'clean', 'smudge', 'process', 'program', 'diffFilter', 'packObjectsHook', 'helper', 'browser', 'cmd', 'smtpServer', 'tocmd', 'cccmd', 'bare', 'url', 'st', '', 'x.y'];
const subsections = [undefined, 'x', 'lfs', 'https://example.com', 'a.b', ''];

describe('git configuration keys that run a command', () => {
  it('agrees with the single pattern on every section, subsection and name', () => {
    let commands = 0;
    for (const section of sections) {
      for (const name of names) {
        for (const sub of subsections) {
          const key = sub === undefined ? `${section}.${name}` : `${section}.${sub}.${name}`;
          expect(gitCommandKey(key), key).toBe(oracle(key));
          if (oracle(key)) commands++;
        }
      }
    }
    expect(commands).toBeGreaterThan(100);
  });

  it.each(['core', 'alias', 'alias.', '.pager', 'credential..helper', 'gpg..program', 'GPG.Program', 'Alias.St', 'core.pager.x'])('agrees on %s', (key) => {
    expect(gitCommandKey(key)).toBe(oracle(key));
  });
});
