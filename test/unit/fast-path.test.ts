// The shim's fast path (src/shim/fast-path.ts) against the full engine: whatever the fast path runs
// without Node, the engine must allow, for every word, every flag any rule names, and every rule's own
// words after it; and every rule's command is kept off the fast path. Then the sh itself: each thing
// that could change the answer sends the call through Node.

import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeNested } from '../../src/nested.js';
import { matchRules } from '../../src/rules/match.js';
import { loadConfig } from '../../src/rules/load.js';
import type { Rule } from '../../src/rules/config.js';
import { fastPathWords } from '../../src/shim/fast-path.js';
import { executables, loadTool } from '../../src/tools/index.js';
import type { Tool } from '../../src/tools/tool.js';
import { emptyHome } from '../helpers/evaluate.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let rules: Rule[];
const tools: { executable: string; tool: Tool; words: string[] }[] = [];

beforeAll(async () => {
  rules = (await loadConfig(emptyHome, { HOME: emptyHome })).rules;
  for (const executable of executables) {
    const tool = (await loadTool(executable))!;
    if (tool.plainWords) tools.push({ executable, tool, words: fastPathWords(tool, [rules]) });
  }
});

/** Every flag any rule of the tool names, spelled bare, with `=value` and with a value after it. */
function ruleFlags(tool: Tool): string[][] {
  const flags = new Set(rules.filter((r) => r.tools.includes(tool.name)).flatMap((r) => [...r.with, ...r.without].map((c) => c.flag)));
  return [...flags].flatMap((f) => [[f], [`${f}=true`], [f, 'x']]);
}

/** Words each rule's command paths are written with, as a call could spell them (globs made concrete). */
function ruleWords(tool: Tool): string[][] {
  return rules
    .filter((r) => r.tools.includes(tool.name))
    .flatMap((r) => r.command.map((path) => path.trim().split(/\s+/).filter(Boolean).map((word) => word.split('|')[0].replace(/\*/g, 'x'))));
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
}

const production: NodeJS.ProcessEnv = {
  HOME: emptyHome,
  CHAPERONE_ACTOR: 'agent',
  TF_WORKSPACE: 'prod',
  KUBECONFIG: '/nonexistent',
  DOCKER_HOST: 'tcp://docker.prod.example.com:2376',
};

