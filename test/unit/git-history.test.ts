// git's expiry dates as chaperone reads them: which drop what the last week made (counted as `now`),
// and a property test that no spelling reads as keeping history unless it is one git keeps by.

import { describe, expect, it } from 'vitest';
import { table } from '../helpers/cases.js';
import { tokenSoup } from '../helpers/random.js';
import { expiryDropsRecent } from '../../src/tools/git-history.js';

const now = Date.UTC(2026, 11, 6, 12, 0, 0);
const day = 86400 * 1000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('expiry dates: dropped within a week or not', () => {
  table((value) => value, [
    ['now', true],
    ['all', true],
    ['never', false],
    ['false', false],
    ['1.minute.ago', true],
    ['2.seconds.ago', true],
    ['6.days.ago', true],
    ['6 days 23 hours ago', true],
    ['1.week.ago', false],
    ['2.weeks.ago', false],
    ['90.days.ago', false],
    ['3.months.ago', false],
    ['1.year.ago', false],
    ['yesterday', true],
    ['today', true],
    [iso(now - 2 * day), true],
    [`${iso(now - 2 * day)} 10:00:00`, true],
    [iso(now + 3 * day), true],
    [iso(now - 30 * day), false],
    ['Dec 5', true], // no year: git reads this year's; not read here, so counted as now
    ['banana', true],
    ['', true],
  ], (value) => expiryDropsRecent(value, now) !== undefined);
});

describe('expiry dates: a property', () => {
  it('keeps history only for never/false, spans of a week or more, or a dated day more than a week back', () => {
    const tokens = ['1', '2', '7', '14', '.', ' ', 'ago', 'day', 'days', 'week', 'weeks', 'minute', 'hours', 'month', 'years', 'yesterday', 'never', 'now', '-', '2026', '12', 'x', ':'];
    for (let seed = 1; seed <= 3000; seed++) {
      const value = tokenSoup(tokens, seed, 6);
      const read = expiryDropsRecent(value, now);
      if (read !== undefined) continue;
      const kept = /^\s*(never|false)\s*$/i.test(value) || /(week|day|month|year|minute|hour)/.test(value) || Date.parse(value) <= now - 7 * day;
      expect(kept, `seed ${seed}: ${JSON.stringify(value)}`).toBe(true);
    }
  });
});
