// dist/make-cache.cjs: writes the shim bundle's code cache for the Node that runs it. `npm run build`
// runs it, and `chaperone install` again, since a cache only fits the Node version that wrote it.
// Prints "fitted" when the cache that was there already fitted, "written" otherwise.

import { writeCodeCache } from './code-cache.js';

writeCodeCache(`${__dirname}/shim-main.cjs`, require, async (bundle) => (bundle.warmUp as () => Promise<void>)()).then(
  (fitted) => process.stdout.write(fitted ? 'fitted\n' : 'written\n'),
  (error: Error) => {
    process.stderr.write(`chaperone: could not write the shim's code cache: ${error.message}\n`);
    process.exit(1);
  },
);