describe('the fast path never runs what the engine would gate', () => {
  it('has words for git, railway, kubectl, docker, helm and terraform', () => {
    expect(tools.map((t) => t.executable).sort()).toEqual(['docker', 'docker-compose', 'git', 'helm', 'kubectl', 'railway', 'terraform', 'tofu', 'prisma', 'drizzle-kit', 'django-admin', 'alembic'].sort());
    expect(tools.find((t) => t.executable === 'git')!.words).toEqual(expect.arrayContaining(['status', 'rev-parse', 'log', 'diff']));
    expect(tools.find((t) => t.executable === 'railway')!.words).toContain('status');
  });

  it('keeps every word a rule names off the fast path', () => {
    for (const { tool, words } of tools) {
      for (const path of ruleWords(tool)) if (path.length > 0) expect(words, `${tool.name} ${path.join(' ')}`).not.toContain(path[0]);
    }
  });

  it('finds nothing to gate in a fast-path word followed by any rule flag or any rule\'s words', async () => {
    const config = await loadConfig(emptyHome, production);
    let calls = 0;
    for (const { executable, tool, words } of tools) {
      const flags = ruleFlags(tool);
      // Each flag in all three spellings, a few to a call, then each rule's own words after the word.
      const tails = [[], ['x', 'y'], ['--help=false'], ...chunks(flags, 6).map((c) => c.flat()), ...ruleWords(tool)];
      for (const word of words) {
        for (const tail of tails) {
          // The engine's own steps up to the findings, with the rules loaded once (evaluate reloads them).
          const invocation = { tool: executable, args: [word, ...tail], cwd: emptyHome, env: production, input: '' };
          const parsed = await tool.parse(invocation);
          const inner = parsed.nested ? await judgeNested(parsed.nested, invocation, config) : undefined;
          const findings = [...matchRules(tool.name, { ...parsed, commands: [...parsed.commands, ...(inner?.commands ?? [])] }, config.rules), ...(inner?.findings ?? [])];
          expect(findings, `${executable} ${[word, ...tail].join(' ')}`).toEqual([]);
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
  }, 300_000);

  it('derives nothing for a tool one of whose rules reads every call, and drops words a user rule names', async () => {
    const git = tools.find((t) => t.executable === 'git')!.tool;
    const everything = { ...rules.find((r) => r.tools.includes('git'))!, paths: [] } as Rule;
    expect(fastPathWords(git, [rules, [everything]])).toEqual([]);
    const mine = { ...rules.find((r) => r.tools.includes('git'))!, paths: [[/^(?:status)$/]] } as Rule;
    expect(fastPathWords(git, [rules, [mine]])).not.toContain('status');
  });
});

describe('the sh fast path', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await makeSandbox(['git', 'terraform']);
    sb.double('git');
    sb.double('terraform');
    // Installed again with the doubles in place: git's fast path exports the exec-path overlay built
    // for the git behind the shim, and goes the slow way for any other git.
    const installed = await sb.chaperone(['install', '--dir', sb.shims, 'git', 'terraform']);
    expect(installed.exitCode, String(installed.stderr)).toBe(0);
    // The node each shim starts, wrapped to leave a mark: a call that took the fast path leaves none.
    const wrapper = join(sb.root, 'node-wrapper');
    writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> "${sb.records}/node"\nexec "${process.execPath}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    for (const tool of ['git', 'terraform']) {
      const shim = join(sb.shims, tool);
      writeFileSync(shim, readFileSync(shim, 'utf8').replace(/^chaperone_node=.*$/m, `chaperone_node='${wrapper}'`));
      // The shim must look at least as new as the build it came from, as after `chaperone install`.
      const future = new Date(Date.now() + 60_000);
      utimesSync(shim, future, future);
    }
  });

  const nodeRan = () => {
    try {
      return readFileSync(join(sb.records, 'node'), 'utf8').trim().split('\n').length;
    } catch {
      return 0;
    }
  };

  async function took(args: string[], options: { env?: Record<string, string>; cwd?: string; tool?: string; depth?: string } = {}): Promise<'fast' | 'node'> {
    const before = nodeRan();
    const result = await sb.run(options.tool ?? 'git', args, { env: options.env, cwd: options.cwd });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(sb.record(options.tool ?? 'git')?.argv).toEqual(args);
    expect(sb.record(options.tool ?? 'git')?.env.CHAPERONE_DEPTH).toBe(options.depth ?? '1');
    if ((options.tool ?? 'git') === 'git') expect(sb.record('git')?.env.GIT_EXEC_PATH).toContain(join(sb.shims, '.git-exec-path'));
    return nodeRan() > before ? 'node' : 'fast';
  }

  it('runs `git status` and `git rev-parse` without Node, argv untouched', async () => {
    expect(await took(['status'])).toBe('fast');
    expect(await took(['rev-parse', '--show-toplevel'])).toBe('fast');
  });

  it('goes through Node for a word a rule names, a flag first, an alias, or no word', async () => {
    expect(await took(['push', 'origin', 'feature'])).toBe('node');
    expect(await took(['-C', '.', 'status'])).toBe('node');
    expect(await took(['st'])).toBe('node');
    expect(await took([])).toBe('node');
  });

  it('goes through Node inside chaperone already (CHAPERONE_DEPTH)', async () => {
    expect(await took(['status'], { env: { CHAPERONE_DEPTH: '1' }, depth: '2' })).toBe('node');
  });

  it('goes through Node below a .chaperone.yaml, which may add rules', async () => {
    const dir = join(sb.root, 'proj', 'a', 'b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(sb.root, 'proj', '.chaperone.yaml'), 'rules: []\n');
    expect(await took(['status'], { cwd: dir, env: { PWD: dir } })).toBe('node');
  });

  it('goes through Node where $PWD is not the physical directory (a symlink, or a stale PWD)', async () => {
    // The real directory is under a project file; the path through the link is not.
    const real = join(sb.root, 'linked-project', 'real-dir');
    mkdirSync(real, { recursive: true });
    writeFileSync(join(sb.root, 'linked-project', '.chaperone.yaml'), 'rules: []\n');
    const link = join(sb.work, 'link');
    symlinkSync(real, link);
    expect(await took(['status'], { cwd: link, env: { PWD: link } })).toBe('node');
    // A stale $PWD: the shell itself replaces it with the physical directory, whose project file counts.
    expect(await took(['status'], { cwd: real, env: { PWD: '/' } })).toBe('node');
  });

  it('goes through Node when the user rules file changed after install', async () => {
    const file = join(sb.home, '.config', 'chaperone', 'rules.yaml');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'rules: []\n');
    const future = new Date(Date.now() + 120_000);
    utimesSync(file, future, future);
    expect(await took(['status'], { cwd: sb.work, env: { PWD: sb.work } })).toBe('node');
    // Moving XDG_CONFIG_HOME or HOME away from it changes nothing: the file is the account's.
    expect(await took(['status'], { cwd: sb.work, env: { PWD: sb.work, XDG_CONFIG_HOME: join(sb.root, 'elsewhere') } })).toBe('node');
    expect(await took(['status'], { cwd: sb.work, env: { PWD: sb.work, HOME: join(sb.root, 'elsewhere') } })).toBe('node');
    rmSync(file);
  });

  it('goes through Node when variables inject arguments (terraform TF_CLI_ARGS, TF_CLI_ARGS_plan)', async () => {
    const env = { PWD: sb.work };
    expect(await took(['plan'], { tool: 'terraform', cwd: sb.work, env })).toBe('fast');
    expect(await took(['plan'], { tool: 'terraform', cwd: sb.work, env: { ...env, TF_CLI_ARGS_plan: '-destroy' } })).toBe('node');
    expect(await took(['plan'], { tool: 'terraform', cwd: sb.work, env: { ...env, TF_CLI_ARGS: '' } })).toBe('node');
  });
});
