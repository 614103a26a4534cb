// Who started the sh shim, read from Linux /proc. The decision runs inside the shim's command
// substitution, so its own parent may be a forked copy of the shim rather than the shim itself.

import { readFileSync } from 'node:fs';

/** The parent pid of `pid`, or undefined (no /proc, or the process is gone). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * The pid of the sh shim, which execs the tool: this process's parent, or, where the shell forked a
 * subshell to run the command substitution (dash, and bash here), that subshell's parent. A fork has
 * its parent's command line; the shim's own caller does not (it is not running the shim's script).
 */
export function shimProcess(): number {
  const parent = process.ppid;
  try {
    const grandparent = parentOf(parent);
    const line = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return grandparent !== undefined && grandparent > 1 && line(parent) === line(grandparent) ? grandparent : parent;
  } catch {
    return parent;
  }
}
