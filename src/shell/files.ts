// Reading the files a line runs without running them: a script (`./deploy.sh`, `bash wipe.sh`,
// `source .env`), a Makefile, a package.json. Only regular files, only up to a size a script has, and
// only on this machine: a line that runs elsewhere (`ssh host ./x.sh`) never gets here.

import { readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { claimDescriptor } from '../payload/descriptors.js';

/** A script larger than this is not read (and so not known). */
export const maxFileSize = 1024 * 1024;

export type FileRead = { file: string; text: string } | { file: string; missing: true } | { file: string; error: string };

/**
 * Files the line being analysed writes before it reads them (`cat > w.sh <<EOF … EOF; bash w.sh`), by
 * path: their text when the line shows it, undefined when it does not (`curl -o w.sh`, `cp a w.sh`).
 * Set for the duration of one analysis (analyze.ts), so every reader here sees the line's own files.
 */
let written: Map<string, string | undefined> | undefined;

export function withWrittenFiles<T>(files: Map<string, string | undefined>, fn: () => T): T {
  const outer = written;
  written = files;
  try {
    return fn();
  } finally {
    written = outer;
  }
}

/** Records that the line writes `file` (absolute), with its text when known; `append` adds to it. */
export function noteWritten(file: string, text: string | undefined, append = false): void {
  if (!written) return;
  if (append) {
    const before = written.has(file) ? written.get(file) : readTextFile('/', file);
    const old = typeof before === 'string' ? before : before === undefined ? undefined : 'text' in before ? before.text : 'missing' in before ? '' : undefined;
    written.set(file, old === undefined || text === undefined ? undefined : old + text);
  } else written.set(file, text);
}

/** What the line wrote to `file` before now: its text, undefined when not known, null when it did not write it. */
export function writtenText(file: string): string | undefined | null {
  return written?.has(file) ? written.get(file) : null;
}

/** A file's text, or why it cannot be had: missing (nothing runs it), or not readable (unknown). */
export function readTextFile(cwd: string, path: string): FileRead {
  const file = resolve(cwd, path);
  if (written?.has(file)) {
    const text = written.get(file);
    return text === undefined ? { file, error: `${file} is written by this line, with text that is not known` } : { file, text };
  }
  // /proc/self/…, /dev/fd/N, /dev/stdin: the judging process's own, which in the resident decision are
  // not the hook's (src/server/hook-request.ts): there the decision goes to the hook's own Node.
  if (/^\/(?:proc|dev)\//.test(file)) claimDescriptor(-1);
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { file, missing: true } : { file, error: `cannot read ${file}: ${code ?? String(e)}` };
  }
  // A directory runs nothing (`bash dir` fails); a device or a pipe (`bash /dev/stdin`) is input not known.
  if (stat.isDirectory()) return { file, missing: true };
  if (!stat.isFile()) return { file, error: `${file} is not a regular file` };
  if (stat.size > maxFileSize) return { file, error: `${file} is larger than ${maxFileSize} bytes` };
  try {
    const buffer = readFileSync(file);
    if (buffer.includes(0)) return { file, error: `${file} is a binary file` };
    return { file, text: buffer.toString('utf8') };
  } catch (e) {
    return { file, error: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}

/** Whether a path names an existing binary (an executable that is not text), which no reader here opens. */
export function isBinary(read: FileRead): boolean {
  return 'error' in read && read.error.endsWith('is a binary file');
}

/**
 * Where `source NAME` finds its file: a name with a slash is a path; a bare name is looked up on PATH
 * first and then in the current directory (bash outside POSIX mode).
 */
export function sourcePath(cwd: string, name: string, path: string | undefined): string {
  if (name.includes('/') || isAbsolute(name)) return resolve(cwd, name);
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = resolve(cwd, join(dir, name));
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there
    }
  }
  return resolve(cwd, name);
}

/** The interpreter a `#!` line names: `#!/usr/bin/env -S python3 -u` → python3. */
export function shebangOf(text: string): string | undefined {
  const first = /^#!\s*(\S+)(.*)/.exec(text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')));
  if (!first) return undefined;
  const program = first[1].slice(first[1].lastIndexOf('/') + 1);
  if (program !== 'env') return program;
  const words = first[2].trim().split(/\s+/).filter((w) => w !== '' && !w.startsWith('-') && !w.includes('='));
  return words[0]?.slice(words[0].lastIndexOf('/') + 1);
}
