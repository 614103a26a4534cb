// psql scripts read the way psql runs them (issue 9): variables, psql's own lexer rules, the server's
// lexer rules, COPY data that a failed COPY turns into SQL, \c to another target, and what runs a shell.
// Each row: a script on stdin of `psql -h db.prod.example shop` (or the line given), and the rules it
// triggers. A benign spelling of the same route sits next to each destructive one.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

const prod = 'psql -X -h db.prod.example shop';
const rules = async (script: string, line = prod, env: NodeJS.ProcessEnv = {}) =>
  (await evaluateLine(line, env, emptyHome, script)).findings.map((f) => f.rule).join(' ');

describe('psql variables', () => {
  table((row) => JSON.stringify(row), [
    ["\\set t orders\nDROP TABLE :t;", 'psql.sql.drop'],
    ["\\set cmd 'DROP TABLE orders'\n:cmd;", 'psql.sql.drop'],
    ["\\set a 'DROP TABLE' \\set b orders\n:a :b;", 'psql.sql.drop'],
    ["\\set cmd 'SELECT 1'\n:cmd;", ''],
    ["\\set t orders\nSELECT * FROM :\"t\";", ''],
    ["\\set t orders\nDROP TABLE :\"t\";", 'psql.sql.drop'],
    ["SELECT 'DROP TABLE orders' AS cmd \\gset\n:cmd;", 'psql.sql.unreadable'],
    ["SELECT 'x' AS v \\gset\nSELECT :'v';", ''],
    ["SELECT 'DROP' AS p_a \\gset p_\n:p_a TABLE t;", 'psql.sql.unreadable'],
    ["\\set cmd 'DROP TABLE orders'\n\\unset cmd\nSELECT 1;", ''],
    ["\\prompt 'name? ' cmd\n:cmd;", 'psql.sql.unreadable'],
    ["\\set q ''''\n:q ; ' ; DROP TABLE t; ' ;", 'psql.sql.unreadable'],
    ["\\set q '''\n:q ; ' ; DROP TABLE t; ' ;", ''],
    ["\\set x '\\\\! dropdb shop'\n:x\n", 'psql.sql.unreadable'],
    ["\\set inner 'TABLE orders'\n\\set outer 'DROP :inner'\n:outer;", 'psql.sql.drop'],
    ["\\if :{?debug}\n\\set cmd 'SELECT 1'\n\\else\n\\set cmd 'DROP TABLE orders'\n\\endif\n:cmd;", 'psql.sql.unreadable'],
    ["\\if false\nDROP TABLE orders;\n\\endif", 'psql.sql.drop'],
    ['SELECT 1::int, :undefined_var_is_left_alone;', 'psql.sql.unreadable'],
  ], (script) => rules(script));

  it('takes -v and --set from the command line', async () => {
    expect(await rules(':cmd;', `${prod} -v cmd=DROP\\ TABLE\\ orders`)).toBe('psql.sql.drop');
    expect(await rules('DELETE FROM :t;', `${prod} --set=t=orders`)).toBe('psql.sql.delete-all');
    expect(await rules('SELECT :n;', `${prod} -v n=1`)).toBe('');
  });

  it('reads -c as the server gets it: no psql variables, no meta-commands after SQL', async () => {
    expect(await rules('', `${prod} -v t=orders -c "SELECT 1"`)).toBe('');
    expect(await rules('', `${prod} -c "\\\\set x 1 \\\\\\\\ DROP TABLE t"`)).toBe('');
    expect(await rules('', `${prod} -c "SELECT 1 \\\\; DROP TABLE t"`)).toBe('psql.sql.unreadable');
  });
});

