// reachesProcessOwn (src/payload/descriptors.ts): whether a path names the opening process's own
// descriptors, terminal or /proc entry, by any spelling, through symlinks followed a component at a
// time. The resident decision leaves such a call to the caller's own Node (test/e2e/server.test.ts).

import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reachesProcessOwn } from '../../src/payload/descriptors.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-own-')));
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'plain.sql'), 'select 1;\n');
for (const [name, target] of [
  ['to-stdin', '/dev/stdin'],
  ['to-proc-fd', '/proc/self/fd/0'],
  ['to-proc', '/proc'],
  ['to-dev', '/dev'],
  ['chain', 'to-stdin'],
  ['relative-up', 'sub/../../../../../../../../proc/self/environ'],
  ['to-plain', 'plain.sql'],
  ['to-null', '/dev/null'],
  ['to-sub', 'sub'],
  ['loop-a', 'loop-b'],
  ['loop-b', 'loop-a'],
] as const) symlinkSync(target, join(dir, name));
symlinkSync('../to-proc-fd', join(dir, 'sub', 'up-link'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reaches = (path: string) => reachesProcessOwn(path, dir, fs);

describe('paths that name the opener\'s own descriptors', () => {
  it.each([
    '/proc/self/fd/0',
    '/proc/self',
    '/proc/thread-self/fd/3',
    '/proc/12345/environ',
    '/proc/./self/fd/0',
    '//proc//self/environ',
    '/proc/sys/../self/fd/7',
    '/dev/stdin',
    '/dev/./stdin',
    '/dev//fd/0',
    '/dev/fd/7',
    '/dev/stderr',
    '/dev/tty',
    '/dev/pts/0',
    'to-stdin',
    'to-proc-fd',
    'to-proc/self/fd/0',
    'to-dev/stdin',
    'to-dev/./fd/9',
    'chain',
    'relative-up',
    'sub/up-link',
    'to-sub/up-link',
    './sub/../to-stdin',
  ])('%s reaches them', (path) => expect(reaches(path)).toBe(true));

  it.each([
    '/dev/null',
    '/dev/urandom',
    '/proc',
    '/proc/cpuinfo',
    '/etc/hostname',
    'plain.sql',
    'to-plain',
    'to-null',
    'to-sub',
    'missing/../../proc/self',
    'loop-a',
    '/dev/stdinx',
    '/procx/self',
  ])('%s does not', (path) => expect(reaches(path)).toBe(false));
});
