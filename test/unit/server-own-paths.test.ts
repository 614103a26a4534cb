// reachesOwn (src/server/own-paths.ts): whether a path, resolved link by link as the kernel does,
// passes through one that names the opening process's own descriptors. The links are a table here.

import { describe, expect, it } from 'vitest';
import { reachesOwn } from '../../src/server/own-paths.js';

const links: Record<string, string> = {
  '/w/proc-link.yaml': '/proc/self/fd/30',
  '/w/dev-fd-link.yaml': '/dev/fd/30',
  '/w/stdin.sql': '/dev/stdin',
  '/w/fds': '/proc/self/fd',
  '/w/rel': 'fds/7',
  '/w/chain': 'rel',
  '/w/dev.yaml': 'real/dev.yaml',
  '/w/up': '..',
  '/w/loop': 'loop',
  '/w/pid': '/proc/4242/fd/0',
  '/w/tty': '/dev/pts/3',
  '/w/null': '/dev/null',
  '/w/cpu': '/proc/cpuinfo',
};
const readlink = (path: string) => {
  const target = links[path];
  if (target === undefined) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
  return target;
};

describe('reachesOwn', () => {
  it.each([
    ['proc-link.yaml', true],
    ['dev-fd-link.yaml', true],
    ['stdin.sql', true],
    ['fds/30', true],
    ['./fds/../fd/30', true], // the kernel follows fds first, then goes up from /proc/self/fd
    ['rel', true],
    ['chain', true],
    ['pid', true],
    ['tty', true],
    ['/proc/self/environ', true],
    ['/proc/thread-self/fd/1', true],
    ['/dev/fd', true],
    ['loop', true], // a link loop: the tool fails; not for the server to say how
    ['dev.yaml', false],
    ['up/w/dev.yaml', false],
    ['null', false],
    ['cpu', false],
    ['/proc/cpuinfo', false],
    ['/procfs/self', false],
    ['/w/self', false],
    ['up/w/stdin.sql', true],
  ])('%s → %s', (path, expected) => {
    expect(reachesOwn(path, readlink, '/w')).toBe(expected);
  });
});
