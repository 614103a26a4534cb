// The real redis-cli behind the real shim, against a throwaway redis-server on 127.0.0.1. A local host
// is development, so the sandbox user's config maps 127.0.0.1 to production, as a user would for an
// SSH tunnel to production. What the tests check is the server afterwards: a refused FLUSHALL leaves
// every key, an allowed one (to a development host name) really flushes.
//
// Skipped with the reason printed when redis-server or redis-cli is missing; with
// CHAPERONE_REQUIRE_REAL_TOOLS=1 (CI) it fails instead. Debian packages: redis-server, redis-tools.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { redisProblems, startRedis, type Redis } from '../helpers/redis.js';
import { toolGroup } from '../helpers/system.js';

const group = toolGroup('redis-cli through the shim, against a real redis-server', await redisProblems());

describe.skipIf(group.skip)(group.title, () => {
  let redis: Redis | undefined;
  let sb: Sandbox | undefined;
  const at = () => ['-h', '127.0.0.1', '-p', String(redis!.port)];

  beforeAll(async () => {
    group.assertAvailable();
    [redis, sb] = await Promise.all([startRedis(), makeSandbox(['redis-cli'])]);
    sb.write('home/.config/chaperone/rules.yaml', 'targets:\n  host:\n    "127.0.0.1": production\n');
  });
  afterAll(async () => {
    await redis?.stop();
    if (sb) rmSync(sb.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await redis!.command('FLUSHALL');
    await redis!.command('MSET', 'order:1', 'apple', 'order:2', 'pear');
  });

  it('refuses FLUSHALL on a host mapped to production, and every key remains', async () => {
    const result = await sb!.run('redis-cli', [...at(), 'FLUSHALL']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`chaperone: refused: redis-cli -h 127.0.0.1 -p ${redis!.port} FLUSHALL`);
    expect(result.stderr).toContain('redis-cli.flush [destroy]');
    expect(result.stderr).toContain('environment  127.0.0.1 (production): host "127.0.0.1" is mapped to production in your config');
    expect(result.stderr).toContain('The real redis-cli did not run.');
    expect(await redis!.command('DBSIZE')).toBe('2');
  });

  it('refuses FLUSHALL piped on stdin, and every key remains', async () => {
    const result = await sb!.run('redis-cli', at(), { input: 'GET order:1\nFLUSHALL\n' });
    expect(result.exitCode).toBe(77);
    expect(await redis!.command('DBSIZE')).toBe('2');
  });

  it('runs GET on the production-mapped host, printing the real value, silently', async () => {
    const result = await sb!.run('redis-cli', [...at(), 'GET', 'order:1']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('apple\n');
    expect(result.exitCode).toBe(0);
  });

  it('really flushes through `localhost`, a development host, with a one-line notice', async () => {
    const result = await sb!.run('redis-cli', ['-h', 'localhost', '-p', String(redis!.port), 'FLUSHALL']);
    expect(result.stderr).toBe('chaperone: redis-cli.flush in localhost (development): allowed\n');
    expect(result.stdout).toBe('OK\n');
    expect(result.exitCode).toBe(0);
    expect(await redis!.command('DBSIZE')).toBe('0');
  });
});
