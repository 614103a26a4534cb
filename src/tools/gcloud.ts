// gcloud (Google Cloud SDK: Python, calliope over argparse).
//
// Grammar: argparse. Global flags (--project, --configuration, --quiet …) may stand anywhere; a
// command's own flags stand after it. An unknown --flag takes the next word as its value unless that
// word is a flag. Abbreviated flags are not accepted (calliope turns argparse's prefix matching off).
// `alpha`, `beta` or `preview` before the command picks a release track and is skipped. Each
// --flags-file=YAML is replaced by the flags it holds, as gcloud does, before anything else is read.
// `--help`, `-h` and the `help` command are never gated; nor is `--version` on its own. `--no-x` never
// takes a value. A --lifecycle-file is judged (gcs-lifecycle.ts): one that deletes live objects adds
// --deletes-live-objects for the rules.
//
// Target:
//   `projects delete ID` targets the project it names. Every other command targets gcloud's project:
//   --project, else CLOUDSDK_CORE_PROJECT, else [core] project of the active configuration (the order
//   is in google-cloud.ts). Resource URIs that name projects/ID/… add that project, and storage
//   commands add each gs:// bucket, read by name (`acme-prod-assets` is production).

import { readTextIfExists } from '../context/files.js';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs, withNegations } from './argv.js';
import { addLifecycleFlag } from './gcs-lifecycle.js';
import { bucketFacts, bucketsNamed, resolveProject } from './google-cloud.js';
import type { Tool } from './tool.js';

const gcloudGrammar = grammar({
  values: [
    // global flags (calliope's own and the top group's)
    ['--project'],
    ['--configuration'],
    ['--account'],
    ['--billing-project'],
    ['--impersonate-service-account'],
    ['--access-token-file'],
    ['--universe-domain'],
    ['--verbosity'],
    ['--format'],
    ['--flatten'],
    ['--trace-token'],
    ['--authority-selector'],
    ['--authorization-token-file'],
    ['--credential-file-override'],
    ['--http-timeout'],
    // list flags, so a filter expression never reads as a command word
    ['--filter'],
    ['--limit'],
    ['--page-size'],
    ['--sort-by'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--quiet', '-q'],
    ['--log-http'],
    ['--no-log-http'],
    ['--user-output-enabled'],
    ['--no-user-output-enabled'],
    ['--async'],
    ['--uri'],
    // gcloud storage rm / rsync
    ['--recursive', '-r', '-R'],
    ['--all-versions', '-a'],
    ['--continue-on-error'],
    ['--read-paths-from-stdin', '-I'],
    ['--delete-unmatched-destination-objects'],
    ['--dry-run'],
  ],
  unknownLong: 'greedy',
});

const releaseTracks = new Set(['alpha', 'beta', 'preview']);

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const args = await expandFlagsFiles(invocation.args, invocation.cwd, 0);
  // Calliope's --no-x is a boolean's other spelling and takes no value.
  const { words, flags } = readArgs(args, withNegations(gcloudGrammar, args));
  readRecoverySettings(flags, invocation.cwd);
  const path = releaseTracks.has(words[0]) ? words.slice(1) : words;
  const help = flags.has('--help') || path[0] === 'help' || (flags.has('--version') && words.length === 0);
  const nested = help || !isSsh(path) ? [] : await sshCommands(path, flags, readArgs(args, gcloudGrammar).rest, invocation);
  return { commands: [{ path, flags }], help, ...(nested.length > 0 ? { nested } : {}) };
}

// ── gcloud compute ssh ──────────────────────────────────────────────────────────────────────────────
//
// `gcloud compute ssh [USER@]INSTANCE [--command=CMD] [--ssh-flag=F…] [-- ARGS…]` (also `compute tpus
// tpu-vm ssh`, `cloud-shell ssh`) runs ssh(1) as `ssh FLAGS… USER@HOST ARGS… -- CMD`: --command is the
// remote command, and the words after `--` are read by ssh after the destination (options, then more
// of the command). So the same argv is read by ssh's own reader (ssh.ts). Without a command, gcloud
// asks for a terminal: an interactive session.

function isSsh(path: string[]): boolean {
  const at = path.indexOf('ssh');
  return (at === 1 && ['compute', 'cloud-shell'].includes(path[0])) || (at === 3 && path[0] === 'compute' && path[1] === 'tpus' && path[2] === 'tpu-vm');
}

async function sshCommands(path: string[], flags: Map<string, string[]>, rest: string[], invocation: Invocation) {
  const { sshRemoteCommands } = await import('./ssh.js');
  const instance = path[path.indexOf('ssh') + 1] ?? (path[0] === 'cloud-shell' ? 'cloud-shell' : 'INSTANCE');
  const sshFlags = (flags.get('--ssh-flag') ?? []).flatMap((flag) => flag.trim().split(/\s+/)).filter((word) => word !== '');
  const command = flags.get('--command')?.at(-1);
  const argv = [...sshFlags, instance, ...rest, ...(command !== undefined ? ['--', command] : [])];
  return sshRemoteCommands({ ...invocation, tool: 'ssh', args: argv }, `gcloud ${path.slice(0, path.indexOf('ssh') + 1).join(' ')} ${instance}`);
}

