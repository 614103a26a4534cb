// package.json scripts: `npm run nuke`, `pnpm nuke`, `yarn run nuke`, `bun run nuke`, `npm test`, and
// the lifecycle scripts `npm install` runs. A script is shell text that the package manager runs with
// `sh -c` in the package's directory, with `node_modules/.bin` first on PATH (so a script's `railway`
// may be `@railway/cli`'s binary: the same covered tool), arguments after `--` appended to the script
// that was named. npm and Yarn 1 also run `preX` and `postX`; pnpm only with `enable-pre-post-scripts`
// (pnpm.io/cli/run); Yarn 2+ does not, but which Yarn runs is not known here, so they count.

import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { parse as parseIni } from 'ini';
import { readTextIfExists } from '../context/files.js';
import { dirname, join, relative } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { quoteWord } from '../display/describe.js';
import { readTextFile } from './files.js';
import { followed, unknownCode, type FollowContext, type Followed } from './indirect.js';
import { isCovered } from '../tools/index.js';
import { commandName } from './launch.js';
import { isKnown } from './words.js';
import { executableOf, isCoveredPackage, packageExecutables, scriptRun, type ScriptRun } from './runners.js';

export interface PackageScripts {
  /** The package's directory and its package.json. */
  dir: string;
  file: string;
  name?: string;
  scripts: Record<string, string>;
  workspaces: string[];
}

export type PackageRead = PackageScripts | { error: string; file: string } | undefined;

/** The package.json that governs `cwd`: the nearest one in it or above it, as npm finds its prefix. */
export function findPackage(cwd: string): PackageRead {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const read = readPackage(dir);
    if (read) return read;
    if (dirname(dir) === dir) return undefined;
  }
}

/** One directory's package.json, read (undefined when there is none). */
export function readPackage(dir: string): PackageRead {
  const read = readTextFile(dir, 'package.json');
  if ('missing' in read) return undefined;
  if ('error' in read) return { error: read.error, file: read.file };
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (e) {
    return { error: `${read.file} is not valid JSON (${(e as Error).message})`, file: read.file };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: `${read.file} is not a JSON object`, file: read.file };
  const pkg = json as { name?: unknown; scripts?: unknown; workspaces?: unknown };
  const scripts: Record<string, string> = {};
  if (pkg.scripts !== undefined) {
    if (typeof pkg.scripts !== 'object' || pkg.scripts === null || Array.isArray(pkg.scripts)) return { error: `${read.file}: "scripts" is not an object`, file: read.file };
    for (const [k, v] of Object.entries(pkg.scripts)) {
      if (typeof v !== 'string') return { error: `${read.file}: script "${k}" is not a string`, file: read.file };
      scripts[k] = v;
    }
  }
  const ws = Array.isArray(pkg.workspaces) ? pkg.workspaces : (pkg.workspaces as { packages?: unknown } | undefined)?.packages;
  const workspaces = Array.isArray(ws) ? ws.filter((w): w is string => typeof w === 'string') : [];
  return { dir: read.file.slice(0, -'/package.json'.length) || '/', file: read.file, ...(typeof pkg.name === 'string' ? { name: pkg.name } : {}), scripts, workspaces: [...workspaces, ...pnpmWorkspaces(dirname(read.file))] };
}

