// Finding the real tool behind a shim: the next executable of that name on PATH that is not chaperone.
// Skipped: the shim's own directory, anything that resolves into it, any file that is a chaperone shim
// (another install), and chaperone's own scripts.

import { accessSync, constants, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { realpathOr } from '../context/files.js';

export const shimMarker = '# chaperone-shim';

export type RealTool = { kind: 'found'; path: string } | { kind: 'not-found' } | { kind: 'not-executable'; path: string };

export function findRealTool(name: string, pathVariable: string | undefined, shimPath: string, cwd: string): RealTool {
  const shimReal = realpathOr(resolve(cwd, shimPath));
  const shimDir = dirname(shimReal);
  let notExecutable: string | undefined;
  for (const entry of (pathVariable ?? '').split(':')) {
    const dir = resolve(cwd, entry === '' ? '.' : entry);
    const candidate = join(dir, name);
    let isFile = false;
    try {
      isFile = statSync(candidate).isFile();
    } catch {
      continue;
    }
    if (!isFile) continue;
    const real = realpathOr(candidate);
    if (real === shimReal || dirname(real) === shimDir || realpathOr(dir) === shimDir || isChaperone(real)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return { kind: 'found', path: candidate };
    } catch {
      notExecutable ??= candidate;
    }
  }
  return notExecutable ? { kind: 'not-executable', path: notExecutable } : { kind: 'not-found' };
}

/** A shim written by any chaperone install, or chaperone's own entry points. */
function isChaperone(path: string): boolean {
  return /\/chaperone\/(dist\/shim\.c?js|bin\/chaperone\.js)$/.test(path) || isShimFile(path);
}

/** Whether a file is a shim some chaperone install wrote: its first bytes carry the marker. */
export function isShimFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('latin1').includes(shimMarker);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
