// Google Cloud facts that gcloud and gsutil share: the project gcloud's active configuration names, and
// the buckets a command line names.
//
// gcloud's order for the core/project property (googlecloudsdk/core/properties.py, checked against the
// SDK 528 source):
//   1. the --project flag (also read from a --flags-file, which gcloud.ts expands first);
//   2. the CLOUDSDK_CORE_PROJECT variable, even when it is empty;
//   3. [core] project in the active configuration's file, <config dir>/configurations/config_<NAME>.
//      The configuration is --configuration, else CLOUDSDK_ACTIVE_CONFIG_NAME, else the name in the file
//      <config dir>/active_config, else "default" (configurations/named_configs.py). The config dir is
//      CLOUDSDK_CONFIG, else ~/.config/gcloud.
// Not read: installation-wide properties (<sdk root>/properties, lowest) and, on Compute Engine, the
// metadata server. Both only fill a gap, and a project chaperone cannot see counts as unknown.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import { parse as parseIni } from 'ini';
import type { Assumption, Evidence, Identifier } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';

export interface ProjectFacts {
  project?: string;
  evidence: Evidence[];
  identifiers: Identifier[];
}

/** What the command line says about the project, before the environment and files are read. */
export interface ProjectFlags {
  project?: string;
  configuration?: string;
}

/** Where gcloud keeps its configurations. */
export function gcloudConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLOUDSDK_CONFIG ? resolvePath(env.CLOUDSDK_CONFIG) : join(homeOf(env), '.config', 'gcloud');
}

/** The project gcloud would use, with the evidence for it. */
export function resolveProject(env: NodeJS.ProcessEnv, flags: ProjectFlags, assumed: Assumption[] = []): ProjectFacts {
  if (flags.project !== undefined) {
    return fromName(flags.project, { source: 'flag', key: '--project', value: flags.project || '(empty: no project)' });
  }
  const fromEnv = env.CLOUDSDK_CORE_PROJECT;
  if (fromEnv !== undefined) return fromName(fromEnv, { source: 'env', key: 'CLOUDSDK_CORE_PROJECT', value: fromEnv || '(empty: no project)' });

  const switched = switchConfigurations(gcloudConfigDir(env), assumed);
  const configuration = activeConfiguration(env, flags.configuration, switched.active);
  if (configuration.name === 'NONE') {
    return { evidence: [{ ...configuration.from, value: `NONE (no configuration, so no [core] project)` }], identifiers: [] };
  }
  const file = join(gcloudConfigDir(env), 'configurations', `config_${configuration.name}`);
  const shown = displayPath(file, env);
  const set = switched.projects.get(configuration.name);
  if (set) {
    const identifiers: Identifier[] = [{ kind: 'gcp-configuration', value: configuration.name }];
    if (set.project) identifiers.unshift({ kind: 'gcp-project', value: set.project });
    const value = set.project ? `[core] project ${set.project} in ${shown}` : `[core] project unset in ${shown}`;
    return { project: set.project, evidence: [{ source: 'command', key: set.by, value }, configuration.from], identifiers };
  }
  const text = readTextIfExists(file);
  const project = text === undefined ? undefined : iniSection(text, 'core')?.project;
  const identifiers: Identifier[] = [{ kind: 'gcp-configuration', value: configuration.name }];
  if (!project) {
    const why = text === undefined ? 'no such file' : 'not set';
    return { evidence: [{ source: 'file', key: '[core] project', value: why, file: shown }, configuration.from], identifiers };
  }
  identifiers.unshift({ kind: 'gcp-project', value: project });
  return { project, evidence: [{ source: 'file', key: '[core] project', value: project, file: shown }, configuration.from], identifiers };
}

function fromName(project: string, evidence: Evidence): ProjectFacts {
  return { project: project || undefined, evidence: [evidence], identifiers: project ? [{ kind: 'gcp-project', value: project }] : [] };
}

/** gcloud's configuration names: a lower-case letter, then letters, digits and dashes; NONE is reserved. */
const configurationName = /^[a-z][-a-z0-9]*$/;

interface Configuration {
  name: string;
  from: Evidence;
}

