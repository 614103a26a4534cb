// Bundles chaperone: one file per entry (the shim's hot path, the management CLI), with lazily loaded
// chunks for what only some paths need (YAML, prompts, the SQL grammar), then compiles rules.yaml.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    shim: 'src/shim/main.ts',
    cli: 'src/cli/main.ts',
    'compile-rules': 'src/rules/compile-builtin.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // libpg-query finds its WebAssembly next to its own files; it stays in node_modules.
  external: ['libpg-query'],
  banner: { js: "import { createRequire as __chaperoneRequire } from 'node:module'; const require = __chaperoneRequire(import.meta.url);" },
  define: { 'process.env.npm_package_version': JSON.stringify(pkg.version) },
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
});
execFileSync(process.execPath, ['dist/compile-rules.js', 'rules.yaml', 'dist/rules.json'], { stdio: 'inherit' });
