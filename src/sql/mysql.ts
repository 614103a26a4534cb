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

/**
 * Statements whose leading word is enough to know they destroy nothing (the bulk of a dump), unless
 * their text names one of the few things that make them more (see needsReading).
 */
const readByLeadingWord = new Set(['INSERT', 'SELECT', 'SET', 'LOCK', 'UNLOCK', 'SHOW', 'VALUES', 'COMMIT', 'ROLLBACK', 'START', 'SAVEPOINT', 'RELEASE', 'GRANT', 'FLUSH', 'REPLACE', 'DO', 'HANDLER', 'CHECKSUM', 'OPTIMIZE', 'REPAIR', 'CHECK', 'KILL', 'XA', 'INSTALL', 'UNINSTALL', 'HELP', 'CACHE', 'TABLE']);
/**
 * What a fast-path statement must be read for: SELECT (or TABLE, VALUES) … INTO OUTFILE/DUMPFILE writes a
 * server file; SET of a variable that keeps recovery possible, SET PASSWORD, and MariaDB's SET STATEMENT
 * … FOR <statement>, which runs the statement.
 */
const needsReading = /outfile|dumpfile|sql_log_bin|expire_logs|binlog_|flush_log_at|sync_binlog|doublewrite|password|statement/i;

/**
 * Verbs the server knows whose statements destroy nothing (or whose destructive forms are read below).
 * Any other verb is `unreadable`: a statement chaperone cannot name is never taken to be harmless.
 */
const knownVerbs = new Set([
  ...readByLeadingWord,
  'DESCRIBE', 'DESC', 'EXPLAIN', 'BEGIN', 'USE', 'DEALLOCATE', 'EXECUTE', 'ANALYZE', 'BACKUP', 'SIGNAL', 'RESIGNAL', 'GET',
  'CHANGE', 'STOP', 'IMPORT', 'DECLARE', 'OPEN', 'CLOSE', 'FETCH', 'LEAVE', 'ITERATE', 'RETURN', 'END', 'WAIT',
]);

/** Variables whose value keeps a crash or a point-in-time restore possible: anything but ON (1) turns that off. */
const recoveryVariables = new Set(['sql_log_bin', 'innodb_flush_log_at_trx_commit', 'sync_binlog', 'innodb_doublewrite']);
/** Variables that say how long binary logs are kept: changing them can purge the ones a restore needs. */
const retentionVariables = new Set(['binlog_expire_logs_seconds', 'expire_logs_days', 'binlog_expire_logs_auto_purge', 'max_binlog_total_size', 'binlog_space_limit']);

/** What one statement does: usually one action; PREPARE … FROM 'text' gives the actions of its text. */
export function classifyStatement(sql: string, backslashEscapes = true, depth = 0): Action[] {
  // A statement that starts with a plain word (no comment, quote or parenthesis before it) is what
  // that word says; only the words that can destroy something need the whole statement read.
  const word = leadingWord(sql, 0);
  if (word !== undefined && readByLeadingWord.has(word) && !needsReading.test(sql) && !topLevelSemicolon(sql, backslashEscapes)) return [{ path: [word.toLowerCase()] }];
  return classifyServerText(tokenize(sql, backslashEscapes), backslashEscapes, depth);
}

/**
 * Whether a `;` stands outside strings, identifiers and comments: a second statement. A dump's INSERT
 * with `;` in its data is scanned from quote to quote, not tokenized.
 */
