// The shim's code-cache warm-up (src/shim/warm-up.ts) runs a refusal's bookkeeping too, so its
// functions are in the cache: on a store and log of its own, in a temporary directory it removes.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { warmUp as warmHook } from '../../src/cli/hook-bundle.js';
import { warmUp } from '../../src/shim/warm-up.js';

describe('the shim\'s and the hook\'s warm-ups', () => {
  it('leaves no store, log or directory behind', async () => {
    const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith('chaperone-warm-up-'));
    const before = ours();
    await warmUp();
    await warmHook();
    expect(ours()).toEqual(before);
  });
});
