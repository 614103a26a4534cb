// The caller's stdin as the readers see it. In a shim's own Node process that is fd 0. In the resident
// decision (src/server/) the caller is another process: its stdin is described there (what fstat says of
// it, whether it is a terminal) but never read, since bytes taken from it could not be given back to
// the tool. A reader that would read it, or any other descriptor of the caller, claims it: in the
// resident decision that stops the decision, and the shim decides the ordinary way, in a Node process
// of its own that holds the caller's descriptors.

import { fstatSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';

/** The caller's stdin seen from another process. */
export interface StdinView {
  /** What fstat of the caller's fd 0 says; undefined when it is closed. */
  stat: Stats | undefined;
  /** Whether the caller's fd 0 is a terminal (the shell's `[ -t 0 ]`). */
  terminal: boolean;
}

/** A decision made elsewhere needed to read the caller's descriptors: it must be made in the caller's own process. */
export class DescriptorClaimed extends Error {}

let elsewhere: (StdinView & { claimed: boolean }) | undefined;

/** Runs `work` for a caller that is another process, whose stdin is `view`; tells whether a reader claimed a descriptor. */
export async function judgingElsewhere<T>(view: StdinView, work: () => Promise<T>): Promise<{ result?: T; error?: unknown; claimed: boolean }> {
  const state = { ...view, claimed: false };
  elsewhere = state;
  try {
    return { result: await work(), claimed: state.claimed };
  } catch (error) {
    return { error, claimed: state.claimed || error instanceof DescriptorClaimed };
  } finally {
    elsewhere = undefined;
  }
}

/** fstat of stdin; undefined when it is closed. */
export function stdinStat(): Stats | undefined {
  if (elsewhere) return elsewhere.stat;
  try {
    return fstatSync(0);
  } catch {
    return undefined;
  }
}

/**
 * Whether stdin is a terminal. node:tty brings node:net and node:stream with it (milliseconds at every
 * start of a tool whose reader imports this file), and only a call that reads stdin asks.
 */
export function stdinIsTerminal(): boolean {
  if (elsewhere) return elsewhere.terminal;
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(0);
}

/**
 * Says that descriptor `fd` of the caller is about to be read (or stat'ed, for one above 2). Here that
 * is fd `fd` itself; elsewhere it is not reachable, and the decision stops. Readers call this even where
 * they catch errors: the claim is remembered either way.
 */
export function claimDescriptor(fd: number): void {
  if (!elsewhere) return;
  elsewhere.claimed = true;
  throw new DescriptorClaimed(`the caller's descriptor ${fd} is needed for this decision`);
}

/**
 * Paths that name the process opening them, not a file: its descriptors, its terminal, its /proc
 * entry. Opened by the resident decision they reach the server's own (its stdin is /dev/null), while
 * the tool will reach the caller's: `PSQLRC=/proc/./self/fd/0 psql -c 'select 1' < drop.sql` read as
 * an empty startup file there, and ran the DROP.
 */
const processOwn = /^\/(?:proc\/(?:self|thread-self|\d+)|dev\/(?:fd|stdin|stdout|stderr|tty|pts))(?:\/|$)/;

/**
 * Whether `path` reaches one of those, by any spelling: `/proc/./self`, `/dev//stdin`, or a symlink on
 * the way (`ln -s /proc/self/fd/0 rc`). Symlinks are followed a component at a time, as the kernel
 * does, and each place they lead is checked before it is entered (a final realpath would show only
 * what the server's own descriptor is).
 */
export function reachesProcessOwn(path: string, cwd: string, fs: Pick<typeof import('node:fs'), 'lstatSync' | 'readlinkSync'>): boolean {
  const { isAbsolute, join, normalize } = createRequire(import.meta.url)('node:path') as typeof import('node:path');
  let rest = (isAbsolute(path) ? path : join(cwd, path)).split('/').filter((part) => part !== '' && part !== '.');
  let at = '/';
  for (let hops = 0; rest.length > 0; ) {
    const part = rest.shift()!;
    const next = part === '..' ? join(at, '..') : join(at, part);
    if (processOwn.test(next)) return true;
    let link: string | undefined;
    try {
      link = fs.lstatSync(next).isSymbolicLink() ? fs.readlinkSync(next) : undefined;
    } catch {
      return false; // nothing there: the open fails the same way for the caller's own Node
    }
    if (link === undefined) {
      at = next;
      continue;
    }
    if (++hops > 40) return false; // ELOOP for everyone
    if (link.startsWith('/')) at = '/';
    rest = [...normalize(link).split('/').filter((part) => part !== '' && part !== '.'), ...rest];
  }
  return false;
}

/**
 * For the resident decision: every path the decision opens while it judges for another process is
 * checked first (node:fs is wrapped once, in the server only), and one that reaches the opener's own
 * descriptors claims the decision for the caller's own Node. Outside a judgement nothing changes.
 */
export function guardProcessOwnPaths(): void {
  const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs') & Record<string, unknown>;
  const plain = { lstatSync: fs.lstatSync, readlinkSync: fs.readlinkSync };
  const check = (path: unknown) => {
    if (!elsewhere) return;
    const text = typeof path === 'string' ? path : Buffer.isBuffer(path) ? path.toString() : path instanceof URL && path.protocol === 'file:' ? decodeURIComponent(path.pathname) : undefined;
    if (text === undefined || !reachesProcessOwn(text, process.cwd(), plain)) return;
    elsewhere.claimed = true;
    throw new DescriptorClaimed(`${text} reaches the opening process's own descriptors: the caller's are needed for this decision`);
  };
  const wrap = (target: Record<string, unknown>, names: string[]) => {
    for (const name of names) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      const wrapped = function (this: unknown, path: unknown, ...rest: unknown[]) {
        check(path);
        return (original as (...args: unknown[]) => unknown).call(this, path, ...rest);
      };
      Object.assign(wrapped, original); // realpathSync.native and the like
      target[name] = wrapped;
    }
  };
  // (A path the decision reads is checked whichever function reads it; a descriptor number is not a path.)
  const names = ['open', 'readFile', 'stat', 'lstat', 'readdir', 'opendir', 'access', 'realpath', 'readlink'];
  wrap(fs, [...names.map((name) => `${name}Sync`), ...names, 'existsSync', 'createReadStream']);
  wrap(fs.promises as unknown as Record<string, unknown>, names);
  const native = (fs.realpathSync as unknown as { native?: unknown }).native;
  if (typeof native === 'function') wrap(fs.realpathSync as unknown as Record<string, unknown>, ['native']);
}
