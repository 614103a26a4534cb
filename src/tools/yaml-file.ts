// Reading a tool's own YAML file (doctl's config.yaml, gh's config.yml and hosts.yml). `yaml` is loaded
// on first use, synchronously, so only an invocation that needs the file pays for the parser; the
// shim's start-up never does.

import { createRequire } from 'node:module';
import { readTextIfExists } from '../context/files.js';

export type YamlFile = { kind: 'read'; data: unknown } | { kind: 'missing' } | { kind: 'unreadable'; why: string };

export function readYamlFile(path: string): YamlFile {
  try {
    const text = readTextIfExists(path);
    if (text === undefined) return { kind: 'missing' };
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    return { kind: 'read', data: parse(text) };
  } catch (error) {
    return { kind: 'unreadable', why: (error as Error).message.split('\n')[0] };
  }
}

/** The mapping at `data`, or an empty one when the file holds something else. */
export function mappingOf(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}
