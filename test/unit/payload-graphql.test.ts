// GraphQL requests: which root mutation fields would run, through aliases, fragments, variables and
// operation names, and what each one's name says it does.

import { describe } from 'vitest';
import { effectOf, graphqlRequestsIn, readGraphql, wordsOf, type GraphqlRequest } from '../../src/payload/graphql.js';
import { table } from '../helpers/cases.js';

/** "field:effect" for every mutation field, space-separated; "unreadable" when it cannot be read. */
const mutations = async (request: GraphqlRequest) => {
  const reading = await readGraphql(request);
  return reading.kind === 'unreadable' ? 'unreadable' : reading.mutations.map((m) => `${m.alias ? `${m.alias}=` : ''}${m.field}:${m.effect}`).join(' ');
};

describe('readGraphql: the mutations a request would run', () => {
  table((r) => JSON.stringify(r), [
    [{ query: 'mutation { volumeDelete(volumeId: "v1") }' }, 'volumeDelete:delete'],
    [{ query: 'mutation{volumeDelete(volumeId:"v1")}' }, 'volumeDelete:delete'],
    [{ query: 'mutation { x: volumeDelete(volumeId: "v1") }' }, 'x=volumeDelete:delete'],
    [{ query: 'mutation { a: environmentDelete(id: "e") b: serviceDelete(id: "s") }' }, 'a=environmentDelete:delete b=serviceDelete:delete'],
    [{ query: 'mutation M($id: String!) { volumeInstanceBackupDelete(volumeInstanceBackupId: $id, volumeInstanceId: "i") }', variables: { id: 'b' } }, 'volumeInstanceBackupDelete:delete'],
    [{ query: 'mutation { projectScheduleDelete(id: "p") }' }, 'projectScheduleDelete:delete'],
    [{ query: 'mutation { deploymentRemove(id: "d") }' }, 'deploymentRemove:remove'],
    [{ query: 'mutation { sandboxDestroy(id: "s") }' }, 'sandboxDestroy:destroy'],
    [{ query: 'mutation { pluginReset(id: "p") }' }, 'pluginReset:reset'],
    [{ query: 'mutation { delete_users(where: {}) { affected_rows } }' }, 'delete_users:delete'],
    [{ query: 'mutation { deleteRepository(input: {repositoryId: "R"}) { clientMutationId } }' }, 'deleteRepository:delete'],
    [{ query: 'mutation { serviceInstanceRedeploy(serviceId: "s", environmentId: "e") }' }, 'serviceInstanceRedeploy:other'],
    [{ query: 'mutation { dropdownUpdate(id: "x") }' }, 'dropdownUpdate:other'],
    [{ query: 'mutation { undeleteItem(id: "x") }' }, 'undeleteItem:other'],
    [{ query: 'mutation { __typename volumeDelete(volumeId: "v") }' }, 'volumeDelete:delete'],
    // fragments, spread and inline
    [{ query: 'mutation { ...Wipe } fragment Wipe on Mutation { volumeDelete(volumeId: "v") }' }, 'volumeDelete:delete'],
    [{ query: 'fragment A on Mutation { ...B } fragment B on Mutation { ...A projectDelete(id: "p") } mutation { ...A }' }, 'projectDelete:delete'],
    [{ query: 'mutation { ... on Mutation { environmentDelete(id: "e") } }' }, 'environmentDelete:delete'],
    [{ query: 'mutation { ... @include(if: false) { volumeDelete(volumeId: "v") } }' }, 'volumeDelete:delete'],
    // comments and strings do not make a mutation; queries never are
    [{ query: '# mutation { volumeDelete(volumeId: "v") }\nquery { me { id } }' }, ''],
    [{ query: 'query { search(text: "mutation { volumeDelete }") { id } }' }, ''],
    [{ query: '{ projects { edges { node { id } } } }' }, ''],
    [{ query: 'mutation {\n  # volumeDelete(volumeId: "v")\n  serviceInstanceRedeploy(serviceId: "s")\n}' }, 'serviceInstanceRedeploy:other'],
    [{ query: 'subscription { deploymentLogs(deploymentId: "d") { message } }' }, ''],
    // operationName picks the operation that runs; without one, an ambiguous document is read whole
    [{ query: 'query Q { me { id } } mutation M { volumeDelete(volumeId: "v") }', operationName: 'Q' }, ''],
    [{ query: 'query Q { me { id } } mutation M { volumeDelete(volumeId: "v") }', operationName: 'M' }, 'volumeDelete:delete'],
    [{ query: 'query Q { me { id } } mutation M { volumeDelete(volumeId: "v") }' }, 'volumeDelete:delete'],
    [{ query: 'query Q { me { id } } mutation M { volumeDelete(volumeId: "v") }', operationName: 'Nope' }, 'volumeDelete:delete'],
    // Railway environment patches and replace-all upserts
    [{ query: 'mutation($p: EnvironmentConfig!) { environmentPatchCommit(environmentId: "e", patch: $p) }', variables: { p: { services: { s1: { isDeleted: true } } } } }, 'environmentPatchCommit:patch-delete'],
    [{ query: 'mutation { environmentStageChanges(environmentId: "e", input: {volumes: {v1: {isDeleted: true}}}) }' }, 'environmentStageChanges:patch-delete'],
    [{ query: 'mutation($p: EnvironmentConfig!) { environmentPatchCommit(environmentId: "e", patch: $p) }', variables: { p: { services: { s1: { variables: { API_KEY: null } } } } } }, 'environmentPatchCommit:patch-delete'],
    [{ query: 'mutation($p: EnvironmentConfig!) { environmentPatchCommit(environmentId: "e", patch: $p) }', variables: { p: { services: { s1: { isDeleted: false } } } } }, 'environmentPatchCommit:other'],
    [{ query: 'mutation($p: EnvironmentConfig = {buckets: {b: {isDeleted: true}}}) { environmentPatchCommit(environmentId: "e", patch: $p) }' }, 'environmentPatchCommit:patch-delete'],
    [{ query: 'mutation($i: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $i) }', variables: '{"i": {"replace": true, "variables": {"A": "1"}}}' }, 'variableCollectionUpsert:replace-all'],
    [{ query: 'mutation { variableCollectionUpsert(input: {replace: false, variables: {A: "1"}}) }' }, 'variableCollectionUpsert:other'],
    // what cannot be read
    [{ query: 'mutation { volumeDelete(volumeId: ' }, 'unreadable'],
    [{ query: 'mutation { volumeDelete(volumeId: "v") } }' }, 'unreadable'],
    [{ query: 'query { me { id ' }, ''],
  ], mutations);
});

describe('wordsOf and effectOf read a field name by its words', () => {
  table((name) => name, [
    ['volumeInstanceBackupDelete', 'volume instance backup delete'],
    ['deleteAPIKey', 'delete api key'],
    ['delete_users_by_pk', 'delete users by pk'],
    ['URLRemove', 'url remove'],
    ['purgeServiceCache', 'purge service cache'],
  ], (name) => wordsOf(name).join(' '));
  table((name) => name, [
    ['truncateTable', 'truncate'],
    ['wipeDatabase', 'wipe'],
    ['dropIndex', 'drop'],
    ['projectCreate', 'other'],
    ['isDeletedToggle', 'other'],
  ], (name) => effectOf(name, {}));
});

describe('graphqlRequestsIn finds requests in a decoded JSON body', () => {
  table<unknown, number>((v) => JSON.stringify(v), [
    [{ query: '{ me { id } }' }, 1],
    [[{ query: '{ a }' }, { query: 'mutation { b }' }], 2],
    [[{ query: '{ a }' }, { id: 1 }], 1],
    [{ id: 'not graphql' }, 0],
    [{ query: 42 }, 0],
    ['mutation { a }', 0],
    [null, 0],
  ], (v) => graphqlRequestsIn(v)?.length ?? 0);
});
