// The approval store's transactions: a refused call is one of them, and a store that did not change is
// not written again (the file, its inode and its bytes stay as they were).

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxRoots } from '../helpers/sandbox.js';
import { approve, findRequest, listApprovals, requestUnlessApproved, storePath, takeOrRequestApproval } from '../../src/approval/store.js';

const details = () => ({
  command: 'railway volume delete --volume pg',
  cwd: '/srv/shop',
  rules: ['railway.volume.delete'],
  environment: { name: 'production', class: 'production', evidence: ['flag --environment = production'] },
  confirmWord: 'production',
});

function freshEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'chaperone-store-'));
  sandboxRoots.push(home); // removed when the file is done (test/helpers/cleanup.ts)
  return { HOME: home, CHAPERONE_TEST_ACCOUNT_HOME: home };
}

let codes = 0;
const newCode = () => `AAA-${String(++codes).padStart(3, '0')}`;

describe('approval store', () => {
  it('a refusal makes one request, then finds the same one without writing the store again', () => {
    const env = freshEnv();
    const first = takeOrRequestApproval(env, 'b1', details, newCode);
    expect('request' in first && first.request.status).toBe('pending');
    const path = storePath(env);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [inode, bytes] = [statSync(path).ino, readFileSync(path, 'utf8')];
    let asked = 0;
    const again = takeOrRequestApproval(env, 'b1', () => (asked++, details()), newCode);
    expect('request' in again && again.request.code).toBe('request' in first && first.request.code);
    // The details of a request are only worked out when one is made.
    expect(asked).toBe(0);
    expect(statSync(path).ino).toBe(inode);
    expect(readFileSync(path, 'utf8')).toBe(bytes);
  });

  it('takes an approval given for the action once, in the same transaction, then asks again', () => {
    const env = freshEnv();
    const first = takeOrRequestApproval(env, 'b2', details, newCode);
    const code = 'request' in first ? first.request.code : '';
    expect(approve(env, code, 15)?.status).toBe('approved');
    const used = takeOrRequestApproval(env, 'b2', details, newCode);
    expect('used' in used && used.used.code).toBe(code);
    expect(findRequest(env, code)?.status).toBe('used');
    const next = takeOrRequestApproval(env, 'b2', details, newCode);
    expect('request' in next && next.request.code).not.toBe(code);
  });

  it('the hook leaves an approval for the shim, and asks when there is none', () => {
    const env = freshEnv();
    const request = requestUnlessApproved(env, 'b3', details, newCode);
    expect(request?.status).toBe('pending');
    approve(env, request!.code, 15);
    expect(requestUnlessApproved(env, 'b3', details, newCode)).toBeUndefined();
    expect(findRequest(env, request!.code)?.status).toBe('approved');
  });

  it('writes back what expired even when nothing else changed, and drops records older than a week', () => {
    const env = freshEnv();
    takeOrRequestApproval(env, 'b4', details, newCode);
    const path = storePath(env);
    const store = JSON.parse(readFileSync(path, 'utf8'));
    const old = { ...store.approvals[0], code: 'OLD-001', binding: 'old', requestedAt: new Date(Date.now() - 8 * 86_400_000).toISOString() };
    store.approvals[0].expiresAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(path, JSON.stringify({ approvals: [old, ...store.approvals] }));
    expect(listApprovals(env).map((r) => [r.binding, r.status])).toEqual([['b4', 'expired']]);
    // Written as read: one record a line, still JSON.
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text).approvals).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.includes('"binding"'))).toHaveLength(1);
  });

  describe('a refusal on a store in its line form (one record a line) reads only the records it can touch', () => {
    /** A store as a week of refusals leaves it: `count` records of other actions, used or expired, the oldest eight days old. */
    const weekOf = (env: NodeJS.ProcessEnv, count: number) => {
      const now = Date.now();
      const records = Array.from({ length: count }, (_, i) => ({
        ...details(),
        command: `railway volume delete --volume "pg-${i}" \u00e9`,
        code: `OLD-${String(i).padStart(3, '0')}`,
        binding: `other-${i}`,
        status: i % 2 ? 'used' : 'expired',
        requestedAt: new Date(now - ((i + 0.5) / count) * 8 * 86_400_000).toISOString(),
        expiresAt: new Date(now - ((i + 0.5) / count) * 8 * 86_400_000 + 60_000).toISOString(),
      }));
      writeFileSync(storePath(env), `{"approvals":[\n${records.reverse().map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`);
      return records;
    };

    it('keeps the records it did not need byte for byte, drops those older than a week, and adds its request', () => {
      const env = freshEnv();
      takeOrRequestApproval(env, 'seed', details, newCode); // makes the directory
      const records = weekOf(env, 40);
      const before = readFileSync(storePath(env), 'utf8').split('\n').map((l) => l.replace(/,$/, ''));
      const made = takeOrRequestApproval(env, 'mine', details, newCode);
      const after = readFileSync(storePath(env), 'utf8');
      const within = records.filter((r) => Date.parse(r.requestedAt) > Date.now() - 7 * 86_400_000);
      expect(within.length).toBeGreaterThan(20);
      expect(within.length).toBeLessThan(40);
      // Each record kept is its line as it was; the new request comes last.
      const lines = after.split('\n').map((l) => l.replace(/,$/, ''));
      for (const r of within) expect(lines).toContain(before.find((l) => l.includes(`"code":"${r.code}"`)));
      expect(JSON.parse(after).approvals.map((r: { code: string }) => r.code)).toEqual([...within.map((r) => r.code), 'request' in made && made.request.code]);
      // The same as the whole store read and written by the other transactions.
      expect(listApprovals(env).map((r) => r.code)).toEqual(JSON.parse(after).approvals.map((r: { code: string }) => r.code));
    });

    it('marks a pending request of another action expired, takes its own approval, and never reuses a code it did not parse', () => {
      const env = freshEnv();
      const other = takeOrRequestApproval(env, 'other', details, newCode);
      const mine = takeOrRequestApproval(env, 'mine', details, newCode);
      const path = storePath(env);
      const code = 'request' in mine ? mine.request.code : '';
      approve(env, code, 15);
      // The other request ran out an hour ago; an old, used record holds the next code newCode will give.
      const store = JSON.parse(readFileSync(path, 'utf8'));
      store.approvals[0].expiresAt = new Date(Date.now() - 3_600_000).toISOString();
      const next = `AAA-${String(codes + 1).padStart(3, '0')}`;
      const used = { ...store.approvals[0], code: next, binding: 'used-long-ago', status: 'used' };
      writeFileSync(path, `{"approvals":[\n${[used, ...store.approvals].map((r: object) => JSON.stringify(r)).join(',\n')}\n]}\n`);
      const taken = takeOrRequestApproval(env, 'mine', details, newCode);
      expect('used' in taken && taken.used.code).toBe(code);
      const statuses = Object.fromEntries(listApprovals(env).map((r) => [r.binding, r.status]));
      expect(statuses).toEqual({ 'used-long-ago': 'used', other: 'expired', mine: 'used' });
      const again = takeOrRequestApproval(env, 'third', details, newCode);
      expect('request' in again && again.request.code).not.toBe(next);
      expect(new Set(listApprovals(env).map((r) => r.code)).size).toBe(4);
      expect('request' in other).toBe(true);
    });

    it('never takes an approval past its time, also when the same transaction drops old records', () => {
      const env = freshEnv();
      const mine = takeOrRequestApproval(env, 'mine', details, newCode);
      const code = 'request' in mine ? mine.request.code : '';
      approve(env, code, 15);
      const path = storePath(env);
      const [record] = JSON.parse(readFileSync(path, 'utf8')).approvals;
      record.expiresAt = new Date(Date.now() - 1000).toISOString();
      const old = { ...record, code: 'OLD-001', binding: 'old', status: 'used', requestedAt: new Date(Date.now() - 8 * 86_400_000).toISOString() };
      writeFileSync(path, `{"approvals":[\n${[old, record].map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`);
      const after = takeOrRequestApproval(env, 'mine', details, newCode);
      expect('request' in after).toBe(true);
      expect(findRequest(env, code)?.status).toBe('expired');
      expect(findRequest(env, 'OLD-001')).toBeUndefined();
    });

    it('reads a store in any other form whole, as before', () => {
      const env = freshEnv();
      takeOrRequestApproval(env, 'pretty', details, newCode);
      const path = storePath(env);
      writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), null, 2));
      const again = takeOrRequestApproval(env, 'pretty', details, newCode);
      expect('request' in again && again.request.binding).toBe('pretty');
      expect(listApprovals(env)).toHaveLength(1);
    });
  });
});
