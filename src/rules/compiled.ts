// The built-in rules as the build writes them (dist/rules.json), read a tool at a time. A call matches
// the rules of its own tool (and of the tools a nested line runs), yet parsing the whole catalogue,
// 110 KB of JSON for ~490 rules, was most of what loading the rules cost a refusal (BENCHMARKS.md).
//
// The file stays one file, so that the shim's fast path, which compares its mtime with the shim's
// (src/shim/fast-path.ts), still sees every change to it. Its first line is a header: the built-in
// layer without its rules, and where each section of the rest starts and how long it is, in bytes:
// "ids" (every rule's id, in order: what a user's `disable` and a new rule's id are checked against),
// then one section per tool, the rules that name it in catalogue order (a rule of two tools is in
// both). Sections are sliced from the bytes read at load, so all of a call's rules come from one read.

import { readFileSync } from 'node:fs';
import { EnvironmentFault } from '../errors.js';
import type { Layer, RuleEntry } from './schema.js';

export interface CompiledRules {
  /** The built-in layer, without its rules. */
  layer: Layer;
  /** Every rule's id, in catalogue order. */
  ids(): string[];
  /** The rules that name `tool`, in catalogue order. */
  entries(tool: string): RuleEntry[];
  /** Every rule once, in catalogue order. */
  allEntries(): RuleEntry[];
}

interface Header {
  layer: Layer;
  /** Section name ("ids", or a tool) → [start, length] in bytes after the header's line. */
  sections: Record<string, [number, number]>;
}

/** The file's text for a validated layer; `tools` are the tools chaperone knows (each gets a section, empty or not). */
export function compileRules(layer: Layer, tools: readonly string[]): string {
  const sections: Header['sections'] = {};
  const parts: string[] = [];
  let at = 0;
  const add = (name: string, value: unknown) => {
    const text = `${JSON.stringify(value)}\n`;
    const length = Buffer.byteLength(text, 'utf8');
    sections[name] = [at, length];
    parts.push(text);
    at += length;
  };
  add('ids', layer.rules.map((r) => r.id));
  for (const tool of tools) add(tool, layer.rules.filter((r) => r.tools.includes(tool)));
  const header: Header = { layer: { ...layer, rules: [] }, sections };
  // JSON.stringify writes no line break of its own: the first one ends the header.
  return `${JSON.stringify(header)}\n${parts.join('')}`;
}

/**
 * The compiled rules at `path`; undefined when there is no such file. The header is parsed now (a
 * damaged file stops the call here, in loadConfig); each section when it is first asked for.
 */
export function readCompiledRules(path: string): CompiledRules | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new EnvironmentFault(path, (error as Error).message, 'reinstall chaperone (npm install -g chaperone)');
  }
  const end = bytes.indexOf(0x0a);
  const header = JSON.parse(bytes.toString('utf8', 0, end === -1 ? bytes.length : end)) as Header;
  if (typeof header?.layer !== 'object' || header.layer === null || typeof header.sections !== 'object' || header.sections === null || end === -1) {
    throw new EnvironmentFault(path, 'it is not compiled rules in the form this build reads (from another version, or damaged)', 'reinstall chaperone (npm install -g chaperone)');
  }
  const body = end + 1;
  const section = <T>(name: string): T | undefined => {
    const where = header.sections[name];
    if (where === undefined) return undefined;
    const [start, length] = where;
    if (!(start >= 0 && length >= 0 && body + start + length <= bytes.length)) {
      throw new EnvironmentFault(path, `its section "${name}" runs past the end of the file: the file is damaged`, 'reinstall chaperone (npm install -g chaperone)');
    }
    return JSON.parse(bytes.toString('utf8', body + start, body + start + length)) as T;
  };
  let ids: string[] | undefined;
  return {
    layer: header.layer,
    ids: () => (ids ??= section<string[]>('ids') ?? []),
    // A tool without a section is one this build does not know: no built-in rule can name it.
    entries: (tool) => (Object.hasOwn(header.sections, tool) && tool !== 'ids' ? (section<RuleEntry[]>(tool) ?? []) : []),
    allEntries: () => {
      const byId = new Map<string, RuleEntry>();
      for (const name of Object.keys(header.sections)) if (name !== 'ids') for (const rule of section<RuleEntry[]>(name) ?? []) byId.set(rule.id, rule);
      return (ids ??= section<string[]>('ids') ?? []).map((id) => {
        const rule = byId.get(id);
        if (!rule) throw new EnvironmentFault(path, `rule "${id}" is in no tool's section: the file is damaged`, 'reinstall chaperone (npm install -g chaperone)');
        return rule;
      });
    },
  };
}
