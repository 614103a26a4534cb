// A shell started with a script: `bash -c 'cd x && railway up'`, `sh -ec "…"`, `zsh -lc …`, or a
// shell reading its script from a heredoc (`bash <<'EOF' … EOF`). The script is analysed like the line.
// A script file (`bash deploy.sh`) is read by scripts.ts; this module looks at the line only.

import type { Launch } from './launch.js';
import { commandName } from './launch.js';

export const shells = ['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash'];

/** Options that take the next word as their value. */
const shellValues = ['--rcfile', '--init-file'];

export interface ShellArgs {
  /** `-c`: the operand is the script text. */
  command: boolean;
  /** `-s`: the script is read from stdin even with operands. */
  fromStdin: boolean;
  /** Index of the first operand in argv (argv.length when there is none). */
  operand: number;
}

/** A shell's options, read as bash reads them, up to its first operand. */
export function readShellArgs(argv: readonly string[]): ShellArgs {
  let command = false;
  let fromStdin = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--' || word === '-') {
      i++;
      break;
    }
    if (word.startsWith('--')) {
      if (shellValues.includes(word)) i++;
      continue;
    }
    if (!/^[-+]./.test(word)) break;
    for (const letter of word.slice(1)) {
      if (letter === 'c' && word[0] === '-') command = true;
      else if (letter === 's') fromStdin = true;
      else if (letter === 'o' || letter === 'O') i++;
    }
  }
  return { command, fromStdin, operand: Math.min(i, argv.length) };
}

export function shellLaunch(argv: readonly string[], stdin: string | undefined): Launch | undefined {
  const name = commandName(argv[0]);
  if (!shells.includes(name)) return undefined;
  const { command, fromStdin, operand: i } = readShellArgs(argv);
  const operand = argv[i];
  if (command) return operand === undefined ? undefined : { via: `${name} -c`, script: operand, positional: argv.slice(i + 1) };
  if (operand !== undefined && !fromStdin) return undefined;
  return stdin === undefined ? undefined : { via: `${name} <stdin>`, script: stdin, stdin: 'none' };
}
