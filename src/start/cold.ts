// The libraries only some calls need (the shell parser, GraphQL, YAML, TOML, prompts, the CLI's own),
// kept out of the hot bundles in a second one, dist/cold.cjs, which is loaded from its own code cache
// the first time one of them is asked for. Every call reads and deserializes its hot bundle; the cold
// one only a call that needs it (scripts/build.js sends these packages' imports here).

import { loadBundle } from './code-cache.js';

let modules: Record<string, () => unknown> | undefined;

/** The exports of package `name` (a specifier the build saw, such as `graphql/language/parser.js`). */
export function coldModule(name: string): unknown {
  modules ??= loadBundle(`${__dirname}/cold.cjs`, require).modules as Record<string, () => unknown>;
  const load = modules[name];
  if (load === undefined) throw new Error(`chaperone: ${name} is not in dist/cold.cjs; rebuild chaperone (npm run build)`);
  return load();
}
