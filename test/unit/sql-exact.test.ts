// The statements src/sql/exact.ts answers without the grammar get the grammar's own answer: the same
// actions, flags, text and offset, on every generated statement; near misses (a keyword for a name,
// a fourth dotted part, a comment, a quote, a WHERE, a second statement) are left to the grammar.
// And its keyword list is the grammar's: every word the grammar's scanner calls a keyword, and no other.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { exactStatements } from '../../src/sql/exact.js';
import { grammar, grammarStatements, readStatements } from '../../src/sql/postgres.js';
import { random } from '../helpers/random.js';

const require = createRequire(import.meta.url);

/** Every keyword of the grammar: the words of its WebAssembly binary that its scanner reads as keywords. */
async function grammarKeywords(): Promise<Set<string>> {
  const lib = require('libpg-query') as typeof import('libpg-query');
  await lib.loadModule();
  const binary = readFileSync(require.resolve('libpg-query/wasm/libpg-query.wasm'), 'latin1');
  const out = new Set<string>();
  for (const word of new Set(binary.match(/[a-z_]{2,40}/g))) {
    const tokens = lib.scanSync(word).tokens;
    if (tokens.length === 1 && tokens[0].keywordKind !== 0 && tokens[0].end - tokens[0].start === word.length) out.add(word);
  }
  return out;
}

const keywordSample = ['if', 'exists', 'cascade', 'restrict', 'table', 'only', 'from', 'where', 'select', 'int', 'user', 'current_user', 'concurrently', 'do', 'as', 'name', 'identity', 'restart', 'with', 'force'];
const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const plainNames = ['t', 'orders', 'T1', '_x', 'public', 'Items_2024', 'a', 'shop', 'drop_me', 'tbl'];

