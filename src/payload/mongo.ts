// Reading mongosh (and legacy mongo shell) JavaScript for what it does to data, as command paths
// rules.yaml can match:
//   js drop-database        db.dropDatabase(), db.getSiblingDB('x').dropDatabase(), runCommand({dropDatabase: 1})
//   js drop-collection      coll.drop(), runCommand({drop: 'c'})
//   js delete-many          deleteMany(f) / remove(f); --filter when f is an object literal that can be
//                           false for some document (not {}, not {_id: {$exists: true}})
//   js update-many          updateMany(f, …), update(f, …, {multi: true}); --filter as above
//   js drop-indexes         dropIndexes(), dropIndex(…)
//   js rename-drop-target   renameCollection(name, true) or {dropTarget: true}
//   js drop-users           dropUser, dropAllUsers, dropRole, dropAllRoles
//   js shutdown             db.shutdownServer(), adminCommand({shutdown: 1})
//   js use                  `use x`, getSiblingDB('x'), getDB('x'): --database=x
//   js connect              connect('uri'), new Mongo('uri'): --host and --database from the URI
//   js load                 load('file.js'): the caller reads the file (--file=path); load(expr): unreadable
// A filter held in a variable (deleteMany(filter)) is not a visible filter: it counts as none.

import type { Command } from '../model.js';
import { argumentsAt, closingIndex, type JsToken, tokenizeJs } from './javascript.js';

interface Action {
  path: string[];
  flags?: Record<string, string>;
  /** Where in the source the action is, for the text a human sees. */
  start: number;
  end: number;
}

/** The actions in a script, in source order. */
export function readMongoScript(source: string): Command[] {
  const tokens = tokenizeJs(source);
  const actions: Action[] = [...shellUseLines(source)];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'name') continue;
    const open = tokens[k + 1];
    const called = open?.type === 'punct' && open.value === '(';
    const member = isPunct(tokens[k - 1], '.') || isPunct(tokens[k - 1], '?.');
    if (!called) {
      if (isPunct(open, ':')) actions.push(...bulkWriteKey(t, tokens, k));
      continue;
    }
    const args = argumentsAt(tokens, k + 1);
    const end = tokens[closingIndex(tokens, k + 1)]?.end ?? t.end;
    const at = (path: string[], flags?: Record<string, string>): Action => ({ path, ...(flags ? { flags } : {}), start: t.start, end });
    if (member) actions.push(...memberCall(t.value, args, at));
    else actions.push(...plainCall(t.value, args, at, tokens[k - 1]));
  }
  actions.sort((a, b) => a.start - b.start);
  return actions.map((a) => ({
    path: ['js', ...a.path],
    flags: new Map(Object.entries(a.flags ?? {}).map(([key, value]) => [key, [value]])),
    text: snippet(source, a.start, a.end),
  }));
}

type At = (path: string[], flags?: Record<string, string>) => Action;

function memberCall(name: string, args: JsToken[][], at: At): Action[] {
  switch (name) {
    case 'dropDatabase':
      return [at(['drop-database'])];
    case 'drop':
      return [at(['drop-collection'])];
    case 'deleteMany':
      return [at(['delete-many'], filterFlags(args[0]))];
    case 'remove': {
      // remove(query, justOne) and remove(query, {justOne: true}) delete one document.
      const justOne = args[1] && (isLiteral(args[1], 'true') || propertyIs(args[1], 'justOne', 'true'));
      return justOne ? [at(['delete-one'])] : [at(['delete-many'], filterFlags(args[0]))];
    }
    case 'updateMany':
      return [at(['update-many'], filterFlags(args[0]))];
    case 'update': {
      const multi = args[2] && propertyIs(args[2], 'multi', 'true');
      return multi ? [at(['update-many'], filterFlags(args[0]))] : [at(['update-one'])];
    }
    case 'dropIndexes':
    case 'dropIndex':
      return [at(['drop-indexes'])];
    case 'renameCollection': {
      const dropTarget = args[1] && (isLiteral(args[1], 'true') || propertyIs(args[1], 'dropTarget', 'true'));
      return dropTarget ? [at(['rename-drop-target'])] : [];
    }
    case 'dropUser':
    case 'dropAllUsers':
    case 'dropRole':
    case 'dropAllRoles':
      return [at(['drop-users'])];
    case 'shutdownServer':
      return [at(['shutdown'])];
    case 'runCommand':
    case 'adminCommand':
      return databaseCommand(args[0], at);
    case 'getSiblingDB':
    case 'getDB':
      return stringArgument(args[0]) !== undefined ? [at(['use'], { '--database': stringArgument(args[0])! })] : [];
    default:
      return [];
  }
}

function plainCall(name: string, args: JsToken[][], at: At, before: JsToken | undefined): Action[] {
  if (before?.type === 'name' && before.value === 'function') return []; // a declaration, not a call
  switch (name) {
    case 'load': {
      const file = stringArgument(args[0]);
      return [file === undefined ? at(['unreadable']) : at(['load'], { '--file': file })];
    }
    case 'connect':
    case 'Mongo': {
      const uri = stringArgument(args[0]);
      return uri === undefined ? [at(['connect'])] : [at(['connect'], { '--uri': uri })];
    }
    default:
      return [];
  }
}

