// Starting the resident decision (src/server/serve.ts): a shim's Node decision starts one when the
// account has none, after deciding, so the next call asks it instead of starting Node. The server is
// detached (its own session, no descriptor of the caller's). Its environment is a few names that say
// where the account's files are: each decision reads its caller's own, and the server keeps none of a
// caller's tokens, nor the NODE_OPTIONS that every chaperone Node starts without.

import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, readServerState, serverEnabled, serverFile } from './state.js';

/** How long one start may take before another call may try again. */
const startingMs = 10_000;

export function startServerIfNone(env: NodeJS.ProcessEnv): void {
  try {
    if (!serverEnabled(env)) return;
    const running = readServerState(env);
    if (running && alive(running.pid)) return;
    const file = serverFile(env);
    const starting = `${file}.starting`;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      closeSync(openSync(starting, 'wx', 0o600));
    } catch {
      // Another call is starting one; a mark left by a start that died is taken over once it is old.
      if (Date.now() - statSync(starting).mtimeMs < startingMs) return;
      unlinkSync(starting);
      closeSync(openSync(starting, 'wx', 0o600));
    }
    const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const entry = join(import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)), 'server.cjs');
    spawn(process.execPath, [entry], { detached: true, stdio: 'ignore', cwd: '/', env: serverEnvironment(env) }).unref();
  } catch {
    // No server: every call decides in Node, as before. Nothing the caller asked for depends on it.
  }
}

/** What the server's own process needs of the environment: where the account's files are. */
function serverEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = ['HOME', 'PATH', 'LANG', 'XDG_STATE_HOME', 'CHAPERONE_SERVER', 'CHAPERONE_SERVER_IDLE_SECONDS', 'CHAPERONE_SERVER_TRACE', 'CHAPERONE_TEST_ACCOUNT_HOME'];
  return Object.fromEntries(kept.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}
