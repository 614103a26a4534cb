// The resident decision (src/server/) in end-to-end tests: where a sandbox's server keeps its state,
// what it answered, and stopping every server a test file started, so none outlives the run.
//
// The test bundle's server writes one line per answer, `PID ACTION`, beside its state file
// (src/server/serve.ts, `heard`; the shipped bundle has no such code). A call whose shim pid has an
// `exec` or `refuse` line there was decided by the server: the shim acts on such an answer and never
// starts Node. A `node` line is a call the server left to the shim's own Node.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Sandbox } from './sandbox.js';
import { alive } from '../../src/server/state.js';

export { alive };

/** The account's state directory in a sandbox (the test bundle's, under CHAPERONE_TEST_ACCOUNT_HOME). */
export const stateDirOf = (sb: Sandbox) => join(sb.home, '.local', 'state', 'chaperone');
export const stateFileOf = (sb: Sandbox) => join(stateDirOf(sb), 'server');

export interface StateLine {
  port: number;
  serverSecret: string;
  clientSecret: string;
  pid: number;
}

/** The sandbox's state file, parsed; undefined when there is none. */
export function serverState(sb: Sandbox): StateLine | undefined {
  let text: string;
  try {
    text = readFileSync(stateFileOf(sb), 'utf8');
  } catch {
    return undefined;
  }
  const [port, serverSecret, clientSecret, pid] = text.trim().split(' ');
  return { port: Number(port), serverSecret, clientSecret, pid: Number(pid) };
}

export interface Answer {
  pid: number;
  /** exec DEPTH PATH, refuse STATUS, node, or `stale` (the server found itself outdated and stopped). */
  action: string;
}

/** Everything the sandbox's servers answered so far, in order. */
export function answers(sb: Sandbox): Answer[] {
  let text = '';
  try {
    text = readFileSync(`${stateFileOf(sb)}.answers`, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ pid: Number(line.slice(0, line.indexOf(' '))), action: line.slice(line.indexOf(' ') + 1) }));
}

/** What the server answered the shim with process id `pid`; undefined when it was not asked. */
export const answerFor = (sb: Sandbox, pid: number | undefined) => answers(sb).find((a) => a.pid === pid)?.action;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds; throws naming `what` after a generous limit (a loaded machine is slow). */
export async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`waited ${limitMs / 1000} s for ${what}`);
    await sleep(25);
  }
}

/** Waits until the sandbox has a live server, and returns its state. */
export async function runningServer(sb: Sandbox): Promise<StateLine> {
  await until(() => {
    const state = serverState(sb);
    return state !== undefined && alive(state.pid);
  }, `a server in ${sb.root}`);
  return serverState(sb)!;
}

/**
 * Server processes started for a sandbox: the test bundle's server.cjs, with the sandbox's account
 * home in its environment. Found in /proc, so one whose state file a test replaced is found too.
 */
export function serverProcesses(root: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => arg.endsWith('/server.cjs'))) continue;
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (env.some((entry) => entry.startsWith('CHAPERONE_TEST_ACCOUNT_HOME=') && entry.slice('CHAPERONE_TEST_ACCOUNT_HOME='.length).startsWith(`${root}/`))) found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Stops the servers of these sandboxes (by pid) and waits until they are gone. */
export async function stopServers(roots: readonly string[]): Promise<void> {
  const pids = roots.flatMap(serverProcesses);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
  await until(() => pids.every((pid) => !alive(pid)), `servers ${pids.join(' ')} to stop`, 10_000).catch(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
}

/** Registers the sandboxes whose servers are stopped when the test file is done. */
export function stopServersAfterAll(): (sb: Sandbox) => Sandbox {
  const roots: string[] = [];
  afterAll(async () => {
    await stopServers(roots);
    // None left behind: what a later `ps` would show.
    const left = roots.flatMap(serverProcesses);
    if (left.length > 0) throw new Error(`servers still running after the tests: ${left.join(' ')}`);
  });
  return (sb) => {
    roots.push(sb.root);
    return sb;
  };
}
