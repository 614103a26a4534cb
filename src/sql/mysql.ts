// Reading a MySQL/MariaDB statement for what it does, as a command path rules.yaml can match:
// `sql drop table`, `sql truncate`, `sql delete` (with --where when it has a WHERE that can be false),
// `sql alter-table drop`, `sql create-or-replace table`, `sql call`, `sql create-routine`, `sql use`, …
// Flags: --where (a real WHERE clause), --database=NAME (a database the statement names: USE, DROP
// DATABASE, or the qualifier of db.table).
//
// Why not a full grammar: node-sql-parser (the MySQL grammar on npm, tried at 5.4.0) reads
// `/*! DROP TABLE t */` as a comment although the server runs it, and rejects DROP USER, DROP PROCEDURE,
// DROP FUNCTION, DROP EVENT, DROP TEMPORARY TABLE, CREATE OR REPLACE TABLE, multi-table DELETE … USING,
// PREPARE, SET NAMES and SHUTDOWN. What decides whether a MySQL statement destroys something is its
// leading words, the object it names, and for DELETE/UPDATE whether a top-level WHERE exists; a
// tokenizer that knows MySQL's strings, identifiers and comments reads exactly that, in a few lines, for
// every statement a server accepts.

import type { Command } from '../model.js';

type TokenType = 'word' | 'ident' | 'string' | 'number' | 'variable' | 'punct';

export interface Token {
  type: TokenType;
  /** Words upper-cased; identifiers and strings unquoted; punctuation as written. */
  value: string;
}

export interface Action {
  path: string[];
  flags?: Record<string, string>;
}

/** The tokens of one statement. `/*! … *\/` markers vanish (the server runs their content). */
export function tokenize(sql: string, backslashEscapes = true): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2])))) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const executable = /^\/\*(M?!)(\d{5,6})?/.exec(sql.slice(i, i + 11));
      if (executable) {
        i += executable[0].length; // the content is code; its closing */ is skipped below
      } else {
        const end = sql.indexOf('*/', i + 2);
        i = end === -1 ? n : end + 2;
      }
    } else if (c === '*' && sql[i + 1] === '/') {
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const [value, end] = readQuoted(sql, i, c === '`' ? false : backslashEscapes);
      tokens.push({ type: c === '`' ? 'ident' : 'string', value });
      i = end;
    } else if (c === '@') {
      let j = i + 1;
      if (sql[j] === '@') j++;
      if (sql[j] === "'" || sql[j] === '"' || sql[j] === '`') j = readQuoted(sql, j, backslashEscapes)[1];
      else while (j < n && /[\w$.]/.test(sql[j])) j++;
      tokens.push({ type: 'variable', value: sql.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:0x[0-9a-f]+|\d*\.?\d+(?:e[+-]?\d+)?)(?![\w$])/i.exec(sql.slice(i, i + 64));
      if (m) {
        tokens.push({ type: 'number', value: m[0] });
        i += m[0].length;
      } else if (c === '.') {
        tokens.push({ type: 'punct', value: '.' }); // db.1abc: a dot before an identifier that starts with digits
        i++;
      } else {
        i = readWord(sql, i, tokens); // 1abc: identifiers may start with digits
      }
    } else if (/[\w$\u0080-\uffff]/.test(c)) {
      i = readWord(sql, i, tokens);
    } else {
      const op = /^(<=>|<>|!=|>=|<=|\|\||&&|:=|->>|->)/.exec(sql.slice(i, i + 3));
      const value = op ? op[0] : c;
      tokens.push({ type: 'punct', value });
      i += value.length;
    }
  }
  return tokens;
}

function readWord(sql: string, i: number, tokens: Token[]): number {
  let j = i;
  while (j < sql.length && /[\w$\u0080-\uffff]/.test(sql[j])) j++;
  tokens.push({ type: 'word', value: sql.slice(i, j).toUpperCase() });
  return j;
}

