// Reading SQL with PostgreSQL's own grammar (libpg-query, loaded only when there is SQL to read).
// Each statement becomes a command path that rules.yaml can match: `sql drop table`, `sql truncate`,
// `sql delete` (with --where when it has a real WHERE clause), `sql alter-table drop`, `sql do`, …
// Statements nested in CTEs or EXPLAIN ANALYZE are found by walking the whole tree. Text that does
// not parse becomes `sql unreadable`: against a gated environment it is held, never allowed.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../model.js';
import { exactStatements } from './exact.js';
import { glueFactory, setGrammarFlags, writeGlueCache } from './grammar-glue.js';

type Node = Record<string, unknown>;

/** A parse tree as libpg-query writes it (JSON of PostgreSQL's nodes). */
export interface ParseTree {
  stmts?: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[];
}

/** What libpg-query's Emscripten glue offers (the part of it used here). */
interface Glue {
  _malloc(size: number): number;
  _free(pointer: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, size: number): void;
  UTF8ToString(pointer: number): string;
  getValue(pointer: number, type: 'i32'): number;
  _wasm_parse_query_raw(pointer: number): number;
  _wasm_free_parse_result(pointer: number): void;
}

/**
 * PostgreSQL's grammar (libpg-query), loaded on the first SQL to read. Required, not imported: the
 * shim's bundle is CommonJS run from a code cache (src/start/code-cache.ts), where a dynamic import()
 * has no loader to go to.
 *
 * Its Emscripten glue is called directly, not through the package's index: the index loads the
 * type package beside it and starts the module at require time, through an asynchronous read and
 * compile, with the glue's in-memory file system set up for stdin/stdout nobody reads (~3 ms of a
 * refused call; BENCHMARKS.md). The 1.7 MB of WebAssembly is compiled by Liftoff, V8's baseline
 * compiler, alone: by default V8 also recompiles it with its optimising compiler on background
 * threads, which a short-lived process pays for on its way out (a refused `psql -c` took twice as
 * long), and which did not read a 40,000-statement script any faster here; it also keeps 30-40 MiB
 * less resident. Its functions are validated as they are first compiled (--wasm-lazy-validation: the
 * module is the package's own file, and a function that failed validation would throw, which reads
 * as SQL that does not parse, and is held), and the module's compile runs on this thread, which waits
 * for it anyway (--wasm-num-compilation-tasks=0): with both, a decision that loads the grammar peaks
 * at ~59.9 MiB instead of ~60.4 (the budget is 60; BENCHMARKS.md). The flags must be set before the
 * first WebAssembly compile of the process. The glue itself starts from a code cache (grammar-glue.ts).
 */
export function grammar(): { parse(sql: string): Promise<ParseTree> } {
  return { parse: parseTree };
}

let glue: Promise<Glue> | undefined;

/** The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

/** The glue, started; `dir` is where its copy and code cache are (beside this bundle). */
function loadGlue(require: NodeJS.Require, dir: string): Promise<Glue> {
  setGrammarFlags(require);
  const factory = glueFactory(require, dir) as (options: object) => Promise<Glue>;
  const wasm = require.resolve('libpg-query/wasm/libpg-query.wasm');
  return factory({
    noFSInit: true,
    // The module is compiled and instantiated here, synchronously, from the file as read: the glue's
    // own way copies the 1.7 MB twice more (into a Uint8Array, then into WebAssembly.instantiate's
    // buffer) and goes through a promise per step. A compile or instantiate that throws rejects the
    // glue's promise, and the SQL reads as unreadable (held).
    instantiateWasm(imports: object, receive: (instance: { exports: object }) => void) {
      const module = new WebAssembly.Module((require('node:fs') as typeof import('node:fs')).readFileSync(wasm));
      const instance = new WebAssembly.Instance(module, imports);
      receive(instance);
      return instance.exports;
    },
  });
}

/**
 * Writes the glue's copy and code cache beside the bundles in `dir` (dist/make-cache.cjs, after every
 * other cache: it sets the grammar's V8 flags), warmed by the parses a decision makes: statements
 * with their actions, and one that does not parse.
 */
