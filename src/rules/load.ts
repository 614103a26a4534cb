// Finding and reading the rules layers. The built-in layer ships pre-validated as dist/rules.json so the
// shim's hot path never loads a YAML parser; a user or project file is read with `yaml`, lazily, and
// every problem is reported with its file, line and column.

import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, EnvironmentFault } from '../errors.js';
import { ancestors, chaperoneStateDir, chaperoneConfigDir, readBytesIfExists, readTextIfExists } from '../context/files.js';
import { toolNames } from '../tools/index.js';
import { hardenState, systemRulesPath } from '../harden/system.js';
import { applyCachedLayer, applyLayer, builtinConfig, emptyConfig, type Config, type Trust } from './config.js';
import { cacheEntry, readCacheEntry } from './layer-cache.js';
import { readCompiledRules } from './compiled.js';
import { validateLayer, type Complain, type Layer, type Path } from './schema.js';

export const projectFileName = '.chaperone.yaml';

export function userConfigPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneConfigDir(env), 'rules.yaml');
}

/** The nearest .chaperone.yaml at or above cwd. */
export function findProjectFile(cwd: string): string | undefined {
  return ancestors(cwd)
    .map((dir) => join(dir, projectFileName))
    .find((file) => existsSync(file));
}

export async function loadConfig(cwd: string, env: NodeJS.ProcessEnv): Promise<Config> {
  let config = await loadBuiltin();
  // Root's layer, read first after the built-in rules. It is parsed on every call, never taken from the
  // user's layer cache: that cache is the user's to write, and so, on a hardened machine, the agent's.
  const systemFile = systemRulesPath();
  const systemText = readRulesFile(systemFile);
  if (systemText !== undefined) {
    const { layer, complain } = await readLayer(systemFile, systemText);
    config = applyLayer(config, layer, 'system', complain);
  }
  // Hardened, the agent runs as this user and can write this file: it may only tighten.
  const userTrust: Trust = hardenState() ? 'hardened-user' : 'user';
  const userFile = userConfigPath(env);
  const userBytes = readRulesBytes(userFile);
  if (userBytes !== undefined) config = await applyFile(config, userFile, userBytes, userTrust, env);
  const projectFile = findProjectFile(cwd);
  const projectBytes = projectFile === undefined ? undefined : readRulesBytes(projectFile);
  if (projectFile && projectBytes !== undefined) config = await applyFile(config, projectFile, projectBytes, 'project', env);
  return config;
}

/** A rules layer's text; one that cannot be read is an invalid config, which stops every wrapped command. */
function readRulesFile(file: string): string | undefined {
  return asConfigError(file, () => readTextIfExists(file));
}

/** The same, as bytes: a user's or project's file is compared with its cache before anything decodes it. */
function readRulesBytes(file: string): Buffer | undefined {
  return asConfigError(file, () => readBytesIfExists(file));
}

function asConfigError<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EnvironmentFault) throw new ConfigError(file, undefined, undefined, `${error.problem}; to fix: ${error.fix}`);
    throw error;
  }
}

async function loadBuiltin(): Promise<Config> {
  // Beside this bundle. import.meta.dirname: Node 20.11 and the CommonJS bundles (__dirname), where
  // the file URL each call made (and node:url to make it) cost ~0.4 ms.
  const here = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'rules.json');
  // The build's compiled rules: the layer's settings now, each tool's rules when a call asks for them.
  const compiled = readCompiledRules(bundled);
  if (compiled !== undefined) {
    return builtinConfig(compiled, (path, problem) => {
      throw new ConfigError(compiled.layer.file, undefined, undefined, `${path.join('.')}: ${problem}`);
    });
  }
  // Running from source (tests, development): read the YAML itself, once per process and content (a
  // 2,000-line parse on every evaluation is most of a table test's time). Neither there: a damaged install.
  const file = join(here, '..', '..', 'rules.yaml');
  const text = readTextIfExists(file);
  if (text === undefined) {
    throw new EnvironmentFault(bundled, "chaperone's compiled rules are missing", 'reinstall chaperone (npm install -g chaperone)');
  }
  if (sourceLayer?.text !== text) sourceLayer = { text, read: readLayer(file, text) };
  const { layer, complain } = await sourceLayer.read;
  return applyLayer(emptyConfig(), layer, 'builtin', complain);
}

let sourceLayer: { text: string; read: ReturnType<typeof readLayer> } | undefined;

