// Statements whose words alone fix what they do, answered without PostgreSQL's grammar: loading
// libpg-query (its glue, 1.7 MB of WebAssembly, and compiling the parser's functions on the first
// parse) costs ~25 ms and ~14 MiB, more than the rest of a refused `psql -c "drop table t"`.
//
// Only a few shapes, each a plain sequence of words: `DROP TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|INDEX|
// TYPE|DOMAIN [IF EXISTS] a[, s.b…] [CASCADE|RESTRICT]`, `DROP SCHEMA|EXTENSION [IF EXISTS] a[, b…]
// [CASCADE|RESTRICT]`, `DROP ROLE|USER [IF EXISTS] a[, b…]`, `DROP DATABASE [IF EXISTS] a`, `DROP FUNCTION|PROCEDURE|ROUTINE [IF EXISTS] [s.]f[(…)][, g…] [CASCADE|RESTRICT]`,
// `TRUNCATE [TABLE] a[, s.b…] [CASCADE|RESTRICT]`, `DELETE FROM [s.]a [WHERE …]`, `UPDATE [s.]a SET c =
// 1[, d = 2…] [WHERE …]`, `ALTER TABLE [IF EXISTS] a DROP [COLUMN] [IF EXISTS] c [CASCADE|RESTRICT]`,
// `ALTER TABLE [IF EXISTS] a ADD [COLUMN] [IF NOT EXISTS] c type`.
// A routine's arguments are each a type, or a parameter name and a type; a type is a name or one of a
// few built-in type words (`int`, `text`, …). Values are integers, plain strings (`'x'`, printable
// ASCII with no quote or backslash in it, so the same text whatever standard_conforming_strings says),
// true, false or null; a WHERE is one or more `column <op> value`, `column IN (value, …)` or `column IS
// [NOT] NULL` joined by AND (op one of = <> != < > <= >=): always a real WHERE (false for some row).
// Several such statements may follow each other, with a bare BEGIN, COMMIT or ROLLBACK among them.
// Names are unquoted ASCII words that are no keyword of any kind, so no word can be read two ways;
// no comment, `"`, `$`, `::`, parenthesis (but a routine's argument list) or empty statement. Anything
// else, however close, is undefined here and goes to the grammar, which stays the authority: a property
// test (test/unit/sql-exact.test.ts) checks that every statement answered here gets the grammar's own
// answer.

/** A statement's action, and where its text starts (its first word) and ends (before the `;`). */
export interface ExactStatement {
  path: string[];
  flags?: Record<string, string>;
  start: number;
  end: number;
}

/** DROP object types read here, each with how many dotted parts a name may have. */
const dropTypes: Record<string, { parts: number; list: boolean; behaviour: boolean; then?: string; path?: string }> = {
  table: { parts: 3, list: true, behaviour: true },
  view: { parts: 3, list: true, behaviour: true },
  materialized: { then: 'view', path: 'matview', parts: 3, list: true, behaviour: true },
  sequence: { parts: 3, list: true, behaviour: true },
  index: { parts: 3, list: true, behaviour: true },
  type: { parts: 3, list: true, behaviour: true },
  domain: { parts: 3, list: true, behaviour: true },
  schema: { parts: 1, list: true, behaviour: true },
  extension: { parts: 1, list: true, behaviour: true },
  database: { parts: 1, list: false, behaviour: false },
  role: { parts: 1, list: true, behaviour: false },
  user: { path: 'role', parts: 1, list: true, behaviour: false },
};

/** The comparisons a WHERE here may make. */
const comparisons = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

/** DROP of routines: each name may carry its argument types (the grammar's function_with_argtypes). */
const routineTypes = new Set(['function', 'procedure', 'routine']);

/**
 * Keywords that are a type by themselves in an argument list (the grammar's Numeric types, and `text`,
 * an unreserved keyword that is also a type name). Which argument types are named does not change the
 * action (`sql drop function`); they are read only so that the statement is one the grammar parses.
 */
const typeWords = new Set(['int', 'integer', 'bigint', 'smallint', 'real', 'boolean', 'numeric', 'text']);

/**
 * The statements of `sql` when each has one of the shapes above (or is a bare BEGIN, COMMIT or
 * ROLLBACK around them), in order; undefined otherwise.
 */