describe("psql's own lexer rules", () => {
  table((row) => JSON.stringify(row), [
    ['SELECT 1 \\; DROP TABLE orders;', 'psql.sql.drop'],
    ['\\echo hi \\\\ DROP TABLE orders;', 'psql.sql.drop'],
    ["\\echo 'a \\\\ DROP TABLE orders'\nSELECT 1;", ''],
    ['DROP \\echo x\nTABLE orders;', 'psql.sql.drop'],
    ['DELETE FROM orders \\g', 'psql.sql.delete-all'],
    ['SELECT 1 \\g', ''],
    ['SELECT format($$DROP TABLE %I$$, tablename) FROM pg_tables \\gexec', 'psql.sql.opaque'],
  ], (script) => rules(script));
});

describe("the server's lexer rules", () => {
  const tag = 'x'.repeat(70);
  table((row) => JSON.stringify(row), [
    ['SELECT 1 AS x$a$; DROP TABLE orders; SELECT $a$ $a$;', 'psql.sql.drop'],
    [`SELECT $${tag}$ ' $${tag}$; DROP TABLE orders; --'`, 'psql.sql.drop'],
    ["SELECT E'\\''; DROP TABLE orders; --';", 'psql.sql.drop'],
    ["SELECT E'\\'; DROP TABLE orders; --';", ''],
    ["SET standard_conforming_strings = off;\nSELECT 'a\\' , $$ ' ; DROP TABLE orders; -- $$;", 'psql.sql.unreadable'],
    ["SET standard_conforming_strings = on;\nSELECT 'C:\\path';", ''],
    ["SELECT set_config('standard_conforming_strings', 'off', false);\nSELECT 'a\\';", 'psql.sql.unreadable'],
    ['/* a /* nested */ still comment ; DROP TABLE orders; */ SELECT 1;', ''],
    ["SELECT 'unterminated", 'psql.sql.unreadable'],
    ['SELECT $$ unterminated', 'psql.sql.unreadable'],
    ['SELECT 1 /* unterminated', 'psql.sql.unreadable'],
    ['DROP TABL orders;', 'psql.sql.unreadable'],
    // statements of one shape are parsed once; equal numbers stay apart from different ones
    ['DELETE FROM orders WHERE 1 = 2;\nDELETE FROM orders WHERE 3 = 3;', 'psql.sql.delete-all'],
    ['DELETE FROM orders WHERE id = 1;\nDELETE FROM orders WHERE id = 2;\nDELETE FROM orders WHERE 2 = 2;', 'psql.sql.delete-all'],
    ['DELETE FROM t1 WHERE id = 1;\nDELETE FROM t2 WHERE id = 2;', ''],
  ], (script) => rules(script));

  it("says the parser's message and line", async () => {
    const ev = await evaluateLine(prod, {}, emptyHome, 'SELECT 1;\nDELETE\nFROM orders WHERE WHERE;');
    expect(ev.findings[0].text).toMatch(/syntax error at or near "WHERE" \(line 2 of the statement\)/);
  });
});

describe('COPY … FROM STDIN that fails: psql reads the data as SQL', () => {
  table((row) => JSON.stringify(row), [
    ['COPY missing FROM stdin;\nDROP TABLE orders;\n\\.\n', 'psql.sql.drop'],
    ["COPY missing FROM stdin;\n'\n\\.\n' ; DROP TABLE orders; --'\n", 'psql.sql.drop'],
    ['COPY orders FROM stdin;\n1\tit was dropped\n2\tupdated\n\\.\nSELECT 1;\n', ''],
    ["COPY orders FROM stdin;\n1\tO'Brien\n\\.\nSELECT 'x';\n", ''],
  ], (script) => rules(script));
});

describe('COPY with ON_ERROR_STOP on: a failed COPY stops psql, so its data is only data', () => {
  it('holds SQL-looking data without it, and lets it through with -v ON_ERROR_STOP=1', async () => {
    const script = 'COPY missing FROM stdin;\nDROP TABLE orders;\n\\.\n';
    expect(await rules(script)).toBe('psql.sql.drop');
    expect(await rules(script, `${prod} -v ON_ERROR_STOP=1`)).toBe('');
    expect(await rules(`\\set ON_ERROR_STOP off\n${script}`, `${prod} -v ON_ERROR_STOP=1`)).toBe('psql.sql.drop');
  });
});

