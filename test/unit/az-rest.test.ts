// az rest writes read as the az command they equal, and the same request from any HTTP client: random
// bodies never crash the reader, and a short retention anywhere in a body is always found.

import { describe, expect, it } from 'vitest';
import { table } from '../helpers/cases.js';
import { rulesOf } from '../helpers/evaluate.js';
import { random, tokenSoup } from '../helpers/random.js';
import { restCommands } from '../../src/tools/az-rest.js';

const server = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop?api-version=2022-12-01';

describe('an Azure Resource Manager write from any HTTP client is judged as az rest', () => {
  table((line) => line, [
    [`curl -X PATCH ${server} -d '{"properties":{"backup":{"backupRetentionDays":1}}}'`, 'az.resource.backup-retention.short'],
    [`curl --request PUT ${server} --json '{"properties":{"backup":{"backupRetentionDays":0}}}'`, 'az.resource.backup-retention.short'],
    [`http PATCH ${server} properties:='{"backup":{"backupRetentionDays":2}}'`, 'az.resource.backup-retention.short'],
    [`wget --method=PATCH --body-data='{"properties":{"enableSoftDelete":false}}' https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`, 'az.keyvault.soft-delete.off'],
    [`curl -X POST https://management.azure.com/subscriptions/s/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv/purge`, 'az.keyvault.purge'],
    [`curl -X PATCH ${server} -d '{"properties":{"backup":{"backupRetentionDays":14}}}'`, ''],
    [`curl ${server}`, ''],
    [`curl -X POST -d '' https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/web/restart`, ''],
    [`curl -X PUT ${server} -d 'not json'`, 'az.rest.unreadable'],
    [`curl -X PATCH https://example.com/x -d '{"backupRetentionDays":1}'`, ''],
  ], (line) => rulesOf(line));
});

describe('az rest bodies: a property', () => {
  const tokens = ['{', '}', '[', ']', ',', ':', '"backupRetentionDays"', '"enableSoftDelete"', '"x"', '1', '30', 'false', 'true', 'null', '"mode"', '"Complete"', '"', '\\', ' '];
  it('never throws on random bodies and methods', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const body = tokenSoup(tokens, seed, 24);
      const method = ['put', 'patch', 'post', 'get', 'delete'][seed % 5];
      expect(() => restCommands(new Map([['--url', [server]], ['--method', [method]], ['--body', [body]]]), '/'), `seed ${seed}: ${body}`).not.toThrow();
    }
  });
  it('finds a retention under a week at any depth of a body, in any case', () => {
    const next = random(7);
    for (let seed = 1; seed <= 500; seed++) {
      let value: unknown = { [next() < 0.5 ? 'backupRetentionDays' : 'BACKUPRETENTIONDAYS']: Math.floor(next() * 7) };
      for (let depth = Math.floor(next() * 5); depth > 0; depth--) value = next() < 0.5 ? { [`k${depth}`]: value, other: 1 } : { list: 1, inner: value };
      const commands = restCommands(new Map([['--url', [server]], ['--method', ['patch']], ['--body', [JSON.stringify(value)]]]), '/');
      expect(commands.some((c) => c.path.join(' ') === 'resource update' && Number(c.flags.get('--backup-retention')?.[0]) < 7), JSON.stringify(value)).toBe(true);
    }
  });
  it('reads a body nested deeper than a recursive walk could go (JSON.parse takes it): no internal error', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const read = (body: string) => restCommands(new Map([['--url', [server]], ['--method', ['patch']], ['--body', [body]]]), '/');
    const short = read(`{"properties":{"backup":{"backupRetentionDays":1}},"x":${deep(200000)}}`);
    expect(short.some((c) => c.path.join(' ') === 'resource update' && c.flags.get('--backup-retention')?.[0] === '1')).toBe(true);
    expect(read(`{"x":${deep(200000)}}`)).toEqual([]);
  });
});
