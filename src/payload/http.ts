// HTTP requests, as curl, wget, httpie, xh and `railway api` would send them: one model, read the same
// way whichever tool built it. Each tool file turns its argv into HttpRequests; this file turns them
// into commands rules can match, and into a target.
//
// Commands, one set per request (the words rules match; `text` names the request for a human):
//   request <METHOD>                              every request, its method in capitals
//   graphql mutation <effect> <field>             every root mutation field it would run (graphql.ts);
//                                                 <effect> is a deletion word, patch-delete, replace-all,
//                                                 schedule-narrow or other
//   body unreadable platform-api|other            a body that should be read and could not be: a file or
//                                                 stdin chaperone cannot read without taking it, invalid
//                                                 JSON or GraphQL, a compressed body, or a GraphQL
//                                                 endpoint's body that is no GraphQL request
//
// Target: the host the request goes to (local hosts are development), the ids the URL or the GraphQL
// arguments name for a known platform (platforms.ts), and, for Railway, the fingerprint of the token it
// sends. Nothing else: a request to a platform API names its own target, so no linked project or
// default applies. Requests that only read do not count; requests to more than one host make the
// environment unknown, since one command gets one environment.

import { asAzRest } from './azure.js';
import type { Command, Evidence, Identifier, ParsedInvocation, ResolvedTarget } from '../model.js';
import { fingerprint, percentDecoded } from '../tools/tool.js';
import { graphqlRequestsIn, mayMutate, readGraphql, someValue, type GraphqlRequest, type MutationCall } from './graphql.js';
import type { Stdin } from './input.js';
import { platformOf, type Platform } from './platforms.js';

export interface RequestUrl {
  scheme: string;
  /** Lower case, IPv6 addresses in brackets. */
  host: string;
  port?: string;
  path: string;
  /** Without the `?`. */
  query: string;
}

export interface Header {
  name: string;
  value: string;
  /** The option or item that set it (`-H`, `--header`, `item`), for evidence. */
  from: string;
}

/** A secret the request sends, known only by its fingerprint. */
export interface Credential {
  secret: string;
  source: Evidence['source'];
  key: string;
}

export type FormField = { name: string; value: string } | { name: string; unreadable: string };

export type RequestBody =
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'fields'; fields: FormField[] }
  | { kind: 'unreadable'; why: string };

export interface HttpRequest {
  /** As the tool sends it (curl sends -X verbatim). */
  method: string;
  url: RequestUrl;
  headers: Header[];
  body?: RequestBody;
  /** Set when the connection goes somewhere other than the URL's host (curl --connect-to, --resolve). */
  connectTo?: { host: string; evidence: Evidence };
  credentials?: Credential[];
}

export interface JudgedRequest {
  request: HttpRequest;
  platform?: Platform;
  mutations: MutationCall[];
  unreadable?: string;
}

/**
 * `https://u:p@Host:8080/a?b#c`, `host/a`, `[::1]:3000`: read without throwing, whatever the tool would
 * accept (curl globs, missing schemes).
 */
export function parseUrl(raw: string, defaultScheme = 'http'): RequestUrl {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  const rest = scheme ? raw.slice(scheme[0].length) : raw;
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host = hostPort;
  let port: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close === -1 ? hostPort : hostPort.slice(0, close + 1);
    port = close === -1 ? undefined : hostPort.slice(close + 2) || undefined;
  } else if (hostPort.includes(':')) {
    host = hostPort.slice(0, hostPort.lastIndexOf(':'));
    port = hostPort.slice(hostPort.lastIndexOf(':') + 1) || undefined;
  }
  const hash = tail.indexOf('#');
  const beforeHash = hash === -1 ? tail : tail.slice(0, hash);
  const question = beforeHash.indexOf('?');
  return {
    scheme: scheme ? scheme[1].toLowerCase() : defaultScheme,
    host: host.toLowerCase().replace(/\.$/, ''),
    ...(port ? { port } : {}),
    path: (question === -1 ? beforeHash : beforeHash.slice(0, question)) || '/',
    query: question === -1 ? '' : beforeHash.slice(question + 1),
  };
}

/** The URL without credentials or query string (either may hold a token). */
export function showUrl(url: RequestUrl): string {
  return `${url.scheme}://${url.host}${url.port ? `:${url.port}` : ''}${url.path}${url.query ? '?…' : ''}`;
}

