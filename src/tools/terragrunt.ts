// Terragrunt (gruntwork-io/terragrunt), a wrapper that runs terraform or tofu in each unit (a directory
// with a terragrunt.hcl).
//
// Grammar: terragrunt takes its own flags (new names, `--working-dir`, and the old `--terragrunt-*`
// ones, with one dash or two, `=value` or the next word) and hands everything else to terraform, whose
// flags are read as terraform.ts reads them (`-destroy`, `-var-file x`). The command is the first word
// that names a command:
//   - `run [--all] [--] CMD …` and the OpenTofu shortcuts (`destroy`, `apply -destroy`) run CMD;
//   - `run-all CMD`, `graph CMD`, `stack run CMD`, `CMD --all` and the old `destroy-all`/`apply-all`
//     run it in every unit below the working directory (read as the flag --all); so does TG_ALL=true;
//   - `backend delete` deletes the units' remote state;
//   - TF_CLI_ARGS and TF_CLI_ARGS_<command> reach terraform through terragrunt's environment, and are
//     inserted after the command as terraform inserts them (`TF_CLI_ARGS_apply=-destroy`).
// `--help`/`-help`/`-h` and `--version`/`-version` anywhere are never gated.
//
// Target; every fact counts and the strictest class wins:
//   1. the working directory: --working-dir (--terragrunt-working-dir), else TG_WORKING_DIR
//      (TERRAGRUNT_WORKING_DIR), else cwd; read by the words of its path inside its repository
//      (`live/prod/app`), as terraform.ts reads it;
//   2. with --all, each unit found below it (up to a limit): one that names production makes the whole
//      run production, but development ones cannot vouch for a directory that names nothing;
//   3. TF_WORKSPACE, and each -var-file.

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { isFalse, readArgs, words } from './argv.js';
import { splitWords } from './shell-words.js';
import { pathWords, showInjected, terraformGrammar } from './terraform.js';
import type { Tool } from './tool.js';

/** Terragrunt's own flags that take a value, new names first; an old name maps to its new one. */
const tgValues = new Map<string, string>([
  ...words(`working-dir config tf-path log-level log-format log-custom-format download-dir source source-map
    iam-assume-role iam-assume-role-session-name iam-assume-role-duration iam-assume-role-web-identity-token parallelism
    queue-include-dir queue-exclude-dir queue-excludes-file queue-include-units-reading units-that-include feature
    filter out-dir json-out-dir experiment strict-control provider-cache-dir provider-cache-hostname provider-cache-port
    provider-cache-token provider-cache-registry-names auth-provider-cmd report-file report-format report-schema-file
    graph-root file exclude-dir`).map((n): [string, string] => [n, n]),
  ...(
    [
      ['terragrunt-working-dir', 'working-dir'],
      ['terragrunt-config', 'config'],
      ['terragrunt-tfpath', 'tf-path'],
      ['terragrunt-log-level', 'log-level'],
      ['terragrunt-download-dir', 'download-dir'],
      ['terragrunt-source', 'source'],
      ['terragrunt-source-map', 'source-map'],
      ['terragrunt-iam-role', 'iam-assume-role'],
      ['terragrunt-iam-assume-role-session-name', 'iam-assume-role-session-name'],
      ['terragrunt-iam-assume-role-duration', 'iam-assume-role-duration'],
      ['terragrunt-parallelism', 'parallelism'],
      ['terragrunt-include-dir', 'queue-include-dir'],
      ['terragrunt-exclude-dir', 'queue-exclude-dir'],
      ['terragrunt-excludes-file', 'queue-excludes-file'],
      ['terragrunt-modules-that-include', 'units-that-include'],
      ['terragrunt-hclfmt-file', 'file'],
      ['terragrunt-graph-root', 'graph-root'],
      ['terragrunt-provider-cache-dir', 'provider-cache-dir'],
    ] as [string, string][]
  ),
]);
const tgBooleans = new Map<string, string>([
  ...words(`all graph non-interactive queue-include-external queue-exclude-external queue-ignore-errors
    queue-ignore-dag-order queue-strict-include source-update no-auto-init no-auto-retry no-auto-approve inputs-debug
    tf-forward-stdout disable-command-validation provider-cache use-partial-parse-config-cache
    dependency-fetch-output-from-state no-destroy-dependencies-check`).map((n): [string, string] => [n, n]),
  ...(
    [
      ['terragrunt-non-interactive', 'non-interactive'],
      ['terragrunt-include-external-dependencies', 'queue-include-external'],
      ['terragrunt-ignore-external-dependencies', 'queue-exclude-external'],
      ['terragrunt-ignore-dependency-errors', 'queue-ignore-errors'],
      ['terragrunt-ignore-dependency-order', 'queue-ignore-dag-order'],
      ['terragrunt-strict-include', 'queue-strict-include'],
      ['terragrunt-source-update', 'source-update'],
      ['terragrunt-no-auto-init', 'no-auto-init'],
      ['terragrunt-no-auto-retry', 'no-auto-retry'],
      ['terragrunt-no-auto-approve', 'no-auto-approve'],
      ['terragrunt-provider-cache', 'provider-cache'],
      ['terragrunt-fetch-dependency-output-from-state', 'dependency-fetch-output-from-state'],
      ['terragrunt-no-destroy-dependencies-check', 'no-destroy-dependencies-check'],
    ] as [string, string][]
  ),
]);
const helpFlags = new Set(['-h', '-help', '--help', '-version', '--version']);

