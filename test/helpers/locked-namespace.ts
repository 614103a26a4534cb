// A machine hardened for one test without changing it for anyone else. `chaperone harden` chowns and
// chmods the real tools; run on the real files, that would lock them for every other process of the
// machine (other tests, other users). So a throwaway mount namespace (unshare -m) holds a copy of each
// real file bind-mounted over it: harden's changes land on the copies, and only the processes this
// test starts through nsenter see the locked files. Killing the one process that holds the namespace
// removes every mount; `close()` also removes the agent user, the groups and the temporary directory,
// and puts back the owner and mode of any real file that changed anyway (it should never happen, and
// says so when it does). Root only: the tests that use it say why they skip.

import { execa, type ResultPromise } from 'execa';
import { randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from './sandbox.js';

/** The programs a namespace test needs besides those of the test itself. */
export const namespaceTools = ['cc', 'useradd', 'userdel', 'groupdel', 'runuser', 'unshare', 'nsenter', 'mount'];

export interface NamespaceOptions {
  /** Short prefixes for the agent user's and the groups' names (a random suffix is added). */
  user: string;
  group: string;
  /** The real files to cover with copies, which harden may then lock. */
  files: readonly string[];
  /** Shell lines run in the namespace before the copies are mounted (given the temporary directory). */
  before?: (temp: string) => string[];
}

/** What a command run in the namespace gave. */
export interface Ran {
  exitCode?: number;
  /** Killed after a minute: a hang, which a test can tell from a refusal. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface LockedNamespace {
  agent: string;
  storeGroup: string;
  toolsGroup: string;
  scriptsGroup: string;
  temp: string;
  prefix: string;
  home: string;
  shims: string;
  /** Owner and mode of the real files when the test began. */
  before: Map<string, { uid: number; gid: number; mode: number }>;
  /** Runs argv inside the namespace, as root. */
  inside: (argv: string[], input?: string) => Promise<Ran>;
  /** The argv that runs `argv` inside the namespace as the agent user, with an agent's bare environment, in its home. */
  asAgentArgv: (argv: string[], extraEnv?: string[]) => string[];
  /** The copy that stands over a real file inside the namespace. */
  copyOf: (file: string) => string;
  /** `chaperone harden` inside the namespace for this agent and these groups, with `args` after. */
  hardenArgv: (args: string[]) => string[];
  /** A PIN, set as root sets one (doctor --strict wants it). */
  setPin: (pin: string) => Promise<void>;
  close: () => Promise<void>;
}

export function namespaceNames(options: Pick<NamespaceOptions, 'user' | 'group'>) {
  const suffix = randomBytes(3).toString('hex');
  const storeGroup = `${options.group}${suffix}`;
  return { agent: `${options.user}${suffix}`, storeGroup, toolsGroup: `${storeGroup}-tools`, scriptsGroup: `${storeGroup}-scripts` };
}

/** Creates the agent user and the namespace; the caller runs harden in it and closes it in afterAll. */
export async function openLockedNamespace(options: NamespaceOptions, names = namespaceNames(options)): Promise<LockedNamespace> {
  const before = new Map<string, { uid: number; gid: number; mode: number }>();
  for (const file of options.files) {
    const stat = statSync(file);
    before.set(file, { uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777 });
  }
  const temp = mkdtempSync('/tmp/chaperone-harden-ns-');
  chmodSync(temp, 0o755);
  const prefix = join(temp, 'prefix');
  const home = join(temp, 'home');
  const shims = join(prefix, 'usr/local/lib/chaperone/shims');
  const copyOf = (file: string) => join(temp, 'copies', file.replace(/\//g, '_'));
  let holder: ResultPromise | undefined;
  let userCreated = false;

  const close = async () => {
    if (holder) {
      holder.kill('SIGKILL');
      await holder;
    }
    // Should a mount have failed to cover a real file, harden changed it: put it back.
    for (const [file, was] of before) {
      const now = statSync(file);
      if (now.uid !== was.uid || now.gid !== was.gid || (now.mode & 0o7777) !== was.mode) {
        chownSync(file, was.uid, was.gid);
        chmodSync(file, was.mode);
        console.error(`locked namespace: ${file} had changed outside the namespace; its owner and mode are put back`);
      }
    }
    if (userCreated) await execa('userdel', ['-r', names.agent], { reject: false });
    for (const name of [names.toolsGroup, names.scriptsGroup, names.storeGroup]) await execa('groupdel', [name], { reject: false });
    rmSync(temp, { recursive: true, force: true });
  };

  try {
    await execa('useradd', ['--no-user-group', '--gid', 'users', '-m', '-d', home, '-s', '/bin/sh', names.agent]);
    userCreated = true;
    // Each real file gets a copy of itself mounted over it; before anything is hardened, each real path
    // must show its copy's inode, or nothing runs. /etc/profile.d is a copy too, for harden's login file.
    const lines = ['set -e', ...(options.before?.(temp) ?? []), `mkdir -p ${join(temp, 'copies')}`];
    for (const file of options.files) {
      const copy = copyOf(file);
      lines.push(
        `cp -p ${file} ${copy}`,
        `mount --bind ${copy} ${file}`,
        `[ "$(stat -L -c %d:%i ${file})" = "$(stat -c %d:%i ${copy})" ] || { echo "${file} is not the copy" >&2; exit 1; }`,
      );
    }
    lines.push(`cp -a /etc/profile.d ${temp}/profile.d`, `mount --bind ${temp}/profile.d /etc/profile.d`);
    lines.push('echo ready', 'exec sleep 3600');
    holder = execa('unshare', ['-m', '--propagation', 'private', 'bash', '-c', lines.join('\n')], { reject: false, stdin: 'ignore' });
    const started = holder;
    await new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => (chunk.toString().includes('ready') ? resolve() : undefined));
      started.then((r) => reject(new Error(`the namespace did not come up: ${r.stderr}`)), reject);
    });
  } catch (error) {
    await close();
    throw error;
  }

  const inside = async (argv: string[], input?: string): Promise<Ran> => {
    const ran = await execa('nsenter', ['-t', String(holder!.pid), '-m', '--', ...argv], { reject: false, timeout: 60_000, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
    return { exitCode: ran.exitCode, timedOut: ran.timedOut, stdout: String(ran.stdout), stderr: String(ran.stderr) };
  };
  return {
    ...names,
    temp,
    prefix,
    home,
    shims,
    before,
    inside,
    asAgentArgv: (argv, extraEnv = []) => ['runuser', '-u', names.agent, '--', 'env', '-i', `PATH=${shims}:/usr/bin:/bin`, 'LANG=C.UTF-8', `HOME=${home}`, 'CHAPERONE_ACTOR=agent', ...extraEnv, ...argv],
    copyOf,
    hardenArgv: (args) => [process.execPath, cliPath, 'harden', '--prefix', prefix, '--group', names.storeGroup, '--agent-user', names.agent, ...args],
    setPin: async (value) => {
      const salt = randomBytes(16);
      const cost = { N: 2 ** 15, r: 8, p: 1 };
      const hash = scryptSync(value, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r });
      const pin = join(prefix, 'etc/chaperone/pin');
      writeFileSync(pin, `${JSON.stringify({ algorithm: 'scrypt', ...cost, salt: salt.toString('base64'), hash: hash.toString('base64') })}\n`);
      chownSync(pin, 0, Number((await execa('getent', ['group', names.storeGroup])).stdout.split(':')[2]));
      chmodSync(pin, 0o640);
    },
    close,
  };
}
