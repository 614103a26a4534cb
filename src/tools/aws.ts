// AWS CLI (argparse): global options may stand anywhere, before or after the service. The command path
// is `service operation`; a `help` word among the first three is the help page and is never gated, nor is
// --generate-cli-skeleton, which prints JSON without a request. Aliases in ~/.aws/cli/alias are expanded
// first (aws-alias.ts). Structured values (shorthand, JSON, file://) and --cli-input-json/yaml are read
// into dotted flags by aws-params.ts.
//
// Target:
//   --profile, else static keys in AWS_ACCESS_KEY_ID (which beat AWS_PROFILE for credentials), else
//   AWS_PROFILE / AWS_DEFAULT_PROFILE (v2 and v1 disagree on which wins, so both count), else default.
//   The profile's account comes from ~/.aws/config (AWS_CONFIG_FILE): role_arn, sso_account_id or
//   aws_account_id. Names are read by token; account ids and access keys only through the user's config.
//   An --endpoint-url or AWS_ENDPOINT_URL on this machine (LocalStack, moto) is classified as a host.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import { parse as parseIni } from 'ini';
import type { Assumption, Command, Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { showCommand } from '../display/describe.js';
import { expandAliases, readAliasFile, type AwsArgs } from './aws-alias.js';
import { grammar, readArgs, withNegations } from './argv.js';
import { forwardedInput, remoteArgv, remoteLine, remoteSession } from './remote.js';
import type { Tool } from './tool.js';

const awsGrammar = grammar({
  values: [
    ['--profile'],
    ['--region'],
    ['--output'],
    ['--endpoint-url'],
    ['--query'],
    ['--color'],
    ['--ca-bundle'],
    ['--cli-read-timeout'],
    ['--cli-connect-timeout'],
    ['--cli-binary-format'],
    ['--cli-input-json'],
    ['--cli-input-yaml'],
  ],
  booleans: [
    ['--debug'],
    ['--no-verify-ssl'],
    ['--no-paginate'],
    ['--no-sign-request'],
    ['--no-cli-pager'],
    ['--cli-auto-prompt'],
    ['--no-cli-auto-prompt'],
    ['--version'],
    ['--help'],
    // s3 customizations
    ['--recursive'],
    ['--force'],
    ['--dryrun'],
    ['--delete'],
    ['--quiet'],
    ['--only-show-errors'],
    ['--exact-timestamps'],
    ['--size-only'],
    ['--follow-symlinks'],
    ['--no-progress'],
    ['--human-readable'],
    ['--summarize'],
    ['--no-guess-mime-type'],
    // common booleans of API operations
    ['--dry-run'],
    ['--skip-final-snapshot'],
    ['--skip-final-cluster-snapshot'],
    ['--delete-automated-backups'],
    ['--force-delete-without-recovery'],
    ['--deletion-protection'],
    ['--apply-immediately'],
  ],
  unknownLong: 'greedy',
});

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  // Aliases first, as the CLI expands them (aws-alias.ts): each reading is a command of its own.
  const expansion = expandAliases(invocation.args, readAliasFile(invocation.env), awsArgs, invocation);
  const commands: Command[] = [];
  const nested: NestedLine[] = [...expansion.nested];
  let help = expansion.lines.length > 0;
  for (const line of expansion.lines) {
    const command = await readCommand(line.args, invocation);
    help &&= command.help;
    commands.push(line.via.length ? { ...command.command, text: `${showCommand('aws', line.args)} (${line.via.join(' > ')})` } : command.command);
    // What AWS runs for you (ssm, ecs, rds-data): judged as a line in the target.
    if (!command.help) nested.push(...remoteCommands(command.command.path, command.command.flags, invocation));
  }
  return { commands: [...commands, ...expansion.commands], help, ...(nested.length ? { nested } : {}) };
}

/** Options whose value the rules read as a structure (aws-params.ts); loaded only when one is given. */
const structured = ['--versioning-configuration', '--lifecycle-configuration', '--point-in-time-recovery-specification', '--disable-api-termination', '--backup-plan', '--lifecycle', '--cli-input-json', '--cli-input-yaml', '--backup-retention-period', '--snapshot-retention-limit', '--automated-snapshot-retention-period'];

