// A seeded random source for property tests (mulberry32): the same seed gives the same inputs, so a
// failure names a seed that reproduces it.

export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A string of 1 to `most` tokens picked by a linear congruential source seeded with `seed`: the random
 * scripts the SQL readers' property tests feed (the same seed, the same script).
 */
export function tokenSoup(tokens: readonly string[], seed: number, most: number): string {
  let a = seed >>> 0;
  const next = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  let out = '';
  const n = 1 + Math.floor(next() * most);
  for (let i = 0; i < n; i++) out += tokens[Math.floor(next() * tokens.length)];
  return out;
}
