// Package runners: `npx @railway/cli volume delete …`, `pnpm dlx vercel --prod`, `bunx supabase …`,
// `yarn dlx`, `npm exec`, `pnpm exec railway …`, and the `pnpm vercel …` / `yarn vercel …` shorthand that
// runs a project's own binary. A package is the covered tool its binary is.

import { isCovered } from '../tools/index.js';
import type { Launch } from './launch.js';
import { commandName } from './launch.js';
import { has, readOptions, valueOf, type OptionGrammar } from './options.js';

/**
 * npm packages whose binary is a tool chaperone covers, by package name (checked against each
 * package's `bin` in the npm registry). A package named like the binary it installs needs no entry.
 */
export const packageExecutables: Record<string, string> = {
  '@railway/cli': 'railway',
  vercel: 'vercel',
  vc: 'vercel',
  supabase: 'supabase',
  heroku: 'heroku',
  mongosh: 'mongosh',
  'aws-cdk': 'cdk',
  'firebase-tools': 'firebase',
  'netlify-cli': 'netlify',
};

/** The package name in a spec: `@railway/cli@3.4.0` → `@railway/cli`, `vercel@latest` → `vercel`. */
export function packageName(spec: string): string {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at < 0 ? spec : spec.slice(0, at);
}

/** The binary a package spec runs: its covered tool when known, else the package's own name. */
export function executableOf(spec: string): string {
  const name = packageName(spec);
  return Object.hasOwn(packageExecutables, name) ? packageExecutables[name] : name;
}

/** Whether a package spec (or a binary name) is a tool chaperone covers. */
export function isCoveredPackage(spec: string): boolean {
  return isCovered(executableOf(spec));
}

const npxGrammar: OptionGrammar = {
  values: ['-p', '--package', '-c', '--call', '--registry', '--cache', '--userconfig', '-w', '--workspace', '--prefix', '--loglevel'],
};
const npmGlobals: OptionGrammar = { values: ['-w', '--workspace', '--prefix', '--registry', '--cache', '--userconfig', '--loglevel', '--script-shell'] };
const pnpmGlobals: OptionGrammar = { values: ['-C', '--dir', '-F', '--filter', '--reporter', '--loglevel', '--workspace-concurrency', '--script-shell'] };
const pnpmDlx: OptionGrammar = { values: ['--package', '--allow-build', '--cpu', '--os', '--libc'] };
const pnpmExec: OptionGrammar = { values: ['-F', '--filter', '--resume-from', '--workspace-concurrency', '--reporter'] };
const yarnGlobals: OptionGrammar = { values: ['--cwd'] };
const yarnDlx: OptionGrammar = { values: ['-p', '--package'] };
const bunx: OptionGrammar = { values: ['-p', '--package'] };

export function runnerLaunch(argv: readonly string[]): Launch | undefined {
  const args = argv.slice(1);
  switch (commandName(argv[0])) {
    case 'npx':
      return npx('npx', args);
    case 'npm': {
      const read = readOptions(args, npmGlobals);
      return ['exec', 'x'].includes(read.rest[0]) ? npx('npm exec', read.rest.slice(1)) : undefined;
    }
    case 'pnpx':
      return dlx('pnpx', args, pnpmDlx, '--package');
    case 'pnpm': {
      const read = readOptions(args, pnpmGlobals);
      const chdir = valueOf(read, '-C', '--dir');
      const [sub, ...rest] = read.rest;
      const launch = sub === 'dlx' ? dlx('pnpm dlx', rest, pnpmDlx, '--package') : sub === 'exec' ? exec('pnpm exec', rest, pnpmExec) : shorthand('pnpm', sub, rest);
      return launch && chdir !== undefined ? { ...launch, chdir } : launch;
    }
    case 'yarn': {
      const read = readOptions(args, yarnGlobals);
      const chdir = valueOf(read, '--cwd');
      const [sub, ...rest] = read.rest;
      const launch = sub === 'dlx' ? dlx('yarn dlx', rest, yarnDlx, '-p', '--package') : sub === 'exec' ? exec('yarn exec', rest, {}) : shorthand('yarn', sub, rest);
      return launch && chdir !== undefined ? { ...launch, chdir } : launch;
    }
    case 'bunx':
      return dlx('bunx', args, bunx, '-p', '--package');
    case 'bun': {
      const [sub, ...rest] = args;
      return sub === 'x' ? dlx('bun x', rest, bunx, '-p', '--package') : shorthand('bun', sub, rest);
    }
  }
  return undefined;
}

