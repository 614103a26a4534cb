// curl: which requests the built-in rules gate, read through curl's own option grammar, and what each
// one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configArgs } from '../../src/tools/curl.js';
import { table } from '../helpers/cases.js';
import { label, q, requestRunner, type Line } from '../helpers/requests.js';

// A HOME with request bodies in its working directory, a user config mapping ids, and no .curlrc.
const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-curl-')));
const work = join(home, 'work');
const body = (q: string, variables?: object) => JSON.stringify({ query: q, ...(variables ? { variables } : {}) });
const volumeDelete = 'mutation { volumeDelete(volumeId: "vol-1") }';
/** An environment-scoped deletion: the request's environment id or token says where it lands. */
const variableDelete = 'mutation { variableDelete(input: {name: "X", projectId: "p"}) }';
beforeAll(() => {
  mkdirSync(work, { recursive: true });
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  writeFileSync(join(work, 'delete.json'), `${body(volumeDelete)}\n`);
  writeFileSync(join(work, 'query.json'), body('{ me { id } }'));
  writeFileSync(join(work, 'multi-line.json'), '{"query":\n"mutation { projectDelete(id: \\"p\\") }"}\n');
  writeFileSync(join(work, 'headers.txt'), 'Content-Type: application/json\nContent-Encoding: gzip\n');
  writeFileSync(join(work, 'delete.curlrc'), '# a config file\nrequest = DELETE\nurl = "https://api.example.com/items/1"\n');
  writeFileSync(join(work, 'railway.curlrc'), `url https://backboard.railway.com/graphql/v2\n-H "Authorization: Bearer from-config"\ndata-binary "@delete.json"\n`);
  writeFileSync(
    join(home, '.config', 'chaperone', 'rules.yaml'),
    ['targets:', '  railway-environment:', '    env-dev: development', '    env-prod: production', '  railway-token:', '    "sha256:8f7e3bcd108773a3": development', '  host:', '    api.internal.example: staging', ''].join('\n'),
  );
});

// Unit tests must not read the test worker's own stdin: each case says what stdin holds.
const { run, rules } = requestRunner(() => ({ home, work }));

