// What `npm pack` ships: the built code and every file it loads (dist/, reached from the entry points
// the shims, the hook and the CLI start), the launcher, the docs the help points at, the rules
// reference and the Dev Container Feature; nothing else. No tests, no dist-test/, no sources, and no
// code caches (nor the copy of libpg-query's glue one is made from): those name the machine that built
// them and are made again where chaperone is installed (src/start/code-cache.ts, `chaperone install`). Reads the dist/ of `npm run build`.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/sandbox.js';

const packed = (() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
})();
const tracked = (dir: string) => execFileSync('git', ['ls-files', dir], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').sort();

/** Every dist/ file the entry points reach, following the relative names the bundles load. */
function reachable(): string[] {
  const dist = join(repoRoot, 'dist');
  const present = new Set(readdirSync(dist));
  const entries = ['chaperone.js', 'cli.js', 'shim.cjs', 'shim.js', 'hook.cjs', 'server.cjs', 'make-cache.cjs', 'rules.json'];
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file) || !present.has(file)) continue;
    seen.add(file);
    if (!/\.c?js$/.test(file)) continue;
    // import("./x.js"), from "./x.js", require("./x.cjs"), `${__dirname}/x.cjs`
    for (const [, name] of readFileSync(join(dist, file), 'latin1').matchAll(/["'`](?:\.\/|\$\{__dirname\}\/)([\w.-]+)["'`]/g)) stack.push(name);
  }
  return [...seen].map((f) => `dist/${f}`).sort();
}

describe('npm pack', () => {
  it('ships every dist/ file the built code loads, and no other', () => {
    const shipped = packed.filter((p) => p.startsWith('dist/'));
    const needed = reachable();
    expect(needed).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/shim.cjs', 'dist/shim-main.cjs', 'dist/hook.cjs', 'dist/server.cjs', 'dist/hook-main.cjs', 'dist/rules.json', 'dist/make-cache.cjs', 'dist/cli-run.cjs']));
    expect(shipped).toEqual(needed);
  });

  it('ships the launcher, the docs, the rules reference and the Feature, and nothing of the tests or sources', () => {
    const rest = packed.filter((p) => !p.startsWith('dist/'));
    expect(rest).toEqual(['LICENSE', 'README.md', 'bin/chaperone.js', ...tracked('devcontainer'), ...tracked('docs'), 'package.json', 'rules.yaml'].sort());
    expect(packed.filter((p) => /^(test|src|dist-test|scripts|bench)\/|\.cache(-path)?$|\.ts$|^dist\/libpg-query\.cjs$/.test(p))).toEqual([]);
  });

  it('names no repository it does not have: no repository, homepage or bugs without a public URL', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    const remote = execFileSync('git', ['remote'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    if (remote === '') for (const key of ['repository', 'homepage', 'bugs']) expect(pkg[key], key).toBeUndefined();
    expect(pkg.keywords).toEqual(expect.arrayContaining(['coding-agent', 'guardrails']));
  });
});
