// A throwaway MariaDB server for one test file: mariadb-install-db into a temp dir, mariadbd on
// 127.0.0.1 at a free port and on a Unix socket in that dir, without grant tables (any user connects),
// binary log or option files. mariadbd refuses to run as root, so under root the server programs run
// as the `mysql` user, who owns the dir. Queries made here use the real client directly, never a shim.

import { execa, type ResultPromise } from 'execa';
import { chownSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPath } from './sandbox.js';
import { freePort, toolProblems, which } from './system.js';

const runAsRoot = process.getuid?.() === 0;
const serverUser = 'mysql';
const serverPath = `${systemPath}:/usr/sbin:/usr/local/sbin`;

export interface Mariadb {
  port: number;
  socket: string;
  /** Runs SQL with the real client (no shim) as root; returns stdout (-N -B: tab-separated rows). */
  sql(sql: string): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** What stops a server from starting here; empty when nothing does. */
export async function mariadbProblems(): Promise<string[]> {
  const problems = await toolProblems([['mariadb', ['--version']]]);
  // mariadb-install-db has no harmless probe (--help exits 1, --version inspects /var/lib/mysql).
  if (!which('mariadb-install-db')) problems.push('mariadb-install-db is not on PATH (Debian package mariadb-server)');
  const mariadbd = which('mariadbd', serverPath);
  if (!mariadbd) problems.push('mariadbd is not on PATH or in /usr/sbin (Debian package mariadb-server)');
  else if ((await execa(mariadbd, ['--version'], { reject: false, stdin: 'ignore' })).exitCode !== 0) problems.push('`mariadbd --version` failed');
  if (runAsRoot) {
    if (!which('runuser') && !which('setpriv')) problems.push('running as root, and neither runuser nor setpriv is on PATH to drop to the mysql user');
    const user = await execa('id', ['-u', serverUser], { reject: false });
    if (user.exitCode !== 0) problems.push(`running as root, and there is no "${serverUser}" user to run the server as`);
  }
  return problems;
}

export async function startMariadb(): Promise<Mariadb> {
  const installDb = which('mariadb-install-db');
  const mariadbd = which('mariadbd', serverPath);
  const client = which('mariadb');
  if (!installDb || !mariadbd || !client) throw new Error('mariadb-install-db, mariadbd and mariadb must be installed');

  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-mariadb-')));
  const data = join(root, 'data');
  const socket = join(root, 'mysqld.sock');
  const log = join(root, 'server.log');
  if (runAsRoot) {
    const uid = Number((await execa('id', ['-u', serverUser])).stdout);
    const gid = Number((await execa('id', ['-g', serverUser])).stdout);
    chownSync(root, uid, gid);
  }
  const asServerUser = (file: string, args: string[]): [string, string[]] =>
    !runAsRoot
      ? [file, args]
      : which('runuser')
        ? ['runuser', ['-u', serverUser, '--', file, ...args]]
        : ['setpriv', ['--reuid', serverUser, '--regid', serverUser, '--init-groups', '--', file, ...args]];
  const options = { cwd: root, env: { PATH: serverPath, LANG: 'C' }, extendEnv: false, reject: false, stdin: 'ignore' as const };
  /** Signals the server by its own pid: under root, `server` is runuser, which need not pass it on. */
  const stopServer = async (server: ResultPromise, signal: NodeJS.Signals) => {
    const pidFile = join(root, 'mariadbd.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    try {
      if (pid > 0) process.kill(pid, signal);
    } catch {
      // already gone
    }
    server.kill(signal);
    await Promise.race([server.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  };
  const serverLog = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const fail = (what: string, detail: string) => {
    rmSync(root, { recursive: true, force: true });
    return new Error(`${what} failed:\n${detail}\n${serverLog()}`);
  };

  const install = await execa(...asServerUser(installDb, ['--no-defaults', `--datadir=${data}`, '--skip-test-db', '--skip-name-resolve']), { ...options, timeout: 60_000 });
  if (install.exitCode !== 0) throw fail('mariadb-install-db', `${install.stdout}\n${install.stderr}`);

  const query = (sql: string) =>
    execa(client, ['--no-defaults', '-S', socket, '-u', 'root', '-N', '-B', '-e', sql], { ...options, env: { PATH: systemPath, HOME: root }, timeout: 30_000 });

  // A port is free when chosen, and may be taken before the server binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server: ResultPromise = execa(
      ...asServerUser(mariadbd, [
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(root, 'mariadbd.pid')}`,
        `--log-error=${log}`,
        '--skip-grant-tables',
        '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
      ]),
      { ...options, detached: false },
    );
    const exited = server.then(() => 'exited' as const);
    const ready = (async () => {
      for (let i = 0; i < 300; i++) {
        if ((await query('SELECT 1')).exitCode === 0) return 'ready' as const;
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'timeout' as const;
    })();
    const outcome = await Promise.race([exited, ready]);
    if (outcome === 'ready') {
      return {
        port,
        socket,
        async sql(sql) {
          const result = await query(sql);
          if (result.exitCode !== 0) throw new Error(`mariadb -e ${JSON.stringify(sql)} failed (exit ${result.exitCode}): ${result.stderr}`);
          return String(result.stdout);
        },
        async stop() {
          await stopServer(server, 'SIGTERM');
          rmSync(root, { recursive: true, force: true });
        },
      };
    }
    await stopServer(server, 'SIGKILL');
    if (attempt === 3 || !/bind|in use/i.test(serverLog())) throw fail('mariadbd', outcome);
  }
}