/** `npx [options] <pkg>[@version] [args…]`, `npx -p <pkg> <cmd> [args…]`, `npx -c '<cmd>'`. */
function npx(via: string, args: readonly string[]): Launch | undefined {
  const read = readOptions(args, npxGrammar);
  const call = valueOf(read, '-c', '--call');
  if (call !== undefined) return { via: `${via} -c`, script: call };
  return dlxRun(via, read.rest);
}

/** `pnpm dlx`, `yarn dlx`, `bunx`: like npx; with `--package` the first word is a binary, not a package. */
function dlx(via: string, args: readonly string[], grammar: OptionGrammar, ...packageOptions: string[]): Launch | undefined {
  const read = readOptions(args, grammar);
  if (has(read, '-c', '--shell-mode') && read.rest.length > 0) return { via: `${via} -c`, script: read.rest.join(' ') };
  return has(read, ...packageOptions) && read.rest.length > 0 ? { via, runs: [read.rest] } : dlxRun(via, read.rest);
}

function dlxRun(via: string, rest: readonly string[]): Launch | undefined {
  if (rest.length === 0) return undefined;
  return { via, runs: [[executableOf(rest[0]), ...rest.slice(1)]] };
}

/** `pnpm exec <cmd> [args…]`, `yarn exec`: a binary of the project, or shell text with `-c`. */
function exec(via: string, args: readonly string[], grammar: OptionGrammar): Launch | undefined {
  const read = readOptions(args, grammar);
  if (read.rest.length === 0) return undefined;
  if (has(read, '-c', '--shell-mode')) return { via: `${via} -c`, script: read.rest.join(' ') };
  return { via, runs: [read.rest] };
}

/** `pnpm vercel …`, `yarn run railway …`: a project binary, when it is a covered tool. */
function shorthand(via: string, sub: string | undefined, rest: readonly string[]): Launch | undefined {
  if (sub === 'run' || sub === 'run-script') return shorthand(via, rest[0], rest.slice(1));
  if (sub === undefined || !isCoveredPackage(sub)) return undefined;
  return { via, runs: [[executableOf(sub), ...rest]] };
}

/**
 * A package manager told to run package.json scripts: `npm run X`, `npm test`, `pnpm X`, `yarn run X`,
 * `bun run X`, and the commands that run lifecycle scripts (`npm install`, `npm publish`). Pure: which
 * scripts, in which order, with which arguments; packages.ts reads package.json.
 */
export interface ScriptRun {
  runner: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /** The script the user named (`nuke`), or the lifecycle event (`install`). */
  name: string;
  /** Scripts run, in order, with `pre`/`post` ones where the runner adds them (packages.ts filters). */
  chain: string[];
  /** The script whose command gets `args`. */
  main: string;
  args: string[];
  /** `npm start` with no start script runs `node server.js`. */
  fallback?: string[];
  chdir?: string;
  /** Workspaces selected by name or path (`-w`, `--filter`, `yarn workspace`); `*` for all (`-r`). */
  workspaces: string[];
  /** `--script-shell FILE`: the program that runs each script as `FILE -c SCRIPT` (npm, pnpm). */
  scriptShell?: string;
}

