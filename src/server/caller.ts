// The call a shim asks the resident decision about, read from the shim's own process in /proc: its
// arguments, its environment and its working directory are the ones it was started with, byte for
// byte, which no message from it could carry as well. A shim tells only its pid, how many arguments it
// has, and what only it can see (whether its stdin and /dev/tty are terminals).
//
// The pid is checked, not believed: the process must hold this very connection (its socket's inode,
// found through /proc/net/tcp by the two ports), and be the server's own account. So a pid from
// another pid namespace (a container sharing the home and the network) or a made-up one is never read.
// It must also see the files the server sees: the same mount and user namespaces, the same root and
// the same credentials, or a bind mount of its own (`unshare -Urm`), or a file only one of them may
// read, would show the tool a production config where the server reads the development one.
//
// The environment the tool gets is the one bash exports, not /proc's copy of what the shim started
// with: bash keeps the last of two entries of a name, sets PWD, drops an OLDPWD that is no directory,
// and rewrites its own variables (IFS, SHELLOPTS…). What bash would change is either done the same way
// here (PWD where it is missing) or left to the shim's own Node, which reads bash's export.

import { readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

export interface Caller {
  pid: number;
  shimPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: Stats | undefined;
}

/** Another kind of caller than a shim (src/server/hook-request.ts): how its command line must read, and what it is. */
export interface StartedAs {
  test: (argv: string[]) => boolean;
  what: string;
}

/** Why a caller cannot be read: the shim then decides in a Node process of its own. */
export class CallerUnreadable extends Error {}

/**
 * The caller at `pid`, whose argv ends in `argc` arguments after the shim's path. `ports` are the
 * connection's: the caller's (remote) and the server's (local) on 127.0.0.1.
 */
export function readCaller(pid: number, argc: number, ports: { caller: number; server: number }, proc = '/proc', startedAs?: StartedAs): Caller {
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
  if (!sameView(dir, proc)) throw new CallerUnreadable(`process ${pid} sees other files (another mount or user namespace, or root)`);

  const argv = nulSeparated(readFileSync(`${dir}/cmdline`));
  // As its #! line starts a shim: `/bin/bash -p SHIM ARGS…`. A shell that sources a shim (`bash -c 'set --
  // down; . SHIM' SHIM status`) has other words in its command line than the shim's "$@"; such a shell
  // is the agent's own, and its functions could stand for anything the shim runs (docs/threat-model.md).
  if (startedAs ? !startedAs.test(argv) : argc < 0 || argv.length !== argc + 3 || argv[1] !== '-p') throw new CallerUnreadable(`process ${pid} is not ${startedAs?.what ?? 'a shim as its #! line starts it'}`);
  const args = argv.slice(argv.length - argc);
  const shimPath = argv[argv.length - argc - 1];
  const env: NodeJS.ProcessEnv = {};
  for (const entry of nulSeparated(readFileSync(`${dir}/environ`))) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue; // bash passes no such entry on
    const name = entry.slice(0, eq);
    // getenv would read the first, bash exports the last: which one the tool sees is not for here to guess.
    if (Object.hasOwn(env, name)) throw new CallerUnreadable(`process ${pid} has two entries of ${name} in its environment`);
    if (bashOwn.has(name)) throw new CallerUnreadable(`bash rewrites ${name} as it starts`);
    env[name] = entry.slice(eq + 1);
  }
  const cwd = readlinkSync(`${dir}/cwd`);
  // A removed directory: getcwd fails in the shim's own Node, which then goes by PWD. Leave it to that.
  if (cwd.endsWith(' (deleted)') || !cwd.startsWith('/')) throw new CallerUnreadable(`the working directory of process ${pid} is gone`);
  // bash keeps a PWD that names its directory and exports one where there is none; another it replaces.
  if (env.PWD === undefined) env.PWD = cwd;
  else if (!env.PWD.startsWith('/') || !sameFile(env.PWD, `${dir}/cwd`)) throw new CallerUnreadable(`PWD of process ${pid} is not its directory`);
  if (env.OLDPWD !== undefined && !isDirectory(resolve(cwd, env.OLDPWD))) throw new CallerUnreadable(`OLDPWD of process ${pid} is no directory`);
  let stdin: Stats | undefined;
  try {
    stdin = statSync(`${dir}/fd/0`);
  } catch {
    stdin = undefined; // closed
  }
  return { pid, shimPath, args, env, cwd, stdin };
}

/** Variables bash sets itself as it starts, whatever the environment said (seen with bash 5.2). */
const bashOwn = new Set(['IFS', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'PPID', 'BASHPID', 'RANDOM', 'SRANDOM', 'LINENO', 'BASH_ARGV0', 'SECONDS', 'EPOCHSECONDS', 'EPOCHREALTIME']);

/**
 * Whether the process at `dir` resolves and may read paths as this one does: same mount and user
 * namespace, same root, and the same credentials (ids, groups, effective capabilities), so no file is
 * readable to one and not the other (a server started by a call with fewer groups, or capabilities
 * dropped, would pass over a kubeconfig the tool then reads). A sandbox that restricts files without a
 * namespace (Landlock, as agents' sandboxes use it) shows nowhere in /proc but in no_new_privs, which
 * it needs, and seccomp, which goes with it: those must match too.
 */
function sameView(dir: string, proc: string): boolean {
  try {
    for (const ns of ['mnt', 'user']) if (readlinkSync(`${dir}/ns/${ns}`) !== readlinkSync(`${proc}/self/ns/${ns}`)) return false;
    if (credentials(`${dir}/status`) !== credentials(`${proc}/self/status`)) return false;
    return sameFile(`${dir}/root`, '/');
  } catch {
    return false;
  }
}

function credentials(status: string): string {
  return readFileSync(status, 'latin1')
    .split('\n')
    .filter((line) => /^(?:Uid|Gid|Groups|CapEff|NoNewPrivs|Seccomp|Seccomp_filters):/.test(line))
    .join('\n');
}

/** Whether two paths are the same file (device and inode); false when either cannot be stat'ed. */
export function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
