// libpg-query's glue is started from the copy beside the bundles (and its code cache) only when the copy
// is the package's glue, byte for byte: V8 would take a cache for any source of the same length.
// Otherwise, or with no copy, the package's own file is required, as before any cache.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { glueCopyName, glueFactory, wrapGlue, writeGlueCache } from '../../src/sql/grammar-glue.js';

const require = createRequire(import.meta.url);
const packageFile = require.resolve('libpg-query/wasm/libpg-query.js');
const packageGlue = readFileSync(packageFile, 'latin1');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaperone-glue-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("libpg-query's glue", () => {
  it('is required from the package when there is no copy', () => {
    expect(glueFactory(require, tempDir())).toBe(require(packageFile));
  });

  it('is started from the copy when the copy is the package\'s glue, and that copy parses', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, glueCopyName), wrapGlue(packageGlue), 'latin1');
    const factory = glueFactory(require, dir);
    expect(factory).not.toBe(require(packageFile));
    expect(typeof factory).toBe('function');
    const wasm = require.resolve('libpg-query/wasm/libpg-query.wasm');
    const g = (await factory({ noFSInit: true, locateFile: () => wasm })) as { _wasm_parse_query_raw(p: number): number; _malloc(n: number): number; stringToUTF8(s: string, p: number, n: number): void; UTF8ToString(p: number): string; getValue(p: number, t: string): number };
    const input = g._malloc(64);
    g.stringToUTF8('DROP TABLE t', input, 64);
    const tree = JSON.parse(g.UTF8ToString(g.getValue(g._wasm_parse_query_raw(input), 'i32')));
    expect(tree.stmts[0].stmt.DropStmt.removeType).toBe('OBJECT_TABLE');
  });

  it.each([
    ['one byte changed, same length', (text: string) => text.replace('noExitRuntime=true', 'noExitRuntime=!0;;')],
    ['another version appended', (text: string) => `${text}\n// 18.1.6`],
    ['unwrapped', () => packageGlue],
  ])('is required from the package when the copy is not its glue (%s)', (_case, change) => {
    const dir = tempDir();
    writeFileSync(join(dir, glueCopyName), change(wrapGlue(packageGlue)), 'latin1');
    expect(glueFactory(require, dir)).toBe(require(packageFile));
  });

  it('writes its copy and a code cache, and says whether they were there already', async () => {
    const dir = tempDir();
    let warmed = 0;
    const warm = async () => {
      warmed++;
      expect(glueFactory(require, dir)).not.toBe(require(packageFile));
    };
    expect(await writeGlueCache(dir, require, warm)).toBe(false);
    expect(readFileSync(join(dir, glueCopyName), 'latin1')).toBe(wrapGlue(packageGlue));
    expect(readFileSync(join(dir, `${glueCopyName}.cache`)).length).toBeGreaterThan(1000);
    expect(warmed).toBe(1);
    // A stale copy is written again.
    writeFileSync(join(dir, glueCopyName), 'stale', 'latin1');
    expect(await writeGlueCache(dir, require, warm)).toBe(false);
    expect(readFileSync(join(dir, glueCopyName), 'latin1')).toBe(wrapGlue(packageGlue));
  });
});
