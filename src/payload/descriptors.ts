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
 * Says that descriptor `fd` of the caller is about to be read (or stat'ed, for one above 2), or a path
 * that names the caller's own descriptors (src/server/own-paths.ts). Here that is fd `fd` itself;
 * elsewhere it is not reachable, and the decision stops. Readers call this even where
 * they catch errors: the claim is remembered either way.
 */
export function claimDescriptor(fd: number | string): void {
  if (!elsewhere) return;
  elsewhere.claimed = true;
  throw new DescriptorClaimed(`the caller's ${typeof fd === 'number' ? `descriptor ${fd}` : fd} is needed for this decision`);
}

/** Whether a decision for a caller in another process is under way (src/server/own-paths.ts). */
export function decidingElsewhere(): boolean {
  return elsewhere !== undefined;
}

/** The decision for another process under way, as a key for what holds only during it; undefined when none is. */
export function judgement(): object | undefined {
  return elsewhere;
}
