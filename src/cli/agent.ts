// `chaperone agent [--scope ENV] -- COMMAND…`: starts an agent (or any command) with the shims first on
// PATH and CHAPERONE_ACTOR=agent, which everything it spawns inherits. With --scope, the session
// declares the environment it works in; anything gated outside it is refused with no approval.

import { join } from 'node:path';
import { UserError } from '../errors.js';
import { runChild } from '../shim/run.js';
import { executables } from '../tools/index.js';
import { isShimFile } from '../shim/find-real.js';

export function agentCommand(command: string[], options: { dir: string; scope?: string }, env: NodeJS.ProcessEnv): void {
  if (command.length === 0) throw new UserError('chaperone: agent needs a command to start, after --');
  if (!executables.some((tool) => isShimFile(join(options.dir, tool)))) {
    throw new UserError(`chaperone: no shims in ${options.dir}; run \`chaperone install\` first (or pass --dir).`);
  }
  const path = (env.PATH ?? '').split(':').filter((entry) => entry !== options.dir);
  const childEnv: NodeJS.ProcessEnv = { ...env, PATH: [options.dir, ...path].join(':'), CHAPERONE_ACTOR: 'agent' };
  if (options.scope) childEnv.CHAPERONE_SCOPE = options.scope;
  runChild(command[0], command.slice(1), childEnv);
}
