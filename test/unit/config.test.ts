// Layers: the built-in rules, the user's file, the project's. Bad files are fatal, with their line;
// a project file may add and tighten, never loosen.

import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { loadConfig, readLayer } from '../../src/rules/load.js';
import { allRules } from '../../src/rules/config.js';
import { cacheEntry } from '../../src/rules/layer-cache.js';
import type { Layer } from '../../src/rules/schema.js';
import { evaluate } from '../../src/evaluate.js';
import { table } from '../helpers/cases.js';

function world(files: { user?: string; project?: string }) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-config-')));
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  const cwd = join(repo, 'sub', 'dir');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  if (files.user !== undefined) writeFileSync(join(home, '.config', 'chaperone', 'rules.yaml'), files.user);
  if (files.project !== undefined) writeFileSync(join(repo, '.chaperone.yaml'), files.project);
  return { home, repo, cwd, env: { HOME: home } };
}

async function problemOf(files: { user?: string; project?: string }): Promise<string> {
  const w = world(files);
  try {
    await loadConfig(w.cwd, w.env);
    return 'loaded';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const file = error.file.endsWith('.chaperone.yaml') ? 'project' : 'user';
    return `${file}:${error.line}:${error.column} ${error.problem}`;
  }
}

describe('bad config is reported with file, line and column', () => {
  table((files) => JSON.stringify(files), [
    [{ project: 'rules:\n  - id: x\n    tool: railway\n    effect: destroy\n    summary: s\n    comand: down\n' }, 'project:6:5 unknown rule key "comand" (expected one of id, tool, command, with, without, effect, summary)'],
    [{ project: 'policy:\n  production: [oops\n' }, expect.stringMatching(/^project:3:1 Flow sequence/) as unknown as string],
    [{ project: 'rules:\n  - id: x\n    tool: kubectl9\n    effect: destroy\n    summary: s\n' }, expect.stringMatching(/^project:3:11 unknown tool "kubectl9"/) as unknown as string],
    [{ project: 'rules:\n  - id: x\n    tool: railway\n    effect: explode\n    summary: s\n' }, 'project:4:13 effect must be one of destroy, disrupt, disables-recovery, deletes-recovery, restores-over'],
    [{ user: 'policy:\n  staging: maybe\n' }, 'user:2:12 policy for staging must be one of allow, notice, confirm, confirm-name, deny'],
    [{ user: 'environments:\n  qa-ish: [qa]\n' }, 'user:2:3 unknown environment class "qa-ish" (expected production, staging, development)'],
    [{ user: 'targets:\n  aws-account:\n    "1": prodd\n' }, 'user:3:10 class must be one of production, staging, development, unknown'],
    [{ user: 'policy: {production: notice}\npolicy: {}\n' }, expect.stringMatching(/^user:2:1 Map keys must be unique/) as unknown as string],
    [{ user: 'rules:\n  - id: railway.volume.delete\n    tool: railway\n    effect: destroy\n    summary: again\n' }, 'user:2:9 rule id "railway.volume.delete" is already defined; choose a new id'],
    [{ user: '' }, 'loaded'],
    [{ user: 'rules:\n  - id: my.rule\n    tool: aws\n    command: s3 mv\n    effect: destroy\n    summary: moves\n' }, 'loaded'],
  ], problemOf);
});

describe('a project file may add and tighten, never loosen', () => {
  table((files) => JSON.stringify(files), [
    [{ project: 'policy:\n  production: notice\n' }, 'project:2:15 a project file may tighten policy, never loosen it: production is "confirm-name" above this file, which asks for "notice"'],
    [{ project: 'policy:\n  unknown: allow\n' }, expect.stringMatching(/^project:2:12 a project file may tighten policy/) as unknown as string],
    [{ project: 'policy:\n  development: confirm\n' }, 'loaded'],
    [{ project: 'environments:\n  development: [prod-like]\n' }, expect.stringMatching(/^project:2:16 a project file may add production names only/) as unknown as string],
    [{ project: 'environments:\n  production: [qa]\n' }, 'loaded'],
    [{ project: 'targets:\n  aws-account:\n    "111111111111": development\n' }, expect.stringMatching(/^project:3:21 a project file may map targets to production only/) as unknown as string],
    [{ project: 'targets:\n  aws-account:\n    "111111111111": production\n' }, 'loaded'],
    [{ project: 'disable: [railway.volume.delete]\n' }, 'project:1:10 a project file may not disable rules'],
    [{ user: 'policy:\n  production: notice\n' }, 'loaded'],
    [{ user: 'disable: [railway.down]\n' }, 'loaded'],
    [{ user: 'disable: [no.such.rule]\n' }, 'user:1:11 no rule "no.such.rule" to disable'],
  ], problemOf);
});

