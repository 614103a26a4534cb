// How the decision process hands the call back to the sh shim that started it. Node 20 has no execve,
// so a Node process that ran the real tool itself would sit in between for the tool's whole life: ~50
// MiB held, every signal relayed, a death by SIGPIPE turned into an exit code. Instead the shim starts
// Node with a spare descriptor (`--handoff=4`) and Node answers on it, then exits:
//
//   exec DEPTH PATH   the sh shim sets CHAPERONE_DEPTH=DEPTH and execs PATH with the original argv, so
//                     the tool gets the shim's own process, terminal, signals and exit status;
//   feed DEPTH FD SOURCE PATH
//                     stdin was read ahead: as for exec, with descriptor FD opened from SOURCE, the read
//                     end of a pipe a feeder beside the tool writes the bytes into, judging the rest of
//                     a long stream as it comes (src/shim/feed.ts); only shims that pass
//                     --handoff=FD:feed are given it;
//   signal N          Node had to run the tool itself (stdin was read ahead and the shim has no `feed`,
//                     or no pipe could be made), and the tool died by signal N: the shim dies by it too;
//   (nothing)         the shim exits with Node's exit status (refused, aborted, or the tool's own).
//   git-exec-path DIR a first line, for git only: the shim exports GIT_EXEC_PATH=DIR before the exec.
//
// A shim written by an older install passes no --handoff (or no `:feed`), and Node runs the tool itself
// as before whenever stdin was read ahead (run.ts): `chaperone install` writes the shims again.

import { writeSync } from 'node:fs';

export interface Handoff {
  fd: number;
  /** The shim understands `feed` (src/shim/feed.ts); a shim written before it does not. */
  feed?: boolean;
  /** The shim asks a resident decision first (src/server/), so one is started when there is none. */
  server?: boolean;
}

const flag = /^--handoff=(\d+)(:feed)?(:server)?$/;

/** Splits the shim's arguments: `[--handoff=FD] SHIM_PATH ARGS…`. */
export function readShimArguments(argv: readonly string[]): { handoff?: Handoff; shimPath?: string; args: string[] } {
  const match = argv[0] === undefined ? null : flag.exec(argv[0]);
  const rest = match ? argv.slice(1) : argv;
  return { ...(match ? { handoff: { fd: Number(match[1]), ...(match[2] ? { feed: true } : {}), ...(match[3] ? { server: true } : {}) } } : {}), shimPath: rest[0], args: rest.slice(1) };
}

export function answerExec(handoff: Handoff, depth: number, path: string): void {
  writeSync(handoff.fd, `exec ${depth} ${path}`);
}

/**
 * `exec` for git, with the exec-path overlay the tool must run with (src/shim/git-exec-path.ts) on a
 * line of its own before it: `git-exec-path OVERLAY`, then `exec DEPTH PATH`. The shim exports
 * GIT_EXEC_PATH=OVERLAY, then goes on as for `exec`.
 */
export function answerExecGit(handoff: Handoff, depth: number, path: string, overlay: string): void {
  if (overlay.includes('\n')) throw new Error(`an exec-path overlay path with a newline in it: ${JSON.stringify(overlay)}`);
  writeSync(handoff.fd, `git-exec-path ${overlay}\nexec ${depth} ${path}`);
}

export function answerSignal(handoff: Handoff, signal: number): void {
  writeSync(handoff.fd, `signal ${signal}`);
}
