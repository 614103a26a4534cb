// dist/shim.cjs, the file every sh shim starts: the shim's bundle (dist/shim-main.cjs, built from
// src/shim/bundle.ts), loaded from its code cache. CommonJS, and nothing else loaded, because each
// millisecond here is paid by every call of a wrapped tool that reaches Node.

import { loadBundle } from './code-cache.js';

(loadBundle(`${__dirname}/shim-main.cjs`, require).runShim as () => void)();
