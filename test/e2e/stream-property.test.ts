// Property: no stream input crashes into passing a destructive unit. Random scripts (seeded token soups
// of quotes, comments, dollar tags, meta-commands, delimiters, COPY, destructive words) followed by a
// DROP that stands alone are piped into psql and mysql through the built shims, for an agent against
// production, with the read-ahead ending anywhere in them: the rest is then judged by the feeder beside
// the exec'd tool (src/shim/feed.ts), which derived the decision again. Whatever came before, the tool
// gets an unchanged prefix of the script that ends before the DROP, and a shortened one is reported.

import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { tokenSoup } from '../helpers/random.js';
import { MysqlScriptReader } from '../../src/sql/mysql-script.js';

const psqlTokens = [
  'SELECT', ' ', '1', ';', '\n', "'", "''", '"', '$$', '$a$', 'x$a$', 'E', '\\', '\\\\', '\\;', ':v', ":'v'",
  '--', '/*', '*/', '(', ')', 'DROP TABLE t', 'DELETE FROM t', '\\echo x', '\\set v 1', 'COPY t FROM stdin;\n',
  '\\.\n', '\\c db', '\\if x', '\\endif', 'ü', '\u0000', '\r\n', 'INSERT INTO t VALUES (1);\n',
];
const mysqlTokens = [
  'SELECT', ' ', '1', ';', '\n', "'", "''", '"', '`', '\\', "\\'", '#', '-- ', '--', '/*', '*/', '/*!', '/*!50001 ',
  '(', ')', 'DROP TABLE t', 'DELETE FROM t', 'DELIMITER //\n', 'DELIMITER ;\n', '//', '\\g', '\\G', 'use db\n',
  'BEGIN NOT ATOMIC ', 'END', "PREPARE s FROM '", 'ü', '\u0000', '\r\n', '\t', 'INSERT INTO t VALUES (1);\n',
];

const inserts = (n: number) => Array.from({ length: n }, (_, i) => `INSERT INTO t VALUES (${i});\n`).join('');
const seeds = Array.from({ length: 48 }, (_, i) => i + 1);

/** mysql: text after which the client never sends the DROP (a comment that never closes). */
const mysqlUnsent = (text: string) => {
  const reader = new MysqlScriptReader();
  reader.push(`${text}\n;\nDROP TABLE orders;\n`);
  reader.finish();
  return reader.inComment;
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await makeSandbox(['psql', 'mysql']);
  sb.double('psql');
  sb.double('mysql');
});

const cases = [
  { tool: 'psql', args: ['-h', 'db.prod.example', 'shop'], tokens: psqlTokens, skip: (soup: string) => soup.includes('COPY') },
  { tool: 'mysql', args: ['--no-defaults', '-h', 'db.prod.example', 'shop'], tokens: mysqlTokens, skip: mysqlUnsent },
];

describe.each(cases)('$tool: a random script, then a DROP, streamed past a read-ahead that ends anywhere', ({ tool, args, tokens, skip }) => {
  it('the tool gets an unchanged prefix that stops before the DROP; a shortened one is reported; nothing crashes', async () => {
    const violations: string[] = [];
    const seen = { refusedWhole: 0, stopped: 0, ranWhole: 0 };
    for (let i = 0; i < seeds.length; i += 4) {
      await Promise.all(
        seeds.slice(i, i + 4).map(async (seed) => {
          const soup = tokenSoup(tokens, seed, 40);
          const head = `${inserts(10)}${soup}\n;\n`;
          const script = Buffer.from(`${head}DROP TABLE orders;\n${inserts(3)}`);
          const dropAt = Buffer.byteLength(head);
          const readAhead = 1 + ((seed * 7919) % (script.length - 1));
          // Each seed in its own records directory: the calls run side by side.
          const records = join(sb.root, `records-${tool}-${seed}`);
          mkdirSync(records);
          const result = await sb.run(tool, args, { input: script, env: { CHAPERONE_ACTOR: 'agent', CHAPERONE_READ_AHEAD_BYTES: String(readAhead), RECORDS: records } });
          const where = `seed ${seed}, read-ahead ${readAhead}: ${JSON.stringify(soup)}`;
          const stderr = String(result.stderr);
          if (stderr.includes('internal error')) violations.push(`${where}: ${stderr}`);
          // 77: refused whole before the tool started (something in the head); else the tool's own 0.
          if (result.exitCode !== 0 && result.exitCode !== 77) violations.push(`${where}: exit ${result.exitCode}`);
          const got = recordOf(records, tool);
          if (result.exitCode === 77 && got !== undefined) violations.push(`${where}: 77, yet the tool ran`);
          if (got === undefined) return void seen.refusedWhole++;
          seen[got.length < script.length ? 'stopped' : 'ranWhole']++;
          if (!script.subarray(0, got.length).equals(got)) violations.push(`${where}: the bytes the tool got are not the script's`);
          if (got.length < script.length && !stderr.includes(`chaperone: stopped ${tool}'s input before statement`)) violations.push(`${where}: cut short without a word`);
          if (!skip(soup) && got.length > dropAt) violations.push(`${where}: the tool got the DROP (${got.length} > ${dropAt})`);
        }),
      );
    }
    expect(violations).toEqual([]);
    // Most seeds reach the feeder and are stopped there (77 with a record would be a Node parent's, above).
    expect(seen.stopped, JSON.stringify(seen)).toBeGreaterThan(seeds.length / 2);
  }, 240_000);
});

function recordOf(records: string, tool: string): Buffer | undefined {
  const file = join(records, tool, 'stdin');
  return existsSync(file) ? readFileSync(file) : undefined;
}
