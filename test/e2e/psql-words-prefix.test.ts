// The word reader (src/sql/exact.ts) answers only for whole statements of its shapes. A shape that took
// some words and then failed (`UPDATE t SET a = …`) once left the reader past them, and the rest
// (`ALTER TABLE b ADD c int`, a benign shape) was read as the statement: allowed against production,
// where the grammar finds no statement it can read (psql.sql.unreadable, refused to an agent).
// Through the built shim, with a recording double for psql that must not run when refused.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['psql']);
  sb.double('psql', { stdout: 'psql ran\n' });
});

const agent = { env: { CHAPERONE_ACTOR: 'agent' } };
const prod = ['-h', 'db.prod.example', 'shop'];
const dev = ['-h', '127.0.0.1', 'shop'];

describe('words a failed shape took are no prefix the reader skips', () => {
  it.each([
    'UPDATE t SET a = ALTER TABLE b ADD c int',
    'delete alter table a add column c text',
    'update alter table a add c int; update s.a set a = 1 where a = 1',
  ])('refuses %j against production to an agent, and psql does not run', async (sql) => {
    const result = await sb.run('psql', [...prod, '-c', sql], agent);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('psql.sql.unreadable');
    expect(sb.record('psql')).toBeUndefined();
  });

  it('runs the same against a development database, with a notice', async () => {
    const result = await sb.run('psql', [...dev, '-c', 'UPDATE t SET a = ALTER TABLE b ADD c int'], agent);
    expect(result.exitCode).toBe(0);
    expect(sb.record('psql')!.argv).toEqual([...dev, '-c', 'UPDATE t SET a = ALTER TABLE b ADD c int']);
  });

  it('still allows a real ALTER TABLE … ADD, alone or after a full UPDATE, against production', async () => {
    for (const sql of ['ALTER TABLE b ADD c int', 'UPDATE t SET a = 1 WHERE id = 2; ALTER TABLE b ADD COLUMN c text']) {
      const result = await sb.run('psql', [...prod, '-c', sql], agent);
      expect(result.exitCode, sql).toBe(0);
      expect(sb.record('psql')!.argv, sql).toEqual([...prod, '-c', sql]);
    }
  });
});
