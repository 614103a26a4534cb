// The resident decision: one Node process per account that decides shim calls, so a call that reaches
// a decision costs a connection and the decision's own work, not a Node start (~20 ms), loading the
// bundle and its rules, and, for SQL, the grammar. The bash shim asks it first (src/server/client.ts);
// without it, or whenever it cannot decide, the shim starts Node as it always has.
//
// It decides only what needs nothing of the caller's process but what /proc shows: a call that runs,
// and one that is refused. A call that would ask a human at a terminal, use an approval, or read the
// caller's stdin or another of its descriptors is answered `node`, and the shim decides it in a Node
// process of its own. The answer (src/server/client.ts reads it):
//
//   exec DEPTH PATH      the shim sets CHAPERONE_DEPTH and execs PATH with its own argv
//   refuse STATUS        the shim exits with STATUS
//   node                 the shim decides the ordinary way
//
// then a line with git's exec-path overlay (empty for other tools), then what the caller is told (a
// refusal, a notice), then `chaperone:end`, so an answer cut short is never acted on.
//
// Calls are decided one at a time: the decision code reads the caller's stdin view, the working
// directory and what is said from module state set for one call. The server stops after a while with
// no calls, when chaperone is reinstalled or upgraded (its bundle or rules change), when the machine is
// hardened, or when another server has taken the state file.

import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../errors.js';
import { evaluate } from '../evaluate.js';
import { DecideInCaller, passGate } from '../gate/gate.js';
import { systemDir } from '../harden/system.js';
import { keepSaid } from '../io.js';
import { redactText } from '../redact.js';
import { judgingElsewhere } from '../payload/descriptors.js';
import { realTool, shimCall } from '../shim/main.js';
import { readCaller, type Caller } from './caller.js';
import { answerHook, isHookRequest, readHookPayload } from './hook-request.js';
import { guardOwnPaths } from './own-paths.js';
import { answerEnd } from './protocol.js';
import { formatServerState, readServerState, serverFile, type ServerState } from './state.js';

/** How long the server waits for a call before it stops. CHAPERONE_SERVER_IDLE_SECONDS changes it (tests). */
function idleSeconds(env: NodeJS.ProcessEnv): number {
  const value = Number(env.CHAPERONE_SERVER_IDLE_SECONDS);
  return Number.isInteger(value) && value > 0 ? value : 15 * 60;
}

/** The files whose change means this server's code or built-in rules are no longer the installed ones. */
function buildFiles(): string[] {
  return ['shim-main.cjs', 'rules.json', 'server.cjs', 'hook-main.cjs'].map((name) => join(distDir(), name));
}

/** dist/, where this bundle and the shim's entry are. */
function distDir(): string {
  return import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
}

export { answerEnd } from './protocol.js';

