// Supabase CLI (supabase/cli, Go, cobra + pflag + viper with the SUPABASE_ prefix).
//
// Grammar: cobra. Flags stand anywhere; `--flag=value` or `--flag value`. A boolean spelled
// `--yes=false` is off and is dropped here, except the connection flags below. `--help`, `-h` and
// `help` are never gated, nor `--version`/`-v` without a command.
//
// Where a command acts (apps/cli-go/internal/utils/flags/db_url.go, ParseDatabaseConfig): a connection
// flag counts when it is given at all, whatever its value (pflag's Changed), in the order --db-url,
// --local, --linked; then the command's default. So `db reset` is local unless --db-url, or --linked
// without --local (even `--linked=false` resets the linked project); `storage` commands are remote unless
// --local is given; `stop` is always local. Local commands act on the Docker stack here: development.
//
// Target of a remote command:
//   1. `projects delete REF` deletes the project it names;
//   2. `db reset --db-url URL`: the URL's host (a local host is development) and database;
//   3. the linked project ref: --project-ref, else SUPABASE_PROJECT_ID, else the file
//      supabase/.temp/project-ref under the project root. The root is --workdir, else SUPABASE_WORKDIR,
//      else the nearest ancestor of cwd holding supabase/config.toml, else cwd.
// A project ref is opaque: unknown, hence held like production, until the user's config maps it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const booleanFlags: string[][] = [
  ['--help', '-h'],
  ['--linked'],
  ['--local'],
  ['--proxy'],
  ['--yes'],
  ['--debug'],
  ['--experimental'],
  ['--create-ticket'],
  ['--recursive', '-r'],
  ['--no-seed'],
  ['--no-backup'],
  ['--all'],
];

const supabaseGrammar = grammar({
  values: [
    ['--workdir'],
    ['--project-ref'],
    ['--db-url'],
    ['--profile'],
    ['--output', '-o'],
    ['--network-id'],
    ['--dns-resolver'],
    ['--agent'],
    // `db reset --version V`; at the top level --version takes no value and prints the CLI's version.
    ['--version'],
    ['--last'],
    ['--password', '-p'],
    ['--schema', '-s'],
    ['--file', '-f'],
    ['--status'],
    ['--org-id'],
    ['--db-password'],
    ['--region'],
    ['--size'],
    ['--jobs', '-j'],
  ],
  booleans: booleanFlags,
  // The connection is chosen by whether these were given, not by their value.
  changed: ['--linked', '--local', '--proxy'],
});

/** pflag's strconv.ParseBool spellings of false. */
const falseWords = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);
/** Flags that choose the connection by being given, not by their value. */
const connectionFlags = new Set(['--linked', '--local', '--proxy']);
const offableBooleans = new Set(booleanFlags.map((spellings) => spellings[0]).filter((name) => !connectionFlags.has(name)));

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, supabaseGrammar);
  for (const name of offableBooleans) {
    if (falseWords.has(flags.get(name)?.at(-1) ?? '')) flags.delete(name);
  }
  const help = flags.has('--help') || words[0] === 'help' || (words.length === 0 && (flags.has('--version') || flags.has('-v')));
  return { commands: [{ path: words, flags }], help };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const local = localReason(path, flags);
  if (local) {
    return {
      name: 'local',
      evidence: [{ source: 'command', key: `supabase ${path.slice(0, 2).join(' ')}`, value: local }],
      identifiers: [],
      forcedClass: 'development',
      forcedReason: local,
    };
  }

  if (path[0] === 'projects' && path[1] === 'delete' && path[2]) {
    return fromRef(path[2], { source: 'argument', key: 'projects delete REF', value: path[2] });
  }

  const dbUrl = flags.get('--db-url')?.at(-1);
  if (dbUrl !== undefined) return fromDatabaseUrl(dbUrl);

  const flagRef = flags.get('--project-ref')?.at(-1);
  if (flagRef) return fromRef(flagRef, { source: 'flag', key: '--project-ref', value: flagRef });
  const envRef = invocation.env.SUPABASE_PROJECT_ID;
  if (envRef) return fromRef(envRef, { source: 'env', key: 'SUPABASE_PROJECT_ID', value: envRef });

  const root = projectRoot(invocation, flags.get('--workdir')?.at(-1));
  const file = join(root.dir, 'supabase', '.temp', 'project-ref');
  const shown = displayPath(file, invocation.env);
  const ref = readTextIfExists(file)?.trim();
  if (ref) return fromRef(ref, { source: 'file', key: 'project ref', value: ref, file: shown }, root.evidence);
  return {
    evidence: [
      { source: 'default', key: 'project', value: 'no --project-ref, no SUPABASE_PROJECT_ID, no linked project' },
      { source: 'file', key: 'project ref', value: 'no such file (not linked)', file: shown },
      ...root.evidence,
    ],
    identifiers: [],
  };
}

/** Why a gated command acts only on this machine, or undefined when it reaches a remote project. */
function localReason(path: string[], flags: Map<string, string[]>): string | undefined {
  if (path[0] === 'stop') return 'supabase stop acts on the local Docker stack only';
  if (path[0] === 'db' && path[1] === 'reset' && !flags.has('--db-url') && (flags.has('--local') || !flags.has('--linked'))) {
    return 'db reset without --linked or --db-url resets the local database';
  }
  if (path[0] === 'storage' && flags.has('--local')) return 'storage with --local acts on the local Storage API';
  return undefined;
}

function fromRef(ref: string, evidence: Evidence, more: Evidence[] = []): ResolvedTarget {
  return { name: ref, evidence: [evidence, ...more], identifiers: [{ kind: 'supabase-project', value: ref }] };
}

/** A postgres URL's host and database, with the password left out of the evidence. */
function fromDatabaseUrl(url: string): ResolvedTarget {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL: a key=value DSN, or garbage supabase refuses itself
  }
  if (!parsed || !parsed.hostname) {
    return { evidence: [{ source: 'flag', key: '--db-url', value: '(not a URL chaperone can read)' }], identifiers: [] };
  }
  if (parsed.password) parsed.password = '';
  const host = decodeURIComponent(parsed.hostname);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined;
  const identifiers: Identifier[] = [{ kind: 'host', value: host }];
  if (database) identifiers.push({ kind: 'name', value: database });
  return { name: database, evidence: [{ source: 'flag', key: '--db-url', value: parsed.toString() }], identifiers };
}

/** Where supabase chdirs before reading supabase/.temp/project-ref. */
function projectRoot(invocation: Invocation, workdirFlag: string | undefined): { dir: string; evidence: Evidence[] } {
  const workdir = workdirFlag ?? invocation.env.SUPABASE_WORKDIR;
  if (workdir) {
    const from: Evidence = workdirFlag !== undefined ? { source: 'flag', key: '--workdir', value: workdir } : { source: 'env', key: 'SUPABASE_WORKDIR', value: workdir };
    return { dir: resolvePath(invocation.cwd, workdir), evidence: [from] };
  }
  const found = ancestors(invocation.cwd).find((dir) => existsSync(join(dir, 'supabase', 'config.toml')));
  return { dir: found ?? invocation.cwd, evidence: [] };
}

export const supabase: Tool = { name: 'supabase', parse, resolve };
