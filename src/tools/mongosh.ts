// mongosh and the legacy mongo shell (@mongosh/arg-parser: yargs-parser with short-option groups off,
// so `-f x.js` and `-p secret` take the next argument, `--opt=value` works, and unknown options are an
// error).
//
// What it runs: every --eval, then every script: --file/-f and the positionals after the connection
// (in mongosh's order); with neither, or with --shell, the shell reads stdin (a regular file or a pipe,
// read as src/payload/stdin.ts does; a terminal is not read; more than the read-ahead is unreadable).
// The JavaScript is read by src/payload/mongo.ts; `load('f.js')` files are read in turn. A file that
// cannot be read is `js unreadable`. ~/.mongoshrc.js is not read.
//
// Where it connects (@mongosh/arg-parser uri-generator.ts):
//   - the first positional, unless --nodb or it ends in .js/.mongodb: a connection string
//     (mongodb://, mongodb+srv://) or a db address (`shop`, `host/shop`, `host:port/shop`; a bare word
//     with a dot is a host);
//   - --host ([replSet/]h1[:p],h2…, or a connection string) and --port; with --host, the positional is
//     the database;
//   - else 127.0.0.1:27017. The database defaults to `test`.
//   - with --nodb nothing is connected at start: only what the script's connect()/Mongo() names.
// Hosts and the database name (and a replica set name) are identifiers; local hosts are development.
// The script's own `use x`, getSiblingDB('x') and connect('uri') count too. Passwords in connection
// strings are never put in evidence.

import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget, StdinReadAhead } from '../model.js';
import { readMongoScript } from '../payload/mongo.js';
import { CommandCollector } from '../payload/collect.js';
import { payloadText, readAheadLimit, readScriptFile as readFileText, readStdinPayload } from '../payload/stdin.js';
import { grammar, readArgs, type ReadArgs } from './argv.js';
import { percentDecoded, type Tool } from './tool.js';

