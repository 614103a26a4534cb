// flyctl, also installed as fly (superfly/flyctl, Go, cobra + pflag).
// Concourse CI's CLI is also called fly: a command only Concourse has (`fly -t ci destroy-pipeline`) is
// read and resolved by concourse.ts, its path starting with `concourse`.
//
// Grammar: cobra. Flags may stand anywhere, before or after the subcommand (`fly -a shop vol destroy`);
// `--flag=value`, `--flag value`, `-a shop`, `-ashop` and clusters of short booleans (`-yf`) all work.
// Aliases (`apps|app`, `volumes|volume|vol`, `machine|machines|m`, `destroy|delete|remove|rm` …) are
// spelled out in the rules. `--help`, `-h` and `help` are never gated, nor `--version`/`-v` alone.
// `scale count web=2 worker=0` becomes one command per GROUP=COUNT, so a rule can read `worker=0`.
//
// Target (internal/command/command.go, RequireAppName):
//   1. `apps destroy APP` and the deprecated top-level `destroy APP` name the app to destroy, and only it;
//   2. -a/--app;
//   3. FLY_APP;
//   4. `app` in the app config: -c/--config PATH (a directory means PATH/fly.toml), else fly.toml, fly.json
//      or fly.yaml in cwd, in that order. Parent directories are not searched.

import { statSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { grammar, isFalse, readArgs } from './argv.js';
import { isConcourse, isConcourseInvocation, parseConcourse, resolveConcourse } from './concourse.js';
import { forwardedInput, remoteLine, remoteSession } from './remote.js';
import type { Tool } from './tool.js';

const flyGrammar = grammar({
  values: [
    ['--app', '-a'],
    ['--config', '-c'],
    ['--access-token', '-t'],
    ['--region', '-r'],
    ['--org', '-o'],
    ['--image', '-i'],
    ['--process-group'],
    ['--max-per-region'],
    ['--from-snapshot'],
    ['--size', '-s'],
    ['--name', '-n'],
    ['--vm-size'],
    ['--machine'],
    ['--signal'],
    ['--wait-timeout'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--yes', '-y', '--auto-confirm'],
    ['--force', '-f'],
    ['--json', '-j'],
    ['--verbose'],
    ['--debug'],
    ['--select'],
    ['--detach'],
  ],
});

const appsWords = new Set(['apps', 'app']);
const destroyWords = new Set(['destroy', 'delete', 'remove', 'rm']);

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, flyGrammar);
  if (isConcourse(invocation.args, words)) return parseConcourse(invocation);
  // `volumes update --scheduled-snapshots=false` turns snapshots off, in any of Go's spellings of false.
  const scheduled = flags.get('--scheduled-snapshots');
  if (scheduled) flags.set('--scheduled-snapshots', scheduled.map((v) => (isFalse(v) ? 'false' : v)));
  const help = flags.has('--help') || words[0] === 'help' || (words.length === 0 && flags.has('--version'));
  const onMachine = help ? undefined : machineCommand(invocation, words);
  // Their own grammar read the flags (`-s` is --select in ssh console): the target comes from those.
  if (onMachine) return { commands: [{ path: words, flags: onMachine.flags }], help: onMachine.help, ...(onMachine.line ? { nested: [onMachine.line] } : {}) };
  // `scale count` takes a count or GROUP=COUNT pairs; each becomes its own command for the rules.
  if (words[0] === 'scale' && words[1] === 'count' && words.length > 3) {
    return { commands: words.slice(2).map((count) => ({ path: ['scale', 'count', count], flags, text: count })), help };
  }
  return { commands: [{ path: words, flags }], help };
}

// ── What runs on a Machine ──────────────────────────────────────────────────────────────────────────
//
// `fly ssh console -C CMD` (--command) runs CMD over ssh on a Machine; without it, an interactive shell,
// which reads this stdin (a script when known, else what is typed: unreadable). `fly machine exec [ID]
// CMD` runs CMD on a Machine. Their own flags are read with their own grammar (`-s` is --select there,
// not --size), so the command is found as flyctl finds it. The command is judged as shell text.

