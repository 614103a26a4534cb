// az: which command lines the built-in rules gate, and which subscription, group and resources they reach.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('az command lines against the built-in rules', () => {
  table((line) => line, [
    ['az group delete -n shop-rg --yes', 'az.group.delete'],
    ['az group delete --name shop-rg --no-wait -y', 'az.group.delete'],
    ['az group delete -g shop-rg', 'az.group.delete'],
    ['az resource delete --ids /subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app', 'az.resource.delete'],
    ['az deployment group create -g rg -f main.bicep --mode Complete', 'az.deployment.complete'],
    ['az deployment group create -g rg --template-file main.bicep --mode=complete', 'az.deployment.complete'],
    ['az deployment group create -g rg --template-file main.bicep --mod Complete', 'az.deployment.complete'],
    ['az rest --method DELETE --url https://management.azure.com/subscriptions/x/resourceGroups/rg', 'az.rest.delete'],
    ['az rest -m delete -u https://management.azure.com/x', 'az.rest.delete'],
    ['az sql db delete -g rg -s shop-sql -n shop --yes', 'az.sql.delete'],
    ['az sql server delete -n shop-sql -g rg', 'az.sql.delete'],
    ['az sql mi delete -n mi -g rg', 'az.sql.delete'],
    ['az postgres flexible-server delete -g rg -n shop-pg --yes', 'az.postgres-mysql.delete'],
    ['az mysql flexible-server db delete -g rg -s shop-my -d shop', 'az.postgres-mysql.delete'],
    ['az postgres server delete -g rg -n old-pg', 'az.postgres-mysql.delete'],
    ['az cosmosdb delete -n shop-cosmos -g rg', 'az.cosmosdb.delete'],
    ['az cosmosdb sql database delete -a shop-cosmos -n db -g rg', 'az.cosmosdb.delete'],
    ['az cosmosdb mongodb collection delete -a acct -d db -n coll -g rg', 'az.cosmosdb.delete'],
    ['az storage account delete -n shopstore -g rg -y', 'az.storage.delete'],
    ['az storage container delete -n images --account-name shopstore', 'az.storage.delete'],
    ['az storage blob delete -c images -n a.png --account-name shopstore', 'az.storage.delete'],
    ['az storage blob delete-batch -s images --account-name shopstore --pattern "*"', 'az.storage.delete'],
    ['az storage fs directory delete -f fs -n dir --account-name shopstore', 'az.storage.delete'],
    ['az webapp delete -n shop-web -g rg', 'az.app.delete'],
    ['az functionapp delete -n shop-fn -g rg', 'az.app.delete'],
    ['az keyvault delete -n shop-kv', 'az.keyvault.delete'],
    ['az keyvault secret delete --vault-name shop-kv -n db-password', 'az.keyvault.delete'],
    ['az keyvault purge -n shop-kv', 'az.keyvault.purge'],
    ['az keyvault secret purge --vault-name shop-kv -n db-password', 'az.keyvault.purge'],
    ['az aks delete -n shop-aks -g rg --yes', 'az.aks.delete'],
    ['az aks nodepool delete --cluster-name shop-aks -n pool1 -g rg', 'az.aks.nodepool.delete'],
    ['az vm delete -n web-1 -g rg --yes', 'az.vm.delete'],
    ['az disk delete -n data-disk -g rg', 'az.vm.delete'],
    ['az snapshot delete -n snap-1 -g rg', 'az.snapshot.delete'],
    ['az redis delete -n cache -g rg', 'az.redis.delete'],
    ['az backup protection disable -g rg -v vault -c c -i item --yes', 'az.backup.protection.disable'],
    ['az backup protection disable -g rg -v vault -c c -i item --delete-backup-data false', 'az.backup.protection.disable'],
    ['az backup protection disable -g rg -v vault -c c -i item --delete-backup-data true', 'az.backup.protection.disable.delete-data'],
    ['az backup protection disable --delete-backup-data Yes -g rg -v vault -c c -i item', 'az.backup.protection.disable.delete-data'],
    ['az backup protection disable --delete-backup true -g rg -v vault -c c -i item', 'az.backup.protection.disable.delete-data'],
    ['az backup vault delete -n vault -g rg --force', 'az.backup.vault.delete'],
    ['az backup vault backup-properties set -n vault -g rg --soft-delete-feature-state Disable', 'az.backup.soft-delete.off'],
    ['az storage account blob-service-properties update -n shopstore --enable-delete-retention false', 'az.storage.soft-delete.off'],
    ['az storage account blob-service-properties update -n shopstore --enable-versioning false --enable-container-delete-retention false', 'az.storage.container-soft-delete.off az.storage.versioning.off'],
    ['az storage blob service-properties delete-policy update --enable false --account-name shopstore', 'az.storage.delete-policy.off'],
    ['az storage blob sync -c web -s ./dist --account-name shopstore --delete-destination true', 'az.storage.sync.delete'],
    ['az storage remove -c web --account-name shopstore --recursive', 'az.storage.remove'],
    ['az keyvault update -n shop-kv --enable-soft-delete false', 'az.keyvault.soft-delete.off'],
    // never gated
    ['az group delete -n shop-rg --help', ''],
    ['az group delete -h', ''],
    ['az help', ''],
    ['az --version', ''],
    ['az group list', ''],
    ['az group show -n shop-rg', ''],
    ['az group create -n shop-rg -l westeurope', ''],
    ['az storage blob delete-batch -s images --account-name shopstore --dryrun', ''],
    ['az storage blob list -c images --account-name shopstore', ''],
    ['az deployment group create -g rg -f main.bicep', ''],
    ['az deployment group create -g rg -f main.bicep --mode Incremental', ''],
    ['az rest --method get --url https://management.azure.com/x', ''],
    // az rest writes read as the az command they equal (src/tools/az-rest.ts).
    [`az rest --method patch --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop?api-version=2022-12-01 --body '{"properties":{"backup":{"backupRetentionDays":1}}}'`, 'az.resource.backup-retention.short'],
    [`az rest -m PUT -u https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforMySQL/flexibleServers/shop --body '{"properties":{"Backup":{"BackupRetentionDays":"3"}}}'`, 'az.resource.backup-retention.short'],
    [`az rest --method patch --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop --body '{"properties":{"backup":{"backupRetentionDays":14}}}'`, ''],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sv/databases/db/backupShortTermRetentionPolicies/default --body '{"properties":{"retentionDays":1}}'`, 'az.sql.short-term-retention.short'],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sv/databases/db/backupLongTermRetentionPolicies/default --body '{"properties":{"weeklyRetention":"PT0S","monthlyRetention":"P12M"}}'`, 'az.sql.ltr.weekly-off'],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default --body '{"properties":{"deleteRetentionPolicy":{"enabled":false},"isVersioningEnabled":false}}'`, 'az.storage.soft-delete.off az.storage.versioning.off'],
    [`az rest --method patch --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default --body '{"properties":{"containerDeleteRetentionPolicy":{"enabled":"false"},"restorePolicy":{"enabled":false}}}'`, 'az.storage.container-soft-delete.off az.storage.restore-policy.off'],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default --body '{"properties":{"deleteRetentionPolicy":{"enabled":true,"days":30}}}'`, ''],
    [`az rest --method patch --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv --body '{"properties":{"enableSoftDelete":false}}'`, 'az.keyvault.soft-delete.off'],
    [`az rest --method patch --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupconfig/vaultconfig --body '{"properties":{"softDeleteFeatureState":"Disabled"}}'`, 'az.backup.soft-delete.off'],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d --body '{"properties":{"mode":"Complete","template":{}}}'`, 'az.deployment.complete'],
    [`az rest --method put --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d --body '{"properties":{"mode":"Incremental","template":{}}}'`, ''],
    ['az rest --method post --url /subscriptions/s/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv/purge?api-version=2022-07-01', 'az.keyvault.purge'],
    ['az rest --method post --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/web/restart', ''],
    [`az rest --url /subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop --body '{"properties":{"backup":{"backupRetentionDays":1}}}'`, 'az.resource.backup-retention.short'],
    [`az rest --method put --url /subscriptions/s/x --body 'not json'`, 'az.rest.unreadable'],
    ['az rest --method put --url /subscriptions/s/x --body @/nonexistent/body.json', ''],
    ['az rest --method put --url /subscriptions/s/x --body @/proc/self/nonexistent-dir/', ''],
    ['az keyvault secret show --vault-name shop-kv -n db-password', ''],
    ['az backup vault backup-properties set -n vault -g rg --soft-delete-feature-state Enable', ''],
    ['az storage account blob-service-properties update -n shopstore --enable-delete-retention true --delete-retention-days 7', ''],
    ['az account set --subscription prod', ''],
    ['az storage blob sync -c web -s ./dist --account-name shopstore', ''],
    ['az storage blob sync -c web -s ./dist --account-name shopstore --delete-destination false', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'az-home');
const profile = {
  installationId: 'x',
  subscriptions: [
    { id: '11111111-2222-3333-4444-555555555555', name: 'Acme Production', isDefault: true, state: 'Enabled' },
    { id: '66666666-7777-8888-9999-000000000000', name: 'Acme Dev', isDefault: false, state: 'Enabled' },
    { id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', name: 'Pay-As-You-Go', isDefault: false, state: 'Enabled' },
  ],
};

beforeAll(() => {
  mkdirSync(join(home, '.azure'), { recursive: true });
  // az writes its profile with a byte-order mark.
  writeFileSync(join(home, '.azure', 'azureProfile.json'), `\uFEFF${JSON.stringify(profile)}`);
  writeFileSync(join(home, '.azure', 'config'), '[defaults]\ngroup = shop-staging\n');
  mkdirSync(join(home, 'other-az'), { recursive: true });
  writeFileSync(join(home, 'other-az', 'azureProfile.json'), JSON.stringify({ subscriptions: [{ id: profile.subscriptions[1].id, name: 'Acme Dev', isDefault: true }] }));
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
}
const target = async ({ line, env = {} }: Case) => {
  const t = (await evaluateLine(line, { HOME: home, ...env })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('az target: the subscription, the resource group and the resources named', () => {
  table(({ line, env }) => `${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${line}`, [
    // the default subscription "Acme Production" is production, whatever the group says
    [{ line: 'az group delete -n shop-dev --yes' }, 'shop-dev production'],
    [{ line: 'az group delete -n shop-dev --subscription "Acme Dev"' }, 'shop-dev development'],
    [{ line: 'az group delete -n shop-dev --subscription 66666666-7777-8888-9999-000000000000' }, 'shop-dev development'],
    [{ line: 'az group delete -n shop-prod --subscription "Acme Dev"' }, 'shop-prod production'],
    [{ line: 'az group delete -n shop --subscription Pay-As-You-Go' }, 'shop unknown'],
    [{ line: 'az group delete -n shop-dev', env: { AZURE_CONFIG_DIR: join(home, 'other-az') } }, 'shop-dev development'],
    // az does not read AZURE_SUBSCRIPTION_ID: the default subscription stands
    [{ line: 'az group delete -n shop-dev', env: { AZURE_SUBSCRIPTION_ID: profile.subscriptions[1].id } }, 'shop-dev production'],
    // the default group from `az configure --defaults`, and AZURE_DEFAULTS_GROUP over it
    [{ line: 'az webapp delete -n web --subscription "Acme Dev"' }, 'web staging'],
    [{ line: 'az webapp delete -n web --subscription "Acme Dev"', env: { AZURE_DEFAULTS_GROUP: 'shop-dev' } }, 'web development'],
    // a resource id names its subscription
    [{ line: 'az resource delete --ids /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/shop-dev/providers/Microsoft.Web/sites/web-dev --subscription "Acme Dev"' }, 'web-dev production'],
    [{ line: 'az resource delete --ids /subscriptions/66666666-7777-8888-9999-000000000000/resourceGroups/shop-dev/providers/Microsoft.Web/sites/web-dev' }, 'web-dev production'],
    [{ line: 'az resource delete --ids /subscriptions/66666666-7777-8888-9999-000000000000/resourceGroups/shop-dev/providers/Microsoft.Web/sites/web-dev --subscription "Acme Dev"' }, 'web-dev development'],
    // az rest goes to the subscription and group its URL names, not the default subscription
    [{ line: `az rest --method patch --url /subscriptions/66666666-7777-8888-9999-000000000000/resourceGroups/shop-dev/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg --body '{"properties":{"backup":{"backupRetentionDays":1}}}'` }, 'pg development'],
    [{ line: `az rest --method patch --url /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/shop-dev/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg --body '{"properties":{"backup":{"backupRetentionDays":1}}}'` }, 'pg production'],
    [{ line: 'az rest --method delete --url /subscriptions/66666666-7777-8888-9999-000000000000/resourceGroups/shop-prod' }, 'shop-prod production'],
    // storage account names have no separators: read by token they say nothing (map them in your config)
    [{ line: 'az storage account delete -n acmeprodstore -g shop-dev --subscription "Acme Dev"' }, 'acmeprodstore development'],
    [{ line: 'az storage account delete -n acmedevstore -g shop-prod --subscription "Acme Dev"' }, 'acmedevstore production'],
  ], target);

  it('names the profile as evidence, and an unknown subscription flag as unknown', async () => {
    const ev = await evaluateLine('az group delete -n shop --subscription Mystery', { HOME: home });
    expect(ev.target!.class).toBe('unknown');
    expect(ev.target!.evidence).toContainEqual({ source: 'file', key: 'subscriptions', value: 'Mystery is not in the profile: its id is unknown offline', file: '~/.azure/azureProfile.json' });
    const def = await evaluateLine('az group delete -n shop', { HOME: home });
    expect(def.target!.evidence).toContainEqual({ source: 'file', key: 'subscriptions[isDefault]', value: 'Acme Production (11111111-2222-3333-4444-555555555555)', file: '~/.azure/azureProfile.json' });
  });

  it('an unreadable profile is said, and the target stays unknown', async () => {
    const broken = join(emptyHome, 'az-broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'azureProfile.json'), '{ not json');
    const ev = await evaluateLine('az group delete -n shop', { HOME: home, AZURE_CONFIG_DIR: broken });
    expect(ev.target!.class).toBe('unknown');
    expect(JSON.stringify(ev.target!.evidence)).toMatch(/unreadable .*pass --subscription/);
  });
});
