// Azure CLI `az` (Azure/azure-cli, Python, knack over argparse).
//
// Grammar: argparse. The command's words come first; options may stand anywhere after them, an unknown
// --flag takes the next word unless it is a flag, and an unambiguous prefix of a known option is that
// option. `--help`/`-h` anywhere, `help` and `--version` are
// never gated. Enum values are read without regard to case (`--mode Complete` = `complete`), and az's
// three-state booleans (`--delete-backup-data true|false|yes|no`) are settled to `true` or `false`.
//
// Target, every fact kept as evidence:
//   1. the subscription: --subscription (a name or an id), else the one whose isDefault is true in
//      azureProfile.json under AZURE_CONFIG_DIR (else ~/.azure). The profile gives the other half
//      (name ↔ id). A full resource id in --ids names its subscription too. az does not read
//      AZURE_SUBSCRIPTION_ID (that is the SDKs' and Terraform's variable);
//   2. the resource group: -g/--resource-group, else AZURE_DEFAULTS_GROUP, else `group` under
//      [defaults] in AZURE_CONFIG_DIR/config (az configure --defaults group=…); `group delete` names it
//      with -n/--name;
//   3. the resources named: --name/-n, --account-name, --server, --vault-name, --cluster-name,
//      --container-name, --database-name, --item-name, the --source of a delete-batch (-s, either),
//      and resource ids in --ids.
// A subscription name, a group and resource names are read by token; a subscription id (a GUID) is
// unknown until your config maps it (`targets: {azure-subscription-id: {"…": production}}`).

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import { parse as parseIni } from 'ini';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { azNested } from './az-nested.js';
import { restCommands } from './az-rest.js';
import type { Tool } from './tool.js';

const azGrammar = grammar({
  values: [
    ['--subscription'],
    ['--resource-group', '-g'],
    ['--name', '-n'],
    ['--output', '-o'],
    ['--query'],
    ['--ids'],
    ['--location', '-l'],
    ['--account-name'],
    ['--account-key'],
    ['--connection-string'],
    ['--sas-token'],
    ['--auth-mode'],
    ['--container-name', '-c'],
    ['--server'],
    // -s is --server for `sql`, --source for `storage … delete-batch`: both name what is deleted
    ['-s'],
    ['--vault-name', '-v'],
    ['--item-name', '-i'],
    ['--cluster-name'],
    ['--database-name'],
    ['--source'],
    ['--pattern'],
    ['--mode'],
    ['--method', '-m'],
    ['--url', '--uri', '-u'],
    ['--body', '-b'],
    ['--backup-management-type'],
    ['--workload-type'],
    ['--delete-backup-data'],
    ['--enable-delete-retention'],
    ['--enable-container-delete-retention'],
    ['--enable-versioning'],
    ['--enable-restore-policy'],
    ['--enable'],
    ['--delete-destination'],
    ['--enable-soft-delete'],
    ['--soft-delete-feature-state'],
    ['--soft-delete-state'],
    ['--immutability-state'],
    // Days a soft delete or point-in-time restore keeps (blob-service-properties, file-service-properties).
    ['--delete-retention-days'],
    ['--container-delete-retention-days'],
    ['--restore-days'],
    ['--template-file', '-f'],
    ['--parameters', '-p'],
    // Backup retention: `postgres|mysql flexible-server update`, `sql db str-policy|ltr-policy set`.
    ['--backup-retention'],
    ['--retention-days'],
    ['--weekly-retention'],
    ['--monthly-retention'],
    ['--yearly-retention'],
    // Generic update arguments (`--set PATH=VALUE`), which reach the same properties by name.
    ['--set'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version'],
    ['--yes', '-y'],
    ['--no-wait'],
    ['--debug'],
    ['--verbose'],
    ['--only-show-errors'],
    ['--dryrun'],
    ['--force'],
  ],
  unknownLong: 'greedy',
  // argparse takes an unambiguous prefix of a long option (`--delete-backup true`); reading it so can
  // only match more than az itself accepts.
  abbreviations: true,
});

/** Flags whose values az compares without case, and three-state booleans. */
const enumFlags = ['--mode', '--method', '--soft-delete-feature-state', '--soft-delete-state', '--immutability-state'];
const threeState = ['--delete-destination', '--enable-soft-delete', '--delete-backup-data', '--enable-delete-retention', '--enable-container-delete-retention', '--enable-versioning', '--enable-restore-policy', '--enable'];

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, azGrammar);
  for (const name of enumFlags) {
    const values = flags.get(name);
    if (values) flags.set(name, values.map((v) => v.toLowerCase()));
  }
  for (const name of threeState) {
    const values = flags.get(name);
    if (values) flags.set(name, values.map(settleBoolean));
  }
  for (const name of durationFlags) {
    const values = flags.get(name);
    if (values) flags.set(name, values.map(isoDays));
  }
  setRetention(flags);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help';
  const nested = help ? [] : azNested(words, invocation);
  // `az rest` with a write is also read as the az command it equals (az-rest.ts).
  const equals = words[0] === 'rest' && !help ? restCommands(flags, invocation.cwd) : [];
  return { commands: [{ path: words, flags }, ...equals], help, ...(nested.length > 0 ? { nested } : {}) };
}

