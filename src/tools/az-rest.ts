// `az rest`: any Azure Resource Manager request by hand. Every DELETE is gated as it is (az.rest.delete);
// a PUT, PATCH or POST is read as the az command it equals, so that the same rules judge it:
//   - a body that sets a recovery setting: `backupRetentionDays` (az resource update --set …), a SQL
//     database's short- or long-term retention policy, blob soft delete, container soft delete,
//     versioning, point-in-time restore (each off, or kept under a week), file share soft delete, a
//     key vault's soft delete, a Recovery Services vault's soft delete (its backupconfig, or the
//     vault's own softDeleteSettings) and immutability, a Data Protection backup vault's soft delete
//     and immutability, a Cosmos DB account's periodic backup retention, and a protected item whose
//     protection is stopped;
//   not read, since Resource Manager refuses them or they cannot turn recovery off: a key vault's
//   `enablePurgeProtection: false` (purge protection cannot be turned off once on) and
//   `softDeleteRetentionInDays` (set at creation only), a flexible server's `geoRedundantBackup`
//   (creation only); nor yet a Recovery Services backup policy whose retention counts are cut. A
//   DELETE of anything (a disk, a snapshot, a resource group) is az.rest.delete;
//   - a deployment in Complete mode (deletes what the template does not name);
//   - a POST to a deleted key vault's (or managed HSM's) `/purge`.
// The body is `--body TEXT` or `--body @FILE`; a file that exists but cannot be read (or is not JSON)
// is a command of its own, `rest unreadable`, since what it sets cannot be known.

import { readFileSync } from 'node:fs';
import { resolvePath } from '../context/os-path.js';
import type { Command } from '../model.js';
import { isoDays } from './az.js';

type Json = unknown;