async function readCommand(args: readonly string[], invocation: Invocation): Promise<{ command: Command; help: boolean }> {
  // argparse booleans spelled --no-x carry no value.
  const { words, flags } = readArgs(args, withNegations(awsGrammar, args));
  if (structured.some((name) => flags.has(name))) {
    const { readStructuredParameters } = await import('./aws-params.js');
    await readStructuredParameters(flags, invocation.cwd, invocation.env);
  }
  // --generate-cli-skeleton (input, output or yaml-input) prints JSON and sends no request.
  const help = words.slice(0, 3).includes('help') || flags.has('--help') || flags.has('--version') || flags.has('--generate-cli-skeleton');
  return { command: { path: words, flags }, help };
}

/** The global options of the main parser, which an alias may carry (the rest of awsGrammar is per command). */
const globalOptions = new Set([
  '--profile', '--region', '--output', '--endpoint-url', '--query', '--color', '--ca-bundle', '--cli-read-timeout',
  '--cli-connect-timeout', '--cli-binary-format', '--debug', '--no-verify-ssl', '--no-paginate', '--no-sign-request',
  '--no-cli-pager', '--cli-auto-prompt', '--no-cli-auto-prompt',
]);

/** aws's grammar for alias expansion, read the way readArgs reads it. */
const awsArgs: AwsArgs = {
  commandWords(args) {
    const at: number[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (!arg.startsWith('-') || arg === '-') {
        at.push(i);
        continue;
      }
      if (!arg.startsWith('--') || arg.includes('=') || awsGrammar.booleans.has(arg)) continue;
      // A value option takes the next argument; an unknown one too, greedily, unless it is --no-x.
      if (awsGrammar.values.has(arg) || (!arg.startsWith('--no-') && i + 1 < args.length && !args[i + 1].startsWith('--'))) i++;
    }
    return at;
  },
  globalOptions: (args) => splitGlobalOptions(args).globals,
  withoutGlobalOptions: (args) => splitGlobalOptions(args).rest,
};

function splitGlobalOptions(args: readonly string[]): { globals: string[]; rest: string[] } {
  const globals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].split('=')[0];
    if (!globalOptions.has(name)) {
      rest.push(args[i]);
      continue;
    }
    globals.push(args[i]);
    if (!args[i].includes('=') && awsGrammar.values.has(name) && i + 1 < args.length) globals.push(args[++i]);
  }
  return { globals, rest };
}

// ── Commands AWS runs for you ────────────────────────────────────────────────────────────────────────
//
// - `ssm send-command --document-name AWS-RunShellScript --parameters commands=[…]`: each entry of
//   `commands` is a line of the script the instance's shell runs (AWS-RunPowerShellScript likewise, in
//   PowerShell, read as shell text). --parameters is shorthand (`commands=["a","b"]`, `commands=a,b`),
//   JSON, or `file://PATH` (relative to cwd). Any other document runs steps no line describes.
// - `ssm start-session`: with no document, an interactive shell on the instance; AWS-StartInteractiveCommand
//   and AWS-StartNonInteractiveCommand run their `command` parameter; port forwarding and
//   AWS-StartSSHSession (ssh's ProxyCommand) run nothing chaperone could read, and carry no command.
// - `ecs execute-command --command CMD`: CMD runs in the container, its stdin this one (--interactive).
// - `rds-data execute-statement|batch-execute-statement --sql SQL`: the SQL runs on the database. The
//   cluster may be Aurora PostgreSQL or MySQL, which no flag says; SQL holding a backtick (MySQL's quote,
//   never PostgreSQL's) is read by the MySQL reader (`mysql -e`), any other by PostgreSQL's own grammar
//   (`psql -c`), which holds MySQL-only syntax it cannot parse as unreadable: closed, not open.
// `--cli-input-json` (inline or file://) may carry the same fields; YAML input is not read, so those
// operations are unreadable with it.

