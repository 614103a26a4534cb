// dropdb: drops the database named by its positional argument. It connects to a maintenance database
// (--maintenance-db, which may be a connection string; default postgres) on the host given by the
// usual libpq flags and PG* variables. The target is that server and the database being dropped.

import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { isConnectionString, resolveConnection, targetOf } from './libpq.js';
import type { Tool } from './tool.js';

export const dropdbGrammar = grammar({
  values: [['--host', '-h'], ['--port', '-p'], ['--username', '-U'], ['--maintenance-db']],
  booleans: [
    ['--help', '-?'],
    ['--version', '-V'],
    ['--echo', '-e'],
    ['--force', '-f'],
    ['--interactive', '-i'],
    ['--if-exists'],
    ['--no-password', '-w'],
    ['--password', '-W'],
  ],
  abbreviations: true,
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, dropdbGrammar);
  return { commands: [{ path: words, flags }], help: flags.has('--help') || flags.has('--version') };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { words, flags } = readArgs(invocation.args, dropdbGrammar);
  const flag = (name: string) => {
    const value = flags.get(name)?.at(-1);
    return value ? { value, from: { source: 'flag' as const, key: name, value } } : undefined;
  };
  const maintenance = flags.get('--maintenance-db')?.at(-1);
  const connection = resolveConnection(
    maintenance && isConnectionString(maintenance)
      ? { text: maintenance, from: { source: 'flag', key: '--maintenance-db', value: maintenance } }
      : undefined,
    { host: flag('--host'), port: flag('--port'), user: flag('--username') },
    invocation.env,
    invocation.cwd,
  );
  const dropped = words[0];
  const target = targetOf(connection, dropped);
  if (dropped) target.evidence.unshift({ source: 'argument', key: 'dbname (dropped)', value: dropped });
  return target;
}

export const dropdb: Tool = { name: 'dropdb', parse, resolve, actsOnItsHost: true };
