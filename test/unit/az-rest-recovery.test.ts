// Recovery settings reachable by `az rest` (and by any HTTP client's write to the Resource Manager)
// that were not read before: soft delete and point-in-time restore kept under a week, file share soft
// delete, a Recovery Services or Data Protection vault's own soft delete and immutability, a Cosmos DB
// account's periodic backup retention, a protected item whose protection is stopped. Each is read as the
// az command it equals, so the same rule judges both spellings; the same setting left on (or kept a week
// or more) stays ungated; deletes stay az.rest.delete; unreadable bodies stay az.rest.unreadable.

import { describe, expect, it } from 'vitest';
import { table } from '../helpers/cases.js';
import { rulesOf } from '../helpers/evaluate.js';
import { random, tokenSoup } from '../helpers/random.js';
import { restCommands } from '../../src/tools/az-rest.js';

const arm = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers';
const blob = `${arm}/Microsoft.Storage/storageAccounts/st/blobServices/default?api-version=2023-01-01`;
const files = `${arm}/Microsoft.Storage/storageAccounts/st/fileServices/default?api-version=2023-01-01`;
const rsv = `${arm}/Microsoft.RecoveryServices/vaults/v?api-version=2024-04-01`;
const dpp = `${arm}/Microsoft.DataProtection/backupVaults/bv?api-version=2024-04-01`;
const cosmos = `${arm}/Microsoft.DocumentDB/databaseAccounts/shop?api-version=2024-05-15`;
const item = `${arm}/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/protectionContainers/c/protectedItems/vm;shop?api-version=2024-04-01`;
const rest = (method: string, url: string, body: unknown) => `az rest --method ${method} --url '${url}' --body '${JSON.stringify(body)}'`;

describe('az rest writes of recovery settings, and the az commands they equal', () => {
  table((line) => line, [
    // blob soft delete, container soft delete and point-in-time restore kept under a week
    [rest('put', blob, { properties: { deleteRetentionPolicy: { enabled: true, days: 1 } } }), 'az.storage.soft-delete.short'],
    [rest('patch', blob, { properties: { containerDeleteRetentionPolicy: { enabled: true, days: 2 } } }), 'az.storage.container-soft-delete.short'],
    [rest('patch', blob, { properties: { restorePolicy: { enabled: true, days: 1 }, deleteRetentionPolicy: { enabled: true, days: 30 } } }), 'az.storage.restore-policy.short'],
    [rest('put', blob, { properties: { deleteRetentionPolicy: { enabled: true, days: 7 }, containerDeleteRetentionPolicy: { enabled: true, days: 14 } } }), ''],
    ['az storage account blob-service-properties update -n st -g rg --delete-retention-days 1', 'az.storage.soft-delete.short'],
    ['az storage account blob-service-properties update -n st -g rg --enable-container-delete-retention true --container-delete-retention-days 3', 'az.storage.container-soft-delete.short'],
    ['az storage account blob-service-properties update -n st -g rg --restore-days 2', 'az.storage.restore-policy.short'],
    ['az storage account blob-service-properties update -n st -g rg --delete-retention-days 7', ''],
    // file share soft delete
    [rest('put', files, { properties: { shareDeleteRetentionPolicy: { enabled: false } } }), 'az.storage.share-soft-delete.off'],
    [rest('patch', files, { properties: { shareDeleteRetentionPolicy: { enabled: true, days: 1 } } }), 'az.storage.share-soft-delete.short'],
    [rest('patch', files, { properties: { shareDeleteRetentionPolicy: { enabled: true, days: 14 } } }), ''],
    ['az storage account file-service-properties update -n st -g rg --enable-delete-retention false', 'az.storage.share-soft-delete.off'],
    ['az storage account file-service-properties update -n st -g rg --delete-retention-days 2', 'az.storage.share-soft-delete.short'],
    // a Recovery Services vault's own security settings
    [rest('patch', rsv, { properties: { securitySettings: { softDeleteSettings: { softDeleteState: 'Disabled' } } } }), 'az.backup.vault.soft-delete.off'],
    [rest('put', rsv, { properties: { securitySettings: { immutabilitySettings: { state: 'Disabled' } } } }), 'az.backup.vault.immutability.off'],
    [rest('patch', rsv, { properties: { securitySettings: { softDeleteSettings: { softDeleteState: 'AlwaysON' }, immutabilitySettings: { state: 'Unlocked' } } } }), ''],
    ['az backup vault update -n v -g rg --soft-delete-state Disable', 'az.backup.vault.soft-delete.off'],
    ['az backup vault update -n v -g rg --immutability-state Disabled', 'az.backup.vault.immutability.off'],
    ['az backup vault update -n v -g rg --soft-delete-state AlwaysON', ''],
    // a Data Protection backup vault's
    [rest('patch', dpp, { properties: { securitySettings: { softDeleteSettings: { state: 'Off', retentionDurationInDays: 14 } } } }), 'az.dataprotection.soft-delete.off'],
    [rest('patch', dpp, { properties: { securitySettings: { immutabilitySettings: { state: 'Disabled' } } } }), 'az.dataprotection.immutability.off'],
    [rest('patch', dpp, { properties: { securitySettings: { softDeleteSettings: { state: 'On', retentionDurationInDays: 14 } } } }), ''],
    ['az dataprotection backup-vault update -v bv -g rg --soft-delete-state off', 'az.dataprotection.soft-delete.off'],
    ['az dataprotection backup-vault update -v bv -g rg --immutability-state Disabled', 'az.dataprotection.immutability.off'],
    // a Cosmos DB account's periodic backups kept under a week
    [rest('patch', cosmos, { properties: { backupPolicy: { type: 'Periodic', periodicModeProperties: { backupIntervalInMinutes: 240, backupRetentionIntervalInHours: 8 } } } }), 'az.cosmosdb.backup-retention.short'],
    [rest('patch', cosmos, { properties: { backupPolicy: { type: 'Periodic', periodicModeProperties: { backupRetentionIntervalInHours: 720 } } } }), ''],
    ['az cosmosdb update -n shop -g rg --backup-retention 24', 'az.cosmosdb.backup-retention.short'],
    ['az cosmosdb update -n shop -g rg --backup-retention 168', ''],
    // a protected item's protection stopped (its recovery points kept, no new ones)
    [rest('put', item, { properties: { protectedItemType: 'Microsoft.Compute/virtualMachines', protectionState: 'ProtectionStopped' } }), 'az.backup.protection.disable'],
    [rest('put', item, { properties: { protectedItemType: 'Microsoft.Compute/virtualMachines', protectionState: 'Protected' } }), ''],
    // deletes of disks, snapshots and resource groups are every DELETE's rule
    [`az rest --method delete --url '${arm}/Microsoft.Compute/disks/shop-data?api-version=2023-04-02'`, 'az.rest.delete'],
    [`az rest --method delete --url '${arm}/Microsoft.Compute/snapshots/nightly?api-version=2023-04-02'`, 'az.rest.delete'],
    [`az rest -m DELETE -u 'https://management.azure.com/subscriptions/s/resourcegroups/rg?api-version=2021-04-01'`, 'az.rest.delete'],
    // what cannot be read still fails closed
    [`az rest --method patch --url '${files}' --body 'shareDeleteRetentionPolicy=off'`, 'az.rest.unreadable'],
  ], (line) => rulesOf(line));
});

