// `chaperone uninstall`: the way out, in either order. With chaperone still installed, it removes the
// shims (src/cli/shims.ts) and then the hooks `chaperone setup` wrote, only chaperone's own entries, each
// file backed up first; and it names the shell rc lines to delete, which it does not edit itself.
// Removed the other way round (`npm rm -g` first), the shims and hook commands notice that chaperone is
// gone, say so, and let the tool and the agent work (shims.ts, setup.ts hookCommand).
//
// Last, chaperone's own directories (config, state, data) go where nothing is left in them. What is
// left is the user's (rules, PIN, audit log, approvals, backups): it stays, named with where it is and
// the line that removes it, for the user to run; uninstall itself never deletes a record of what ran.

import { readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chaperoneConfigDir, chaperoneStateDir, dataHome, displayPath, homeOf } from '../context/files.js';
import { quoteWord } from '../display/describe.js';
import { hardenState } from '../harden/system.js';
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
  out.push(...leftovers(env));
  out.push('chaperone: then `npm rm -g chaperone` removes the program.');
  return `${out.join('\n')}\n`;
}

/** The entries of a directory; undefined when it is not there (or not a directory). */
function entriesOf(dir: string): string[] | undefined {
  try {
    return readdirSync(dir).sort();
  } catch {
    return undefined;
  }
}

/**
 * Removes chaperone's directories that hold nothing once the shims are gone, and names the ones that
 * still hold the user's files. The layer cache is chaperone's own (made again from the rules when
 * needed), so it goes first. A hardened machine's store is root's (src/harden/): it is left alone.
 */
export function leftovers(env: NodeJS.ProcessEnv): string[] {
  const hardened = hardenState() !== undefined;
  const state = hardened ? undefined : chaperoneStateDir(env);
  if (state) rmSync(join(state, 'layer-cache'), { recursive: true, force: true });
  const out: string[] = [];
  const kept: string[] = [];
  for (const dir of [chaperoneConfigDir(env), ...(state ? [state] : []), join(dataHome(env), 'chaperone')]) {
    const entries = entriesOf(dir);
    if (entries === undefined) continue;
    if (entries.length === 0) {
      try {
        rmdirSync(dir);
        out.push(`chaperone: removed ${displayPath(dir, env)}, which was empty`);
        continue;
      } catch {
        // Not ours to remove after all (permissions): it stays, and is named below.
      }
    }
    out.push(`chaperone: kept ${displayPath(dir, env)}: ${entries.join(', ') || '(empty)'}`);
    kept.push(dir);
  }
  if (hardened) out.push('chaperone: kept the audit log and approvals in the hardened store, which is root\'s (chaperone harden)');
  if (kept.length > 0) out.push(`chaperone: these are yours (rules, PIN, audit log, approvals, backups); to remove them too: rm -r ${kept.map(quoteWord).join(' ')}`);
  return out;
}