export function topLevelSemicolon(sql: string, escapes: boolean): boolean {
  if (!sql.includes(';')) return false;
  const special = /['"`;#]|--|\*\/|\/\*/g; // `*/` first, as the tokenizer reads `*/*`
  let backslash = escapes ? sql.indexOf('\\') : -1;
  for (let m = special.exec(sql); m; m = special.exec(sql)) {
    const at = m.index;
    const c = m[0];
    if (c === ';') return true;
    if (c === '*/') continue;
    if (c === '#' || c === '--') {
      if (c === '--' && at + 2 < sql.length && !/\s/.test(sql[at + 2])) continue;
      const eol = sql.indexOf('\n', at);
      if (eol === -1) return false;
      special.lastIndex = eol + 1;
    } else if (c === '/*') {
      if (sql[at + 2] === '!' || (sql[at + 2] === 'M' && sql[at + 3] === '!')) continue; // code the server runs
      const end = sql.indexOf('*/', at + 2);
      if (end === -1) return false;
      special.lastIndex = end + 2;
    } else {
      let j = at + 1;
      for (;;) {
        const close = sql.indexOf(c, j);
        if (close === -1) return false;
        if (c !== '`' && backslash !== -1 && backslash < close) {
          if (backslash >= j) {
            j = backslash + 2;
            backslash = sql.indexOf('\\', j);
            continue;
          }
          backslash = sql.indexOf('\\', j);
          continue;
        }
        if (sql[close + 1] === c) {
          j = close + 2;
          continue;
        }
        special.lastIndex = close + 1;
        break;
      }
    }
  }
  return false;
}

/**
 * What the client sends at one delimiter can be several statements: it connects with
 * CLIENT_MULTI_STATEMENTS, so after `DELIMITER //` the text `SELECT 1; DROP TABLE t //` runs both. A
 * compound statement (a routine, trigger or event definition, BEGIN NOT ATOMIC) takes its `;`s into
 * its body, which is read to the end of the text: whatever follows the body counts as body too.
 */
function classifyServerText(tokens: Token[], escapes: boolean, depth: number): Action[] {
  const actions: Action[] = [];
  let rest = tokens;
  for (;;) {
    const end = rest.findIndex((t) => t.type === 'punct' && t.value === ';');
    if (end === -1 || isCompound(rest)) return [...actions, ...classifyTokens(rest, escapes, depth)];
    actions.push(...classifyTokens(rest.slice(0, end), escapes, depth));
    rest = rest.slice(end + 1);
  }
}

function isCompound(tokens: Token[]): boolean {
  const [verb, second, third] = tokens;
  if (isWord(verb, 'BEGIN')) return isWord(second, 'NOT') && isWord(third, 'ATOMIC');
  if (isWord(verb, 'ALTER')) return tokens.some((t) => isWord(t, 'EVENT'));
  if (!isWord(verb, 'CREATE')) return false;
  const kind = tokens.slice(1, 40).find((t) => isWord(t, 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'PACKAGE', 'TABLE', 'VIEW', 'INDEX', 'DATABASE', 'SCHEMA', 'USER', 'ROLE', 'SEQUENCE', 'SERVER'));
  return isWord(kind, 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'PACKAGE');
}

/** Whether a token is one of these keywords (words are upper case, as tokenize reads them). */
export const isWord = (t: Token | undefined, ...words: string[]) => t?.type === 'word' && words.includes(t.value);

/** What a statement's tokens do; also the SQLite reader's classifier (src/sql/sqlite.ts). */
export function classifyTokens(tokens: Token[], escapes: boolean, depth: number): Action[] {
  let i = 0;
  while (tokens[i]?.value === '(') i++; // (SELECT …) UNION …
  const verb = tokens[i];
  if (!verb) return [];
  if (verb.type !== 'word') return [{ path: ['unreadable'] }];
  const rest = tokens.slice(i);
  if (depth > 8) return [{ path: ['unreadable'] }];
  switch (verb.value) {
    case 'WITH':
      return classifyWith(rest, escapes, depth);
    case 'EXPLAIN':
    case 'DESCRIBE':
    case 'DESC': {
      // EXPLAIN ANALYZE (MySQL 8) runs the statement it explains; a plain EXPLAIN does not.
      const after = skipFormat(rest.slice(1));
      return isWord(after[0], 'ANALYZE') ? classifyTokens(skipFormat(after.slice(1)), escapes, depth + 1) : [{ path: ['explain'] }];
    }
    case 'ANALYZE':
      // MariaDB's ANALYZE <statement> runs it; ANALYZE TABLE only reads statistics.
      return isWord(rest[1], 'TABLE', 'TABLES', 'NO_WRITE_TO_BINLOG', 'LOCAL') ? [{ path: ['analyze'] }] : classifyTokens(skipFormat(rest.slice(1)), escapes, depth + 1);
    case 'SELECT':
    case 'TABLE':
    case 'VALUES':
      return [intoFile(rest) ?? { path: [verb.value.toLowerCase()] }];
    case 'SET':
      return classifySet(rest, escapes, depth);
    case 'DROP':
      return [classifyDrop(rest)];
    case 'TRUNCATE':
      return [withDatabase({ path: ['truncate'] }, objectName(rest, isWord(rest[1], 'TABLE') ? 2 : 1))];
    case 'DELETE':
      return [withDatabase(withWhere({ path: ['delete'] }, rest), objectName(rest, deleteTarget(rest)))];
    case 'UPDATE':
      return [withDatabase(withWhere({ path: ['update'] }, rest), objectName(rest, skipModifiers(rest, 1, ['LOW_PRIORITY', 'IGNORE'])))];
    case 'ALTER':
      return classifyAlter(rest, escapes, depth);
    case 'CREATE':
      return classifyCreate(rest, escapes, depth);
    case 'RENAME':
      // RENAME TABLE a TO b (or to other_db.b) leaves the data, but not where anything looks for it.
      return [{ path: ['rename', isWord(rest[1], 'USER') ? 'user' : 'table'] }];
    case 'REVOKE':
      return [{ path: ['revoke'] }];
    case 'LOAD':
      return [classifyLoad(rest)];
    case 'BINLOG':
      // BINLOG 'base64…' replays binary-log events: row changes nobody can read in the statement.
      return [{ path: ['binlog'] }];
    case 'CALL':
      return [{ path: ['call'] }];
    case 'PREPARE':
      return classifyDynamic(rest, rest.findIndex((t) => isWord(t, 'FROM')) + 1, escapes, depth);
    case 'EXECUTE':
      // EXECUTE stmt runs a statement PREPAREd in the same session, read when it was prepared.
      return isWord(rest[1], 'IMMEDIATE') ? classifyDynamic(rest, 2, escapes, depth) : [{ path: ['execute'] }];
    case 'BEGIN':
      // BEGIN NOT ATOMIC … END (MariaDB) runs a compound statement here and now: its body is read.
      return isWord(rest[1], 'NOT') && isWord(rest[2], 'ATOMIC') ? bodyActions(rest, 0, escapes, depth) : [{ path: ['begin'] }];
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
      return [{ path: knownVerbs.has(verb.value) ? [verb.value.toLowerCase()] : ['unreadable'] }];
  }
}

/** SELECT … INTO OUTFILE 'f' / INTO DUMPFILE 'f' writes a file on the database server. */
function intoFile(tokens: Token[]): Action | undefined {
  return tokens.some((t, k) => isWord(t, 'INTO') && isWord(tokens[k + 1], 'OUTFILE', 'DUMPFILE')) ? { path: ['write-file'] } : undefined;
}

/**
 * SET: assignments to variables; those that keep recovery possible are read. SET STATEMENT … FOR <stmt>
 * (MariaDB) runs the statement; SET PASSWORD changes an account's password.
 */
function classifySet(tokens: Token[], escapes: boolean, depth: number): Action[] {
  if (isWord(tokens[1], 'PASSWORD')) return [{ path: ['set-password'] }];
  const actions: Action[] = [];
  let assignments = tokens.slice(1);
  if (isWord(tokens[1], 'STATEMENT')) {
    const forAt = topLevelIndex(tokens, (t) => isWord(t, 'FOR'));
    if (forAt === -1) return [{ path: ['unreadable'] }];
    actions.push(...classifyTokens(tokens.slice(forAt + 1), escapes, depth + 1));
    assignments = tokens.slice(2, forAt);
  }
  for (const assignment of splitTopLevel(assignments, (t) => t.value === ',')) {
    let k = 0;
    while (isWord(assignment[k], 'GLOBAL', 'SESSION', 'LOCAL', 'PERSIST', 'PERSIST_ONLY')) k++;
    let name = assignment[k];
    if (name?.type === 'variable' && name.value.startsWith('@@')) {
      // @@global.name, @@name: the scope is noise here.
      const bare = name.value.slice(2).replace(/^(global|session|local|persist|persist_only)\./i, '');
      name = { type: 'word', value: bare.toUpperCase() };
    }
    if (!name || (name.type !== 'word' && name.type !== 'ident')) continue;
    const variable = name.value.toLowerCase();
    const value = assignment.slice(k + 2);
    const on = value.length === 1 && (isWord(value[0], 'ON', 'TRUE') || (value[0].type === 'number' && Number(value[0].value) === 1) || (value[0].type === 'string' && /^(on|1)$/i.test(value[0].value)));
    if (recoveryVariables.has(variable) && !on) actions.push({ path: ['set', 'recovery-off'] });
    if (retentionVariables.has(variable)) actions.push({ path: ['set', 'binlog-retention'] });
  }
  return actions.length > 0 ? actions : [{ path: ['set'] }];
}

function topLevelIndex(tokens: Token[], test: (t: Token) => boolean, from = 0): number {
  let level = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.value === '(') level++;
    else if (t.value === ')') level--;
    else if (level === 0 && test(t)) return k;
  }
  return -1;
}

