// The layer cache's entries: a user's or project's rules file, validated once, kept so that a call
// reads only the rules it can match. With a file of a thousand rules of one tool, parsing every
// cached rule and keeping the objects alive through the scavenges that parse set off was most of
// what the file cost a call (~2 ms of 4.7; BENCHMARKS.md). An entry is:
//
//   line 1   the header: the layer without its rules, and where each section below starts and how
//            long it is, in bytes after this line
//   ids      every rule's id, in order (checked against the ids already in force, at every call)
//   index    where each rule's line starts, and per tool, the rules any call may match ("any": no
//            path, or one whose first word is a glob) and those a call's first word picks ("words")
//   rules    one line of JSON per rule
//   text     the rules file's bytes as they were when the entry was made; the entry counts only for them
//
// The index is conservative: it may name a rule a call then does not match, never leave out one it
// would (the same first-word reading as mayStartWith in config.ts; test/unit/layer-cache.test.ts).

import { EnvironmentFault } from '../errors.js';
import { loadedRule, type Rule, type RuleSource } from './config.js';
import type { Layer, RuleEntry } from './schema.js';

interface Header {
  layer: Layer;
  ids: [number, number];
  index: [number, number];
  rules: [number, number];
}

interface Index {
  /** Where each rule's line starts in the rules section, and where the last ends. */
  at: number[];
  /**
   * Per tool: the rules any call may match, and the rules each first word picks, as one string of
   * lines `"word"<tab>3,17` (the word as a JSON string, so neither a tab nor a line break can be in
   * it). One string is found in without being taken apart: as an object of a thousand keys, parsing
   * the index took 0.3 ms.
   */
  tools: Record<string, { any: number[]; words: string }>;
}

/** An entry's bytes for a validated layer and the file's bytes it was made from. */
export function cacheEntry(layer: Layer, text: Buffer): Buffer {
  const lines = layer.rules.map((rule) => Buffer.from(`${JSON.stringify(rule)}\n`, 'utf8'));
  const index: Index = { at: [0], tools: {} };
  const byTool = new Map<string, { any: number[]; words: Map<string, number[]> }>();
  lines.forEach((line, i) => {
    index.at.push(index.at[i] + line.length);
    const rule = layer.rules[i];
    const words = firstWords(rule);
    for (const tool of new Set(rule.tools)) {
      let entry = byTool.get(tool);
      if (!entry) byTool.set(tool, (entry = { any: [], words: new Map() }));
      if (words === 'any') entry.any.push(i);
      else for (const word of words) entry.words.set(word, [...(entry.words.get(word) ?? []), i]);
    }
  });
  for (const [tool, entry] of byTool) {
    index.tools[tool] = { any: entry.any, words: [...entry.words].map(([word, rules]) => `${JSON.stringify(word)}\t${rules.join(',')}\n`).join('') };
  }
  const ids = Buffer.from(`${JSON.stringify(layer.rules.map((r) => r.id))}\n`, 'utf8');
  const indexBytes = Buffer.from(`${JSON.stringify(index)}\n`, 'utf8');
  const rulesLength = index.at[lines.length];
  const header: Header = { layer: { ...layer, rules: [] }, ids: [0, ids.length], index: [ids.length, indexBytes.length], rules: [ids.length + indexBytes.length, rulesLength] };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), ids, indexBytes, ...lines, text]);
}

/**
 * The words a call's first word must be one of for `rule` to match it, or "any" when no first word
 * can be ruled out: as compilePath splits a path (on whitespace after trimming), a path with no words
 * or a glob in its first word, or a rule with no paths at all.
 */
function firstWords(rule: RuleEntry): string[] | 'any' {
  if (rule.command.length === 0) return 'any';
  const words = new Set<string>();
  for (const text of rule.command) {
    const first = text.trim().split(/\s+/)[0];
    if (first === '' || first.includes('*')) return 'any';
    for (const word of first.split('|')) words.add(word);
  }
  return [...words];
}

/**
 * The entry's layer and its rules as a source, when `cached` is an entry made from `text`; undefined
 * when it is not (another file's, an older build's form, torn). Sections are parsed when first asked
 * for; one found damaged then stops the call with the entry's name (it is chaperone's own file).
 */
export function readCacheEntry(cached: Buffer, text: Buffer, path: string): { layer: Layer; rules: RuleSource } | undefined {
  const end = cached.indexOf(0x0a);
  if (end === -1) return undefined;
  let header: Header;
  try {
    header = JSON.parse(cached.toString('utf8', 0, end)) as Header;
  } catch {
    return undefined;
  }
  const body = end + 1;
  const sections = [header?.ids, header?.index, header?.rules];
  if (!header?.layer || !sections.every((s) => Array.isArray(s) && s.length === 2 && Number.isSafeInteger(s[0]) && Number.isSafeInteger(s[1]) && s[0] >= 0 && s[1] >= 0)) return undefined;
  const textAt = body + header.rules[0] + header.rules[1];
  if (header.ids[0] + header.ids[1] > header.index[0] || header.index[0] + header.index[1] > header.rules[0]) return undefined;
  if (cached.length - textAt !== text.length || !text.equals(cached.subarray(textAt))) return undefined;
  const file = header.layer.file;
  const damaged = (what: string) =>
    new EnvironmentFault(path, `this cache entry's ${what} is damaged`, `remove it (rm ${path}); it is made again from ${file} at the next call`);
  const parse = <T>(start: number, length: number, what: string): T => {
    try {
      return JSON.parse(cached.toString('utf8', body + start, body + start + length)) as T;
    } catch {
      throw damaged(what);
    }
  };
  let ids: string[] | undefined;
  let index: Index | undefined;
  const made = new Map<number, Rule>();
  const getIndex = () => (index ??= parse<Index>(header.index[0], header.index[1], 'index'));
  const rule = (i: number): Rule => {
    let found = made.get(i);
    if (!found) {
      const at = getIndex().at;
      if (!(i + 1 < at.length && at[i] <= at[i + 1] && at[i + 1] <= header.rules[1])) throw damaged('index');
      const entry = parse<RuleEntry>(header.rules[0] + at[i], at[i + 1] - at[i], `rule ${i + 1}`);
      made.set(i, (found = loadedRule(entry, file)));
    }
    return found;
  };
  const rules: RuleSource = {
    ids: () => (ids ??= parse<string[]>(header.ids[0], header.ids[1], 'ids')),
    of: (tool, words) => {
      const tools = getIndex().tools;
      if (!Object.hasOwn(tools, tool)) return [];
      const entry = tools[tool];
      const picked = new Set(entry.any);
      const add = (list: string) => {
        for (const i of list.split(',')) picked.add(Number(i));
      };
      if (words === undefined) {
        for (const line of entry.words.split('\n')) if (line) add(line.slice(line.lastIndexOf('\t') + 1));
      } else {
        const table = `\n${entry.words}`;
        for (const word of new Set(words)) {
          if (word === undefined) continue;
          const key = `\n${JSON.stringify(word)}\t`;
          const at = table.indexOf(key);
          if (at !== -1) add(table.slice(at + key.length, table.indexOf('\n', at + key.length)));
        }
      }
      return [...picked].sort((a, b) => a - b).map(rule);
    },
    all: () => rules.ids().map((_, i) => rule(i)),
  };
  return { layer: header.layer, rules };
}
