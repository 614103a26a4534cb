// What the shim's bundle (dist/shim-main.cjs) exports: the call itself, and the warm-ups for its code
// caches with the tools they are made for. The warm-up is loaded only when a cache is made: its
// imports (the approval binding with node:crypto, the refusal's wording) would otherwise be evaluated
// at the start of every call.

import { executables, toolNames, toolOf } from '../tools/index.js';

export { runShim } from './main.js';

/** The resident decision (src/server/serve.ts), loaded only by the server's entry. */
export async function runServer(): Promise<void> {
  return (await import('../server/serve.js')).runServer();
}

export async function warmUp(): Promise<void> {
  return (await import('./warm-up.js')).warmUp();
}

export async function warmUpTool(tool: string): Promise<number> {
  return (await import('./warm-up.js')).warmUpTool(tool);
}

/** Each tool with its executables: a tool's cache is found under each of their names. */
export function cachedTools(): Record<string, string[]> {
  return Object.fromEntries(toolNames.map((tool) => [tool, executables.filter((name) => toolOf(name) === tool)]));
}