/** The az commands an `az rest` invocation equals, beyond the `rest` command itself. */
export function restCommands(flags: Map<string, string[]>, cwd: string): Command[] {
  const url = flags.get('--url')?.at(-1);
  if (!url) return [];
  const bodyText = flags.get('--body')?.at(-1);
  // az rest sends GET unless told; a body without --method is read all the same, to be safe.
  const method = flags.get('--method')?.at(-1) ?? (bodyText !== undefined ? 'post' : 'get');
  if (!['put', 'patch', 'post'].includes(method)) return [];
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'https://management.azure.com').pathname).replace(/\/+$/, '');
  } catch {
    return []; // not a URL az can send to
  }
  // The URL is evidence already, and the body may hold secrets: the text names only what it equals.
  const shown = `az rest --method ${method}`;
  const as = (words: string, set: Record<string, string[]>): Command => ({
    path: words.split(' '),
    flags: new Map(Object.entries(set)),
    text: `${shown} (as az ${words} ${Object.entries(set).map(([k, v]) => `${k} ${v.join(',')}`).join(' ')})`.replace(/ \)$/, ')'),
  });

  const out: Command[] = [];
  if (method === 'post' && /\/providers\/Microsoft\.KeyVault\/(locations\/[^/]+\/)?(deletedVaults|deletedManagedHSMs)\/[^/]+\/purge$/i.test(path)) out.push(as('keyvault purge', {}));

  const body = readBody(bodyText, cwd);
  if (body.unreadable) return [...out, { path: ['rest', 'unreadable'], flags: new Map(), text: `${shown}: ${body.unreadable}` }];
  if (body.value === undefined) return out;
  const found = (name: string) => valuesOf(body.value, name);
  const off = (name: string) => found(name).some(isFalse);

  const retention = found('backupRetentionDays').map(String);
  if (retention.length > 0) out.push(as('resource update', { '--backup-retention': retention }));
  if (/\/backupShortTermRetentionPolicies\//i.test(path)) {
    const days = found('retentionDays').map(String);
    if (days.length > 0) out.push(as('sql db str-policy set', { '--retention-days': days }));
  }
  if (/\/backupLongTermRetentionPolicies\//i.test(path)) {
    for (const [key, flag] of [['weeklyRetention', '--weekly-retention'], ['monthlyRetention', '--monthly-retention'], ['yearlyRetention', '--yearly-retention']]) {
      const values = found(key).map((v) => isoDays(String(v)));
      if (values.length > 0) out.push(as('sql db ltr-policy set', { [flag]: values }));
    }
  }
  const policyOff = (name: string) => found(name).some((policy) => typeof policy === 'object' && policy !== null && valuesOf(policy, 'enabled').some(isFalse));
  const blob: Record<string, string[]> = {};
  if (policyOff('deleteRetentionPolicy')) blob['--enable-delete-retention'] = ['false'];
  if (policyOff('containerDeleteRetentionPolicy')) blob['--enable-container-delete-retention'] = ['false'];
  if (off('isVersioningEnabled')) blob['--enable-versioning'] = ['false'];
  if (policyOff('restorePolicy')) blob['--enable-restore-policy'] = ['false'];
  // Days kept by a policy that stays on: under a week is a rule of its own, as retention is.
  const policyDays = (name: string) =>
    found(name).flatMap((policy) => (typeof policy === 'object' && policy !== null && !valuesOf(policy, 'enabled').some(isFalse) ? valuesOf(policy, 'days').map(String) : []));
  for (const [name, flag] of [['deleteRetentionPolicy', '--delete-retention-days'], ['containerDeleteRetentionPolicy', '--container-delete-retention-days'], ['restorePolicy', '--restore-days']]) {
    const days = policyDays(name);
    if (days.length > 0) blob[flag] = days;
  }
  if (Object.keys(blob).length > 0) out.push(as('storage account blob-service-properties update', blob));
  const share: Record<string, string[]> = {};
  if (policyOff('shareDeleteRetentionPolicy')) share['--enable-delete-retention'] = ['false'];
  const shareDays = policyDays('shareDeleteRetentionPolicy');
  if (shareDays.length > 0) share['--delete-retention-days'] = shareDays;
  if (Object.keys(share).length > 0) out.push(as('storage account file-service-properties update', share));
  if (off('enableSoftDelete')) out.push(as('keyvault update', { '--enable-soft-delete': ['false'] }));
  if (found('softDeleteFeatureState').some((v) => typeof v === 'string' && /^disabled?$/i.test(v))) out.push(as('backup vault backup-properties set', { '--soft-delete-feature-state': ['disable'] }));
  // A vault's own securitySettings: Recovery Services (softDeleteSettings.softDeleteState Disabled) and
  // Data Protection (softDeleteSettings.state Off); immutabilitySettings.state Disabled in either.
  const stateIs = (name: string, inner: string, value: RegExp) => found(name).some((o) => valuesOf(o, inner).some((v) => typeof v === 'string' && value.test(v)));
  const dataProtection = /\/providers\/Microsoft\.DataProtection\//i.test(path);
  if (stateIs('softDeleteSettings', 'softDeleteState', /^(disabled?|off)$/i)) out.push(as('backup vault update', { '--soft-delete-state': ['disable'] }));
  if (stateIs('softDeleteSettings', 'state', /^(off|disabled?)$/i)) out.push(as('dataprotection backup-vault update', { '--soft-delete-state': ['off'] }));
  if (stateIs('immutabilitySettings', 'state', /^disabled?$/i)) {
    out.push(as(dataProtection ? 'dataprotection backup-vault update' : 'backup vault update', { '--immutability-state': ['disabled'] }));
  }
  const backupHours = found('backupRetentionIntervalInHours').map(String);
  if (backupHours.length > 0) out.push(as('cosmosdb update', { '--backup-retention': backupHours }));
  if (/\/protectedItems\/[^/]+$/i.test(path) && found('protectionState').some((v) => typeof v === 'string' && /^protectionstopped$/i.test(v))) out.push(as('backup protection disable', {}));
  if (/\/deployments\/[^/]+$/i.test(path) && found('mode').some((v) => typeof v === 'string' && v.toLowerCase() === 'complete')) out.push(as('deployment group create', { '--mode': ['complete'] }));
  return out;
}

/** `--body TEXT` or `--body @FILE` as JSON; a missing file sends nothing (az fails), an unreadable one is unknown. */
function readBody(text: string | undefined, cwd: string): { value?: Json; unreadable?: string } {
  if (text === undefined) return {};
  let raw = text;
  if (text.startsWith('@')) {
    const file = resolvePath(cwd, text.slice(1));
    try {
      raw = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? {} : { unreadable: `the body file ${text.slice(1)} cannot be read (${code ?? String(error)})` };
    }
  }
  if (raw.trim() === '') return {}; // an empty body sets nothing
  try {
    return { value: JSON.parse(raw.replace(/^\uFEFF/, '')) as Json };
  } catch {
    return { unreadable: `the body is not JSON, so what it sets cannot be read` };
  }
}

/**
 * Every value of a property named `name` (in any case, as ARM reads names) anywhere inside a JSON value.
 * A loop, not recursion: JSON.parse takes a body nested 200,000 deep, which a recursive walk could not.
 */
function valuesOf(value: Json, name: string): Json[] {
  const wanted = name.toLowerCase();
  const out: Json[] = [];
  const pending: Json[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    for (const [key, inner] of Object.entries(next)) {
      if (key.toLowerCase() === wanted) out.push(inner);
      pending.push(inner);
    }
  }
  return out;
}

const isFalse = (value: Json) => value === false || (typeof value === 'string' && value.toLowerCase() === 'false');
