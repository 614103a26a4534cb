// The carried-text readers (src/shell/carried.ts) on random argv made of the words they look for: they
// never throw, and a dangerous command carried in any of the spellings they read is always found by the
// line analysis. Seeded, so a failure repeats.

import { describe, expect, it } from 'vitest';
import { carriedLaunches } from '../../src/shell/carried.js';
import { analyzeLine } from '../../src/shell/analyze.js';
import { random } from '../helpers/random.js';

const programs = ['gdb', 'apt-get', 'socat', 'tcpdump', 'strace', 'ed', 'awk', 'gawk', 'mawk', 'sed', 'vim', 'vi', 'nvim', 'git', 'vagrant', 'less', 'man', 'busybox', 'rsync', 'tar', 'zip'];
const pieces = [
  '-c', '-e', '-f', '-ex', '-o', '-z', 'system:', 'exec:x,y', '+!x', 'APT::Update::Pre-Invoke::=x', '-I', '-P', '-TT', '--to-command', '--checkpoint-action=exec=', '--rsh=x', '-n', '-i', '-F', '-v', '--', '+', '+r !x', 'ssh', 'config', 'alias.x', 'core.pager=', 'core.pager=x', '--config-env=core.pager=V',
  'system(', ')', '"', "'", '|', '||', '|&', 'getline', 'print', '$0', 'e', '1e x', 's/a/b/e', '/re/', '\\', '{', '}', ';', '\n', '!', ':!', 'terminal',
  'BEGIN{system("railway down")}', '1e railway down', '!railway down', 'railway down', '', ' ', 'ü', '\u0000', '=', 'x',
];
const variables = ['PAGER', 'GIT_SSH_COMMAND', 'EDITOR', 'LESSOPEN', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0', 'GIT_CONFIG_PARAMETERS'];

describe('carried text on random argv', () => {
  it('never throws', () => {
    const next = random(0xca221ed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
    for (let round = 0; round < 4000; round++) {
      const argv = [pick(programs), ...Array.from({ length: Math.floor(next() * 10) }, () => pick(pieces))];
      const set: Record<string, string> = {};
      if (next() < 0.3) set[pick(variables)] = pick(pieces);
      expect(() => carriedLaunches(argv, set)).not.toThrow();
      const line = argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
      expect(() => analyzeLine(line, { cwd: '/', env: { HOME: '/h' } })).not.toThrow();
    }
  });

  it('finds railway down in every spelling, whatever surrounds it', () => {
    const next = random(0x5eed2);
    const spellings = [
      (c: string) => `awk 'BEGIN{system("${c}")}'`,
      (c: string) => `gawk '{ print "${c}" | "sh" }' f`,
      (c: string) => `sed -n '1e ${c}' f`,
      (c: string) => `sed -e '$e ${c}' f`,
      (c: string) => `vim -c '!${c}' f`,
      (c: string) => `vim +':r !${c}' f`,
      (c: string) => `git -c core.pager='${c}' log`,
      (c: string) => `git -c core.sshCommand='${c}' fetch`,
      (c: string) => `git config alias.x '!${c}'`,
      (c: string) => `GIT_SSH_COMMAND='${c}' git fetch`,
      (c: string) => `PAGER='${c}' git log`,
      (c: string) => `EDITOR='${c}' git commit`,
      (c: string) => `LESSOPEN='|${c} %s' less f`,
      (c: string) => `vagrant ssh -c '${c}'`,
      (c: string) => `rsync -e '${c}' a b:`,
      (c: string) => `tar -xf a.tar --to-command='${c}'`,
    ];
    const before = ['', 'cd /tmp && ', 'true; ', 'sudo ', 'env '];
    for (let round = 0; round < 300; round++) {
      const spell = spellings[Math.floor(next() * spellings.length)];
      const line = before[Math.floor(next() * before.length)] + spell('railway down');
      const commands = analyzeLine(line, { cwd: '/', env: { HOME: '/h' } }).commands.map((c) => c.argv.join(' '));
      expect(commands.some((c) => c.includes('railway down')), line).toBe(true);
      expect(commands.some((c) => c.startsWith('railway down') || c.startsWith('ssh vagrant-')), line).toBe(true);
    }
  });
});
