// psql (PostgreSQL's terminal client; GNU getopt_long, so options and positionals mix freely, and a
// long option may be abbreviated).
//
// What it runs: the startup files (psqlrc.ts) unless -X, then each -c and each -f in order; with
// neither (or with -f -), stdin. Files and a regular file on stdin are read with pread, so psql still
// reads every byte; a pipe is read ahead (up to 16 MiB) and its remainder judged statement by
// statement as it streams (src/gate/stdin.ts); a terminal is an interactive session and is not read.
// Only units that could destroy something are parsed.
// Where it connects: libpq's rules, in libpq.ts. Positionals are `[dbname [username]]`, and with -d
// the first positional is the username.

import { fstatSync, statSync } from 'node:fs';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { PsqlSession, unreadableMarker } from '../sql/psql-script.js';
import type { UnitScanner } from '../sql/units.js';
import { readAheadLimit, readInto } from '../payload/stdin.js';
import { claimDescriptor, stdinStat } from '../payload/descriptors.js';
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
/**
 * How much of a pipe psql's shim reads before psql starts. A script that fits is judged whole (a
 * refusal runs nothing); past it, statement by statement as it streams. Held in memory, so it is
 * what keeps the shim's peak RSS under 128 MiB with the grammar loaded (see BENCHMARKS.md).
 */
const psqlReadAhead = 16 * 1024 * 1024;

/** A session that reads this invocation's scripts: its -v variables, its first connection, its env. */
export function sessionFor(invocation: Invocation): PsqlSession {
  const read = readArgs(invocation.args, psqlGrammar);
  const variables = (read.flags.get('--set') ?? []).map((assignment): [string, string] => {
    const eq = assignment.indexOf('=');
    return eq < 0 ? [assignment, ''] : [assignment.slice(0, eq), assignment.slice(eq + 1)];
  });
  return new PsqlSession(
    { cwd: invocation.cwd, scriptDir: invocation.cwd, home: homeOf(invocation.env) },
    {
      env: invocation.env,
      variables,
      connection: connectionOf(read, invocation.env, invocation.cwd).values,
      // PGOPTIONS or a connection string's options may turn standard_conforming_strings off.
      conformingStringsUnknown: /standard_conforming_strings/i.test(`${invocation.env.PGOPTIONS ?? ''} ${invocation.args.join(' ')}`),
    },
  );
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readArgs(invocation.args, psqlGrammar);
  const help = read.flags.has('--help') || read.flags.has('--version');
  if (help) return { commands: [], help };
  const marked = invocation.env[unreadableMarker];
  if (marked !== undefined) return { commands: [{ path: ['sql', 'unreadable'], flags: new Map(), text: marked }], help: false };
  // The startup files run first, unless -X (see psqlrc.ts).
  const startup: Command[] = read.flags.has('--no-psqlrc') ? [] : await readPsqlrc(invocation);
  const session = sessionFor(invocation);
  let stdin: StdinReadAhead | undefined;
  let stdinRead = false;
  const readStdinOnce = async (byPath: boolean) => {
    if (stdinRead) return;
    stdinRead = true;
    if (invocation.input !== undefined) {
      await session.readScript(invocation.input);
      return;
    }
    stdin = await readStream(session, invocation.env, 0, byPath);
  };

  for (const source of scriptSources(read)) {
    const path = source.kind === 'file' ? resolvePath(invocation.cwd, source.path) : '';
    const own = source.kind === 'file' && (source.path === '-' || isOwnStdin(path, invocation.input !== undefined));
    const pipe = source.kind === 'file' && !own && invocation.input === undefined && stdin === undefined && !stdinRead ? inheritedPipe(path) : undefined;
    if (source.kind === 'command') await session.readCommandString(source.text);
    else if (own && !(stdin && stdin.fd !== 0)) await readStdinOnce(source.path !== '-');
    else if (pipe !== undefined) stdin = await readStream(session, invocation.env, pipe, true); // -f <(…): streamed like stdin
    else await session.readFile(path, `-f ${source.path}`);
    // Read past the stream's head, the session is in a state the rest of it never meets: it is replayed.
    if (!own && pipe === undefined && stdin) live.delete(stdin);
  }
  if (!read.flags.has('--command') && !read.flags.has('--file') && !read.flags.has('--list')) await readStdinOnce(false);
  const { commands, nested } = session.take();
  return { commands: [...startup, ...commands], help: false, ...(nested.length ? { nested } : {}), ...(stdin ? { stdin } : {}) };
}

/** `-f /dev/stdin` (or a path to fd 0) reads the same stdin psql would read without -f. */
function isOwnStdin(path: string, known: boolean): boolean {
  if (/^\/(dev\/stdin|dev\/fd\/0|proc\/self\/fd\/0)$/.test(path)) return true;
  if (known) return false;
  try {
    const [file, zero] = [statSync(path), stdinStat()];
    return zero !== undefined && !file.isFile() && file.dev === zero.dev && file.ino === zero.ino;
  } catch {
    return false;
  }
}

/**
 * The N of `/dev/fd/N` (what `-f <(…)` names) when this process holds N as the same pipe psql will
 * open: the rest of it can be streamed to psql through a pipe of ours at that number. Descriptors up
 * to 4 are the shim's own while Node runs (the hand-off), so they are not the caller's.
 */
