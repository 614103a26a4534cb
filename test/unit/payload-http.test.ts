// The shared request model: URLs read the way HTTP tools accept them, bodies read for GraphQL, and
// the commands rules match.

import { describe } from 'vitest';
import { commandsOf, judgeRequest, parseUrl, showUrl, type HttpRequest, type RequestBody } from '../../src/payload/http.js';
import { platformOf } from '../../src/payload/platforms.js';
import { table } from '../helpers/cases.js';

describe('parseUrl', () => {
  table((u) => u, [
    ['https://backboard.railway.com/graphql/v2', 'https backboard.railway.com - /graphql/v2 -'],
    ['backboard.railway.com/graphql/v2', 'http backboard.railway.com - /graphql/v2 -'],
    ['HTTPS://User:Pw@API.Example.COM:8443/a/b?token=x#frag', 'https api.example.com 8443 /a/b token=x'],
    ['localhost:3000', 'http localhost 3000 / -'],
    ['http://[::1]:8080/x', 'http [::1] 8080 /x -'],
    ['[::1]/x', 'http [::1] - /x -'],
    ['127.0.0.1?x=1', 'http 127.0.0.1 - / x=1'],
    ['example.com.', 'http example.com - / -'],
    ['http://{a,b}.example.com/[1-3]', 'http {a,b}.example.com - /[1-3] -'],
  ], (u) => {
    const url = parseUrl(u);
    return `${url.scheme} ${url.host} ${url.port ?? '-'} ${url.path} ${url.query || '-'}`;
  });
});

describe('showUrl drops credentials and the query string', () => {
  table((u) => u, [
    ['https://user:secret@api.example.com/x?access_token=abc', 'https://api.example.com/x?…'],
    ['api.heroku.com/apps/shop', 'http://api.heroku.com/apps/shop'],
  ], (u) => showUrl(parseUrl(u)));
});

describe('platformOf', () => {
  table((h) => h, [
    ['backboard.railway.com', 'Railway API'],
    ['backboard.railway.app', 'Railway API'],
    ['BACKBOARD.RAILWAY.COM.', 'Railway API'],
    ['api.heroku.com', 'Heroku Platform API'],
    ['api.machines.dev', 'Fly Machines API'],
    ['abcdefgh.supabase.co', 'Supabase project API'],
    ['sqladmin.googleapis.com', 'Google Cloud API'],
    ['railway.com', '-'],
    ['api.example.com', '-'],
    ['evil-api.heroku.com.example', '-'],
  ], (h) => platformOf(h)?.name ?? '-');
});

interface Case {
  url: string;
  body?: RequestBody;
  method?: string;
  headers?: [string, string][];
}
const label = (c: Case) => `${c.method ?? 'POST'} ${c.url} ${JSON.stringify(c.body ?? null)}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''}`;
/** The command paths a request gives. */
const paths = async (c: Case) => {
  const request: HttpRequest = {
    method: c.method ?? 'POST',
    url: parseUrl(c.url),
    headers: (c.headers ?? []).map(([name, value]) => ({ name, value, from: '-H' })),
    ...(c.body ? { body: c.body } : {}),
  };
  return commandsOf(await judgeRequest(request), new Map()).map((cmd) => cmd.path.join(' '));
};
const text = (t: string): RequestBody => ({ kind: 'text', text: t });
const railway = 'https://backboard.railway.com/graphql/v2';
const del = 'mutation { volumeDelete(volumeId: \\"v\\") }';

describe('what a request body says, whatever form it takes', () => {
  table(label, [
    [{ url: railway, body: text(`{"query":"${del}"}`) }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: text(`[{"query":"{ me { id } }"},{"query":"${del}"}]`) }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: text('{"query":"mutation($v: String!) { volumeDelete(volumeId: $v) }","variables":"{\\"v\\":\\"x\\"}"}') }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: text('\uFEFF  {"query":"\\u006dutation { projectDelete(id: \\"p\\") }"}  ') }, ['request POST', 'graphql mutation delete projectDelete']],
    [{ url: railway, body: text('mutation { volumeDelete(volumeId: "v") }') }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: text(`query=${encodeURIComponent('mutation { volumeDelete(volumeId: "v") }')}`) }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: `${railway}?query=${encodeURIComponent('mutation { volumeDelete(volumeId: "v") }')}`, method: 'GET' }, ['request GET', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: { kind: 'json', value: { query: 'mutation { environmentDelete(id: "e") }' } } }, ['request POST', 'graphql mutation delete environmentDelete']],
    [{ url: railway, body: { kind: 'fields', fields: [{ name: 'operations', value: `{"query":"${del}"}` }, { name: 'map', value: '{}' }] } }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: { kind: 'fields', fields: [{ name: 'query', value: 'mutation { volumeDelete(volumeId: "v") }' }] } }, ['request POST', 'graphql mutation delete volumeDelete']],
    [{ url: railway, body: text('{"query":"{ me { id } }"}') }, ['request POST']],
    [{ url: railway, body: text('') }, ['request POST']],
    // unreadable: only a platform API's makes a rule fire (body unreadable platform-api)
    [{ url: railway, body: text('{"query": ') }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: text('{"extensions":{"persistedQuery":{"sha256Hash":"abc"}}}') }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: text('H4sIAAAAAAAA') }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: text(`{"query":"${del}"}`), headers: [['Content-Encoding', 'gzip']] }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: text('{"query":"mutation { volumeDelete(volumeId: }"}') }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: { kind: 'unreadable', why: 'stdin is a terminal' } }, ['request POST', 'body unreadable platform-api']],
    [{ url: railway, body: { kind: 'fields', fields: [{ name: 'operations', unreadable: 'a pipe' }] } }, ['request POST', 'body unreadable platform-api']],
    [{ url: 'https://api.heroku.com/apps', body: text('{"name": ') }, ['request POST', 'body unreadable platform-api']],
    [{ url: 'https://api.heroku.com/apps', body: text('{"name":"shop"}') }, ['request POST']],
    [{ url: 'https://api.example.com/graphql', body: text('{"query": ') }, ['request POST', 'body unreadable other']],
    [{ url: 'https://api.example.com/items', body: text('plain text') }, ['request POST']],
    [{ url: 'https://api.example.com/items/1', method: 'delete' }, ['request DELETE']],
  ], paths);
});
