// The built-in rules as the build compiles them (src/rules/compiled.ts): a call reads only its tool's
// section, and must get exactly what the whole catalogue gave it, for every tool, with and without a
// user's file that disables and adds rules; a damaged file stops the call.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/model.js';
import { allRules, applyLayer, builtinConfig, emptyConfig, rulesFor, type Config, type Rule } from '../../src/rules/config.js';
import { compileRules, readCompiledRules } from '../../src/rules/compiled.js';
import { readLayer } from '../../src/rules/load.js';
import { matchRules } from '../../src/rules/match.js';
import type { Complain, Layer } from '../../src/rules/schema.js';
import { toolNames } from '../../src/tools/index.js';
import { EnvironmentFault } from '../../src/errors.js';
import { sandboxRoots } from '../helpers/sandbox.js';

const fail: Complain = (path, problem) => {
  throw new Error(`${path.join('.')}: ${problem}`);
};

let layer: Layer;
let whole: Config;
let perTool: Config;
let file: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chaperone-compiled-'));
  sandboxRoots.push(dir);
  return dir;
}

beforeAll(async () => {
  layer = (await readLayer('rules.yaml (built-in)', readFileSync(new URL('../../rules.yaml', import.meta.url), 'utf8'))).layer;
  whole = applyLayer(emptyConfig(), layer, 'builtin', fail);
  file = join(tempDir(), 'rules.json');
  writeFileSync(file, compileRules(layer, toolNames));
  perTool = builtinConfig(readCompiledRules(file)!, fail);
});

/** What a rule is, as matching reads it. */
const shape = (r: Rule) => ({ id: r.id, tools: r.tools, command: r.command, with: r.with, without: r.without, effect: r.effect, summary: r.summary, file: r.file });
const ofTool = (rules: readonly Rule[], tool: string) => rules.filter((r) => r.tools.includes(tool)).map(shape);

/** A command each rule's paths and flag conditions describe: the first spelling of each word, globs filled in. */
function commandsOf(rules: readonly Rule[]): Command[] {
  return rules.flatMap((rule) =>
    (rule.command.length ? rule.command : ['']).map((text) => ({
      path: text.trim().split(/\s+/).filter(Boolean).map((word) => word.split('|')[0].replaceAll('*', 'x')),
      flags: new Map(rule.with.map((c) => [c.flag, [c.value ?? (c.below !== undefined ? String(c.below - 1) : 'yes')]])),
    })),
  );
}

function sameAnswers(a: Config, b: Config): void {
  for (const tool of toolNames) {
    expect(ofTool(rulesFor(b, tool), tool), tool).toEqual(ofTool(a.rules, tool));
    const commands = commandsOf(a.rules.filter((r) => r.tools.includes(tool)));
    // Every rule of the tool is met by some command, and each command finds the same rules, in order.
    for (const command of commands) {
      expect(matchRules(tool, { commands: [command], help: false }, rulesFor(b, tool)), `${tool} ${command.path.join(' ')}`).toEqual(matchRules(tool, { commands: [command], help: false }, a.rules));
    }
  }
  expect(allRules(b).map(shape)).toEqual(a.rules.map(shape));
}

describe('built-in rules read a tool at a time', () => {
  it('give every tool the rules, in the order, and the answers the whole catalogue gives', () => {
    expect(whole.rules.length).toBeGreaterThan(400);
    // The test reaches rules: most commands it builds are matched.
    let matched = 0;
    for (const tool of toolNames) for (const c of commandsOf(whole.rules.filter((r) => r.tools.includes(tool)))) if (matchRules(tool, { commands: [c], help: false }, whole.rules).length) matched++;
    expect(matched).toBeGreaterThan(400);
    sameAnswers(whole, perTool);
    // Everything but the rules is folded as before.
    const { rules: _a, builtin: _b, ...settings } = perTool;
    const { rules: _c, ...wholeSettings } = whole;
    expect(settings).toEqual(wholeSettings);
  });

  it('holds each tool rule in its own section, with the layer without rules at the head', () => {
    const text = readFileSync(file, 'utf8');
    const header = JSON.parse(text.slice(0, text.indexOf('\n')));
    expect(header.layer.rules).toEqual([]);
    expect(Object.keys(header.sections).sort()).toEqual(['ids', ...toolNames].sort());
    const railway = readCompiledRules(file)!.entries('railway');
    expect(railway.length).toBeGreaterThan(3);
    expect(railway.every((r) => r.tools.includes('railway'))).toBe(true);
    expect(readCompiledRules(file)!.entries('no-such-tool')).toEqual([]);
    expect(readCompiledRules(file)!.entries('ids')).toEqual([]);
  });

  it('give the same answers under a user file that disables rules, adds its own, and reuses a disabled id', async () => {
    const [first, second] = [whole.rules.find((r) => r.tools.includes('railway'))!, whole.rules.find((r) => r.tools.includes('aws'))!];
    const user = (
      await readLayer(
        'user.yaml',
        [
          `disable: [${first.id}, ${second.id}]`,
          'rules:',
          `  - { id: ${first.id}, tool: railway, command: "volume delete", effect: destroy, summary: mine now }`,
          '  - { id: user.aws.extra, tool: [aws, railway], command: "s3 rb", effect: destroy, summary: extra }',
          '',
        ].join('\n'),
      )
    ).layer;
    const a = applyLayer(whole, user, 'user', fail);
    const b = applyLayer(perTool, user, 'user', fail);
    sameAnswers(a, b);
    expect(rulesFor(b, 'aws').some((r) => r.id === second.id)).toBe(false);
    expect(rulesFor(b, 'railway').filter((r) => r.id === first.id).map((r) => r.summary)).toEqual(['mine now']);
  });

  it('complain as the whole catalogue does: an unknown id disabled, a built-in id defined again', async () => {
    for (const text of ['disable: [no.such.rule]\n', `rules:\n  - { id: ${whole.rules[0].id}, tool: railway, command: x, effect: destroy, summary: s }\n`]) {
      const user = (await readLayer('user.yaml', text)).layer;
      const complaint = (config: Config) => {
        try {
          applyLayer(config, user, 'user', fail);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      };
      expect(complaint(perTool)).toBeDefined();
      expect(complaint(perTool)).toBe(complaint(whole));
    }
  });

  it('stop the call when the file is damaged', () => {
    const dir = tempDir();
    const text = readFileSync(file, 'utf8');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"rules": [oops');
    expect(() => readCompiledRules(broken)).toThrow(SyntaxError);
    // A header whose sections run past the end of the file (the file cut short).
    writeFileSync(broken, text.slice(0, text.length - 100));
    const cut = readCompiledRules(broken)!;
    const last = toolNames.at(-1)!;
    expect(() => cut.entries(last)).toThrow(EnvironmentFault);
    // A section that is not JSON.
    const header = text.slice(0, text.indexOf('\n') + 1);
    writeFileSync(broken, header + 'x'.repeat(text.length - header.length));
    expect(() => readCompiledRules(broken)!.entries('railway')).toThrow(SyntaxError);
    // The whole layer as one object, as builds before this form wrote it.
    writeFileSync(broken, `${JSON.stringify(layer)}\n`);
    expect(() => readCompiledRules(broken)).toThrow(/not compiled rules in the form this build reads/);
    expect(readCompiledRules(join(dir, 'absent.json'))).toBeUndefined();
  });
});