const shellDocuments = new Set(['AWS-RunShellScript', 'AWS-RunPowerShellScript']);
const commandDocuments = new Set(['AWS-StartInteractiveCommand', 'AWS-StartNonInteractiveCommand']);
const tunnelDocuments = new Set(['AWS-StartPortForwardingSession', 'AWS-StartPortForwardingSessionToRemoteHost', 'AWS-StartSSHSession']);

function remoteCommands(path: string[], flags: Map<string, string[]>, invocation: Invocation): NestedLine[] {
  const operation = `${path[0]} ${path[1]}`;
  if (!['ssm send-command', 'ssm start-session', 'ecs execute-command', 'rds-data execute-statement', 'rds-data batch-execute-statement'].includes(operation)) return [];
  const via = `aws ${operation}`;
  const unreadable = (why: string): NestedLine => ({ via, unreadable: why, where: 'remote' });
  if (flags.has('--cli-input-yaml')) return [unreadable('--cli-input-yaml is not read')];
  const input = cliInput(flags.get('--cli-input-json')?.at(-1), invocation.cwd, invocation.env);
  if (input === 'unreadable') return [unreadable('--cli-input-json could not be read')];
  // A flag as typed; aws-params.ts also flattens --cli-input-json members into flags, a structure's own
  // flag then standing empty, so the member itself is read from the input.
  const typed = (flag: string): string | undefined => flags.get(flag)?.filter((v) => v !== '').at(-1);
  const field = (flag: string, key: string): unknown => typed(flag) ?? input?.[key];

  if (path[0] === 'rds-data') {
    const sql = field('--sql', 'sql');
    if (typeof sql !== 'string') return [];
    return [remoteArgv(via, sql.includes('`') ? ['mysql', '-e', sql] : ['psql', '-c', sql], '')];
  }
  if (path[0] === 'ecs') {
    const command = field('--command', 'command');
    return typeof command === 'string' ? [remoteLine(via, command, forwardedInput(invocation, true))] : [];
  }
  const document = documentName(field('--document-name', 'DocumentName'));
  const parameters = readParameters(typed('--parameters') ?? input?.Parameters, invocation.cwd, invocation.env);
  if (operation === 'ssm start-session') {
    if (document === undefined) return [remoteSession(via, forwardedInput(invocation, true))];
    if (tunnelDocuments.has(document)) return [];
    if (!commandDocuments.has(document)) return [unreadable(`document ${document} runs steps chaperone cannot read`)];
    if (parameters === 'unreadable') return [unreadable('--parameters could not be read')];
    const command = parameters?.command ?? [];
    return command.length > 0 ? [remoteLine(`${via} ${document}`, command.join('\n'), forwardedInput(invocation, true))] : [];
  }
  if (document === undefined) return [];
  if (!shellDocuments.has(document)) return [unreadable(`document ${document} runs steps chaperone cannot read`)];
  if (parameters === 'unreadable') return [unreadable('--parameters could not be read')];
  const commands = parameters?.commands ?? [];
  return commands.length > 0 ? [remoteLine(`${via} ${document}`, commands.join('\n'), '')] : [];
}

/** `AWS-RunShellScript`, or its ARN (`arn:aws:ssm:…:document/AWS-RunShellScript`). */
function documentName(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(value.lastIndexOf('/') + 1) : undefined;
}

/** Text given as `file://PATH` or `fileb://PATH` is that file's, relative to cwd; undefined when unreadable. */
function fileOrText(value: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = /^fileb?:\/\/(.*)$/s.exec(value)?.[1];
  if (file === undefined) return value;
  try {
    return readTextIfExists(resolvePath(cwd, file.replace(/^~(?=\/)/, homeOf(env))));
  } catch {
    return undefined; // a directory, no permission, a NUL in the name: the CLI cannot read it either
  }
}