/**
 * What the rules read from recovery settings: a soft-delete duration of zero in any unit is `0`, and a
 * lifecycle file that deletes live objects adds --deletes-live-objects, one that deletes noncurrent
 * versions within a week --deletes-noncurrent-within-a-week (--unreadable-file when it cannot be read;
 * see gcs-lifecycle.ts).
 */
function readRecoverySettings(flags: Map<string, string[]>, cwd: string): void {
  const duration = flags.get('--soft-delete-duration');
  if (duration) flags.set('--soft-delete-duration', duration.map((v) => (/^\s*0+(\.0*)?\s*[smhd]?\s*$/i.test(v) ? '0' : v)));
  for (const file of flags.get('--lifecycle-file') ?? []) addLifecycleFlag(file, cwd, flags);
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  let name: string | undefined;

  if (path[0] === 'projects' && path[1] === 'delete' && path[2]) {
    name = path[2];
    evidence.push({ source: 'argument', key: 'projects delete', value: path[2] });
    identifiers.push({ kind: 'gcp-project', value: path[2] });
  } else {
    const facts = resolveProject(invocation.env, { project: flags.get('--project')?.at(-1), configuration: flags.get('--configuration')?.at(-1) }, invocation.assumed);
    name = facts.project;
    evidence.push(...facts.evidence);
    identifiers.push(...facts.identifiers);
  }

  for (const project of projectsInResourceUris(invocation.args)) {
    if (identifiers.some((id) => id.kind === 'gcp-project' && id.value === project)) continue;
    evidence.push({ source: 'argument', key: 'resource URI project', value: project });
    identifiers.push({ kind: 'gcp-project', value: project });
  }

  if (path[0] === 'storage') {
    const buckets = bucketsNamed(invocation.args);
    const facts = bucketFacts(buckets);
    evidence.unshift(...facts.evidence);
    identifiers.push(...facts.identifiers);
    if (buckets.length === 1) name = buckets[0];
  }
  return { name, evidence, identifiers };
}

/** `projects/ID/…` in a resource path or URI names the project the resource lives in. */
function projectsInResourceUris(args: readonly string[]): string[] {
  const projects: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const project = /(?:^|\/)projects\/([^/]+)\//.exec(arg)?.[1];
    if (project && !projects.includes(project)) projects.push(project);
  }
  return projects;
}

// ── --flags-file ────────────────────────────────────────────────────────────────────────────────────

const maxFlagsFileDepth = 8;

/** Replaces each --flags-file argument with the flags its YAML holds, the way gcloud reads them. */
async function expandFlagsFiles(args: readonly string[], cwd: string, depth: number): Promise<string[]> {
  if (!args.some((arg) => arg === '--flags-file' || arg.startsWith('--flags-file='))) return [...args];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    let file: string;
    if (arg === '--flags-file' && i + 1 < args.length) file = args[++i];
    else if (arg.startsWith('--flags-file=')) file = arg.slice('--flags-file='.length);
    else {
      out.push(arg);
      continue;
    }
    out.push(...(await flagsInFile(resolvePath(cwd, file), cwd, depth)));
  }
  return out;
}

/** The flags one file holds. A file gcloud could not read either is left as it was: gcloud fails on it. */
async function flagsInFile(file: string, cwd: string, depth: number): Promise<string[]> {
  const unexpanded = [`--flags-file=${file}`];
  if (depth >= maxFlagsFileDepth) return unexpanded;
  let document: unknown;
  try {
    const loaded = await import('yaml');
    // Bundled, `yaml` is its CommonJS build and arrives as a default export.
    const { parse: parseYaml } = ((loaded as { default?: unknown }).default ?? loaded) as typeof import('yaml');
    const text = readTextIfExists(file);
    if (text === undefined) return unexpanded;
    document = parseYaml(text);
  } catch {
    return unexpanded;
  }
  const out: string[] = [];
  for (const entries of Array.isArray(document) ? document : [document]) {
    if (!entries || typeof entries !== 'object') continue;
    for (const [flag, value] of Object.entries(entries as Record<string, unknown>)) {
      if (flag === '--flags-file') {
        for (const nested of Array.isArray(value) ? value : [value]) {
          if (typeof nested === 'string') out.push(...(await flagsInFile(resolvePath(cwd, nested), cwd, depth + 1)));
        }
      } else if (value === null || value === true) {
        out.push(flag);
      } else if (value !== false) {
        out.push(`${flag}=${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
      }
    }
  }
  return out;
}

export const gcloud: Tool = { name: 'gcloud', parse, resolve };
