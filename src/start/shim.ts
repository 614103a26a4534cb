// dist/shim.cjs, the file every sh shim starts: the shim's bundle (dist/shim-main.cjs, built from
// src/shim/bundle.ts), loaded from its code cache. CommonJS, and nothing else loaded, because each
// millisecond here is paid by every call of a wrapped tool that reaches Node.

import { loadBundle, toolCache } from './code-cache.js';

const bundle = `${__dirname}/shim-main.cjs`;
const executable = executableCalled(process.argv);
(loadBundle(bundle, require, executable === undefined ? undefined : toolCache(bundle, executable)).runShim as () => void)();

/**
 * The executable this call stands for, read from the arguments the sh shim gives (src/shim/main.ts
 * reads them fully): `[--handoff=FD[:feed]] SHIM_PATH ARGS…`, or git's exec-path overlay
 * (`--chaperone-overlay REAL …`), which is git. Only for picking a code cache: a name that is not a
 * plain one (the hardened runner, the feeder) takes the bundle's cache for every tool.
 */
function executableCalled(argv: readonly string[]): string | undefined {
  let first = argv[2];
  if (first === '--chaperone-overlay') return 'git';
  if (first?.startsWith('--handoff')) first = argv[3];
  const name = first?.slice(first.lastIndexOf('/') + 1);
  return name !== undefined && /^[a-z][a-z0-9_-]*$/.test(name) ? name : undefined;
}
