// src/hash.ts: the bundled SHA-256 must give node:crypto's digests, on both sides of the size where it
// hands over to the native hash, and approval codes must use every letter and nothing else.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { randomBelow, sha1Hex, sha256Hex } from '../../src/hash.js';
import { random } from '../helpers/random.js';

const native = (algorithm: string, data: string | Uint8Array) => createHash(algorithm).update(data).digest('hex');

describe('sha256Hex', () => {
  // Below the hand-over only, so every one of these is hashed by the bundled code (the next test crosses it).
  test('gives node:crypto digests for seeded strings and bytes below 4 KiB', () => {
    const next = random(20261206);
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(next() ** 3 * 1300);
      const text = Array.from({ length }, () => String.fromCodePoint(Math.floor(next() * 0x2ffff) % 0xd800)).join('');
      expect(sha256Hex(text)).toBe(native('sha256', text));
      const bytes = Uint8Array.from({ length: length * 3 }, () => Math.floor(next() * 256));
      expect(sha256Hex(bytes)).toBe(native('sha256', bytes));
    }
  });

  test('gives the same digest either side of the native hand-over (4 KiB)', () => {
    for (const size of [4095, 4096, 4097, 1 << 20]) {
      const bytes = Buffer.alloc(size, 0x61);
      expect(sha256Hex(bytes)).toBe(native('sha256', bytes));
    }
  });

  test('sha1Hex gives node:crypto digests (pulumi names workspace files by it)', () => {
    for (const text of ['', '/home/u/app/Pulumi.yaml', 'ü'.repeat(1000)]) expect(sha1Hex(text)).toBe(native('sha1', text));
  });
});

describe('randomBelow', () => {
  test('stays below n and reaches every value', () => {
    for (const n of [1, 2, 31, 255, 256]) {
      const seen = new Set<number>();
      for (let i = 0; i < n * 60; i++) {
        const value = randomBelow(n);
        expect(Number.isInteger(value) && value >= 0 && value < n).toBe(true);
        seen.add(value);
      }
      expect(seen.size).toBe(n);
    }
  });
});