function activeConfiguration(env: NodeJS.ProcessEnv, flag: string | undefined, switched?: { name?: string; by: string }): Configuration {
  if (flag) return { name: flag, from: { source: 'flag', key: '--configuration', value: flag } };
  const variable = env.CLOUDSDK_ACTIVE_CONFIG_NAME;
  if (variable) return { name: variable, from: { source: 'env', key: 'CLOUDSDK_ACTIVE_CONFIG_NAME', value: variable } };
  // A configuration the line does not name leaves the project unknown: NONE has none.
  if (switched) return { name: switched.name ?? 'NONE', from: { source: 'command', key: switched.by, value: `active configuration ${switched.name ?? 'not known in advance'}` } };
  const file = join(gcloudConfigDir(env), 'active_config');
  const shown = displayPath(file, env);
  const text = readTextIfExists(file);
  // gcloud takes the file's text as it is; Python's `$` lets one trailing newline through the name check.
  const name = text?.replace(/\n$/, '');
  if (name && (configurationName.test(name) || name === 'NONE')) {
    return { name, from: { source: 'file', key: 'active configuration', value: name, file: shown } };
  }
  const why = text === undefined ? 'no active_config file' : 'active_config holds no valid name';
  return { name: 'default', from: { source: 'default', key: 'configuration', value: `default (${why} at ${shown})` } };
}

/** One section of an INI file, or undefined when the file or the section is missing. */
export function readSection(file: string, section: string): Record<string, string> | undefined {
  const text = readTextIfExists(file);
  return text === undefined ? undefined : iniSection(text, section);
}

/** One section of INI text, keys lower-cased as Python's configparser reads them. */
function iniSection(text: string, section: string): Record<string, string> | undefined {
  // Section names here (core, GSUtil) hold no dots, so `ini`'s nesting of dotted names never applies.
  const found = (parseIni(text) as Record<string, unknown>)[section];
  if (!found || typeof found !== 'object') return undefined;
  return Object.fromEntries(
    Object.entries(found as Record<string, unknown>)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([key, value]) => [key.toLowerCase(), value]),
  );
}

/** The buckets named by gs:// URLs among the arguments, each once, in order. */
export function bucketsNamed(args: readonly string[]): string[] {
  const buckets: string[] = [];
  for (const arg of args) {
    const bucket = /^gs:\/\/([^/]+)/i.exec(arg)?.[1];
    if (bucket && !buckets.includes(bucket)) buckets.push(bucket);
  }
  return buckets;
}

/** Identifiers and evidence for the buckets a storage command names; bucket names are read by token. */
export function bucketFacts(buckets: readonly string[]): { evidence: Evidence[]; identifiers: Identifier[] } {
  return {
    evidence: buckets.map((bucket) => ({ source: 'argument' as const, key: 'bucket', value: `gs://${bucket}` })),
    identifiers: buckets.map((bucket) => ({ kind: 'name' as const, value: bucket })),
  };
}

/**
 * What earlier commands of the line leave in one config dir: `gcloud config configurations activate`
 * (and `create`, which activates) writes active_config; `gcloud config set project` writes [core]
 * project into --configuration's file, else CLOUDSDK_ACTIVE_CONFIG_NAME's, else the active one's.
 */
function switchConfigurations(dir: string, assumed: Assumption[]): { active?: { name?: string; by: string }; projects: Map<string, { project?: string; by: string }> } {
  let active: { name?: string; by: string } | undefined;
  const projects = new Map<string, { project?: string; by: string }>();
  for (const a of assumed) {
    if (gcloudConfigDir(a.env) !== dir) continue;
    const by = `earlier in the line: ${a.by}`;
    if (a.fact.kind === 'gcloud-configuration') active = { name: a.fact.configuration, by };
    if (a.fact.kind === 'gcloud-project') {
      const into = a.fact.configuration || a.env.CLOUDSDK_ACTIVE_CONFIG_NAME || active?.name || activeConfiguration(a.env, undefined).name;
      projects.set(into, { project: a.fact.project, by });
    }
  }
  return { active, projects };
}