/** A statement close to one of exact.ts's shapes: often in them (`near` false), else just outside. */
function statement(r: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const near = r() < 0.5;
  const odd = () => near && r() < 0.3;
  const space = () => pick([' ', ' ', ' ', '  ', '\t', '\n', '\r\n', ...(odd() ? [' \f', '\v', '\u00a0'] : [])]);
  const word = () => (!odd() ? pick(plainNames) : r() < 0.6 ? pick(keywordSample) : pick(['"T"', '"select"', 'x$y', 'ü', '1t', 'U&"t"', '$1', 'e', 'tt\'x\'']));
  const dotted = () => Array.from({ length: 1 + Math.floor(r() * (odd() ? 5 : 3)) }, word).join(odd() ? pick(['.', ' . ', '..', ' .']) : '.');
  const list = () => Array.from({ length: 1 + Math.floor(r() * 3) }, dotted).join(pick([', ', ',', ' , ', ...(odd() ? [' ', ',,'] : [])]));
  const head = odd()
    ? pick(['DROP MATERIALIZED', 'DROP MATERIALIZED TABLE', 'DROP INDEX CONCURRENTLY', 'DROP FUNCTION', 'DROP USER MAPPING FOR', 'DROP GROUP', 'DROP FOREIGN TABLE', 'DROP TYPES', 'DROP TRIGGER', 'DROP OWNED BY', 'TRUNCATE ONLY', 'TRUNCATE TABLE ONLY', 'DELETE', 'DELETE FROM ONLY', 'DROP', 'DROP TABLES'])
    : pick(['DROP TABLE', 'drop table', 'Drop Table', 'DROP VIEW', 'DROP SEQUENCE', 'DROP INDEX', 'DROP SCHEMA', 'DROP DATABASE', 'TRUNCATE', 'truncate table', 'DELETE FROM', 'delete from', 'DROP MATERIALIZED VIEW', 'drop type', 'DROP DOMAIN', 'DROP EXTENSION', 'DROP ROLE', 'drop user']);
  const middle = r() < 0.25 ? `${pick(['IF EXISTS', 'if exists', 'IF  EXISTS', ...(odd() ? ['IF', 'EXISTS', 'IF NOT EXISTS'] : [])])}${space()}` : '';
  const tail = r() < 0.3 ? `${space()}${pick(['CASCADE', 'restrict', ...(odd() ? ['CASCADE CASCADE', 'WHERE id = 1', 'WHERE true', 'RESTART IDENTITY', 'WITH (FORCE)', 'AS x', 'x', '*', ', ', 'USING t2'] : [])])}` : '';
  const value = () => (odd()
    ? pick(['TRUE', 'Null', 'unknown', 'default', 'not null', 'true false', '1e3', '1_000', '1.5', '12abc', '-1', 'a', 'null', 'true', '1 + 1', '(1)', '99999999999999999999', '0x1f', "'it''s'", "'a\\b'", "E'x'", "e'\\n'", "U&'x'", "n'x'", "x'1f'", "b'101'", "'x' 'y'", "'x'\n'y'", "'x'::text", "'é'", "'tab\there'", "'new\nline'", "'unterminated", '$$x$$', "'x''", "''''", "'x'y", "1'x'"])
    : pick(['1', '42', '007', '123456789012345678', 'true', 'false', 'null', "'x'", "'a@b.example'", "''", "'drop table t; --'", "'/* no */'", "'$1 & (2) = [3]'", "' spaced  out '", "'DELETE'"]));
  const operator = () => (odd() ? pick([' == ', '=<', ' =- ', '<=>', ' ! ', '<>=', ' < > ', '=!', ' <-- ', '=/* */', ' ~ ', ' IS ', ' @> ', '= =']) : pick([' = ', '=', ' =', ' <> ', '!=', ' < ', '>', ' <= ', '>= ']));
  const compare = () => `${odd() ? pick(['1', 'id = id', 't.id', 's.t.id', 'a.b.c.d', 'id', 'x = 1 and y', "'x'", 'null']) : pick(['id', 'v', 't.id', 'Items_2024'])}${r() < 0.7 ? pick([' = ', '=']) : operator()}${value()}`;
  const column = () => (odd() ? pick(['1', "'x'", 'null', 'a.b.c', 'select', 'id = id']) : pick(['id', 'v', 't.id', 'Items_2024']));
  const test = () => (r() < 0.6 ? compare() : r() < 0.5
    ? `${column()}${pick([' IN ', ' in ', ...(odd() ? [' NOT IN ', ' IN', ' = ANY '] : [])])}${odd() ? pick(['()', '(1,)', '(select 1)', '1, 2', '((1))', '(1 2)', '(1, 2']) : `(${Array.from({ length: 1 + Math.floor(r() * 3) }, value).join(pick([', ', ',']))})`}`
    : `${column()}${odd() ? pick([' IS TRUE', ' IS NOT TRUE', ' IS DISTINCT FROM 1', ' ISNULL', ' NOTNULL', ' IS NOT', ' IS NULL NULL', ' IS NOT NOT NULL', ' IS UNKNOWN']) : pick([' IS NULL', ' is not null', ' IS  NOT\tNULL'])}`);
  const compares = () => Array.from({ length: 1 + Math.floor(r() * (r() < 0.7 ? 1 : 3)) }, test).join(odd() ? pick([' or ', ' and not ', ' and and ', ' AND ', ' && ', ',']) : pick([' and ', ' AND ', '\nand ']));
  const where = () => (r() < 0.6 ? `${space()}${odd() ? pick(['where', 'WHERE', 'WHERE NOT', 'where true and']) : pick(['WHERE', 'where'])}${space()}${compares()}${odd() ? pick([' and', ' and true', '']) : ''}` : '');
  if (r() < 0.4) {
    // DELETE, UPDATE, ALTER TABLE … DROP
    const target = dotted();
    const sets = () => Array.from({ length: 1 + Math.floor(r() * 3) }, () => `${odd() ? pick(['t.v', 'v.w', 'select']) : pick(['v', 'w', 'total'])}${pick([' = ', '='])}${value()}`).join(pick([', ', ',', ...(odd() ? [' ', ', ,'] : [])])) + (odd() ? pick([', w', ',', ', w =', ' w']) : '');
    const body = pick([
      () => `${odd() ? pick(['DELETE', 'DELETE FROM ONLY', 'delete from only']) : pick(['DELETE FROM', 'delete from'])}${space()}${target}${where()}`,
      () => `${pick(['UPDATE', 'update'])}${space()}${odd() ? pick(['ONLY ', '']) : ''}${target}${space()}${odd() ? pick(['SET', 'set (v) =', 'AS x SET']) : 'SET'}${space()}${sets()}${where()}`,
      () => `${odd() ? pick(['ALTER TABLE ONLY', 'ALTER TABLES', 'ALTER INDEX']) : pick(['ALTER TABLE', 'alter table', 'ALTER TABLE IF EXISTS'])}${space()}${target}${space()}${odd() ? pick(['DROP CONSTRAINT', 'DROP COLUMN IF', 'ADD COLUMN', 'DROP DEFAULT']) : pick(['DROP', 'DROP COLUMN', 'drop column if exists'])}${space()}${word()}${r() < 0.3 ? `${space()}${pick(['CASCADE', 'RESTRICT', ...(odd() ? ['CASCADE RESTRICT', ', DROP x'] : [])])}` : ''}`,
      () => `${odd() ? pick(['ALTER TABLE ONLY', 'ALTER VIEW']) : pick(['ALTER TABLE', 'alter table', 'ALTER TABLE IF EXISTS'])}${space()}${target}${space()}${odd() ? pick(['ADD CONSTRAINT', 'ADD COLUMN IF EXISTS', 'ADD IF NOT EXISTS COLUMN', 'ADD PRIMARY KEY', 'ADD COLUMN COLUMN']) : pick(['ADD', 'ADD COLUMN', 'add column if not exists', 'ADD IF NOT EXISTS'])}${space()}${word()}${space()}${odd() ? pick(['double precision', 'varchar(10)', 'int[]', 'int not null', 'int default 0', 'text primary key', 'serial8 references t', '', 'int, ADD COLUMN d int', 'select', 'character varying', 'timestamp with time zone', 'bit']) : pick(['int', 'integer', 'bigint', 'text', 'boolean', 'numeric', 'uuid', 'jsonb', 'timestamptz', 's.money_t'])}`,
    ])();
    // Words a shape takes before it fails, in front of another shape: no statement, for the grammar.
    const taken = odd() && r() < 0.3 ? pick(['UPDATE ', 'update t ', 'UPDATE t SET ', 'update t set v ', 'UPDATE t SET v = ', 'DELETE ', 'delete from ']) : '';
    return `${taken}${body}${pick(['', ';', ' ;', ';\n', ...(odd() ? [';;', '; SELECT 1', ' -- x'] : [])])}`;
  }
  if (r() < 0.2) {
    // DROP FUNCTION, PROCEDURE, ROUTINE, each name maybe with its argument types
    const type = () => (odd()
      ? pick(['double precision', 'varchar(10)', 'int[]', 'setof int', 'a.b%type', 'character varying', 'timestamp with time zone', 'json', 'select', 'float', 'decimal', 'char', 's.t.u', '*', '"t"', 'bit(1)', '1', 'double', 'time', 'bit', 'national', 'interval', 'varying'])
      : pick(['int', 'integer', 'bigint', 'smallint', 'real', 'boolean', 'numeric', 'text', 'uuid', 'jsonb', 's.money_t', 'orders', 'Items_2024']));
    const arg = () => `${r() < 0.3 ? `${odd() ? pick(['in ', 'out ', 'inout ', 'variadic ', 'text ', 'int ', 'select ', 'a.b ']) : pick(['a ', 'x ', 'Items_2024 '])}` : ''}${type()}${odd() ? pick([' default 1', ' = 1', ' x', '']) : ''}`;
    const args = () => (r() < 0.3 ? '' : `${odd() ? pick(['((', '( (', '(,']) : pick(['(', ' (', '( '])}${Array.from({ length: Math.floor(r() * 4) }, arg).join(pick([', ', ',', ' , ', ...(odd() ? [' ', ',,'] : [])]))}${odd() ? pick([',', '(', ')', '']) : ''}${odd() ? pick(['', ' (', '(int)']) : pick([')', ' )'])}`);
    const routine = () => `${dotted()}${args()}`;
    const routines = Array.from({ length: 1 + Math.floor(r() * 3) }, routine).join(pick([', ', ',', ...(odd() ? [' ', ',,'] : [])]));
    const what = odd() ? pick(['DROP AGGREGATE', 'DROP OPERATOR', 'DROP FUNCTIONS', 'DROP CAST', 'DROP TRIGGER']) : pick(['DROP FUNCTION', 'drop function', 'DROP PROCEDURE', 'drop routine', 'Drop Function']);
    return `${what}${space()}${middle}${routines}${tail}${pick(['', ';', ' ;', ';\n', ...(odd() ? [';;', '; SELECT 1', ' -- x', '()'] : [])])}`;
  }
  const lead = r() < 0.2 ? pick([' ', '\n', '  \t', ...(odd() ? ['-- c\n', '/* c */ ', ';'] : [])]) : '';
  const end = pick(['', ';', ' ;', ';\n', '; ', ...(odd() ? [';;', '; SELECT 1', ';\n-- done', ' -- x', '\\;', '; ;'] : [])]);
  return `${lead}${head}${space()}${middle}${list()}${tail}${end}`;
}

