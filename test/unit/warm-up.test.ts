// The shim's code-cache warm-up (src/shim/warm-up.ts) runs a refusal's bookkeeping too, so its
// functions are in the cache: on a store and log of its own, in a temporary directory it removes.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { warmUp as warmHook } from '../../src/cli/hook-bundle.js';
import { warmUp } from '../../src/shim/warm-up.js';

describe('the shim\'s and the hook\'s warm-ups', () => {
  it('leaves no store, log or directory behind', async () => {
    // A temporary directory of the test's own (os.tmpdir() reads TMPDIR at each call): builds running
    // beside the test warm up in the shared one.
    const own = mkdtempSync(join(tmpdir(), 'warm-up-test-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      expect(tmpdir()).toBe(own);
      await warmUp();
      await warmHook();
      expect(readdirSync(own)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(own, { recursive: true, force: true });
    }
  });
});
