// dist/server.cjs, the resident decision's entry (src/server/serve.ts): the shim's bundle, from its code
// cache, started once per account by a shim's decision (src/server/start.ts), not per call.

import { loadBundle } from './code-cache.js';

(loadBundle(`${__dirname}/shim-main.cjs`, require).runServer as () => Promise<void>)();
