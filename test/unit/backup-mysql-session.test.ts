// What a mysql script destroys after it changes database or connection (`use`, `\u`, `connect`, a
// `system mysql …` line): the mysql reader judges those statements as nested client calls against the
// new target, and the backup must still dump every database a destroy there may touch, or refuse.

import { describe, expect, it } from 'vitest';
import { mysqlBackupScope } from '../../src/backup/before-destroy.js';
import { evaluateLine } from '../helpers/evaluate.js';

const scopeOf = async (line: string) => {
  const scope = await mysqlBackupScope(await evaluateLine(line));
  return scope && { databases: [...scope.databases].sort(), tables: scope.tables.map((t) => `${t.schema}.${t.name}`).sort() };
};

describe('the backup of a mysql script that changes database', () => {
  it.each([
    // [line, whole databases, tables]
    [`mysql shop_prod -e 'DROP TABLE orders'`, [], ['shop_prod.orders']],
    [`mysql shop_dev -e 'USE shop_prod; DROP TABLE orders'`, ['shop_dev', 'shop_prod'], []],
    [`mariadb shop_dev -e 'use shop_prod; TRUNCATE orders'`, ['shop_dev', 'shop_prod'], []],
    [`mysql shop_dev -e '\\u shop_prod\nDELETE FROM orders'`, ['shop_dev', 'shop_prod'], []],
    [`mysql shop_dev -e 'connect shop_prod; DROP TABLE orders'`, ['shop_dev', 'shop_prod'], []],
    [`mysql -D shop_dev -e 'DROP TABLE a; USE shop_prod; DELETE FROM b'`, ['shop_dev', 'shop_prod'], []],
    [`mysql -e 'USE shop_prod; DROP TABLE orders'`, ['shop_prod'], []],
    [`mysql shop_dev -e 'USE shop_prod; DROP TABLE ledger.a; DROP TABLE ledger.b; DROP TABLE audit.c'`, [], ['audit.c', 'ledger.a', 'ledger.b']],
    [`mysql shop_dev -e 'USE shop_prod; DROP DATABASE ledger'`, ['ledger'], []],
    [`mysql shop_dev -e 'system mysql shop_prod -e "DROP TABLE orders"'`, ['shop_dev', 'shop_prod'], []],
  ])('%s', async (line, databases, tables) => {
    expect(await scopeOf(line)).toEqual({ databases, tables });
  });

  it('does not back up a script that connects to another server, and says why', async () => {
    await expect(scopeOf(`mysql -h db1.internal shop_dev -e 'connect shop_prod db2.internal; DROP TABLE orders'`)).rejects.toThrow(
      /`DROP TABLE orders` runs on another connection \(.*--host=db2.internal.*\) than the client starts with/,
    );
    await expect(scopeOf(`mysql -h db1.internal shop_dev -e 'system mysql -h db2.internal shop_prod -e "DROP TABLE orders"'`)).rejects.toThrow(/another connection/);
  });

  it('a benign script after USE needs no backup', async () => {
    expect(await scopeOf(`mysql shop_dev -e 'USE shop_prod; SELECT * FROM orders'`)).toBeUndefined();
  });
});