/** `packages:` of pnpm-workspace.yaml, read as the list of quoted or bare globs it is. */
function pnpmWorkspaces(dir: string): string[] {
  const file = join(dir, 'pnpm-workspace.yaml');
  if (!existsSync(file)) return [];
  const text = readTextIfExists(file) ?? '';
  const block = /^packages:\s*\n((?:[ \t]+-.*\n?|[ \t]*#.*\n?|\s*\n)*)/m.exec(text);
  return block ? [...block[1].matchAll(/-\s*['"]?([^'"\n#]+?)['"]?\s*(?:#.*)?$/gm)].map((m) => m[1]) : [];
}

/** The directories a workspace pattern names: `packages/*`, `apps/**`, `tools/cli` (no other globbing). */
function expandWorkspace(root: string, pattern: string): string[] {
  if (pattern.startsWith('!')) return [];
  const star = pattern.search(/[*?[{]/);
  if (star < 0) return [resolve(root, pattern)];
  const head = pattern.slice(0, star);
  const base = resolve(root, head.includes('/') ? head.slice(0, head.lastIndexOf('/')) : '.');
  try {
    return readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'node_modules').map((d) => join(base, d.name));
  } catch {
    return [];
  }
}

/**
 * The scripts a package manager runs for one name, in order, each with the directory it runs in: the
 * reusable core for `npm run X` here and for any future shim of npm itself.
 */
export function packageScript(cwd: string, runner: ScriptRun['runner'], name: string, options: { workspaces?: string[]; chain?: string[]; home?: string } = {}): { runs: { dir: string; script: string; text: string }[]; files: string[] } | { error: string; file: string } | undefined {
  const root = findPackage(cwd);
  if (!root || 'error' in root) return root;
  let packages: PackageScripts[] = [root];
  const selected = options.workspaces ?? [];
  if (selected.length > 0) {
    const all: PackageScripts[] = [];
    for (const dir of root.workspaces.flatMap((p) => expandWorkspace(root.dir, p))) {
      const pkg = readPackage(dir);
      if (pkg && 'error' in pkg) return pkg;
      if (pkg) all.push(pkg);
    }
    packages = [];
    for (const want of selected) {
      const matches = want === '*' ? all : all.filter((p) => p.name === want || relative(root.dir, p.dir) === want.replace(/^\.\//, '').replace(/\/$/, '') || resolve(cwd, want) === p.dir);
      if (matches.length === 0) {
        // A path that is itself a package (`npm -w ./tools/x`, `pnpm --filter ./x`) counts even when the root does not list it.
        const pkg = /^[./]/.test(want) ? readPackage(resolve(cwd, want)) : undefined;
        if (pkg && 'error' in pkg) return pkg;
        if (!pkg) return { error: `workspace "${want}" is not one of ${root.file}'s workspaces`, file: root.file };
        matches.push(pkg);
      }
      packages.push(...matches);
    }
  }
  const chain = options.chain ?? [`pre${name}`, name, `post${name}`];
  // Lifecycle events (`install` runs `postinstall`) are run by pnpm too; only a user script's pre/post are not.
  const lifecycle = ['install', 'ci', 'pack', 'publish', 'version', 'restart'].includes(name);
  const usePrePost = runner !== 'pnpm' || lifecycle || pnpmPrePost([cwd, root.dir, ...(options.home ? [options.home] : [])]);
  const runs: { dir: string; script: string; text: string }[] = [];
  for (const pkg of packages) {
    for (const script of chain) {
      if (!usePrePost && script !== name && (script === `pre${name}` || script === `post${name}`)) continue;
      if (Object.hasOwn(pkg.scripts, script)) runs.push({ dir: pkg.dir, script, text: pkg.scripts[script] });
    }
  }
  return { runs, files: packages.map((p) => p.file) };
}

/** pnpm runs `preX`/`postX` only with `enable-pre-post-scripts=true` in an .npmrc it reads. */
function pnpmPrePost(dirs: string[]): boolean {
  for (const dir of new Set(dirs)) {
    try {
      if (/^\s*enable-pre-post-scripts\s*=\s*true\s*$/m.test(readFileSync(join(dir, '.npmrc'), 'utf8'))) return true;
    } catch {
      // no .npmrc there
    }
  }
  return false;
}

/**
 * An npm setting as npm and pnpm read it for a package script: `npm_config_KEY` (either case), else the
 * project's .npmrc, else the user's (the first of `dirs` that sets it).
 */
function npmSetting(ctx: FollowContext, key: string, dirs: readonly string[]): string | undefined {
  const variable = `npm_config_${key.replace(/-/g, '_')}`;
  const set = ctx.lookup(variable) ?? ctx.lookup(variable.toUpperCase());
  if (set !== undefined) return set;
  for (const dir of new Set(dirs)) {
    const text = readTextIfExists(join(dir, '.npmrc'));
    if (text === undefined) continue;
    const value = parseIni(text)[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * Two settings change what a package script runs. `node-options` preloads a file into every Node
 * program the script starts (a `--require ./wipe.js` there runs before `jest`), so the script's commands
 * are read with it (src/shell/interpreters.ts reads the preload). `script-shell` (or `--script-shell`)
 * is the program each script runs as `PROGRAM -c SCRIPT`, so a file of the agent's own runs whatever the
 * script says.
 */
function npmScriptShell(ctx: FollowContext, run: ScriptRun, dirs: readonly string[]): string | undefined {
  if (run.runner !== 'npm' && run.runner !== 'pnpm') return undefined;
  return run.scriptShell ?? npmSetting(ctx, 'script-shell', dirs);
}

/** `npm run nuke -- --force` and the other script runners, followed into package.json. */
export function packageFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const run = scriptRun(argv);
  if (!run) return undefined;
  const shown = argv.slice(0, 3).join(' ');
  if (ctx.remote) return unknownCode(`${shown} runs a package script of another machine, which is not read here`);
  const cwd = run.chdir !== undefined ? resolve(ctx.cwd, run.chdir) : ctx.cwd;
  const found = packageScript(cwd, run.runner, run.name, { workspaces: run.workspaces, chain: run.chain, home: ctx.lookup('HOME') });
  if (!found) return undefined;
  if ('error' in found) return unknownCode(`${shown}: ${found.error}`, found.file);
  const path = ctx.lookup('PATH');
  const home = ctx.lookup('HOME');
  const npmrcDirs = [cwd, ...found.files.map((file) => dirname(file)), ...(home ? [home] : [])];
  const nodeOptions = run.runner !== 'npm' && run.runner !== 'pnpm' ? undefined : npmSetting(ctx, 'node-options', npmrcDirs);
  const scriptShell = npmScriptShell(ctx, run, npmrcDirs);
  const out = followed({});
  for (const { dir, script, text } of found.runs) {
    const line = script === run.main && run.args.length > 0 ? `${text} ${run.args.map(quoteWord).join(' ')}` : text;
    // Each ancestor's node_modules/.bin comes first, nearest first, as npm sets it.
    const bins: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      bins.push(join(d, 'node_modules', '.bin'));
      if (dirname(d) === d) break;
    }
    const set = { PATH: [...bins, ...(path ? [path] : [])].join(':'), npm_lifecycle_event: script, ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}) };
    if (scriptShell !== undefined) out.runs.push({ argv: [scriptShell, '-c', line], cwd: dir, set, via: `${run.runner} run ${script}` });
    else out.texts.push({ text: line, cwd: dir, set, via: `${run.runner} run ${script}`, file: `${dir}/package.json#${script}` });
  }
  if (run.fallback && !found.runs.some((r) => r.script === run.main)) out.runs.push({ argv: run.fallback, cwd, via: `${run.runner} ${run.main}` });
  // `pnpm rw …`, `yarn rw …` with no script of that name run the project's binary.
  // `yarn workspace api prisma …` with no script of that name runs the covered tool in that workspace.
  if (found.runs.length === 0 && out.runs.length === 0 && run.runner !== 'npm' && isCoveredPackage(run.name)) {
    const dir = run.workspaces.length > 0 && found.files.length > 0 ? dirname(found.files[0]) : cwd;
    return followed({ runs: [{ argv: [executableOf(run.name), ...run.args], cwd: dir, via: `${run.runner} ${run.name}` }] });
  }
  if (found.runs.length === 0 && out.runs.length === 0) return run.runner === 'npm' ? undefined : localBinaryFollow([run.name, ...run.args], { ...ctx, cwd, via: [run.runner] });
  return out;
}

/** Runners that run a project's own binaries (`npx x`, `pnpm exec x`, `yarn x`). */
const binRunners = ['npx', 'npm exec', 'pnpm exec', 'pnpm dlx', 'pnpx', 'yarn exec', 'yarn dlx', 'yarn', 'pnpm', 'bunx', 'bun x', 'bun'];

/**
 * A bare command word that is a project's binary: in `node_modules/.bin` on PATH (inside a package
 * script) or reached through a runner (`npx rw …`). The link is followed to its package; a package whose
 * binary is a covered tool (`@railway/cli`) makes the word that tool. Other binaries are not read:
 * every script would otherwise read its linters' sources.
 */
export function localBinaryFollow(argv: readonly string[], ctx: FollowContext & { via: readonly string[] }): Followed | undefined {
  const name = argv[0];
  if (name.includes('/') || !isKnown(name) || isCovered(name)) return undefined;
  const dirs = (ctx.lookup('PATH') ?? '').split(':').filter((d) => d.endsWith('node_modules/.bin'));
  if (binRunners.includes(ctx.via.at(-1) ?? '')) {
    for (let d = ctx.cwd; ; d = dirname(d)) {
      dirs.push(join(d, 'node_modules', '.bin'));
      if (dirname(d) === d) break;
    }
  }
  if (ctx.remote || dirs.length === 0) return undefined;
  for (const dir of dirs) {
    let real: string;
    try {
      real = realpathSync(join(resolve(ctx.cwd, dir), name));
    } catch {
      continue;
    }
    const at = real.lastIndexOf('/node_modules/');
    if (at < 0) return undefined;
    const parts = real.slice(at + '/node_modules/'.length).split('/');
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    const tool = Object.hasOwn(packageExecutables, pkg) ? packageExecutables[pkg] : isCovered(commandName(pkg)) ? commandName(pkg) : undefined;
    return tool === undefined ? undefined : followed({ runs: [{ argv: [tool, ...argv.slice(1)], via: `${dir.replace(/.*\/node_modules\//, 'node_modules/')}/${name} (${pkg})` }] });
  }
  return undefined;
}
