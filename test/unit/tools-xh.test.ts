// xh (xh, xhs): which requests the built-in rules gate, read as xh reads its positionals, items and
// --no-OPTION flags, and what each targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { label, q, requestRunner, type Line } from '../helpers/requests.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-xh-')));
const work = join(home, 'work');
const configured = join(home, 'xh-config');
const volumeDelete = 'mutation { volumeDelete(volumeId: "vol-1") }';
beforeAll(() => {
  mkdirSync(work, { recursive: true });
  mkdirSync(configured, { recursive: true });
  writeFileSync(join(work, 'delete.json'), JSON.stringify({ query: volumeDelete }));
  writeFileSync(join(configured, 'config.json'), JSON.stringify({ default_options: ['--offline'] }));
});

const { run, rules } = requestRunner(() => ({ home, work }));
const railway = 'backboard.railway.com/graphql/v2';

describe('xh requests against the built-in rules', () => {
  table(label, [
    [{ line: 'xh DELETE https://api.heroku.com/apps/shop' }, 'xh.delete'],
    [{ line: 'xh delete api.example.com/items/1' }, 'xh.delete'],
    [{ line: 'xhs DELETE api.example.com/items/1' }, 'xh.delete'],
    [{ line: 'xh DELETE ://api.example.com/items/1' }, 'xh.delete'],
    [{ line: 'xh DELETE :8080/items/1' }, 'xh.delete'],
    [{ line: 'xh --offline --no-offline DELETE api.example.com/items/1' }, 'xh.delete'],
    [{ line: 'xh -F DELETE api.example.com/items/1' }, 'xh.delete'],
    [{ line: `xh POST ${railway} query=${q(volumeDelete)}` }, 'xh.graphql.delete'],
    [{ line: `xh ${railway} query=${q(volumeDelete)}` }, 'xh.graphql.delete'],
    [{ line: `xh -f ${railway} query=${q(volumeDelete)}` }, 'xh.graphql.delete'],
    [{ line: `xh ${railway} @delete.json` }, 'xh.graphql.delete'],
    [{ line: `xh ${railway} --raw=${q(JSON.stringify({ query: volumeDelete }))}` }, 'xh.graphql.delete'],
    [{ line: `xh POST ${railway}`, stdin: JSON.stringify({ query: volumeDelete }) }, 'xh.graphql.delete'],
    [{ line: `xh POST ${railway}`, stdin: '{"query": ' }, 'xh.body.unreadable'],
    // never gated
    [{ line: 'xh api.example.com/items/1' }, ''],
    [{ line: `xh ${railway} query=${q('{ me { id } }')}` }, ''],
    [{ line: `xh -I POST ${railway}`, stdin: JSON.stringify({ query: volumeDelete }) }, ''],
    [{ line: 'xh --offline DELETE api.example.com/items/1' }, ''],
    [{ line: 'xh --curl DELETE api.example.com/items/1' }, ''],
    [{ line: 'xh --no-offline --offline DELETE api.example.com/items/1' }, ''],
    [{ line: 'xh DELETE api.example.com/items/1', env: { XH_CONFIG_DIR: configured } }, ''],
    [{ line: 'xh -h DELETE api.example.com/items/1' }, 'xh.delete'],
    [{ line: 'xh help' }, ''],
    [{ line: 'xh generate-completions /tmp/x' }, ''],
    [{ line: 'xh -m DELETE api.example.com/items/1' }, 'xh.delete'],
    [{ line: `xh --multipart ${railway} query=${q(volumeDelete)}` }, 'xh.graphql.delete'],
    [{ line: 'xh --help' }, ''],
    [{ line: 'xh DELETE api.example.com/items/1 -V' }, ''],
    [{ line: 'xh DELETE' }, ''],
    [{ line: 'xh' }, ''],
  ], rules);
});

const target = async (c: Line) => {
  const t = (await run(c)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};
describe('xh target', () => {
  table(label, [
    [{ line: 'xh DELETE :8080/items/1' }, 'localhost development argument:url'],
    [{ line: 'xh DELETE api.example.com/items/1 --resolve api.example.com:127.0.0.1' }, '127.0.0.1 development argument:url flag:--resolve'],
    [{ line: 'xh DELETE localhost/items/1 --resolve localhost:10.0.0.5' }, '10.0.0.5 unknown argument:url flag:--resolve'],
    [{ line: `xh --bearer rw-token ${railway} query=${q(volumeDelete)}` }, 'production production argument:url command:host argument:volumeDelete(volumeId) flag:--bearer'],
  ], target);
});
