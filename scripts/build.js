// Bundles chaperone: the management CLI as ES modules with lazily loaded chunks for what only some
// paths need (YAML, prompts, the SQL grammar); the shim as one CommonJS bundle started from V8's code
// cache (src/start/code-cache.ts); then compiles rules.yaml and writes the shim's code cache.

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
  // The shim: one CommonJS bundle, since Node loads CommonJS faster than a graph of ES modules, and
  // can start it from a code cache. What only some calls need stays in it, compiled when first used.
  const common = {
    plugins: [ownRequire, lazyBuiltins],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['libpg-query'],
    define: {
      'process.env.npm_package_version': JSON.stringify(pkg.version),
      CHAPERONE_TEST_BUILD: String(testBuild),
      // The bundle's own place: its directory and file as CommonJS has them; its file URL only when
      // something asks (a URL made at every start cost a shim call ~0.3 ms).
      'import.meta.url': '__chaperoneMeta.url',
      'import.meta.dirname': '__dirname',
      'import.meta.filename': '__filename',
    },
    // Each bundle is the body of Node's CommonJS wrapper, written out: src/start/code-cache.ts compiles
    // the file as it is, with no copy of 1.4 MB of source to wrap it at every start.
    banner: { js: "(function (exports, require, module, __filename, __dirname) { 'use strict'; const __chaperoneMeta = { get url() { return (this.value ??= require('node:url').pathToFileURL(__filename).href); } };" },
    footer: { js: '});' },
    minifySyntax: true,
    charset: 'ascii',
    logLevel: 'warning',
  };
  // The agent hook (`chaperone hook AGENT`, before every shell command an agent types) likewise. The
  // libraries only some calls need go to a third bundle, cold.cjs (src/start/cold.ts): every call
  // reads and deserializes its hot bundle, so what is not in it costs a call nothing. The hook parses
  // every line with unbash, so unbash stays in the hook's bundle.
  const used = new Set();
  const hot = [
    ['shim-main', 'src/shim/bundle.ts', coldPackages],
    ['hook-main', 'src/cli/hook-bundle.ts', coldPackages.filter((name) => name !== 'unbash')],
  ];
  for (const [name, entry, cold] of hot) {
    await build({ ...common, plugins: [...common.plugins, toColdBundle(cold, used)], entryPoints: { [name]: entry }, outdir: staging, outExtension: { '.js': '.cjs' } });
  }
  await build({
    ...common,
    stdin: { contents: `module.exports = { modules: { ${[...used].sort().map((spec) => `${JSON.stringify(spec)}: () => require(${JSON.stringify(spec)})`).join(', ')} } };`, resolveDir: '.', sourcefile: 'cold-bundle.js', loader: 'js' },
    outfile: `${staging}/cold.cjs`,
  });
  for (const name of ['shim-main.cjs', 'hook-main.cjs', 'cold.cjs']) {
    // An import() would fail at run time there (lazyBuiltins): stop the build instead.
    const at = readFileSync(`${staging}/${name}`, 'latin1').search(/[^\w$.]import\(/);
    if (at !== -1) throw new Error(`${name} has a dynamic import() at offset ${at}; require it (createRequire) instead`);
  }
  await build({ ...common, entryPoints: { shim: 'src/start/shim.ts', hook: 'src/start/hook.ts', server: 'src/start/server.ts', 'make-cache': 'src/start/make-cache.ts' }, outdir: staging, outExtension: { '.js': '.cjs' }, banner: {}, footer: {} });
  // The CLI's entry (bin/chaperone.js imports it): `hook AGENT` goes to the hook's own bundle.
  writeFileSync(
    `${staging}/chaperone.js`,
    [
      "import { createRequire } from 'node:module';",
      'const [command, agent, ...more] = process.argv.slice(2);',
      // One word of letters: an agent's name (claude-session-start, --help and the rest go to the CLI).
      "if (command === 'hook' && /^[a-z]+$/.test(agent ?? '') && more.length === 0) createRequire(import.meta.url)('./hook.cjs');",
      "else await import('./cli.js');",
      '',
    ].join('\n'),
  );
  // The hardened runner's way into the CLI (`chaperone approve` through it, src/harden/run.ts): the
  // CLI's own ES module bundle, imported from a file Node's CommonJS loader runs, since an import() in
  // a bundle run from a code cache has no loader behind it. The shim's bundle holds no copy of the CLI.
  writeFileSync(`${staging}/cli-run.cjs`, "module.exports = () => import('./cli.js');\n");
  // Shims written before the CommonJS bundle start dist/shim.js: it still works, through the bundle.
  writeFileSync(`${staging}/shim.js`, "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./shim.cjs');\n");
  try {
    execFileSync(process.execPath, [`${staging}/compile-rules.js`, 'rules.yaml', `${staging}/rules.json`], { stdio: 'inherit' });
  } catch {
    rmSync(staging, { recursive: true, force: true });
    process.exit(1);
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  // The code caches are made in place: V8 keeps the path a cache was made at for stack traces.
  execFileSync(process.execPath, [`${out}/make-cache.cjs`], { stdio: ['ignore', 'ignore', 'inherit'], env: withoutNodeOptions() });
}

/** The packages kept out of the hot bundles, in cold.cjs; none of them is needed by a plain decision. */
const coldPackages = ['chalk', 'commander', 'graphql', 'prompts', 'smol-toml', 'unbash', 'yaml'];

/**
 * Sends the hot bundle's imports of `cold` packages to cold.cjs (through src/start/cold.ts), recording
 * each specifier in `used` for the cold bundle's entry. Each package is then in exactly one bundle, so
 * there is one copy of its state. An import of one still reads as before: a module that imports it at
 * its top is evaluated on first use, and only then is cold.cjs loaded.
 */
function toColdBundle(cold, used) {
  const packages = new RegExp(`^(${cold.map((name) => name.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})(/.*)?$`);
  const loader = new URL('../src/start/cold.ts', import.meta.url).pathname;
  return {
    name: 'to-cold-bundle',
    setup(b) {
      b.onResolve({ filter: packages }, (args) => {
        used.add(args.path);
        return { path: args.path, namespace: 'cold-package' };
      });
      b.onLoad({ filter: /.*/, namespace: 'cold-package' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(loader)}).coldModule(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: '.',
      }));
    },
  };
}

/**
 * In a CommonJS bundle `require` is already what createRequire(import.meta.url) makes, and loading
 * node:module to make it costs a shim call milliseconds: there, createRequire hands back `require`.
 */
const ownRequire = {
  name: 'own-require',
  setup(b) {
    b.onResolve({ filter: /^node:module$/ }, () => ({ path: 'node:module', namespace: 'own-require' }));
    b.onLoad({ filter: /.*/, namespace: 'own-require' }, () => ({ contents: 'export const createRequire = () => require;', loader: 'js' }));
  },
};

/**
 * A script run from a code cache has no module loader behind its import(): a Node built-in imported
 * lazily (`await import('node:dgram')`) is required instead, in the CommonJS bundles.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** The cache must fit a shim's Node, which starts without the flags NODE_OPTIONS may give this one. */
function withoutNodeOptions() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

await bundle('dist', false);
await bundle('dist-test', true);