describe('\\c: what follows runs against the new target', () => {
  const dev = 'psql -X -h 127.0.0.1 shop_dev';
  it('judges statements after \\c against the new database', async () => {
    const ev = await evaluateLine(dev, {}, emptyHome, 'SELECT 1;\n\\c shop_prod\nDROP TABLE orders;\n');
    expect(ev.findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
    expect(ev.target?.class).toBe('production');
    expect(ev.findings[0].text).toContain('\\c shop_prod');
  });
  it('with a connection string and with \\connect to another host', async () => {
    const a = await evaluateLine(dev, {}, emptyHome, '\\connect host=db.prod.example dbname=shop\nTRUNCATE orders;\n');
    expect(a.target?.class).toBe('production');
    const b = await evaluateLine(dev, {}, emptyHome, '\\c - - db.prod.example\nDELETE FROM orders;\n');
    expect(b.target?.class).toBe('production');
    expect(b.decision.verdict).toBe('deny');
  });
  it('a destructive statement before \\c stays on the first target; benign ones after it change nothing', async () => {
    const ev = await evaluateLine(dev, {}, emptyHome, 'DROP TABLE scratch;\n\\c shop_prod\nSELECT 1;\n');
    expect(ev.target?.class).toBe('development');
    expect(ev.decision.verdict).toBe('allow');
  });
  it('back to production from production, and into development', async () => {
    const ev = await evaluateLine(prod, {}, emptyHome, '\\c -reuse-previous=on shop_dev - 127.0.0.1\nDROP TABLE t;\n');
    expect(ev.target?.class).toBe('development');
    const unknown = await evaluateLine(dev, {}, emptyHome, 'SELECT \'x\' AS db \\gset\n\\c :db\nDROP TABLE t;\n');
    expect(unknown.findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
    expect(unknown.target?.class).toBe('unknown');
    const benign = await evaluateLine(dev, {}, emptyHome, 'SELECT \'x\' AS db \\gset\n\\c :db\nSELECT 1;\n');
    expect(benign.decision.verdict).toBe('allow');
  });
  it('once strings are ambiguous, a \\c may hide in them: what follows is judged against an unknown target', async () => {
    // Found by the differential test (seed 90634): the \c after an ambiguous string was not followed.
    const script = "SET standard_conforming_strings = off;\nSELECT 'a\\' , $$ ' ; SELECT 1; -- $$;\nSET standard_conforming_strings = on;\n\\c shop_prod\nDO $$ BEGIN DELETE FROM items; END $$;\n";
    const ev = await evaluateLine(dev, { CHAPERONE_ACTOR: 'agent' }, emptyHome, script);
    expect(ev.decision.verdict).toBe('deny');
    expect(['unknown', 'production']).toContain(ev.target?.class);
  });
});

describe('what runs a shell, judged as a line', () => {
  table((row) => JSON.stringify(row), [
    ['\\! dropdb -h db.prod.example shop\n', 'dropdb'],
    ['\\! ls -l\n', ''],
    ['\\o | psql -h db.prod.example -c "DROP TABLE orders"\nSELECT 1;\n', 'psql.sql.drop'],
    ['\\set x `dropdb shop`\n', 'dropdb'],
    ["\\copy orders from program 'dropdb shop'\n", 'dropdb'],
    ['\\copy (DELETE FROM orders RETURNING *) to out.csv\n', 'psql.sql.delete-all'],
    ['\\copy orders to out.csv\n', ''],
  ], (script) => rules(script));
});

describe('includes', () => {
  const dir = join(emptyHome, 'script-includes');
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vars.sql'), "\\set cmd 'DROP TABLE orders'\n");
    writeFileSync(join(dir, 'main.sql'), '\\ir vars.sql\n:cmd;\n');
  });
  it('variables set in an included file are seen after it', async () => {
    expect((await evaluateLine(`${prod} -f main.sql`, {}, dir)).findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
  });
});
