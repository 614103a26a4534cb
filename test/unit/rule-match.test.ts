// The matcher's first-word check (mayStartWith, src/rules/config.ts) skips compiling a rule's paths
// when the call's first word cannot start any of them. It may say "could" too often, never "cannot"
// where the compiled path matches: checked over seeded texts and words in the rules' own syntax.
import { describe, expect, it } from 'vitest';
import { compilePath, mayStartWith } from '../../src/rules/config.js';
import { random } from '../helpers/random.js';

const matches = (text: string, path: string[]) => {
  const pattern = compilePath(text);
  return pattern.length <= path.length && pattern.every((word, i) => word.test(path[i]));
};

describe('mayStartWith', () => {
  it.each([
    ['volume|volumes delete', 'volume', true],
    ['volume|volumes delete', 'volumes', true],
    ['volume|volumes delete', 'vol', false],
    ['volume|volumes delete', 'delete', false],
    ['  rb\tx', 'rb', true],
    ['delete-* all', 'delete-x', true],
    ['a||b x', '', true],
    ['a|b', 'a|b', false],
    ['', 'anything', true],
    ['   ', undefined, true],
    ['s3 rb', undefined, false],
  ])('%j may start with %j: %s', (text, word, expected) => {
    expect(mayStartWith(text, word)).toBe(expected);
  });

  it('splits words where /\\s/ does, for every UTF-16 code unit', () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (ch === '*' || ch === '|') continue;
      // A space before the word leaves it the first word; anything else becomes part of it.
      if (mayStartWith(`${ch}x y`, 'x') !== /\s/.test(ch)) wrong.push(c);
    }
    expect(wrong).toEqual([]);
  });

  it('never turns down a path the compiled rule matches (seeded texts and words)', () => {
    const next = random(20261206);
    const pieces = ['a', 'b', 'ab', '|', '*', ' ', '\t', '\u00a0', '\n', '-', 'delete'];
    const words = ['a', 'b', 'ab', '', 'a|b', 'a b', 'delete', 'a-delete', 'ba', '*'];
    let turnedDown = 0;
    for (let i = 0; i < 20000; i++) {
      const text = Array.from({ length: Math.floor(next() * 7) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const path = Array.from({ length: Math.floor(next() * 3) }, () => words[Math.floor(next() * words.length)]);
      const may = mayStartWith(text, path[0]);
      if (!may) {
        turnedDown += 1;
        expect(matches(text, path), JSON.stringify({ text, path })).toBe(false);
      }
    }
    // The check has to turn rules down to be worth anything (and for this test to test something).
    expect(turnedDown).toBeGreaterThan(2000);
  });
});
