// pg_restore: touches a database only with -d/--dbname (which may be a connection string); with
// -c/--clean it drops each object before recreating it. Without -d it only writes SQL out.

import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { isConnectionString, resolveConnection, targetOf } from './libpq.js';
import type { Tool } from './tool.js';

const pgRestoreGrammar = grammar({
  values: [
    ['--dbname', '-d'],
    ['--file', '-f'],
    ['--format', '-F'],
    ['--index', '-I'],
    ['--jobs', '-j'],
    ['--use-list', '-L'],
    ['--schema', '-n'],
    ['--exclude-schema', '-N'],
    ['--function', '-P'],
    ['--superuser', '-S'],
    ['--table', '-t'],
    ['--trigger', '-T'],
    ['--host', '-h'],
    ['--port', '-p'],
    ['--username', '-U'],
    ['--role'],
    ['--section'],
  ],
  booleans: [
    ['--help', '-?'],
    ['--version', '-V'],
    ['--clean', '-c'],
    ['--create', '-C'],
    ['--data-only', '-a'],
    ['--exit-on-error', '-e'],
    ['--list', '-l'],
    ['--no-owner', '-O'],
    ['--schema-only', '-s'],
    ['--no-privileges', '-x'],
    ['--single-transaction', '-1'],
    ['--verbose', '-v'],
    ['--no-password', '-w'],
    ['--password', '-W'],
    ['--if-exists'],
  ],
  abbreviations: true,
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, pgRestoreGrammar);
  return { commands: [{ path: words, flags }], help: flags.has('--help') || flags.has('--version') };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, pgRestoreGrammar);
  const flag = (name: string) => {
    const value = flags.get(name)?.at(-1);
    return value ? { value, from: { source: 'flag' as const, key: name, value } } : undefined;
  };
  const dbname = flags.get('--dbname')?.at(-1);
  const connection = resolveConnection(
    dbname && isConnectionString(dbname) ? { text: dbname, from: { source: 'flag', key: '--dbname', value: dbname } } : undefined,
    {
      dbname: dbname && !isConnectionString(dbname) ? flag('--dbname') : undefined,
      host: flag('--host'),
      port: flag('--port'),
      user: flag('--username'),
    },
    invocation.env,
    invocation.cwd,
  );
  return targetOf(connection);
}

export const pgRestore: Tool = { name: 'pg_restore', parse, resolve, actsOnItsHost: true };
