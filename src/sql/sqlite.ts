// Reading SQLite SQL (Cloudflare D1 through `wrangler d1 execute`, Turso's `turso db shell`) for what
// it does, as the commands rules.yaml matches: `sql drop table`, `sql delete` (with --where when a real
// WHERE clause exists), `sql alter-table drop`, `sql create-routine` (a trigger), `sql unreadable`.
//
// Why a lexer of its own: the PostgreSQL grammar rejects much of SQLite (`INSERT OR REPLACE`, `[ident]`),
// and MySQL's lexer reads some of it wrongly in the dangerous direction: a backslash does not escape a
// quote in SQLite (`'a\'; DROP TABLE t; --'` is a string, then a DROP), and `--` starts a comment even
// without a space after it (`DELETE FROM t --WHERE id = 1`). What decides whether a statement destroys
// something is the same in both (its leading words, the object it names, a top-level WHERE), so once
// the tokens are SQLite's, MySQL's classifier reads them (classifyTokens in src/sql/mysql.ts).
//
// SQLite's lexical rules (sqlite3GetToken in tokenize.c): strings in '…' ('' inside), identifiers in
// "…", `…` and […] (no escapes in brackets), `--` to the end of the line, `/* … */` (an unclosed one
// runs to the end), parameters ?NNN, :name, @name, $name, #name, blobs x'…'. Statements end at a `;`
// outside those, except inside CREATE TRIGGER … BEGIN … END. A string or identifier that never closes
// is unreadable: SQLite rejects it, and what ran before it did run.

import type { Command } from '../model.js';
import { classifyTokens, sqlCommand, type Action, type Token } from './mysql.js';

interface Statement {
  tokens: Token[];
  start: number;
  end: number;
}

/** Every statement of a script as commands; never throws (anything unexpected is `sql unreadable`). */
export function readSqlite(sql: string): Command[] {
  try {
    const { statements, unterminated } = splitStatements(sql);
    const commands: Command[] = [];
    for (const statement of statements) {
      const text = sql.slice(statement.start, statement.end);
      for (const action of classifySqlite(statement.tokens)) commands.push(sqlCommand(action, text));
    }
    if (unterminated !== undefined) {
      commands.push(sqlCommand({ path: ['unreadable'] }, `${sql.slice(unterminated)} (a string or identifier that never closes)`));
    }
    return commands;
  } catch (error) {
    return [sqlCommand({ path: ['unreadable'] }, `${sql} (${(error as Error).message})`)];
  }
}

/** SQLite's own statements, which MySQL's classifier does not know (it reads an unknown verb as unreadable). */
const sqliteVerbs: Record<string, string> = { PRAGMA: 'pragma', VACUUM: 'vacuum', ATTACH: 'attach', DETACH: 'detach', REINDEX: 'reindex', END: 'commit' };

function classifySqlite(tokens: Token[]): Action[] {
  if (tokens.length === 0) return [];
  const verb = tokens[0];
  if (verb.type === 'word' && Object.hasOwn(sqliteVerbs, verb.value)) return [{ path: [sqliteVerbs[verb.value]] }];
  return classifyTokens(tokens, false, 0);
}

const isWord = (t: Token | undefined, word: string) => t?.type === 'word' && t.value === word;

/** Whether a statement's first tokens are CREATE [TEMP|TEMPORARY] TRIGGER: its body holds `;`s. */
function isTrigger(tokens: Token[]): boolean {
  if (!isWord(tokens[0], 'CREATE')) return false;
  const kind = isWord(tokens[1], 'TEMPORARY') ? tokens[2] : tokens[1];
  return isWord(kind, 'TRIGGER');
}

export function splitStatements(sql: string): { statements: Statement[]; unterminated?: number } {
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let start = -1;
  const n = sql.length;
  let i = 0;
  const push = (token: Token, at: number) => {
    if (start === -1) start = at;
    tokens.push(token);
  };
  const close = (end: number) => {
    if (tokens.length > 0) statements.push({ tokens, start, end });
    tokens = [];
    start = -1;
  };
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === ';') {
      // Inside a trigger's BEGIN … END, a `;` ends a statement of the body, not the CREATE TRIGGER.
      const inBody = isTrigger(tokens) && tokens.some((t) => isWord(t, 'BEGIN')) && !isWord(tokens.at(-1), 'END');
      if (inBody) push({ type: 'punct', value: ';' }, i);
      else close(i);
      i++;
    } else if (c === "'" || c === '"' || c === '`' || c === '[' || ((c === 'x' || c === 'X') && sql[i + 1] === "'")) {
      const at = i;
      const open = c === 'x' || c === 'X' ? "'" : c;
      const from = open === c ? i : i + 1;
      const quoted = readQuoted(sql, from, open === '[' ? ']' : open);
      if (quoted === undefined) return { statements, unterminated: start === -1 ? at : start };
      push({ type: open === "'" ? 'string' : 'ident', value: quoted.value }, at);
      i = quoted.end;
    } else if ((c === '?' || c === ':' || c === '@' || c === '$' || c === '#') && (c === '?' || /[\w$\u0080-\uffff]/.test(sql[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[\w$\u0080-\uffff]/.test(sql[j])) j++;
      push({ type: 'variable', value: sql.slice(i, j) }, i);
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:0x[0-9a-f_]*|[0-9_]*\.?[0-9_]*(?:e[+-]?[0-9_]+)?)[\w$]*/i.exec(sql.slice(i, i + 256))!;
      const text = m[0] || c;
      push({ type: 'number', value: text.replace(/_/g, '') }, i);
      i += text.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i;
      while (j < n && /[\w$\u0080-\uffff]/.test(sql[j])) j++;
      const word = sql.slice(i, j).toUpperCase();
      push({ type: 'word', value: word === 'TEMP' ? 'TEMPORARY' : word }, i); // TEMP is TEMPORARY's other spelling
      i = j;
    } else {
      const op = /^(->>|->|<<|>>|<=|>=|==|!=|<>|\|\|)/.exec(sql.slice(i, i + 3));
      const value = op ? op[0] : c;
      push({ type: 'punct', value }, i);
      i += value.length;
    }
  }
  close(n);
  return { statements };
}

/** A quoted string or identifier from its opening character; undefined when it never closes. */
function readQuoted(sql: string, start: number, closer: string): { value: string; end: number } | undefined {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === closer && closer !== ']' && sql[i + 1] === closer) {
      value += closer;
      i += 2;
    } else if (c === closer) {
      return { value, end: i + 1 };
    } else {
      value += c;
      i++;
    }
  }
  return undefined;
}