function cliInput(value: string | undefined, cwd: string, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined | 'unreadable' {
  if (value === undefined) return undefined;
  const text = fileOrText(value, cwd, env);
  try {
    const parsed = text === undefined ? undefined : (JSON.parse(text) as unknown);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

type Parameters = Record<string, string[]>;

/** --parameters as JSON (`{"commands":["…"]}`), shorthand (`commands=["a","b"]`, `commands=a,b`) or file://. */
export function readParameters(value: unknown, cwd: string, env: NodeJS.ProcessEnv = {}): Parameters | undefined | 'unreadable' {
  if (value === undefined) return undefined;
  if (value && typeof value === 'object' && !Array.isArray(value)) return fromJson(value as Record<string, unknown>);
  if (typeof value !== 'string') return 'unreadable';
  const text = fileOrText(value, cwd, env)?.trim();
  if (text === undefined) return 'unreadable';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? fromJson(parsed as Record<string, unknown>) : 'unreadable';
    } catch {
      return 'unreadable';
    }
  }
  return fromShorthand(text);
}

function fromJson(object: Record<string, unknown>): Parameters | 'unreadable' {
  const out: Parameters = {};
  for (const [key, value] of Object.entries(object)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((item) => typeof item === 'string')) return 'unreadable';
    out[key] = list as string[];
  }
  return out;
}

/**
 * The CLI's shorthand for a map of string lists: `key=value` pairs split at top-level commas, a value in
 * `[…]` is a list, a comma not followed by `key=` continues the previous key's list; `"…"` and `'…'`
 * quote (with `\` escapes).
 */
function fromShorthand(text: string): Parameters | 'unreadable' {
  const out: Parameters = {};
  let key: string | undefined;
  for (const segment of splitTopLevel(text)) {
    const pair = /^\s*([A-Za-z0-9_.-]+)\s*=(.*)$/s.exec(segment);
    if (pair) {
      key = pair[1];
      out[key] = [];
    } else if (key === undefined) {
      return 'unreadable';
    }
    const raw = (pair ? pair[2] : segment).trim();
    const items = raw.startsWith('[') && raw.endsWith(']') ? splitTopLevel(raw.slice(1, -1)) : [raw];
    for (const item of items) {
      const word = unquote(item.trim());
      if (word === undefined) return 'unreadable';
      if (word !== '' || items.length === 1) out[key!].push(word);
    }
  }
  return out;
}

