// isoTime writes what toISOString writes, without loading the local time zone.
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/audit/time.js';
import { random } from '../helpers/random.js';

describe('isoTime', () => {
  it('is toISOString for the edges and for seeded times across the years it formats', () => {
    const edges = [0, -1, 1, 951782400000 /* 2000-02-29 */, 1767225599999, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(0, 0, 1), -62198755200000, Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), Date.now()];
    const next = random(20261206);
    const seeded = Array.from({ length: 20000 }, () => Math.floor((next() * 2 - 1) * 8.64e15 * (next() < 0.5 ? 1e-3 : 1)));
    for (const ms of [...edges, ...seeded]) {
      const time = new Date(ms);
      expect(isoTime(time), String(ms)).toBe(time.toISOString());
    }
  });
});