/**
 * `--set backup.backupRetentionDays=1` (az's generic update arguments, also `az resource update --set
 * properties.backup.backupRetentionDays=1`) sets what `--backup-retention 1` does: its value is read as
 * that flag's, so the same `<7` rule judges it. The property is named by the path's last segment, or
 * inside a JSON value (`--set backup={"backupRetentionDays":1}`), in any case (az matches property
 * names without case).
 */
function setRetention(flags: Map<string, string[]>): void {
  const found: string[] = [];
  for (const assignment of flags.get('--set') ?? []) {
    const eq = assignment.indexOf('=');
    if (eq === -1) continue;
    const value = assignment.slice(eq + 1);
    if (isRetentionKey(assignment.slice(0, eq).split('.').pop()!)) found.push(value);
    else found.push(...retentionIn(parseJson(value)));
  }
  if (found.length > 0) flags.set('--backup-retention', [...(flags.get('--backup-retention') ?? []), ...found]);
}

const isRetentionKey = (key: string) => key.toLowerCase() === 'backupretentiondays';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every backupRetentionDays value inside a JSON value, as text. */
function retentionIn(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (isRetentionKey(key) ? [String(inner)] : retentionIn(inner)));
}

/** Long-term retention durations (ISO 8601), read as days so a rule can compare them: `P0W` and `PT0S` are 0. */
const durationFlags = ['--weekly-retention', '--monthly-retention', '--yearly-retention'];

/** `P12W` → `84`, `P1Y` → `365`, `PT0S` → `0`; anything else is left as it is (a rule counts it as under). */
export function isoDays(value: string): string {
  const m = /^P(?:([\d.]+)Y)?(?:([\d.]+)M)?(?:([\d.]+)W)?(?:([\d.]+)D)?(?:T(?:([\d.]+)H)?(?:([\d.]+)M)?(?:([\d.]+)S)?)?$/i.exec(value.trim());
  if (!m || value.trim().length <= 1 || /T$/i.test(value.trim())) return value;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const days = y * 365 + mo * 30 + w * 7 + d + h / 24 + mi / 1440 + s / 86400;
  return Number.isFinite(days) ? String(days) : value;
}

/** az's three-state flag: true/yes/on/1 and false/no/off/0, any case; `--flag` alone is true. */
function settleBoolean(value: string): string {
  const v = value.toLowerCase();
  if (v === '' || ['true', 'yes', 'on', '1', 't', 'y'].includes(v)) return 'true';
  if (['false', 'no', 'off', '0', 'f', 'n'].includes(v)) return 'false';
  return v;
}

