// Property tests for the psql reader: random token soups (quotes, dollar tags, comments, backslashes,
// variables, COPY, meta-commands, destructive words) split the same however they are chunked, are read
// without a crash, and a DROP outside any quote, comment or COPY is never read as benign.

import { describe, expect, it } from 'vitest';
import { ScriptSplitter, type Unit } from '../../src/sql/split.js';
import { PsqlSession } from '../../src/sql/psql-script.js';
import { tokenSoup } from '../helpers/random.js';

const tokens = [
  'SELECT', ' ', '1', ';', '\n', "'", "''", '"', '$$', '$a$', 'x$a$', 'E', '\\', '\\\\', '\\;', ':v', ":'v'",
  '--', '/*', '*/', '(', ')', 'DROP TABLE t', 'DELETE FROM t', '\\echo x', '\\set v 1', 'COPY t FROM stdin;\n',
  '\\.\n', 'standard_conforming_strings', '\\c db', '\\if x', '\\endif', 'ü', '\u0000', '\r\n',
];

const soup = (seed: number): string => tokenSoup(tokens, seed, 40);

function units(bytes: Buffer, size: number): Unit[] {
  const splitter = new ScriptSplitter();
  const out: Unit[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...splitter.feed(bytes.subarray(i, i + size)));
  out.push(...splitter.finish());
  // A shadow (COPY data read as SQL) lives until it agrees with the main reading, which is checked at
  // chunk ends: how long it lives depends on chunking, what the main reading finds does not.
  return out.filter((u) => !u.shadow);
}

describe('the psql reader on random scripts', () => {
  it('splits the same in chunks of 1, 2, 3 and 5 bytes as whole', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = Buffer.from(soup(seed));
      const whole = units(bytes, bytes.length || 1);
      for (const size of [1, 2, 3, 5]) expect(units(bytes, size), `seed ${seed} size ${size}: ${JSON.stringify(bytes.toString())}`).toEqual(whole);
    }
  });

  it('reads COPY data as SQL alike however it is chunked: the shadow stops only where the two readings agree', () => {
    // Where the shadow stops depends on chunking; from there on, its units would be the main reading's
    // own. So the suspicious units of both readings together, each range once, are the same for every
    // chunking: stopping early never loses one.
    const ranges = (bytes: Buffer, size: number) => {
      const splitter = new ScriptSplitter();
      const all: Unit[] = [];
      for (let i = 0; i < bytes.length; i += size) all.push(...splitter.feed(bytes.subarray(i, i + size)));
      all.push(...splitter.finish());
      return [...new Set(all.filter((u) => u.suspicious).map((u) => `${u.kind} ${u.from}-${u.to}`))].sort();
    };
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = Buffer.from(`${soup(seed)}COPY t FROM stdin;\n${soup(seed + 7919)}\n\\.\n${soup(seed + 104729)}`);
      const whole = ranges(bytes, bytes.length);
      for (const size of [1, 3, 5, 64]) expect(ranges(bytes, size), `seed ${seed} size ${size}: ${JSON.stringify(bytes.toString())}`).toEqual(whole);
    }
  });

  it('reads every script without throwing, and finds a DROP that stands alone', async () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const text = soup(seed);
      const session = new PsqlSession({ cwd: '/', scriptDir: '/' });
      await session.readScript(`${text}\n;\nDROP TABLE orders;\n`);
      const { commands, nested } = session.take();
      // Whatever came before, the script ends in a DROP psql may run: it is read as a drop, or as unreadable,
      // or (after a \c) judged elsewhere, never as nothing.
      const held = commands.some((c) => c.path[1] === 'drop' || c.path[1] === 'unreadable') || nested.length > 0;
      // After a COPY the DROP may be data (no `\.` line) or in a comment the data opened (the shadow
      // reads it as psql would after a failed COPY): the COPY tests cover those; here, skip them.
      if (!text.includes('COPY')) expect(held, `seed ${seed}: ${JSON.stringify(text)}`).toBe(true);
    }
  });
});