describe('curl requests against the built-in rules', () => {
  table(label, [
    // the method: -X in every spelling, or implied
    [{ line: 'curl -X DELETE https://api.heroku.com/apps/shop' }, 'curl.delete'],
    [{ line: 'curl -XDELETE https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl --request DELETE https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl --request=DELETE https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl -sSX DELETE https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl -sXDELETE api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl -X delete https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl -fsSL -X DELETE -H "Accept: application/json" https://api.example.com/items/1' }, 'curl.delete'],
    [{ line: 'curl --url https://api.example.com/items/1 -X DELETE' }, 'curl.delete'],
    [{ line: 'curl -X DELETE https://a.example.com/1 https://a.example.com/2' }, 'curl.delete curl.delete'],
    [{ line: 'curl https://a.example.com/1 --next -X DELETE https://a.example.com/2' }, 'curl.delete'],
    [{ line: 'curl -X DELETE https://a.example.com/1 -: https://a.example.com/2' }, 'curl.delete'],
    [{ line: 'curl -K delete.curlrc' }, 'curl.delete'],
    [{ line: 'curl --config delete.curlrc' }, 'curl.delete'],
    [{ line: 'curl -K - ', stdin: 'request DELETE\nurl https://api.example.com/items/1\n' }, 'curl.delete'],
    [{ line: 'curl https://api.example.com/items/1', env: { CURL_HOME: work } }, ''],
    // GraphQL bodies, in every way curl sends one
    [{ line: `curl -X POST https://backboard.railway.com/graphql/v2 -H 'Authorization: Bearer TOKEN' -d ${q(body(volumeDelete))}` }, 'curl.graphql.delete'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 --json ${q(body('mutation { x: volumeDelete(volumeId: "v1") }'))}` }, 'curl.graphql.delete'],
    [{ line: `curl backboard.railway.app/graphql/v2 --data-raw ${q(body('mutation { projectDelete(id: "p") }'))}` }, 'curl.graphql.delete'],
    [{ line: 'curl -d @delete.json https://backboard.railway.com/graphql/v2' }, 'curl.graphql.delete'],
    [{ line: 'curl --data-binary @delete.json https://backboard.railway.com/graphql/v2' }, 'curl.graphql.delete'],
    [{ line: 'curl --data-bin @delete.json https://backboard.railway.com/graphql/v2' }, 'curl.graphql.delete'],
    [{ line: 'curl -d @multi-line.json https://backboard.railway.com/graphql/v2' }, 'curl.graphql.delete'],
    [{ line: 'curl --json @delete.json https://backboard.railway.com/graphql/v2' }, 'curl.graphql.delete'],
    [{ line: 'curl --data-binary @- https://backboard.railway.com/graphql/v2', stdin: body(volumeDelete) }, 'curl.graphql.delete'],
    [{ line: 'curl -d @- https://backboard.railway.com/graphql/v2', stdin: body('{ me { id } }') }, ''],
    [{ line: `curl --data-urlencode ${q(`query=${volumeDelete}`)} https://api.example.com/graphql` }, 'curl.graphql.delete'],
    [{ line: `curl -G --data-urlencode ${q(`query=${volumeDelete}`)} https://api.example.com/graphql` }, 'curl.graphql.delete'],
    [{ line: `curl -F ${q(`operations=${body(volumeDelete)}`)} -F map={} https://backboard.railway.com/graphql/v2` }, 'curl.graphql.delete'],
    [{ line: "curl -F 'operations=<delete.json' https://backboard.railway.com/graphql/v2" }, 'curl.graphql.delete'],
    [{ line: `curl --form-string ${q(`query=${volumeDelete}`)} https://api.example.com/graphql` }, 'curl.graphql.delete'],
    [{ line: 'curl -K railway.curlrc' }, 'curl.graphql.delete'],
    [{ line: `curl https://api.github.com/graphql -d ${q(body('mutation { deleteRepository(input: {repositoryId: "R"}) { clientMutationId } }'))}` }, 'curl.graphql.delete'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation($p: EnvironmentConfig!) { environmentPatchCommit(environmentId: "e", patch: $p) }', { p: { services: { s: { isDeleted: true } } } }))}` }, 'curl.graphql.patch-delete'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation($i: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $i) }', { i: { replace: true } }))}` }, 'curl.graphql.replace-all'],
    // unreadable bodies: a rule fires only for a platform API
    [{ line: "curl https://backboard.railway.com/graphql/v2 -d '{not json'" }, 'curl.body.unreadable'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation { volumeDelete(volumeId: '))}` }, 'curl.body.unreadable'],
    [{ line: 'curl -d @missing.json https://backboard.railway.com/graphql/v2' }, 'curl.body.unreadable'],
    [{ line: 'curl -d @/dev/stdin https://backboard.railway.com/graphql/v2' }, 'curl.body.unreadable'],
    [{ line: 'curl -H @headers.txt -d @delete.json https://backboard.railway.com/graphql/v2' }, 'curl.body.unreadable'],
    [{ line: `curl --expand-data ${q('{{body}}')} --variable body@delete.json https://backboard.railway.com/graphql/v2` }, 'curl.body.unreadable'],
    [{ line: "curl https://api.example.com/graphql -d '{not json'" }, ''],
    [{ line: 'curl -d @missing.json https://api.example.com/items' }, ''],
    // never gated: reads, writes that delete nothing, help
    [{ line: `curl https://backboard.railway.com/graphql/v2 --data-binary ${q(body('query { me { id } }'))}` }, ''],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('{ projects { edges { node { id } } } }'))}` }, ''],
    [{ line: 'curl -d @query.json https://backboard.railway.com/graphql/v2' }, ''],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation { serviceInstanceRedeploy(serviceId: "s") }'))}` }, ''],
    [{ line: 'curl https://api.heroku.com/apps/shop' }, ''],
    [{ line: 'curl -I https://api.heroku.com/apps/shop' }, ''],
    [{ line: 'curl -d name=shop https://api.heroku.com/apps' }, ''],
    [{ line: 'curl -X PATCH -d maintenance=true https://api.heroku.com/apps/shop' }, ''],
    [{ line: 'curl -T backup.tar https://storage.example.com/backups/' }, ''],
    [{ line: 'curl --reque DELETE https://api.example.com/items/1' }, ''],
    [{ line: 'curl -o out.html https://example.com/delete' }, ''],
    [{ line: 'curl -h' }, ''],
    [{ line: 'curl --help all' }, ''],
    [{ line: 'curl -X DELETE https://api.example.com/1 --help' }, ''],
    [{ line: 'curl -V' }, ''],
    [{ line: 'curl -M' }, ''],
    [{ line: 'curl' }, ''],
  ], rules);
});

