// psql (PostgreSQL's terminal client; GNU getopt_long, so options and positionals mix freely, and a
// long option may be abbreviated). See shared tools.md §2.
//
// What it runs: each -c and each -f in order; with neither, stdin. A regular file on stdin is read
// ahead without being consumed; a pipe or a terminal is passed through unread (see README, "Limits").
// Where it connects: libpq's rules, in libpq.ts. Positionals are `[dbname [username]]`, and with -d
// the first positional is the username.

import { fstatSync, readFileSync, readSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Command, Evidence, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { readPsqlScript } from '../sql/psql-script.js';
import { grammar, readArgs, type ReadArgs } from './argv.js';
import { isConnectionString, resolveConnection, targetOf } from './libpq.js';
import type { Tool } from './tool.js';

const psqlGrammar = grammar({
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

/** Regular files on stdin larger than this are not read ahead; they count as unreadable. */
const stdinReadLimit = 64 * 1024 * 1024;

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readArgs(invocation.args, psqlGrammar);
  const help = read.flags.has('--help') || read.flags.has('--version');
  if (help) return { commands: [], help };
  const place = { cwd: invocation.cwd, scriptDir: invocation.cwd };
  const commands: Command[] = [];

  for (const source of scriptSources(read)) {
    if (source.kind === 'command') commands.push(...(await readPsqlScript(source.text, place)));
    else if (source.path === '-') commands.push(...(await readStdin(place)));
    else {
      const file = resolvePath(invocation.cwd, source.path);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        commands.push({ path: ['sql', 'unreadable'], flags: new Map(), text: `-f ${source.path} (${(error as NodeJS.ErrnoException).code})` });
        continue;
      }
      commands.push(...(await readPsqlScript(text, { cwd: invocation.cwd, scriptDir: dirname(file) })));
    }
  }
  if (!read.flags.has('--command') && !read.flags.has('--file') && !read.flags.has('--list')) {
    commands.push(...(await readStdin(place)));
  }
  return { commands, help: false };
}

type Source = { kind: 'command'; text: string } | { kind: 'file'; path: string };

/** The -c and -f values, in the order psql runs them. */
function scriptSources(read: ReadArgs): Source[] {
  return read.sequence.flatMap(([name, value]): Source[] =>
    name === '--command' ? [{ kind: 'command', text: value }] : name === '--file' ? [{ kind: 'file', path: value }] : [],
  );
}

/** SQL on stdin: a regular file is read without moving its offset; pipes and terminals are not read. */
async function readStdin(place: { cwd: string; scriptDir: string }): Promise<Command[]> {
  let stat;
  try {
    stat = fstatSync(0);
  } catch {
    return [];
  }
  if (!stat.isFile()) return [];
  if (stat.size > stdinReadLimit) {
    return [{ path: ['sql', 'unreadable'], flags: new Map(), text: `stdin is a ${stat.size}-byte file, larger than chaperone reads ahead` }];
  }
  const buffer = Buffer.alloc(stat.size);
  let offset = 0;
  while (offset < stat.size) {
    const n = readSync(0, buffer, offset, stat.size - offset, offset); // pread: the offset stays at 0
    if (n === 0) break;
    offset += n;
  }
  return readPsqlScript(buffer.subarray(0, offset).toString('utf8'), place);
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
  executables: ['psql'],
  parse,
  resolve: (_parsed, invocation) => resolvePsql(readArgs(invocation.args, psqlGrammar), invocation.env),
};
