// A throwaway Redis server for one test file: redis-server on 127.0.0.1 at a free port, its working
// directory a temp dir, no persistence. Under root it runs as the `redis` user when there is one, as a
// database server should. Queries made here use the real redis-cli directly, never through a shim.

import { execa, type ResultPromise } from 'execa';
import { chownSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPath } from './sandbox.js';
import { freePort, toolProblems, which } from './system.js';

const serverUser = 'redis';

export interface Redis {
  port: number;
  /** Runs one command with the real redis-cli (no shim); returns its raw output. */
  command(...args: string[]): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export async function redisProblems(): Promise<string[]> {
  return toolProblems([
    ['redis-server', ['--version']],
    ['redis-cli', ['--version']],
  ]);
}

export async function startRedis(): Promise<Redis> {
  const redisServer = which('redis-server');
  const redisCli = which('redis-cli');
  if (!redisServer || !redisCli) throw new Error('redis-server and redis-cli must be on PATH');
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-redis-')));
  const dropPrivileges = process.getuid?.() === 0 && (await execa('id', ['-u', serverUser], { reject: false })).exitCode === 0 && which('runuser');
  if (dropPrivileges) {
    chownSync(root, Number((await execa('id', ['-u', serverUser])).stdout), Number((await execa('id', ['-g', serverUser])).stdout));
  }
  const cli = (port: number, args: string[]) =>
    execa(redisCli, ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args], { env: { PATH: systemPath }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 10_000 });

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', root, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
    const [file, argv] = dropPrivileges ? ['runuser', ['-u', serverUser, '--', redisServer, ...args]] : [redisServer, args];
    const server: ResultPromise = execa(file, argv, { cwd: root, env: { PATH: systemPath }, extendEnv: false, reject: false, stdin: 'ignore' });
    const exited = server.then(() => 'exited' as const);
    const ready = (async () => {
      for (let i = 0; i < 100; i++) {
        if ((await cli(port, ['PING'])).stdout === 'PONG') return 'ready' as const;
        await new Promise((r) => setTimeout(r, 50));
      }
      return 'timeout' as const;
    })();
    const outcome = await Promise.race([exited, ready]);
    const stop = async () => {
      // SHUTDOWN NOSAVE through the real client reaches the server itself, whoever started it.
      await cli(port, ['SHUTDOWN', 'NOSAVE']);
      await Promise.race([server.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
      server.kill('SIGKILL');
    };
    if (outcome === 'ready') {
      return {
        port,
        async command(...commandArgs) {
          const result = await cli(port, commandArgs);
          if (result.exitCode !== 0) throw new Error(`redis-cli ${commandArgs.join(' ')} failed: ${result.stderr}`);
          return String(result.stdout);
        },
        async stop() {
          await stop();
          rmSync(root, { recursive: true, force: true });
        },
      };
    }
    await stop();
    if (attempt === 3) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port} (${outcome}): ${String((await server).stdout)}`);
    }
  }
}