/** LOAD DATA|XML … INFILE 'f' REPLACE INTO TABLE t overwrites every row whose key the file repeats. */
function classifyLoad(tokens: Token[]): Action {
  if (!isWord(tokens[1], 'DATA', 'XML')) return { path: ['load'] };
  const file = tokens.findIndex((t) => isWord(t, 'INFILE'));
  return file !== -1 && isWord(tokens[file + 2], 'REPLACE') ? { path: ['load', 'replace'] } : { path: ['load'] };
}

/** WITH cte AS (…) [, …] <statement>: the statement is the first top-level verb after the CTEs. */
function classifyWith(tokens: Token[], escapes: boolean, depth: number): Action[] {
  let level = 0;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.value === '(') level++;
    else if (t.value === ')') level--;
    else if (level === 0 && tokens[k - 1].value === ')' && isWord(t, 'SELECT', 'DELETE', 'UPDATE', 'INSERT', 'REPLACE', 'TABLE', 'VALUES')) {
      return classifyTokens(tokens.slice(k), escapes, depth + 1);
    }
  }
  return [intoFile(tokens) ?? { path: ['select'] }];
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

function classifyAlter(tokens: Token[], escapes: boolean, depth: number): Action[] {
  const k = skipModifiers(tokens, 1, ['ONLINE', 'OFFLINE', 'IGNORE']);
  if (isWord(tokens[k], 'EVENT')) {
    const body = tokens.findIndex((t) => isWord(t, 'DO'));
    return body === -1 ? [{ path: ['alter', 'event'] }] : bodyActions(tokens, body + 1, escapes, depth);
  }
  // ALTER INSTANCE DISABLE INNODB REDO_LOG (MySQL 8.0.21): a crash then loses the server's data.
  if (isWord(tokens[k], 'INSTANCE') && isWord(tokens[k + 1], 'DISABLE')) return [{ path: ['alter', 'instance', 'disable'] }];
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
    else if (t.value === 'RENAME') found.add('rename');
    // ENGINE = BLACKHOLE copies every row into an engine that keeps none.
    else if (t.value === 'ENGINE' && [tokens[j + 1], tokens[j + 2]].some((u) => u && /^blackhole$/i.test(u.value))) found.add('blackhole');
  }
  const actions = [...found].map((what) => withDatabase({ path: ['alter-table', what] }, table));
  return actions.length > 0 ? actions : [withDatabase({ path: ['alter-table'] }, table)];
}

