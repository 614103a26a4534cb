// MySQL/MariaDB option files (my.cnf): `[group]` sections of `key = value` lines, with `!include FILE`
// and `!includedir DIR` (every *.cnf in it). The client applies the options of its groups in the order
// it reads them, whatever group they stand in, so the last occurrence of a key wins. This reader keeps
// that order, which a generic INI parser (the `ini` package) loses across sections, and follows the
// include directives that Debian's /etc/mysql/my.cnf is made of.
// A file the client cannot open (missing, a directory, no permission) it skips, and so does this reader.
// One it would open and wait on (a FIFO, a device) is reported as unreadable: chaperone does not read it.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { readStartupFile } from './startup-file.js';

export interface OptionEntry {
  group: string;
  /** Lower case, `_` written as `-` (the client treats them alike). */
  key: string;
  value: string;
  file: string;
  /** 1-based, for humans. */
  line: number;
}

export interface OptionFiles {
  entries: OptionEntry[];
  /** Files the client would read but chaperone cannot, and why. */
  unreadable: { file: string; why: string }[];
}

const maxIncludeDepth = 10;

/** The entries of `groups` in `files`, in the order the client applies them. Missing files are skipped. */
export function readOptionFiles(files: readonly string[], groups: ReadonlySet<string>): OptionEntry[] {
  return readOptions(files, groups).entries;
}

/** The entries, and the files that could not be read. */
export function readOptions(files: readonly string[], groups: ReadonlySet<string>): OptionFiles {
  const out: OptionFiles = { entries: [], unreadable: [] };
  for (const file of files) readOptionFile(file, groups, out, 0);
  return out;
}

function readOptionFile(file: string, groups: ReadonlySet<string>, out: OptionFiles, depth: number): void {
  if (depth > maxIncludeDepth) return;
  const read = readStartupFile(file);
  if (read.kind === 'missing') return;
  if (read.kind === 'unreadable') {
    // The client skips what it cannot open, a directory too; it would wait on a FIFO and read it.
    if (/^(a directory|EACCES|EPERM|EISDIR)/.test(read.why)) return;
    out.unreadable.push({ file, why: read.why });
    return;
  }
  let group = '';
  const lines = read.text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
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
      if (include[1] === 'include') readOptionFile(target, groups, out, depth + 1);
      else for (const child of cnfFilesIn(target)) readOptionFile(child, groups, out, depth + 1);
      continue;
    }
    if (!groups.has(group)) continue;
    const option = /^([^=\s]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!option) continue;
    out.entries.push({ group, key: option[1].toLowerCase().replace(/_/g, '-'), value: optionValue(option[2] ?? ''), file, line: index + 1 });
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
