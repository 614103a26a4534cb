// For tests that judge thousands of commands in process (the SQL differential tests): the rules module
// with loadConfig read once per cwd and home, as the config is the same for every call (the shim reads it
// on each). Used from `vi.mock('../../src/rules/load.js', …)`, so it imports nothing that loads that
// module, or the mock would wait on itself.

import type { loadConfig as LoadConfig } from '../../src/rules/load.js';

/**
 * The rules module with loadConfig read once per cwd and home: the config is the same for every
 * script (the shim reads it on each call). For `vi.mock('../../src/rules/load.js', …)`.
 */
export function cachedRulesModule<M extends { loadConfig: typeof LoadConfig }>(original: M): M {
  const cache = new Map<string, ReturnType<typeof LoadConfig>>();
  return {
    ...original,
    loadConfig: (cwd: string, env: NodeJS.ProcessEnv) => {
      const key = `${cwd}\0${env.HOME}`;
      if (!cache.has(key)) cache.set(key, original.loadConfig(cwd, env));
      return cache.get(key)!;
    },
  };
}
