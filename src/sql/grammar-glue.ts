// libpg-query's Emscripten glue (61 KB of JavaScript), started from a V8 code cache like the shim's
// bundles (src/start/code-cache.ts): compiling it from source, and the functions it runs to set the
// module up, cost a decision that loads the grammar ~3 ms (BENCHMARKS.md).
//
// The cache is made from a copy of the glue beside the bundles, `libpg-query.cjs`, wrapped as the
// bundles are (the body of Node's CommonJS wrapper, written out), so the cache and the text it was made
// from are written together (by dist/make-cache.cjs, at build and at install; neither ships in the
// package). V8 checks a cache against its own version, its flags and the length of the source only, so
// the copy is used only when it is, byte for byte, the package's glue wrapped: after an update of
// libpg-query without a rebuild, the package's own glue is required, as it was before any cache.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadBundle, writeCodeCache } from '../start/code-cache.js';

/**
 * The V8 flags the grammar's WebAssembly runs with (why: src/sql/postgres.ts). They must be set before
 * the first WebAssembly compile of the process, and V8 counts them in what a code cache must fit: the
 * glue's cache is made with them set, and the glue is compiled after they are.
 */
export const grammarFlags = '--liftoff-only --wasm-lazy-validation --wasm-num-compilation-tasks=0';

export function setGrammarFlags(require: NodeJS.Require): void {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString(grammarFlags);
}

/** The glue's file in the package. */
const packageGlue = 'libpg-query/wasm/libpg-query.js';
/** The copy beside the bundles. */
export const glueCopyName = 'libpg-query.cjs';

/** The glue's text as a function expression of Node's CommonJS wrapper (src/start/code-cache.ts runs it). */
export function wrapGlue(text: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
}

export type GlueFactory = (options: object) => Promise<unknown>;

/**
 * The glue's factory: from the copy in `dir` and its code cache when the copy is the package's glue,
 * else the package's own file, required.
 */
export function glueFactory(require: NodeJS.Require, dir: string): GlueFactory {
  const own = require.resolve(packageGlue);
  const copy = `${dir}/${glueCopyName}`;
  let same = false;
  try {
    // Both ASCII (esbuild's and Emscripten's output): latin1 reads them without decoding.
    same = readFileSync(copy, 'latin1') === wrapGlue(readFileSync(own, 'latin1'));
  } catch {
    // No copy (chaperone run from source, or a build before this one): the package's glue.
  }
  return (same ? loadBundle(copy, require) : require(own)) as unknown as GlueFactory;
}

/**
 * Writes the copy of the glue in `dir` and its code cache, warmed by `warm` (which loads the glue
 * through glueFactory and parses). Sets the grammar's V8 flags for the rest of this process, so it
 * must come after every other cache is written. Returns whether the cache that was there fitted.
 */
export async function writeGlueCache(dir: string, require: NodeJS.Require, warm: () => Promise<void>): Promise<boolean> {
  const copy = `${dir}/${glueCopyName}`;
  const text = wrapGlue(readFileSync(require.resolve(packageGlue), 'latin1'));
  let current = false;
  try {
    current = readFileSync(copy, 'latin1') === text;
  } catch {
    // not written yet
  }
  if (!current) {
    const temporary = `${copy}.${process.pid}`;
    try {
      writeFileSync(temporary, text, 'latin1');
      renameSync(temporary, copy);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
  setGrammarFlags(require);
  return (await writeCodeCache(copy, require, warm)) && current;
}
