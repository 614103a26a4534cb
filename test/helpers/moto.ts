// A throwaway moto server (a local fake of the AWS APIs) on 127.0.0.1 at a free port, for the real
// AWS CLI to talk to with --endpoint-url. It runs in its own process group, which stop() ends.

import { execa, type ResultPromise } from 'execa';
import { systemPath } from './sandbox.js';
import { freePort, toolProblems } from './system.js';

export interface Moto {
  port: number;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  stop(): Promise<void>;
}

/** What stops moto and the AWS CLI from running here; empty when nothing does. */
export function motoProblems(): Promise<string[]> {
  return toolProblems([
    ['aws', ['--version']],
    ['moto_server', ['--help']],
  ]);
}

export async function startMoto(): Promise<Moto> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = execa('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, PATH: systemPath },
      detached: true,
      reject: false,
      stdin: 'ignore',
      all: true,
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const stop = () => stopGroup(server);
    try {
      await waitUntilAnswering(endpoint, server);
      return { port, endpoint, stop };
    } catch (error) {
      await stop();
      if (attempt === 3 || !/already in use/i.test(String((error as Error).message))) throw error;
    }
  }
}

async function waitUntilAnswering(endpoint: string, server: ResultPromise, timeoutMs = 30_000): Promise<void> {
  let exited = false;
  void server.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      const result = await server;
      throw new Error(`moto_server exited (${result.exitCode ?? result.signal}) before answering:\n${String(result.all)}`);
    }
    try {
      const response = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Ends the server's process group: TERM, then KILL if it lingers. */
async function stopGroup(server: ResultPromise): Promise<void> {
  const pid = server.pid;
  if (pid === undefined || server.exitCode !== null) return void (await server);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const ended = await Promise.race([server.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000))]);
  if (!ended) {
    signal('SIGKILL');
    await server;
  }
}
