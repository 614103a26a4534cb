// One-line table cases: each row is [input, expected], run through a tiny local helper.

import { it, expect } from 'vitest';

export function table<I, O>(name: (input: I) => string, rows: [I, O][], fn: (input: I) => O | Promise<O>): void {
  for (const [input, expected] of rows) {
    it(name(input), async () => {
      expect(await fn(input)).toEqual(expected);
    });
  }
}
