// Starting a bundle from V8's code cache. Node 20 compiles every script it loads from source, and for
// chaperone's bundles that compilation is most of a decision's own cost. A bundle here is run the way
// Node's CommonJS loader runs a file, but compiled with the bytecode a warm-up run left behind
// (`<bundle>.cache`, written by `npm run build` and again by `chaperone install`). V8 checks the cache
// against its own version and flags and the source's length, and rejects one that does not fit: the
// bundle is then compiled from source, as Node would have, only slower.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

/**
 * The bundles started this way, in dist/: the shim's (src/shim/bundle.ts) and the agent hook's
 * (src/cli/hook-bundle.ts), and the libraries both load only when a call needs them (src/start/cold.ts).
 */
export const cachedBundles = ['shim-main.cjs', 'hook-main.cjs', 'cold.cjs'];

/**
 * The scripts loaded in this process, by file, while a cache is being made: a bundle loaded by another
 * one (cold.cjs, by whichever hot bundle asked first) is warmed by their calls, and its cache is made
 * from the same compiled script. Global, since each bundle has its own copy of this file.
 */
const loadedKey = Symbol.for('chaperone.loaded-bundles');
type Loaded = Map<string, { script: Script; exports: Record<string, unknown> }>;
const loaded = (): Loaded | undefined => (globalThis as Record<symbol, Loaded | undefined>)[loadedKey];

type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

function compile(file: string, cachedData?: Buffer): Script {
  // esbuild writes ASCII only (non-ASCII characters are escaped), so latin1 reads it without decoding.
  // The bundle is written wrapped as Node wraps a CommonJS module (scripts/build.js): its text is a
  // function expression, run below with the module's exports, require, module and paths.
  return new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
}

function run(script: Script, file: string, require: NodeJS.Require): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown>, filename: file };
  const dir = file.slice(0, file.lastIndexOf('/'));
  (script.runInThisContext() as Wrapper)(module.exports, require, module, file, dir);
  return module.exports;
}

function readCache(cache: string): Buffer | undefined {
  try {
    return readFileSync(cache);
  } catch {
    return undefined;
  }
}

/**
 * The code cache of the shim's bundle warmed by one tool's calls only (`shim-main.cjs.railway.cache`),
 * for the executable a shim stands for (`tofu` has terraform's, by a link); `make-cache.cjs` writes
 * them. A cache holds every function its warm-up compiled and V8 deserializes all of it at every
 * start, so one warmed by a tool's own calls is smaller than one warmed by every tool's.
 */
export function toolCache(file: string, executable: string): string {
  return `${file}.${executable}.cache`;
}

/**
 * Loads a CommonJS bundle (from its code cache when it fits) and returns its exports. `cache` is the
 * cache to try: `<bundle>.cache` unless the caller knows a narrower one; a missing narrower one falls
 * back to `<bundle>.cache`, a rejected one to compiling from source (only slower, either way).
 */
export function loadBundle(file: string, require: NodeJS.Require, cache = `${file}.cache`): Record<string, unknown> {
  const made = loaded();
  const known = made?.get(file);
  if (known) return known.exports;
  // While caches are made, a bundle is compiled without one: what it compiles goes into the new cache.
  const script = compile(file, made ? undefined : (readCache(cache) ?? (cache === `${file}.cache` ? undefined : readCache(`${file}.cache`))));
  const exports = run(script, file, require);
  made?.set(file, { script, exports });
  return exports;
}

/**
 * Writes `<bundle>.cache` for the Node running now: the bundle is loaded, `warm` runs the paths a call
 * takes (so their functions are compiled too), then V8 serialises what it compiled. Returns whether
 * the cache that was there already fitted this Node.
 */
export async function writeCodeCache(file: string, require: NodeJS.Require, warm: (exports: Record<string, unknown>) => Promise<void>, cache = `${file}.cache`): Promise<boolean> {
  const fitted = cacheFits(file, cache);
  const made = ((globalThis as Record<symbol, Loaded | undefined>)[loadedKey] ??= new Map());
  if (!made.has(file)) loadBundle(file, require);
  const { script, exports } = made.get(file)!;
  await warm(exports);
  const temporary = `${cache}.${process.pid}`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cache);
    writeFileSync(temporary, file);
    renameSync(temporary, `${cache}-path`);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return fitted;
}

/**
 * Whether `<bundle>.cache` fits the Node running now (V8 would use it, not compile from source) and
 * was written here. V8 keeps the file name a cache was made with for its stack traces, so a cache made
 * elsewhere (a build directory, a copy) would report an internal error's trace at a path that is not
 * there: `<cache>-path` (`<bundle>.cache-path`) names where it was made.
 */
export function cacheFits(file: string, cache = `${file}.cache`): boolean {
  const data = readCache(cache);
  if (data === undefined || compile(file, data).cachedDataRejected) return false;
  try {
    return readFileSync(`${cache}-path`, 'utf8') === file;
  } catch {
    return false;
  }
}