function classifyCreate(tokens: Token[], escapes: boolean, depth: number): Action[] {
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
  if (['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT'].includes(kind)) {
    const body = routineBody(tokens, k, kind);
    return body === -1 ? [{ path: ['create-routine'] }] : bodyActions(tokens, body, escapes, depth);
  }
  if (kind === 'PACKAGE') return [{ path: ['create-routine'] }];
  if (orReplace && ['TABLE', 'DATABASE', 'SCHEMA', 'SEQUENCE'].includes(kind)) {
    const action = { path: ['create-or-replace', kind.toLowerCase()] };
    const nameAt = skipIfExists(tokens, k + 1);
    return [kind === 'TABLE' || kind === 'SEQUENCE' ? withDatabase(action, objectName(tokens, nameAt)) : withDatabase(action, nameOf(tokens[nameAt]))];
  }
  return [{ path: ['create', kind.toLowerCase()] }];
}

/**
 * Where the body of CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT starts, or -1 when the header does not read
 * as the manual writes it (then the routine is opaque). The body runs later: a trigger on every row
 * written, an event on its schedule, a function from any SELECT, a procedure on CALL.
 */
function routineBody(tokens: Token[], k: number, kind: string): number {
  if (kind === 'EVENT') {
    const at = tokens.findIndex((t, j) => j > k && isWord(t, 'DO'));
    return at === -1 ? -1 : at + 1;
  }
  if (kind === 'TRIGGER') {
    const at = tokens.findIndex((t, j) => j > k && isWord(t, 'EACH') && isWord(tokens[j + 1], 'ROW'));
    if (at === -1) return -1;
    return isWord(tokens[at + 2], 'FOLLOWS', 'PRECEDES') ? at + 4 : at + 2;
  }
  // PROCEDURE|FUNCTION [IF NOT EXISTS] name (params) [RETURNS type] [characteristics] body
  let j = tokens.findIndex((t, i) => i > k && t.value === '(');
  if (j === -1) return -1;
  j = afterParens(tokens, j);
  if (kind === 'FUNCTION') {
    if (!isWord(tokens[j], 'RETURNS')) return -1;
    j += 2; // the type's name
    if (tokens[j]?.value === '(') j = afterParens(tokens, j);
    for (;;) {
      if (isWord(tokens[j], 'UNSIGNED', 'SIGNED', 'ZEROFILL', 'BINARY', 'ASCII', 'UNICODE', 'BYTE')) j++;
      else if (isWord(tokens[j], 'CHARSET', 'COLLATE')) j += 2;
      else if (isWord(tokens[j], 'CHARACTER') && isWord(tokens[j + 1], 'SET')) j += 3;
      else break;
    }
  }
  for (;;) {
    if (isWord(tokens[j], 'COMMENT')) j += 2;
    else if (isWord(tokens[j], 'LANGUAGE')) j += 2;
    else if (isWord(tokens[j], 'DETERMINISTIC')) j++;
    else if (isWord(tokens[j], 'NOT') && isWord(tokens[j + 1], 'DETERMINISTIC')) j += 2;
    else if (isWord(tokens[j], 'CONTAINS', 'NO') && isWord(tokens[j + 1], 'SQL')) j += 2;
    else if (isWord(tokens[j], 'READS', 'MODIFIES') && isWord(tokens[j + 1], 'SQL') && isWord(tokens[j + 2], 'DATA')) j += 3;
    else if (isWord(tokens[j], 'SQL') && isWord(tokens[j + 1], 'SECURITY')) j += 3;
    else break;
  }
  return j < tokens.length ? j : -1;
}

