// Which shell the shims are written for (src/shim/interpreter.ts): the one that keeps every environment
// entry where there is one, found by trying it.

import { describe, expect, it } from 'vitest';
import { existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { keepsOddNames, shimShebang } from '../../src/shim/interpreter.js';

const bash5 = existsSync('/bin/bash') && Number(spawnSync('/bin/bash', ['-c', 'echo ${BASH_VERSINFO[0]}'], { encoding: 'utf8' }).stdout.trim()) >= 5;
const dash = existsSync('/bin/sh') && realpathSync('/bin/sh').endsWith('dash');

describe('the shims\' shell', () => {
  it.runIf(bash5)('bash 5 with -p keeps names that are not identifiers and exported functions', () => {
    expect(keepsOddNames('/bin/bash')).toBe(true);
    expect(shimShebang({})).toBe('#!/bin/bash -p');
  });

  it.runIf(dash)('dash drops them, so it is not chosen for that', () => {
    expect(keepsOddNames('/bin/sh')).toBe(false);
  });

  it('a shell that is not there keeps nothing', () => {
    expect(keepsOddNames('/nonexistent/bash')).toBe(false);
  });

  it('CHAPERONE_SHIM_SHELL=sh chooses /bin/sh, for its speed', () => {
    expect(shimShebang({ CHAPERONE_SHIM_SHELL: 'sh' })).toBe('#!/bin/sh');
  });
});
