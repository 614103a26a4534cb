// DigitalOcean doctl (digitalocean/doctl, cobra + viper with the env prefix DIGITALOCEAN_). See shared
// tools.md §7.5.
//
// Grammar: cobra. Global flags (-t/--access-token, -u/--api-url, -c/--config, --context, -o/--output …)
// are persistent and may stand anywhere, like each command's own. Commands nest two to four words deep
// with many aliases (`doctl compute d d web-1` deletes a droplet: `d` is both droplet and delete); the
// rules spell out the aliases of each delete. A boolean given `=false` is unset. `--help`/`-h` anywhere
// and the `help` command are never gated.
//
// Target (commands/command_config.go getContextAccessToken, commands/doit.go initConfig):
//   1. the auth context: --context (lower-cased by doctl), else DIGITALOCEAN_CONTEXT, else `context`
//      in the config file (-c/--config, DIGITALOCEAN_CONFIG, else the OS config dir's
//      doctl/config.yaml), else `default`. A context names an account or team token, read by token;
//   2. for the default context only, the token from -t/--access-token or DIGITALOCEAN_ACCESS_TOKEN
//      overrides the file's: it decides the account and cannot be read offline. A named context always
//      takes its token from auth-contexts, so those two are ignored;
//   3. the resources named on the command line (droplets, clusters, --tag-name): names are read by token,
//      ids (numbers, UUIDs) are not;
//   4. -u/--api-url or DIGITALOCEAN_API_URL, classified as a host (a local mock is development).
// DigitalOcean Projects carry an environment attribute, but only the API knows it.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { configHome, displayPath, homeOf } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { dropFalseBooleans } from './pflag-booleans.js';
import { fingerprint, type Tool } from './tool.js';
import { mappingOf, readYamlFile } from './yaml-file.js';

const doctlGrammar = grammar({
  values: [
    // global
    ['--access-token', '-t'],
    ['--api-url', '-u'],
    ['--config', '-c'],
    ['--context'],
    ['--output', '-o'],
    ['--http-retry-max'],
    ['--http-retry-wait-max'],
    ['--http-retry-wait-min'],
    // common to many commands
    ['--format'],
    ['--template'],
    ['--tag-name'],
    ['--tag'],
    ['--region'],
    ['--size'],
    ['--image'],
    ['--name'],
    ['--spec'],
    ['--resource-type'],
    ['--volumes'],
    ['--load-balancers'],
    ['--snapshots'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--trace'],
    ['--verbose', '-v'],
    ['--interactive'],
    ['--force', '-f'],
    ['--dangerous'],
    ['--update-kubeconfig'],
    ['--no-header'],
    ['--wait'],
  ],
});

/** Every spelling of a verb that deletes, across doctl's commands. */
const deleteVerbs = new Set(['delete', 'd', 'del', 'rm', 'remove', 'delete-selective', 'ds', 'delete-node', 'delete-tag', 'dt', 'delete-manifest', 'dm']);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const numeric = /^\d+$/;

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, doctlGrammar);
  dropFalseBooleans(flags, doctlGrammar.booleans);
  const help = flags.has('--help') || words[0] === 'help';
  return { commands: [{ path: words, flags }], help };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const config = readConfig(flags, env, invocation.cwd);
  const context = chooseContext(flags, env, config);
  evidence.push(context.from);
  if (context.name !== 'default') identifiers.push({ kind: 'digitalocean-context', value: context.name });
  evidence.push(...contextFacts(context.name, config));
  evidence.push(...tokenFacts(context.name, flags, env));

  const named = namedResources(path, flags);
  evidence.push(...named.evidence);
  identifiers.push(...named.identifiers);

  const apiUrl = flags.get('--api-url')?.at(-1) ?? env.DIGITALOCEAN_API_URL;
  if (apiUrl) {
    evidence.push(flags.has('--api-url') ? { source: 'flag', key: '--api-url', value: apiUrl } : { source: 'env', key: 'DIGITALOCEAN_API_URL', value: apiUrl });
    const host = hostOf(apiUrl);
    if (host) identifiers.push({ kind: 'host', value: host });
  }

  const name = context.name !== 'default' ? context.name : named.names[0];
  return { name, evidence, identifiers };
}

interface Config {
  file: string;
  shown: string;
  /** The file's mapping; empty when it is missing or unreadable. */
  data: Record<string, unknown>;
  problem?: string;
}

/** doctl's config file: -c/--config, DIGITALOCEAN_CONFIG, else os.UserConfigDir()/doctl/config.yaml. */
function readConfig(flags: Map<string, string[]>, env: NodeJS.ProcessEnv, cwd: string): Config {
  const given = flags.get('--config')?.at(-1) || env.DIGITALOCEAN_CONFIG;
  const file = given ? resolvePath(cwd, given) : join(userConfigDir(env), 'doctl', 'config.yaml');
  const shown = displayPath(file, env);
  const read = readYamlFile(file);
  if (read.kind === 'read') return { file, shown, data: mappingOf(read.data) };
  return { file, shown, data: {}, problem: read.kind === 'missing' ? 'no such file' : `unreadable (${read.why})` };
}