function afterParens(tokens: Token[], open: number): number {
  let level = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j].value === '(') level++;
    else if (tokens[j].value === ')' && --level === 0) return j + 1;
  }
  return tokens.length;
}

/**
 * The actions of a compound body (BEGIN … END, IF … THEN …, loops, handlers), statement by statement.
 * Control words are stepped over; a statement they leave that reads as nothing known is unreadable, so
 * a body chaperone cannot follow is never harmless. A body that only reads and inserts is `routine`.
 */
function bodyActions(tokens: Token[], from: number, escapes: boolean, depth: number): Action[] {
  const actions: Action[] = [];
  for (const piece of splitTopLevel(tokens.slice(from), (t) => t.value === ';')) {
    let k = 0;
    for (let step = 0; k < piece.length && step < 64; step++) {
      const t = piece[k];
      if ((t.type === 'word' || t.type === 'ident') && piece[k + 1]?.value === ':' && !isWord(piece[k + 2], '=')) k += 2; // label:
      else if (isWord(t, 'BEGIN')) k += isWord(piece[k + 1], 'NOT') && isWord(piece[k + 2], 'ATOMIC') ? 3 : 1;
      else if (isWord(t, 'ELSE', 'LOOP', 'REPEAT')) k++;
      else if (isWord(t, 'CASE') && !isWord(piece[k + 1], 'WHEN')) k = nextWord(piece, k + 1, 'WHEN');
      else if (isWord(t, 'CASE')) k++;
      else if (isWord(t, 'IF', 'ELSEIF', 'WHEN')) k = nextWord(piece, k + 1, 'THEN') + 1;
      else if (isWord(t, 'WHILE', 'FOR')) k = nextWord(piece, k + 1, 'DO') + 1;
      else if (isWord(t, 'UNTIL')) k = piece.length; // UNTIL cond END REPEAT: a condition
      else if (isWord(t, 'END')) k += isWord(piece[k + 1], 'IF', 'LOOP', 'WHILE', 'REPEAT', 'CASE', 'FOR') || piece.length === k + 2 ? 2 : 1;
      else if (isWord(t, 'DECLARE') && piece.some((u) => isWord(u, 'HANDLER'))) k = handlerStatement(piece, k);
      else break;
    }
    const statement = piece.slice(k);
    if (statement.length === 0) continue;
    if (isWord(statement[0], 'DECLARE', 'OPEN', 'CLOSE', 'FETCH', 'LEAVE', 'ITERATE', 'RETURN')) continue; // RETURN's expression is a SELECT at most
    actions.push(...classifyTokens(statement, escapes, depth + 1));
  }
  const doing = actions.filter((a) => !['select', 'insert', 'replace', 'set', 'values', 'signal', 'resignal', 'get', 'begin', 'commit', 'rollback', 'start', 'savepoint', 'release', 'execute', 'deallocate', 'table', 'show', 'explain'].includes(a.path[0]) || a.path.length > 1);
  return doing.length > 0 ? doing : [{ path: ['routine'] }];
}

