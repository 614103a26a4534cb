// Heroku CLI (heroku/cli 11, oclif). See shared tools.md §7.1.
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

import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { herokuRemotes } from './heroku-git.js';
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
  const { id, idPath, positional, flags } = readHeroku(invocation.args);
  const help = flags.has('--help') || id === 'help' || (id === undefined && flags.has('--version'));
  const commands: Command[] =
    id && scaleIds.has(id) && positional.length > 0
      ? positional.map((change) => ({ path: [...idPath, change], flags, text: change }))
      : [{ path: [...idPath, ...positional], flags }];
  return { commands, help };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { id, positional, flags } = readHeroku(invocation.args);
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
