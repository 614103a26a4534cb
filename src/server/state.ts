// Where a shim finds the resident decision (src/server/serve.ts): one line in the account's state
// directory, written by the server as it starts listening and removed as it stops.
//
//   PORT SERVER_SECRET CLIENT_SECRET PID
//
// The file is the account's own (0600 in a 0700 directory), so only the account's processes learn the
// secrets. The server says SERVER_SECRET first, so a shim never tells its request to whatever else
// listens on a port a stopped server left (another account's program may); a shim says CLIENT_SECRET
// before its request, so no other account can ask. The account's own processes can do both, as they
// can rewrite the shims themselves: see docs/threat-model.md.

import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaperoneStateDir } from '../context/files.js';
import { hardenState } from '../harden/system.js';

export interface ServerState {
  port: number;
  serverSecret: string;
  clientSecret: string;
  pid: number;
}

export function serverFile(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'server');
}

/** The state line, parsed; undefined when there is none or it is not one. */
export function parseServerState(text: string): ServerState | undefined {
  const match = /^(\d{1,5}) ([0-9a-f]{32}) ([0-9a-f]{32}) (\d{1,9})\n?$/.exec(text);
  if (!match) return undefined;
  return { port: Number(match[1]), serverSecret: match[2], clientSecret: match[3], pid: Number(match[4]) };
}

export function formatServerState(state: ServerState): string {
  return `${state.port} ${state.serverSecret} ${state.clientSecret} ${state.pid}\n`;
}

export function readServerState(env: NodeJS.ProcessEnv): ServerState | undefined {
  let fd: number | undefined;
  try {
    // Opened without waiting, and read only if a regular file: a FIFO put there would otherwise hold
    // every decision that starts a server, and the server's own checks, at the open.
    fd = openSync(serverFile(env), constants.O_RDONLY | constants.O_NONBLOCK);
    return fstatSync(fd).isFile() ? parseServerState(readFileSync(fd, 'utf8')) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether process `pid` is alive (and ours to signal). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether calls here may use a resident decision. Off with CHAPERONE_SERVER=off; off on a hardened
 * machine, whose decisions are root's and run from the hardened runner, never from a process of the
 * user's; off without Linux's /proc, which is how the server reads its caller. The test bundle has it
 * off unless CHAPERONE_SERVER=on, so the suite's thousands of calls in throwaway homes do not each
 * leave a server behind.
 */
export function serverEnabled(env: NodeJS.ProcessEnv): boolean {
  return serverOffBecause(env) === undefined;
}

/** Why calls here do not use a resident decision (see serverEnabled); undefined when they do. */
export function serverOffBecause(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform !== 'linux') return 'it reads its callers from Linux /proc';
  const setting = env.CHAPERONE_SERVER;
  if (setting === 'off') return 'CHAPERONE_SERVER=off';
  if (CHAPERONE_TEST_BUILD && setting !== 'on') return 'the test build has it off unless CHAPERONE_SERVER=on';
  if (hardenState() !== undefined) return "the machine is hardened: decisions are root's, made by the hardened runner";
  return undefined;
}

declare const CHAPERONE_TEST_BUILD: boolean;
