// az rest writes through the real az shim, read as the az command they equal, with a recording double
// behind it that must never run when refused; the same request through the curl shim; and the line
// analysis (`chaperone check`, the Claude hook) giving the same answer.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { agentLineAnswers } from '../helpers/line-checks.js';

const prod = '11111111-2222-3333-4444-555555555555';
const dev = '66666666-7777-8888-9999-000000000000';
const server = (sub: string, group: string) => `https://management.azure.com/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop-pg?api-version=2022-12-01`;
const oneDay = '{"properties":{"backup":{"backupRetentionDays":1}}}';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['az', 'curl']);
  for (const tool of ['az', 'curl']) sb.double(tool, { stdout: `${tool} ran\n` });
  const profile = { subscriptions: [{ id: prod, name: 'Acme Production', isDefault: true }, { id: dev, name: 'Acme Dev', isDefault: false }] };
  sb.write('home/.azure/azureProfile.json', `\uFEFF${JSON.stringify(profile)}`);
});

const agent = { CHAPERONE_ACTOR: 'agent' };
const lineAnswers = (line: string) => agentLineAnswers(sb, line, sb.work);
const quote = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

describe('az rest, read as the az command it equals', () => {
  it.each([
    ['--method patch --body JSON', ['rest', '--method', 'patch', '--url', server(prod, 'shop-rg'), '--body', oneDay], 'az.resource.backup-retention.short'],
    ['-m PUT -u … -b @file', ['rest', '-m', 'PUT', '-u', server(prod, 'shop-rg'), '-b', '@body.json'], 'az.resource.backup-retention.short'],
    ['a key vault purge', ['rest', '--method', 'post', '--url', `https://management.azure.com/subscriptions/${prod}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/shop-kv/purge?api-version=2022-07-01`], 'az.keyvault.purge'],
    ['blob soft delete off', ['rest', '--method', 'put', '--uri', `https://management.azure.com/subscriptions/${prod}/resourceGroups/shop-rg/providers/Microsoft.Storage/storageAccounts/shopst/blobServices/default?api-version=2023-01-01`, '--body', '{"properties":{"deleteRetentionPolicy":{"enabled":false}}}'], 'az.storage.soft-delete.off'],
    ['file share soft delete off', ['rest', '--method', 'patch', '--url', `https://management.azure.com/subscriptions/${prod}/resourceGroups/shop-rg/providers/Microsoft.Storage/storageAccounts/shopst/fileServices/default?api-version=2023-01-01`, '--body', '{"properties":{"shareDeleteRetentionPolicy":{"enabled":false}}}'], 'az.storage.share-soft-delete.off'],
    ["a Recovery Services vault's soft delete off", ['rest', '-m', 'patch', '-u', `https://management.azure.com/subscriptions/${prod}/resourceGroups/shop-rg/providers/Microsoft.RecoveryServices/vaults/shop-rsv?api-version=2024-04-01`, '-b', '{"properties":{"securitySettings":{"softDeleteSettings":{"softDeleteState":"Disabled"}}}}'], 'az.backup.vault.soft-delete.off'],
    ['Cosmos DB backups kept 8 hours', ['rest', '--method', 'patch', '--url', `https://management.azure.com/subscriptions/${prod}/resourceGroups/shop-rg/providers/Microsoft.DocumentDB/databaseAccounts/shop-db?api-version=2024-05-15`, '--body', '{"properties":{"backupPolicy":{"type":"Periodic","periodicModeProperties":{"backupRetentionIntervalInHours":8}}}}'], 'az.cosmosdb.backup-retention.short'],
  ])("refuses an agent's az rest %s in production, and az never runs", async (_name, args, rule) => {
    sb.write('work/body.json', oneDay);
    const result = await sb.run('az', args, { env: agent });
    expect(result.exitCode, String(result.stderr)).toBe(77);
    expect(result.stderr).toContain(`${rule} [`);
    expect(sb.record('az')).toBeUndefined();
    expect(await lineAnswers(`az ${quote(args)}`)).toEqual(['deny', 'deny']);
  });

  it('runs the same write in the dev subscription with a notice, argv untouched', async () => {
    const args = ['rest', '--method', 'patch', '--url', server(dev, 'shop-dev'), '--body', oneDay];
    const result = await sb.run('az', args, { env: agent });
    expect(result.stderr).toBe('chaperone: az.resource.backup-retention.short in shop-pg (development): allowed\n');
    expect(result.exitCode).toBe(0);
    expect(sb.record('az')?.argv).toEqual(args);
  });

  it('runs a benign az rest untouched and silently: a read, and a retention of two weeks', async () => {
    for (const args of [
      ['rest', '--method', 'get', '--url', server(prod, 'shop-rg')],
      ['rest', '--method', 'patch', '--url', server(prod, 'shop-rg'), '--body', '{"properties":{"backup":{"backupRetentionDays":14}}}'],
    ]) {
      const result = await sb.run('az', args, { env: agent });
      expect(result.stderr).toBe('');
      expect(sb.record('az')?.argv).toEqual(args);
    }
  });

  it("refuses what a refused agent types next: the same PATCH through curl, or az resource update --set", async () => {
    const curl = ['-sS', '-X', 'PATCH', '-H', 'Authorization: Bearer eyJ0eXAiOiJKV1Qi', server(prod, 'shop-rg'), '-d', oneDay];
    const result = await sb.run('curl', curl, { env: agent });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('az.resource.backup-retention.short');
    expect(result.stderr).not.toContain('eyJ0eXAiOiJKV1Qi');
    expect(sb.record('curl')).toBeUndefined();
    expect(await lineAnswers(`curl ${quote(curl)}`)).toEqual(['deny', 'deny']);
    const set = ['resource', 'update', '--ids', `/subscriptions/${prod}/resourceGroups/shop-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop-pg`, '--set', 'properties.backup.backupRetentionDays=1'];
    expect((await sb.run('az', set, { env: agent })).exitCode).toBe(77);
    expect(sb.record('az')).toBeUndefined();
  });
});
