// psql (PostgreSQL's terminal client; GNU getopt_long, so options and positionals mix freely, and a
// long option may be abbreviated). See shared tools.md §2.
//
// What it runs: the startup files (psqlrc.ts) unless -X, then each -c and each -f in order; with
// neither (or with -f -), stdin. Files and a regular file on stdin are read with pread, so psql still
// reads every byte; a pipe is read ahead (up to 64 MiB) and its remainder judged statement by
// statement as it streams (src/gate/stdin.ts); a terminal is an interactive session and is not read.
// Only units that could destroy something are parsed.
// Where it connects: libpq's rules, in libpq.ts. Positionals are `[dbname [username]]`, and with -d
// the first positional is the username.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Command, Evidence, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { readLargePsqlScript, readPsqlScript, readUnits, type ScriptPlace } from '../sql/psql-script.js';
import { UnitScanner, type ReadUnit } from '../sql/units.js';
import { readAheadLimit, readChunk } from '../payload/stdin.js';
import { grammar, readArgs, type ReadArgs } from './argv.js';
import { isConnectionString, resolveConnection, targetOf } from './libpq.js';
import { readPsqlrc } from './psqlrc.js';
import { homeOf } from '../context/files.js';
import type { Tool } from './tool.js';

export const psqlGrammar = grammar({
  values: [
    ['--command', '-c'],
    ['--dbname', '-d'],
    ['--file', '-f'],
    ['--host', '-h'],
    ['--log-file', '-L'],
    ['--output', '-o'],
    ['--port', '-p'],
    ['--pset', '-P'],
    ['--record-separator', '-R'],
    ['--field-separator', '-F'],
    ['--table-attr', '-T'],
    ['--username', '-U'],
    ['--set', '-v', '--variable'],
  ],
  booleans: [
    ['--help', '-?'],
    ['--version', '-V'],
    ['--list', '-l'],
    ['--no-psqlrc', '-X'],
    ['--single-transaction', '-1'],
    ['--echo-all', '-a'],
    ['--no-align', '-A'],
    ['--echo-errors', '-b'],
    ['--echo-queries', '-e'],
    ['--echo-hidden', '-E'],
    ['--html', '-H'],
    ['--no-readline', '-n'],
    ['--quiet', '-q'],
    ['--single-step', '-s'],
    ['--single-line', '-S'],
    ['--tuples-only', '-t'],
    ['--expanded', '-x'],
    ['--field-separator-zero', '-z'],
    ['--record-separator-zero', '-0'],
    ['--no-password', '-w'],
    ['--password', '-W'],
    ['--csv'],
  ],
  abbreviations: true,
});

const chunkSize = 1024 * 1024;

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readArgs(invocation.args, psqlGrammar);
  const help = read.flags.has('--help') || read.flags.has('--version');
  if (help) return { commands: [], help };
  const place = { cwd: invocation.cwd, scriptDir: invocation.cwd, home: homeOf(invocation.env) };
  // The startup files run first, unless -X (see psqlrc.ts).
  const commands: Command[] = read.flags.has('--no-psqlrc') ? [] : await readPsqlrc(invocation);
  let stdin: StdinReadAhead | undefined;
  const readStdinOnce = async () => {
    if (invocation.input !== undefined) {
      commands.push(...(await readLargePsqlScript(Buffer.from(invocation.input), place)));
      return;
    }
    const fromStdin = await readStdin(place, invocation.env);
    commands.push(...fromStdin.commands);
    stdin ??= fromStdin.readAhead;
  };

  for (const source of scriptSources(read)) {
    if (source.kind === 'command') commands.push(...(await readPsqlScript(source.text, place)));
    else if (source.path === '-') await readStdinOnce();
    else commands.push(...(await readFile(resolvePath(invocation.cwd, source.path), source.path, invocation.cwd)));
  }
  if (!read.flags.has('--command') && !read.flags.has('--file') && !read.flags.has('--list')) await readStdinOnce();
  return { commands, help: false, ...(stdin ? { stdin } : {}) };
}

async function readFile(file: string, shown: string, cwd: string): Promise<Command[]> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return [{ path: ['sql', 'unreadable'], flags: new Map(), text: `-f ${shown} (${(error as NodeJS.ErrnoException).code})` }];
  }
  try {
    return await scanRegularFile(fd, { cwd, scriptDir: dirname(file) });
  } finally {
    closeSync(fd);
  }
}

