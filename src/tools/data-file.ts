// Reading a project's own JSON or YAML file (Pulumi.yaml, cdk.json, serverless.yml, a Pulumi workspace
// file): opened without blocking and read only when it is a regular file (startup-file.ts), so a FIFO in
// its place cannot hang the shim. A file that exists but cannot be read or parsed is reported with the
// reason, so the resolver can say so and leave the target unknown. `yaml` is loaded on first use.

import { createRequire } from 'node:module';
import { readStartupFile } from './startup-file.js';

export type DataFile = { kind: 'read'; data: unknown } | { kind: 'missing' } | { kind: 'unreadable'; why: string };

export function readDataFile(path: string, format: 'json' | 'yaml'): DataFile {
  const read = readStartupFile(path);
  if (read.kind !== 'text') return read;
  try {
    if (format === 'json') return { kind: 'read', data: JSON.parse(read.text) };
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    return { kind: 'read', data: parse(read.text) };
  } catch (error) {
    return { kind: 'unreadable', why: String((error as Error).message ?? error).split('\n')[0] };
  }
}

/** A string value at `key` of a mapping, or undefined. */
export function stringAt(data: unknown, ...keys: string[]): string | undefined {
  let node = data;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'string' ? node : typeof node === 'number' ? String(node) : undefined;
}
