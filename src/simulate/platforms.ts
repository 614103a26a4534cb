// Switches the platform CLIs make for later commands of a line: `az account set`, `az configure
// --defaults`, `firebase use`, `neonctl set-context`, `turso org switch`, `pscale org switch`. They are
// not followed value by value: after one, what the tool targets is unknown (counted as production) for
// the rest of the line, which is never looser than the files on disk say. The shim, run after the switch
// really happened, reads the files themselves.

import type { Invocation } from '../model.js';
import { loadTool } from '../tools/index.js';
import type { Switch } from './facts.js';

/** The commands that switch, by tool: the words their path starts with. */
const switching: Record<string, string[][]> = {
  az: [['account', 'set'], ['account', 'clear'], ['login'], ['configure']],
  firebase: [['use'], ['login'], ['login:use']],
  neonctl: [['set-context']],
  turso: [['org', 'switch'], ['auth', 'login']],
  pscale: [['org', 'switch'], ['auth', 'login']],
};

export async function platformSwitches(executable: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Switch[]> {
  const tool = await loadTool(executable);
  if (!tool || !switching[tool.name]) return [];
  const invocation: Invocation = { tool: executable, args: [...args], cwd, env, input: '' };
  const parsed = await tool.parse(invocation);
  const path = parsed.commands[0]?.path ?? [];
  if (parsed.help) return [];
  const hit = switching[tool.name].find((words) => words.every((word, i) => path[i] === word));
  if (!hit) return [];
  // `firebase use` alone, `--add`, `--alias` and `--unalias` only print or edit aliases, never the choice.
  if (tool.name === 'firebase' && hit[0] === 'use' && path.length === 1 && !parsed.commands[0].flags.has('--clear')) return [];
  return [{ kind: 'unknown', tools: [tool.name], why: `${executable} ${hit.join(' ')} changes what ${tool.name} targets next, in a way chaperone does not follow` }];
}