/** A quoted string or identifier from its opening quote: its value and the index past it. */
function readQuoted(sql: string, start: number, backslashEscapes: boolean): [string, number] {
  const quote = sql[start];
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\' && backslashEscapes) {
      const next = sql[i + 1] ?? '';
      value += ({ n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' } as Record<string, string>)[next] ?? next;
      i += 2;
    } else if (c === quote && sql[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (c === quote) {
      return [value, i + 1];
    } else {
      value += c;
      i++;
    }
  }
  return [value, i];
}

/** Statements whose leading word is enough to know they destroy nothing (the bulk of a dump). */
const readByLeadingWord = new Set(['INSERT', 'SELECT', 'SET', 'LOCK', 'UNLOCK', 'SHOW', 'VALUES', 'COMMIT', 'ROLLBACK', 'START', 'SAVEPOINT', 'RELEASE', 'GRANT', 'REVOKE', 'FLUSH', 'LOAD', 'REPLACE', 'DO', 'HANDLER', 'CHECKSUM', 'OPTIMIZE', 'REPAIR', 'CHECK', 'KILL', 'XA', 'RENAME', 'INSTALL', 'UNINSTALL', 'HELP', 'CACHE', 'BINLOG', 'TABLE']);

/** What one statement does: usually one action; PREPARE … FROM 'text' gives the actions of its text. */
export function classifyStatement(sql: string, backslashEscapes = true, depth = 0): Action[] {
  // A statement that starts with a plain word (no comment, quote or parenthesis before it) is what
  // that word says; only the words that can destroy something need the whole statement read.
  const word = leadingWord(sql, 0);
  if (word !== undefined && readByLeadingWord.has(word)) return [{ path: [word.toLowerCase()] }];
  return classifyTokens(tokenize(sql, backslashEscapes), backslashEscapes, depth);
}

const isWord = (t: Token | undefined, ...words: string[]) => t?.type === 'word' && words.includes(t.value);

/** What a statement's tokens do; also the SQLite reader's classifier (src/sql/sqlite.ts). */
export function classifyTokens(tokens: Token[], escapes: boolean, depth: number): Action[] {
  let i = 0;
  while (tokens[i]?.value === '(') i++; // (SELECT …) UNION …
  const verb = tokens[i];
  if (!verb) return [];
  if (verb.type !== 'word') return [{ path: ['statement'] }];
  const rest = tokens.slice(i);
  switch (verb.value) {
    case 'WITH':
      return classifyWith(rest, escapes, depth);
    case 'EXPLAIN':
    case 'DESCRIBE':
    case 'DESC': {
      // EXPLAIN ANALYZE (MySQL 8) runs the statement it explains; a plain EXPLAIN does not.
      const after = skipFormat(rest.slice(1));
      return isWord(after[0], 'ANALYZE') ? classifyTokens(skipFormat(after.slice(1)), escapes, depth) : [{ path: ['explain'] }];
    }
    case 'ANALYZE':
      // MariaDB's ANALYZE <statement> runs it; ANALYZE TABLE only reads statistics.
      return isWord(rest[1], 'TABLE', 'TABLES', 'NO_WRITE_TO_BINLOG', 'LOCAL') ? [{ path: ['analyze'] }] : classifyTokens(skipFormat(rest.slice(1)), escapes, depth);
    case 'DROP':
      return [classifyDrop(rest)];
    case 'TRUNCATE':
      return [withDatabase({ path: ['truncate'] }, objectName(rest, isWord(rest[1], 'TABLE') ? 2 : 1))];
    case 'DELETE':
      return [withDatabase(withWhere({ path: ['delete'] }, rest), objectName(rest, deleteTarget(rest)))];
    case 'UPDATE':
      return [withDatabase(withWhere({ path: ['update'] }, rest), objectName(rest, skipModifiers(rest, 1, ['LOW_PRIORITY', 'IGNORE'])))];
    case 'ALTER':
      return classifyAlter(rest);
    case 'CREATE':
      return [classifyCreate(rest)];
    case 'CALL':
      return [{ path: ['call'] }];
    case 'PREPARE':
      return classifyDynamic(rest, rest.findIndex((t) => isWord(t, 'FROM')) + 1, escapes, depth);
    case 'EXECUTE':
      // EXECUTE stmt runs a statement PREPAREd in the same session, read when it was prepared.
      return isWord(rest[1], 'IMMEDIATE') ? classifyDynamic(rest, 2, escapes, depth) : [{ path: ['execute'] }];
    case 'BEGIN':
      return isWord(rest[1], 'NOT') && isWord(rest[2], 'ATOMIC') ? [{ path: ['do'] }] : [{ path: ['begin'] }];
    case 'USE':
      return [withDatabase({ path: ['use'] }, nameOf(rest[1]))];
    case 'SHUTDOWN':
    case 'RESTART':
      return [{ path: ['shutdown'] }];
    case 'PURGE':
      return [{ path: ['purge-logs'] }];
    case 'RESET':
      return isWord(rest[1], 'MASTER') || (isWord(rest[1], 'BINARY') && isWord(rest[2], 'LOGS')) ? [{ path: ['purge-logs'] }] : [{ path: ['reset'] }];
    case 'CLONE':
      // CLONE INSTANCE FROM … replaces this server's data unless DATA DIRECTORY names a new directory.
      return isWord(rest[1], 'INSTANCE') && !rest.some((t, k) => isWord(t, 'DATA') && isWord(rest[k + 1], 'DIRECTORY'))
        ? [{ path: ['clone', 'instance'] }]
        : [{ path: ['clone'] }];
    default:
      return [{ path: [verb.value.toLowerCase()] }];
  }
}

/** WITH cte AS (…) [, …] <statement>: the statement is the first top-level verb after the CTEs. */
function classifyWith(tokens: Token[], escapes: boolean, depth: number): Action[] {
  let level = 0;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.value === '(') level++;
    else if (t.value === ')') level--;
    else if (level === 0 && tokens[k - 1].value === ')' && isWord(t, 'SELECT', 'DELETE', 'UPDATE', 'INSERT', 'REPLACE', 'TABLE', 'VALUES')) {
      return classifyTokens(tokens.slice(k), escapes, depth);
    }
  }
  return [{ path: ['select'] }];
}

