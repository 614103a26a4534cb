// `railway api` (Railway CLI v5.28+, src/commands/api.rs): sends any GraphQL document to Railway's API.
//
// Grammar (clap): `railway api [QUERY] [-f|--file PATH] [--variables JSON|@PATH|@-] [--var K=V]…
// [--raw-var K=V]… [--operation-name NAME] [--compact] [--allow-errors]`. `railway api schema|search|
// describe …` only read the schema. Note `-f` is --file here (elsewhere in railway it is --function).
// The document: QUERY, else --file (`-`: stdin), else stdin when it is a pipe or a file (a terminal
// makes railway stop with an error). Variables, in railway's order: --variables, then every --var
// (JSON when it parses, else a string), then every --raw-var (a string).
// Where it goes: backboard.railway.com/graphql/v2; RAILWAY_ENV=staging|dev picks Railway's own other
// backends, not the user's environment.
// Target: the ids the document names (environmentId → railway-environment) and the fingerprint of
// RAILWAY_TOKEN (which wins) or RAILWAY_API_TOKEN. The linked project does not apply: the document names
// its own target. Commands are those of src/payload/http.ts, after the word `api`.

import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { judgedRequestsOf, parsedFromRequests, parseUrl, resolveRequests, type Credential, type HttpRequest, type RequestBody } from '../payload/http.js';
import { readNamedFile, Stdin, type Bytes } from '../payload/input.js';
import { grammar, readArgs } from './argv.js';

const apiGrammar = grammar({
  values: [['--file', '-f'], ['--variables'], ['--var'], ['--raw-var'], ['--operation-name']],
  booleans: [['--help', '-h'], ['--compact'], ['--allow-errors'], ['--json'], ['--version', '-V']],
});

const schemaCommands = new Set(['schema', 'search', 'describe']);

function backboard(env: NodeJS.ProcessEnv): string {
  const backend = env.RAILWAY_ENV;
  return backend === 'staging' ? 'backboard.railway-staging.com' : backend === 'dev' || backend === 'develop' ? 'backboard.railway-develop.com' : 'backboard.railway.com';
}

export async function parseRailwayApi(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags, sequence } = readArgs(invocation.args, apiGrammar);
  const plain: ParsedInvocation = { commands: [{ path: words, flags }], help: flags.has('--help') };
  if (plain.help || schemaCommands.has(words[1])) return plain;

  const stdin = new Stdin(invocation.env, invocation.input);
  const read = (path: string): Bytes => (path === '-' ? stdin.read() : readNamedFile(path, invocation.cwd, invocation.env));
  const file = flags.get('--file')?.at(-1);
  const document: Bytes | undefined =
    words[1] !== undefined ? { ok: true, bytes: Buffer.from(words[1]) } : file !== undefined ? read(file) : stdin.hasData() ? stdin.read() : undefined;
  if (!document) return plain; // railway: "No GraphQL document provided"; nothing is sent

  const body = bodyOf(document, sequence, flags.get('--operation-name')?.at(-1), read);
  if (!body) return plain; // railway refuses variables that are not a JSON object; nothing is sent
  const request: HttpRequest = {
    method: 'POST',
    url: parseUrl(`https://${backboard(invocation.env)}/graphql/v2`),
    headers: [],
    body,
    credentials: tokenOf(invocation.env),
  };
  return parsedFromRequests([request], { flags, prefix: ['api'], stdin });
}

function bodyOf(document: Bytes, sequence: [string, string][], operationName: string | undefined, read: (path: string) => Bytes): RequestBody | undefined {
  if (!document.ok) return { kind: 'unreadable', why: `the GraphQL document: ${document.why}` };
  let variables: Record<string, unknown> = {};
  const raw = sequence.findLast(([name]) => name === '--variables')?.[1];
  if (raw !== undefined) {
    const text = raw.startsWith('@') ? read(raw.slice(1)) : { ok: true as const, bytes: Buffer.from(raw) };
    if (!text.ok) return { kind: 'unreadable', why: `--variables ${raw}: ${text.why}` };
    try {
      variables = JSON.parse(text.bytes.toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return undefined;
  }
  for (const kind of ['--var', '--raw-var']) {
    for (const [name, item] of sequence) {
      if (name !== kind || !item.includes('=')) continue;
      const key = item.slice(0, item.indexOf('=')).trim();
      const value = item.slice(item.indexOf('=') + 1);
      variables[key] = kind === '--raw-var' ? value : jsonOrString(value);
    }
  }
  const query = document.bytes.toString('utf8');
  return { kind: 'json', value: { query, variables, ...(operationName !== undefined ? { operationName } : {}) } };
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The token railway sends: RAILWAY_TOKEN (a project token) wins over RAILWAY_API_TOKEN. */
function tokenOf(env: NodeJS.ProcessEnv): Credential[] {
  for (const variable of ['RAILWAY_TOKEN', 'RAILWAY_API_TOKEN']) {
    const token = env[variable];
    if (token) return [{ secret: token, source: 'env', key: variable }];
  }
  return [];
}

/** Whether `parse` read this invocation as a `railway api` request. */
export function isRailwayApiRequest(parsed: ParsedInvocation): boolean {
  return judgedRequestsOf(parsed).length > 0;
}

export function resolveRailwayApi(parsed: ParsedInvocation): ResolvedTarget {
  const target = resolveRequests(judgedRequestsOf(parsed));
  return {
    ...target,
    evidence: [
      { source: 'command', key: 'railway api', value: 'the document names its own target; the linked project and environment do not apply' },
      ...target.evidence,
    ],
  };
}