export function withQuery(url: RequestUrl, more: string[]): RequestUrl {
  const parts = [url.query, ...more].filter((p) => p !== '');
  return { ...url, query: parts.join('&') };
}

/** What chaperone read in a request: its platform, the mutations it would run, why its body is unreadable. */
export async function judgeRequest(request: HttpRequest): Promise<JudgedRequest> {
  const platform = platformOf(request.connectTo?.host ?? request.url.host);
  const judged: JudgedRequest = { request, ...(platform ? { platform } : {}), mutations: [] };
  const payload = graphqlPayloadOf(request, platform);
  if (payload.kind === 'unreadable') return { ...judged, unreadable: payload.why };
  for (const graphqlRequest of payload.kind === 'graphql' ? payload.requests : []) {
    const reading = await readGraphql(graphqlRequest);
    if (reading.kind === 'unreadable') return { ...judged, unreadable: reading.why };
    judged.mutations.push(...reading.mutations);
  }
  return judged;
}

type Payload = { kind: 'graphql'; requests: GraphqlRequest[] } | { kind: 'none' } | { kind: 'unreadable'; why: string };

/** The GraphQL requests a request carries, in its body or (for GET) its query string. */
function graphqlPayloadOf(request: HttpRequest, platform: Platform | undefined): Payload {
  const endpoint = platform?.graphql === true || /graphql/i.test(request.url.path);
  const body = request.body;
  if (!body) return request.url.query ? fromParams(new URLSearchParams(request.url.query)) : { kind: 'none' };
  const found = fromBody(body, request.headers);
  if (found.kind === 'none' && endpoint && !isEmpty(body)) {
    return { kind: 'unreadable', why: 'a body sent to a GraphQL endpoint that holds no GraphQL query chaperone can read (a persisted query?)' };
  }
  return found;
}

function isEmpty(body: RequestBody): boolean {
  return (body.kind === 'text' && body.text.trim() === '') || (body.kind === 'fields' && body.fields.length === 0);
}

function fromBody(body: RequestBody, headers: Header[]): Payload {
  switch (body.kind) {
    case 'unreadable':
      return { kind: 'unreadable', why: body.why };
    case 'json':
      return fromJson(body.value);
    case 'fields':
      return fromFields(body.fields);
    case 'text':
      return fromText(body.text, headers);
  }
}

function fromText(raw: string, headers: Header[]): Payload {
  const encoding = headers.findLast((h) => h.name.toLowerCase() === 'content-encoding')?.value.trim();
  if (encoding && encoding.toLowerCase() !== 'identity') return { kind: 'unreadable', why: `the body is encoded (Content-Encoding: ${encoding})` };
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text === '') return { kind: 'none' };
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return fromJson(JSON.parse(text));
    } catch {
      if (mayMutate(text)) return { kind: 'graphql', requests: [{ query: text }] }; // a raw document
      return { kind: 'unreadable', why: 'the body is invalid JSON' };
    }
  }
  if (/^[\w.~%[\]-]+=/.test(text)) {
    const form = fromParams(new URLSearchParams(text));
    if (form.kind !== 'none') return form;
  }
  return mayMutate(text) ? { kind: 'graphql', requests: [{ query: text }] } : { kind: 'none' };
}

function fromJson(value: unknown): Payload {
  const requests = graphqlRequestsIn(value);
  return requests ? { kind: 'graphql', requests } : { kind: 'none' };
}

function fromParams(params: URLSearchParams): Payload {
  const query = params.get('query');
  if (query === null) return { kind: 'none' };
  return { kind: 'graphql', requests: [{ query, variables: params.get('variables') ?? undefined, operationName: params.get('operationName') ?? undefined }] };
}

/** Form fields: `operations` (the multipart request spec), or `query` with `variables`. */
function fromFields(fields: FormField[]): Payload {
  const field = (name: string) => fields.findLast((f) => f.name === name);
  const operations = field('operations') ?? field('query');
  if (!operations) return { kind: 'none' };
  if ('unreadable' in operations) return { kind: 'unreadable', why: operations.unreadable };
  if (operations.name === 'query') {
    const variables = field('variables');
    return { kind: 'graphql', requests: [{ query: operations.value, variables: variables && 'value' in variables ? variables.value : undefined }] };
  }
  try {
    return fromJson(JSON.parse(operations.value));
  } catch {
    return { kind: 'unreadable', why: 'the operations field is invalid JSON' };
  }
}