/** A regular file read with pread in chunks: its offset never moves, so psql still reads it all. */
async function scanRegularFile(fd: number, place: ScriptPlace): Promise<Command[]> {
  const scanner = new UnitScanner();
  const units: ReadUnit[] = [];
  const buffer = Buffer.alloc(chunkSize);
  for (let position = 0; ; ) {
    const n = readSync(fd, buffer, 0, buffer.length, position);
    if (n === 0) break;
    position += n;
    units.push(...scanner.push(Buffer.from(buffer.subarray(0, n))));
  }
  units.push(...scanner.finish());
  return readUnits(units, place);
}

type Source = { kind: 'command'; text: string } | { kind: 'file'; path: string };

/** The -c and -f values, in the order psql runs them. */
function scriptSources(read: ReadArgs): Source[] {
  return read.sequence.flatMap(([name, value]): Source[] =>
    name === '--command' ? [{ kind: 'command', text: value }] : name === '--file' ? [{ kind: 'file', path: value }] : [],
  );
}

/**
 * SQL on stdin. A regular file (`psql < dump.sql`) is read without moving its offset. A pipe is read
 * ahead up to readAheadLimit; what was read is handed to psql first, unchanged. A terminal is an
 * interactive session: passed through, not read (see README, "Limits").
 */
async function readStdin(place: ScriptPlace, env: NodeJS.ProcessEnv): Promise<{ commands: Command[]; readAhead?: StdinReadAhead }> {
  let stat;
  try {
    stat = fstatSync(0);
  } catch {
    return { commands: [] }; // stdin is closed
  }
  if (stat.isFile()) return { commands: await scanRegularFile(0, place) };
  if (!stat.isFIFO() && !stat.isSocket()) return { commands: [] };

  const scanner = new UnitScanner();
  const units: ReadUnit[] = [];
  const chunks: Buffer[] = [];
  let total = 0;
  let complete = false;
  const limit = readAheadLimit(env);
  while (total < limit) {
    const chunk = readChunk(0, Math.min(chunkSize, limit - total));
    if (chunk.length === 0) {
      complete = true;
      break;
    }
    chunks.push(chunk);
    total += chunk.length;
    units.push(...scanner.push(chunk));
  }
  if (complete) units.push(...scanner.finish());
  const judgedUpTo = complete ? total : scanner.completeUpTo;
  return { commands: await readUnits(units, place), readAhead: { head: Buffer.concat(chunks, total), complete, judgedUpTo } };
}

export function resolvePsql(read: ReadArgs, env: NodeJS.ProcessEnv): ResolvedTarget {
  const dbFlag = read.flags.get('--dbname')?.at(-1);
  const [first, second] = read.words;
  const dbname = dbFlag ?? first;
  const dbSource: Evidence = dbFlag !== undefined
    ? { source: 'flag', key: '--dbname', value: dbFlag }
    : { source: 'argument', key: 'dbname', value: first ?? '' };
  const username = read.flags.get('--username')?.at(-1) ?? (dbFlag !== undefined ? first : second);
  const flag = (key: string, value: string | undefined) => (value ? { value, from: { source: 'flag' as const, key, value } } : undefined);
  const connection = resolveConnection(
    dbname !== undefined && isConnectionString(dbname) ? { text: dbname, from: { ...dbSource, key: 'connection string' } } : undefined,
    {
      dbname: dbname !== undefined && !isConnectionString(dbname) ? { value: dbname, from: dbSource } : undefined,
      host: flag('--host', read.flags.get('--host')?.at(-1)),
      port: flag('--port', read.flags.get('--port')?.at(-1)),
      user: username ? { value: username, from: { source: 'argument', key: 'username', value: username } } : undefined,
    },
    env,
  );
  const database = connection.values.dbname ?? connection.values.user ?? env.USER;
  return targetOf(connection, database);
}

export const psql: Tool = {
  name: 'psql',
  parse,
  resolve: (_parsed, invocation) => resolvePsql(readArgs(invocation.args, psqlGrammar), invocation.env),
};
