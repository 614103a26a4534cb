// What the Node migration tools that pick a section of their config by environment share (knex,
// sequelize-cli): the environment's name (--env, else NODE_ENV, else development, as each defaults),
// and a JavaScript or JSON config file read literally (js-config.ts), with the variables it reads from
// the environment or from ./.env when the file loads one.

import { join } from 'node:path';
import type { Evidence, Identifier, ResolvedTarget } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { databaseKeys, hostKeys, resolveValues, targetOfResolution, urlKeys, type Resolution } from './connection-config.js';
import { readDotenvFiles } from './dotenv.js';
import { readConfigValues, sectionOf, type ConfigValue } from './js-config.js';

export interface EnvironmentName {
  name: string;
  from: Evidence;
}

/** `--env`, else NODE_ENV, else development. */
export function environmentName(flag: string | undefined, env: NodeJS.ProcessEnv): EnvironmentName {
  if (flag) return { name: flag, from: { source: 'flag', key: '--env', value: flag } };
  if (env.NODE_ENV) return { name: env.NODE_ENV, from: { source: 'env', key: 'NODE_ENV', value: env.NODE_ENV } };
  return { name: 'development', from: { source: 'default', key: 'environment', value: 'development (no --env, no NODE_ENV)' } };
}

/**
 * The target of one environment's section of a config file: its URL, host and database keys, or the
 * whole file's when it has no section of that name. `extra` (the environment's name) is always part of it.
 */
export function configTarget(path: string, environment: EnvironmentName | undefined, env: NodeJS.ProcessEnv, cwd: string, extraKeys: string[] = []): ResolvedTarget {
  const shown = displayPath(path, env);
  const named: { evidence: Evidence[]; identifiers: Identifier[] }[] = environment ? [{ evidence: [environment.from], identifiers: [{ kind: 'name', value: environment.name }] }] : [];
  const resolution: Resolution = { parts: [], unknown: [] };
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch (error) {
    resolution.unknown.push(`${shown} cannot be read (${(error as Error).message})`);
    return targetOfResolution(resolution, named, environment?.name);
  }
  if (text === undefined) {
    resolution.parts.push({ evidence: [{ source: 'file', key: 'config', value: 'not found', file: shown }], identifiers: [] });
    return targetOfResolution(resolution, named, environment?.name);
  }
  const keys = [...urlKeys, ...hostKeys, ...databaseKeys, 'connection', ...extraKeys];
  let values: ConfigValue[];
  let loadsDotenv = false;
  if (path.endsWith('.json')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      const section = (environment && typeof json[environment.name] === 'object' ? json[environment.name] : json) as Record<string, unknown>;
      values = jsonValues(section ?? {}, keys);
    } catch (error) {
      resolution.unknown.push(`${shown} is not valid JSON (${(error as Error).message})`);
      return targetOfResolution(resolution, named, environment?.name);
    }
  } else {
    const section = (environment && sectionOf(text, environment.name)) ?? text;
    const reading = readConfigValues(section, keys);
    // `connection: { … }` is an object, read through its own keys; `connection: 'postgres://…'` a URL.
    values = reading.values.filter((v) => !(v.key === 'connection' && v.kind === 'opaque' && v.text.startsWith('{')));
    values = values.map((v) => (v.key === 'connection' ? { ...v, key: 'url' } : v));
    loadsDotenv = readConfigValues(text, []).loadsDotenv;
  }
  const { files } = loadsDotenv ? readDotenvFiles([join(cwd, '.env')]) : { files: [] };
  const found = resolveValues(values, { env, files, base: cwd, file: shown });
  if (values.length === 0) found.parts.push({ evidence: [{ source: 'file', key: environment?.name ?? 'config', value: 'names no url, host or database', file: shown }], identifiers: [] });
  return targetOfResolution(found, named, environment?.name);
}

/** sequelize's config.json: `use_env_variable` names the variable holding the URL. */
function jsonValues(section: Record<string, unknown>, keys: string[]): ConfigValue[] {
  const out: ConfigValue[] = [];
  for (const [key, value] of Object.entries(section)) {
    if (key === 'use_env_variable' && typeof value === 'string') out.push({ key: 'url', kind: 'variable', name: value });
    else if (keys.includes(key) && (typeof value === 'string' || typeof value === 'number')) out.push({ key: key === 'connection' ? 'url' : key, kind: 'literal', value: String(value) });
  }
  return out;
}
