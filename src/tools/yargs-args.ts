// Command lines of yargs CLIs (wrangler, neonctl): options may stand anywhere, a boolean may be spelled
// `--remote`, `--remote=false`, `--remote false` or `--no-remote` (yargs-parser reads a following
// `true`/`false` as the boolean's value, and `--no-x` as x = false). The generic reader knows none of
// that, so the spellings are settled first: a false boolean is no flag at all.

import { readArgs, type Grammar, type ReadArgs } from './argv.js';

export function readYargs(args: readonly string[], g: Grammar): ReadArgs {
  const booleanOf = (arg: string) => (arg.startsWith('--') ? g.booleans.get(arg) : undefined);
  const spelled: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      spelled.push(...args.slice(i));
      break;
    }
    const negated = /^--no-(.+)$/.exec(arg);
    if (negated && !g.booleans.has(arg) && g.booleans.has(`--${negated[1]}`)) {
      spelled.push(`--${negated[1]}=false`);
    } else if (booleanOf(arg) !== undefined && (args[i + 1] === 'true' || args[i + 1] === 'false')) {
      spelled.push(`${arg}=${args[++i]}`);
    } else {
      spelled.push(arg);
    }
  }
  const read = readArgs(spelled, g);
  for (const name of new Set(g.booleans.values())) {
    const last = read.flags.get(name)?.at(-1);
    if (last === 'false') read.flags.delete(name);
    else if (last !== undefined) read.flags.set(name, ['']);
  }
  return read;
}
