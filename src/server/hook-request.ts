// The resident decision's second kind of request: an agent hook's (`chaperone hook AGENT`), asked by
// the bash client of the hook line `chaperone setup` writes (src/server/client.ts), so an agent's shell
// command costs a connection, not a Node start. The client reads the agent's request from its stdin
// and sends
//
//   CLIENT_SECRET hook PID AGENT\n  then the request's bytes, then a NUL (the client sends none with one inside)
//
// The hook's environment and working directory are read from its process in /proc, checked as a
// shim's are (src/server/caller.ts). The answer is the hook's own code run on those bytes
// (src/cli/hook-bundle.ts), told back as
//
//   hook STATUS\n  STDOUT_LINE\n  STDERR  \nchaperone:end
//
// STDOUT_LINE is the one line the agent reads on stdout (empty for none; the client adds its newline),
// STDERR what the hook would write on stderr, STATUS its exit status. Anything else, `node` included,
// sends the client to the Node hook with the same bytes on its stdin.

import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import type { HookAgent, HookAnswer } from '../hooks/protocols.js';
import { hookAgents } from '../hooks/protocols.js';
import { judgingElsewhere } from '../payload/descriptors.js';
import { restoreSetAside } from '../shim/set-aside.js';
import { loadBundle } from '../start/code-cache.js';
import { keepingShell } from '../shim/interpreter.js';
import { isDirectory, readCaller, sameFile, type StartedAs } from './caller.js';
import { hookClientScript } from './client.js';
import { answerEnd, payloadCharacters } from './protocol.js';

const requestLine = /^([0-9a-f]{32}) hook (\d{1,9}) ([a-z]{1,20})$/;

/** Whether a first line asks for a hook's decision (its payload follows it on the connection). */
export function isHookRequest(line: string): boolean {
  return requestLine.test(line);
}

/** The client sends at most payloadCharacters characters (a UTF-8 character is at most 4 bytes): more is not one of ours. */
const payloadLimit = payloadCharacters * 4;

/**
 * Collects the payload after the request line (`first`: what came with it, as latin1, byte for byte)
 * up to its NUL, then calls `done` with its bytes. Too much, or a connection that ends first, is cut.
 */
export function readHookPayload(socket: Socket, first: string, done: (payload: Buffer) => void): void {
  let text = first;
  const check = (): void => {
    const end = text.indexOf('\0');
    if (end >= 0) {
      socket.removeAllListeners('data');
      return done(Buffer.from(text.slice(0, end), 'latin1'));
    }
    if (text.length > payloadLimit) socket.destroy();
  };
  socket.on('data', (chunk: string) => {
    text += chunk;
    check();
  });
  check();
}

/** What the server lends a hook request: its test for the caller's own paths, its way of leaving a call to Node (traced), and dist/. */
export interface ServerParts {
  callersOwn: RegExp;
  leave: (why: string, about: string) => string;
  distDir: string;
}

/** The answer to a hook request: the hook's, or `node` when anything is in doubt. */
export async function answerHook(line: string, payload: Buffer, socket: Socket, clientSecret: string, { callersOwn, leave, distDir }: ServerParts): Promise<string> {
  const match = requestLine.exec(line);
  if (!match || match[1] !== clientSecret) return leave('a hook request without the secret', line.slice(33, 60));
  const about = `hook ${match[3]} ${match[2]}`;
  if (!hookAgents.includes(match[3] as HookAgent)) return leave('no such agent', about);
  const home = process.cwd();
  try {
    const caller = readCaller(Number(match[2]), 0, { caller: socket.remotePort ?? -1, server: socket.localPort ?? -1 }, '/proc', hookClient(match[3]));
    const env = asNodeGetsIt(caller.env, caller.cwd);
    // `/dev/stdin` or `/proc/self/…` in the request or a variable, or as the directory: here they would be the server's.
    const named = [payload.toString('latin1'), ...Object.values(env)].find((value) => value !== undefined && callersOwn.test(value));
    if (named !== undefined) return leave(`names the caller's own descriptors or terminal: ${callersOwn.exec(named)?.[0]}`, about);
    if (/^\/(?:proc|dev)(?:\/|$)/.test(caller.cwd)) return leave('works in /proc or /dev', about);
    process.chdir(caller.cwd);
    // Judged as for another process here too, so the server's guard on paths (src/server/own-paths.ts)
    // watches what the hook's code opens; the hook's bundle watches its own readers of stdin.
    const judged = await judgingElsewhere({ stat: caller.stdin, terminal: false }, () => hookBundle(distDir).answerHookRequest(match[3] as HookAgent, payload, env, caller.stdin));
    const answer = judged.claimed ? undefined : judged.result;
    if (judged.error !== undefined) throw judged.error;
    if (answer === undefined) return leave("it reads the hook's stdin or another of its descriptors", about);
    return told(answer) ?? leave('an answer the client cannot tell exactly', about);
  } catch (error) {
    // The caller could not be read (CallerUnreadable), or something else failed: the Node hook decides.
    return leave((error as Error).message, about);
  } finally {
    process.chdir(home);
  }
}

