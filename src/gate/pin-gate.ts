// The PIN at the terminal. Typing an environment's name proves that something types into a terminal,
// not who: an agent that unsets its markers and gives the command a pseudo-terminal of its own (script,
// expect, tmux, Python's pty) can type the name too. Once a human has set a PIN (`chaperone pin set`),
// confirming a production or unknown target also asks for it, without echo, from /dev/tty. The agent
// does not know it. Wrong PINs are counted, and after a few the PIN is not asked for a while.

import type { EnvironmentClass } from '../model.js';
import { pinLockedUntil, pinPath, readPin, verifyPin } from '../approval/pin.js';
import { ExitCode, UserError } from '../errors.js';
import { hardenState } from '../harden/system.js';

export type PinAnswer = { ok: true; asked: boolean } | { ok: false; why: string };

export function needsPin(cls: EnvironmentClass): boolean {
  return cls === 'production' || cls === 'unknown';
}

/** Asks for the PIN when one is set; `asked: false` when none is. */
export async function askPinAtTerminal(env: NodeJS.ProcessEnv): Promise<PinAnswer> {
  let file;
  try {
    file = readPin(env);
  } catch (error) {
    // Fail closed: a PIN that cannot be read cannot be skipped either.
    throw new UserError(
      `chaperone: ${(error as Error).message}; nothing ran. Make it readable, or remove ${pinPath(env)} and set a new PIN with \`chaperone pin set\`.`,
      ExitCode.refused,
    );
  }
  if (!file) {
    // A hardened machine never confirms production without the PIN: none set means none can be typed.
    if (hardenState()) return { ok: false, why: `this machine is hardened and no PIN is set (root sets one: chaperone pin set)` };
    return { ok: true, asked: false };
  }
  const locked = pinLockedUntil(env);
  if (locked) return { ok: false, why: `too many wrong PINs; the PIN is not asked again before ${locked.toISOString()}` };
  const { askSecret } = await import('./confirm.js');
  const typed = await askSecret('PIN');
  return verifyPin(env, file, typed) ? { ok: true, asked: true } : { ok: false, why: 'wrong PIN' };
}
