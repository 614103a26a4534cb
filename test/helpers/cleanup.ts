import { afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { sandboxRoots } from './sandbox.js';

afterAll(() => {
  for (const root of sandboxRoots.splice(0)) rmSync(root, { recursive: true, force: true });
});
