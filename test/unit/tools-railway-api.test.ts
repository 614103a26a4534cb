// `railway api`: the GraphQL document and variables it sends, read as railway builds them, and what
// they target (the ids they name, never the linked environment).

import { beforeAll, describe } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { label, q, requestRunner, type Line } from '../helpers/requests.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-railway-api-')));
const work = join(home, 'work');
const volumeDelete = 'mutation { volumeDelete(volumeId: "vol-1") }';
const patch = 'mutation($e: String!, $p: EnvironmentConfig!) { environmentPatchCommit(environmentId: $e, patch: $p) }';
beforeAll(() => {
  mkdirSync(work, { recursive: true });
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  mkdirSync(join(home, '.railway'), { recursive: true });
  writeFileSync(join(work, 'delete.graphql'), `# deletes the volume\n${volumeDelete}\n`);
  writeFileSync(join(work, 'patch-vars.json'), JSON.stringify({ e: 'env-prod', p: { volumes: { v: { isDeleted: true } } } }));
  // The directory is linked to a development environment: `railway api` must not believe it.
  writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [work]: { projectPath: work, project: 'p', environment: 'env-dev', environmentName: 'dev' } } }));
  writeFileSync(
    join(home, '.config', 'chaperone', 'rules.yaml'),
    ['targets:', '  railway-environment:', '    env-dev: development', '    env-prod: production', '  railway-token:', '    "sha256:8f7e3bcd108773a3": development', ''].join('\n'),
  );
});

const { run, rules } = requestRunner(() => ({ home, work }));

describe('railway api documents against the built-in rules', () => {
  table(label, [
    [{ line: `railway api ${q(volumeDelete)}` }, 'railway.api.delete'],
    [{ line: `railway api ${q('mutation { gone: projectDelete(id: "p") }')} --compact` }, 'railway.api.delete'],
    [{ line: `railway api ${q('mutation D($id: String!) { volumeDelete(volumeId: $id) }')} --var id=vol-1` }, 'railway.api.delete'],
    [{ line: `railway api ${q('query Q { me { id } } mutation M { environmentDelete(id: "e") }')} --operation-name M` }, 'railway.api.delete'],
    [{ line: 'railway api -f delete.graphql' }, 'railway.api.delete'],
    [{ line: 'railway api --file=delete.graphql' }, 'railway.api.delete'],
    [{ line: 'railway api -f -', stdin: volumeDelete }, 'railway.api.delete'],
    [{ line: 'railway api', stdin: volumeDelete }, 'railway.api.delete'],
    [{ line: `railway api ${q(patch)} --variables @patch-vars.json` }, 'railway.api.patch-delete'],
    [{ line: `railway api ${q(patch)} --variables @-`, stdin: JSON.stringify({ e: 'e', p: { services: { s: { isDeleted: true } } } }) }, 'railway.api.patch-delete'],
    [{ line: `railway api ${q(patch)} --var e=e --var ${q('p={"buckets":{"b":{"isDeleted":true}}}')}` }, 'railway.api.patch-delete'],
    [{ line: `railway api ${q(patch)} --var e=e --raw-var ${q('p={"buckets":{"b":{"isDeleted":true}}}')}` }, ''],
    [{ line: `railway api ${q('mutation($i: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $i) }')} --variables ${q('{"i":{"replace":true}}')}` }, 'railway.api.replace-all'],
    [{ line: `railway api ${q('mutation { volumeDelete(volumeId: ')}` }, 'railway.api.unreadable'],
    [{ line: 'railway api -f missing.graphql' }, 'railway.api.unreadable'],
    [{ line: `railway api ${q(patch)} --variables @missing.json` }, 'railway.api.unreadable'],
    // never gated
    [{ line: `railway api ${q('query { me { id } }')}` }, ''],
    [{ line: `railway api ${q('query Q { me { id } } mutation M { environmentDelete(id: "e") }')} --operation-name Q` }, ''],
    [{ line: `railway api ${q(volumeDelete)} --variables ${q('not json')}` }, ''],
    [{ line: `railway api ${q('mutation { serviceInstanceRedeploy(serviceId: "s") }')}` }, ''],
    [{ line: 'railway api schema' }, ''],
    [{ line: 'railway api search volume --kind mutation' }, ''],
    [{ line: 'railway api describe volumeDelete' }, ''],
    [{ line: `railway api ${q(volumeDelete)} --help` }, ''],
    [{ line: 'railway help api' }, ''],
    [{ line: 'railway api' }, ''],
    // the rest of railway is read as before
    [{ line: 'railway volume delete -v pg-data -y' }, 'railway.volume.delete'],
    [{ line: 'railway functions delete -f fn' }, 'railway.functions.delete'],
  ], rules);
});

const target = async (c: Line) => {
  const t = (await run(c)).target!;
  return `${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};
describe('railway api target: the ids the document names, not the link', () => {
  table(label, [
    [{ line: `railway api ${q(volumeDelete)}` }, 'production command:railway api argument:url command:host argument:volumeDelete(volumeId)'],
    [{ line: `railway api ${q(patch)} --variables @patch-vars.json` }, 'production command:railway api argument:url command:host argument:environmentPatchCommit(environmentId)'],
    [{ line: `railway api ${q('mutation($e: String!) { serviceDelete(environmentId: $e, id: "s") }')} --var e=env-dev` }, 'production command:railway api argument:url command:host argument:serviceDelete(environmentId) argument:serviceDelete(id)'],
    // volumeDelete reaches every environment, whatever the token's; an environment-scoped deletion goes where the token says.
    [{ line: `railway api ${q(volumeDelete)}`, env: { RAILWAY_TOKEN: 'dev-project-token' } }, 'production command:railway api argument:url command:host argument:volumeDelete(volumeId) env:RAILWAY_TOKEN'],
    [{ line: `railway api ${q('mutation { variableDelete(input: {name: "X", projectId: "p"}) }')}`, env: { RAILWAY_TOKEN: 'dev-project-token' } }, 'development command:railway api argument:url command:host env:RAILWAY_TOKEN'],
    [{ line: `railway api ${q(volumeDelete)}`, env: { RAILWAY_API_TOKEN: 'some-account-token' } }, 'production command:railway api argument:url command:host argument:volumeDelete(volumeId) env:RAILWAY_API_TOKEN'],
    [{ line: `railway api ${q('mutation { environmentDelete(id: "env-dev") }')}`, env: { RAILWAY_TOKEN: 'dev-project-token', RAILWAY_API_TOKEN: 'x' } }, 'development command:railway api argument:url command:host argument:environmentDelete(id) env:RAILWAY_TOKEN'],
  ], target);
});
