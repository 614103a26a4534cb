// `chaperone harden` on the command line: list the changes, then make them (or only list them).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { defaultTools, layout, plan, undoPlan, type Change } from './harden.js';
import type { HardenState } from './system.js';

interface Options {
  agentUser?: string[];
  tools?: string;
  tool?: string[];
  group: string;
  prefix: string;
  print?: boolean;
  undo?: boolean;
}

export function hardenCommand(options: Options): number {
  // At most 24 characters: GROUP-scripts must still fit the 32 a group name may have.
  if (!/^[a-z_][a-z0-9_-]{0,23}$/.test(options.group)) throw new UserError(`chaperone harden: --group ${options.group} is not a group name of at most 24 characters`, ExitCode.config);
  const paths = layout(options.prefix);
  const stateFile = join(paths.etc, 'harden.json');
  const previous = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as HardenState) : undefined;
  let changes: Change[];
  if (options.undo) {
    if (!previous) {
      process.stdout.write(`chaperone harden --undo: ${stateFile} does not exist; nothing to undo.\n`);
      return 0;
    }
    changes = undoPlan(previous);
  } else {
    const toolPaths: Record<string, string> = {};
    for (const pair of options.tool ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || !pair.slice(eq + 1).startsWith('/')) throw new UserError(`chaperone harden: --tool wants NAME=/absolute/path, not ${pair}`, ExitCode.config);
      toolPaths[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const tools = [...new Set([...(options.tools ? options.tools.split(',').filter(Boolean) : Object.keys(toolPaths).length ? [] : defaultTools), ...Object.keys(toolPaths)])];
    if (!options.agentUser?.length && !previous?.agentUsers.length) throw new UserError('chaperone harden: name the user agents run as: --agent-user NAME', ExitCode.config);
    changes = plan({ prefix: options.prefix, group: options.group, toolsGroup: `${options.group}-tools`, agentUsers: options.agentUser ?? [], tools, toolPaths, node: process.execPath }, previous).changes;
  }
  for (const change of changes) {
    process.stdout.write(`${options.print ? 'would: ' : ''}${change.text}\n`);
    if (!options.print) change.apply();
  }
  if (!options.print && !options.undo) {
    process.stdout.write(`chaperone: hardened. Put ${paths.shims} first on the agent's PATH, set a PIN as root (chaperone pin set), and check with chaperone doctor --strict.\n`);
  }
  return 0;
}
