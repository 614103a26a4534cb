// Finding and reading the rules layers. The built-in layer ships pre-validated as dist/rules.json so the
// shim's hot path never loads a YAML parser; a user or project file is read with `yaml`, lazily, and
// every problem is reported with its file, line and column.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { ancestors, chaperoneConfigDir, readTextIfExists } from '../context/files.js';
import { toolNames } from '../tools/index.js';
import { applyLayer, emptyConfig, type Config, type Trust } from './config.js';
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
  const userFile = userConfigPath(env);
  const userText = readTextIfExists(userFile);
  if (userText !== undefined) config = await applyFile(config, userFile, userText, 'user');
  const projectFile = findProjectFile(cwd);
  if (projectFile) config = await applyFile(config, projectFile, readFileSync(projectFile, 'utf8'), 'project');
  return config;
}

async function loadBuiltin(): Promise<Config> {
  const bundled = new URL('./rules.json', import.meta.url);
  const json = readTextIfExists(fileURLToPath(bundled));
  if (json !== undefined) {
    const layer = JSON.parse(json) as Layer;
    return applyLayer(emptyConfig(), layer, 'builtin', (path, problem) => {
      throw new ConfigError(layer.file, undefined, undefined, `${path.join('.')}: ${problem}`);
    });
  }
  // Running from source (tests, development): read the YAML itself.
  const file = fileURLToPath(new URL('../../rules.yaml', import.meta.url));
  return applyFile(emptyConfig(), file, readFileSync(file, 'utf8'), 'builtin');
}

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

async function applyFile(config: Config, file: string, text: string, trust: Trust): Promise<Config> {
  const { layer, complain } = await readLayer(file, text);
  return applyLayer(config, layer, trust, complain);
}