describe('layers change decisions', () => {
  it('a user mapping classifies an AWS account', async () => {
    const w = world({ user: 'targets:\n  aws-account:\n    "111111111111": development\n' });
    mkdirSync(join(w.home, '.aws'));
    writeFileSync(join(w.home, '.aws', 'config'), '[profile acme]\nrole_arn = arn:aws:iam::111111111111:role/x\n');
    const ev = await evaluate({ tool: 'aws', args: ['s3', 'rb', 's3://b', '--profile', 'acme'], cwd: w.cwd, env: w.env }, { terminal: () => false });
    expect(ev.target).toMatchObject({ class: 'development', because: 'aws-account "111111111111" is mapped to development in your config' });
    expect(ev.decision.verdict).toBe('allow');
  });

  it('a project rule gates a command the built-in rules let through', async () => {
    const w = world({ project: 'rules:\n  - id: shop.no-moves\n    tool: aws\n    command: s3 mv\n    effect: destroy\n    summary: moving objects breaks links\n' });
    const ev = await evaluate({ tool: 'aws', args: ['s3', 'mv', 's3://a', 's3://b'], cwd: w.cwd, env: w.env }, { terminal: () => false });
    expect(ev.findings.map((f) => f.rule)).toEqual(['shop.no-moves']);
    expect(ev.decision.verdict).toBe('deny');
    expect(ev.layers.at(-1)).toBe(join(w.repo, '.chaperone.yaml'));
  });

  it('a project may make development confirm too', async () => {
    const w = world({ project: 'policy:\n  development: confirm\n' });
    const ev = await evaluate({ tool: 'dropdb', args: ['-h', 'localhost', 'scratch'], cwd: w.cwd, env: w.env }, { terminal: () => true });
    expect(ev.decision).toMatchObject({ verdict: 'confirm', confirmWord: 'yes' });
  });
});

describe('the built-in rules.yaml', () => {
  it('is valid, with unique ids that name their tool, and a summary for each', async () => {
    const text = readFileSync(new URL('../../rules.yaml', import.meta.url), 'utf8');
    const { layer } = await readLayer('rules.yaml', text);
    const ids = layer.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of layer.rules) {
      // A rule of one tool is named for it; a rule several tools share is named for what they share.
      if (rule.tools.length === 1) expect(rule.id.split('.')[0]).toBe(rule.tools[0]);
      expect(rule.summary.length).toBeGreaterThan(10);
    }
    expect(layer.policy).toEqual({ development: 'notice', staging: 'confirm', production: 'confirm-name', unknown: 'confirm-name' });
  });
});

