// Files a line writes before it runs them: `cat > w.sh <<'EOF' … EOF && bash w.sh`, `echo 'railway down'
// > w.sh; sh w.sh`, `curl -o w.sh …; bash w.sh`. Reading the file from disk would find it missing (or
// stale), and a missing script runs nothing; so what the line writes is noted (files.ts) and the
// readers see it: its text when the line shows it, unknown otherwise.

import type { Redirection } from 'unbash';
import { basename, dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { noteWritten, readTextFile } from './files.js';
import { commandName } from './launch.js';
import { expandText, isKnown, type Lookup } from './words.js';
import { isDirectory } from '../context/files.js';

/** Output redirects of a command: `> f`, `>> f`, `>| f`, `&> f`, `1> f`, with what the command writes. */
export function noteRedirects(redirects: readonly Redirection[], output: string | undefined, cwd: string, lookup: Lookup): void {
  for (const r of redirects) {
    if (!['>', '>>', '>|', '&>', '&>>'].includes(r.operator) || r.type === 'HereDoc' || !r.target) continue;
    const fd = r.descriptor === undefined ? 1 : r.descriptor.type === 'FileDescriptor' ? r.descriptor.value : -1;
    const path = expandText(r.target, lookup);
    if (!isKnown(path) || path.startsWith('/dev/')) continue;
    noteWritten(resolve(cwd, path), fd === 1 && isKnown(output ?? '\u{F0000}') ? output : undefined, r.operator.endsWith('>>'));
  }
}

/** Commands that write a file named in their arguments, with text the line does not show. */
export function noteCommandWrites(argv: readonly string[], stdin: string | undefined, cwd: string): void {
  const name = commandName(argv[0] ?? '');
  const args = argv.slice(1);
  const operands = args.filter((a) => !a.startsWith('-'));
  const unknown = (path: string | undefined) => {
    if (path !== undefined && isKnown(path)) noteWritten(resolve(cwd, path), undefined);
  };
  switch (name) {
    case 'tee':
      for (const f of operands) if (isKnown(f)) noteWritten(resolve(cwd, f), stdin !== undefined && isKnown(stdin) ? stdin : undefined, args.includes('-a') || args.includes('--append'));
      break;
    case 'cp':
    case 'mv': {
      // `cp wipe.sh /tmp/x`: the copy has the original's text, when it can be read.
      const [from, to] = operands;
      if (operands.length === 2 && isKnown(from) && isKnown(to)) {
        const read = readTextFile(cwd, from);
        const dest = isDirectory(resolve(cwd, to)) ? join(resolve(cwd, to), basename(from)) : resolve(cwd, to);
        noteWritten(dest, 'text' in read ? read.text : undefined);
        break;
      }
      unknown(operands.at(-1));
      break;
    }
    case 'ln': {
      // `ln -s /usr/lib/git-core/git-filter-branch fb`: the link reads as what it points at (a symbolic
      // link's relative target from the link's own directory).
      const [from, to] = operands;
      if (operands.length === 2 && isKnown(from) && isKnown(to)) {
        const dest = isDirectory(resolve(cwd, to)) ? join(resolve(cwd, to), basename(from)) : resolve(cwd, to);
        const symbolic = args.some((a) => a === '--symbolic' || /^-[a-zA-Z]*s/.test(a));
        const read = readTextFile(symbolic ? dirname(dest) : cwd, from);
        noteWritten(dest, 'text' in read ? read.text : undefined);
        break;
      }
      unknown(operands.at(-1));
      break;
    }
    case 'install':
    case 'rsync':
      unknown(operands.at(-1));
      break;
    case 'curl':
    case 'wget':
    case 'xh':
    case 'http': {
      // `-o FILE`, and curl's clusters ending in it (`-fsSLo FILE`).
      const at = args.findIndex((a) => ['--output', '--output-document'].includes(a) || (name === 'wget' ? /^-[a-zA-Z]*O$/ : /^-[a-zA-Z]*o$/).test(a));
      if (at >= 0) unknown(args[at + 1]);
      for (const a of args) if (a.startsWith('--output=') || a.startsWith('--output-document=')) unknown(a.slice(a.indexOf('=') + 1));
      break;
    }
    case 'sed':
    case 'perl':
      if (args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'))) for (const f of operands.slice(1)) unknown(f);
      break;
  }
}
