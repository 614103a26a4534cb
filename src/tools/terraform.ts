// Terraform and OpenTofu (Go: hashicorp/cli for the command tree, Go's flag package for each command's
// options); checked against terraform 1.11 and opentofu's cmd/tofu/main.go.
//
// Grammar: terraform [-chdir=DIR] <command> [<subcommand>] [options] [args]
//   - `-chdir=DIR` (one dash, with `=`) counts only before the command; the last one wins.
//   - The command is the first word that is not an option. `state`, `workspace`, `env` (the old name of
//     `workspace`), `providers` and `metadata` take the next word as their subcommand.
//   - TF_CLI_ARGS and TF_CLI_ARGS_<command> (`TF_CLI_ARGS_state_rm`) are split into words and inserted
//     right after the command, TF_CLI_ARGS_<command>'s first: TF_CLI_ARGS_apply=-destroy turns
//     `terraform apply` into a destroy.
//   - Options are Go flags: `-destroy` = `--destroy`, `-var-file=x` or `-var-file x`, `-destroy=false`.
//   - `-h`, `-help` or `--help` anywhere before `--` shows help, and `-v`, `-version` or `--version`
//     anywhere shows the version: neither is gated. There is no `help` command.
//
// Target; every fact counts and the strictest class wins:
//   1. the workspace: for `workspace delete NAME`, NAME; else TF_WORKSPACE; else the name in the data
//      dir's `environment` file (TF_DATA_DIR, relative to the working dir, else .terraform); else
//      "default";
//   2. the working directory (-chdir, else cwd), read by the words of its path inside its repository
//      (`infra/envs/prod`), or inside HOME when it is in no repository;
//   3. each -var-file (`prod.tfvars`).

import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Assumption, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { splitWords } from './shell-words.js';
import type { Tool } from './tool.js';

/** Every command's options, merged: which take a value decides how the next argument is read. */
export const terraformGrammar = grammar({
  style: 'go',
  values: [
    ['-var'],
    ['-var-file'],
    ['-target'],
    ['-exclude'],
    ['-replace'],
    ['-state'],
    ['-state-out'],
    ['-backup'],
    ['-lock-timeout'],
    ['-parallelism'],
    ['-out'],
    ['-backend-config'],
    ['-plugin-dir'],
    ['-from-module'],
    ['-generate-config-out'],
    ['-config'],
    ['-provider'],
    ['-id'],
    ['-test-directory'],
    ['-filter'],
    ['-deprecation'],
  ],
  booleans: [
    ['-destroy'],
    ['-auto-approve'],
    ['-refresh-only'],
    ['-refresh'],
    ['-lock'],
    ['-input'],
    ['-force'],
    ['-dry-run'],
    ['-json'],
    ['-no-color'],
    ['-compact-warnings'],
    ['-concise'],
    ['-upgrade'],
    ['-reconfigure'],
    ['-migrate-state'],
    ['-force-copy'],
    ['-get'],
    ['-allow-missing'],
    ['-ignore-remote-version'],
    ['-detailed-exitcode'],
    ['-show-sensitive'],
    ['-or-create'],
  ],
});

/** Commands whose next word is a subcommand (`state rm`, `workspace delete`). */
const parents = new Set(['state', 'workspace', 'env', 'providers', 'metadata']);
const helpFlags = new Set(['-h', '-help', '--help']);
const versionFlags = new Set(['-v', '-version', '--version']);

interface Reading {
  /** The value of -chdir=DIR before the command, if any. */
  chdir?: string;
  /** `destroy`, or `state rm`: as hashicorp/cli names the command. */
  command: string[];
  /** The command's own arguments, with TF_CLI_ARGS* already inserted. */
  commandArgs: string[];
  /** The TF_CLI_ARGS* variables that added words, with those words. */
  injected: { variable: string; words: string[] }[];
  /** Everything before the command (after -chdir was taken out), where -help and -version also count. */
  leading: string[];
}

function read(invocation: Invocation): Reading {
  const { chdir, args } = extractChdir(invocation.args);
  const at = args.findIndex((arg) => arg !== '' && !arg.startsWith('-'));
  if (at === -1) return { chdir, command: [], commandArgs: [], injected: [], leading: args };
  const command = [args[at]];
  const next = args[at + 1];
  if (parents.has(args[at]) && next !== undefined && next !== '' && !next.startsWith('-')) command.push(next);

  const injected: Reading['injected'] = [];
  for (const variable of [`TF_CLI_ARGS_${command.join('_').replace(/-/g, '_')}`, 'TF_CLI_ARGS']) {
    const words = splitWords(invocation.env[variable] ?? '');
    if (words && words.length > 0) injected.push({ variable, words });
  }
  const commandArgs = [...injected.flatMap((i) => i.words), ...args.slice(at + command.length)];
  return { chdir, command, commandArgs, injected, leading: args.slice(0, at) };
}

/** terraform's extractChdirOption: `-chdir=DIR` among the options before the command. */
function extractChdir(args: readonly string[]): { chdir?: string; args: string[] } {
  let found: number | undefined;
  for (let i = 0; i < args.length && args[i].startsWith('-'); i++) {
    if (args[i].startsWith('-chdir=') && args[i] !== '-chdir=') found = i;
  }
  if (found === undefined) return { args: [...args] };
  return { chdir: args[found].slice('-chdir='.length), args: [...args.slice(0, found), ...args.slice(found + 1)] };
}

