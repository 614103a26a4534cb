// gsutil (Python; the copy bundled with the Cloud SDK here).
//
// Grammar: Python getopt, which stops at the first word that is not an option. Top-level options
// (`-m`, `-q`, `-o SECTION:KEY=VALUE`, `-h HEADER`, `-u PROJECT`, `-i SA`, …) stand before the command;
// long ones may be abbreviated. `-h` is a header, not help. The command's own options follow it
// (rm: -a -f -I -r -R; rsync: -d deletes, -n is a dry run …); they are read wherever they stand, a
// superset of getopt that a guard wants. `--help` anywhere, top-level `-?`/`--help`/`-v`/`--version`,
// `help`, and gsutil with no command are never gated. `lifecycle set FILE` reads FILE: a rule that
// deletes live objects adds --deletes-live-objects (gcs-lifecycle.ts).
//
// Target: the buckets the command names (gs://…, read by name: `acme-prod-assets` is production) and
// the default project, which for rm/rb only matters as a name for the environment:
//   1. `-o GSUtil:default_project_id=ID`, the last one given;
//   2. gcloud's project (CLOUDSDK_CORE_PROJECT, the active configuration; see google-cloud.ts), which the
//      Cloud SDK's wrapper passes to gsutil the same way (bin/bootstrapping/gsutil.py);
//   3. [GSUtil] default_project_id in the boto file (BOTO_CONFIG, else ~/.boto), which a standalone
//      gsutil reads instead. It is kept as a second identifier, so the stricter of the two counts.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf } from '../context/files.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { addLifecycleFlag } from './gcs-lifecycle.js';
import { bucketFacts, bucketsNamed, readSection, resolveProject } from './google-cloud.js';
import type { Tool } from './tool.js';

/** Top-level options, as gsutil's getopt spec 'dDvo:?h:i:u:mq' and its long list declare them. */
const topShortValues = new Set(['o', 'h', 'i', 'u']);
const topLong: Record<string, { canonical: string; value: boolean }> = {
  debug: { canonical: '-d', value: false },
  detailedDebug: { canonical: '-D', value: false },
  version: { canonical: '-v', value: false },
  // gsutil declares --option and --header without `=`: spelled long, they take no value.
  option: { canonical: '--option', value: false },
  help: { canonical: '-?', value: false },
  header: { canonical: '--header', value: false },
  'impersonate-service-account': { canonical: '-i', value: true },
  multithreaded: { canonical: '-m', value: false },
  quiet: { canonical: '-q', value: false },
  testexceptiontraces: { canonical: '--testexceptiontraces', value: false },
  'trace-token': { canonical: '--trace-token', value: true },
  'perf-trace-token': { canonical: '--perf-trace-token', value: true },
};

const rmGrammar = grammar({
  booleans: [['--recursive', '-r', '-R'], ['--all-versions', '-a'], ['--continue-on-error', '-f'], ['--stdin', '-I'], ['--help']],
});
const rbGrammar = grammar({ booleans: [['--continue-on-error', '-f'], ['--help']] });
const rsyncGrammar = grammar({
  values: [['--canned-acl', '-a'], ['--exclude', '-x'], ['--compress-extensions', '-j']],
  booleans: [['--delete', '-d'], ['--dry-run', '-n'], ['--recursive', '-r', '-R'], ['--help']],
});
const anyGrammar = grammar({ booleans: [['--help']] });

const commandGrammars: Record<string, Grammar> = {
  rm: rmGrammar,
  del: rmGrammar,
  delete: rmGrammar,
  remove: rmGrammar,
  rb: rbGrammar,
  deletebucket: rbGrammar,
  removebucket: rbGrammar,
  removebuckets: rbGrammar,
  rmdir: rbGrammar,
  rsync: rsyncGrammar,
};

interface GsutilArgs {
  top: Map<string, string[]>;
  command?: string;
  commandArgs: string[];
}

