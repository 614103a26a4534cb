// HTTPie (http, https): which requests the built-in rules gate, read as httpie reads its positionals
// and request items, and what each targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitItem } from '../../src/payload/items.js';
import { table } from '../helpers/cases.js';
import { label, q, requestRunner, type Line } from '../helpers/requests.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-httpie-')));
const work = join(home, 'work');
const configured = join(home, 'configured');
const volumeDelete = 'mutation { volumeDelete(volumeId: "vol-1") }';
beforeAll(() => {
  mkdirSync(work, { recursive: true });
  mkdirSync(join(configured, 'httpie'), { recursive: true });
  writeFileSync(join(work, 'delete.json'), JSON.stringify({ query: volumeDelete }));
  writeFileSync(join(work, 'delete.graphql'), volumeDelete);
  writeFileSync(join(work, 'vars.json'), JSON.stringify({ p: { services: { s: { isDeleted: true } } } }));
  writeFileSync(join(configured, 'httpie', 'config.json'), JSON.stringify({ default_options: ['--offline'] }));
});

const { run, rules } = requestRunner(() => ({ home, work }));
const railway = 'backboard.railway.com/graphql/v2';

describe('httpie requests against the built-in rules', () => {
  table(label, [
    [{ line: 'http DELETE https://api.heroku.com/apps/shop' }, 'httpie.delete'],
    [{ line: 'http delete api.example.com/items/1' }, 'httpie.delete'],
    [{ line: 'https DELETE api.example.com/items/1' }, 'httpie.delete'],
    [{ line: 'http --follow -v DELETE api.example.com/items/1 Authorization:"Bearer x"' }, 'httpie.delete'],
    [{ line: 'http DELETE :3000/items/1' }, 'httpie.delete'],
    [{ line: 'http -a user:pass DELETE api.example.com/items/1' }, 'httpie.delete'],
    [{ line: `http POST ${railway} query=${q(volumeDelete)}` }, 'httpie.graphql.delete'],
    [{ line: `http ${railway} query=${q(volumeDelete)}` }, 'httpie.graphql.delete'],
    [{ line: `http ${railway} query=@delete.graphql` }, 'httpie.graphql.delete'],
    [{ line: `http --form ${railway} query=${q(volumeDelete)}` }, 'httpie.graphql.delete'],
    [{ line: `http POST ${railway} @delete.json` }, 'httpie.graphql.delete'],
    [{ line: `http POST ${railway} --raw ${q(JSON.stringify({ query: volumeDelete }))}` }, 'httpie.graphql.delete'],
    [{ line: `http POST ${railway}`, stdin: JSON.stringify({ query: volumeDelete }) }, 'httpie.graphql.delete'],
    [{ line: `http ${railway} query=${q('mutation($p: EnvironmentConfig!) { environmentPatchCommit(environmentId: "e", patch: $p) }')} variables:=@vars.json` }, 'httpie.graphql.patch-delete'],
    [{ line: `http ${railway} query=${q('mutation($i: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $i) }')} variables[i][replace]:=true` }, 'httpie.graphql.replace-all'],
    [{ line: `http ${railway} query=${q('mutation { volumeDelete(volumeId: ')}` }, 'httpie.body.unreadable'],
    [{ line: `http POST ${railway} @missing.json` }, 'httpie.body.unreadable'],
    // never gated: reads, --offline, help, a stdin left unread
    [{ line: 'http api.example.com/items/1' }, ''],
    [{ line: 'http GET api.example.com/items/1' }, ''],
    [{ line: `http ${railway} query=${q('{ me { id } }')}` }, ''],
    [{ line: `http POST ${railway} --ignore-stdin query=${q('{ me { id } }')}`, stdin: JSON.stringify({ query: volumeDelete }) }, ''],
    [{ line: `http -I POST ${railway}`, stdin: JSON.stringify({ query: volumeDelete }) }, ''],
    [{ line: 'http --offline DELETE api.example.com/items/1' }, ''],
    [{ line: 'http DELETE api.example.com/items/1', env: { HTTPIE_CONFIG_DIR: join(configured, 'httpie') } }, ''],
    [{ line: 'http --no-offline DELETE api.example.com/items/1', env: { HTTPIE_CONFIG_DIR: join(configured, 'httpie') } }, 'httpie.delete'],
    [{ line: 'http DELETE api.example.com/items/1', env: { XDG_CONFIG_HOME: configured } }, ''],
    [{ line: 'http -h DELETE api.example.com/items/1' }, 'httpie.delete'],
    [{ line: 'http --help' }, ''],
    [{ line: 'http DELETE api.example.com/items/1 --help' }, ''],
    [{ line: 'http --version' }, ''],
    [{ line: 'http' }, ''],
  ], rules);
});

describe('request items: the first separator wins, the longest at one position, \\ escapes', () => {
  table((t) => t, [
    ['query=mutation { a }', 'query|=|mutation { a }'],
    ['Authorization:Bearer x', 'Authorization|:|Bearer x'],
    ['variables:={"a":1}', 'variables|:=|{"a":1}'],
    ['id==7', 'id|==|7'],
    ['query=@doc.graphql', 'query|=@|doc.graphql'],
    ['variables:=@vars.json', 'variables|:=@|vars.json'],
    ['X-Empty;', 'X-Empty|;|'],
    ['@body.json', '|@|body.json'],
    ['a\\:b=c', 'a:b|=|c'],
    ['url=http://x', 'url|=|http://x'],
    ['no-separator', '-'],
  ], (t) => {
    const item = splitItem(t);
    return item ? `${item.key}|${item.separator}|${item.value}` : '-';
  });
});

const target = async (c: Line) => {
  const t = (await run(c)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};
describe('httpie target', () => {
  table(label, [
    [{ line: 'http DELETE :3000/items/1' }, 'localhost development argument:url'],
    [{ line: 'http DELETE api.staging.example.com/items/1' }, 'api.staging.example.com staging argument:url'],
    [{ line: `http -A bearer -a rw-token ${railway} query=${q(volumeDelete)}` }, 'production production argument:url command:host argument:volumeDelete(volumeId) flag:--auth'],
    [{ line: `http ${railway} query=${q('mutation($e: String!) { serviceDelete(environmentId: $e, id: "s") }')} variables[e]=env-1` }, 'production production argument:url command:host argument:serviceDelete(environmentId) argument:serviceDelete(id)'],
  ], target);
});
