// A throwaway PostgreSQL server for one test file: initdb into a temp dir, listen on 127.0.0.1 at a
// free port and on a Unix socket in that dir, trust authentication, no fsync. PostgreSQL refuses to
// run as root, so under root the server programs run as the `postgres` user, who owns the dir.
// Queries made here use the real psql directly, never through a shim.

import { execa } from 'execa';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPath } from './sandbox.js';
import { freePort, toolProblems, which } from './system.js';

const runAsRoot = process.getuid?.() === 0;
const serverUser = 'postgres';

export interface Postgres {
  host: '127.0.0.1';
  port: number;
  /** The directory of the server's Unix socket (a libpq host that starts with /). */
  socketDir: string;
  /** Runs each statement as its own -c with the real psql (no shim) as the superuser; returns stdout (-At). */
  sql(database: string, ...statements: string[]): Promise<string>;
  /** Stops the server (immediate) and removes its directory. */
  stop(): Promise<void>;
}

/** What stops a server from starting here; empty when nothing does. */
export async function postgresProblems(): Promise<string[]> {
  const problems = await toolProblems([
    ['initdb', ['--version']],
    ['pg_ctl', ['--version']],
    ['psql', ['--version']],
  ]);
  if (runAsRoot) {
    if (!which('runuser') && !which('setpriv')) problems.push('running as root, and neither runuser nor setpriv is on PATH to drop to the postgres user');
    const user = await execa('id', ['-u', serverUser], { reject: false });
    if (user.exitCode !== 0) problems.push(`running as root, and there is no "${serverUser}" user to run the server as`);
  }
  return problems;
}

export async function startPostgres(): Promise<Postgres> {
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  const psql = which('psql');
  if (!initdb || !pgCtl || !psql) throw new Error('initdb, pg_ctl and psql must be on PATH');

  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-pg-')));
  const data = join(root, 'data');
  const socketDir = join(root, 'sock');
  const log = join(root, 'server.log');
  mkdirSync(socketDir);
  if (runAsRoot) {
    const uid = Number((await execa('id', ['-u', serverUser])).stdout);
    const gid = Number((await execa('id', ['-g', serverUser])).stdout);
    for (const dir of [root, socketDir]) chownSync(dir, uid, gid);
  }

  // Server programs: as the postgres user under root, with a clean environment, in a dir they own.
  const server = async (file: string, args: string[]) => {
    const [command, argv] = !runAsRoot
      ? [file, args]
      : which('runuser')
        ? ['runuser', ['-u', serverUser, '--', file, ...args]]
        : ['setpriv', ['--reuid', serverUser, '--regid', serverUser, '--init-groups', '--', file, ...args]];
    const result = await execa(command, argv, {
      cwd: root,
      env: { PATH: systemPath, LANG: 'C', LC_ALL: 'C' },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
    });
    return result;
  };
  const serverLog = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const fail = (what: string, result: { exitCode?: number; stdout: unknown; stderr: unknown }) => {
    rmSync(root, { recursive: true, force: true });
    return new Error(`${what} failed (exit ${result.exitCode}):\n${String(result.stdout)}\n${String(result.stderr)}\n${serverLog()}`);
  };

  const init = await server(initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.exitCode !== 0) throw fail('initdb', init);

  // A port is free when chosen, and may be taken before the server binds it: try a few.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k '${socketDir}' -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
    const start = await server(pgCtl, ['-D', data, '-l', log, '-w', '-t', '30', '-o', options, 'start']);
    if (start.exitCode === 0) break;
    if (attempt === 3 || !/could not bind|already in use/i.test(serverLog())) throw fail('pg_ctl start', start);
  }

  return {
    host: '127.0.0.1',
    port,
    socketDir,
    async sql(database, ...statements) {
      const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database];
      for (const statement of statements) args.push('-c', statement);
      const result = await execa(psql, args, {
        cwd: root,
        env: { PATH: systemPath, HOME: root, LANG: 'C.UTF-8' },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        timeout: 30_000,
      });
      if (result.exitCode !== 0) throw new Error(`psql -d ${database} failed (exit ${result.exitCode}): ${result.stderr}`);
      return result.stdout;
    },
    async stop() {
      try {
        await server(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