describe('the layer cache', () => {
  const cached = (home: string) => {
    const dir = join(home, '.local', 'state', 'chaperone', 'layer-cache');
    return readdirSync(dir).map((name) => join(dir, name));
  };
  // An entry (src/rules/layer-cache.ts): a header, the rules' ids, index and lines, then the text it was made from.
  const readEntry = (file: string) => {
    const bytes = readFileSync(file);
    const end = bytes.indexOf(10);
    const header = JSON.parse(bytes.toString('utf8', 0, end));
    const [rulesAt, textAt] = [end + 1 + header.rules[0], end + 1 + header.rules[0] + header.rules[1]];
    const rules = bytes.toString('utf8', rulesAt, textAt).split('\n').filter(Boolean).map((line) => JSON.parse(line));
    return { layer: { ...header.layer, rules }, text: bytes.toString('utf8', textAt) };
  };
  const writeEntry = (file: string, entry: { layer: Layer; text: string }) => writeFileSync(file, cacheEntry(entry.layer, Buffer.from(entry.text, 'utf8')));

  it('parses a rules file once, then reads its validated layer from the cache', async () => {
    const w = world({ user: 'rules:\n  - id: my.rule\n    tool: aws\n    command: s3 mv\n    effect: destroy\n    summary: moves objects\n' });
    await loadConfig(w.cwd, w.env);
    const [file] = cached(w.home);
    const entry = readEntry(file);
    expect(entry.text).toBe(readFileSync(join(w.home, '.config', 'chaperone', 'rules.yaml'), 'utf8'));
    entry.layer.rules[0].summary = 'read from the cache';
    writeEntry(file, entry);
    expect(allRules(await loadConfig(w.cwd, w.env)).find((r) => r.id === 'my.rule')?.summary).toBe('read from the cache');
  });

  it('counts an entry only for the text it was made from: an edited file is parsed again, and replaces it', async () => {
    const w = world({ user: 'policy:\n  staging: confirm-name\n' });
    await loadConfig(w.cwd, w.env);
    writeFileSync(join(w.home, '.config', 'chaperone', 'rules.yaml'), 'policy:\n  staging: deny\n');
    expect((await loadConfig(w.cwd, w.env)).policy.staging).toBe('deny');
    expect(cached(w.home)).toHaveLength(1);
    expect(readEntry(cached(w.home)[0]).text).toBe('policy:\n  staging: deny\n');
  });

  it('compares the text as bytes: an edit to a non-ASCII character of the same length is parsed again', async () => {
    const file = (summary: string) => `rules:\n  - id: my.rule\n    tool: aws\n    command: s3 mv\n    effect: destroy\n    summary: ${summary}\n`;
    const w = world({ user: file('déplace les objets') });
    expect(allRules(await loadConfig(w.cwd, w.env)).find((r) => r.id === 'my.rule')?.summary).toBe('déplace les objets');
    // é and è are both two bytes in UTF-8: same length, other bytes.
    writeFileSync(join(w.home, '.config', 'chaperone', 'rules.yaml'), file('dèplace les objets'));
    expect(allRules(await loadConfig(w.cwd, w.env)).find((r) => r.id === 'my.rule')?.summary).toBe('dèplace les objets');
    expect(readEntry(cached(w.home)[0]).text).toBe(file('dèplace les objets'));
    // And the entry made from it is used: a hand edit of its layer shows.
    const entry = readEntry(cached(w.home)[0]);
    entry.layer.rules[0].summary = 'read from the cache';
    writeEntry(cached(w.home)[0], entry);
    expect(allRules(await loadConfig(w.cwd, w.env)).find((r) => r.id === 'my.rule')?.summary).toBe('read from the cache');
  });

  it('still lets a project layer only tighten: a cached layer that loosens falls back to the file itself', async () => {
    const w = world({ project: 'environments:\n  production: [shop]\n' });
    await loadConfig(w.cwd, w.env);
    const [file] = cached(w.home);
    const entry = readEntry(file);
    writeEntry(file, { ...entry, layer: { ...entry.layer, disable: ['railway.volume.delete'], policy: { production: 'allow' } } });
    const config = await loadConfig(w.cwd, w.env);
    expect(config.rules.some((r) => r.id === 'railway.volume.delete')).toBe(true);
    expect(config.policy.production).toBe('confirm-name');
  });

  it('ignores a torn or unreadable cache entry', async () => {
    const w = world({ user: 'policy:\n  staging: deny\n' });
    await loadConfig(w.cwd, w.env);
    writeFileSync(cached(w.home)[0], '{"rules": [');
    expect((await loadConfig(w.cwd, w.env)).policy.staging).toBe('deny');
    // Torn inside the layer's line, with the text after it whole: parsed again, not trusted.
    const entry = readEntry(cached(w.home)[0]);
    const whole = cacheEntry(entry.layer, Buffer.from(entry.text, 'utf8'));
    const headerEnd = whole.indexOf(10);
    writeFileSync(cached(w.home)[0], Buffer.concat([whole.subarray(0, headerEnd - 3), whole.subarray(headerEnd)]));
    expect((await loadConfig(w.cwd, w.env)).policy.staging).toBe('deny');
    // The text alone shorter or longer than the file: not this file's entry.
    writeEntry(cached(w.home)[0], { layer: { ...entry.layer, policy: { staging: 'allow' } }, text: `${entry.text}x` });
    expect((await loadConfig(w.cwd, w.env)).policy.staging).toBe('deny');
  });
});
