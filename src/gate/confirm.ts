// Asking a human. The question is read from /dev/tty, never from stdin, which may be carrying the
// command's data; its text goes to stderr (or to /dev/tty when stderr is redirected, so the human sees
// what they are answering). Anything but the exact word aborts.

import { closeSync, constants, openSync, readSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';

export async function askHuman(header: string, word: string, what = 'run it'): Promise<boolean> {
  return (await askHumanFor(header, [word], `Type ${word} to ${what}`)) === word;
}

/** Asks for one of several exact answers; the one typed, or undefined for anything else. */
export async function askHumanFor(header: string, words: string[], message: string): Promise<string | undefined> {
  const answer = (await askOnTerminal(header, message, 'text'))?.trim();
  return words.find((word) => word === answer);
}

/** Asks for a secret (a PIN) on the terminal, without echo. Undefined when cancelled. */
export async function askSecret(message: string): Promise<string | undefined> {
  return askOnTerminal('', message, 'password');
}

/** One question on /dev/tty; undefined when the human cancels (Ctrl-C, Esc). */
async function askOnTerminal(header: string, message: string, type: 'text' | 'password'): Promise<string | undefined> {
  const fd = openSync('/dev/tty', 'r');
  const terminal = new ReadStream(fd); // reads nothing until a 'data' listener is added
  // prompts reads its keys from `keys`, which the terminal feeds up to the first Enter and never past
  // it. prompts' submit is asynchronous, so keys read in the same chunk as the Enter (a paste, or fast
  // typing) would be added to the answer before it is taken: "prod⏎uction" would confirm "production".
  const keys = new PassThrough();
  let entered = false;
  const feed = (chunk: Buffer) => {
    if (entered) return;
    const enter = chunk.findIndex((byte) => byte === 0x0d || byte === 0x0a);
    if (enter !== -1) {
      entered = true;
      terminal.pause();
    }
    keys.write(enter === -1 ? chunk : chunk.subarray(0, enter + 1));
  };
  const screen = process.stderr.isTTY ? process.stderr : new WriteStream(openSync('/dev/tty', 'w'));
  const restoreThenDie = (signal: NodeJS.Signals) => {
    if (terminal.isRaw) terminal.setRawMode(false);
    for (const other of endingSignals) process.off(other, restoreThenDie);
    process.kill(process.pid, signal); // no listener left: the default action, death by that signal
  };
  try {
    const { default: prompts } = await import('prompts');
    // `keys` is not a TTY, so prompts leaves the terminal's mode alone: raw mode is set and undone here.
    terminal.setRawMode(true);
    // A signal that ends this process at the prompt (sent to the process group, so the shim that would
    // reset the terminal dies too) first gives the terminal back in its ordinary mode, then ends it.
    for (const signal of endingSignals) process.once(signal, restoreThenDie);
    screen.write(header);
    // Only what is typed after the question is shown answers it.
    discardTypeahead();
    terminal.on('data', feed);
    let cancelled = false;
    const { answer } = await prompts(
      {
        type,
        name: 'answer',
        message,
        stdin: keys,
        stdout: screen,
      },
      { onCancel: () => (cancelled = true) },
    );
    return !cancelled && typeof answer === 'string' ? answer : undefined;
  } finally {
    for (const signal of endingSignals) process.off(signal, restoreThenDie);
    if (terminal.isRaw) terminal.setRawMode(false);
    terminal.destroy();
    keys.destroy();
    if (screen !== process.stderr) screen.destroy();
  }
}

const endingSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Drops input already waiting on the terminal, as tcflush(TCIFLUSH) would; Node has no tcflush. */
function discardTypeahead(): void {
  let fd: number | undefined;
  try {
    fd = openSync('/dev/tty', constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const buffer = Buffer.alloc(4096);
    while (readSync(fd, buffer) > 0);
  } catch {
    // EAGAIN: nothing (more) is waiting.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
