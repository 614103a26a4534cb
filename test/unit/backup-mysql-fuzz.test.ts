// Property tests for the reader of what a MySQL statement destroys (src/backup/mysql.ts): on random
// token soups it never crashes (only a BackupError, which stops the command), and a statement that
// starts as a destroy always yields something to back up: never "nothing", which would let it run bare.

import { describe, expect, it } from 'vitest';
import { mysqlScopeOf } from '../../src/backup/mysql.js';
import { BackupError } from '../../src/backup/store.js';

const pieces = [
  ' ', 'orders', '`or``ders`', 'db', '.', ',', ';', '(', ')', "'", "''", '"', '\\', '#', '-- ', '\n', '/*', '*/', '/*!50001 ',
  'IF', 'EXISTS', 'FROM', 'JOIN', 'USING', 'WHERE', 'SET', 'ON', 'AS', 'x', '=', '1', '@v', 'ü', '\u0000', 'TABLE', 'LIMIT', 'SELECT',
];
const destroys = ['DROP TABLE ', 'DROP VIEW ', 'TRUNCATE ', 'DELETE FROM ', 'DELETE ', 'UPDATE ', 'ALTER TABLE ', 'CREATE OR REPLACE TABLE ', 'DROP DATABASE ', 'DROP PROCEDURE ', 'CALL ', 'DROP INDEX '];

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

function soup(next: () => number): string {
  let out = '';
  const n = Math.floor(next() * 20);
  for (let i = 0; i < n; i++) out += pieces[Math.floor(next() * pieces.length)];
  return out;
}

describe('what a MySQL statement destroys, on random statements', () => {
  it('never crashes, and a destroy always has something to back up', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const next = random(seed);
      const destroy = destroys[Math.floor(next() * destroys.length)];
      const text = `${destroy}${soup(next)}`;
      for (const current of ['shop', undefined]) {
        try {
          const scope = mysqlScopeOf([text], current, next() < 0.2 ? ['ledger'] : []);
          expect(scope, text).toBeDefined();
          expect(scope!.databases.length + scope!.tables.length, text).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof BackupError)) throw new Error(`${JSON.stringify(text)}: ${(error as Error).stack}`);
        }
      }
      // Anything at all: a scope, nothing, or a BackupError; never another error.
      try {
        mysqlScopeOf([soup(next)], 'shop');
      } catch (error) {
        if (!(error instanceof BackupError)) throw error;
      }
    }
  });
});