/** Splits at commas outside quotes and brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A shorthand word: quoted (escapes undone) or bare. Undefined for an unterminated quote. */
function unquote(word: string): string | undefined {
  const q = word[0];
  if (q !== '"' && q !== "'") return word;
  if (word.length < 2 || word[word.length - 1] !== q) return undefined;
  return word.slice(1, -1).replace(/\\(.)/g, '$1');
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const env = invocation.env;
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  let name: string | undefined;

  const profiles: { profile: string; from: Evidence }[] = [];
  const flagProfile = flags.get('--profile')?.at(-1);
  if (flagProfile) {
    profiles.push({ profile: flagProfile, from: { source: 'flag', key: '--profile', value: flagProfile } });
  } else if (env.AWS_ACCESS_KEY_ID) {
    const keyId = env.AWS_ACCESS_KEY_ID;
    evidence.push({ source: 'env', key: 'AWS_ACCESS_KEY_ID', value: `${keyId} (static keys: they win over AWS_PROFILE, and name no account offline)` });
    identifiers.push({ kind: 'aws-access-key', value: keyId });
    if (env.AWS_ACCOUNT_ID) {
      evidence.push({ source: 'env', key: 'AWS_ACCOUNT_ID', value: env.AWS_ACCOUNT_ID });
      identifiers.push({ kind: 'aws-account', value: env.AWS_ACCOUNT_ID });
    }
  } else {
    for (const variable of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) {
      const value = env[variable];
      if (value && !profiles.some((p) => p.profile === value)) {
        profiles.push({ profile: value, from: { source: 'env', key: variable, value } });
      }
    }
    if (profiles.length === 0) profiles.push({ profile: 'default', from: { source: 'default', key: 'profile', value: 'default' } });
  }

  const configPath = awsConfigPath(invocation);
  const config = profiles.length ? readConfig(configPath) : undefined;
  for (const { profile, from } of profiles) {
    name ??= profile;
    evidence.push(from);
    identifiers.push({ kind: 'aws-profile', value: profile });
    const sectionName = profile === 'default' ? 'default' : `profile ${profile}`;
    const shown = displayPath(configPath, env);
    // Keys an earlier `aws configure set` of the line wrote: they count, and they replace the file's.
    const switched = switchedKeys(profile, configPath, invocation.assumed);
    for (const [key, { value, by }] of switched) {
      evidence.push({ source: 'command', key: by, value: `${key} ${value} in [${sectionName}] of ${shown}` });
      const account = key === 'role_arn' ? accountOfArn(value) : value;
      if (account) identifiers.push({ kind: 'aws-account', value: account });
    }
    const read = config?.(sectionName);
    const section = switched.size > 0 ? { ...read, ...Object.fromEntries([...switched].map(([k, v]) => [k, v.value])) } : read;
    if (!section) {
      evidence.push({ source: 'file', key: `[profile ${profile}]`, value: config ? 'not found' : 'no config file', file: shown });
      continue;
    }
    const account = section.sso_account_id ?? section.aws_account_id ?? accountOfArn(section.role_arn ?? '');
    const key = section.sso_account_id ? 'sso_account_id' : section.aws_account_id ? 'aws_account_id' : 'role_arn';
    if (account && !switched.has(key)) {
      evidence.push({ source: 'file', key: `[${profile === 'default' ? 'default' : `profile ${profile}`}] ${key}`, value: key === 'role_arn' ? section.role_arn : account, file: shown });
      identifiers.push({ kind: 'aws-account', value: account });
    }
  }

  const endpoint = flags.get('--endpoint-url')?.at(-1) ?? env.AWS_ENDPOINT_URL;
  if (endpoint) {
    const host = hostOf(endpoint);
    evidence.push(flags.has('--endpoint-url') ? { source: 'flag', key: '--endpoint-url', value: endpoint } : { source: 'env', key: 'AWS_ENDPOINT_URL', value: endpoint });
    if (host) identifiers.push({ kind: 'host', value: host });
  }
  return { name, evidence, identifiers };
}

function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1];
}

/** The account keys earlier `aws configure set` commands of the line write into this profile of this file. */
/** ~/.aws/config, or AWS_CONFIG_FILE, relative to the tool's directory as the kernel resolves it. */
function awsConfigPath(at: Pick<Invocation, 'cwd' | 'env'>): string {
  return at.env.AWS_CONFIG_FILE ? resolvePath(at.cwd, at.env.AWS_CONFIG_FILE) : join(homeOf(at.env), '.aws', 'config');
}

function switchedKeys(profile: string, configPath: string, assumed: Assumption[] = []): Map<string, { value: string; by: string }> {
  const keys = new Map<string, { value: string; by: string }>();
  for (const a of assumed) {
    if (a.fact.kind !== 'aws-config' || a.fact.profile !== profile) continue;
    if (awsConfigPath(a) !== configPath) continue;
    keys.set(a.fact.key, { value: a.fact.value, by: `earlier in the line: ${a.by}` });
  }
  return keys;
}

type Section = Record<string, string>;
type Sections = (name: string) => Section | undefined;

/** ~/.aws/config is INI with `[default]` and `[profile NAME]` sections. Missing means no facts. */
function readConfig(path: string): Sections | undefined {
  const text = readTextIfExists(path);
  if (text === undefined) return undefined;
  const parsed = parseIni(text) as Record<string, unknown>;
  // `ini` nests a section whose name holds dots (`[profile acme.prod]`); walk the dots back.
  return (name) => {
    let node: unknown = parsed[name];
    if (node === undefined) {
      node = name.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), parsed);
    }
    return node && typeof node === 'object' ? (node as Section) : undefined;
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

export const aws: Tool = { name: 'aws', parse, resolve };