export function writeGrammarCache(dir: string, require: NodeJS.Require): Promise<boolean> {
  return writeGlueCache(dir, require, async () => {
    glue ??= loadGlue(require, dir);
    const read = [
      ...(await grammarStatements("drop function f(double precision); delete from t where v = 'it''s'; select 1")),
      ...(await grammarStatements('select from from')),
    ].map((st) => st.commands.map((c) => c.path.slice(1).join(' ')).join());
    // A grammar that did not load reads everything as unreadable: a cache warmed so is worth nothing.
    if (read.join('; ') !== 'drop function; delete; select; unreadable') throw new Error(`libpg-query did not read the warm-up's SQL as it should: ${read.join('; ')}`);
  });
}

/**
 * The parse tree of `sql`, as libpg-query's own parse() reads it from the parser's result; a syntax
 * error throws with the parser's message and `sqlDetails.cursorPosition` (0-based), as parse() does.
 */
async function parseTree(sql: string): Promise<ParseTree> {
  // Beside this bundle: import.meta.dirname is Node 20.11's and the CommonJS bundles' __dirname.
  const g = await (glue ??= loadGlue(createRequire(import.meta.url), import.meta.dirname ?? dirname(fileURLToPath(import.meta.url))));
  const size = g.lengthBytesUTF8(sql) + 1;
  const input = g._malloc(size);
  let result = 0;
  try {
    g.stringToUTF8(sql, input, size);
    result = g._wasm_parse_query_raw(input);
    if (!result) throw new Error('the SQL parser could not allocate memory');
    // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error }
    const tree = g.getValue(result, 'i32');
    const error = g.getValue(result + 8, 'i32');
    if (error) {
      // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos }
      const message = g.getValue(error, 'i32');
      const cursor = g.getValue(error + 16, 'i32');
      throw Object.assign(new Error(message ? g.UTF8ToString(message) : 'unknown parser error'), { sqlDetails: { cursorPosition: cursor > 0 ? cursor - 1 : 0 } });
    }
    if (!tree) throw new Error('the SQL parser gave no parse tree');
    return JSON.parse(g.UTF8ToString(tree)) as ParseTree;
  } finally {
    g._free(input);
    if (result) g._wasm_free_parse_result(result);
  }
}

/** The actions one piece of SQL asks for. */
export async function readSql(sql: string): Promise<Command[]> {
  const statements = await readStatements(sql);
  return statements.flatMap((s) => s.commands);
}

/** Each statement of a piece of SQL with its byte offset and actions; one `unreadable` when it does not parse. */
export async function readStatements(sql: string): Promise<{ location: number; commands: Command[] }[]> {
  if (sql.trim() === '') return [];
  if (sql.includes('\u0000')) {
    // The grammar reads a C string: it would stop at the NUL and never see the rest.
    return [{ location: 0, commands: [sqlCommand(['unreadable'], `${snippet(sql.replace(/\u0000/g, '\\0'))} (a NUL byte)`, { reason: 'a NUL byte' })] }];
  }
  // `DROP TABLE t` and a few other shapes mean one thing whatever the grammar: it need not load (exact.ts).
  const exact = exactStatements(sql);
  if (exact) return exact.map((st) => ({ location: st.start, commands: [sqlCommand(st.path, snippet(sql.slice(st.start, st.end)), st.flags)] }));
  return grammarStatements(sql);
}