const sshConsoleGrammar = grammar({
  values: [
    ['--app', '-a'],
    ['--address', '-A'],
    ['--command', '-C'],
    ['--config', '-c'],
    ['--org', '-o'],
    ['--region', '-r'],
    ['--user', '-u'],
    ['--access-token', '-t'],
    ['--machine'],
    ['--process-group'],
  ],
  booleans: [['--help', '-h'], ['--select', '-s'], ['--quiet', '-q'], ['--pty'], ['--verbose'], ['--debug'], ['--json', '-j']],
});

const consoleGrammar = grammar({
  values: [
    ['--app', '-a'],
    ['--command', '-C'],
    ['--config', '-c'],
    ['--dockerfile'],
    ['--entrypoint'],
    ['--env', '-e'],
    ['--file-literal'],
    ['--file-local'],
    ['--file-secret'],
    ['--host-dedication-id'],
    ['--image'],
    ['--machine'],
    ['--region', '-r'],
    ['--user', '-u'],
    ['--vm-cpu-kind'],
    ['--vm-cpus'],
    ['--vm-gpu-kind'],
    ['--vm-memory'],
    ['--vm-size'],
    ['--access-token', '-t'],
    ['--org', '-o'],
  ],
  booleans: [['--help', '-h'], ['--select', '-s'], ['--verbose'], ['--debug'], ['--json', '-j']],
});

const machineExecGrammar = grammar({
  values: [['--app', '-a'], ['--config', '-c'], ['--timeout'], ['--container'], ['--access-token', '-t']],
  booleans: [['--help', '-h'], ['--verbose'], ['--debug'], ['--json', '-j']],
});

const machineWords = new Set(['machine', 'machines', 'm']);

interface OnMachine {
  flags: Map<string, string[]>;
  help: boolean;
  line?: NestedLine;
}

function machineCommand(invocation: Invocation, words: string[]): OnMachine | undefined {
  if (words[0] === 'ssh' && words[1] === 'console') {
    const { flags } = readArgs(invocation.args, sshConsoleGrammar);
    if (flags.has('--help')) return { flags, help: true };
    const command = flags.get('--command')?.at(-1);
    const via = 'fly ssh console';
    const input = forwardedInput(invocation, true);
    return { flags, help: false, line: command ? remoteLine(via, command, input) : remoteSession(via, input) };
  }
  // `fly console [-C CMD]` starts a Machine from the app's image, with its secrets, and runs CMD there
  // (else the `console_command` of fly.toml, a shell by default, read from this stdin).
  if (words[0] === 'console') {
    const { flags } = readArgs(invocation.args, consoleGrammar);
    if (flags.has('--help')) return { flags, help: true };
    const command = flags.get('--command')?.at(-1);
    const input = forwardedInput(invocation, true);
    return { flags, help: false, line: command ? remoteLine('fly console', command, input) : remoteSession('fly console', input) };
  }
  if (machineWords.has(words[0]) && words[1] === 'exec') {
    const { flags, words: positional } = readArgs(invocation.args, machineExecGrammar);
    if (flags.has('--help')) return { flags, help: true };
    const args = positional.slice(2);
    const command = args.at(-1);
    return { flags, help: false, ...(command !== undefined ? { line: remoteLine(`fly machine exec${args.length > 1 ? ` ${args[0]}` : ''}`, command, '') } : {}) };
  }
  return undefined;
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  if (isConcourseInvocation(parsed)) return resolveConcourse(parsed, invocation);
  const { path, flags } = parsed.commands[0];

  const named = appNamedByCommand(path);
  if (named) return fromApp(named.app, { source: 'argument', key: named.key, value: named.app });

  const flagApp = flags.get('--app')?.at(-1);
  if (flagApp) return fromApp(flagApp, { source: 'flag', key: '--app', value: flagApp });
  const envApp = invocation.env.FLY_APP;
  if (envApp) return fromApp(envApp, { source: 'env', key: 'FLY_APP', value: envApp });

  const config = readAppConfig(invocation, flags.get('--config')?.at(-1));
  if (config.app) return fromApp(config.app, config.evidence);
  return {
    evidence: [{ source: 'default', key: 'app', value: 'no --app flag, no FLY_APP, no app in a fly.toml' }, config.evidence],
    identifiers: [],
  };
}