export function exactStatements(sql: string): ExactStatement[] | undefined {
  if (sql.length > 16384) return undefined;
  const out: ExactStatement[] = [];
  let words: string[] = [];
  let start = -1;
  // Words, integers that nothing continues (`1e3`, `1_000`, `1.5`, `12abc` are not), plain strings, `.`,
  // `,`, `=`, `(`, `)`. A string's `;` or `--` is the string's: it is one token.
  // A run of operator characters is one token, as PostgreSQL's scanner mostly reads it: only a run that
  // is exactly one of the comparisons below is read, so a run it would cut differently (`=-1`, `<--`)
  // is never taken for one.
  const token = /[ \t\r\n]+|[A-Za-z_][A-Za-z0-9_]*|[0-9]{1,18}(?![A-Za-z0-9_.$])|'[ -&(-[\]-~]*'|[<>=!~+\-*\/%^&|#@?`]+|[.,;()]|[^]/y;
  for (let m = token.exec(sql); m; m = token.exec(sql)) {
    const t = m[0];
    if (/^[ \t\r\n]+$/.test(t)) continue;
    if (t === ';') {
      const statement = words.length ? exactWords(words) : undefined; // an empty statement is the grammar's
      if (!statement) return undefined;
      out.push({ ...statement, start, end: m.index });
      words = [];
      start = -1;
    } else if (/^[A-Za-z_0-9.,()'<>=!~+\-*\/%^&|#@?`]/.test(t)) {
      if (start < 0) start = m.index; // the text is ASCII: characters are bytes
      words.push(t.toLowerCase());
    } else return undefined;
  }
  if (words.length) {
    // The last statement may go without its `;`.
    const statement = exactWords(words);
    if (!statement) return undefined;
    out.push({ ...statement, start, end: sql.length });
  }
  return out.length ? out : undefined;
}

/** One statement's words, when they have one of the shapes above. */
function exactWords(words: string[]): Omit<ExactStatement, 'start' | 'end'> | undefined {
  if (words.length === 1 && ['begin', 'commit', 'rollback'].includes(words[0])) return { path: ['transaction'] };
  let i = 0;
  const take = (word: string) => words[i] === word && ++i > 0;
  /** A name of up to `parts` dotted words. */
  const name = (parts: number) => {
    if (!isName(words[i])) return false;
    i++;
    for (let n = 1; n < parts && words[i] === '.' && isName(words[i + 1]); n++) i += 2;
    return true;
  };
  const names = (parts: number, list: boolean) => {
    if (!name(parts)) return false;
    while (list && words[i] === ',') {
      i++;
      if (!name(parts)) return false;
    }
    return true;
  };
  const ifExists = () => {
    if (words[i] === 'if' && words[i + 1] === 'exists') i += 2;
  };
  const behaviour = () => take('cascade') || take('restrict');
  /** `f`, `s.f`, `f()`, `f(int, s.t)`, `f(a int, b text)`: a routine and maybe its argument types. */
  const routine = () => {
    if (!name(3)) return false;
    if (!take('(')) return true;
    if (take(')')) return true;
    do {
      if (isName(words[i]) && (isName(words[i + 1]) || typeWords.has(words[i + 1])) && words[i + 2] !== '.') i++; // a parameter's name
      if (typeWords.has(words[i])) i++;
      else if (!name(2)) return false;
    } while (take(','));
    return take(')');
  };
  const routines = () => {
    if (!routine()) return false;
    while (take(',')) if (!routine()) return false;
    return true;
  };
  /** 42, 'x', true, false or null. */
  const value = () => (/^[0-9']/.test(words[i] ?? '') || ['true', 'false', 'null'].includes(words[i])) && ++i > 0;
  /** `name = 42`: a value in SET. */
  const assignment = (parts: number) => name(parts) && take('=') && value();
  /**
   * `name < 42`, `name = 'x'`, `name IN (1, 2)`, `name IS [NOT] NULL`: a test of a column is false for
   * some row (realWhere in postgres.ts).
   */
  const comparison = () => {
    if (!name(2)) return false;
    if (comparisons.has(words[i])) return ++i > 0 && value();
    if (take('in')) {
      if (!take('(') || !value()) return false;
      while (take(',')) if (!value()) return false;
      return take(')');
    }
    return take('is') && (take('not') || true) && take('null');
  };
  const where = (): Record<string, string> | undefined => {
    if (!take('where')) return {};
    let whole = comparison();
    while (whole && take('and')) whole = comparison();
    return whole ? { '--where': '' } : undefined;
  };

  let path: string[] | undefined;
  let flags: Record<string, string> | undefined = {};
  if (take('drop')) {
    const type = words[i];
    const shape = Object.hasOwn(dropTypes, type) ? dropTypes[type] : undefined;
    if (shape && (!shape.then || words[i + 1] === shape.then)) {
      i += shape.then ? 2 : 1;
      ifExists();
      if (names(shape.parts, shape.list)) {
        if (shape.behaviour) behaviour();
        path = ['drop', shape.path ?? type];
      }
    } else if (routineTypes.has(type)) {
      i++;
      ifExists();
      if (routines()) {
        behaviour();
        path = ['drop', type];
      }
    }
  } else if (take('truncate')) {
    take('table');
    if (names(3, true)) {
      behaviour();
      path = ['truncate'];
    }
  } else if (take('delete') && take('from') && name(3)) {
    flags = where();
    path = ['delete'];
  } else if (take('update') && name(3) && take('set') && assignment(1)) {
    let whole = true;
    while (whole && take(',')) whole = assignment(1);
    flags = whole ? where() : undefined;
    path = ['update'];
  } else if (i === 0 && take('alter') && take('table')) {
    // Only as the statement's first words: a branch above that took its words and then failed
    // (`UPDATE t SET a = ALTER TABLE b ADD c int`, `DELETE ALTER TABLE …`) leaves `i` past them, and the
    // rest must not be read as a statement of its own (the grammar: a syntax error, unreadable).
    ifExists();
    if (!name(3)) {
      // not one of the shapes
    } else if (take('add')) {
      // ADD [COLUMN] [IF NOT EXISTS] c type: nothing the rules gate (`sql alter-table`).
      take('column');
      if (words[i] === 'if' && words[i + 1] === 'not' && words[i + 2] === 'exists') i += 3;
      if (name(1) && (typeWords.has(words[i]) ? ++i > 0 : name(2))) path = ['alter-table'];
    } else if (take('drop')) {
      take('column');
      ifExists();
      if (name(1)) {
        behaviour();
        path = ['alter-table', 'drop'];
      }
    }
  }
  if (!path || !flags || i !== words.length) return undefined;
  return { path, ...(Object.keys(flags).length ? { flags } : {}) };
}

function isName(word: string | undefined): boolean {
  return word !== undefined && /^[a-z_]/.test(word) && !keywords.has(word);
}

/**
 * Every PostgreSQL keyword (reserved or not): a word that is one may be read as more than a name, so a
 * statement holding one goes to the grammar. The test checks this list against the grammar's scanner.
 */
const keywords = new Set(
  `
abort absent absolute access action add admin after aggregate all also alter always analyse analyze and
any array as asc asensitive assertion assignment asymmetric at atomic attach attribute authorization
backward before begin between bigint binary bit boolean both breadth by cache call called cascade
cascaded case cast catalog chain char character characteristics check checkpoint class close cluster
coalesce collate collation column columns comment comments commit committed compression concurrently
conditional configuration conflict connection constraint constraints content continue conversion copy
cost create cross csv cube current current_catalog current_date current_role current_schema current_time
current_timestamp current_user cursor cycle data database day deallocate dec decimal declare default
defaults deferrable deferred definer delete delimiter delimiters depends depth desc detach dictionary
disable discard distinct do document domain double drop each else empty enable encoding encrypted end
enforced enum error escape event except exclude excluding exclusive execute exists explain expression
extension external extract false family fetch filter finalize first float following for force foreign
format forward freeze from full function functions generated global grant granted greatest group
grouping groups handler having header hold hour identity if ilike immediate immutable implicit import in
include including increment indent index indexes inherit inherits initially inline inner inout input
insensitive insert instead int integer intersect interval into invoker is isnull isolation join json
json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize
json_table json_value keep key keys label language large last lateral leading leakproof least left level
like limit listen load local localtime localtimestamp location lock locked logged mapping match matched
materialized maxvalue merge merge_action method minute minvalue mode month move name names national
natural nchar nested new next nfc nfd nfkc nfkd no none normalize normalized not nothing notify notnull
nowait null nullif nulls numeric object objects of off offset oids old omit on only operator option
options or order ordinality others out outer over overlaps overlay overriding owned owner parallel
parameter parser partial partition passing password path period placing plan plans policy position
preceding precision prepare prepared preserve primary prior privileges procedural procedure procedures
program publication quote quotes range read real reassign recursive ref references referencing refresh
reindex relative release rename repeatable replace replica reset restart restrict return returning
returns revoke right role rollback rollup routine routines row rows rule savepoint scalar schema schemas
scroll search second security select sequence sequences serializable server session session_user set
setof sets share show similar simple skip smallint snapshot some source sql stable standalone start
statement statistics stdin stdout storage stored strict string strip subscription substring support
symmetric sysid system system_user table tables tablesample tablespace target temp template temporary
text then ties time timestamp to trailing transaction transform treat trigger trim true truncate trusted
type types uescape unbounded uncommitted unconditional unencrypted union unique unknown unlisten
unlogged until update user using vacuum valid validate validator value values varchar variadic varying
verbose version view views virtual volatile when where whitespace window with within without work
wrapper write xml xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi
xmlroot xmlserialize xmltable year yes zone`.split(/\s+/),
);