const npmAliases: Record<string, string> = { run: 'run', 'run-script': 'run', rum: 'run', urn: 'run', test: 'test', t: 'test', tst: 'test', start: 'start', stop: 'stop', restart: 'restart' };
/** Lifecycle events of commands that are not `run` (npm's docs, "Life Cycle Operation Order"). */
const lifecycles: Record<string, string[]> = {
  install: ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'],
  ci: ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'],
  pack: ['prepack', 'prepare', 'postpack'],
  publish: ['prepublishOnly', 'prepack', 'prepare', 'postpack', 'publish', 'postpublish'],
  version: ['preversion', 'version', 'postversion'],
};
const installAliases: Record<string, string> = { install: 'install', i: 'install', in: 'install', add: 'install', isntall: 'install', ci: 'ci', 'clean-install': 'ci', pack: 'pack', publish: 'publish', version: 'version' };
/** pnpm, yarn and bun commands of their own: `pnpm X` runs script X only when X is none of these. */
const builtins: Record<'pnpm' | 'yarn' | 'bun', string[]> = {
  pnpm: ['add', 'install', 'i', 'update', 'up', 'upgrade', 'remove', 'rm', 'uninstall', 'un', 'link', 'ln', 'unlink', 'import', 'rebuild', 'rb', 'prune', 'fetch', 'patch', 'patch-commit', 'audit', 'list', 'ls', 'll', 'outdated', 'why', 'publish', 'pack', 'exec', 'dlx', 'create', 'init', 'store', 'env', 'setup', 'root', 'bin', 'config', 'c', 'server', 'deploy', 'licenses', 'doctor', 'cat-file', 'cat-index', 'find-hash', 'self-update', 'help', 'install-test', 'it', 'approve-builds', 'ignored-builds', 'dedupe'],
  yarn: ['add', 'install', 'remove', 'upgrade', 'up', 'upgrade-interactive', 'why', 'info', 'init', 'link', 'unlink', 'pack', 'publish', 'workspaces', 'exec', 'dlx', 'node', 'config', 'cache', 'global', 'bin', 'help', 'import', 'licenses', 'list', 'login', 'logout', 'outdated', 'owner', 'policies', 'set', 'tag', 'team', 'version', 'versions', 'audit', 'autoclean', 'check', 'create', 'generate-lock-entry', 'plugin', 'constraints', 'dedupe', 'npm', 'patch', 'rebuild', 'search', 'stage', 'unplug'],
  bun: ['test', 'x', 'add', 'install', 'i', 'remove', 'rm', 'update', 'link', 'unlink', 'pm', 'build', 'init', 'create', 'upgrade', 'exec', 'outdated', 'publish', 'patch', 'audit', 'info', 'repl', 'why'],
};

