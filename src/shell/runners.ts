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
const npmGlobals: OptionGrammar = { values: ['-w', '--workspace', '--prefix', '--registry', '--cache', '--userconfig', '--loglevel'] };
const pnpmGlobals: OptionGrammar = { values: ['-C', '--dir', '-F', '--filter', '--reporter', '--loglevel', '--workspace-concurrency'] };
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