/** Terraform's commands, which terragrunt runs (as shortcuts or after `run`). */
const terraformCommands = new Set(
  words(`init validate plan apply destroy console fmt force-unlock get graph import login logout metadata output providers
    refresh show state taint test untaint version workspace env`),
);
/** Terragrunt's own commands. */
const terragruntCommands = new Set(
  words(`run run-all stack exec backend catalog scaffold find list info hcl hclfmt render render-json dag aws-provider-patch
    graph-dependencies output-module-groups validate-inputs terragrunt-info help`),
);
/** The old commands that run terraform's CMD in every unit: `destroy-all` is `run-all destroy`. */
const legacyAll = new Set(words('apply-all destroy-all plan-all output-all validate-all refresh-all init-all'));
/** Terraform commands whose next word is a subcommand (`state rm`), as terraform.ts reads them. */
const parents = new Set(['state', 'workspace', 'env', 'providers', 'metadata']);

interface Reading {
  /** Every word that is neither a flag nor a flag's value, in order. */
  words: string[];
  /** Terraform's part of argv: its flags and the words, for terraform's grammar. */
  terraformArgs: string[];
  /** Terragrunt's own flags, by their new names (`--all`, `--working-dir`). */
  own: Map<string, string[]>;
  help: boolean;
}

function read(args: readonly string[]): Reading {
  const reading: Reading = { words: [], terraformArgs: [], own: new Map(), help: false };
  const add = (name: string, value: string) => reading.own.set(name, [...(reading.own.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') continue; // `run -- destroy`: what follows is terraform's, read the same way
    if (!arg.startsWith('-') || arg === '-') {
      reading.words.push(arg);
      reading.terraformArgs.push(arg);
      continue;
    }
    if (helpFlags.has(arg)) reading.help = true;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    const value = tgValues.get(name);
    if (value) {
      add(`--${value}`, inline ?? args[++i] ?? '');
      continue;
    }
    const boolean = tgBooleans.get(name);
    if (boolean) {
      if (inline !== undefined && isFalse(inline)) reading.own.delete(`--${boolean}`);
      else add(`--${boolean}`, '');
      continue;
    }
    // Terraform's: a flag that takes a value takes the next word unless written with `=`.
    reading.terraformArgs.push(arg);
    if (inline === undefined && terraformGrammar.values.has(`-${name}`) && i + 1 < args.length) reading.terraformArgs.push(args[++i]);
  }
  return reading;
}

interface Command {
  /** The command path as rules read it: `destroy`, `apply`, `state rm`, `backend delete`. */
  path: string[];
  /** Terraform's flags, and terragrunt's own; --all also when the spelling implies it. */
  flags: Map<string, string[]>;
  injected: { variable: string; words: string[] }[];
}

function commandOf(reading: Reading, env: NodeJS.ProcessEnv): Command | undefined {
  const known = (word: string) => terraformCommands.has(word) || terragruntCommands.has(word) || legacyAll.has(word);
  const at = reading.words.findIndex(known);
  if (at === -1) return undefined;
  let all = false;
  let rest = reading.words.slice(at);
  const first = rest[0];
  if (first === 'run-all' || first === 'graph') {
    all = true;
    rest = rest.slice(1);
  } else if (first === 'run') {
    rest = rest.slice(1);
  } else if (first === 'stack' && rest[1] === 'run') {
    all = true;
    rest = rest.slice(2);
  } else if (legacyAll.has(first)) {
    all = true;
    rest = [first.replace(/-all$/, ''), ...rest.slice(1)];
  }
  if (rest.length === 0) return { path: [first], flags: new Map(reading.own), injected: [] };
  const command = [rest[0]];
  if ((parents.has(rest[0]) || rest[0] === 'backend') && rest[1] !== undefined) command.push(rest[1]);

  // TF_CLI_ARGS reach terraform through terragrunt's environment, after the command.
  const injected: Command['injected'] = [];
  if (terraformCommands.has(command[0])) {
    for (const variable of [`TF_CLI_ARGS_${command.join('_').replace(/-/g, '_')}`, 'TF_CLI_ARGS']) {
      const added = splitWords(env[variable] ?? '');
      if (added && added.length > 0) injected.push({ variable, words: added });
    }
  }
  const { flags } = readArgs([...injected.flatMap((i) => i.words), ...reading.terraformArgs], terraformGrammar);
  for (const [name, values] of reading.own) flags.set(name, values);
  if (all) flags.set('--all', ['']);
  return { path: [...command, ...rest.slice(command.length)], flags, injected };
}

/** TG_ALL=true, terragrunt's variable for --all. */
function allFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.TG_ALL;
  return value !== undefined && value !== '' && !isFalse(value);
}

function parse(invocation: Invocation): ParsedInvocation {
  const reading = read(invocation.args);
  if (reading.help || reading.words[0] === 'help') return { commands: [], help: true };
  const command = commandOf(reading, invocation.env);
  if (!command) return { commands: reading.words.length ? [{ path: reading.words, flags: reading.own }] : [], help: false };
  if (allFromEnv(invocation.env)) command.flags.set('--all', ['']);
  return { commands: [{ path: command.path, flags: command.flags }], help: command.flags.has('-help') || command.flags.has('-h') };
}

/** How many directories the unit search looks at, and how many units it keeps. */
const maxDirs = 2000;
const maxUnits = 200;
const skipped = new Set(['.git', '.terraform', '.terragrunt-cache', 'node_modules']);

/** The units below `dir`: directories with a terragrunt.hcl, breadth first, up to the limits. */
function unitsBelow(dir: string): { units: string[]; complete: boolean } {
  const units: string[] = [];
  const queue = [dir];
  let seen = 0;
  while (queue.length > 0) {
    if (++seen > maxDirs || units.length >= maxUnits) return { units, complete: false };
    const current = queue.shift()!;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      continue;
    }
    if (current !== dir && entries.some((e) => e.name === 'terragrunt.hcl' && !e.isDirectory())) units.push(current);
    for (const entry of entries) if (entry.isDirectory() && !skipped.has(entry.name)) queue.push(join(current, entry.name));
  }
  return { units, complete: true };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const env = invocation.env;
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const flagDir = flags.get('--working-dir')?.at(-1);
  const variable = ['TG_WORKING_DIR', 'TERRAGRUNT_WORKING_DIR'].find((v) => env[v]);
  const given = flagDir || (variable ? env[variable] : undefined);
  const workDir = resolvePath(invocation.cwd, given ?? '.');
  const shown = displayPath(workDir, env);
  const words = pathWords(workDir, env);
  const readAs = words === shown ? '' : `, read as ${words}`;
  evidence.push(
    flagDir
      ? { source: 'flag', key: '--working-dir', value: `${flagDir} (working directory ${shown}${readAs})` }
      : variable
        ? { source: 'env', key: variable, value: `${env[variable]} (working directory ${shown}${readAs})` }
        : { source: 'default', key: 'working directory', value: `${shown}${readAs}` },
  );
  identifiers.push({ kind: 'path', value: words });

  if (flags.has('--all')) {
    const { units, complete } = unitsBelow(workDir);
    const listed = units.map((u) => pathWords(u, env));
    const how = allFromEnv(env) ? 'TG_ALL' : '--all';
    const more = complete ? '' : ` (stopped after ${units.length}; there are more)`;
    evidence.push({ source: allFromEnv(env) ? 'env' : 'flag', key: how, value: units.length ? `every unit below: ${listed.join(', ')}${more}` : 'every unit below (none found)' });
    for (const unit of listed) identifiers.push({ kind: 'part', value: unit });
  }
  if (env.TF_WORKSPACE) {
    evidence.push({ source: 'env', key: 'TF_WORKSPACE', value: env.TF_WORKSPACE });
    identifiers.push({ kind: 'terraform-workspace', value: env.TF_WORKSPACE });
  }
  for (const file of flags.get('-var-file') ?? []) {
    evidence.push({ source: 'flag', key: '-var-file', value: file });
    identifiers.push({ kind: 'path', value: file });
  }
  const command = commandOf(read(invocation.args), env);
  for (const { variable: name, words: added } of command?.injected ?? []) {
    evidence.push({ source: 'env', key: name, value: `${showInjected(added)} (inserted after the command)` });
  }
  return { name: basename(workDir), evidence, identifiers };
}

export const terragrunt: Tool = { name: 'terragrunt', parse, resolve };