/** The commands rules match for one request (see the header of this file). */
export function commandsOf(judged: JudgedRequest, flags: Map<string, string[]>, prefix: string[] = []): Command[] {
  const { request, platform } = judged;
  const where = `${showUrl(request.url)}${platform ? ` (${platform.name})` : ''}`;
  const commands: Command[] = [{ path: [...prefix, 'request', request.method.toUpperCase()], flags, text: `${request.method} ${where}` }];
  for (const m of judged.mutations) {
    commands.push({
      path: [...prefix, 'graphql', 'mutation', m.effect, m.field],
      flags,
      text: `mutation ${m.alias ? `${m.alias}: ` : ''}${m.field}, sent to ${where}`,
    });
  }
  if (judged.unreadable) {
    commands.push({ path: [...prefix, 'body', 'unreadable', platform ? 'platform-api' : 'other'], flags, text: `${judged.unreadable}; sent to ${where}` });
  }
  return commands;
}

const judgedOf = new WeakMap<ParsedInvocation, JudgedRequest[]>();

/** Judges the requests and keeps what was read for `resolve`. */
export async function parsedFromRequests(
  requests: HttpRequest[],
  options: { flags: Map<string, string[]>; prefix?: string[]; stdin?: Stdin },
): Promise<ParsedInvocation> {
  const judged = await Promise.all(requests.map(judgeRequest));
  const readAhead = options.stdin?.readAhead;
  const nested = judged.flatMap(asAzRest);
  const parsed: ParsedInvocation = {
    commands: judged.flatMap((j) => commandsOf(j, options.flags, options.prefix)),
    help: false,
    ...(readAhead ? { stdin: readAhead } : {}),
    ...(nested.length > 0 ? { nested } : {}),
  };
  judgedOf.set(parsed, judged);
  return parsed;
}

export function judgedRequestsOf(parsed: ParsedInvocation): JudgedRequest[] {
  return judgedOf.get(parsed) ?? [];
}

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Whether a request may change something, and so has a say in the environment. */
function acts(j: JudgedRequest): boolean {
  return !readOnlyMethods.has(j.request.method.toUpperCase()) || j.mutations.length > 0 || j.unreadable !== undefined;
}

const destination = (r: HttpRequest) => r.connectTo?.host ?? r.url.host;

export function resolveRequests(all: JudgedRequest[]): ResolvedTarget {
  const acting = all.some(acts) ? all.filter(acts) : all;
  if (acting.length === 0) {
    return { evidence: [{ source: 'default', key: 'url', value: 'no URL given' }], identifiers: [] };
  }
  const hosts = [...new Set(acting.map((j) => destination(j.request)))];
  if (hosts.length > 1) {
    return {
      evidence: acting.map((j) => ({ source: 'argument', key: 'url', value: showUrl(j.request.url) })),
      identifiers: [],
      forcedClass: 'unknown',
      forcedReason: `the command sends requests to ${hosts.length} hosts (${hosts.join(', ')}), and one command gets one environment`,
    };
  }
  const found = new Found();
  // A platform's own host name (backboard.railway-staging.com) says nothing about the user's
  // environment; a name under a platform's domain (shop-prod.s3.amazonaws.com) may.
  if (!acting.some((j) => j.platform?.hosts.includes(hosts[0]))) found.add({ kind: 'host', value: hosts[0] });
  for (const judged of acting) readTarget(judged, found);
  // A platform's host names no environment; its app or project does. Any other host is the name.
  const name = found.names[0] ?? (acting.some((j) => j.platform) ? undefined : hosts[0]);
  // A mutation whose reach no environment id or token bounds (Railway's volumeDelete): production,
  // whatever the request names beside it, which stays as evidence.
  for (const judged of acting) {
    const wide = judged.mutations.find((m) => judged.platform?.everyEnvironment?.[m.field]);
    if (wide) return { name: 'production', evidence: found.evidence, identifiers: found.identifiers, forcedClass: 'production', forcedReason: judged.platform!.everyEnvironment![wide.field] };
  }
  return { ...(name ? { name } : {}), evidence: found.evidence, identifiers: found.identifiers };
}

