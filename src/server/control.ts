// What `chaperone server`, `doctor` and `uninstall` say of the account's resident decision, and how
// they stop it.

import { readFileSync, unlinkSync } from 'node:fs';
import { alive, readServerState, serverFile, serverOffBecause } from './state.js';

export type ServerStatus =
  | { kind: 'off'; why: string }
  | { kind: 'running'; pid: number; port: number; rssMiB?: number }
  | { kind: 'stopped' };

export function serverStatus(env: NodeJS.ProcessEnv): ServerStatus {
  const why = serverOffBecause(env);
  if (why !== undefined) return { kind: 'off', why };
  const state = readServerState(env);
  if (!state || !alive(state.pid)) return { kind: 'stopped' };
  return { kind: 'running', pid: state.pid, port: state.port, ...(residentMiB(state.pid) !== undefined ? { rssMiB: residentMiB(state.pid) } : {}) };
}

/** Stops the account's server, if one runs; true when there was one. */
export function stopServer(env: NodeJS.ProcessEnv): boolean {
  const state = readServerState(env);
  if (!state) return false;
  const running = alive(state.pid) && isServer(state.pid);
  if (running) process.kill(state.pid, 'SIGTERM');
  try {
    unlinkSync(serverFile(env));
  } catch {
    // gone already
  }
  return running;
}

export function describeStatus(status: ServerStatus): string {
  switch (status.kind) {
    case 'off':
      return `resident decision: off (${status.why}); every decided call starts Node`;
    case 'stopped':
      return 'resident decision: not running; the next decided call starts one';
    case 'running':
      return `resident decision: running, pid ${status.pid}, 127.0.0.1:${status.port}${status.rssMiB !== undefined ? `, ${status.rssMiB} MiB resident` : ''}; it stops after 15 minutes without a call`;
  }
}

/** Whether `pid` runs chaperone's server entry (so a pid the state file names is never someone else's). */
function isServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.endsWith('/server.cjs'));
  } catch {
    return false;
  }
}

function residentMiB(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
  } catch {
    return undefined;
  }
}