/** Parses and validates one YAML file into a layer. */
export async function readLayer(file: string, text: string): Promise<{ layer: Layer; complain: Complain }> {
  const loaded = await import('yaml');
  // Bundled, `yaml` is its CommonJS build and arrives as a default export.
  const { parseDocument, LineCounter, isNode, isMap, isScalar } = ((loaded as { default?: unknown }).default ?? loaded) as typeof import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(file, pos.line, pos.col, first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
  }
  const complain: Complain = (path: Path, problem: string, at = 'value') => {
    const last = path.at(-1);
    if (at === 'key' && last !== undefined) {
      const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && item.key.value === last) : undefined;
      if (isNode(pair?.key) && pair.key.range) {
        const pos = lineCounter.linePos(pair.key.range[0]);
        throw new ConfigError(file, pos.line, pos.col, problem);
      }
    }
    // Point at the deepest node of the path that exists.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        throw new ConfigError(file, pos.line, pos.col, problem);
      }
    }
    throw new ConfigError(file, undefined, undefined, problem);
  };
  const layer = validateLayer(doc.toJS({ maxAliasCount: 100 }), file, new Set(toolNames), complain);
  return { layer, complain };
}

/**
 * A user or project file, parsed and validated once per content: the layer is cached in the account's
 * chaperone state directory (src/rules/layer-cache.ts), keyed by a hash of this build and the file's
 * path, and counted only for the text it was made from, so a 1,000-rule file costs reading a few
 * sections, not a YAML parse, on every call, and a call parses only the cached rules it can match. A
 * cached layer is applied exactly as a parsed one (a project layer still may only tighten); when
 * applying it finds a problem, the file is parsed again so the message can point at the line.
 */
async function applyFile(config: Config, file: string, bytes: Buffer, trust: Trust, env: NodeJS.ProcessEnv): Promise<Config> {
  const cache = layerCachePath(file, env);
  const cached = readCachedLayer(cache, bytes);
  if (cached) {
    try {
      return applyCachedLayer(config, cached.layer, cached.rules, trust, () => {
        throw needsParse;
      });
    } catch (error) {
      if (error !== needsParse) throw error;
    }
  }
  const { layer, complain } = await readLayer(file, bytes.toString('utf8'));
  const applied = applyLayer(config, layer, trust, complain);
  writeCachedLayer(cache, bytes, layer);
  return applied;
}

const needsParse = new Error('parse the file for a positioned message');

/**
 * One cache file per rules file and build. It holds the text it was compiled from, and counts only when
 * that is the text read now: comparing costs microseconds, where hashing a large file's text would
 * first load node:crypto (src/hash.ts). The text is kept as it is (as a JSON string it would be escaped
 * on writing and unescaped, and copied, on every read), and compared as bytes, undecoded: a string of a
 * few hundred kilobytes is young garbage, and a thousand-rule file's two were a scavenge of their own
 * (BENCHMARKS.md).
 */
function layerCachePath(file: string, env: NodeJS.ProcessEnv): string {
  const build = `${statSync(import.meta.filename ?? fileURLToPath(import.meta.url)).mtimeMs}`;
  const key = nameOf(`${build}\0${file}`);
  // Under the account's own state directory, like the rules file it caches: a cache the caller's
  // environment could move would let an agent hand in a layer of its own for the user's file.
  return join(chaperoneStateDir(env), 'layer-cache', `${key}.json`);
}

/**
 * A file name for the cache entry of a rules file and build: FNV-1a (32 bits) of the pair. It only
 * names the entry; what makes an entry count is the text it holds (readCachedLayer), so two files
 * that shared a name would cost each other a parse, never a wrong layer. It was a SHA-256: on a benign
 * call with a user file the process's only one, run cold in the interpreter (~0.3-0.5 ms).
 */
function nameOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function readCachedLayer(path: string, bytes: Buffer): ReturnType<typeof readCacheEntry> {
  // A process that decides many calls (the resident decision, src/server/) keeps the entry it read
  // last for each file, and uses it again while the file holds the very same bytes.
  const kept = keptLayers.get(path);
  if (kept && kept.bytes.equals(bytes)) return kept.entry;
  try {
    const cached = readBytesIfExists(path);
    const entry = cached === undefined ? undefined : readCacheEntry(cached, bytes, path);
    if (entry) keptLayers.set(path, { bytes: Buffer.from(bytes), entry });
    return entry;
  } catch {
    return undefined; // absent, unreadable or torn: parse the file instead
  }
}

const keptLayers = new Map<string, { bytes: Buffer; entry: NonNullable<ReturnType<typeof readCacheEntry>> }>();

/** Best effort: a cache that cannot be written only costs the next call a parse. */
function writeCachedLayer(path: string, bytes: Buffer, layer: Layer): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}`;
    writeFileSync(temporary, cacheEntry(layer, bytes), { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // read-only home, full disk: nothing to do
  }
}
