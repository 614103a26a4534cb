// NODE_OPTIONS and NODE_EXTRA_CA_CERTS set aside for Node and given back, by the sh the shims run and by
// Node: whatever the caller had under those names and under CHAPERONE_NODE_OPTIONS,
// CHAPERONE_CHAPERONE_NODE_OPTIONS… (unset, empty, or any bytes) comes back exactly, and Node starts
// with neither variable. Run under dash and bash, for every combination, then for random ones.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreSetAside, restoreSh, setAside, setAsideSh } from '../../src/shim/set-aside.js';
import { random } from '../helpers/random.js';

const names = ['NODE_OPTIONS', 'CHAPERONE_NODE_OPTIONS', 'CHAPERONE_CHAPERONE_NODE_OPTIONS', 'CHAPERONE_CHAPERONE_CHAPERONE_NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'CHAPERONE_NODE_EXTRA_CA_CERTS'];
const shells = ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s));
const values = ['', '--max-old-space-size=4096', '1+x', '2-', '--require ./a.js\n--b', "it's $HOME `x` \\ \"q\"", '-', '+', '0'];

/** The environment as the sh sees it at three points: as given, as Node starts, and as the tool gets it. */
function throughSh(shell: string, env: Record<string, string>): { node: Record<string, string>; tool: Record<string, string> } {
  // env -0 as what is started: no Node, which would refuse some of these NODE_OPTIONS.
  const script = `${setAsideSh}; env -0; printf '\\001\\000'; ${restoreSh}; env -0`;
  const args = shell.endsWith('bash') ? ['--norc', '-p', '-c', script] : ['-c', script];
  const run = spawnSync(shell, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const parse = (text: string) => Object.fromEntries(text.split('\0').filter((e) => e !== '').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const [node, tool] = run.stdout.split('\u0001\0');
  return { node: parse(node), tool: parse(tool) };
}

const ours = (env: Record<string, string | undefined>) => Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]!]));

function check(given: Record<string, string>): void {
  for (const shell of shells) {
    const { node, tool } = throughSh(shell, given);
    expect(node.NODE_OPTIONS, shell).toBeUndefined();
    expect(node.NODE_EXTRA_CA_CERTS, shell).toBeUndefined();
    expect(ours(tool), `${shell}: the tool`).toEqual(given);
    const decided: NodeJS.ProcessEnv = { ...node };
    restoreSetAside(decided);
    expect(ours(decided), `${shell}: the decision`).toEqual(given);
  }
  // The Node-made set-aside (the feeder's) gives the same variables, and back.
  const copy = setAside(given);
  expect(copy.NODE_OPTIONS).toBeUndefined();
  restoreSetAside(copy);
  expect(ours(copy)).toEqual(given);
}

describe('set aside and given back', () => {
  const states = [undefined, '', '--max-old-space-size=4096'];
  for (const n of states) {
    for (const c of [undefined, '', '--require ./mine.js']) {
      it(`NODE_OPTIONS ${JSON.stringify(n)}, CHAPERONE_NODE_OPTIONS ${JSON.stringify(c)}`, () => {
        check({ ...(n !== undefined ? { NODE_OPTIONS: n } : {}), ...(c !== undefined ? { CHAPERONE_NODE_OPTIONS: c } : {}) });
      });
    }
  }

  it('a gap in the caller’s own names (CHAPERONE_X and CHAPERONE_CHAPERONE_CHAPERONE_X, not the one between)', () => {
    check({ NODE_OPTIONS: '--a', CHAPERONE_NODE_OPTIONS: 'mine', CHAPERONE_CHAPERONE_CHAPERONE_NODE_OPTIONS: 'third' });
  });

  it('an older shim’s saved value (the value itself) is still given back', () => {
    const env: NodeJS.ProcessEnv = { CHAPERONE_NODE_OPTIONS: '--max-old-space-size=4096' };
    restoreSetAside(env);
    expect(env).toEqual({ NODE_OPTIONS: '--max-old-space-size=4096' });
  });

  it('random combinations of set, empty and odd values (property)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      const given: Record<string, string> = {};
      for (const name of names) if (next() < 0.5) given[name] = values[Math.floor(next() * values.length)];
      check(given);
    }
  });
});