interface Subscription {
  id?: string;
  name?: string;
  isDefault?: boolean;
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { path, flags } = parsed.commands[0];
  const env = invocation.env;
  const configDir = env.AZURE_CONFIG_DIR ? resolvePath(invocation.cwd, env.AZURE_CONFIG_DIR) : join(homeOf(env), '.azure');
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  const names: string[] = [];

  // 1. the subscription
  const profile = readProfile(join(configDir, 'azureProfile.json'), env);
  const flag = flags.get('--subscription')?.at(-1);
  // `az rest --url /subscriptions/ID/…` goes to the subscription its URL names, not the default one.
  const urlSubscription = path[0] === 'rest' ? resourceId(flags.get('--url')?.at(-1) ?? '').subscription : undefined;
  let subscription: Subscription | undefined;
  if (flag) {
    const found = profile.subscriptions.find((s) => s.id?.toLowerCase() === flag.toLowerCase() || s.name?.toLowerCase() === flag.toLowerCase());
    subscription = found ?? (isGuid(flag) ? { id: flag } : { name: flag });
    evidence.push({ source: 'flag', key: '--subscription', value: flag });
  } else if (urlSubscription) {
    // named below, from the URL (with its name when the profile knows it)
  } else if (profile.problem) {
    evidence.push({ source: 'file', key: 'subscriptions', value: profile.problem, file: profile.shown });
  } else {
    subscription = profile.subscriptions.find((s) => s.isDefault === true);
    evidence.push(
      subscription
        ? { source: 'file', key: 'subscriptions[isDefault]', value: `${subscription.name ?? '(no name)'} (${subscription.id ?? 'no id'})`, file: profile.shown }
        : { source: 'file', key: 'subscriptions[isDefault]', value: 'no default subscription (az login has not run)', file: profile.shown },
    );
  }
  if (subscription?.name) identifiers.push({ kind: 'azure-subscription', value: subscription.name });
  if (subscription?.id) identifiers.push({ kind: 'azure-subscription-id', value: subscription.id.toLowerCase() });
  if (flag && subscription && (subscription.name === undefined || subscription.id === undefined)) {
    evidence.push({ source: 'file', key: 'subscriptions', value: `${flag} is not in the profile: its ${subscription.id ? 'name' : 'id'} is unknown offline`, file: profile.shown });
  }

  // 2. the resource group (az rest has none but its URL's)
  const groupDelete = path[0] === 'group' && path[1] === 'delete';
  const group = groupDelete
    ? lastOf(flags, '--name', '--resource-group')
    : flags.get('--resource-group')?.at(-1);
  if (group) {
    evidence.push({ source: 'flag', key: groupDelete ? 'group delete --name' : '--resource-group', value: group });
    identifiers.push({ kind: 'name', value: group });
    names.push(group);
  } else if (!flags.has('--ids') && path[0] !== 'rest') {
    // a resource id carries its own group; only without one does az fill in the default
    const fallback = defaultGroup(configDir, env);
    if (fallback) {
      evidence.push(fallback.evidence);
      identifiers.push({ kind: 'name', value: fallback.group });
      names.push(fallback.group);
    }
  }

  // 3. the resources named
  const resourceFlags = groupDelete ? [] : ['--name', '--account-name', '--server', '-s', '--vault-name', '--cluster-name', '--container-name', '--database-name', '--source', '--item-name'];
  for (const key of resourceFlags) {
    for (const value of flags.get(key) ?? []) {
      if (!value || value.includes('://')) continue;
      evidence.push({ source: 'flag', key, value });
      identifiers.push({ kind: 'name', value });
      names.unshift(value);
    }
  }
  for (const ids of flags.get('--ids') ?? []) {
    for (const id of ids.split(/\s+/).filter(Boolean)) {
      const parts = resourceId(id);
      evidence.push({ source: 'flag', key: '--ids', value: id });
      if (parts.subscription) identifiers.push(...subscriptionOf(parts.subscription, profile.subscriptions));
      for (const value of [parts.group, parts.name]) {
        if (value) {
          identifiers.push({ kind: 'name', value });
          names.unshift(value);
        }
      }
    }
  }
  const url = flags.get('--url')?.at(-1);
  if (path[0] === 'rest' && url) {
    evidence.push({ source: 'flag', key: '--url', value: url });
    const parts = resourceId(url);
    if (parts.subscription) identifiers.push(...subscriptionOf(parts.subscription, profile.subscriptions));
    for (const value of [parts.group, parts.name]) {
      if (value) {
        identifiers.push({ kind: 'name', value });
        names.unshift(value);
      }
    }
  }
  return { name: names[0] ?? subscription?.name, evidence, identifiers };
}

