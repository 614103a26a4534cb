// The call a shim asks the resident decision about, read from the shim's own process in /proc: its
// arguments, its environment and its working directory are the ones it was started with, byte for
// byte, which no message from it could carry as well. A shim tells only its pid, how many arguments it
// has, and what only it can see (whether its stdin and /dev/tty are terminals).
//
// The pid is checked, not believed: the process must hold this very connection (its socket's inode,
// found through /proc/net/tcp by the two ports), and be the server's own account. So a pid from
// another pid namespace (a container sharing the home and the network) or a made-up one is never read.

import { readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';

export interface Caller {
  pid: number;
  shimPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: Stats | undefined;
}

/** Why a caller cannot be read: the shim then decides in a Node process of its own. */
export class CallerUnreadable extends Error {}

/**
 * The caller at `pid`, whose argv ends in `argc` arguments after the shim's path. `ports` are the
 * connection's: the caller's (remote) and the server's (local) on 127.0.0.1.
 */
export function readCaller(pid: number, argc: number, ports: { caller: number; server: number }, proc = '/proc'): Caller {
  const dir = `${proc}/${pid}`;
  let owner: number;
  try {
    owner = statSync(dir).uid;
  } catch {
    throw new CallerUnreadable(`no process ${pid}`);
  }
  if (owner !== process.getuid?.()) throw new CallerUnreadable(`process ${pid} is another account's`);
  const inode = socketInode(ports, proc);
  if (inode === undefined || !holds(dir, inode)) throw new CallerUnreadable(`process ${pid} does not hold this connection`);

  const argv = nulSeparated(readFileSync(`${dir}/cmdline`));
  if (argc < 0 || argv.length < argc + 1) throw new CallerUnreadable(`process ${pid} has fewer arguments than it says`);
  const args = argv.slice(argv.length - argc);
  const shimPath = argv[argv.length - argc - 1];
  const env: NodeJS.ProcessEnv = {};
  for (const entry of nulSeparated(readFileSync(`${dir}/environ`))) {
    const eq = entry.indexOf('=');
    // As the bash shim passes its environment on, to Node and to the tool alike: the last entry of a
    // name counts (not the first, as getenv would read it), and one with no name or no `=` is dropped.
    // An execve with PGHOST=localhost then PGHOST=db.prod was judged by the first and ran on prod.
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const cwd = readlinkSync(`${dir}/cwd`);
  // A removed directory: getcwd fails in the shim's own Node, which then goes by PWD. Leave it to that.
  if (cwd.endsWith(' (deleted)') || !cwd.startsWith('/')) throw new CallerUnreadable(`the working directory of process ${pid} is gone`);
  let stdin: Stats | undefined;
  try {
    stdin = statSync(`${dir}/fd/0`);
  } catch {
    stdin = undefined; // closed
  }
  return { pid, shimPath, args, env, cwd, stdin };
}

function nulSeparated(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** The inode of the caller's end of the connection, from the kernel's table of IPv4 TCP sockets. */
function socketInode(ports: { caller: number; server: number }, proc: string): string | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(ports.caller)}`;
  const remote = `0100007F:${hex(ports.server)}`;
  for (const line of readFileSync(`${proc}/net/tcp`, 'latin1').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[2] === remote) return fields[9];
  }
  return undefined;
}

function holds(dir: string, inode: string): boolean {
  const want = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync(`${dir}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`${dir}/fd/${fd}`) === want;
    } catch {
      return false;
    }
  });
}
