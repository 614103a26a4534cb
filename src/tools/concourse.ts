// Concourse CI's `fly` (concourse/concourse, fly/commands; Go, go-flags), which shares its name with
// flyctl. See fly.ts, which hands an invocation here when its command is one only Concourse has.
//
// Telling them apart: flyctl has no hyphenated top-level commands, and Concourse's destroying ones are
// all hyphenated or their short aliases (`destroy-pipeline`/`dp`, `destroy-team`/`dt`, …), none of which
// flyctl knows. A word both have (`volumes`, `status`, `login`) stays flyctl's; those are benign in
// Concourse. `-t` means --target to Concourse and --access-token to flyctl (both take a value), so it
// cannot decide; `--target NAME` is unknown to flyctl, which is why both readings are compared.
//
// Grammar: go-flags. `-t NAME`, `-tNAME`, `--target NAME`, `--target=NAME`; options stand anywhere
// after the command. `-h`/`--help` is help.
//
// Target: the target named by -t/--target (Concourse has no default target; without one the command
// fails), read by token, and its entry in ~/.flyrc (`targets: {NAME: {api: URL, team: TEAM}}`): the api
// URL's host is classified too, and the team (or --team / -n for team commands) is shown as evidence.
// A target missing from ~/.flyrc is unknown beyond its name.

import { join } from 'node:path';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { mappingOf, readYamlFile } from './yaml-file.js';

/**
 * Concourse commands flyctl does not have: every hyphenated one, and the short aliases of those the
 * rules gate. Seeing one means this is Concourse. (A benign Concourse alias left out stays flyctl's,
 * which gates nothing by it either.)
 */
const concourseOnly = new Set([
  'abort-build', 'active-users', 'archive-pipeline', 'ap', 'check-resource', 'check-resource-type', 'clear-resource-cache',
  'clear-task-cache', 'clear-versions', 'cv', 'delete-target', 'destroy-pipeline', 'dp', 'destroy-team', 'dt',
  'disable-resource-version', 'edit-target', 'enable-resource-version', 'expose-pipeline', 'format-pipeline', 'get-pipeline',
  'get-team', 'hide-pipeline', 'land-worker', 'lw', 'order-pipelines', 'order-instanced-pipelines', 'pause-job', 'pause-pipeline',
  'pin-resource', 'prune-worker', 'pw', 'rename-pipeline', 'rename-team', 'rerun-build', 'resource-versions', 'resource-types',
  'schedule-job', 'set-pipeline', 'set-team', 'st', 'trigger-job', 'unpause-job', 'unpause-pipeline', 'unpin-resource',
  'validate-pipeline',
]);

const concourseGrammar = grammar({
  values: [
    ['--target', '-t'],
    ['--pipeline', '-p'],
    ['--team-name', '-n'],
    ['--team'],
    ['--job', '-j'],
    ['--resource', '-r'],
    ['--worker', '-w'],
  ],
  booleans: [['--help', '-h'], ['--non-interactive'], ['--all', '-a'], ['--version']],
});

/**
 * Whether this is Concourse: read as Concourse reads it, the command is one only Concourse has, and
 * flyctl's reading (`flyctlWords`) sees that word too among its first two, since flyctl does not know
 * that --target takes a value. When flyctl's reading swallows the word as a value (`fly -a st volumes
 * destroy`: the app `st`), the invocation stays flyctl's.
 */
export function isConcourse(args: readonly string[], flyctlWords: readonly string[]): boolean {
  const first = readArgs(args, concourseGrammar).words[0];
  return first !== undefined && concourseOnly.has(first) && flyctlWords.slice(0, 2).includes(first);
}

export function parseConcourse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, concourseGrammar);
  // The path starts with `concourse` so that a rule cannot confuse a Concourse command with flyctl's.
  return { commands: [{ path: ['concourse', ...words], flags }], help: flags.has('--help') || flags.has('--version') };
}

export function isConcourseInvocation(parsed: ParsedInvocation): boolean {
  return parsed.commands[0]?.path[0] === 'concourse';
}

export function resolveConcourse(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const flags = parsed.commands[0].flags;
  const target = flags.get('--target')?.at(-1);
  if (!target) {
    return { evidence: [{ source: 'default', key: '-t/--target', value: 'none given (Concourse has no default target)' }], identifiers: [] };
  }
  const evidence: Evidence[] = [{ source: 'flag', key: '--target', value: target }];
  const identifiers: Identifier[] = [{ kind: 'name', value: target }];
  const file = join(homeOf(invocation.env), '.flyrc');
  const shown = displayPath(file, invocation.env);
  const flyrc = readYamlFile(file);
  if (flyrc.kind !== 'read') {
    evidence.push({ source: 'file', key: `targets.${target}`, value: flyrc.kind === 'missing' ? 'no ~/.flyrc' : `unreadable: ${flyrc.why}`, file: shown });
    return { name: target, evidence, identifiers };
  }
  const entry = mappingOf(mappingOf(mappingOf(flyrc.data).targets)[target]);
  if (Object.keys(entry).length === 0) {
    evidence.push({ source: 'file', key: `targets.${target}`, value: 'not found', file: shown });
    return { name: target, evidence, identifiers };
  }
  if (typeof entry.api === 'string') {
    evidence.push({ source: 'file', key: `targets.${target}.api`, value: entry.api, file: shown });
    const host = hostOf(entry.api);
    if (host) identifiers.push({ kind: 'host', value: host });
  }
  const team = flags.get('--team')?.at(-1) ?? flags.get('--team-name')?.at(-1);
  if (team) {
    evidence.push({ source: 'flag', key: flags.has('--team') ? '--team' : '--team-name', value: team });
    identifiers.push({ kind: 'name', value: team });
  } else if (typeof entry.team === 'string') {
    evidence.push({ source: 'file', key: `targets.${target}.team`, value: entry.team, file: shown });
    identifiers.push({ kind: 'name', value: entry.team });
  }
  return { name: target, evidence, identifiers };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
