// dist/make-cache.cjs: writes the code caches of the shim's and the hook's bundles (and of libpg-query's
// glue, src/sql/grammar-glue.ts) for the Node that runs it. `npm run build` runs it, and `chaperone install` again when a cache does not fit, since a
// cache only fits the Node version that wrote it. Prints "fitted" when every cache that was there
// already fitted, "written" otherwise.
//
//   make-cache.cjs [TOOL…]      the bundles' caches, then one cache of the shim's bundle per tool
//                               (every tool, or those named: `chaperone install` names what it installs)
//   make-cache.cjs --tool TOOL  one tool's cache only (run by the line above, one process per tool)

import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { rmSync, symlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { writeGrammarCache } from '../sql/postgres.js';
import { cachedBundles, loadBundle, toolCache, writeCodeCache } from './code-cache.js';

const shimBundle = `${__dirname}/shim-main.cjs`;

async function main(args: string[]): Promise<boolean> {
  if (args[0] === '--tool' && args[1] !== undefined) return writeToolCache(args[1]);
  let fitted = true;
  // The hot bundles first: their warm-ups load what they need of cold.cjs, which is written last, with
  // every one of its libraries loaded (their top levels compiled too).
  for (const name of cachedBundles) {
    fitted = (await writeCodeCache(`${__dirname}/${name}`, require, warmUp)) && fitted;
  }
  const tools = Object.keys(cachedTools());
  const unknown = args.filter((tool) => !tools.includes(tool));
  if (unknown.length > 0) throw new Error(`no such tool: ${unknown.join(', ')}`);
  // Each tool's cache in a process of its own: V8 compiles a function once per process, so a cache
  // made after another tool's warm-up would hold that tool's functions too.
  const results = await inParallel(args.length > 0 ? args : tools, (tool) => runSelf(['--tool', tool]));
  fitted = results.every((result) => result === 'fitted') && fitted;
  // Last, libpg-query's glue: it sets the grammar's V8 flags, which no cache above may be made with.
  return (await writeGrammarCache(__dirname, require)) && fitted;
}

async function warmUp(bundle: Record<string, unknown>): Promise<void> {
  if (typeof bundle.warmUp === 'function') return (bundle.warmUp as () => Promise<void>)();
  for (const load of Object.values(bundle.modules as Record<string, () => unknown>)) load();
}

function cachedTools(): Record<string, string[]> {
  return (loadBundle(shimBundle, require).cachedTools as () => Record<string, string[]>)();
}

/** `shim-main.cjs.TOOL.cache`, and a link to it under each other executable of the tool (`tofu`). */
async function writeToolCache(tool: string): Promise<boolean> {
  const cache = toolCache(shimBundle, tool);
  const executables = cachedTools()[tool] ?? [];
  const warm = (bundle: Record<string, unknown>) => (bundle.warmUpTool as (executable: string) => Promise<number>)(executables[0] ?? tool).then(() => undefined);
  const fitted = await writeCodeCache(shimBundle, require, warm, cache);
  for (const executable of executables) {
    if (executable === tool) continue;
    const link = toolCache(shimBundle, executable);
    rmSync(link, { force: true });
    symlinkSync(basename(cache), link);
  }
  return fitted;
}

/** Runs this file again with `args`; resolves to what it printed ("fitted" or "written"). */
function runSelf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`the cache of ${args.join(' ')} was not written (exit ${code})`))));
  });
}

/** `run` on each item, a few at a time; every one is waited for before the first failure is thrown. */
async function inParallel<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: PromiseSettledResult<R>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await run(items[at]!).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, availableParallelism()) }, worker));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<R>).value);
}

main(process.argv.slice(2)).then(
  (fitted) => process.stdout.write(fitted ? 'fitted\n' : 'written\n'),
  (error: Error) => {
    process.stderr.write(`chaperone: could not write a code cache: ${error.message}\n`);
    process.exit(1);
  },
);