/** The script-running reading of a package manager's argv, or undefined for any other use of it. */
export function scriptRun(argv: readonly string[]): ScriptRun | undefined {
  const runner = commandName(argv[0]);
  const args = argv.slice(1);
  const afterDashes = (words: readonly string[]) => words.filter((w, i) => !(w === '--' && i === words.indexOf('--')));
  const withPrePost = (name: string) => [`pre${name}`, name, `post${name}`];
  switch (runner) {
    case 'npm': {
      const read = readOptions(args, npmGlobals);
      const workspaces = read.options.filter(([o]) => o === '-w' || o === '--workspace').map(([, v]) => v ?? '');
      if (has(read, '--workspaces', '-ws')) workspaces.push('*');
      const [sub, ...rest] = read.rest;
      const chdir = valueOf(read, '--prefix');
      let scriptShell = valueOf(read, '--script-shell');
      // npm reads its own options anywhere before `--`: `npm run nuke --script-shell ./x.sh` too.
      const dashed = rest.indexOf('--');
      for (const [i, w] of rest.entries()) {
        if (dashed >= 0 && i > dashed) break;
        if (w === '--script-shell' && rest[i + 1] !== undefined) scriptShell = rest[i + 1];
        else if (w.startsWith('--script-shell=')) scriptShell = w.slice('--script-shell='.length);
      }
      const base = { runner, workspaces, ...(chdir !== undefined ? { chdir } : {}), ...(scriptShell !== undefined ? { scriptShell } : {}) } as const;
      if (sub === undefined) return undefined;
      if (Object.hasOwn(installAliases, sub)) {
        const event = installAliases[sub];
        // `npm install PKG` installs a dependency: the project's own lifecycle scripts still run.
        return { ...base, name: event, chain: lifecycles[event], main: event, args: [] };
      }
      const kind = Object.hasOwn(npmAliases, sub) ? npmAliases[sub] : undefined;
      if (kind === undefined) return undefined;
      // npm reads its own options anywhere before `--`: `npm run nuke -w api` selects a workspace.
      const dashes = rest.indexOf('--');
      const own = dashes < 0 ? rest : rest.slice(0, dashes);
      for (let i = 0; i < own.length; ) {
        const w = own[i];
        if (w === '-w' || w === '--workspace') workspaces.push(own.splice(i, 2)[1] ?? '');
        else if (w.startsWith('--workspace=')) workspaces.push(own.splice(i, 1)[0].slice('--workspace='.length));
        else if (w === '-ws' || w === '--workspaces') {
          own.splice(i, 1);
          workspaces.push('*');
        } else i++;
      }
      if (dashes >= 0) rest.splice(0, dashes, ...own);
      else rest.splice(0, rest.length, ...own);
      if (kind === 'run') {
        const [name, ...more] = rest.filter((w, i) => !/^--(if-present|silent|ignore-scripts)$/.test(w) && !/^--script-shell(=|$)/.test(w) && rest[i - 1] !== '--script-shell');
        return name === undefined ? undefined : { ...base, name, chain: withPrePost(name), main: name, args: afterDashes(more) };
      }
      if (kind === 'restart') {
        return { ...base, name: 'restart', chain: ['prerestart', 'restart', 'postrestart', 'prestop', 'stop', 'poststop', 'prestart', 'start', 'poststart'], main: 'restart', args: afterDashes(rest) };
      }
      return { ...base, name: kind, chain: withPrePost(kind), main: kind, args: afterDashes(rest), ...(kind === 'start' ? { fallback: ['node', 'server.js'] } : {}) };
    }
    case 'pnpm': {
      const read = readOptions(args, pnpmGlobals);
      const workspaces = read.options.filter(([o]) => o === '-F' || o === '--filter').map(([, v]) => v ?? '');
      if (has(read, '-r', '--recursive')) workspaces.push('*');
      const chdir = valueOf(read, '-C', '--dir');
      const scriptShell = valueOf(read, '--script-shell');
      const base = { runner, workspaces, ...(chdir !== undefined ? { chdir } : {}), ...(scriptShell !== undefined ? { scriptShell } : {}) } as const;
      let [sub, ...rest] = read.rest;
      if (sub === undefined) return undefined;
      if (['install', 'i', 'add'].includes(sub)) return { ...base, name: 'install', chain: lifecycles.install, main: 'install', args: [] };
      if (sub === 'run' || sub === 'run-script') [sub, ...rest] = rest.filter((w) => !w.startsWith('--') || w === '--');
      else if (['test', 't', 'tst'].includes(sub)) sub = 'test';
      else if (builtins.pnpm.includes(sub)) return undefined;
      if (sub === undefined) return undefined;
      // pre/post scripts only with `enable-pre-post-scripts` (packages.ts reads .npmrc).
      return { ...base, name: sub, chain: withPrePost(sub), main: sub, args: afterDashes(rest), ...(sub === 'start' ? { fallback: ['node', 'server.js'] } : {}) };
    }
    case 'yarn': {
      const read = readOptions(args, yarnGlobals);
      const chdir = valueOf(read, '--cwd');
      let [sub, ...rest] = read.rest;
      const workspaces: string[] = [];
      if (sub === 'workspace' && rest.length >= 2) {
        workspaces.push(rest[0]);
        [sub, ...rest] = rest.slice(1);
      }
      const base = { runner, workspaces, ...(chdir !== undefined ? { chdir } : {}) } as const;
      if (sub === undefined || sub === 'install') return { ...base, name: 'install', chain: lifecycles.install, main: 'install', args: [] };
      if (sub === 'run') [sub, ...rest] = rest;
      else if (builtins.yarn.includes(sub)) return undefined;
      if (sub === undefined) return undefined;
      return { ...base, name: sub, chain: withPrePost(sub), main: sub, args: afterDashes(rest) };
    }
    case 'bun': {
      let [sub, ...rest] = args.filter((w) => !/^--(silent|bun)$/.test(w));
      if (sub === 'install' || sub === 'i') return { runner, workspaces: [], name: 'install', chain: lifecycles.install, main: 'install', args: [] };
      if (sub === 'run') [sub, ...rest] = rest;
      else if (sub === undefined || builtins.bun.includes(sub) || sub.startsWith('-')) return undefined;
      if (sub === undefined) return undefined;
      return { runner, workspaces: [], name: sub, chain: withPrePost(sub), main: sub, args: afterDashes(rest) };
    }
  }
  return undefined;
}