/** readStatements by the grammar alone (the authority exact.ts is tested against). */
export async function grammarStatements(sql: string): Promise<{ location: number; commands: Command[] }[]> {
  if (sql.trim() === '') return [];
  const { parse } = grammar();
  let tree: ParseTree;
  try {
    tree = await parse(sql);
  } catch (error) {
    // The parser's own words, and the line of the script text where it stopped.
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const line = cursor === undefined ? undefined : sql.slice(0, cursor).split('\n').length;
    const reason = `${(error as Error).message}${line === undefined ? '' : ` (line ${line} of the statement)`}`;
    return [{ location: 0, commands: [sqlCommand(['unreadable'], `${snippet(sql)} (${reason})`, { reason })] }];
  }
  const bytes = Buffer.from(sql, 'utf8');
  const out: { location: number; commands: Command[] }[] = [];
  for (const { stmt, stmt_location = 0, stmt_len } of tree.stmts ?? []) {
    const end = stmt_len === undefined || stmt_len === 0 ? bytes.length : stmt_location + stmt_len;
    const text = snippet(bytes.subarray(stmt_location, end).toString('utf8'));
    out.push({ location: stmt_location, commands: actionsIn((stmt ?? {}) as Node).map((action) => sqlCommand(action.path, text, action.flags)) });
  }
  return out;
}

function sqlCommand(path: string[], text: string, flags: Record<string, string> = {}): Command {
  return { path: ['sql', ...path], flags: new Map(Object.entries(flags).map(([k, v]) => [k, [v]])), text };
}

