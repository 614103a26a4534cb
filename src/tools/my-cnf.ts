// MySQL/MariaDB option files (my.cnf): `[group]` sections of `key = value` lines, with `!include FILE`
// and `!includedir DIR` (every *.cnf in it). The client applies the options of its groups in the order
// it reads them, whatever group they stand in, so the last occurrence of a key wins. This reader keeps
// that order, which a generic INI parser (the `ini` package) loses across sections, and follows the
// include directives that Debian's /etc/mysql/my.cnf is made of.

import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readTextIfExists } from '../context/files.js';

export interface OptionEntry {
  group: string;
  /** Lower case, `_` written as `-` (the client treats them alike). */
  key: string;
  value: string;
  file: string;
}

const maxIncludeDepth = 10;

/** The entries of `groups` in `files`, in the order the client applies them. Missing files are skipped. */
export function readOptionFiles(files: readonly string[], groups: ReadonlySet<string>): OptionEntry[] {
  const entries: OptionEntry[] = [];
  for (const file of files) readOptionFile(file, groups, entries, 0);
  return entries;
}

function readOptionFile(file: string, groups: ReadonlySet<string>, entries: OptionEntry[], depth: number): void {
  let text: string | undefined;
  try {
    text = readTextIfExists(file);
  } catch {
    return; // unreadable (permissions): the client skips it too
  }
  if (text === undefined || depth > maxIncludeDepth) return;
  let group = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (section) {
      group = section[1].toLowerCase();
      continue;
    }
    const include = /^!(include|includedir)\s+(.+)$/.exec(line);
    if (include) {
      const target = resolve(dirname(file), include[2].trim());
      if (include[1] === 'include') readOptionFile(target, groups, entries, depth + 1);
      else for (const child of cnfFilesIn(target)) readOptionFile(child, groups, entries, depth + 1);
      continue;
    }
    if (!groups.has(group)) continue;
    const option = /^([^=\s]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!option) continue;
    entries.push({ group, key: option[1].toLowerCase().replace(/_/g, '-'), value: optionValue(option[2] ?? ''), file });
  }
}

/** A value: quotes removed (with their escapes), or up to an unquoted ` #` comment. */
function optionValue(text: string): string {
  const quoted = /^(['"])((?:\\.|(?!\1).)*)\1/.exec(text);
  if (quoted) return quoted[2].replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', s: ' ' })[c] ?? c);
  return text.replace(/\s+#.*$/, '').trim();
}

function cnfFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.cnf'))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}
