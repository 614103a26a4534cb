// Bundles chaperone: one file per entry (the shim's hot path, the management CLI), with lazily loaded
// chunks for what only some paths need (YAML, prompts, the SQL grammar), then compiles rules.yaml.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Two bundles from the same source: dist/, the one that ships, and dist-test/, which the end-to-end
// tests run. They differ in one constant: only the test bundle may be told where the account's home is
// (CHAPERONE_TEST_ACCOUNT_HOME, see src/context/files.ts); in dist/ that code is removed at build time.
// Each is built beside its final place and swapped in at the end, so a test run elsewhere never sees a
// half-built one.
async function bundle(out, testBuild) {
  const staging = `${out}.building-${process.pid}`;
  await build({
    entryPoints: {
      shim: 'src/shim/main.ts',
      cli: 'src/cli/main.ts',
      'compile-rules': 'src/rules/compile-builtin.ts',
    },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // libpg-query finds its WebAssembly next to its own files; it stays in node_modules.
    external: ['libpg-query'],
    banner: { js: "import { createRequire as __chaperoneRequire } from 'node:module'; const require = __chaperoneRequire(import.meta.url);" },
    define: { 'process.env.npm_package_version': JSON.stringify(pkg.version), CHAPERONE_TEST_BUILD: String(testBuild) },
    // Removes the branches a false CHAPERONE_TEST_BUILD makes dead (names and layout stay readable).
    minifySyntax: true,
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
  });
  try {
    execFileSync(process.execPath, [`${staging}/compile-rules.js`, 'rules.yaml', `${staging}/rules.json`], { stdio: 'inherit' });
  } catch {
    rmSync(staging, { recursive: true, force: true });
    process.exit(1);
  }
  // The tests start the test bundle as `chaperone.js`, the name the installed bin has.
  if (testBuild) writeFileSync(`${staging}/chaperone.js`, "import './cli.js';\n");
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
}

await bundle('dist', false);
await bundle('dist-test', true);
