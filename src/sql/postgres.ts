// Reading SQL with PostgreSQL's own grammar (libpg-query, loaded only when there is SQL to read).
// Each statement becomes a command path that rules.yaml can match: `sql drop table`, `sql truncate`,
// `sql delete` (with --where when it has a real WHERE clause), `sql alter-table drop`, `sql do`, …
// Statements nested in CTEs or EXPLAIN ANALYZE are found by walking the whole tree. Text that does
// not parse becomes `sql unreadable`: against a gated environment it is held, never allowed.

import type { Command } from '../model.js';

type Node = Record<string, unknown>;

/** The actions one piece of SQL asks for. */
export async function readSql(sql: string): Promise<Command[]> {
  if (sql.trim() === '') return [];
  // The parser reads a C string and would stop at a NUL; psql drops only the rest of that line.
  if (sql.includes('\0')) return [sqlCommand(['unreadable'], snippet(sql.replace(/\0/g, '\\0')), { reason: 'a NUL byte' })];
  const { parse } = await import('libpg-query');
  let tree: { stmts?: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = await parse(sql);
  } catch (error) {
    return [sqlCommand(['unreadable'], snippet(sql), { reason: (error as Error).message })];
  }
  const bytes = Buffer.from(sql, 'utf8');
  const commands: Command[] = [];
  for (const { stmt, stmt_location = 0, stmt_len } of tree.stmts ?? []) {
    const end = stmt_len === undefined || stmt_len === 0 ? bytes.length : stmt_location + stmt_len;
    const text = snippet(bytes.subarray(stmt_location, end).toString('utf8'));
    for (const action of actionsIn((stmt ?? {}) as Node)) commands.push(sqlCommand(action.path, text, action.flags));
  }
  return commands;
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

function classify(type: string, node: Node): Action | undefined {
  switch (type) {
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
      const drops = cmds.some((c) => /^AT_Drop/.test(String((c.AlterTableCmd as Node | undefined)?.subtype)));
      return drops ? { path: ['alter-table', 'drop'] } : undefined;
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
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Node)) {
    if (/^[A-Z]/.test(key) && child && typeof child === 'object' && !Array.isArray(child)) visit(key, child as Node);
    walk(child, visit);
  }
}

function statementWord(stmt: Node): string {
  const type = Object.keys(stmt)[0] ?? 'statement';
  return type.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
