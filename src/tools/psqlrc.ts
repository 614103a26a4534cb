// psql's startup files, which it runs after connecting and before -c, -f or stdin, unless -X
// (--no-psqlrc). Since PostgreSQL 9.6, -c no longer implies -X, and -l reads them too. They are psql
// scripts like any other, so a statement refused on the command line can be written into one; here they
// are found as psql finds them and handed to the same script reader (`\i` in them is followed).
//
// Where (psql's process_psqlrc, checked against psql 15):
//   - the system-wide `psqlrc` in the installation's sysconfdir (`pg_config --sysconfdir`:
//     /etc/postgresql-common on Debian). Which installation will run is not known here, so every usual
//     sysconfdir is read, and PGSYSCONFDIR, which psql's manual names (psql 15 itself ignores it);
//   - then PSQLRC (`~` expanded, relative to the working directory) when set and not empty, else
//     ~/.psqlrc, with HOME from the command's environment.
// Each may have version-specific variants, `psqlrc-15` and `psqlrc-15.4`, that psql reads instead of it
// when present. The version of the psql that will run is not known either, so every variant is read.
// One that exists but cannot be read (permissions, a directory, a FIFO) is `sql unreadable`: psql would
// read it, or wait on it, and chaperone cannot say what it does. dropdb and pg_restore read no psqlrc.

import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import type { Command, Invocation } from '../model.js';
import { displayPath, homeOf } from '../context/files.js';
import { readPsqlScript } from '../sql/psql-script.js';
import { lineAt, readStartupFile } from './startup-file.js';

/** Where packagers put psql's sysconfdir: Debian and Ubuntu, PGDG RPMs, Alpine, source builds, Homebrew and BSD, the rest. */
const systemDirs = ['/etc/postgresql-common', '/etc/sysconfig/pgsql', '/etc/postgresql', '/usr/local/pgsql/etc', '/usr/local/etc', '/opt/homebrew/etc', '/etc'];

/**
 * The startup files psql may read for this invocation, in the order it reads them; a PSQLRC naming
 * `~user/…` for a user this machine's passwd file does not know is given back as `unknown`.
 */
export function psqlrcFiles(env: NodeJS.ProcessEnv, cwd: string): { files: string[]; unknown?: string } {
  const home = homeOf(env);
  const bases = [...new Set([env.PGSYSCONFDIR, ...systemDirs].filter((d): d is string => Boolean(d)))].map((dir) => resolve(dir, 'psqlrc'));
  const envrc = env.PSQLRC;
  const user = envrc ? expandTilde(envrc, home) : join(home, '.psqlrc');
  if (user !== undefined) bases.push(resolve(cwd, user));
  return { files: bases.flatMap((base) => [...versionVariants(base), base]), ...(user === undefined ? { unknown: envrc } : {}) };
}

/** psql's expand_tilde: `~` and `~/…` are HOME, `~user/…` that user's home directory. */
function expandTilde(path: string, home: string): string | undefined {
  if (!path.startsWith('~')) return path;
  const slash = path.indexOf('/');
  const [name, rest] = slash === -1 ? [path.slice(1), ''] : [path.slice(1, slash), path.slice(slash)];
  if (name === '') return home + rest;
  const entry = readStartupFile('/etc/passwd');
  const dir = entry.kind === 'text' ? entry.text.split('\n').map((l) => l.split(':')).find((f) => f[0] === name)?.[5] : undefined;
  return dir === undefined ? undefined : dir + rest;
}

/** `psqlrc-15`, `.psqlrc-15.4`: psql reads the most specific one of its own version instead of the base. */
function versionVariants(base: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dirname(base));
  } catch {
    return [];
  }
  const prefix = `${basename(base)}-`;
  return names
    .filter((name) => name.startsWith(prefix) && /^\d[\w.]*$/.test(name.slice(prefix.length)))
    .sort()
    .map((name) => join(dirname(base), name));
}

/** What the startup files ask for, each action saying which file and line it comes from. */
export async function readPsqlrc(invocation: Invocation): Promise<Command[]> {
  const { env, cwd } = invocation;
  const commands: Command[] = [];
  const { files, unknown } = psqlrcFiles(env, cwd);
  if (unknown !== undefined) {
    commands.push({ path: ['sql', 'unreadable'], flags: new Map(), text: `PSQLRC=${unknown} names a user whose home chaperone cannot find; psql runs that file before the command. Unset PSQLRC, or run psql with -X` });
  }
  for (const path of files) {
    const file = readStartupFile(path);
    if (file.kind === 'missing') continue;
    const shown = displayPath(path, env);
    if (file.kind === 'unreadable') {
      commands.push({
        path: ['sql', 'unreadable'],
        flags: new Map(),
        text: `startup file ${shown} cannot be read (${file.why}); psql runs it before the command. Fix or remove it, or run psql with -X`,
      });
      continue;
    }
    const found = await readPsqlScript(file.text, { cwd, scriptDir: dirname(path), home: homeOf(env) });
    let from = 0;
    for (const command of found) {
      const at = locate(file.text, command.text, from);
      if (at !== undefined) from = at;
      const where = at === undefined ? shown : `${shown}:${lineAt(file.text, at)}`;
      commands.push({ ...command, text: `${where}: ${command.text ?? command.path.join(' ')}` });
    }
  }
  return commands;
}

/**
 * Where an action's text starts in the file, for the line shown to a human; the reader gives its text
 * with whitespace folded. Undefined when it is not found (an included file's statement): the file is
 * then named without a line.
 */
function locate(text: string, shown: string | undefined, from: number): number | undefined {
  const words = shown?.replace(/\.\.\.$/, '').split(/\s+/).filter(Boolean).slice(0, 4);
  if (!words?.length) return undefined;
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'), 'gi');
  pattern.lastIndex = from;
  return pattern.exec(text)?.index;
}
