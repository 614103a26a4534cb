// Heroku CLI (heroku/cli 11, oclif).
//
// Grammar: oclif. The first argument is the command id, its topics joined by colons (`apps:destroy`,
// `pg:backups:delete`); the id is split into words so a rule reads `apps destroy`, and the older
// spaced form (`pg:backups delete`) reads the same. Flags stand anywhere after the id (`--app=x`,
// `-a x`, `-ax`). Aliases, hidden ones included, are spelled out in the rules. `--help`, `-h` and `help`
// are never gated, nor `--version`/`-v` without a command. `ps:scale` takes one TYPE=N change per
// argument; each change becomes its own command, so a rule can read `ps scale web=0`.
//
// Target (heroku-cli-command src/flags/app.ts):
//   1. for apps:destroy and its aliases, an app given as an argument, which wins over -a;
//   2. -a/--app;
//   3. HEROKU_APP (it beats -r);
//   4. the git remotes of the repository at cwd whose URL is a Heroku git URL (see heroku-git.ts): the one
//      -r/--remote names, else the one `git config heroku.remote` names, else the only one. With several
//      and none chosen, heroku stops ("Multiple apps in git remotes"); each of their apps counts here.

import type { Command, Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { herokuRemotes } from './heroku-git.js';
import { resolvePath } from '../context/os-path.js';
import { readTextIfExists } from '../context/files.js';
import { readAheadLimit } from '../payload/stdin.js';
import { forwardedInput, remoteArgv, remoteLine } from './remote.js';
import type { Tool } from './tool.js';

const herokuGrammar = grammar({
  values: [
    ['--app', '-a'],
    ['--remote', '-r'],
    ['--confirm', '-c'],
    ['--team', '-t'],
    ['--space', '-s'],
    ['--extensions', '-e'],
    ['--output', '-o'],
    ['--wait-interval'],
    ['--size'],
    ['--type'],
    ['--pipeline', '-p'],
  ],
  booleans: [['--help', '-h'], ['--version', '-v'], ['--force', '-f'], ['--wait'], ['--json', '-j'], ['--verbose']],
});

/** apps:destroy, spelled every way heroku accepts it. */
const appDestroyIds = new Set(['apps:destroy', 'apps:delete', 'destroy']);
const scaleIds = new Set(['ps:scale', 'dyno:scale', 'scale']);

interface HerokuArgs {
  id?: string;
  idPath: string[];
  positional: string[];
  flags: Map<string, string[]>;
}

function readHeroku(args: readonly string[]): HerokuArgs {
  const { words, flags } = readArgs(args, herokuGrammar);
  const id = words[0];
  return { id, idPath: id ? id.split(':').filter(Boolean) : [], positional: words.slice(1), flags };
}

function parse(invocation: Invocation): ParsedInvocation {
  if (pgPsqlIds.has(invocation.args[0] ?? '')) return parsePgPsql(invocation);
  const dyno = runIds.has(invocation.args[0] ?? '') ? readRun(invocation.args) : undefined;
  const { id, idPath, positional, flags } = dyno ?? readHeroku(invocation.args);
  const help = flags.has('--help') || id === 'help' || (id === undefined && flags.has('--version'));
  const commands: Command[] =
    id && scaleIds.has(id) && positional.length > 0
      ? positional.map((change) => ({ path: [...idPath, change], flags, text: change }))
      : [{ path: [...idPath, ...positional], flags }];
  const nested = dyno && !help ? dynoCommand(dyno, invocation) : undefined;
  return { commands, help, ...(nested ? { nested: [nested] } : {}) };
}

// ── heroku pg:psql ──────────────────────────────────────────────────────────────────────────────────
//
// `heroku pg:psql [DATABASE] [-c SQL | -f FILE]` starts this machine's psql against the app's database
// (alias `psql`). Its SQL reaches that database, so it is read as psql run there: `-c` as psql's `-c`,
// `-f` from the file here, and without either the stdin heroku forwards (a session when it is a
// terminal, as for `kubectl exec -it POD -- psql`). The app is the target, as for `pg:reset`.

const pgPsqlIds = new Set(['pg:psql', 'psql']);

const pgPsqlGrammar = grammar({
  values: [['--app', '-a'], ['--remote', '-r'], ['--command', '-c'], ['--file', '-f'], ['--credential']],
  booleans: [['--help', '-h']],
});

function parsePgPsql(invocation: Invocation): ParsedInvocation {
  const [id, ...rest] = invocation.args;
  const { words, flags } = readArgs(rest, pgPsqlGrammar);
  const help = flags.has('--help');
  const via = `heroku ${id}`;
  const sql = flags.get('--command') ?? [];
  const files = flags.get('--file') ?? [];
  const nested: NestedLine[] = sql.map((text) => remoteArgv(via, ['psql', '-c', text], ''));
  for (const file of files) {
    const text = readTextIfExists(resolvePath(invocation.cwd, file), readAheadLimit(invocation.env));
    nested.push(text === undefined ? { via, unreadable: `cannot read ${file}, the SQL it would send`, where: 'remote' } : remoteArgv(via, ['psql'], text));
  }
  if (sql.length === 0 && files.length === 0) nested.push(remoteArgv(via, ['psql'], forwardedInput(invocation, true)));
  return { commands: [{ path: ['pg', 'psql', ...words], flags }], help, ...(help ? {} : { nested }) };
}

// ── heroku run ──────────────────────────────────────────────────────────────────────────────────────
//
// `heroku run CMD…` runs CMD in a one-off dyno; `run:detached` without a terminal; `run:inside DYNO
// CMD…` in a running dyno. oclif reads run with strict: false, so only run's own flags are flags
// (anywhere, until `--`); every other word, `-c` and its value included, belongs to the command. The
// words are joined as heroku's buildCommand joins them (one word as it is, otherwise those holding a
// space or `"` double-quoted), and the dyno's shell runs that text. A bare shell (`heroku run bash`)
// reads what is typed: unreadable. Attached runs forward this stdin.

const runIds = new Set(['run', 'run:detached', 'run:inside']);

const runGrammar = grammar({
  values: [['--app', '-a'], ['--remote', '-r'], ['--size', '-s'], ['--type'], ['--env', '-e']],
  booleans: [['--help', '-h'], ['--exit-code', '-x'], ['--no-tty'], ['--listen'], ['--no-notify'], ['--tail', '-t']],
});

function readRun(args: readonly string[]): HerokuArgs & { id: string } {
  const [id, ...rest] = args;
  const flags = new Map<string, string[]>();
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') {
      words.push(...rest.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const spelled = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : /^-[a-z]./i.test(arg) && !arg.startsWith('--') ? arg.slice(0, 2) : arg;
    const value = runGrammar.values.get(spelled);
    const boolean = runGrammar.booleans.get(spelled);
    if (value) {
      const attached = spelled === arg ? undefined : arg.slice(spelled.length).replace(/^=/, '');
      flags.set(value, [...(flags.get(value) ?? []), attached ?? rest[++i] ?? '']);
    } else if (boolean && spelled === arg) {
      flags.set(boolean, ['']);
    } else {
      words.push(arg);
    }
  }
  return { id, idPath: id.split(':'), positional: words, flags };
}

function dynoCommand({ id, positional }: HerokuArgs & { id: string }, invocation: Invocation): NestedLine | undefined {
  const command = id === 'run:inside' ? positional.slice(1) : positional;
  if (command.length === 0) return undefined;
  const via = `heroku ${id}${id === 'run:inside' ? ` ${positional[0]}` : ''}`;
  return remoteLine(via, buildCommand(command), forwardedInput(invocation, id !== 'run:detached'));
}

/** heroku's buildCommand: one word as it is; else words holding a space or `"` are double-quoted. */
function buildCommand(args: string[]): string {
  if (args.length === 1) return args[0];
  return args.map((arg) => (arg.includes(' ') || arg.includes('"') ? `"${arg.replace(/"/g, '\\"')}"` : arg)).join(' ');
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { id, positional, flags } = runIds.has(invocation.args[0] ?? '') ? readRun(invocation.args) : readHeroku(invocation.args);
  const env = invocation.env;

  if (id && appDestroyIds.has(id) && positional[0]) {
    return fromApp(positional[0], { source: 'argument', key: `${id} APP`, value: positional[0] });
  }
  const flagApp = flags.get('--app')?.at(-1);
  if (flagApp) return fromApp(flagApp, { source: 'flag', key: '--app', value: flagApp });
  if (env.HEROKU_APP) return fromApp(env.HEROKU_APP, { source: 'env', key: 'HEROKU_APP', value: env.HEROKU_APP });

  const remoteFlag = flags.get('--remote')?.at(-1);
  const search = herokuRemotes(invocation.cwd, env, remoteFlag);
  const chosenBy: Evidence[] = remoteFlag
    ? [{ source: 'flag', key: '--remote', value: remoteFlag }]
    : search.configured
      ? [search.configured.evidence]
      : [];
  const { remotes } = search;
  if (remotes.length === 1) {
    return { name: remotes[0].app, evidence: [remotes[0].evidence, ...chosenBy], identifiers: [{ kind: 'heroku-app', value: remotes[0].app }] };
  }
  if (remotes.length > 1) {
    return {
      evidence: [
        ...remotes.map((r) => ({ ...r.evidence, value: `${r.url} (one of ${remotes.length} Heroku remotes; heroku stops unless --app or --remote picks one)` })),
        ...chosenBy,
      ],
      identifiers: remotes.map((r): Identifier => ({ kind: 'heroku-app', value: r.app })),
    };
  }
  return {
    evidence: [{ source: 'default', key: 'app', value: 'no --app flag, no HEROKU_APP, no Heroku git remote' }, ...chosenBy, ...search.evidence],
    identifiers: [],
  };
}

function fromApp(app: string, evidence: Evidence): ResolvedTarget {
  return { name: app, evidence: [evidence], identifiers: [{ kind: 'heroku-app', value: app }] };
}

export const heroku: Tool = { name: 'heroku', parse, resolve };