/** A subscription id found in a resource id, with its name when the profile knows it. */
function subscriptionOf(id: string, known: Subscription[]): Identifier[] {
  const name = known.find((s) => s.id?.toLowerCase() === id.toLowerCase())?.name;
  const found: Identifier[] = [{ kind: 'azure-subscription-id', value: id.toLowerCase() }];
  if (name) found.push({ kind: 'azure-subscription', value: name });
  return found;
}

function lastOf(flags: Map<string, string[]>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = flags.get(key)?.at(-1);
    if (value) return value;
  }
  return undefined;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isGuid = (text: string) => guid.test(text);

/** /subscriptions/SUB/resourceGroups/RG/providers/…/NAME, in any case. */
function resourceId(id: string): { subscription?: string; group?: string; name?: string } {
  const sub = /\/subscriptions\/([^/?#]+)/i.exec(id)?.[1];
  const group = /\/resourceGroups\/([^/?#]+)/i.exec(id)?.[1];
  const name = /\/providers\/[^?#]+\/([^/?#]+)\/?(?:[?#].*)?$/i.exec(id)?.[1];
  return { subscription: sub, group, name };
}

/** azureProfile.json: `subscriptions` with id, name and isDefault. az writes it with a BOM. */
function readProfile(file: string, env: NodeJS.ProcessEnv): { subscriptions: Subscription[]; shown: string; problem?: string } {
  const shown = displayPath(file, env);
  let text: string | undefined;
  try {
    text = readTextIfExists(file);
  } catch (error) {
    return { subscriptions: [], shown, problem: `unreadable (${(error as Error).message})` };
  }
  if (text === undefined) return { subscriptions: [], shown, problem: 'no such file (az login has not run here)' };
  try {
    const data = JSON.parse(text.replace(/^\uFEFF/, '')) as { subscriptions?: unknown };
    const list = Array.isArray(data.subscriptions) ? data.subscriptions : [];
    const subscriptions = list
      .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object')
      .map((s) => ({
        id: typeof s.id === 'string' ? s.id : undefined,
        name: typeof s.name === 'string' ? s.name : undefined,
        isDefault: s.isDefault === true,
      }));
    return { subscriptions, shown };
  } catch (error) {
    return { subscriptions: [], shown, problem: `unreadable (${(error as Error).message}): fix or remove the file, or pass --subscription` };
  }
}

/** The default group: AZURE_DEFAULTS_GROUP, else [defaults] group in AZURE_CONFIG_DIR/config. */
function defaultGroup(configDir: string, env: NodeJS.ProcessEnv): { group: string; evidence: Evidence } | undefined {
  if (env.AZURE_DEFAULTS_GROUP) return { group: env.AZURE_DEFAULTS_GROUP, evidence: { source: 'env', key: 'AZURE_DEFAULTS_GROUP', value: env.AZURE_DEFAULTS_GROUP } };
  const file = join(configDir, 'config');
  let text: string | undefined;
  try {
    text = readTextIfExists(file);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  let group: unknown;
  try {
    group = (parseIni(text).defaults as Record<string, unknown> | undefined)?.group;
  } catch {
    return undefined;
  }
  if (typeof group !== 'string' || group === '') return undefined;
  return { group, evidence: { source: 'file', key: 'defaults.group', value: group, file: displayPath(file, env) } };
}

export const az: Tool = { name: 'az', parse, resolve };
