// dist/make-cache.cjs: writes the code caches of the shim's and the hook's bundles (and of libpg-query's
// glue, src/sql/grammar-glue.ts) for the Node that runs it. `npm run build` runs it, and `chaperone install` again when a cache does not fit, since a
// cache only fits the Node version that wrote it. Prints "fitted" when every cache that was there
// already fitted, "written" otherwise.

import { writeGrammarCache } from '../sql/postgres.js';
import { cachedBundles, writeCodeCache } from './code-cache.js';

async function main(): Promise<boolean> {
  let fitted = true;
  // The hot bundles first: their warm-ups load what they need of cold.cjs, which is written last, with
  // every one of its libraries loaded (their top levels compiled too).
  for (const name of cachedBundles) {
    fitted = (await writeCodeCache(`${__dirname}/${name}`, require, warmUp)) && fitted;
  }
  // Last, libpg-query's glue: it sets the grammar's V8 flags, which no cache above may be made with.
  return (await writeGrammarCache(__dirname, require)) && fitted;
}

async function warmUp(bundle: Record<string, unknown>): Promise<void> {
  if (typeof bundle.warmUp === 'function') return (bundle.warmUp as () => Promise<void>)();
  for (const load of Object.values(bundle.modules as Record<string, () => unknown>)) load();
}

main().then(
  (fitted) => process.stdout.write(fitted ? 'fitted\n' : 'written\n'),
  (error: Error) => {
    process.stderr.write(`chaperone: could not write a code cache: ${error.message}\n`);
    process.exit(1);
  },
);