function snippet(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

interface Action {
  path: string[];
  flags?: Record<string, string>;
}

/** Every action in a statement, nested ones included. A plain SELECT gives `sql select`. */
function actionsIn(stmt: Node): Action[] {
  const found: Action[] = [];
  walk(stmt, (type, node) => {
    const action = classify(type, node);
    if (action) found.push(action);
  });
  if (found.length === 0) found.push({ path: [statementWord(stmt)] });
  return found;
}

/** Server functions that destroy or cut off something by themselves. */
const dangerousFunctions: Record<string, string[]> = {
  pg_terminate_backend: ['terminate-backend'],
  pg_cancel_backend: ['terminate-backend'],
  lo_unlink: ['lo-unlink'],
  dblink_exec: ['dblink'],
  pg_drop_replication_slot: ['drop', 'replication-slot'],
  pg_replication_origin_drop: ['drop', 'replication-origin'],
};
/** Words that make SQL handed to dblink() more than a read. */
const writeWords = /\b(drop|delete|update|truncate|alter|insert|merge|call|do|grant|revoke|create|copy|reassign|vacuum|cluster)\b/i;

function classify(type: string, node: Node): Action | undefined {
  switch (type) {
    case 'MergeStmt': {
      const kinds = ((node.mergeWhenClauses as Node[] | undefined) ?? []).map((c) => String((c.MergeWhenClause as Node | undefined)?.commandType ?? ''));
      if (kinds.includes('CMD_DELETE')) return { path: ['merge', 'delete'] };
      if (kinds.includes('CMD_UPDATE')) return { path: ['merge', 'update'], flags: realWhere(node.joinCondition) ? { '--where': '' } : {} };
      return undefined;
    }
    case 'CopyStmt':
      return node.is_program ? { path: ['copy-program'] } : undefined;
    case 'AlterSystemStmt':
      return { path: ['alter-system'] };
    case 'AlterRoleStmt':
      return { path: ['alter-role'] };
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return node.is_grant ? undefined : { path: ['revoke'] };
    case 'FuncCall': {
      const names = ((node.funcname as Node[] | undefined) ?? []).map((n) => String((n.String as Node | undefined)?.sval ?? '').toLowerCase());
      const name = names.at(-1) ?? '';
      if (dangerousFunctions[name]) return { path: dangerousFunctions[name] };
      if (name === 'dblink' || name === 'dblink_send_query') {
        // dblink(conn, sql) runs sql on another server: a read is a read, anything else is held.
        const args = (node.args as Node[] | undefined) ?? [];
        const texts = args.map((a) => ((a.A_Const as Node | undefined)?.sval as Node | undefined)?.sval).filter((t): t is string => typeof t === 'string');
        const sql = args.length >= 2 ? texts.at(-1) : texts[0];
        if (sql === undefined || writeWords.test(sql)) return { path: ['dblink'] };
      }
      return undefined;
    }
    case 'DropOwnedStmt':
      return { path: ['drop-owned'] };
    case 'ReassignOwnedStmt':
      return { path: ['reassign-owned'] };
    case 'DropdbStmt':
      return { path: ['drop', 'database'] };
    case 'DropStmt':
      return { path: ['drop', String(node.removeType ?? 'object').replace(/^OBJECT_/, '').toLowerCase()] };
    case 'TruncateStmt':
      return { path: ['truncate'] };
    case 'DeleteStmt':
      return { path: ['delete'], flags: realWhere(node.whereClause) ? { '--where': '' } : {} };
    case 'UpdateStmt':
      return { path: ['update'], flags: realWhere(node.whereClause) ? { '--where': '' } : {} };
    case 'AlterTableStmt': {
      const cmds = (node.cmds as Node[] | undefined) ?? [];
      const subtypes = cmds.map((c) => String((c.AlterTableCmd as Node | undefined)?.subtype));
      if (subtypes.some((t) => /^AT_Drop/.test(t))) return { path: ['alter-table', 'drop'] };
      if (subtypes.includes('AT_SetUnLogged')) return { path: ['alter-table', 'set-unlogged'] };
      // SET (autovacuum_enabled = false) and friends: the table stops being vacuumed (wraparound).
      if (subtypes.includes('AT_SetRelOptions') && /autovacuum_enabled/i.test(JSON.stringify(cmds))) return { path: ['alter-table', 'set-options'] };
      return undefined;
    }
    case 'DoStmt':
      return { path: ['do'] };
    case 'CallStmt':
      return { path: ['call'] };
    case 'CreateFunctionStmt':
      // Its body is a string chaperone does not read yet; calling it later could do anything.
      return { path: ['create-function'] };
    default:
      return /^Drop.*Stmt$/.test(type) ? { path: ['drop', type.replace(/^Drop|Stmt$/g, '').toLowerCase()] } : undefined;
  }
}

/** A WHERE clause that can be false for some row: not absent, not `true`, not `1 = 1`, not `x = x`. */
function realWhere(where: unknown): boolean {
  if (where === undefined || where === null) return false;
  const node = where as Node;
  const constant = node.A_Const as Node | undefined;
  if (constant?.boolval && (constant.boolval as Node).boolval === true) return false;
  const expr = node.A_Expr as Node | undefined;
  if (expr && expr.kind === 'AEXPR_OP') {
    const op = ((expr.name as Node[])?.[0]?.String as Node | undefined)?.sval;
    if (op === '=' && sameIgnoringLocation(expr.lexpr, expr.rexpr)) return false;
  }
  return true;
}

function sameIgnoringLocation(a: unknown, b: unknown): boolean {
  const strip = (value: unknown) => JSON.stringify(value, (key, v) => (key === 'location' ? undefined : v));
  return a !== undefined && strip(a) === strip(b);
}

function walk(value: unknown, visit: (type: string, node: Node) => void): void {
  // An explicit stack: a deeply nested expression cannot exhaust the call stack.
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    const entries = Object.entries(item as Node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      if (key === 'ExplainStmt' && !analyzes(child as Node)) continue; // EXPLAIN plans without running
      if (/^[A-Z]/.test(key) && child && typeof child === 'object' && !Array.isArray(child)) visit(key, child as Node);
      stack.push(child);
    }
  }
}

/** EXPLAIN ANALYZE (or `(ANALYZE)`, `(ANALYZE true)`) runs the statement it explains. */
function analyzes(explain: Node): boolean {
  return ((explain.options as Node[] | undefined) ?? []).some((o) => {
    const def = o.DefElem as Node | undefined;
    if (def?.defname !== 'analyze') return false;
    const arg = def.arg as Node | undefined;
    const value = (arg?.String as Node | undefined)?.sval ?? (arg?.Boolean as Node | undefined)?.boolval ?? ((arg?.Integer as Node | undefined)?.ival);
    return arg === undefined || !/^(false|off|0|no)$/i.test(String(value ?? 'true'));
  });
}

function statementWord(stmt: Node): string {
  const type = Object.keys(stmt)[0] ?? 'statement';
  return type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