describe('the same writes from an HTTP client', () => {
  table((line) => line, [
    [`curl -X PATCH '${files}' -d '{"properties":{"shareDeleteRetentionPolicy":{"enabled":false}}}'`, 'az.storage.share-soft-delete.off'],
    [`curl -X PATCH '${rsv}' --json '{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteState":"Disabled"}}}}'`, 'az.backup.vault.soft-delete.off'],
    [`http PATCH '${cosmos}' properties:='{"backupPolicy":{"periodicModeProperties":{"backupRetentionIntervalInHours":8}}}'`, 'az.cosmosdb.backup-retention.short'],
  ], (line) => rulesOf(line));
});

describe('the new readers on random bodies', () => {
  const tokens = ['{', '}', '[', ']', ',', ':', '"days"', '"enabled"', '"shareDeleteRetentionPolicy"', '"softDeleteSettings"', '"softDeleteState"', '"state"', '"immutabilitySettings"', '"backupRetentionIntervalInHours"', '"protectionState"', '"Off"', '"Disabled"', '"ProtectionStopped"', '1', 'false', 'true', 'null', '"'];
  it('never throw, for any URL kind', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const body = tokenSoup(tokens, seed, 24);
      const url = [blob, files, rsv, dpp, cosmos, item][seed % 6];
      expect(() => restCommands(new Map([['--url', [url]], ['--method', ['patch']], ['--body', [body]]]), '/'), `seed ${seed}: ${body}`).not.toThrow();
    }
  });
  it('always find soft delete turned off at any depth of a vault body', () => {
    const next = random(11);
    for (let seed = 1; seed <= 300; seed++) {
      let value: unknown = { softDeleteSettings: { softDeleteState: next() < 0.5 ? 'Disabled' : 'disabled' } };
      for (let depth = Math.floor(next() * 4); depth > 0; depth--) value = { [`k${depth}`]: value, other: [1] };
      const commands = restCommands(new Map([['--url', [rsv]], ['--method', ['patch']], ['--body', [JSON.stringify(value)]]]), '/');
      expect(commands.some((c) => c.path.join(' ') === 'backup vault update' && c.flags.get('--soft-delete-state')?.[0] === 'disable'), JSON.stringify(value)).toBe(true);
    }
  });
});
