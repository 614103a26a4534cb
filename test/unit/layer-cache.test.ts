// A cached user or project layer (src/rules/layer-cache.ts) is read a tool and a first word at a
// time: for seeded layers and calls, a config with the layer read from its cache entry finds exactly
// what the same layer applied whole finds, in the same order; the CLI sees every rule; a later layer's
// rules stay after it; a damaged entry stops the call with its name.

import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/model.js';
import { allRules, applyCachedLayer, applyLayer, emptyConfig, type Config, type Rule } from '../../src/rules/config.js';
import { cacheEntry, readCacheEntry } from '../../src/rules/layer-cache.js';
import { matchConfig, matchRules } from '../../src/rules/match.js';
import type { Complain, Layer, RuleEntry } from '../../src/rules/schema.js';
import { EnvironmentFault } from '../../src/errors.js';
import { random } from '../helpers/random.js';

const fail: Complain = (path, problem) => {
  throw new Error(`${path.join('.')}: ${problem}`);
};

const layerOf = (rules: RuleEntry[], file = 'user.yaml'): Layer => ({ file, environments: {}, policy: {}, targets: {}, rules, disable: [], protectedBranches: [] });

/** The layer applied from its cache entry, as loadConfig applies a cached one. */
function cachedOnto(config: Config, layer: Layer): Config {
  const text = Buffer.from(`# the file of ${layer.file}\n`, 'utf8');
  const entry = readCacheEntry(cacheEntry(layer, text), text, '/state/layer-cache/x.json')!;
  return applyCachedLayer(config, entry.layer, entry.rules, 'user', fail);
}

const shape = (r: Rule) => ({ id: r.id, tools: r.tools, command: r.command, with: r.with, without: r.without, effect: r.effect, summary: r.summary, file: r.file });

describe('a cached layer read a tool and a first word at a time', () => {
  const next = random(20261206);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const tools = ['aws', 'railway', 'kubectl'];
  const words = ['a', 'b', 'ab', 'delete', 'rb', 's3', ''];
  const pieces = ['a', 'b', 'ab', 'delete', '|', '*', ' ', '\t', '\u00a0', 'rb', 's3'];
  const path = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(pieces)).join('');
  const seededRules = (n: number, prefix: string): RuleEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${prefix}.${i}`,
      tools: next() < 0.2 ? [pick(tools), pick(tools)] : [pick(tools)],
      command: Array.from({ length: Math.floor(next() * 3) }, path),
      with: next() < 0.2 ? ['--force'] : [],
      without: next() < 0.1 ? ['--dry-run'] : [],
      effect: 'destroy',
      summary: `rule ${i}`,
    }));
  const seededCommand = (): Command => ({
    path: Array.from({ length: Math.floor(next() * 3) }, () => pick(words)),
    flags: new Map(next() < 0.5 ? [['--force', ['']]] : next() < 0.5 ? [['--dry-run', ['']]] : []),
  });

  it('finds what the layer applied whole finds, for seeded layers and calls', () => {
    let found = 0;
    for (let round = 0; round < 40; round++) {
      // Rules read whole before it (as a system layer's), the cached layer, and a project layer after it.
      const before = applyLayer(emptyConfig(), layerOf(seededRules(10, `sys${round}`), 'system.yaml'), 'system', fail);
      const mine = layerOf(seededRules(60, `user${round}`));
      const project = layerOf(seededRules(5, `proj${round}`), 'project.yaml');
      const whole = applyLayer(applyLayer(before, mine, 'user', fail), project, 'project', fail);
      const cached = applyLayer(cachedOnto(before, mine), project, 'project', fail);
      expect(allRules(cached).map(shape)).toEqual(whole.rules.map(shape));
      for (let call = 0; call < 60; call++) {
        const tool = pick(tools);
        const commands = Array.from({ length: 1 + Math.floor(next() * 2) }, seededCommand);
        const expected = matchRules(tool, { commands, help: false }, whole.rules);
        found += expected.length;
        expect(matchConfig(tool, { commands, help: false }, cached), JSON.stringify({ tool, commands: commands.map((c) => c.path) })).toEqual(expected);
      }
    }
    // The calls meet rules: the comparison is not of empty lists.
    expect(found).toBeGreaterThan(500);
  });

  it('leaves out the rules a call cannot match: one rule of a thousand is made for a call that names its word', () => {
    const thousand = Array.from({ length: 1000 }, (_, i): RuleEntry => ({ id: `bench.${i}`, tools: ['aws'], command: [`bench${i} delete`], with: [], without: [], effect: 'destroy', summary: `rule ${i}` }));
    const text = Buffer.from('rules: ...\n');
    const entry = readCacheEntry(cacheEntry(layerOf(thousand), text), text, '/x')!;
    expect(entry.rules.of('aws', ['bench7']).map((r) => r.id)).toEqual(['bench.7']);
    expect(entry.rules.of('aws', ['s3'])).toEqual([]);
    expect(entry.rules.of('railway')).toEqual([]);
    expect(entry.rules.of('aws')).toHaveLength(1000);
  });

  it('complains as applyLayer does about an id already in force, and lets a later user layer disable its rules', () => {
    const base = applyLayer(emptyConfig(), layerOf([{ id: 'taken', tools: ['aws'], command: ['x'], with: [], without: [], effect: 'destroy', summary: 's' }], 'system.yaml'), 'system', fail);
    const clash = layerOf([{ id: 'taken', tools: ['aws'], command: ['y'], with: [], without: [], effect: 'destroy', summary: 's' }]);
    expect(() => cachedOnto(base, clash)).toThrow('rules.0.id: rule id "taken" is already defined');
    const mine = layerOf([{ id: 'mine', tools: ['aws'], command: ['y'], with: [], without: [], effect: 'destroy', summary: 's' }]);
    const disabled = applyLayer(cachedOnto(base, mine), { ...layerOf([], 'later.yaml'), disable: ['mine'] }, 'user', fail);
    expect(allRules(disabled).map((r) => r.id)).toEqual(['taken']);
    expect(matchConfig('aws', { commands: [{ path: ['y'], flags: new Map() }], help: false }, disabled)).toEqual([]);
  });

  it('is not counted for other text, and a damaged section stops the call naming the entry', () => {
    const layer = layerOf([{ id: 'r', tools: ['aws'], command: ['rb'], with: [], without: [], effect: 'destroy', summary: 's' }]);
    const text = Buffer.from('rules: [r]\n');
    const bytes = cacheEntry(layer, text);
    expect(readCacheEntry(bytes, Buffer.from('rules: [q]\n'), '/x')).toBeUndefined();
    expect(readCacheEntry(bytes.subarray(0, bytes.length - 1), text, '/x')).toBeUndefined();
    expect(readCacheEntry(Buffer.from('{"rules": ['), text, '/x')).toBeUndefined();
    // The rule's line made unreadable, its length kept.
    const at = bytes.indexOf('{"id":"r"');
    const broken = Buffer.from(bytes);
    broken.write('#', at);
    const entry = readCacheEntry(broken, text, '/state/layer-cache/x.json')!;
    expect(() => entry.rules.of('aws', ['rb'])).toThrow(EnvironmentFault);
    expect(() => entry.rules.of('aws', ['rb'])).toThrow(/x\.json/);
  });
});
