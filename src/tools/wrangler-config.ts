// Wrangler's own configuration file: wrangler.json, wrangler.jsonc or wrangler.toml. Wrangler looks
// for each name upwards from the working directory, in that order (config-helpers findWranglerConfig),
// unless -c/--config names the file. TOML is read with smol-toml, loaded only when a TOML file is found;
// JSONC is JSON with comments and trailing commas.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence } from '../model.js';
import { ancestors, displayPath, readTextIfExists } from '../context/files.js';

export type WranglerConfig =
  | { kind: 'read'; file: string; shown: string; data: Record<string, unknown> }
  | { kind: 'missing'; evidence: Evidence }
  | { kind: 'unreadable'; file: string; shown: string; why: string };

const names = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'];

export async function readWranglerConfig(cwd: string, configFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<WranglerConfig> {
  const candidates = configFlag !== undefined ? [resolvePath(cwd, configFlag)] : names.flatMap((name) => ancestors(cwd).map((dir) => join(dir, name)));
  for (const file of candidates) {
    const shown = displayPath(file, env);
    let text: string | undefined;
    try {
      text = readTextIfExists(file);
    } catch (error) {
      return { kind: 'unreadable', file, shown, why: (error as Error).message };
    }
    if (text === undefined) continue;
    try {
      const data = file.endsWith('.toml') ? (await import('smol-toml')).parse(text) : JSON.parse(withoutJsonComments(text));
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return { kind: 'unreadable', file, shown, why: 'not an object' };
      return { kind: 'read', file, shown, data: data as Record<string, unknown> };
    } catch (error) {
      return { kind: 'unreadable', file, shown, why: (error as Error).message.split('\n')[0] };
    }
  }
  const where = configFlag !== undefined ? `-c ${configFlag}: no such file` : `no ${names.join(', ')} at or above ${displayPath(cwd, env)}`;
  return { kind: 'missing', evidence: { source: 'default', key: 'config', value: where } };
}

/** JSONC as JSON: comments outside strings removed, and commas before a closing bracket. */
export function withoutJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = (eol === -1 ? text.length : eol) - 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === ',' && /^\s*[}\]]/.test(text.slice(i + 1, i + 4096))) {
      continue; // a trailing comma
    } else {
      out += c;
    }
  }
  return out;
}

/** An object-valued key, or an empty object. */
export function objectAt(data: unknown, key: string): Record<string, unknown> {
  const value = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>)[key] : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A string-valued key, or undefined. */
export function stringAt(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An array of objects at a key (d1_databases, kv_namespaces, r2_buckets). */
export function entriesAt(data: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const value = data[key];
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)) : [];
}
