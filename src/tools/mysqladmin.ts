// mysqladmin and mariadb-admin (the MySQL/MariaDB administration client; my_getopt, as mysql.ts reads
// it).
//
// Grammar: options as the mysql client takes them (unique prefixes, `_` = `-`, `--skip-`, `-pSECRET`),
// except that -c is --count and -i is --sleep, both with a value. The words are commands, each with
// its arguments, run in order: `drop DB` drops a database (-f/--force skips the question), `create DB`,
// `kill ID[,ID…]`, `password NEW`, and the rest without arguments (`shutdown`, `flush-logs`, `status`…).
// A command may be written as any unique prefix of its name (`dro`, `shut`), as mysqladmin finds it
// with find_type. `--help`, `-?`, `--version`, `-V` and `--print-defaults` run nothing.
//
// Target: the server as mysql.ts finds it (flags, then the option files' groups [mysqladmin],
// [mariadb-admin], [client], [client-server], [client-mariadb], then MYSQL_HOST / MYSQL_UNIX_PORT;
// local hosts and sockets are development), and the database each `drop` names, read by token. An
// option file chaperone cannot read (a FIFO) may name the server: the target is then unknown.

import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { grammar, readArgs, words, type ReadArgs } from './argv.js';
import { normalizeMysqlArgs, resolveMysqlServer } from './mysql.js';
import type { Tool } from './tool.js';

const adminGrammar = grammar({
  values: [
    ['--host', '-h'],
    ['--port', '-P'],
    ['--user', '-u'],
    ['--socket', '-S'],
    ['--count', '-c'],
    ['--sleep', '-i'],
    ...words(`--defaults-file --defaults-extra-file --defaults-group-suffix --login-path --protocol --connect-timeout
      --shutdown-timeout --character-sets-dir --default-character-set --plugin-dir --default-auth --ssl-ca --ssl-capath
      --ssl-cert --ssl-cipher --ssl-key --ssl-crl --ssl-crlpath --ssl-mode --tls-version --tls-ciphersuites
      --server-public-key-path --bind-address --compression-algorithms --zstd-compression-level --max-allowed-packet
      --net-buffer-length --shared-memory-base-name`).map((f) => [f]),
  ],
  booleans: [
    ['--help', '-?', '-I'],
    ['--version', '-V'],
    ['--force', '-f'],
    ['--silent', '-s'],
    ['--verbose', '-v'],
    ['--compress', '-C'],
    ['--relative', '-r'],
    ['--vertical', '-E'],
    ['--local', '-l'],
    ['--no-beep', '-b'],
    ['--wait', '-w'],
    ['--pipe', '-W'],
    ...words(`--print-defaults --no-defaults --password --debug --debug-info --debug-check --ssl --ssl-verify-server-cert
      --enable-cleartext-plugin --get-server-public-key --secure-auth`).map((f) => [f]),
  ],
  abbreviations: true,
});
const valueShorts = new Set(['h', 'P', 'u', 'S', 'c', 'i']);

/** mysqladmin's commands, and how many arguments each takes. */
const commandArity: Record<string, number> = {
  create: 1,
  drop: 1,
  kill: 1,
  password: 1,
  'old-password': 1,
  ...Object.fromEntries(
    words(`debug extended-status flush-all-statistics flush-all-status flush-hosts flush-logs flush-privileges flush-status
      flush-tables flush-threads flush-user-resources flush-binary-log flush-engine-log flush-error-log flush-general-log
      flush-relay-log flush-slow-log flush-table-statistics flush-index-statistics flush-user-statistics
      flush-client-statistics ping processlist reload refresh shutdown status start-slave stop-slave start-replica
      stop-replica start-all-slaves stop-all-slaves start-all-replicas stop-all-replicas variables version`).map((c) => [c, 0]),
  ),
};
const commandNames = Object.keys(commandArity);

/** A command as written, or as the unique prefix of one (find_type); undefined when none or ambiguous. */
export function commandNamed(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (Object.hasOwn(commandArity, lower)) return lower;
  const candidates = commandNames.filter((name) => name.startsWith(lower));
  return lower !== '' && candidates.length === 1 ? candidates[0] : undefined;
}

const normalizeAdminArgs = (args: readonly string[]) => normalizeMysqlArgs(args, valueShorts);

function readAdminArgs(args: readonly string[]): ReadArgs {
  return readArgs(normalizeAdminArgs(args), adminGrammar);
}

/** The option-file groups mysqladmin reads ([mysql] is not one of them). */
const adminGroups = ['mysqladmin', 'mariadb-admin', 'client', 'client-server', 'client-mariadb'];

/**
 * How mysqladmin reads its command line, for the backup's connection (src/backup/mysql.ts): its own
 * value options (-c, -i), its groups, and words that are commands, not a database to start in.
 */
export const adminClientReading = { read: readAdminArgs, normalize: normalizeAdminArgs, groups: adminGroups, startsInDatabase: false };

/** The databases a mysqladmin command line drops (`drop DB`, `dro DB`), in order. */
export function droppedDatabases(args: readonly string[]): string[] {
  return adminCommands(readAdminArgs(args)).filter((c) => c.path[0] === 'drop' && c.path[1]).map((c) => c.path[1]);
}

function parse(invocation: Invocation): ParsedInvocation {
  const read = readAdminArgs(invocation.args);
  const help = ['--help', '--version', '--print-defaults'].some((f) => read.flags.has(f));
  if (help) return { commands: [], help };
  return { commands: adminCommands(read), help: false };
}

function adminCommands(read: ReadArgs): Command[] {
  const positional = [...read.words, ...read.rest];
  const commands: Command[] = [];
  for (let i = 0; i < positional.length; i++) {
    const name = commandNamed(positional[i]);
    // mysqladmin stops at a word it does not know; what came before it has already run.
    if (!name) {
      commands.push({ path: [positional[i]], flags: read.flags });
      break;
    }
    const args = positional.slice(i + 1, i + 1 + commandArity[name]);
    i += commandArity[name];
    commands.push({ path: [name, ...args], flags: read.flags, text: [positional[i - commandArity[name]], ...args].join(' ') });
  }
  return commands;
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const read = readAdminArgs(invocation.args);
  const server = resolveMysqlServer(read, invocation, adminGroups);
  const evidence: Evidence[] = server.evidence;
  const identifiers: Identifier[] = server.identifiers;
  const dropped = parsed.commands.filter((c) => c.path[0] === 'drop' && c.path[1]).map((c) => c.path[1]);
  for (const database of dropped) {
    evidence.push({ source: 'argument', key: 'drop', value: database });
    identifiers.push({ kind: 'name', value: database });
  }
  const name = dropped[0] ?? server.name;
  if (server.unreadable.length > 0) {
    const files = server.unreadable.map((u) => `${displayPath(u.file, invocation.env)} (${u.why})`).join(', ');
    evidence.push({ source: 'file', key: 'option file', value: `cannot be read: ${files}` });
    return { ...(name ? { name } : {}), evidence, identifiers, forcedClass: 'unknown', forcedReason: `an option file mysqladmin reads cannot be read, and may name the server: ${files}. Remove it, or run with --no-defaults` };
  }
  return { ...(name ? { name } : {}), evidence, identifiers };
}

export const mysqladmin: Tool = { name: 'mysqladmin', parse, resolve, actsOnItsHost: true };
