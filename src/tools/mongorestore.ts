// mongorestore (mongodb/mongo-tools; go-flags: `--opt value`, `--opt=value`, `-h host`, `-hhost`).
//
// What it destroys: with --drop, every collection it restores is dropped first, live documents gone and
// the dump's put in their place; with --oplogReplay, the dump's oplog is replayed over the live data
// (its deletes included). --nsInclude/--nsExclude/-d/-c narrow what it restores but do not make --drop
// safe. --dryRun runs nothing; `--help` and `--version` are never gated. Without --drop it only
// inserts, and a document already there is kept: not gated.
//
// Where it writes, as mongo-tools read their options: --uri (a connection string), else --host
// ([replSet/]h1[:p],h2…) and --port, else localhost:27017; a --config YAML file may hold `uri`.
// Databases: the connection string's, -d/--db, and the database part of each --nsInclude and --nsTo
// (`shop_prod.*`). Hosts and database names are identifiers; local hosts are development. The password
// of a connection string is never put in evidence.

import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { grammar, readArgs, words } from './argv.js';
import { readDataFile, stringAt } from './data-file.js';
import type { Tool } from './tool.js';

const restoreGrammar = grammar({
  values: [
    ['--host', '-h'],
    ['--username', '-u'],
    ['--password', '-p'],
    ['--db', '-d'],
    ['--collection', '-c'],
    ['--numParallelCollections', '-j'],
    ...words(`--uri --port --authenticationDatabase --authenticationMechanism --awsSessionToken --gssapiServiceName
      --gssapiHostName --nsInclude --nsExclude --nsFrom --nsTo --config --sslCAFile --sslPEMKeyFile --sslPEMKeyPassword
      --sslCRLFile --tlsCAFile --tlsCertificateKeyFile --tlsCertificateKeyFilePassword --tlsCRLFile --readPreference
      --writeConcern --dir --oplogFile --oplogLimit --numInsertionWorkersPerCollection --excludeCollection
      --excludeCollectionsWithPrefix --compressors`).map((f) => [f]),
  ],
  booleans: [
    ...words(`--help --version --quiet --ssl --sslAllowInvalidCertificates --sslAllowInvalidHostnames --sslFIPSMode --tls
      --tlsInsecure --drop --dryRun --oplogReplay --objcheck --preserveUUID --restoreDbUsersAndRoles --noIndexRestore
      --noOptionsRestore --keepIndexVersion --maintainInsertionOrder --stopOnError --bypassDocumentValidation --gzip
      --convertLegacyIndexes --fixDottedHashIndex --archive --verbose`).map((f) => [f]),
    ['--verbose', '-v'],
  ],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words: positional, flags } = readArgs(invocation.args, restoreGrammar);
  const help = flags.has('--help') || flags.has('--version');
  return { commands: [{ path: positional, flags }], help };
}

async function resolve(parsed: ParsedInvocation, invocation: Invocation): Promise<ResolvedTarget> {
  // mongosh.ts brings its script reader; only a gated call needs its connection-string reader.
  const { parseConnectionString, withoutPassword } = await import('./mongosh.js');
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const databases: string[] = [];

  let uri = flags.get('--uri')?.at(-1);
  let uriFrom: Evidence | undefined = uri ? { source: 'flag', key: '--uri', value: withoutPassword(uri) } : undefined;
  const config = flags.get('--config')?.at(-1);
  if (!uri && config) {
    const path = resolvePath(invocation.cwd, config);
    const read = readDataFile(path, 'yaml');
    const fromFile = read.kind === 'read' ? stringAt(read.data, 'uri') : undefined;
    if (fromFile) {
      uri = fromFile;
      uriFrom = { source: 'file', key: 'uri', value: withoutPassword(fromFile), file: displayPath(path, env) };
    } else if (read.kind === 'unreadable') {
      evidence.push({ source: 'file', key: '--config', value: `unreadable (${read.why})`, file: displayPath(path, env) });
      return { evidence, identifiers, forcedClass: 'unknown', forcedReason: `the --config file ${config} cannot be read, and it may name the server` };
    }
  }
  const host = flags.get('--host')?.at(-1);
  if (uri && uriFrom) {
    const connection = parseConnectionString(uri);
    evidence.push(uriFrom);
    for (const h of connection.hosts) identifiers.push({ kind: 'host', value: h });
    if (connection.replicaSet) identifiers.push({ kind: 'name', value: connection.replicaSet });
    if (connection.database) databases.push(connection.database);
  } else if (host) {
    const [list, replicaSet] = host.split('/').reverse();
    evidence.push({ source: 'flag', key: '--host', value: host });
    for (const h of list.split(',').filter(Boolean)) identifiers.push({ kind: 'host', value: h.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1') });
    if (replicaSet) identifiers.push({ kind: 'name', value: replicaSet });
  } else {
    evidence.push({ source: 'default', key: 'host', value: 'localhost:27017 (no --uri or --host given)' });
    identifiers.push({ kind: 'host', value: 'localhost' });
  }
  const port = flags.get('--port')?.at(-1);
  if (port && !uri) evidence.push({ source: 'flag', key: '--port', value: port });

  for (const db of flags.get('--db') ?? []) {
    evidence.push({ source: 'flag', key: '--db', value: db });
    databases.push(db);
  }
  for (const flag of ['--nsInclude', '--nsTo']) {
    for (const pattern of flags.get(flag) ?? []) {
      evidence.push({ source: 'flag', key: flag, value: pattern });
      const db = pattern.split('.')[0];
      if (db && !/[*$]/.test(db)) databases.push(db);
    }
  }
  for (const db of new Set(databases)) identifiers.push({ kind: 'name', value: db });
  return { ...(databases[0] ? { name: databases[0] } : {}), evidence, identifiers };
}

export const mongorestore: Tool = { name: 'mongorestore', parse, resolve, actsOnItsHost: true };
