// The fast splitter: units and their suspicion, and the same answer however the bytes are chunked.

import { describe, expect, it } from 'vitest';
import { ScriptSplitter, type Unit } from '../../src/sql/split.js';
import { table } from '../helpers/cases.js';

function split(script: string, chunkSize = Infinity): string[] {
  const bytes = Buffer.from(script, 'utf8');
  const splitter = new ScriptSplitter();
  const units: Unit[] = [];
  for (let i = 0; i < bytes.length; i += Math.min(chunkSize, bytes.length)) {
    units.push(...splitter.feed(bytes.subarray(i, i + Math.min(chunkSize, bytes.length))));
  }
  units.push(...splitter.finish());
  return units.map((u) => {
    let text = '';
    let at = u.from;
    for (const [from, to] of u.cuts ?? []) {
      text += bytes.subarray(at, from).toString('utf8');
      at = to;
    }
    text += bytes.subarray(at, Math.max(at, u.to)).toString('utf8');
    const marks = `${u.suspicious ? '!' : ''}${u.problem ? '?' : ''}${u.shadow ? '~' : ''}`;
    return `${u.kind}${marks} ${text.trim()}`.trim();
  });
}

const cases: [string, string[]][] = [
  ['SELECT 1; SELECT 2;', ['sql SELECT 1;', 'sql SELECT 2;']],
  ['DROP TABLE t;', ['sql! DROP TABLE t;']],
  ['drop table t', ['sql! drop table t']],
  ["SELECT 'DROP TABLE x; DELETE';", ["sql SELECT 'DROP TABLE x; DELETE';"]],
  ["SELECT 'it''s; DROP';", ["sql SELECT 'it''s; DROP';"]],
  ["SELECT E'a\\'; DROP TABLE x'; SELECT 1;", ["sql SELECT E'a\\'; DROP TABLE x';", 'sql SELECT 1;']],
  ["SELECT 'a\\'; DROP TABLE x; --';", ["sql SELECT 'a\\';", "sql! DROP TABLE x;"]],
  ['SELECT "drop"; SELECT 1;', ['sql SELECT "drop";', 'sql SELECT 1;']],
  ['SELECT $$ DROP TABLE x; $$;', ['sql SELECT $$ DROP TABLE x; $$;']],
  ['SELECT $body$ ; DELETE $x$ $body$; TRUNCATE t;', ['sql SELECT $body$ ; DELETE $x$ $body$;', 'sql! TRUNCATE t;']],
  ['SELECT $1; DELETE FROM t;', ['sql SELECT $1;', 'sql! DELETE FROM t;']],
  ['SELECT 1 -- DROP TABLE x;\n; SELECT 2;', ['sql SELECT 1 -- DROP TABLE x;\n;', 'sql SELECT 2;']],
  ['/* DROP; /* nested; */ TRUNCATE */ SELECT 1;', ['sql /* DROP; /* nested; */ TRUNCATE */ SELECT 1;']],
  ['CREATE RULE r AS ON INSERT TO t DO (DELETE FROM u; INSERT INTO v VALUES (1));', ['sql! CREATE RULE r AS ON INSERT TO t DO (DELETE FROM u; INSERT INTO v VALUES (1));']],
  ['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING;', ['sql! INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING;']],
  ['\\dt\nSELECT 1;', ['meta! \\dt', 'sql SELECT 1;']],
  ['\\! rm -rf /\n', ['meta! \\! rm -rf /']],
  ['\\i other.sql\n', ['meta! \\i other.sql']],
  ['SELECT 1 \\gexec\n', ['sql SELECT 1', 'meta! \\gexec']],
  // psql's own lexer: the query buffer survives a meta-command; \\ ends one; \; joins statements
  ['DROP \\echo x\nTABLE t;', ['meta! \\echo x', 'sql! DROP TABLE t;']],
  ['\\echo a \\\\ DROP TABLE t;', ['meta! \\echo a', 'sql! DROP TABLE t;']],
  ["\\echo 'a \\\\ b' \\\\ SELECT 1;", ["meta! \\echo 'a \\\\ b'", 'sql SELECT 1;']],
  ['\\! echo \\\\ DROP TABLE t;\nSELECT 1;', ['meta! \\! echo \\\\ DROP TABLE t;', 'sql SELECT 1;']],
  ['\\echo a \\echo b\n', ['meta! \\echo a', 'meta! \\echo b']],
  ['SELECT 1 \\; SELECT 2;', ['sql! SELECT 1 ; SELECT 2;']],
  ['SELECT 1 \\g\nSELECT 2;', ['sql SELECT 1', 'meta! \\g', 'sql SELECT 2;']],
  // psql variables
  [':cmd;', ['sql! :cmd;']],
  ["SELECT :'v', :\"w\";", ["sql! SELECT :'v', :\"w\";"]],
  ['SELECT 1::int;', ['sql SELECT 1::int;']],
  // the server's lexer: $ continues an identifier; a long tag is still a tag
  ['SELECT 1 AS x$a$; DROP TABLE t; SELECT $a$ $a$;', ['sql SELECT 1 AS x$a$;', 'sql! DROP TABLE t;', 'sql SELECT $a$ $a$;']],
  [`SELECT $${'t'.repeat(80)}$ ' $${'t'.repeat(80)}$; DROP TABLE t; --'`, [`sql SELECT $${'t'.repeat(80)}$ ' $${'t'.repeat(80)}$;`, "sql! DROP TABLE t;"]],
  ["SET standard_conforming_strings = on; SELECT 'a\\b';", ['sql! SET standard_conforming_strings = on;', "sql SELECT 'a\\b';"]],
  ["SET standard_conforming_strings = off; SELECT 'a\\' , $$ ' ; DROP TABLE t; -- $$;", ['sql! SET standard_conforming_strings = off;', "sql!? SELECT 'a\\' , $$ ' ; DROP TABLE t; -- $$;"]],
  ["SELECT 'x' -- c\n/* a /* b */ ; DROP */ ;", ["sql SELECT 'x' -- c\n/* a /* b */ ; DROP */ ;"]],
  // COPY data is SQL too when the COPY fails
  ['COPY t (a, b) FROM stdin;\n1\tDROP TABLE x;\n2\t\';\n\\.\nDROP TABLE t;', ['sql COPY t (a, b) FROM stdin;', 'sql!~ 1\tDROP TABLE x;', 'copy-data', 'sql! DROP TABLE t;', "sql~ 2\t';\n\\.\nDROP TABLE t;"]],
  ["COPY t FROM stdin;\n'\n\\.\n' ; DROP TABLE t; --'\n", ['sql COPY t FROM stdin;', 'copy-data', "sql~ '\n\\.\n' ;", 'sql!~ DROP TABLE t;', "sql ' ; DROP TABLE t; --'"]],
  ['COPY t FROM stdin;\n1\t2\n\\.\nSELECT 1;', ['sql COPY t FROM stdin;', 'meta!~ \\.', 'copy-data', 'sql SELECT 1;', 'sql~ 1\t2\nSELECT 1;']],
  ['COPY t FROM PROGRAM \'rm -rf /\';', ["sql! COPY t FROM PROGRAM 'rm -rf /';"]],
  // The shadow stops where it ends a statement in the same state as the main reading (not only at a
  // chunk's end): SELECT 2 is read once. A later COPY gets a shadow of its own.
  ['COPY t FROM stdin;\n1\t2\n\\.\nSELECT 1;\nSELECT 2;', ['sql COPY t FROM stdin;', 'meta!~ \\.', 'copy-data', 'sql SELECT 1;', 'sql~ 1\t2\nSELECT 1;', 'sql SELECT 2;']],
  ['COPY t FROM stdin;\n1\n\\.\nSELECT 1;\nCOPY u FROM stdin;\nDROP TABLE x;\n2\n\\.\nSELECT 2;\nSELECT 3;', ['sql COPY t FROM stdin;', 'meta!~ \\.', 'copy-data', 'sql SELECT 1;', 'sql~ 1\nSELECT 1;', 'sql COPY u FROM stdin;', 'sql!~ DROP TABLE x;', 'meta!~ \\.', 'copy-data', 'sql SELECT 2;', 'sql~ 2\nSELECT 2;', 'sql SELECT 3;']],
  // A COPY while an earlier COPY's shadow still reads (here inside a string) gets a shadow of its own:
  // if the first COPY succeeds and the second fails, the DROP runs.
  ["COPY t FROM stdin;\n'\n\\.\nCOPY u FROM stdin;\nDROP TABLE x;\n\\.\n", ['sql COPY t FROM stdin;', 'copy-data', 'sql COPY u FROM stdin;', 'sql!~ DROP TABLE x;', 'meta!~ \\.', 'copy-data', "sql~ '\n\\.\nCOPY u FROM stdin;\nDROP TABLE x;\n\\."]],
  // …but not while the two readings differ on strings: the shadow saw standard_conforming_strings change.
  ["COPY t FROM stdin;\nSET standard_conforming_strings = off;\n\\.\nSELECT 1;\nSELECT 'a\\';\nDROP TABLE t; --';\n", ['sql COPY t FROM stdin;', 'sql!~ SET standard_conforming_strings = off;', 'meta!~ \\.', 'copy-data', 'sql SELECT 1;', 'sql~ SELECT 1;', "sql SELECT 'a\\';", "sql!?~ SELECT 'a\\';", 'sql! DROP TABLE t;', 'sql!?~ DROP TABLE t;']],
  ['UPDATE t SET a = 1 WHERE id = 2', ['sql! UPDATE t SET a = 1 WHERE id = 2']],
  ['SELECT \'unterminated; DROP', ["sql!? SELECT 'unterminated; DROP"]],
  ['SELECT $$ DROP', ['sql!? SELECT $$ DROP']],
  ['SELECT 1 /* open', ['sql!? SELECT 1 /* open']],
  ['  \n\n', []],
  ['SELECT dropped_at FROM truncated_log;', ['sql SELECT dropped_at FROM truncated_log;']],
  ['SELECT 1;\r\nDELETE FROM t;\r\n', ['sql SELECT 1;', 'sql! DELETE FROM t;']],
  ['SELECT \'ü\'; drop TABLE "é";', ["sql SELECT 'ü';", 'sql! drop TABLE "é";']],
];

describe('ScriptSplitter: units of a psql script', () => {
  table(([script]) => JSON.stringify(script), cases.map(([script, units]) => [[script, units], units] as [[string, string[]], string[]]), ([script]) => split(script));
});

describe('ScriptSplitter gives the same units however the stream is chunked', () => {
  for (const size of [1, 2, 3, 7]) {
    it(`in chunks of ${size} byte(s)`, () => {
      for (const [script, expected] of cases) expect(split(script, size), JSON.stringify(script)).toEqual(expected);
    });
  }
});