/** Go's os.UserConfigDir(). */
function userConfigDir(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'darwin') return join(homeOf(env), 'Library', 'Application Support');
  if (process.platform === 'win32') return env.APPDATA || join(homeOf(env), 'AppData', 'Roaming');
  return configHome(env);
}

function chooseContext(flags: Map<string, string[]>, env: NodeJS.ProcessEnv, config: Config): { name: string; from: Evidence } {
  const flag = flags.get('--context')?.at(-1);
  if (flag) return { name: flag.toLowerCase(), from: { source: 'flag', key: '--context', value: flag } };
  if (env.DIGITALOCEAN_CONTEXT) {
    return { name: env.DIGITALOCEAN_CONTEXT.toLowerCase(), from: { source: 'env', key: 'DIGITALOCEAN_CONTEXT', value: env.DIGITALOCEAN_CONTEXT } };
  }
  const fromFile = config.data.context;
  if (typeof fromFile === 'string' && fromFile !== '') {
    return { name: fromFile.toLowerCase(), from: { source: 'file', key: 'context', value: fromFile, file: config.shown } };
  }
  return {
    name: 'default',
    from: { source: 'default', key: 'context', value: `default (no --context or DIGITALOCEAN_CONTEXT; ${config.problem ?? 'no context key'} in ${config.shown})` },
  };
}

/** Whether the config file holds a token for the context, never the token itself. */
function contextFacts(context: string, config: Config): Evidence[] {
  if (config.problem) return context === 'default' ? [] : [{ source: 'file', key: `auth-contexts.${context}`, value: config.problem, file: config.shown }];
  if (context === 'default') {
    return [{ source: 'file', key: 'access-token', value: config.data['access-token'] ? 'set (the default context\'s token)' : 'not set', file: config.shown }];
  }
  // viper reads map keys case-insensitively, so doctl finds `Prod:` for the context `prod`.
  const contexts = Object.keys(mappingOf(config.data['auth-contexts'])).map((key) => key.toLowerCase());
  const found = contexts.includes(context);
  return [{ source: 'file', key: `auth-contexts.${context}`, value: found ? 'a token is stored for this context' : 'no such context: doctl will have no token', file: config.shown }];
}

function tokenFacts(context: string, flags: Map<string, string[]>, env: NodeJS.ProcessEnv): Evidence[] {
  const flag = flags.get('--access-token')?.at(-1);
  const token = flag || env.DIGITALOCEAN_ACCESS_TOKEN;
  if (!token) return [];
  const source = flag ? ({ source: 'flag', key: '--access-token' } as const) : ({ source: 'env', key: 'DIGITALOCEAN_ACCESS_TOKEN' } as const);
  const print = fingerprint(token);
  const effect =
    context === 'default'
      ? 'it decides the account and cannot be read offline'
      : `not used: the context "${context}" takes its token from auth-contexts`;
  return [{ ...source, value: `set (fingerprint ${print}); ${effect}` }];
}

/** The resources a delete names: the words after its verb, and --tag-name. */
function namedResources(path: string[], flags: Map<string, string[]>): { names: string[]; evidence: Evidence[]; identifiers: Identifier[] } {
  // Every compute command is three words deep; elsewhere the verb may be the second word. Starting
  // there keeps `compute d` (droplet) and a top-level `d` (databases) from reading as a verb.
  const start = path[0] === 'compute' ? 2 : 1;
  const verbAt = path.findIndex((word, i) => i >= start && deleteVerbs.has(word));
  const args = verbAt === -1 ? [] : path.slice(verbAt + 1);
  const command = verbAt === -1 ? path.join(' ') : path.slice(0, verbAt + 1).join(' ');
  const names: string[] = [];
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  for (const arg of args) {
    const isId = uuid.test(arg) || numeric.test(arg);
    evidence.push({ source: 'argument', key: `doctl ${command}`, value: isId ? `${arg} (an id: means nothing offline)` : arg });
    if (!isId) {
      names.push(arg);
      identifiers.push({ kind: 'name', value: arg });
    }
  }
  for (const tag of flags.get('--tag-name') ?? []) {
    evidence.push({ source: 'flag', key: '--tag-name', value: `${tag} (every resource with this tag)` });
    identifiers.push({ kind: 'name', value: tag });
    names.push(tag);
  }
  return { names, evidence, identifiers };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

export const doctl: Tool = { name: 'doctl', parse, resolve };