describe('exact statements (no grammar loaded)', () => {
  it('knows the grammar\'s keywords, every one', async () => {
    const fromGrammar = await grammarKeywords();
    expect(fromGrammar.size).toBeGreaterThan(450);
    for (const word of fromGrammar) expect(exactStatements(`DROP TABLE ${word}`), word).toBeUndefined();
    // And a word the scanner reads as a plain identifier is a name here.
    expect(exactStatements('DROP TABLE orders')).toEqual([{ path: ['drop', 'table'], start: 0, end: 17 }]);
  });

  it.each([
    ['drop table t', ['drop', 'table']],
    ['DROP TABLE IF EXISTS a, s.b, c.s.d CASCADE;', ['drop', 'table']],
    ['drop view v', ['drop', 'view']],
    ['drop schema a, b restrict', ['drop', 'schema']],
    ['drop database shop', ['drop', 'database']],
    ['truncate table a, b', ['truncate']],
    ['TRUNCATE orders', ['truncate']],
    ['delete from s.orders;', ['delete']],
    ['drop index i', ['drop', 'index']],
    ['drop sequence s', ['drop', 'sequence']],
    ['delete from t where id = 5', ['delete']],
    ['update s.t set v = 1, w = 2 where t.id = 3;', ['update']],
    ['update t set v = 1', ['update']],
    ["update users set email = 'a@b.example', nick = 'x;y' where id = 5", ['update']],
    ["delete from sessions where token = ''", ['delete']],
    ["delete from events where created_at < '2024-01-01' and kind <> 'audit'", ['delete']],
    ['update t set active = false, note = null where id >= 10 AND done = true', ['update']],
    ["delete from sessions where user_id in (1, 2, 3) and token is not null and kind in ('a')", ['delete']],
    ['alter table t add column c text', ['alter-table']],
    ['ALTER TABLE IF EXISTS s.t ADD IF NOT EXISTS c s.money_t', ['alter-table']],
    ['alter table t drop column if exists c cascade', ['alter-table', 'drop']],
    ['drop materialized view if exists s.mv cascade', ['drop', 'matview']],
    ['drop type s.mood, t2', ['drop', 'type']],
    ['drop extension if exists hstore', ['drop', 'extension']],
    ['drop user if exists alice, bob', ['drop', 'role']],
    ['drop role alice', ['drop', 'role']],
    ['drop function f()', ['drop', 'function']],
    ['DROP FUNCTION IF EXISTS s.f(int, text), g, h(a integer, b t), k(s.t) CASCADE;', ['drop', 'function']],
    ['drop procedure p(bigint)', ['drop', 'procedure']],
    ['drop routine r', ['drop', 'routine']],
  ])('%s: %j', (sql, path) => {
    expect(exactStatements(sql)?.map((st) => st.path)).toEqual([path]);
  });

  it.each([
    'drop table "t"', 'drop table t -- x', 'drop table /* x */ t', 'drop table t; select 1', 'drop table if exists',
    'delete from t where id = 1.5', 'delete from t x', 'delete from t where id = id', 'delete from t where 1 = 1', 'update t set v = 1, w',
    'update t set v = 1 where', 'delete from t where id = 1e3', 'update t set t.v = 1', 'alter table t drop constraint c', 'drop database d cascade', 'drop schema a.b', 'drop table a.b.c.d',
    'drop table t$', 'drop table ü', 'drop index concurrently i', 'truncate only t', 'drop table select', 'drop table t,',
    'DROP TABLE t\\;', 'select 1', '',
"delete from t where v = 'it''s'", "delete from t where v = E'x'", "update t set v = 'a\\b' where id = 1", "update t set v = 'x' 'y'", "delete from t where v = 'x'::text",
    "delete from t where v = 'é'", "update t set v = 'x", 'update t set v = $$x$$', "delete from t where 'x' = v", "delete from t where v = x'1f'",
    'delete from t where id in ()', 'delete from t where id in (1,)', 'delete from t where id in (select id from u)', 'delete from t where id not in (1)', 'delete from t where v is true',
    'delete from t where v isnull', 'delete from t where v is not', 'delete from t where null is null', 'delete from t where v = default', 'delete from t where v = not null', 'delete from t where v = unknown', 'delete from t where id =-1', 'delete from t where id < -1', 'delete from t where a = 1 or b = 2', 'delete from t where a = 1 and', 'delete from t where id =< 1',
    'alter table t add column c int not null', 'alter table t add column c varchar(10)', 'alter table t add constraint c check (x)', 'alter table t add c int, add d int',
    'drop materialized v', 'drop user mapping for alice server s', 'drop role alice cascade', 'drop role current_user', 'drop extension s.e', 'drop group g',
    'drop function f(', 'drop function f(int', 'drop function f((int)', 'drop function f(double)', 'drop function f(,)', 'drop function f(int,)', 'drop function f(double precision)', 'drop function f(varchar(10))',
    'drop function f(int[])', 'drop function f(in a int)', 'drop function f(a int default 1)', 'drop function f() ()', 'drop function f((int))',
    'drop aggregate a(int)', 'drop function f(a b c)', 'drop function f(text int)', 'drop function select()', 'drop function f(*)', 'drop table t()',
    'begin; drop table t;; commit', 'begin transaction; drop table t', 'drop table t; select 1', 'drop table t drop table u', ';',
    // Words a failed shape took are no prefix to skip: the rest is no statement of its own.
    'update alter table a add c int', 'UPDATE t SET a = ALTER TABLE b ADD c int', 'update t set a alter table b add c int', 'delete alter table a add column c text',
    'delete from alter table a add c int', 'update t alter table a drop c', 'delete alter table a drop column c', 'update t set alter table a drop c cascade',
  ])('leaves %j to the grammar', (sql) => {
    expect(exactStatements(sql)).toBeUndefined();
  });

  it('gives the grammar\'s answer on every generated statement it answers', async () => {
    const r = random(4242);
    let answered = 0;
    let declined = 0;
    let multiple = 0;
    const shapes = new Set<string>();
    for (let n = 0; n < 20000; n++) {
      // One statement, or a few (some inside BEGIN … COMMIT, some run together without their `;`).
      const several = () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => (r() < 0.2 ? pick(r, ['BEGIN;', 'commit;', 'ROLLBACK', 'begin work;', 'END;', ';']) : statement(r))).join(pick(r, ['\n', ' ', '']));
      const sql = r() < 0.3 ? several() : statement(r);
      const exact = exactStatements(sql);
      if (!exact) {
        declined++;
        continue;
      }
      answered++;
      if (exact.length > 1) multiple++;
      for (const st of exact) shapes.add([...st.path, ...Object.keys(st.flags ?? {})].join(' '));
      // What readStatements answers (without the grammar) is what the grammar answers, to the byte.
      expect(await readStatements(sql), JSON.stringify(sql)).toEqual(await grammarStatements(sql));
    }
    // The generator reaches every shape, and both sides of the line.
    expect([...shapes].sort()).toEqual(['alter-table', 'alter-table drop', 'delete', 'delete --where', 'drop database', 'drop domain', 'drop extension', 'drop function', 'drop index', 'drop matview', 'drop procedure', 'drop role', 'drop routine', 'drop schema', 'drop sequence', 'drop table', 'drop type', 'drop view', 'transaction', 'truncate', 'update', 'update --where']);
    expect(multiple).toBeGreaterThan(200);
    expect(answered).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(1000);
  });

  it('reads libpg-query\'s glue as the package\'s own parse() does: the same trees, the same errors', async () => {
    const lib = require('libpg-query') as typeof import('libpg-query');
    const r = random(77);
    const texts = [
      'select 1', 'DROP FUNCTION f()', "DO $$ BEGIN PERFORM 1; END $$", 'delete from t where', 'select * from', 'drop table "ü"; truncate x',
      "select 'é', $q$x$q$", 'SELECT 1;\nDELETE FROM t WHERE;', ...Array.from({ length: 200 }, () => statement(r)),
    ];
    const outcome = async (parse: (sql: string) => Promise<unknown>, sql: string) => {
      try {
        return { tree: await parse(sql) };
      } catch (error) {
        return { message: (error as Error).message, cursor: (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition };
      }
    };
    let errors = 0;
    for (const sql of texts) {
      const ours = await outcome(grammar().parse, sql);
      if ('message' in ours) errors++;
      expect(ours, JSON.stringify(sql)).toEqual(await outcome(lib.parse, sql));
    }
    expect(errors).toBeGreaterThan(5);
  });
});