function parse(invocation: Invocation): ParsedInvocation {
  const reading = read(invocation);
  const all = [...reading.leading, ...reading.command, ...reading.commandArgs];
  const endOfOptions = all.indexOf('--');
  const help =
    all.slice(0, endOfOptions === -1 ? all.length : endOfOptions).some((arg) => helpFlags.has(arg)) ||
    all.some((arg) => versionFlags.has(arg));
  if (reading.command.length === 0) return { commands: [], help };

  const { words, flags, rest } = readArgs(reading.commandArgs, terraformGrammar);
  // -chdir after the command is an error, not a directory: only the one before it counts.
  flags.delete('-chdir');
  if (reading.chdir !== undefined) flags.set('-chdir', [reading.chdir]);
  return { commands: [{ path: [...reading.command, ...words, ...rest], flags }], help };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const command = parsed.commands[0];
  const env = invocation.env;
  const chdir = command?.flags.get('-chdir')?.[0];
  const workDir = resolvePath(invocation.cwd, chdir ?? '.');
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const workspace = workspaceOf(command?.path ?? [], workDir, env, invocation.assumed);
  evidence.push(workspace.evidence);
  identifiers.push({ kind: 'terraform-workspace', value: workspace.name });

  const words = pathWords(workDir, env);
  const shown = displayPath(workDir, env);
  const readAs = words === shown ? '' : `, read as ${words}`;
  evidence.push(
    chdir !== undefined
      ? { source: 'flag', key: '-chdir', value: `${chdir} (working directory ${shown}${readAs})` }
      : { source: 'default', key: 'working directory', value: `${shown}${readAs}` },
  );
  identifiers.push({ kind: 'path', value: words });

  for (const file of command?.flags.get('-var-file') ?? []) {
    evidence.push({ source: 'flag', key: '-var-file', value: file });
    identifiers.push({ kind: 'path', value: file });
  }

  for (const { variable, words: added } of read(invocation).injected) {
    evidence.push({ source: 'env', key: variable, value: `${showInjected(added)} (inserted after the command)` });
  }

  const name = workspace.deleted || workspace.name !== 'default' ? workspace.name : basename(workDir);
  return { name, evidence, identifiers };
}

/** The workspace the command acts on, as terraform's Meta.Workspace finds it. */
function workspaceOf(path: string[], workDir: string, env: NodeJS.ProcessEnv, assumed: Assumption[] = []): { name: string; evidence: Evidence; deleted?: boolean } {
  // `workspace delete NAME` deletes NAME, and ignores TF_WORKSPACE.
  if ((path[0] === 'workspace' || path[0] === 'env') && path[1] === 'delete' && path[2]) {
    return { name: path[2], deleted: true, evidence: { source: 'argument', key: `${path[0]} delete`, value: path[2] } };
  }
  const fromEnv = env.TF_WORKSPACE;
  if (fromEnv) return { name: fromEnv, evidence: { source: 'env', key: 'TF_WORKSPACE', value: fromEnv } };

  const dataDir = dataDirOf(workDir, env);
  const file = join(dataDir, 'environment');
  // `terraform workspace select|new NAME` earlier in the line writes this same file.
  const switched = assumed.filter((a) => a.fact.kind === 'terraform-workspace' && dataDirOf(resolvePath(a.cwd, a.fact.chdir ?? '.'), a.env) === dataDir).at(-1);
  if (switched?.fact.kind === 'terraform-workspace') {
    const name = switched.fact.workspace;
    return { name, evidence: { source: 'command', key: `earlier in the line: ${switched.by}`, value: `workspace ${name} in ${displayPath(file, env)}` } };
  }
  const text = readTextIfExists(file)?.trim();
  if (text) return { name: text, evidence: { source: 'file', key: 'workspace', value: text, file: displayPath(file, env) } };
  return {
    name: 'default',
    evidence: { source: 'default', key: 'workspace', value: `default (no TF_WORKSPACE, no ${displayPath(file, env)})` },
  };
}

/** Where terraform keeps its state of a working directory: TF_DATA_DIR (relative to it), else .terraform. */
function dataDirOf(workDir: string, env: NodeJS.ProcessEnv): string {
  return env.TF_DATA_DIR ? resolvePath(workDir, env.TF_DATA_DIR) : join(workDir, '.terraform');
}

/**
 * The part of a directory's path that can name an environment: from its repository's own directory
 * down (`infra/envs/prod`), else from HOME down, else all of it. The words above a repository
 * (`/home/dev/...`) describe the machine, not the target.
 */
export function pathWords(dir: string, env: NodeJS.ProcessEnv): string {
  const repository = ancestors(dir).find((candidate) => existsSync(join(candidate, '.git')));
  if (repository) return relative(dirname(repository), dir) || basename(dir);
  const home = homeOf(env);
  const fromHome = relative(home, dir);
  if (fromHome !== '' && !fromHome.startsWith('..') && !isAbsolute(fromHome)) return fromHome;
  return dir;
}

/** Injected words as evidence: -var values may be secrets, so they are not shown. */
export function showInjected(words: string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const name = words[i].replace(/^--?/, '-').replace(/=.*$/, '');
    if (name !== '-var') {
      shown.push(words[i]);
    } else if (words[i].includes('=')) {
      shown.push(`${words[i].slice(0, words[i].indexOf('='))}=***`);
    } else {
      shown.push(words[i]);
      if (i + 1 < words.length) {
        shown.push('***');
        i++;
      }
    }
  }
  return shown.join(' ');
}

/** Commands that only read or plan (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['version', 'fmt', 'validate', 'show', 'output', 'providers', 'graph', 'plan', 'init'];

export const terraform: Tool = {
  name: 'terraform',
  parse,
  resolve,
  plainWords,
  // TF_CLI_ARGS and TF_CLI_ARGS_<command> add arguments to a call (`-destroy` to a plan, say).
  injectedBy: (word) => ['TF_CLI_ARGS', `TF_CLI_ARGS_${word}`],
};
