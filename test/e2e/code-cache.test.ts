// The shim's bundle starts from V8's code cache (src/start/code-cache.ts). A cache that does not fit
// (another Node, a damaged file, none at all) may only cost time: every decision stays the same. And
// shims written before the CommonJS bundle, which start dist/shim.js, still decide.

import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { glueCopyName, grammarFlags, wrapGlue } from '../../src/sql/grammar-glue.js';
import { cacheFits, cachedBundles, toolCache } from '../../src/start/code-cache.js';
import { toolNames } from '../../src/tools/index.js';
import { makeSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

/** A copy of the test bundle, and the shims of `sb` rewritten to start it by `entry`. */
function copyBundle(sb: Sandbox, entry: 'shim.cjs' | 'shim.js'): string {
  const copy = join(sb.root, 'dist-copy');
  cpSync(join(repoRoot, 'dist-test'), copy, { recursive: true });
  // libpg-query is found in node_modules above the bundle, as in an installed package.
  symlinkSync(join(repoRoot, 'node_modules'), join(sb.root, 'node_modules'));
  for (const tool of ['railway', 'psql']) {
    const shim = join(sb.shims, tool);
    if (!existsSync(shim)) continue;
    const text = readFileSync(shim, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('chaperone_entry='))!;
    writeFileSync(shim, text.replace(line, `chaperone_entry='${join(copy, entry)}'`));
  }
  return copy;
}

async function decides(sb: Sandbox): Promise<void> {
  sb.double('railway');
  sb.double('psql');
  const refused = await sb.run('railway', ['volume', 'delete', '--volume', 'pg'], { env: { CHAPERONE_ACTOR: 'agent' } });
  expect(refused.exitCode).toBe(77);
  expect(refused.stderr).toContain('rule         railway.volume.delete');
  expect(sb.record('railway')).toBeUndefined();
  const sql = await sb.run('psql', ['-h', 'db.prod.example', '-c', 'drop table t'], { env: { CHAPERONE_ACTOR: 'agent' } });
  expect(sql.exitCode).toBe(77);
  expect(sql.stderr).toContain('psql.sql.drop');
  expect(sb.record('psql')).toBeUndefined();
  // A statement only the grammar reads: libpg-query's glue starts (from its copy and cache, if they fit).
  const grammar = await sb.run('psql', ['-h', 'db.prod.example', '-c', 'do $$ begin drop table t; end $$'], { env: { CHAPERONE_ACTOR: 'agent' } });
  expect(grammar.exitCode).toBe(77);
  expect(grammar.stderr).toContain('rule         psql.sql.opaque');
  expect(sb.record('psql')).toBeUndefined();
  const allowed = await sb.run('psql', ['-h', 'db.prod.example', '-c', "delete from t where v = 'it''s'"], { env: { CHAPERONE_ACTOR: 'agent' } });
  expect(allowed.exitCode).toBe(0);
  expect(sb.record('psql')?.argv).toEqual(['-h', 'db.prod.example', '-c', "delete from t where v = 'it''s'"]);
  const benign = await sb.run('railway', ['variables', '--json'], { env: { CHAPERONE_ACTOR: 'agent' } });
  expect(benign.exitCode).toBe(0);
  expect(sb.record('railway')?.argv).toEqual(['variables', '--json']);
}

describe("the shim bundle's code cache", () => {
  it('is written by the build for the Node that built it, and fits it', () => {
    for (const bundle of cachedBundles) expect(cacheFits(join(repoRoot, 'dist-test', bundle)), bundle).toBe(true);
  });

  it("writes libpg-query's glue beside the bundles, as the package has it, with a cache that fits once the grammar's V8 flags are set", async () => {
    const copy = join(repoRoot, 'dist-test', glueCopyName);
    expect(readFileSync(copy, 'latin1')).toBe(wrapGlue(readFileSync(join(repoRoot, 'node_modules/libpg-query/wasm/libpg-query.js'), 'latin1')));
    const check = `require('node:v8').setFlagsFromString(${JSON.stringify(grammarFlags)});
      const { Script } = require('node:vm'); const { readFileSync } = require('node:fs'); const file = ${JSON.stringify(copy)};
      const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData: readFileSync(file + '.cache') });
      process.stdout.write(script.cachedDataRejected ? 'rejected' : 'fits');`;
    expect((await execa(process.execPath, ['-e', check])).stdout).toBe('fits');
  });

  it.each([
    ['damaged', (dir: string) => writeFileSync(join(dir, `${glueCopyName}.cache`), Buffer.alloc(4096, 7))],
    ['missing', (dir: string) => rmSync(join(dir, glueCopyName))],
    // V8 checks a cache against the length of its source only: a copy that is not the package's glue
    // (here one that would throw, of the same length) is not run at all; the package's glue is.
    ['not the package\'s', (dir: string) => {
      writeFileSync(join(dir, glueCopyName), readFileSync(join(dir, glueCopyName), 'latin1').replace('noExitRuntime=true', 'throw new Error(1)'), 'latin1');
      rmSync(join(dir, `${glueCopyName}.cache`));
    }],
  ])("with libpg-query's glue copy or cache %s, changes no decision", async (_case, spoil) => {
    const sb = await makeSandbox(['railway', 'psql']);
    const copy = copyBundle(sb, 'shim.cjs');
    spoil(copy);
    await decides(sb);
    expect((await execa(process.execPath, [join(copy, 'make-cache.cjs')], { reject: false })).stdout).toBe('written');
    expect(readFileSync(join(copy, glueCopyName), 'latin1')).toBe(readFileSync(join(repoRoot, 'dist-test', glueCopyName), 'latin1'));
    expect((await execa(process.execPath, [join(copy, 'make-cache.cjs')], { reject: false })).stdout).toBe('fitted');
  });

  it('is written again where it was moved, so that stack traces name the files that are there', async () => {
    const sb = await makeSandbox(['railway', 'psql']);
    const copy = copyBundle(sb, 'shim.cjs');
    // Named tools only: one process per tool, and the others' caches are not these tests' subject.
    expect((await execa(process.execPath, [join(copy, 'make-cache.cjs'), 'railway', 'psql'], { reject: false })).stdout).toBe('written');
    expect((await execa(process.execPath, [join(copy, 'make-cache.cjs'), 'railway', 'psql'], { reject: false })).stdout).toBe('fitted');
    writeFileSync(join(copy, 'rules.json'), '{"rules": [oops');
    sb.double('railway');
    const result = await sb.run('railway', ['status']);
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toContain(`at loadConfig (${join(copy, 'shim-main.cjs')}:`);
    expect(sb.record('railway')).toBeUndefined();
  });

  it.each([
    ['damaged', (file: string) => writeFileSync(file, Buffer.alloc(4096, 7))],
    ['missing', (file: string) => rmSync(file)],
    ['from another build (a bundle of another length)', (file: string) => writeFileSync(join(file, '..', 'shim-main.cjs'), `${readFileSync(join(file, '..', 'shim-main.cjs'), 'latin1')}\n// longer\n`)],
  ])('when %s, costs time but changes no decision', async (_case, spoil) => {
    const sb = await makeSandbox(['railway', 'psql']);
    const copy = copyBundle(sb, 'shim.cjs');
    spoil(join(copy, 'shim-main.cjs.cache'));
    // The tools' own caches alike: railway's and psql's, which these calls would take.
    spoil(join(copy, 'shim-main.cjs.railway.cache'));
    rmSync(join(copy, 'shim-main.cjs.psql.cache'));
    await decides(sb);
    // The next make-cache finds a cache that does not fit and writes one that does.
    const made = await execa(process.execPath, [join(copy, 'make-cache.cjs'), 'railway', 'psql'], { reject: false });
    expect(made.stdout).toBe('written');
    expect((await execa(process.execPath, [join(copy, 'make-cache.cjs'), 'railway', 'psql'], { reject: false })).stdout).toBe('fitted');
  });
});

describe("each tool's cache of the shim's bundle", () => {
  const dist = join(repoRoot, 'dist-test');
  const bundle = join(dist, 'shim-main.cjs');

  /** The sizes of the code caches V8 deserialized in a call of `shim.cjs` (`--profile-deserialization`). */
  async function deserialized(shimDir: string, entry: string, executable: string, args: string[], env: Record<string, string>): Promise<number[]> {
    // V8 prints these lines on stdout.
    const result = await execa(process.execPath, ['--profile-deserialization', entry, join(shimDir, executable), ...args], { env, extendEnv: false, reject: false, stdin: 'ignore' });
    return [...result.stdout.matchAll(/\[Deserializing from (\d+) bytes/g)].map((m) => Number(m[1]));
  }

  it('is written by the build for every tool, fits, and is found under every executable of the tool', () => {
    for (const tool of toolNames) expect(cacheFits(bundle, toolCache(bundle, tool)), tool).toBe(true);
    expect(readlinkSync(toolCache(bundle, 'tofu'))).toBe('shim-main.cjs.terraform.cache');
    expect(readlinkSync(toolCache(bundle, 'django-admin'))).toBe('shim-main.cjs.django.cache');
    // Smaller than the bundle's own, which is warmed by several tools' calls.
    expect(statSync(toolCache(bundle, 'railway')).size).toBeLessThan(statSync(`${bundle}.cache`).size);
  });

  it("is the one a call deserializes, by the executable it stands for; a tool without one takes the bundle's", async () => {
    const sb = await makeSandbox(['railway', 'tofu', 'psql']);
    const env = { ...sb.env, CHAPERONE_ACTOR: 'agent' };
    const entry = join(dist, 'shim.cjs');
    const size = (file: string) => statSync(file).size;
    expect(await deserialized(sb.shims, entry, 'railway', ['volume', 'delete', '--volume', 'pg'], env)).toContain(size(toolCache(bundle, 'railway')));
    expect(await deserialized(sb.shims, entry, 'tofu', ['destroy'], env)).toContain(size(toolCache(bundle, 'terraform')));
    // An executable chaperone has no cache for (a shim copied under another name): the bundle's own.
    const other = await deserialized(sb.shims, entry, 'not-a-tool', [], env);
    expect(other).toContain(size(`${bundle}.cache`));
    expect(other).not.toContain(size(toolCache(bundle, 'railway')));
  });

  it('is written by `chaperone install` for the tools it installs, where none was', async () => {
    const sb = await makeSandbox(['railway', 'psql']);
    const copy = copyBundle(sb, 'shim.cjs');
    for (const name of readdirSync(copy)) if (/\.cache(-path)?$/.test(name)) rmSync(join(copy, name));
    const installed = await execa(process.execPath, [join(copy, 'chaperone.js'), 'install', '--dir', sb.shims, 'railway', 'psql', 'tofu'], { env: sb.env, extendEnv: false, reject: false });
    expect(installed.exitCode, installed.stderr).toBe(0);
    const copied = join(copy, 'shim-main.cjs');
    expect(cacheFits(copied)).toBe(true);
    expect(cacheFits(copied, toolCache(copied, 'railway'))).toBe(true);
    expect(cacheFits(copied, toolCache(copied, 'terraform'))).toBe(true);
    expect(cacheFits(copied, toolCache(copied, 'psql'))).toBe(true);
    expect(readlinkSync(toolCache(copied, 'tofu'))).toBe('shim-main.cjs.terraform.cache');
    expect(existsSync(toolCache(copied, 'aws'))).toBe(false);
    await decides(sb);
  });
});

describe('shims written before the CommonJS bundle', () => {
  it('start dist/shim.js, which still decides', async () => {
    const sb = await makeSandbox(['railway', 'psql']);
    copyBundle(sb, 'shim.js');
    await decides(sb);
  });
});

describe("the agent hook's bundle (dist/hook.cjs, which dist/chaperone.js sends `hook AGENT` to)", () => {
  const payload = (command: string) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } });

  it('answers as before with its code cache damaged', async () => {
    const sb = await makeSandbox(['railway']);
    const copy = copyBundle(sb, 'shim.cjs');
    writeFileSync(join(copy, 'hook-main.cjs.cache'), Buffer.alloc(4096, 7));
    const hook = (command: string) => execa(process.execPath, [join(copy, 'chaperone.js'), 'hook', 'claude'], { input: payload(command), env: sb.env, extendEnv: false, reject: false, cwd: sb.work });
    const denied = await hook('railway volume delete --volume pg');
    expect(denied.exitCode).toBe(2);
    expect(JSON.parse(denied.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    expect((await hook('git status && ls')).exitCode).toBe(0);
  });

  it('denies with exit 2 when its bundle cannot load', async () => {
    const sb = await makeSandbox(['railway']);
    const copy = copyBundle(sb, 'shim.cjs');
    writeFileSync(join(copy, 'hook-main.cjs'), 'throw new Error("broken bundle");\n');
    const result = await execa(process.execPath, [join(copy, 'chaperone.js'), 'hook', 'claude'], { input: payload('ls'), env: sb.env, extendEnv: false, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('broken bundle');
  });
});
