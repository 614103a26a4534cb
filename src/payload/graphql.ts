// GraphQL requests: which root mutation fields a request would run, and with which arguments.
//
// A request is `{query, variables?, operationName?}` (a JSON body, an element of a batched array, form
// fields, or `railway api`'s own flags). Only a document that contains the keyword `mutation` can
// change anything, so only such a document is parsed, with graphql-js, loaded on that path alone.
// The operation that runs is the one operationName names, or the only one; when that is ambiguous
// (the server would refuse), every operation is read. Root fields are collected through aliases,
// fragment spreads and inline fragments; @skip/@include are ignored (reading more is the safe side).
// Arguments are resolved against the variables (and the defaults the operation declares).
//
// What a mutation does is read from its field name, by word (`volumeDelete` → volume, delete):
//   a deletion word (deleteWords)                         → that word
//   a patch with `isDeleted: true`, or `variables: {K: null}` → patch-delete (Railway environment patches)
//   a field in replaceAllFields with `replace: true`      → replace-all
//   volumeInstanceBackupScheduleUpdate without every kind → schedule-narrow (backups left out stop)
//   anything else                                         → other (rules may still name the field)

import type { DocumentNode, FieldNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';

export interface GraphqlRequest {
  query: string;
  variables?: unknown;
  operationName?: unknown;
}

export interface MutationCall {
  field: string;
  alias?: string;
  effect: string;
  args: Record<string, unknown>;
}

export type GraphqlReading = { kind: 'read'; mutations: MutationCall[] } | { kind: 'unreadable'; why: string };

/** Words that, as a part of a mutation's name, mean it destroys something. */
export const deleteWords = ['delete', 'remove', 'destroy', 'drop', 'purge', 'wipe', 'reset', 'truncate'];

/** Mutations that delete everything they are not given when called with `replace: true`. */
const replaceAllFields = new Set(['variableCollectionUpsert']);

/** The GraphQL requests a decoded JSON body holds: one object, or a batch; undefined if it holds none. */
export function graphqlRequestsIn(value: unknown): GraphqlRequest[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const requests = items.filter(isGraphqlRequest);
  return requests.length > 0 ? requests : undefined;
}

function isGraphqlRequest(value: unknown): value is GraphqlRequest {
  return typeof value === 'object' && value !== null && typeof (value as GraphqlRequest).query === 'string';
}

/** Whether a document could hold a mutation at all: GraphQL keywords cannot be escaped. */
export function mayMutate(document: string): boolean {
  return /\bmutation\b/.test(document);
}

export async function readGraphql(request: GraphqlRequest): Promise<GraphqlReading> {
  if (!mayMutate(request.query)) return { kind: 'read', mutations: [] };
  const graphql = await loadGraphql();
  let document: DocumentNode;
  try {
    document = graphql.parse(request.query, { noLocation: true });
  } catch (error) {
    // The parser quotes the document ("found String \"…\""): keep its words, never the request's text.
    return { kind: 'unreadable', why: `invalid GraphQL (${(error as Error).message.replace(/".*"/s, '…')})` };
  }
  const variables = variablesOf(request.variables);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
  }
  const mutations: MutationCall[] = [];
  for (const operation of operationsThatRun(document, request.operationName)) {
    if (operation.operation !== 'mutation') continue;
    const values = { ...defaultsOf(operation, graphql.valueFromASTUntyped), ...variables };
    for (const field of rootFields(operation.selectionSet, fragments, new Set())) {
      if (field.name.value.startsWith('__')) continue;
      const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, graphql.valueFromASTUntyped(a.value, values)]));
      mutations.push({
        field: field.name.value,
        ...(field.alias ? { alias: field.alias.value } : {}),
        effect: effectOf(field.name.value, args),
        args,
      });
    }
  }
  return { kind: 'read', mutations };
}

type Graphql = Pick<typeof import('graphql'), 'parse' | 'valueFromASTUntyped'>;

/** The parser and value reader only, not all of graphql-js; bundled, CommonJS arrives as `default`. */
async function loadGraphql(): Promise<Graphql> {
  const commonJs = <T>(loaded: T) => ((loaded as { default?: T }).default ?? loaded) as T;
  const [parser, values] = await Promise.all([import('graphql/language/parser.js'), import('graphql/utilities/valueFromASTUntyped.js')]);
  return { parse: commonJs(parser).parse, valueFromASTUntyped: commonJs(values).valueFromASTUntyped };
}

function operationsThatRun(document: DocumentNode, operationName: unknown): OperationDefinitionNode[] {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (typeof operationName === 'string' && operationName !== '') {
    const named = operations.filter((o) => o.name?.value === operationName);
    if (named.length > 0) return named;
  }
  return operations; // one, or ambiguous or unmatched (the server refuses): read them all
}

function variablesOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return variablesOf(JSON.parse(value));
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function defaultsOf(operation: OperationDefinitionNode, valueOf: typeof import('graphql').valueFromASTUntyped): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults[definition.variable.name.value] = valueOf(definition.defaultValue);
  }
  return defaults;
}

/** The fields at the root of an operation, through fragment spreads and inline fragments. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === 'Field') fields.push(selection);
    else if (selection.kind === 'InlineFragment') fields.push(...rootFields(selection.selectionSet, fragments, seen));
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      fields.push(...rootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

/** `volumeInstanceBackupDelete` → volume, instance, backup, delete; `delete_users_by_pk` → delete, users, by, pk. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function effectOf(field: string, args: Record<string, unknown>): string {
  const word = wordsOf(field).find((w) => deleteWords.includes(w));
  if (word) return word;
  if (someValue(args, (key, value) => (key === 'isDeleted' && value === true) || (key === 'variables' && hasNullMember(value)))) {
    return 'patch-delete';
  }
  if (replaceAllFields.has(field) && someValue(args, (key, value) => key === 'replace' && value === true)) return 'replace-all';
  if (field === 'volumeInstanceBackupScheduleUpdate' && !everyScheduleKind(args.kinds)) return 'schedule-narrow';
  return 'other';
}

/**
 * Railway's backup schedule update sets the schedule to exactly the kinds it is given: a kind left out
 * (or kinds chaperone cannot see) stops those backups.
 */
function everyScheduleKind(kinds: unknown): boolean {
  return Array.isArray(kinds) && ['DAILY', 'WEEKLY', 'MONTHLY'].every((kind) => kinds.includes(kind));
}

function hasNullMember(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).some((v) => v === null);
}

/** Whether any key/value pair at any depth satisfies the test. */
export function someValue(value: unknown, test: (key: string, value: unknown) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => someValue(v, test));
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => test(k, v) || someValue(v, test));
}
