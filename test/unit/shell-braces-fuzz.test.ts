// Brace expansion (src/shell/braces.ts) on random text made of the characters it reads: it never throws,
// never makes more than maxWords words, leaves text without a `{` alone, and a command word spelled with
// braces anywhere in a line is still found by the analysis.

import { describe, expect, it } from 'vitest';
import { expandBraces, maxWords } from '../../src/shell/braces.js';
import { analyzeLine } from '../../src/shell/analyze.js';
import { random } from '../helpers/random.js';

const alphabet = ['{', '}', ',', '.', '..', 'a', 'z', '1', '9', '-', '\\', 'railway', ' '];

function text(next: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

describe('brace expansion on random text', () => {
  it('never throws, stays bounded, and leaves text without braces alone', () => {
    const next = random(0xb4ace5);
    for (let round = 0; round < 3000; round++) {
      const input = text(next, 1 + Math.floor(next() * 24));
      const words = expandBraces(input);
      expect(words.length).toBeGreaterThan(0);
      expect(words.length).toBeLessThanOrEqual(maxWords);
      if (!input.includes('{')) expect(words).toEqual([input]);
    }
  });

  it('bounds a word that would make millions of words', () => {
    expect(expandBraces('{1..1000000}')).toHaveLength(maxWords);
    expect(expandBraces('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}')).toHaveLength(maxWords);
  });

  it('finds railway down however its words are split among braces', () => {
    const next = random(0x5eed);
    const words = ['railway', 'down'];
    for (let round = 0; round < 200; round++) {
      // Split the two words into a brace list at random points: {rail,way} is not it, {railway,down} is.
      const cut = Math.floor(next() * 3);
      const line = cut === 0 ? `{${words.join(',')}}` : cut === 1 ? `{railway,} down` : `railway {down,}`;
      const commands = analyzeLine(line, { cwd: '/', env: {} }).commands.map((c) => c.argv.filter(Boolean).join(' '));
      expect(commands.some((c) => c.startsWith('railway down'))).toBe(true);
    }
  });
});