describe('a .curlrc is read first, unless argv starts with -q', () => {
  const rc = join(home, 'rc');
  beforeAll(() => {
    mkdirSync(rc, { recursive: true });
    writeFileSync(join(rc, '.curlrc'), '--request DELETE\n');
  });
  table(label, [
    [{ line: 'curl https://api.example.com/items/1', env: { CURL_HOME: rc } }, 'curl.delete'],
    [{ line: 'curl https://api.example.com/items/1', env: { HOME: rc } }, 'curl.delete'],
    [{ line: 'curl -q https://api.example.com/items/1', env: { CURL_HOME: rc } }, ''],
    [{ line: 'curl --disable https://api.example.com/items/1', env: { CURL_HOME: rc } }, ''],
  ], rules);
});

describe('curl config syntax', () => {
  table((t) => JSON.stringify(t), [
    ['request = DELETE', ['--request', 'DELETE']],
    ['  -X DELETE', ['-X', 'DELETE']],
    ['url: "https://x/a b"', ['--url', 'https://x/a b']],
    ['data "a\\"b\\nc"', ['--data', 'a"b\nc']],
    ['# comment\n\nsilent', ['--silent']],
    ['header = "Authorization: Bearer x"', ['--header', 'Authorization: Bearer x']],
  ], configArgs);
});

