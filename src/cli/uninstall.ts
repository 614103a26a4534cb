// `chaperone uninstall`: the way out, in either order. With chaperone still installed, it removes the
// shims (src/cli/shims.ts) and then the hooks `chaperone setup` wrote, only chaperone's own entries, each
// file backed up first; and it names the shell rc lines to delete, which it does not edit itself.
// Removed the other way round (`npm rm -g` first), the shims and hook commands notice that chaperone is
// gone, say so, and let the tool and the agent work (shims.ts, setup.ts hookCommand).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeOf } from '../context/files.js';
import { removeHooks } from './setup.js';

export interface RcLine {
  file: string;
  line: number;
  text: string;
}

/** The lines in the usual shell startup files that put chaperone on PATH. */
export function rcLines(home: string, shimDir: string): RcLine[] {
  const files = ['.bashrc', '.bash_profile', '.profile', '.zshrc', '.zprofile', '.zshenv', '.config/fish/config.fish'].map((f) => join(home, f));
  const found: RcLine[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((line, i) => {
      if (/chaperone (init|agent)\b/.test(line) || line.includes(shimDir)) found.push({ file, line: i + 1, text: line.trim() });
    });
  }
  return found;
}

export function uninstallAgents(options: { keepHooks: boolean; project?: string; shimDir: string }, env: NodeJS.ProcessEnv): string {
  const out: string[] = [];
  if (options.keepHooks) {
    out.push('chaperone: kept the agent hooks (--keep-hooks); while chaperone is installed they still judge every shell call.');
  } else {
    const results = [...removeHooks(env), ...(options.project ? removeHooks(env, options.project) : [])];
    for (const r of results) {
      if (r.problem) out.push(`chaperone: ${r.agent}: ${r.file} is ${r.problem}`);
      else out.push(`chaperone: ${r.agent}: removed ${r.removed} hook${r.removed === 1 ? '' : 's'} from ${r.file}${r.backup ? ` (the previous version is in ${r.backup})` : ''}`);
    }
    if (results.length === 0) out.push('chaperone: no agent hooks of chaperone were found in the user config files.');
  }
  const lines = rcLines(homeOf(env), options.shimDir);
  for (const l of lines) out.push(`chaperone: delete line ${l.line} of ${l.file}: ${l.text}`);
  if (lines.length === 0) out.push('chaperone: if your shell rc or an agent\'s environment runs `chaperone init`, delete that line.');
  out.push('chaperone: then `npm rm -g chaperone` removes the program.');
  return `${out.join('\n')}\n`;
}
