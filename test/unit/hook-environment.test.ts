// The environment the resident decision judges a hook request with (src/server/hook-request.ts,
// asNodeGetsIt) against the one the Node hook gets when the hook line's bash client execs it: the
// client's own environment (what /proc shows the server) through a real bash -p that runs a few
// commands and then execs, as the client does. One row per way bash changes what it passes on.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asNodeGetsIt } from '../../src/server/hook-request.js';
import { restoreSetAside } from '../../src/shim/set-aside.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-hook-env-')));
const cwd = join(root, 'project');
mkdirSync(cwd);
symlinkSync(cwd, join(root, 'link'));

/** What Node gets from bash started with `env` as the hook line starts its client: it runs commands, then execs. */
function throughBash(env: Record<string, string>): Record<string, string> {
  const out = spawnSync('/bin/bash', ['--norc', '-p', '-c', 'chaperone_x=1; [ -t 0 ]; exec /usr/bin/env -0'], { env, cwd, encoding: 'utf8' });
  const seen = Object.fromEntries(out.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  restoreSetAside(seen);
  return seen;
}

const rows: [string, Record<string, string>][] = [
  ['nothing', {}],
  ['PWD naming the directory', { PWD: cwd }],
  ['PWD through a link to it', { PWD: join(root, 'link') }],
  ['PWD with ./ and // in it', { PWD: `${root}//project/./` }],
  ['PWD naming another directory', { PWD: root }],
  ['PWD that does not exist', { PWD: '/nonexistent' }],
  ['PWD relative', { PWD: 'project' }],
  ['OLDPWD a directory', { OLDPWD: root }],
  ['OLDPWD relative, a directory from here', { OLDPWD: '.' }],
  ['OLDPWD not a directory', { OLDPWD: '/nonexistent' }],
  ['OLDPWD empty', { OLDPWD: '' }],
  ['_', { _: '/usr/bin/something' }],
  ['SHLVL 3', { SHLVL: '3' }],
  ['SHLVL 005', { SHLVL: '005' }],
  ['SHLVL with spaces and a sign', { SHLVL: ' +7 ' }],
  ['SHLVL negative', { SHLVL: '-4' }],
  ['SHLVL 998', { SHLVL: '998' }],
  ['SHLVL 999 (bash warns and resets)', { SHLVL: '999' }],
  ['SHLVL not a number', { SHLVL: '0x10' }],
  ['NODE_OPTIONS set aside by the line', { CHAPERONE_NODE_OPTIONS: '--require ./x.js', RAILWAY_TOKEN: 't' }],
  ['an odd name and an exported function', { 'spring.profiles.active': 'dev', 'BASH_FUNC_f%%': '() {  echo hi\n}' }],
];

describe('the environment a hook request is judged with is the Node hook\'s', () => {
  it.each(rows)('%s', (_name, env) => {
    const given = { A: '1', ...env };
    expect(asNodeGetsIt(given, cwd)).toEqual(throughBash(given));
  });
});