function inheritedPipe(path: string): number | undefined {
  const match = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d{1,4})$/.exec(path);
  if (!match || Number(match[1]) <= 4) return undefined;
  claimDescriptor(Number(match[1]));
  try {
    const stat = fstatSync(Number(match[1]));
    return stat.isFIFO() ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

type Source = { kind: 'command'; text: string } | { kind: 'file'; path: string };

/** The -c and -f values, in the order psql runs them. */
function scriptSources(read: ReadArgs): Source[] {
  return read.sequence.flatMap(([name, value]): Source[] =>
    name === '--command' ? [{ kind: 'command', text: value }] : name === '--file' ? [{ kind: 'file', path: value }] : [],
  );
}

/**
 * SQL on stdin, or on a pipe psql was given by name (`-f <(…)`, descriptor `fd`). A regular file
 * (`psql < dump.sql`) is read without moving its offset. A pipe is read ahead up to readAheadLimit,
 * unit by unit; what was read is handed to psql first, unchanged, and the rest is judged as it streams
 * (src/gate/stdin.ts). A terminal is an interactive session: passed through, not read (see
 * docs/payloads.md).
 */
async function readStream(session: PsqlSession, env: NodeJS.ProcessEnv, fd: number, byPath: boolean): Promise<StdinReadAhead | undefined> {
  if (fd !== 0) claimDescriptor(fd);
  let stat;
  try {
    stat = fd === 0 ? stdinStat() : fstatSync(fd);
  } catch {
    stat = undefined;
  }
  if (stat === undefined) return undefined; // closed
  if (stat.isFile() || stat.isFIFO() || stat.isSocket()) claimDescriptor(fd);
  if (stat.isFile()) {
    await session.readFd(fd);
    return undefined;
  }
  if (!stat.isFIFO() && !stat.isSocket()) return undefined;

  const scanner = session.newScanner();
  // One buffer for the head, written in place: no second copy of it at the end. Pages never written
  // are never resident, so a short pipe costs what it holds.
  const limit = readAheadLimit(env, psqlReadAhead);
  const head = Buffer.allocUnsafeSlow(limit);
  let total = 0;
  let complete = false;
  // Units whose text ends at or before this offset were judged here; the rest as the stream goes on.
  let judgedUpTo = 0;
  // For the stream's reader: statements in the head, and where the last unit let bytes go on.
  let statements = 0;
  let safe = 0;
  while (total < limit) {
    const n = readInto(fd, head, total, Math.min(chunkSize, limit - total));
    if (n === 0) {
      complete = true;
      break;
    }
    const units = scanner.push(head.subarray(total, total + n));
    total += n;
    for (const unit of units) {
      judgedUpTo = Math.max(judgedUpTo, unit.to);
      safe = Math.max(safe, unit.end);
      if (unit.kind === 'sql' && !unit.shadow) statements++;
    }
    await session.readUnits(units);
  }
  if (complete) await session.readUnits(scanner.finish());
  if (complete) judgedUpTo = total;
  const ahead: StdinReadAhead = { head: head.subarray(0, total), complete, judgedUpTo, ...(fd !== 0 ? { fd } : {}), ...(byPath ? { byPath } : {}) };
  if (!complete) live.set(ahead, { session, scanner, statements, safe });
  return ahead;
}

interface StreamReader {
  session: PsqlSession;
  scanner: UnitScanner;
  /** Statements the scanner has ended so far, and the offset up to which its units let bytes go. */
  statements: number;
  safe: number;
}
/**
 * The reader of each pipe's head, where it stopped: the rest of the stream is read on from there, in
 * the same process, so the head is neither scanned nor held twice.
 */
const live = new WeakMap<StdinReadAhead, StreamReader>();

/**
 * How the rest of stdin is read: by the session and scanner that read the head (`resumed`), or, when
 * they are gone (another script was read after stdin), by a fresh session that replays the head.
 */
export function streamReaderFor(ahead: StdinReadAhead, invocation: Invocation): StreamReader & { resumed: boolean } {
  const found = live.get(ahead);
  if (found) {
    live.delete(ahead);
    return { ...found, resumed: true };
  }
  const session = sessionFor(invocation);
  return { session, scanner: session.newScanner(), statements: 0, safe: 0, resumed: false };
}

function connectionOf(read: ReadArgs, env: NodeJS.ProcessEnv, cwd?: string) {
  const dbFlag = read.flags.get('--dbname')?.at(-1);
  const [first, second] = read.words;
  const dbname = dbFlag ?? first;
  const dbSource: Evidence = dbFlag !== undefined
    ? { source: 'flag', key: '--dbname', value: dbFlag }
    : { source: 'argument', key: 'dbname', value: first ?? '' };
  const username = read.flags.get('--username')?.at(-1) ?? (dbFlag !== undefined ? first : second);
  const flag = (key: string, value: string | undefined) => (value ? { value, from: { source: 'flag' as const, key, value } } : undefined);
  return resolveConnection(
    dbname !== undefined && isConnectionString(dbname) ? { text: dbname, from: { ...dbSource, key: 'connection string' } } : undefined,
    {
      dbname: dbname !== undefined && !isConnectionString(dbname) ? { value: dbname, from: dbSource } : undefined,
      host: flag('--host', read.flags.get('--host')?.at(-1)),
      port: flag('--port', read.flags.get('--port')?.at(-1)),
      user: username ? { value: username, from: { source: 'argument', key: 'username', value: username } } : undefined,
    },
    env,
    cwd,
  );
}

export function resolvePsql(read: ReadArgs, env: NodeJS.ProcessEnv, cwd?: string): ResolvedTarget {
  const connection = connectionOf(read, env, cwd);
  const database = connection.values.dbname ?? connection.values.user ?? env.USER;
  return targetOf(connection, database);
}

export const psql: Tool = {
  name: 'psql',
  parse,
  resolve: (_parsed, invocation) => resolvePsql(readArgs(invocation.args, psqlGrammar), invocation.env, invocation.cwd),
  actsOnItsHost: true,
};
