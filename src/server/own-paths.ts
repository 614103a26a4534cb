// Paths that name the process that opens them: /proc/self/fd/5, /dev/stdin, /dev/fd/3, /proc/PID/...
// Opened by the resident decision they are the server's own descriptors (or another process's), not
// the caller's, so what the server reads there is not what the tool will read. serve.ts leaves a call
// that names one in its arguments or variables to the shim; this catches the rest, reached through a
// symbolic link (`ln -s /proc/self/fd/30 link.yaml; KUBECONFIG=link.yaml:dev.yaml kubectl … 30<prod`)
// or named inside a file a reader follows (a kubeconfig list, a psql \i). While a decision is made
// for another process, every path the readers open or look at is walked, link by link, as the kernel
// would; one that passes through such a path claims the caller's descriptors, and the shim decides in
// its own Node, where the path means what it means to the tool.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { claimDescriptor, decidingElsewhere, judgement } from '../payload/descriptors.js';

const callersOwn = /^\/(?:dev\/(?:fd|stdin|stdout|stderr|tty|pts)|proc\/(?:self|thread-self|\d+))(?:\/|$)/;

/** What the readers reach the file system with, by path. Calls by descriptor (a number) are not paths. */
const byPath = ['readFileSync', 'openSync', 'statSync', 'lstatSync', 'existsSync', 'readdirSync', 'accessSync', 'realpathSync', 'readlinkSync', 'createReadStream'] as const;

type Fs = typeof import('node:fs');

const notALink = new Error('not a symbolic link');

/** Puts the walk before every by-path call of node:fs in this process (the server's, only). */
export function guardOwnPaths(): void {
  const require = createRequire(import.meta.url);
  const fs = require('node:fs') as Fs;
  const { lstatSync, readlinkSync } = fs;
  // What each path is (a link to where, or not a link) is looked up once per decision: a decision opens
  // hundreds of paths under the same few directories (the hook looks for every covered tool on PATH),
  // and a failed readlink is a thrown error each time.
  let seen: { during: object; links: Map<string, string | null> } | undefined;
  const readlink = (path: string): string => {
    const during = judgement();
    if (!during) return readlinkSync(path);
    if (seen?.during !== during) seen = { during, links: new Map() };
    let link = seen.links.get(path);
    if (link === undefined) {
      link = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(path) : null;
      seen.links.set(path, link);
    }
    if (link === null) throw notALink;
    return link;
  };
  const check = (path: unknown) => {
    if (!decidingElsewhere()) return;
    const text = typeof path === 'string' ? path : Buffer.isBuffer(path) ? path.toString() : path instanceof URL && path.protocol === 'file:' ? fileURLToPath(path) : undefined;
    if (text !== undefined && reachesOwn(text, readlink)) claimDescriptor(`path ${text}`);
  };
  for (const name of byPath) {
    const original = fs[name] as (...args: unknown[]) => unknown;
    const guard = (call: (...args: unknown[]) => unknown) => (...args: unknown[]) => (check(args[0]), call(...args));
    const guarded: (...args: unknown[]) => unknown = Object.assign(guard(original), original);
    // realpathSync.native is a second way in.
    const native = (original as { native?: unknown }).native;
    if (typeof native === 'function') Object.assign(guarded, { native: guard(native as (...args: unknown[]) => unknown) });
    (fs as unknown as Record<string, unknown>)[name] = guarded;
  }
  // Named imports of node:fs outside the bundle (ES modules) see the change too.
  (require('node:module') as typeof import('node:module')).syncBuiltinESMExports();
}

/** Whether resolving `path` (from this process's directory) passes through a path naming a process's own descriptors. */
export function reachesOwn(path: string, readlink: (path: string) => string, cwd = process.cwd()): boolean {
  let pending = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/');
  let at = ''; // resolved so far, with no link in it
  for (let hops = 0; pending.length > 0; ) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      at = at.slice(0, at.lastIndexOf('/'));
      continue;
    }
    const next = `${at}/${part}`;
    if (callersOwn.test(next)) return true;
    let target: string;
    try {
      target = readlink(next);
    } catch {
      at = next; // not a link, or not there: the open says so itself
      continue;
    }
    if (++hops > 40) return true; // a loop: the tool would fail; not for here to say how
    if (target.startsWith('/')) at = '';
    pending = [...target.split('/'), ...pending];
  }
  return false;
}