/**
 * The hook line's client as the line starts it (src/cli/setup.ts): `bash --norc -p -c CLIENT chaperone
 * NODE ENTRY STATE_FILE hook AGENT`, this version's client, for this agent. Another process that speaks
 * the protocol (a shell of the agent's own) is not read: its answer would be no hook's.
 */
function hookClient(agent: string): StartedAs {
  const script = hookClientScript();
  return {
    test: (argv) => argv.length === 11 && argv[0] === keepingShell && argv.slice(1, 4).join(' ') === '--norc -p -c' && argv[4] === script && argv[5] === 'chaperone' && argv[9] === 'hook' && argv[10] === agent,
    what: "the hook line's client as the line starts it",
  };
}

/**
 * The environment the Node hook would have: the client's, as bash hands it to the Node it execs, with
 * the variables the hook line set aside given back, as the Node hook's entry does (src/start/hook.ts).
 * bash (5.x, checked by test/unit/hook-environment.test.ts) drops `_`, keeps PWD only when it names the
 * working directory (else it is the directory), keeps OLDPWD only when it is a directory, and passes
 * SHLVL on as the number it was (up one as it starts, down one as it execs; not a number: 0).
 */
export function asNodeGetsIt(callerEnv: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const env = { ...callerEnv };
  delete env._;
  if (env.PWD === undefined || !env.PWD.startsWith('/') || !sameFile(env.PWD, cwd)) env.PWD = cwd;
  if (env.OLDPWD !== undefined && (env.OLDPWD === '' || !isDirectory(resolve(cwd, env.OLDPWD)))) delete env.OLDPWD;
  env.SHLVL = String(shellLevel(env.SHLVL));
  restoreSetAside(env);
  return env;
}

/** SHLVL after bash started with it and exec'd: its number, 0 when not one (or too high, or below 0). */
function shellLevel(value: string | undefined): number {
  const number = value !== undefined && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value.trim()) : 0;
  let level = number + 1;
  if (level < 0) level = 0;
  if (level >= 1000) level = 1;
  return Math.max(0, level - 1);
}

/** The answer as the client reads it, or undefined for one it could not tell exactly. */
function told(answer: HookAnswer): string | undefined {
  const { stdout, stderr, exitCode } = answer;
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) return undefined;
  // bash holds no NUL in a variable; stdout is one line or nothing.
  if (stdout.includes('\0') || stderr.includes('\0')) return undefined;
  if (stdout !== '' && (!stdout.endsWith('\n') || stdout.length === 1 || stdout.slice(0, -1).includes('\n'))) return undefined;
  return `hook ${exitCode}\n${stdout.slice(0, -1)}\n${stderr}\n${answerEnd}`;
}

type HookBundle = { answerHookRequest: (agent: HookAgent, payload: Buffer, env: NodeJS.ProcessEnv, stdin: Stats | undefined) => Promise<HookAnswer | undefined> };
let loaded: HookBundle | undefined;

/** The hook's own bundle (dist/hook-main.cjs), from its code cache, loaded at the first hook request. */
function hookBundle(distDir: string): HookBundle {
  loaded ??= loadBundle(join(distDir, 'hook-main.cjs'), createRequire(join(distDir, 'hook-main.cjs'))) as unknown as HookBundle;
  return loaded;
}
