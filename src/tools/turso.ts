// Turso CLI `turso` (tursodatabase/turso-cli, Go, cobra + viper).
//
// Grammar: cobra. Flags stand anywhere; a boolean given `=false` is unset. `db` answers to `database`
// too. `--help`/`-h` and `help` are never gated.
//
// Commands: `db destroy DB…`, `group destroy GROUP`, `org destroy ORG`, `db tokens invalidate DB`, and
// `db shell DB|URL [SQL]`, whose SQL is read as SQLite (src/sql/sqlite.ts): the SQL argument, else
// what is piped or redirected into it (read ahead, then handed on unchanged), and the files its
// `.read FILE` lines run. A shell at a terminal is an
// interactive session and passes through, as psql's does.
//
// Target:
//   1. the organization: `organization` in settings.json under --config-path, else TURSO_CONFIG_FOLDER,
//      else the user config directory's turso/ (XDG_CONFIG_HOME on Linux). Read by token;
//   2. the database, group or organization named, read by token; a URL given to `db shell` is a host
//      (a local `turso dev` server is development).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { configHome, displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { readStdinPayload } from '../payload/stdin.js';
import { sqlCommand } from '../sql/mysql.js';
import { readSqlite } from '../sql/sqlite.js';
import { grammar, readArgs } from './argv.js';
import { dropFalseBooleans } from './pflag-booleans.js';
import type { Tool } from './tool.js';

const tursoGrammar = grammar({
  values: [
    ['--config-path'],
    ['--group'],
    ['--location', '-l'],
    ['--expiration', '-e'],
    ['--instance'],
    ['--from-db'],
    ['--from-file'],
    ['--from-dump'],
    ['--timestamp'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--yes', '-y'],
    ['--wait', '-w'],
    ['--reset-config'],
    ['--no-multiline'],
  ],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, tursoGrammar);
  dropFalseBooleans(flags, tursoGrammar.booleans);
  if (words[0] === 'database') words[0] = 'db';
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  const commands: Command[] = [{ path: words, flags }];
  if (help || words[0] !== 'db' || words[1] !== 'shell') return { commands, help };

  const read = (text: string) => readShellInput(text, invocation.cwd);
  const sql = words[3];
  if (sql !== undefined) return { commands: [...commands, ...read(sql)], help };
  const payload = readStdinPayload(invocation.env, invocation.input);
  if (!payload) return { commands, help }; // a terminal: an interactive session
  if (payload.kind === 'file') {
    const chunks: Buffer[] = [];
    payload.chunks((chunk) => void chunks.push(Buffer.from(chunk)));
    return { commands: [...commands, ...read(Buffer.concat(chunks).toString('utf8'))], help };
  }
  commands.push(...read(payload.head.toString('utf8')));
  if (!payload.complete) commands.push(sqlCommand({ path: ['unreadable'] }, `stdin beyond the first ${payload.head.length} bytes (a pipe longer than chaperone reads ahead)`));
  const stdin: StdinReadAhead = { ...payload.readAhead, rest: 'pass' };
  return { commands, help, stdin };
}

/**
 * What the shell runs: its SQL, and the SQL of each `.read FILE` (relative to the working directory).
 * Other dot-commands (.dump, .tables, .schema) only read; their lines are left to the SQL reader, where
 * they match nothing.
 */
function readShellInput(text: string, cwd: string): Command[] {
  const commands = readSqlite(withoutDotCommands(text));
  for (const match of text.matchAll(/^[ \t]*\.read[ \t]+("[^"]*"|'[^']*'|\S+)/gm)) {
    const file = match[1].replace(/^(["'])(.*)\1$/, '$2');
    try {
      commands.push(...readSqlite(readFileSync(resolvePath(cwd, file), 'utf8')));
    } catch (error) {
      commands.push(sqlCommand({ path: ['unreadable'] }, `.read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
    }
  }
  return commands;
}

/**
 * The SQL of the shell's input: a line starting with `.` where a statement may start (at the top, or
 * after a line ending in `;`) is a dot-command, not SQL. Anywhere else it stays, and is read as SQL.
 */
function withoutDotCommands(text: string): string {
  let boundary = true;
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (boundary && trimmed.startsWith('.')) return '';
      if (trimmed !== '' && !trimmed.startsWith('--')) boundary = trimmed.endsWith(';');
      return line;
    })
    .join('\n');
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const org = organization(flags, invocation);
  evidence.push(org.evidence);
  if (org.name) identifiers.push({ kind: 'name', value: org.name });

  const command = `turso ${path.slice(0, 2).join(' ')}`;
  const named = path[0] === 'db' && path[1] === 'tokens' ? path.slice(3, 4) : path[1] === 'shell' ? path.slice(2, 3) : path.slice(2);
  let name: string | undefined;
  for (const value of named) {
    const host = hostOf(value);
    evidence.push({ source: 'argument', key: command, value });
    identifiers.push(host ? { kind: 'host', value: host } : { kind: 'name', value });
    name ??= value;
  }
  if (path[0] === 'db' && path[1] === 'destroy') {
    for (const group of flags.get('--group') ?? []) {
      evidence.push({ source: 'flag', key: '--group', value: group });
      identifiers.push({ kind: 'name', value: group });
    }
  }
  return { name: name ?? org.name, evidence, identifiers };
}

function hostOf(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).hostname || undefined;
  } catch {
    return undefined;
  }
}

function organization(flags: Map<string, string[]>, invocation: Invocation): { name?: string; evidence: Evidence } {
  const env = invocation.env;
  const dir = flags.get('--config-path')?.at(-1) || env.TURSO_CONFIG_FOLDER || join(userConfigDir(env), 'turso');
  const file = join(resolvePath(invocation.cwd, dir), 'settings.json');
  const shown = displayPath(file, env);
  let data: unknown;
  try {
    const text = readTextIfExists(file);
    if (text === undefined) return { evidence: { source: 'file', key: 'organization', value: 'no such file (turso has not logged in here)', file: shown } };
    data = JSON.parse(text);
  } catch (error) {
    return { evidence: { source: 'file', key: 'organization', value: `unreadable (${(error as Error).message}); turso refuses it too: fix the file`, file: shown } };
  }
  const org = (data as { organization?: unknown } | null)?.organization;
  if (typeof org === 'string' && org !== '') return { name: org, evidence: { source: 'file', key: 'organization', value: org, file: shown } };
  return { evidence: { source: 'file', key: 'organization', value: 'none chosen: the personal organization', file: shown } };
}

/** configdir.LocalConfig: XDG_CONFIG_HOME (else ~/.config) on Linux, Application Support on macOS. */
function userConfigDir(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'darwin') return join(homeOf(env), 'Library', 'Application Support');
  if (process.platform === 'win32') return env.APPDATA || join(homeOf(env), 'AppData', 'Roaming');
  return configHome(env);
}

export const turso: Tool = { name: 'turso', parse, resolve };