function skipFormat(tokens: Token[]): Token[] {
  let k = 0;
  while (isWord(tokens[k], 'FORMAT') && tokens[k + 1]?.value === '=') k += 3;
  return tokens.slice(k);
}

function classifyDrop(tokens: Token[]): Action {
  let k = 1;
  const temporary = isWord(tokens[k], 'TEMPORARY');
  if (temporary) k++;
  k = skipModifiers(tokens, k, ['ONLINE', 'OFFLINE', 'UNDO', 'AGGREGATE']);
  const kindToken = tokens[k];
  if (isWord(kindToken, 'PREPARE')) return { path: ['deallocate'] };
  const kind = kindToken?.type === 'word' ? kindToken.value : 'OBJECT';
  // DROP TEMPORARY TABLE can only drop the session's own temporary tables. LOGFILE GROUP, SPATIAL
  // REFERENCE SYSTEM, RESOURCE GROUP: the first word of the kind is enough.
  const path = [temporary ? 'drop-temporary' : 'drop', kind.toLowerCase()];
  const nameAt = skipIfExists(tokens, k + 1);
  if (kind === 'DATABASE' || kind === 'SCHEMA') return withDatabase({ path }, nameOf(tokens[nameAt]));
  return withDatabase({ path }, objectName(tokens, nameAt));
}

function classifyAlter(tokens: Token[]): Action[] {
  const k = skipModifiers(tokens, 1, ['ONLINE', 'OFFLINE', 'IGNORE']);
  if (isWord(tokens[k], 'EVENT') && tokens.some((t) => isWord(t, 'DO'))) return [{ path: ['create-routine'] }];
  if (!isWord(tokens[k], 'TABLE')) return [{ path: ['alter', (tokens[k]?.value ?? 'object').toLowerCase()] }];
  const table = objectName(tokens, skipIfExists(tokens, k + 1));
  const found = new Set<string>();
  let level = 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.value === '(') level++;
    else if (t.value === ')') level--;
    else if (level !== 0 || t.type !== 'word') continue;
    // ALTER COLUMN c DROP DEFAULT only forgets a default value.
    else if (t.value === 'DROP' && !isWord(tokens[j + 1], 'DEFAULT')) found.add('drop');
    else if (t.value === 'TRUNCATE' && isWord(tokens[j + 1], 'PARTITION')) found.add('truncate');
    else if (t.value === 'DISCARD') found.add('discard');
  }
  const actions = [...found].map((what) => withDatabase({ path: ['alter-table', what] }, table));
  return actions.length > 0 ? actions : [withDatabase({ path: ['alter-table'] }, table)];
}

