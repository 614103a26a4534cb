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
});