const mongoshGrammar = grammar({
  values: [
    ['--eval'],
    ['--file', '-f'],
    ['--host'],
    ['--port'],
    ['--username', '-u'],
    ['--password', '-p'],
    ['--authenticationDatabase'],
    ['--authenticationMechanism'],
    ['--apiVersion'],
    ['--awsAccessKeyId'],
    ['--awsSecretAccessKey'],
    ['--awsSessionToken'],
    ['--awsIamSessionToken'],
    ['--csfleLibraryPath'],
    ['--cryptSharedLibPath'],
    ['--db'],
    ['--gssapiHostName'],
    ['--gssapiServiceName'],
    ['--sspiHostnameCanonicalization'],
    ['--sspiRealmOverride'],
    ['--jsContext'],
    ['--keyVaultNamespace'],
    ['--kmsURL'],
    ['--locale'],
    ['--oidcFlows'],
    ['--oidcRedirectUri', '--oidcRedirectUrl'],
    ['--sslPEMKeyFile'],
    ['--sslPEMKeyPassword'],
    ['--sslCAFile'],
    ['--sslCertificateSelector'],
    ['--sslCRLFile'],
    ['--sslDisabledProtocols'],
    ['--tlsCAFile'],
    ['--tlsCertificateKeyFile'],
    ['--tlsCertificateKeyFilePassword'],
    ['--tlsCertificateSelector'],
    ['--tlsCRLFile'],
    ['--tlsDisabledProtocols'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version'],
    ['--build-info', '--buildInfo'],
    ['--nodb'],
    ['--norc'],
    ['--quiet'],
    ['--shell'],
    ['--verbose'],
    ['--ipv6'],
    ['--retryWrites'],
    ['--apiStrict'],
    ['--apiDeprecationErrors'],
    ['--exposeAsyncRewriter'],
    ['--skipStartupWarnings'],
    ['--ssl'],
    ['--sslAllowInvalidCertificates'],
    ['--sslAllowInvalidHostnames'],
    ['--sslFIPSMode'],
    ['--tls'],
    ['--tlsAllowInvalidCertificates'],
    ['--tlsAllowInvalidHostnames'],
    ['--tlsFIPSMode'],
    ['--tlsUseSystemCA'],
    ['--oidcTrustedEndpoint'],
    ['--oidcIdTokenAsAccessToken', '--oidcIDTokenAsAccessToken'],
    ['--oidcNoNonce'],
    ['--json'],
    ['--browser'],
    ['--oidcDumpTokens'],
    ['--disableImplicitSessions'],
    ['--disableJavaScriptJIT'],
    ['--enableJavaScriptJIT'],
    ['--perfTests'],
    ['--smokeTests'],
  ],
});

/** The largest script read; a longer one is unreadable. */
const maxScriptBytes = 16 * 1024 * 1024;
const maxLoadDepth = 8;

export function readMongoshArgs(args: readonly string[]): ReadArgs {
  return readArgs(args, mongoshGrammar);
}

/** The connection specifier and the script files, as mongosh splits its positionals. */
function positionals(read: ReadArgs): { specifier?: string; files: string[] } {
  const words = [...read.words, ...read.rest];
  const first = words[0];
  const isSpecifier =
    !read.flags.has('--nodb') &&
    first !== undefined &&
    (/^mongodb(\+srv)?:\/\//.test(first) || !(first.endsWith('.js') || first.endsWith('.mongodb')));
  return isSpecifier ? { specifier: first, files: words.slice(1) } : { files: words };
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const read = readMongoshArgs(invocation.args);
  const help = ['--help', '--version', '--build-info'].some((f) => read.flags.has(f));
  if (help) return { commands: [], help };
  const found = new CommandCollector();
  const place: ScriptPlace = { cwd: invocation.cwd, dir: invocation.cwd, depth: 0 };
  for (const code of read.flags.get('--eval') ?? []) readScript(code, place, found);
  const files = [...(read.flags.get('--file') ?? []), ...positionals(read).files];
  for (const file of files) readScriptFile(resolvePath(invocation.cwd, file), file, place, found);
  let stdin: StdinReadAhead | undefined;
  const interactive = (!read.flags.has('--eval') && files.length === 0) || read.flags.has('--shell');
  if (interactive) {
    const payload = readStdinPayload(invocation.env, invocation.input);
    if (payload) {
      const text = payloadText(payload, Math.min(readAheadLimit(invocation.env), maxScriptBytes));
      if (text === undefined) found.add(unreadable('stdin (longer than chaperone reads ahead)'));
      else readScript(text, place, found);
      if (payload.kind === 'pipe') stdin = payload.readAhead;
    }
  }
  return { commands: found.commands, help: false, ...(stdin ? { stdin } : {}) };
}

/**
 * The actions of some JavaScript run from `dir` (the script's directory; cwd for --eval and stdin).
 * A relative load() path is resolved against the current directory (the documented rule) and, when
 * different, against the loading script's directory (what newer mongosh does): every one that exists is
 * read.
 */
function readScript(code: string, place: ScriptPlace, found: CommandCollector): void {
  for (const command of readMongoScript(code)) {
    const file = command.path[1] === 'load' ? command.flags.get('--file')?.[0] : undefined;
    if (file === undefined) {
      found.add(command);
      continue;
    }
    if (place.depth >= maxLoadDepth) {
      found.add(unreadable(`${command.text} (loads nested deeper than ${maxLoadDepth})`));
      continue;
    }
    const candidates = [...new Set([resolvePath(place.cwd, file), resolvePath(place.dir, file)])];
    const existing = candidates.filter((path) => existsSync(path));
    if (existing.length === 0) found.add(unreadable(`${command.text} (ENOENT)`));
    for (const path of existing) readScriptFile(path, file, { ...place, depth: place.depth + 1 }, found);
  }
}

interface ScriptPlace {
  cwd: string;
  dir: string;
  depth: number;
}

function readScriptFile(path: string, shown: string, place: ScriptPlace, found: CommandCollector): void {
  const read = readFileText(path, maxScriptBytes);
  if (!read.ok) found.add(unreadable(`${shown} (${read.why})`));
  else readScript(read.text, { ...place, dir: dirname(path) }, found);
}

function unreadable(text: string): Command {
  return { path: ['js', 'unreadable'], flags: new Map(), text };
}

// ── Where it connects ────────────────────────────────────────────────────────────────────────────

interface Connection {
  hosts: string[];
  database?: string;
  replicaSet?: string;
}

/** mongodb://[user[:pass]@]h1[:p][,h2…]/[db][?opts] and mongodb+srv://… */
export function parseConnectionString(uri: string): Connection {
  const m = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(uri);
  if (!m) return { hosts: [] };
  const hosts = m[1].split(',').filter(Boolean).map((h) => hostOf(percentDecoded(h)));
  const database = m[2] ? percentDecoded(m[2]) : undefined;
  const replicaSet = new URLSearchParams(m[3] ?? '').get('replicaSet') ?? undefined;
  return { hosts, ...(database ? { database } : {}), ...(replicaSet ? { replicaSet } : {}) };
}

/** A host without its port: `db:27017` → db, `[::1]:27017` → ::1. */
function hostOf(address: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (v6) return v6[1];
  return address.replace(/:\d+$/, '');
}

/** The connection string with its password masked: safe for evidence. */
export function withoutPassword(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

export function resolveMongosh(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const read = readMongoshArgs(invocation.args);
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const { specifier } = positionals(read);
  const host = read.flags.get('--host')?.at(-1);
  const port = read.flags.get('--port')?.at(-1);
  let connection: Connection | undefined;

  if (read.flags.has('--nodb')) {
    evidence.push({ source: 'flag', key: '--nodb', value: 'no connection at start; only what the script connects to' });
  } else if (host && /^mongodb(\+srv)?:\/\//.test(host)) {
    connection = parseConnectionString(host);
    evidence.push({ source: 'flag', key: '--host', value: withoutPassword(host) });
  } else if (host) {
    // [replSetName/]h1[:port][,h2[:port]…]; the positional, if any, is then the database.
    const [list, replicaSet] = host.split('/').reverse();
    connection = { hosts: list.split(',').filter(Boolean).map(hostOf), ...(replicaSet ? { replicaSet } : {}), ...(specifier ? { database: specifier } : {}) };
    evidence.push({ source: 'flag', key: '--host', value: host });
    if (specifier) evidence.push({ source: 'argument', key: 'database', value: specifier });
  } else if (specifier && /^mongodb(\+srv)?:\/\//.test(specifier)) {
    connection = parseConnectionString(specifier);
    evidence.push({ source: 'argument', key: 'connection string', value: withoutPassword(specifier) });
  } else if (specifier) {
    connection = dbAddress(specifier);
    evidence.push({ source: 'argument', key: 'db address', value: specifier });
  } else {
    connection = { hosts: ['127.0.0.1'] };
    evidence.push({ source: 'default', key: 'host', value: '127.0.0.1:27017 (no connection string or --host given)' });
  }
  if (port && !read.flags.has('--nodb')) evidence.push({ source: 'flag', key: '--port', value: port });

  if (connection) {
    for (const h of connection.hosts) identifiers.push({ kind: 'host', value: h });
    if (connection.replicaSet) identifiers.push({ kind: 'name', value: connection.replicaSet });
    // The default database, `test`, says nothing about the environment: it is not read by name.
    if (connection.database) identifiers.push({ kind: 'name', value: connection.database });
    else evidence.push({ source: 'default', key: 'database', value: 'test' });
  }
  const named = namedInScript(parsed.commands);
  evidence.push(...named.evidence);
  identifiers.push(...named.identifiers);
  const name = connection?.database ?? named.databases[0] ?? (connection ? 'test' : undefined);
  return { ...(name ? { name } : {}), evidence, identifiers };
}

/** `shop`, `db.example.com`, `host:27017/shop`, `host/shop` (uri-generator.ts). */
function dbAddress(specifier: string): Connection {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]+)(?::(\d+))?(?:\/(\S*))?$/.exec(specifier);
  if (!m) return { hosts: ['127.0.0.1'], database: specifier };
  const [, host, port, database] = m;
  if (!port && database === undefined && !host.includes('.')) return { hosts: ['127.0.0.1'], database: host };
  return { hosts: [host], ...(database ? { database } : {}) };
}

/** What the script itself connects to or switches to. */
function namedInScript(commands: readonly Command[]): { evidence: Evidence[]; identifiers: Identifier[]; databases: string[] } {
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const databases: string[] = [];
  for (const command of commands) {
    const key = command.text ?? command.path.join(' ');
    for (const database of command.flags.get('--database') ?? []) {
      evidence.push({ source: 'command', key, value: database });
      identifiers.push({ kind: 'name', value: database });
      databases.push(database);
    }
    for (const uri of command.flags.get('--uri') ?? []) {
      const connection = /^mongodb(\+srv)?:\/\//.test(uri) ? parseConnectionString(uri) : dbAddress(uri);
      evidence.push({ source: 'command', key, value: withoutPassword(uri) });
      for (const h of connection.hosts) identifiers.push({ kind: 'host', value: h });
      if (connection.database) {
        identifiers.push({ kind: 'name', value: connection.database });
        databases.push(connection.database);
      }
    }
  }
  return { evidence, identifiers, databases };
}

export const mongosh: Tool = {
  name: 'mongosh',
  parse,
  resolve: resolveMongosh,
  actsOnItsHost: true,
};