/** Evidence and identifiers, each once. */
class Found {
  evidence: Evidence[] = [];
  identifiers: Identifier[] = [];
  names: string[] = [];

  add(identifier: Identifier | undefined, evidence?: Evidence): void {
    if (identifier) {
      if (this.identifiers.some((i) => i.kind === identifier.kind && i.value === identifier.value)) return;
      this.identifiers.push(identifier);
    }
    if (evidence && !this.evidence.some((e) => e.key === evidence.key && e.value === evidence.value)) this.evidence.push(evidence);
  }
}

function readTarget({ request, platform, mutations }: JudgedRequest, found: Found): void {
  const host = destination(request);
  found.add(undefined, { source: 'argument', key: 'url', value: showUrl(request.url) });
  if (request.connectTo) found.add(undefined, request.connectTo.evidence);
  if (!platform) return;
  found.add(undefined, { source: 'command', key: 'host', value: `${host} is the ${platform.name}: the ids in the request name the environment` });

  for (const [pattern, kind] of platform.paths ?? []) {
    const id = pattern.exec(request.url.path)?.[1];
    if (!id) continue;
    const value = percentDecoded(id);
    found.names.push(value);
    found.add({ kind, value }, { source: 'argument', key: 'url path', value: `${kind} ${value}` });
  }
  const hostId = platform.host?.[0].exec(host)?.[1];
  if (platform.host && hostId) {
    found.names.push(hostId);
    found.add({ kind: platform.host[1], value: hostId }, { source: 'argument', key: 'url host', value: `${platform.host[1]} ${hostId}` });
  }
  for (const m of mutations) {
    for (const [argument, value, kind] of idsIn(m, platform)) {
      found.add({ kind, value }, { source: 'argument', key: `${m.field}(${argument})`, value });
    }
    if (m.effect === 'other') continue;
    for (const [argument, value] of Object.entries(m.args)) {
      const key = `${m.field}(${argument})`;
      if (shownArgument(argument, value) && !found.evidence.some((e) => e.key === key)) found.add(undefined, { source: 'argument', key, value: String(value) });
    }
  }
  if (platform.tokens) {
    for (const credential of [...(request.credentials ?? []), ...headerCredentials(request.headers)]) {
      const print = fingerprint(credential.secret);
      found.add(
        { kind: platform.tokens, value: print },
        { source: credential.source, key: credential.key, value: `a ${platform.name} token, fingerprint ${print}; the token decides what it reaches and cannot be read offline` },
      );
    }
  }
}

/** A scalar argument of a destructive mutation worth showing (the id of what it deletes); never a secret. */
function shownArgument(name: string, value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && !/pass|secret|token|key|credential/i.test(name) && String(value).length <= 200;
}

/** Ids in a mutation's arguments that name a target: [argument, value, kind]. */
function idsIn(m: MutationCall, platform: Platform | undefined): [string, string, Identifier['kind']][] {
  const kinds = platform?.graphqlArguments ?? {};
  const found: [string, string, Identifier['kind']][] = [];
  someValue(m.args, (key, value) => {
    if (kinds[key] && typeof value === 'string') found.push([key, value, kinds[key]]);
    return false;
  });
  const [fieldPattern, kind] = platform?.graphqlIds ?? [];
  if (fieldPattern?.test(m.field) && kind && typeof m.args.id === 'string') found.push(['id', m.args.id, kind]);
  return found;
}

/** Tokens in Authorization and Railway's token headers. */
function headerCredentials(headers: Header[]): Credential[] {
  const found: Credential[] = [];
  for (const h of headers) {
    const name = h.name.toLowerCase();
    const value = h.value.trim();
    if (name === 'authorization' && /^bearer\s+\S/i.test(value)) {
      found.push({ secret: value.replace(/^bearer\s+/i, ''), source: 'flag', key: `${h.from} ${h.name}` });
    } else if ((name === 'project-access-token' || name === 'team-access-token') && value !== '') {
      found.push({ secret: value, source: 'flag', key: `${h.from} ${h.name}` });
    }
  }
  return found;
}

/** `Name: value` as curl and wget take it; undefined for a malformed header. */
export function splitHeader(text: string, from: string): Header | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { name: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim(), from };
}