/** Top-level options up to the first word, the way getopt.getopt reads them. */
function readGsutil(args: readonly string[]): GsutilArgs {
  const top = new Map<string, string[]>();
  const add = (name: string, value: string) => top.set(name, [...(top.get(name) ?? []), value]);
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const spelled = arg.slice(2, eq === -1 ? undefined : eq);
      const option = topLong[spelled] ?? uniquePrefix(spelled);
      if (!option) {
        add(`--${spelled}`, ''); // getopt fails on it, and gsutil with it
        continue;
      }
      add(option.canonical, option.value ? (eq === -1 ? args[++i] ?? '' : arg.slice(eq + 1)) : '');
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        if (topShortValues.has(letter)) {
          add(`-${letter}`, j + 1 < arg.length ? arg.slice(j + 1) : args[++i] ?? '');
          break;
        }
        add(`-${letter}`, '');
      }
      continue;
    }
    break;
  }
  return { top, command: args[i], commandArgs: args.slice(i + 1) };
}

function uniquePrefix(spelled: string): { canonical: string; value: boolean } | undefined {
  const matches = Object.keys(topLong).filter((name) => name.startsWith(spelled));
  return matches.length === 1 ? topLong[matches[0]] : undefined;
}

function parse(invocation: Invocation): ParsedInvocation {
  const { top, command, commandArgs } = readGsutil(invocation.args);
  const { words, flags } = readArgs(commandArgs, command ? commandGrammars[command] ?? anyGrammar : anyGrammar);
  // `versioning set OFF` is off too: gsutil lower-cases the argument.
  if (command === 'versioning' && words[0] === 'set' && words[1] !== undefined) words[1] = words[1].toLowerCase();
  // `lifecycle set FILE URL…`: the file says whether live objects, or recent versions, will be deleted (gcs-lifecycle.ts).
  if (command === 'lifecycle' && words[0] === 'set' && words[1] !== undefined) addLifecycleFlag(words[1], invocation.cwd, flags);
  const help =
    command === undefined || command === 'help' || top.has('-?') || top.has('-v') || invocation.args.includes('--help');
  return { commands: [{ path: command ? [command, ...words] : [], flags }], help };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const env = invocation.env;
  const { top, commandArgs } = readGsutil(invocation.args);
  const buckets = bucketsNamed(commandArgs);
  const { evidence, identifiers } = bucketFacts(buckets);
  let project: string | undefined;

  const option = (top.get('-o') ?? [])
    .map((value) => /^GSUtil:default_project_id=(.*)$/.exec(value)?.[1])
    .filter((value): value is string => value !== undefined)
    .at(-1);
  if (option !== undefined) {
    project = option || undefined;
    evidence.push({ source: 'flag', key: '-o GSUtil:default_project_id', value: option || '(empty: no project)' });
    if (option) identifiers.push({ kind: 'gcp-project', value: option });
  } else {
    const facts = resolveProject(env, {}, invocation.assumed);
    project = facts.project;
    const [first, ...rest] = facts.evidence;
    evidence.push({ ...first, value: `${first.value} (gcloud's project, which the Cloud SDK passes to gsutil)` }, ...rest);
    identifiers.push(...facts.identifiers);
  }

  const boto = botoProject(env, invocation.cwd);
  if (boto) {
    const shadowed = project !== undefined;
    evidence.push({ ...boto.evidence, value: shadowed ? `${boto.project} (used by a standalone gsutil only)` : boto.project });
    identifiers.push({ kind: 'gcp-project', value: boto.project });
    project ??= boto.project;
  }
  return { name: buckets.length === 1 ? buckets[0] : project, evidence, identifiers };
}

function botoProject(env: NodeJS.ProcessEnv, cwd: string): { project: string; evidence: Evidence } | undefined {
  const file = env.BOTO_CONFIG ? resolvePath(cwd, env.BOTO_CONFIG) : join(homeOf(env), '.boto');
  const project = readSection(file, 'GSUtil')?.default_project_id;
  if (!project) return undefined;
  return { project, evidence: { source: 'file', key: '[GSUtil] default_project_id', value: project, file: displayPath(file, env) } };
}

export const gsutil: Tool = { name: 'gsutil', parse, resolve };
