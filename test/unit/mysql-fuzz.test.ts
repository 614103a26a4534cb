// Property tests for the mysql client reader and classifier: random token soups (quotes, backticks,
// backslashes, comments and executable comments, DELIMITER, \g, \c, use, source, system, connect,
// compound statements, destructive words) split the same however they are chunked, are read without a
// crash, and a DROP the client would still send is never read as nothing.

import { describe, expect, it } from 'vitest';
import { MysqlScriptReader, type ScriptUnit } from '../../src/sql/mysql-script.js';
import { harmless, MysqlSession } from '../../src/sql/mysql-session.js';
import { classifyStatement, tokenize, topLevelSemicolon } from '../../src/sql/mysql.js';
import { evaluate } from '../../src/evaluate.js';
import { emptyHome } from '../helpers/evaluate.js';
import { tokenSoup } from '../helpers/random.js';

const tokens = [
  'SELECT', ' ', '1', ';', '\n', "'", "''", '"', '`', '\\', "\\'", '#', '-- ', '--', '/*', '*/', '/*!', '/*!50001 ',
  '/*M!100000 ', '(', ')', 'DROP TABLE t', 'DELETE FROM t', 'DELIMITER //\n', 'DELIMITER ;\n', 'delimiter $$ \n', '//',
  '$$', '\\g', '\\G', '\\c', 'use db\n', '\\u db_prod ', 'source /nonexistent/x.sql\n', '\\! ls\n', 'system ls\n',
  'connect db host\n', 'go\n', 'BEGIN NOT ATOMIC ', 'END', 'IF 1 THEN ', 'CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW ',
  'SET STATEMENT a=1 FOR ', "PREPARE s FROM '", 'EXECUTE IMMEDIATE ', 'SET sql_log_bin=', 'ü', '\u0000', '\r\n', '\t',
];

const soup = (seed: number): string => tokenSoup(tokens, seed, 40);

function units(bytes: Buffer, size: number): ScriptUnit[] {
  const reader = new MysqlScriptReader();
  const out: ScriptUnit[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...reader.push(bytes.subarray(i, i + size)));
  out.push(...reader.finish());
  return out;
}

/**
 * What never reaches the server: text after the client stops reading (`\q`, `quit`, `exit`), and text
 * inside a comment that never closes.
 */
const unsent = (text: string) => {
  if (/\\q|^\s*(quit|exit)\b/im.test(text)) return true;
  const reader = new MysqlScriptReader();
  reader.push(`${text}\n;\nDROP TABLE orders;\n`);
  reader.finish();
  return reader.inComment;
};

describe('the mysql reader on random scripts', () => {
  it('splits the same in chunks of 1, 2, 3 and 5 bytes as whole, offsets included', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = Buffer.from(soup(seed));
      const whole = units(bytes, bytes.length || 1);
      for (const size of [1, 2, 3, 5]) expect(units(bytes, size), `seed ${seed} size ${size}: ${JSON.stringify(bytes.toString())}`).toEqual(whole);
    }
  });

  it('reads every script without throwing, and finds a DROP the client would send', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = soup(seed);
      const session = new MysqlSession({ cwd: '/', env: {}, connection: [] });
      session.readScript([`${text}\n;\nDROP TABLE orders;\n`]);
      const { commands, nested } = session.take();
      // Whatever came before, the script ends in a DROP the client sends (at its `;`, at a changed
      // delimiter's end of input, or inside an unterminated string, which is unreadable), or judged
      // elsewhere after a use/connect: never nothing. (A DROP in a statement that something destructive
      // already stands in holds the statement as much.)
      const held = commands.some((c) => !harmless(c)) || nested.some((l) => l.argv !== undefined);
      if (!unsent(text)) expect(held, `seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
    }
  });

  it('classifies any statement text without throwing, and never as nothing when it has words', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = soup(seed);
      const actions = classifyStatement(text);
      for (const backslash of [true, false]) expect(() => classifyStatement(text, backslash)).not.toThrow();
      if (/^[A-Za-z]/.test(text.trim())) expect(actions.length, `seed ${seed}: ${JSON.stringify(text)}`).toBeGreaterThan(0);
    }
  });
});

describe("the dump fast path's scan for a second statement", () => {
  it('finds a top-level `;` exactly where the tokenizer does', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const text = `INSERT ${soup(seed)}`;
      for (const escapes of [true, false]) {
        const tokenized = tokenize(text, escapes).some((t) => t.type === 'punct' && t.value === ';');
        expect(topLevelSemicolon(text, escapes), `seed ${seed} escapes ${escapes}: ${JSON.stringify(text)}`).toBe(tokenized);
      }
    }
  });
});

describe('the whole pipeline on random scripts (no input crashes into an allow)', () => {
  it('refuses an agent every random script that ends in a DROP on production, or fails closed', async () => {
    for (let seed = 1; seed <= 120; seed++) {
      const text = soup(seed);
      if (unsent(text)) continue;
      const input = `${text}\n;\nDROP TABLE orders;\n`;
      const verdict = await evaluate(
        { tool: 'mysql', args: ['--no-defaults', '-h', 'db.prod.example', 'shop'], cwd: emptyHome, env: { HOME: emptyHome, CHAPERONE_ACTOR: 'agent' }, input },
        { terminal: () => false },
      ).then(
        (ev) => ev.decision.verdict,
        () => 'internal error (the shim fails closed)',
      );
      expect(verdict, `seed ${seed}: ${JSON.stringify(input)}`).not.toBe('allow');
    }
  });
});