/** runCommand({dropDatabase: 1}) and friends: the command is the document's first key. */
function databaseCommand(arg: JsToken[] | undefined, at: At): Action[] {
  if (!arg) return [];
  const name = stringArgument(arg) ?? firstKey(arg);
  switch (name) {
    case 'dropDatabase':
      return [at(['drop-database'])];
    case 'drop':
      return [at(['drop-collection'])];
    case 'delete':
      return [at(['delete-many'])]; // its deletes' filters are not read: counted as none
    case 'dropIndexes':
    case 'deleteIndexes':
      return [at(['drop-indexes'])];
    case 'dropUser':
    case 'dropAllUsersFromDatabase':
    case 'dropRole':
    case 'dropAllRolesFromDatabase':
      return [at(['drop-users'])];
    case 'shutdown':
      return [at(['shutdown'])];
    default:
      return [];
  }
}

/** bulkWrite([{deleteMany: {filter: {}}}]) and {updateMany: {filter, update}}: keys, not calls. */
function bulkWriteKey(key: JsToken, tokens: readonly JsToken[], k: number): Action[] {
  if (key.value !== 'deleteMany' && key.value !== 'updateMany') return [];
  const open = k + 2;
  if (!isPunct(tokens[open], '{')) return [];
  const end = closingIndex(tokens, open);
  const body = tokens.slice(open, end + 1);
  const filter = propertyValue(body, 'filter');
  const path = [key.value === 'deleteMany' ? 'delete-many' : 'update-many'];
  return [{ path, flags: filterFlags(filter), start: key.start, end: tokens[end].end }];
}

/** `use shop` on a line of its own: mongosh's shell helper. */
function shellUseLines(source: string): Action[] {
  const actions: Action[] = [];
  const pattern = /^[ \t]*use[ \t]+([A-Za-z0-9_$-]+)[ \t]*;?[ \t]*$/gm;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
    actions.push({ path: ['use'], flags: { '--database': m[1] }, start: m.index, end: m.index + m[0].length });
  }
  return actions;
}

/** --filter when the argument is an object literal that some document can fail. */
function filterFlags(arg: JsToken[] | undefined): Record<string, string> | undefined {
  if (!arg || arg.length === 0) return undefined;
  if (!isPunct(arg[0], '{') || !isPunct(arg.at(-1), '}')) return undefined; // a variable: not visible
  const compact = arg.map((t) => t.value).join(''); // strings unquoted: {"_id": …} reads as {_id: …}
  return matchesEverything(compact) ? undefined : { '--filter': '' };
}

/** Filters every document passes. */
function matchesEverything(compact: string): boolean {
  return ['{}', '{_id:{$exists:true}}', '{_id:{$exists:1}}', '{_id:{$ne:null}}', '{$expr:true}'].includes(compact.replace(/,}/g, '}'));
}

function firstKey(arg: JsToken[]): string | undefined {
  if (!isPunct(arg[0], '{')) return undefined;
  const key = arg[1];
  return key && (key.type === 'name' || key.type === 'string') && isPunct(arg[2], ':') ? key.value : undefined;
}

/** The tokens of `key: value` at the top level of an object literal. */
function propertyValue(object: readonly JsToken[], key: string): JsToken[] | undefined {
  let level = 0;
  for (let k = 0; k < object.length; k++) {
    const t = object[k];
    if (t.type === 'punct' && ['(', '[', '{'].includes(t.value)) level++;
    if (t.type === 'punct' && [')', ']', '}'].includes(t.value)) level--;
    if (level === 1 && (t.type === 'name' || t.type === 'string') && t.value === key && isPunct(object[k + 1], ':')) {
      const value: JsToken[] = [];
      let inner = 0;
      for (let j = k + 2; j < object.length; j++) {
        const u = object[j];
        if (inner === 0 && u.type === 'punct' && (u.value === ',' || u.value === '}')) break;
        if (u.type === 'punct' && ['(', '[', '{'].includes(u.value)) inner++;
        if (u.type === 'punct' && [')', ']', '}'].includes(u.value)) inner--;
        value.push(u);
      }
      return value;
    }
  }
  return undefined;
}

function propertyIs(object: readonly JsToken[], key: string, literal: string): boolean {
  const value = propertyValue(object, key);
  return value !== undefined && isLiteral(value, literal);
}

function isLiteral(tokens: readonly JsToken[], literal: string): boolean {
  return tokens.length === 1 && (tokens[0].value === literal || (literal === 'true' && tokens[0].type === 'number' && Number(tokens[0].value) !== 0));
}

function stringArgument(arg: readonly JsToken[] | undefined): string | undefined {
  return arg?.length === 1 && (arg[0].type === 'string' || arg[0].type === 'template') ? arg[0].value : undefined;
}

function isPunct(token: JsToken | undefined, value: string): boolean {
  return token?.type === 'punct' && token.value === value;
}

/** The source of an action from the start of its line, flattened and cut to 200 characters. */
function snippet(source: string, start: number, end: number): string {
  const lineStart = source.lastIndexOf('\n', start) + 1;
  const flat = source.slice(lineStart, end).trim().replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