function classifyCreate(tokens: Token[]): Action {
  let k = 1;
  const orReplace = isWord(tokens[k], 'OR') && isWord(tokens[k + 1], 'REPLACE');
  if (orReplace) k += 2;
  // CREATE [DEFINER = u@h] [ALGORITHM = …] [SQL SECURITY …] [TEMPORARY] [AGGREGATE] <kind>
  for (;;) {
    if (isWord(tokens[k], 'DEFINER', 'ALGORITHM')) {
      k += 2;
      while (tokens[k] && !(tokens[k].type === 'word' && /^(PROCEDURE|FUNCTION|TRIGGER|EVENT|VIEW|SQL|ALGORITHM|AGGREGATE|PACKAGE)$/.test(tokens[k].value))) k++;
    } else if (isWord(tokens[k], 'SQL') && isWord(tokens[k + 1], 'SECURITY')) {
      k += 3;
    } else if (isWord(tokens[k], 'TEMPORARY', 'AGGREGATE', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'ONLINE', 'OFFLINE')) {
      k++;
    } else {
      break;
    }
  }
  const kind = tokens[k]?.type === 'word' ? tokens[k].value : 'OBJECT';
  if (['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'PACKAGE'].includes(kind)) return { path: ['create-routine'] };
  if (orReplace && ['TABLE', 'DATABASE', 'SCHEMA', 'SEQUENCE'].includes(kind)) {
    const action = { path: ['create-or-replace', kind.toLowerCase()] };
    const nameAt = skipIfExists(tokens, k + 1);
    return kind === 'TABLE' || kind === 'SEQUENCE' ? withDatabase(action, objectName(tokens, nameAt)) : withDatabase(action, nameOf(tokens[nameAt]));
  }
  return { path: ['create', kind.toLowerCase()] };
}

/** PREPARE s FROM 'text' and EXECUTE IMMEDIATE 'text': the text is read; anything else cannot be. */
function classifyDynamic(tokens: Token[], at: number, escapes: boolean, depth: number): Action[] {
  const source = tokens[at];
  const literal = source?.type === 'string' && (tokens[at + 1] === undefined || tokens[at + 1].value === 'USING');
  if (!literal || depth > 4) return [{ path: ['prepare'] }];
  const inner = classifyStatement(source.value, escapes, depth + 1);
  return inner.length > 0 ? inner : [{ path: ['prepare'] }];
}

/** DELETE [LOW_PRIORITY] [QUICK] [IGNORE] [HISTORY] FROM t … or DELETE t1, t2 FROM …: where the table is. */
function deleteTarget(tokens: Token[]): number {
  const k = skipModifiers(tokens, 1, ['LOW_PRIORITY', 'QUICK', 'IGNORE', 'HISTORY']);
  return isWord(tokens[k], 'FROM') ? k + 1 : k;
}

function skipModifiers(tokens: Token[], k: number, words: string[]): number {
  while (isWord(tokens[k], ...words)) k++;
  return k;
}

function skipIfExists(tokens: Token[], k: number): number {
  if (isWord(tokens[k], 'IF') && isWord(tokens[k + 1], 'EXISTS')) return k + 2;
  if (isWord(tokens[k], 'IF') && isWord(tokens[k + 1], 'NOT') && isWord(tokens[k + 2], 'EXISTS')) return k + 3;
  return k;
}

function nameOf(token: Token | undefined): string | undefined {
  return token && (token.type === 'word' || token.type === 'ident') ? (token.type === 'word' ? token.value.toLowerCase() : token.value) : undefined;
}

/** The database qualifier of `db.table` at k, if any. */
function objectName(tokens: Token[], k: number): string | undefined {
  const first = tokens[k];
  const dot = tokens[k + 1];
  if (!first || (first.type !== 'word' && first.type !== 'ident') || dot?.value !== '.') return undefined;
  return first.type === 'ident' ? first.value : first.value.toLowerCase();
}

function withDatabase(action: Action, database: string | undefined): Action {
  return database ? { ...action, flags: { ...action.flags, '--database': database } } : action;
}

function withWhere(action: Action, tokens: Token[]): Action {
  const where = topLevelWhere(tokens);
  return where && !isTautology(where) ? { ...action, flags: { ...action.flags, '--where': '' } } : action;
}

/** The condition of the statement's own WHERE (not one in a subquery), up to ORDER BY, LIMIT or RETURNING. */
function topLevelWhere(tokens: Token[]): Token[] | undefined {
  let level = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.value === '(') level++;
    else if (t.value === ')') level--;
    else if (level === 0 && isWord(t, 'WHERE')) {
      const condition: Token[] = [];
      let inner = 0;
      for (let j = k + 1; j < tokens.length; j++) {
        const u = tokens[j];
        if (inner === 0 && (isWord(u, 'LIMIT', 'RETURNING') || (isWord(u, 'ORDER') && isWord(tokens[j + 1], 'BY')))) break;
        if (u.value === '(') inner++;
        if (u.value === ')') inner--;
        condition.push(u);
      }
      return condition;
    }
  }
  return undefined;
}

