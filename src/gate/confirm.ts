// Asking a human. The question is read from /dev/tty, never from stdin, which may be carrying the
// command's data; its text goes to stderr. Anything but the exact word aborts.

import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';

export async function askHuman(header: string, word: string): Promise<boolean> {
  const fd = openSync('/dev/tty', 'r');
  const input = new ReadStream(fd);
  try {
    const { default: prompts } = await import('prompts');
    process.stderr.write(header);
    let cancelled = false;
    const { answer } = await prompts(
      {
        type: 'text',
        name: 'answer',
        message: word === 'yes' ? 'Type yes to run it' : `Type ${word} to run it`,
        stdin: input,
        stdout: process.stderr,
      },
      { onCancel: () => (cancelled = true) },
    );
    return !cancelled && typeof answer === 'string' && answer.trim() === word;
  } finally {
    input.destroy();
  }
}
