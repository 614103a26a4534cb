// What a shell reads before the script it is given: the files and variables its startup runs. An agent
// refused `railway down` writes it where the next shell picks it up, and starts that shell with a
// harmless script: `BASH_ENV=wipe.sh bash -c true`, `bash -i -c true` after an edit of ~/.bashrc,
// `PROMPT_COMMAND='railway down' bash -i`, `ENV=wipe.sh sh -i`, `bash --rcfile wipe.sh -i`.
//
// bash: non-interactive, it sources $BASH_ENV; interactive (-i), ~/.bashrc (or --rcfile/--init-file,
// none with --norc) and runs $PROMPT_COMMAND before each prompt; a login shell (-l, --login) reads
// ~/.bash_profile, ~/.bash_login or ~/.profile. sh, dash, ash, ksh: $ENV when interactive, ~/.profile as
// a login shell. zsh: ~/.zshenv always, ~/.zshrc when interactive (under $ZDOTDIR when set). Each file
// is followed like `source FILE` (src/shell/indirect.ts). Files under the home directory are followed
// when the line itself wrote them; one edited by an earlier line is left to the shims of what it runs.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { writtenText } from './files.js';
import { commandName, type Launch } from './launch.js';
import { readShellArgs, shells } from './shells.js';
import type { Lookup } from './words.js';

export function shellStartup(argv: readonly string[], lookup: Lookup, cwd: string): Launch | undefined {
  const name = commandName(argv[0] ?? '');
  if (!shells.includes(name)) return undefined;
  const { command, fromStdin, operand } = readShellArgs(argv);
  const options = argv.slice(1, operand);
  const letters = options.filter((w) => /^-[a-zA-Z]+$/.test(w)).join('');
  // With no command and no script a shell reads its input, and is interactive when that is a terminal
  // (`bash --init-file wipe.sh`): whether it is cannot be known here, so it counts as one.
  const interactive = letters.includes('i') || (!command && (fromStdin || argv[operand] === undefined));
  const login = letters.includes('l') || options.includes('--login');
  const home = lookup('HOME');
  const files: string[] = [];
  let script: string | undefined;
  // The user's own startup files are followed only when this line wrote them: agents start every line
  // with `bash -lc`, and a profile's `eval "$(tool init)"` must not make each of those unknown.
  const inHome = (file: string) => (home && writtenText(join(home, file)) !== null ? [join(home, file)] : []);
  if (name === 'bash') {
    if (login) files.push(...inHome('.bash_profile'), ...inHome('.bash_login'), ...inHome('.profile'));
    if (interactive && !options.includes('--norc')) {
      const rc = options.findIndex((w) => w === '--rcfile' || w === '--init-file');
      files.push(...(rc >= 0 && options[rc + 1] !== undefined ? [options[rc + 1]] : inHome('.bashrc')));
    }
    if (interactive) script = lookup('PROMPT_COMMAND');
    if (!interactive) {
      const env = lookup('BASH_ENV');
      if (env) files.push(env);
    }
  } else if (name === 'zsh') {
    const dir = lookup('ZDOTDIR') ?? home;
    const written = (file: string) => (dir && writtenText(join(dir, file)) !== null ? [join(dir, file)] : []);
    files.push(...written('.zshenv'), ...(interactive ? written('.zshrc') : []), ...(login ? written('.zprofile') : []));
  } else {
    if (login) files.push(...inHome('.profile'));
    const env = interactive ? lookup('ENV') : undefined;
    if (env) files.push(env);
  }
  // Only files that are there, or that the line wrote: a missing ~/.bashrc is nothing to run.
  const present = files.filter((file) => writtenText(resolve(cwd, file)) !== null || existsSync(resolve(cwd, file)));
  if (present.length === 0 && !script) return undefined;
  return { via: `${name} startup`, runs: present.map((file) => ['.', file]), ...(script ? { script } : {}), stdin: 'none' };
}