/** A condition true for every row: empty, TRUE, a non-zero number, `x = x`, or an OR with one of those. */
export function isTautology(condition: Token[]): boolean {
  const expr = stripParens(condition);
  if (expr.length === 0) return true;
  const ors = splitTopLevel(expr, (t) => isWord(t, 'OR') || t.value === '||');
  if (ors.length > 1) return ors.some(isTautology);
  const ands = splitTopLevel(expr, (t) => isWord(t, 'AND') || t.value === '&&');
  if (ands.length > 1) return ands.every(isTautology);
  if (expr.length === 1) return isWord(expr[0], 'TRUE') || (expr[0].type === 'number' && Number(expr[0].value) !== 0);
  if (isWord(expr[0], 'NOT') && expr.length === 2) return isWord(expr[1], 'FALSE') || (expr[1].type === 'number' && Number(expr[1].value) === 0);
  const sides = splitTopLevel(expr, (t) => t.value === '=' || t.value === '<=>');
  return sides.length === 2 && sides[0].length > 0 && same(stripParens(sides[0]), stripParens(sides[1]));
}

function stripParens(tokens: Token[]): Token[] {
  let out = tokens;
  while (out.length >= 2 && out[0].value === '(' && out.at(-1)!.value === ')' && closesAtEnd(out)) out = out.slice(1, -1);
  return out;
}

/** Whether the opening parenthesis at 0 closes at the last token (not `(a) = (b)`). */
function closesAtEnd(tokens: Token[]): boolean {
  let level = 0;
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k].value === '(') level++;
    if (tokens[k].value === ')') level--;
    if (level === 0) return k === tokens.length - 1;
  }
  return false;
}

function splitTopLevel(tokens: Token[], isSeparator: (t: Token) => boolean): Token[][] {
  const parts: Token[][] = [[]];
  let level = 0;
  for (const t of tokens) {
    if (t.value === '(') level++;
    if (t.value === ')') level--;
    if (level === 0 && t.type !== 'string' && isSeparator(t)) parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts;
}

function same(a: Token[], b: Token[]): boolean {
  return a.length === b.length && a.every((t, k) => t.type === b[k].type && t.value === b[k].value);
}

/** A statement as the commands rules read. `text` is what a human is shown. */
export function statementCommands(sql: string, options: { backslashInString?: boolean } = {}): Command[] {
  const actions = classifyStatement(sql);
  if (options.backslashInString) {
    // A server with NO_BACKSLASH_ESCAPES ends a string at the first quote after a backslash: read the
    // statement that way too, and keep whatever that reading adds.
    for (const piece of splitWithoutEscapes(sql)) actions.push(...classifyStatement(piece, false));
  }
  return dedupe(actions).map((action) => sqlCommand(action, sql));
}

/**
 * The statements after the first that a server without backslash escapes would see in `sql`, less
 * those whose leading word already says they are harmless (most of them, in a dump).
 */
function splitWithoutEscapes(sql: string): string[] {
  const pieces: string[] = [];
  const special = /['"`;]/g;
  let start = -1; // the start of the piece being read; -1 for the first, which is read already
  for (let m = special.exec(sql); ; m = special.exec(sql)) {
    if (!m || m[0] === ';') {
      const end = m ? m.index : sql.length;
      if (start !== -1 && !harmlessByLeadingWord(sql, start)) pieces.push(sql.slice(start, end));
      if (!m) break;
      start = m.index + 1;
      continue;
    }
    const close = sql.indexOf(m[0], m.index + 1); // no escapes: the next quote of the same kind ends it
    if (close === -1) {
      if (start !== -1 && !harmlessByLeadingWord(sql, start)) pieces.push(sql.slice(start));
      break;
    }
    special.lastIndex = close + 1;
  }
  return pieces.filter((p) => p.trim() !== '');
}

const leadingWordAt = /\s*([A-Za-z_]+)(?![\w$])/y;

function leadingWord(sql: string, at: number): string | undefined {
  leadingWordAt.lastIndex = at;
  return leadingWordAt.exec(sql)?.[1].toUpperCase();
}

function harmlessByLeadingWord(sql: string, at: number): boolean {
  const word = leadingWord(sql, at);
  return word !== undefined && readByLeadingWord.has(word);
}

function dedupe(actions: Action[]): Action[] {
  const seen = new Set<string>();
  return actions.filter((a) => {
    const key = JSON.stringify([a.path, a.flags ?? {}]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sqlCommand(action: Action, text: string): Command {
  return {
    path: ['sql', ...action.path],
    flags: new Map(Object.entries(action.flags ?? {}).map(([k, v]) => [k, [v]])),
    text: snippet(text),
  };
}

export function snippet(text: string): string {
  const flat = text.trim().slice(0, 1000).replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
