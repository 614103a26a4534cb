// The tool gets the caller's NODE_OPTIONS and CHAPERONE_NODE_OPTIONS exactly as it had them, whatever
// the route: the fast path (no Node), a decision in the shim's own Node (CHAPERONE_SERVER=off), and the
// resident decision. Each variable unset, empty or set, nine combinations per route; the recording
// double prints its environment. A caller's own CHAPERONE_NODE_OPTIONS used to be dropped.

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await makeSandbox(['kubectl']);
  sb.double('kubectl');
  writeKubeconfig(join(sb.home, '.kube', 'config'), { current: 'kind-dev', contexts: [{ name: 'kind-dev', server: 'https://127.0.0.1:6443' }] });
});

const states: [string, string | undefined][] = [['unset', undefined], ['empty', ''], ['set', '--max-old-space-size=4096']];
const routes: [string, string[], Record<string, string>][] = [
  ['the fast path', ['get', 'pods'], {}],
  ["the shim's Node", ['delete', 'ns', 'scratch'], { CHAPERONE_SERVER: 'off' }],
  ['the resident decision', ['delete', 'ns', 'scratch'], {}],
];

describe('NODE_OPTIONS and CHAPERONE_NODE_OPTIONS reach the tool as the caller had them', () => {
  for (const [route, args, routeEnv] of routes) {
    for (const [nName, n] of states) {
      for (const [cName, c] of states) {
        it(`${route}: NODE_OPTIONS ${nName}, CHAPERONE_NODE_OPTIONS ${cName}`, async () => {
          const mine = c === undefined ? undefined : c === '' ? '' : '--require ./mine.js';
          const given = { ...(n !== undefined ? { NODE_OPTIONS: n } : {}), ...(mine !== undefined ? { CHAPERONE_NODE_OPTIONS: mine } : {}) };
          // extendEnv is off in the sandbox: what is not given here is not in the caller's environment.
          const result = await sb.run('kubectl', args, { env: { ...routeEnv, ...given } });
          expect(result.exitCode, String(result.stderr)).toBe(0);
          const env = sb.record('kubectl')!.env;
          expect(sb.record('kubectl')!.argv).toEqual(args);
          for (const name of ['NODE_OPTIONS', 'CHAPERONE_NODE_OPTIONS', 'CHAPERONE_CHAPERONE_NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'CHAPERONE_NODE_EXTRA_CA_CERTS']) {
            expect(env[name], name).toBe((given as Record<string, string>)[name]);
          }
        });
      }
    }
  }
});

// The shim's own shell variables are all named chaperone_*: a caller's exported `entry`, `node`,
// `answer` or `status` (names the shim once used) reaches the tool as it was, whatever the route.
describe("a caller's variables named like a shell script's own reach the tool untouched", () => {
  for (const [route, args, routeEnv] of routes) {
    it(route, async () => {
      const given = { entry: 'mine/entry', node: 'my-node', answer: 'exec 1 /bin/false', status: '3', IFS: ' \t\n' };
      const result = await sb.run('kubectl', args, { env: { ...routeEnv, ...given } });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const env = sb.record('kubectl')!.env;
      for (const [name, value] of Object.entries(given)) if (name !== 'IFS') expect(env[name], name).toBe(value);
    });
  }
});
