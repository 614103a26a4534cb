// Firebase CLI `firebase` (firebase/firebase-tools, commander).
//
// Grammar: commander. Commands are one word with colons (`firestore:delete`, `database:remove`); options
// stand anywhere after it. Global: -P/--project, --account, --token, -c/--config, --json,
// --non-interactive, --interactive, --debug. `--help`/`-h`, `help` and `--version`/`-V` are never gated.
//
// Target (src/command.ts prepare and applyRC): the project is
//   1. -P/--project;
//   2. else the project `firebase use` chose for this project directory: activeProjects[ROOT] in
//      configstore's firebase-tools.json (under XDG_CONFIG_HOME, else ~/.config/configstore/);
//   3. else the deprecated `firebase` key of firebase.json;
// and a value that is an alias in .firebaserc `projects` becomes that alias's project id; with no value
// at all, the only alias, else the alias `default`. ROOT is the nearest directory at or above the working
// directory holding firebase.json (the --config file's directory, when given); .firebaserc is read there, else in the
// working directory. The project id is read by token (`acme-prod`), and so is the alias (`prod`): the
// stricter wins. The --instance (Realtime Database), --database (Firestore) and --site (Hosting) a
// command names are read by token too. Emulator variables (FIRESTORE_EMULATOR_HOST) are not counted.
// `emulators:exec SCRIPT` runs SCRIPT here as a shell line, judged as one.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, configHome, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const firebaseGrammar = grammar({
  values: [
    ['--project', '-P'],
    ['--account'],
    ['--token'],
    ['--config', '-c'],
    ['--instance'],
    ['--database'],
    ['--site', '-s'],
    ['--region'],
    ['--data', '-d'],
    ['--delete-protection'],
    ['--point-in-time-recovery'],
    ['--only'],
    ['--except'],
    ['--version-number', '-v'],
    ['--location'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-V'],
    ['--json', '-j'],
    ['--non-interactive'],
    ['--interactive'],
    ['--debug'],
    ['--recursive', '-r'],
    ['--shallow'],
    ['--all-collections'],
    ['--force', '-f'],
    ['--yes', '-y'],
    ['--disable-triggers'],
  ],
});

/** Enum values firebase compares in upper case (ENABLED, DISABLED). */
const enumFlags = ['--delete-protection', '--point-in-time-recovery'];

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, firebaseGrammar);
  for (const name of enumFlags) {
    const values = flags.get(name);
    if (values) flags.set(name, values.map((v) => v.toUpperCase()));
  }
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  // `emulators:exec SCRIPT` runs SCRIPT in a shell here, beside the emulators: judged as a line of its own.
  const nested: NestedLine[] = words[0] === 'emulators:exec' && words[1] ? [{ via: 'firebase emulators:exec', line: words[1], where: 'local' }] : [];
  return { commands: [{ path: words, flags }], help, ...(nested.length ? { nested } : {}) };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = parsed.commands[0];
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const configFlag = flags.get('--config')?.at(-1);
  const root = configFlag ? dirname(resolvePath(invocation.cwd, configFlag)) : ancestors(invocation.cwd).find((dir) => existsSync(join(dir, 'firebase.json')));

  let chosen: string | undefined;
  const flag = flags.get('--project')?.at(-1);
  if (flag) {
    chosen = flag;
    evidence.push({ source: 'flag', key: '--project', value: flag });
  } else if (root) {
    const store = join(configHome(env), 'configstore', 'firebase-tools.json');
    const active = readJson(store);
    const value = objectOf(objectOf(active.data).activeProjects)[root];
    if (typeof value === 'string' && value !== '') {
      chosen = value;
      evidence.push({ source: 'file', key: `activeProjects["${displayPath(root, env)}"]`, value, file: displayPath(store, env) });
    } else if (active.problem) {
      evidence.push({ source: 'file', key: 'activeProjects', value: active.problem, file: displayPath(store, env) });
    }
    if (!chosen) {
      const legacy = objectOf(readJson(join(root, 'firebase.json')).data).firebase;
      if (typeof legacy === 'string' && legacy !== '') {
        chosen = legacy;
        evidence.push({ source: 'file', key: 'firebase', value: legacy, file: displayPath(join(root, 'firebase.json'), env) });
      }
    }
  }

  const rcFile = join(root ?? invocation.cwd, '.firebaserc');
  const rc = readJson(rcFile);
  const rcShown = displayPath(rcFile, env);
  if (rc.problem) evidence.push({ source: 'file', key: 'projects', value: `${rc.problem}: fix the file or pass --project`, file: rcShown });
  const aliases = Object.fromEntries(Object.entries(objectOf(objectOf(rc.data).projects)).filter((e): e is [string, string] => typeof e[1] === 'string'));
  let project: string | undefined;
  let alias: string | undefined;
  if (chosen !== undefined && Object.hasOwn(aliases, chosen)) {
    alias = chosen;
    project = aliases[chosen];
  } else if (chosen !== undefined) {
    project = chosen;
  } else if (Object.keys(aliases).length === 1) {
    alias = Object.keys(aliases)[0];
    project = aliases[alias];
  } else if (Object.hasOwn(aliases, 'default')) {
    alias = 'default';
    project = aliases.default;
  }
  if (alias !== undefined) {
    evidence.push({ source: 'file', key: `projects.${alias}`, value: project!, file: rcShown });
    if (alias !== 'default') identifiers.push({ kind: 'name', value: alias });
  }
  if (project) identifiers.push({ kind: 'gcp-project', value: project });
  else if (!rc.problem) evidence.push({ source: 'default', key: 'project', value: 'no --project, no active project and no alias in .firebaserc: firebase has no project' });

  for (const key of ['--instance', '--database', '--site']) {
    for (const value of flags.get(key) ?? []) {
      if (!value) continue;
      evidence.push({ source: 'flag', key, value });
      identifiers.push({ kind: 'name', value });
    }
  }
  return { name: project, evidence, identifiers };
}

function readJson(file: string): { data?: unknown; problem?: string } {
  try {
    const text = readTextIfExists(file);
    return text === undefined ? {} : { data: JSON.parse(text) };
  } catch (error) {
    return { problem: `unreadable (${(error as Error).message.split('\n')[0]})` };
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export const firebase: Tool = { name: 'firebase', parse, resolve };
