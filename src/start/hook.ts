// dist/hook.cjs: `chaperone hook AGENT`, which an agent runs before every shell command, started
// without the rest of the CLI: the hook's bundle (dist/hook-main.cjs, from src/cli/hook-bundle.ts),
// loaded from its code cache. dist/chaperone.js sends `hook AGENT` here.

import { restoreNodeOptions } from '../hooks/node-options.js';
import { say } from '../io.js';
import { loadBundle } from './code-cache.js';

try {
  // Node started without the agent's NODE_OPTIONS (the hook line set them aside); the line is judged with them.
  restoreNodeOptions(process.env);
  const bundle = loadBundle(`${__dirname}/hook-main.cjs`, require);
  (bundle.runHookCommand as (agent: string, env: NodeJS.ProcessEnv) => Promise<void>)(process.argv[3], process.env).catch(deny);
} catch (error) {
  deny(error);
}

/** The hook answers every request; one it cannot judge is blocked (exit 2 blocks in every agent that takes an exit status). */
function deny(error: unknown): void {
  say(`chaperone: internal error in the hook, so the command is denied to be safe: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(2);
}