/** `fly apps destroy APP` / `fly destroy APP`: the argument is the app, whatever the flags say. */
function appNamedByCommand(path: string[]): { app: string; key: string } | undefined {
  if (appsWords.has(path[0]) && destroyWords.has(path[1]) && path[2]) return { app: path[2], key: `${path[0]} ${path[1]} APP` };
  if (path[0] === 'destroy' && path[1]) return { app: path[1], key: 'destroy APP' };
  return undefined;
}

function fromApp(app: string, evidence: Evidence): ResolvedTarget {
  return { name: app, evidence: [evidence], identifiers: [{ kind: 'fly-app', value: app }] };
}

/** The `app` of the config file flyctl would load, with where it came from. */
function readAppConfig(invocation: Invocation, configFlag: string | undefined): { app?: string; evidence: Evidence } {
  const env = invocation.env;
  const candidates = configFlag !== undefined ? configPaths(resolvePath(invocation.cwd, configFlag)) : ['fly.toml', 'fly.json', 'fly.yaml'].map((f) => join(invocation.cwd, f));
  for (const file of candidates) {
    const text = readTextIfExists(file);
    if (text === undefined) continue;
    let app: string | undefined;
    try {
      app = file.endsWith('.json') ? jsonApp(text) : file.endsWith('.yaml') || file.endsWith('.yml') ? yamlApp(text) : tomlApp(text);
    } catch (error) {
      // flyctl would refuse the file too; with no app the target is unknown, and the evidence says why.
      const problem = (error as Error).message.split('\n')[0];
      return { evidence: { source: 'file', key: 'app', value: `not readable as TOML (${problem})`, file: displayPath(file, env) } };
    }
    return { app, evidence: { source: 'file', key: 'app', value: app ?? 'not set', file: displayPath(file, env) } };
  }
  const where = configFlag !== undefined ? `-c ${configFlag}` : `${displayPath(invocation.cwd, env)} (fly.toml, fly.json, fly.yaml)`;
  return { evidence: { source: 'file', key: 'app', value: `no app config at ${where}`, file: displayPath(candidates[0], env) } };
}

/** -c PATH: the file itself, or PATH/fly.toml when PATH is a directory. */
function configPaths(path: string): string[] {
  try {
    if (statSync(path).isDirectory()) return [join(path, 'fly.toml')];
  } catch {
    // missing: flyctl tries PATH, then PATH/fly.toml
  }
  return [path, join(path, 'fly.toml')];
}

/** The top-level `app` of a fly.toml, read by a TOML parser; throws when the file is not TOML. */
export function tomlApp(text: string): string | undefined {
  const app = parseToml(text).app;
  return typeof app === 'string' ? app : undefined;
}

function jsonApp(text: string): string | undefined {
  try {
    const app = (JSON.parse(text) as { app?: unknown }).app;
    return typeof app === 'string' ? app : undefined;
  } catch {
    return undefined;
  }
}

/** The top-level `app:` of a YAML file (a plain or quoted scalar on its own line). */
function yamlApp(text: string): string | undefined {
  const value = /^app:[ \t]*(.*?)[ \t]*(?:#.*)?$/m.exec(text)?.[1];
  if (!value) return undefined;
  return /^"(.*)"$|^'(.*)'$/.exec(value)?.slice(1).find((v) => v !== undefined) ?? value;
}

export const fly: Tool = { name: 'fly', parse, resolve };
