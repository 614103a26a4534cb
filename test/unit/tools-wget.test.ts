// wget: which requests the built-in rules gate (getopt_long grammar, wgetrc and -e), and their target.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wgetrcSettings } from '../../src/tools/wget.js';
import { table } from '../helpers/cases.js';
import { label, q, requestRunner, type Line } from '../helpers/requests.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-wget-')));
const work = join(home, 'work');
const rcHome = join(home, 'rc-home');
const volumeDelete = JSON.stringify({ query: 'mutation { volumeDelete(volumeId: "vol-1") }' });
beforeAll(() => {
  mkdirSync(work, { recursive: true });
  mkdirSync(rcHome, { recursive: true });
  writeFileSync(join(work, 'delete.json'), volumeDelete);
  writeFileSync(join(work, 'urls.txt'), '# targets\nhttps://api.example.com/items/1\n\nhttps://api.example.com/items/2\n');
  writeFileSync(join(work, 'delete.wgetrc'), 'Method = delete\n');
  writeFileSync(join(rcHome, '.wgetrc'), 'method = DELETE\n');
});

const { run, rules } = requestRunner(() => ({ home, work }));

describe('wget requests against the built-in rules', () => {
  table(label, [
    [{ line: 'wget --method=DELETE https://api.heroku.com/apps/shop' }, 'wget.delete'],
    [{ line: 'wget --method DELETE https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget --method=delete https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget --meth=DELETE https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget -qO- --method=DELETE api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget -e method=DELETE https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget --execute=body_data=x --execute "method = DELETE" https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget --config=delete.wgetrc https://api.example.com/items/1' }, 'wget.delete'],
    [{ line: 'wget https://api.example.com/items/1', env: { HOME: rcHome } }, 'wget.delete'],
    [{ line: 'wget https://api.example.com/items/1', env: { WGETRC: join(work, 'delete.wgetrc') } }, 'wget.delete'],
    [{ line: 'wget --method=DELETE -i urls.txt' }, 'wget.delete wget.delete'],
    [{ line: 'wget --method=DELETE -i -', stdin: 'https://api.example.com/items/1\n' }, 'wget.delete'],
    [{ line: 'wget --method=DELETE -i missing.txt' }, 'wget.delete'],
    [{ line: `wget --post-data=${q(volumeDelete)} https://backboard.railway.com/graphql/v2` }, 'wget.graphql.delete'],
    [{ line: `wget --method=POST --body-data=${q(volumeDelete)} https://backboard.railway.com/graphql/v2` }, 'wget.graphql.delete'],
    [{ line: 'wget --post-file=delete.json https://backboard.railway.com/graphql/v2' }, 'wget.graphql.delete'],
    [{ line: 'wget --method=POST --body-file delete.json https://backboard.railway.com/graphql/v2' }, 'wget.graphql.delete'],
    [{ line: 'wget --post-file=missing.json https://backboard.railway.com/graphql/v2' }, 'wget.body.unreadable'],
    [{ line: "wget --post-data='{broken' https://backboard.railway.com/graphql/v2" }, 'wget.body.unreadable'],
    // never gated
    [{ line: 'wget https://example.com/file.tar.gz' }, ''],
    [{ line: 'wget -r -np https://example.com/docs/' }, ''],
    [{ line: 'wget --delete-after https://example.com/x' }, ''],
    [{ line: "wget --post-data='{\"query\":\"{ me { id } }\"}' https://backboard.railway.com/graphql/v2" }, ''],
    [{ line: 'wget --method=DELETE https://api.example.com/items/1', env: { HOME: rcHome } }, 'wget.delete'],
    [{ line: 'wget --no-config https://api.example.com/items/1', env: { HOME: rcHome } }, ''],
    [{ line: 'wget -e method=GET https://api.example.com/items/1', env: { HOME: rcHome } }, ''],
    [{ line: 'wget --method=DELETE https://api.example.com/items/1 --help' }, ''],
    [{ line: 'wget -h' }, ''],
    [{ line: 'wget -V' }, ''],
    [{ line: 'wget' }, ''],
  ], rules);
});

describe('wgetrc commands ignore case, - and _', () => {
  table((t) => JSON.stringify(t), [
    ['method = DELETE', [['--method', 'DELETE']]],
    ['Body_Data=x=1', [['--body-data', 'x=1']]],
    ['post-file = /tmp/a b', [['--post-file', '/tmp/a b']]],
    ['# method = DELETE\ntries = 3', []],
  ], wgetrcSettings);
});

const target = async (c: Line) => {
  const t = (await run(c)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};
describe('wget target', () => {
  table(label, [
    [{ line: 'wget --method=DELETE http://localhost:9200/logs' }, 'localhost development argument:url'],
    [{ line: 'wget --method=DELETE https://api.heroku.com/apps/shop-prod' }, 'shop-prod production argument:url command:host argument:url path'],
    [{ line: 'wget --method=DELETE -i urls.txt' }, 'api.example.com unknown argument:url argument:url'],
    [{ line: 'wget --method=DELETE -i missing.txt' }, '(the URLs in missing.txt) unknown argument:url'],
  ], target);
});
