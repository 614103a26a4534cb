// Every tool chaperone wraps, by the executable name a shim is installed under.

import { aws } from './aws.js';
import { dropdb } from './dropdb.js';
import { pgRestore } from './pg-restore.js';
import { psql } from './psql.js';
import { railway } from './railway.js';
import type { Tool } from './tool.js';

export const tools: Tool[] = [railway, psql, dropdb, pgRestore, aws];

/** The names rules may use in `tool:`. */
export const toolNames: string[] = tools.map((t) => t.name);

/** Executable names, in install order. */
export const executables: string[] = tools.flatMap((t) => t.executables);

export function toolFor(executable: string): Tool | undefined {
  return tools.find((t) => t.executables.includes(executable));
}