export async function runServer(): Promise<void> {
  const env = process.env;
  guardOwnPaths();
  const file = serverFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const built = new Map(buildFiles().map((path) => [path, mtimeOf(path)]));
  const hardenFile = join(systemDir(), 'harden.json');
  const state: Omit<ServerState, 'port'> = { serverSecret: secret(), clientSecret: secret(), pid: process.pid };
  const queue: (() => Promise<void>)[] = [];
  let busy = false;
  let idle: NodeJS.Timeout | undefined;

  const stop = () => {
    // The state file is removed only while it still names this server.
    if (readServerState(env)?.pid === process.pid) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
    process.exit(0);
  };
  const stale = () => readServerState(env)?.pid !== process.pid || existsSync(hardenFile) || [...built].some(([path, mtime]) => mtimeOf(path) !== mtime);
  const rearm = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(stop, idleSeconds(env) * 1000);
  };
  const drain = async () => {
    if (busy) return;
    busy = true;
    for (let next = queue.shift(); next; next = queue.shift()) await next();
    busy = false;
  };

  const server = createServer((socket) => {
    rearm();
    socket.setNoDelay(true);
    socket.write(`${state.serverSecret}\n`);
    let request = '';
    socket.setEncoding('latin1');
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    const enqueue = (line: string, work: () => Promise<string>) => {
      // The request is whole: from here the shim waits as long as the decision takes (its own limit),
      // and nothing more is read of it but its end, which tells that it gave up waiting.
      socket.setTimeout(0);
      socket.removeAllListeners('data');
      socket.resume();
      queue.push(async () => {
        // A shim that gave up (it decided in Node meanwhile) is not decided for a second time.
        if (socket.destroyed || socket.readableEnded) return;
        if (stale()) {
          if (CHAPERONE_TEST_BUILD) heard(file, line, 'stale\n');
          socket.end(leave('this server is stale (chaperone changed, or another server took over)', ''));
          return stop();
        }
        const reply = await work();
        if (CHAPERONE_TEST_BUILD) heard(file, line, reply);
        socket.end(reply);
      });
      void drain();
    };
    socket.on('data', (chunk: string) => {
      request += chunk;
      const end = request.indexOf('\n');
      if (end < 0 || end > 200) return void (request.length > 200 && socket.destroy());
      socket.removeAllListeners('data');
      const line = request.slice(0, end);
      // An agent hook's request: its payload follows the line (src/server/hook-request.ts).
      if (isHookRequest(line)) return readHookPayload(socket, request.slice(end + 1), (payload) => enqueue(line, () => answerHook(line, payload, socket, state.clientSecret, { callersOwn, leave, distDir: distDir() })));
      enqueue(line, () => answer(line, socket, state.clientSecret));
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') return process.exit(1);
    // The state file goes in whole or not at all: a shim never reads half of one.
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, formatServerState({ ...state, port: address.port }), { mode: 0o600 });
    renameSync(temporary, file);
    // The mark of the call that started this server (src/server/start.ts) has done its work.
    rmSync(`${file}.starting`, { force: true });
    rearm();
  });
  server.on('error', () => process.exit(1));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
}

/** The answer to one request line: `CLIENT_SECRET PID ARGC FLAGS`. */
async function answer(line: string, socket: Socket, clientSecret: string): Promise<string> {
  const match = /^([0-9a-f]{32}) (\d{1,9}) (\d{1,6}) ([a-z-]{1,8})$/.exec(line);
  if (!match || match[1] !== clientSecret) return leave('a request without the secret', line.slice(33, 60));
  const flags = match[4];
  try {
    const caller = readCaller(Number(match[2]), Number(match[3]), { caller: socket.remotePort ?? -1, server: socket.localPort ?? -1 });
    return await decideFor(caller, { stdinTerminal: flags.includes('t'), ttyUsable: flags.includes('d') });
  } catch (error) {
    // The caller could not be read (CallerUnreadable), or something else failed: the shim decides, as without a server.
    return leave((error as Error).message, match[2]);
  }
}

/**
 * The answer that leaves the call to the shim's own Node. With CHAPERONE_SERVER_TRACE=FILE in the
 * environment of the call that started the server, each one is written there with why (for a user
 * asking why a call was slow, and for tests).
 */
function leave(why: string, about: string): string {
  const trace = process.env.CHAPERONE_SERVER_TRACE;
  if (trace) {
    try {
      // An error's message may quote what the call carries (a connection string): redacted like any output.
      appendFileSync(trace, redactText(`${about}\tnode\t${why}\n`));
    } catch {
      // a trace that cannot be written is not the caller's problem
    }
  }
  return `node\n\n${answerEnd}`;
}

/**
 * Paths by which a call reaches its own process's descriptors or terminal. Here they would name the
 * server's, so a call that mentions one anywhere (an argument, a variable) is left to the shim.
 */