/** The index after `word` at the top level from k, or the end. */
function nextWord(tokens: Token[], k: number, word: string): number {
  const at = topLevelIndex(tokens, (t) => isWord(t, word), k);
  return at === -1 ? tokens.length : at;
}

/** DECLARE {CONTINUE|EXIT|UNDO} HANDLER FOR cond [, cond] <statement>: where the statement starts. */
function handlerStatement(tokens: Token[], k: number): number {
  let j = tokens.findIndex((t, i) => i > k && isWord(t, 'FOR'));
  if (j === -1) return tokens.length;
  j++;
  for (;;) {
    if (isWord(tokens[j], 'SQLEXCEPTION', 'SQLWARNING') || tokens[j]?.type === 'number') j++;
    else if (isWord(tokens[j], 'NOT') && isWord(tokens[j + 1], 'FOUND')) j += 2;
    else if (isWord(tokens[j], 'SQLSTATE')) j += isWord(tokens[j + 1], 'VALUE') ? 3 : 2;
    else if ((tokens[j]?.type === 'word' || tokens[j]?.type === 'ident') && (tokens[j + 1]?.value === ',' || (tokens[j + 1]?.type === 'word' && knownVerbs.has(tokens[j + 1].value)) || isWord(tokens[j + 1], 'DROP', 'DELETE', 'UPDATE', 'TRUNCATE', 'ALTER', 'CREATE', 'RENAME', 'CALL', 'PREPARE'))) j++;
    else break;
    if (tokens[j]?.value === ',') j++;
    else break;
  }
  return j;
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

/** The index after `IF EXISTS` or `IF NOT EXISTS` at k, or k. */
export function skipIfExists(tokens: Token[], k: number): number {
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
      if (start !== -1) pieces.push(sql.slice(start, end));
      if (!m) break;
      start = m.index + 1;
      continue;
    }
    const close = sql.indexOf(m[0], m.index + 1); // no escapes: the next quote of the same kind ends it
    if (close === -1) {
      if (start !== -1) pieces.push(sql.slice(start));
      break;
    }
    special.lastIndex = close + 1;
  }
  return pieces.filter((p) => p.trim() !== '' && !harmlessByLeadingWord(p));
}

const leadingWordAt = /\s*([A-Za-z_]+)(?![\w$])/y;

function leadingWord(sql: string, at: number): string | undefined {
  leadingWordAt.lastIndex = at;
  return leadingWordAt.exec(sql)?.[1].toUpperCase();
}

function harmlessByLeadingWord(sql: string): boolean {
  const word = leadingWord(sql, 0);
  return word !== undefined && readByLeadingWord.has(word) && !needsReading.test(sql);
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