/** "<name> <class> <source:key …>" */
const target = async (c: Line) => {
  const t = (await run(c)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};
const railwayDelete = (variables: object, field = 'variableDelete(input: {environmentId: $e, name: "X", projectId: "p"})') =>
  `curl https://backboard.railway.com/graphql/v2 -d ${q(body(`mutation($e: String!) { ${field} }`, variables))}`;

describe('curl target: the host, and the ids the request names', () => {
  table(label, [
    [{ line: 'curl -X DELETE https://api.example.com/items/1' }, 'api.example.com unknown argument:url'],
    [{ line: 'curl -X DELETE http://localhost:8080/items/1' }, 'localhost development argument:url'],
    [{ line: 'curl -X DELETE http://127.0.0.1:8080/items/1' }, '127.0.0.1 development argument:url'],
    [{ line: 'curl -X DELETE [::1]:8080/items/1' }, '[::1] development argument:url'],
    [{ line: 'curl -X DELETE https://api.prod.example.com/items/1' }, 'api.prod.example.com production argument:url'],
    [{ line: 'curl -X DELETE https://api.staging.example.com/items/1' }, 'api.staging.example.com staging argument:url'],
    [{ line: 'curl -X DELETE https://api.internal.example/items/1' }, 'api.internal.example staging argument:url'],
    [{ line: 'curl -X DELETE http://localhost/x --connect-to localhost:80:db.prod.example:80' }, 'db.prod.example production argument:url flag:--connect-to'],
    [{ line: 'curl -X DELETE http://api.example.com/x --resolve api.example.com:80:127.0.0.1' }, '127.0.0.1 development argument:url flag:--resolve'],
    [{ line: 'curl -X DELETE https://api.heroku.com/apps/shop-staging' }, 'shop-staging staging argument:url command:host argument:url path'],
    [{ line: 'curl -X DELETE https://api.heroku.com/apps/shop' }, 'shop unknown argument:url command:host argument:url path'],
    [{ line: 'curl -X DELETE https://api.machines.dev/v1/apps/web-prod/machines/m1' }, 'web-prod production argument:url command:host argument:url path'],
    [{ line: 'curl -X DELETE https://abcdefghij.supabase.co/rest/v1/orders' }, 'abcdefghij unknown argument:url command:host argument:url host'],
    [{ line: 'curl -X DELETE http://localhost/a --next -X DELETE https://api.example.com/b' }, '- unknown argument:url argument:url'],
    [{ line: 'curl -X DELETE http://localhost/a --next https://api.example.com/b' }, 'localhost development argument:url'],
    // Railway: unknown unless the user maps an id the request names, or the token's fingerprint
    [{ line: `curl -X POST https://backboard.railway.com/graphql/v2 -H 'Authorization: Bearer TOKEN' -d ${q(body(variableDelete))}` }, '- unknown argument:url command:host flag:-H Authorization'],
    [{ line: railwayDelete({ e: 'env-dev' }) }, '- development argument:url command:host argument:variableDelete(environmentId)'],
    [{ line: railwayDelete({ e: 'env-prod' }) }, '- production argument:url command:host argument:variableDelete(environmentId)'],
    [{ line: railwayDelete({ e: 'env-unmapped' }) }, '- unknown argument:url command:host argument:variableDelete(environmentId)'],
    [{ line: railwayDelete({}, 'environmentDelete(id: "env-dev")') }, '- development argument:url command:host argument:environmentDelete(id)'],
    [{ line: railwayDelete({ p: { isDeleted: true } }, 'environmentPatchCommit(environmentId: "env-prod", patch: {services: {s: {isDeleted: true}}})') }, '- production argument:url command:host argument:environmentPatchCommit(environmentId)'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -H 'project-access-token: dev-project-token' -d ${q(body(variableDelete))}` }, '- development argument:url command:host flag:-H project-access-token'],
    [{ line: `curl https://backboard.railway.com/graphql/v2 --oauth2-bearer dev-project-token -d ${q(body(variableDelete))}` }, '- development argument:url command:host flag:--oauth2-bearer'],
    // volumeDelete and serviceDelete reach every environment, whatever id or token the request names.
    [{ line: `curl https://backboard.railway.com/graphql/v2 -H 'project-access-token: dev-project-token' -d ${q(body(volumeDelete))}` }, 'production production argument:url command:host argument:volumeDelete(volumeId) flag:-H project-access-token'],
    [{ line: railwayDelete({ e: 'env-dev' }, 'serviceDelete(environmentId: $e, id: "s")') }, 'production production argument:url command:host argument:serviceDelete(environmentId) argument:serviceDelete(id)'],
  ], target);
});

describe('curl never shows a secret in evidence', () => {
  table(label, [
    [{ line: `curl https://backboard.railway.com/graphql/v2 -H 'Authorization: Bearer rw-SECRET-4f2a9c1e' -d ${q(body(volumeDelete))}` }, false],
    [{ line: 'curl -X DELETE "https://api.example.com/items/1?access_token=rw-SECRET-4f2a9c1e"' }, false],
    [{ line: 'curl -X DELETE https://user:rw-SECRET-4f2a9c1e@api.example.com/items/1' }, false],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation { variableDelete(token: "rw-SECRET-4f2a9c1e") }'))}` }, false],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q('{"token": rw-SECRET-4f2a9c1e}')}` }, false],
    [{ line: `curl https://backboard.railway.com/graphql/v2 -d ${q(body('mutation { a(x: 1) "rw-SECRET-4f2a9c1e" }'))}` }, false],
  ], async (c) => {
    const ev = await run(c);
    return JSON.stringify([ev.target, ev.findings]).includes('rw-SECRET-4f2a9c1e');
  });
});

describe("a platform's own host name classifies nothing; a name under its domain may", () => {
  table(label, [
    [{ line: `curl https://backboard.railway-staging.com/graphql/v2 -d ${q(body(variableDelete))}` }, 'unknown'],
    [{ line: 'curl -X DELETE https://shop-prod.s3.amazonaws.com/orders.csv' }, 'production'],
  ], async (c) => (await run(c)).target!.class);
});