const callersOwn = /\/dev\/(?:fd|stdin|stdout|stderr|tty|pts)\b|\/proc\/(?:self|thread-self|\d+)\b/;
/**
 * Variables that only name the session's terminal, set in every ssh login (SSH_TTY) and many shells
 * (GPG_TTY=$(tty)): no reader opens them, and leaving every call of such a session to Node would take
 * the server away from it. A path opened through one is still caught (own-paths.ts).
 */
const terminalNames = new Set(['SSH_TTY', 'GPG_TTY']);

async function decideFor(caller: Caller, seen: { stdinTerminal: boolean; ttyUsable: boolean }): Promise<string> {
  const { env, cwd } = caller;
  const about = String(caller.pid);
  const named = [...caller.args, ...Object.entries(env).filter(([name]) => !terminalNames.has(name)).map(([, value]) => value)].find((value) => value !== undefined && callersOwn.test(value));
  if (named !== undefined) return leave(`names the caller's own descriptors or terminal: ${callersOwn.exec(named)?.[0]}`, about);
  if (/^\/(?:proc|dev)(?:\/|$)/.test(cwd)) return leave('works in /proc or /dev', about);
  const call = shimCall(caller.shimPath, caller.args, undefined, env, cwd);
  const { tool, args, depth } = call;
  // Relative paths the readers open are the caller's: they are resolved from its directory.
  const home = process.cwd();
  try {
    process.chdir(cwd);
  } catch {
    return leave('its working directory cannot be entered', about);
  }
  // What a reader falls back on for a caller without HOME, os.homedir(), reads this process's HOME:
  // for the decision it is the caller's (or none, and the account's passwd entry answers), as in the
  // caller's own Node. Else such a call was judged by the home of whichever call started the server.
  const ownHome = process.env.HOME;
  setHome(env.HOME);
  try {
    const judged = await judgingElsewhere({ stat: caller.stdin, terminal: seen.stdinTerminal }, async () => {
      const evaluation = await evaluate({ tool, args, cwd, env }, { terminal: () => seen.ttyUsable });
      if (evaluation.stdin) throw new DecideInCaller('stdin was read');
      const { result: passed, said } = await keepSaid(() => passGate(evaluation, { elsewhere: true }));
      return { passed, said };
    });
    if (judged.claimed) return leave('it reads the caller\'s stdin or another of its descriptors', about);
    if (judged.error !== undefined || judged.result === undefined) return leave(judged.error instanceof Error ? judged.error.message : 'no decision', about);
    const { passed, said } = judged.result;
    if (!passed) return `refuse ${ExitCode.refused}\n\n${said}${answerEnd}`;
    const { realPath, toolEnv } = await realTool(call, { node: process.execPath, entry: join(distDir(), 'shim.cjs') });
    const overlay = tool === 'git' ? (toolEnv.GIT_EXEC_PATH ?? '') : '';
    if (realPath.includes('\n') || overlay.includes('\n')) return leave('a path with a newline in it', about);
    return `exec ${depth} ${realPath}\n${overlay}\n${said}${answerEnd}`;
  } catch (error) {
    return leave((error as Error).message, about);
  } finally {
    setHome(ownHome);
    process.chdir(home);
  }
}

function setHome(value: string | undefined): void {
  if (value === undefined) delete process.env.HOME;
  else process.env.HOME = value;
}

/**
 * The test bundle only (test/e2e/server.test.ts): one line per answer, `PID ACTION`, beside the state
 * file, so a test can tell a call the server decided from one it left to the shim's Node. The shipped
 * bundle has none of this (the constant is false there, and the branch is removed).
 */
function heard(file: string, line: string, reply: string): void {
  try {
    appendFileSync(`${file}.answers`, `${line.split(' ')[1] ?? '-'} ${reply.slice(0, reply.indexOf('\n'))}\n`);
  } catch {
    // a test that removed the directory
  }
}

declare const CHAPERONE_TEST_BUILD: boolean;

function secret(): string {
  return randomBytes(16).toString('hex');
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
