// redis-cli through the real shim, with a recording double standing in for it: commands in argv,
// commands on stdin, and the xargs pipeline that deletes by pattern.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['redis-cli']);
  sb.double('redis-cli', { stdout: 'OK\n' });
});

const prod = ['-h', 'cache.prod.example', '-p', '6380'];

describe('redis-cli, with no terminal (an agent)', () => {
  it('refuses FLUSHALL on a production host, naming the rule, the environment and its evidence', async () => {
    const result = await sb.run('redis-cli', [...prod, 'FLUSHALL'], { env: { REDISCLI_AUTH: 'env-s3cret' } });
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: redis-cli -h cache.prod.example -p 6380 FLUSHALL');
    expect(result.stderr).toContain('redis-cli.flush [destroy] FLUSHALL deletes every key on the server, FLUSHDB every key in the database');
    expect(result.stderr).toContain('environment  cache.prod.example (production): "cache.prod.example" contains "prod"');
    expect(result.stderr).toContain('evidence   flag -h cache.prod.example');
    expect(result.stderr).toContain('evidence   flag -p 6380');
    expect(result.stderr).not.toContain('env-s3cret');
    expect(sb.record('redis-cli')).toBeUndefined();
  });

  it('runs FLUSHDB on the local default with a one-line notice, argv untouched', async () => {
    const result = await sb.run('redis-cli', ['-n', '3', 'flushdb']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('OK\n');
    expect(result.stderr).toBe('chaperone: redis-cli.flush in 127.0.0.1 (development): allowed\n');
    expect(sb.record('redis-cli')?.argv).toEqual(['-n', '3', 'flushdb']);
  });

  it('passes a read on production through untouched and silently', async () => {
    const result = await sb.run('redis-cli', [...prod, 'GET', 'FLUSHALL']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('redis-cli')?.argv).toEqual([...prod, 'GET', 'FLUSHALL']);
  });

  it('reads the host from -u and never shows the URI password', async () => {
    const result = await sb.run('redis-cli', ['-u', 'redis://default:uri-s3cret@cache.prod.example:6379/2', 'FLUSHDB']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('evidence   flag -u redis://default:***@cache.prod.example:6379/2');
    expect(result.stderr).not.toContain('uri-s3cret');
  });

  it('refuses the xargs pipeline that deletes every key a scan finds', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `session:${i}`).join('\n');
    const result = await sb.sh(`printf '%s\\n' "$KEYS" | xargs redis-cli -h cache.prod.example del`, { env: { KEYS: keys } });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('redis-cli.del-many');
    expect(sb.record('redis-cli')).toBeUndefined();
  });

  it('refuses DEL of a glob pattern', async () => {
    const result = await sb.run('redis-cli', [...prod, 'DEL', 'session:*']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('redis-cli.del-pattern');
  });

  it('never gates --help', async () => {
    const result = await sb.run('redis-cli', [...prod, '--help', 'FLUSHALL']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('never shows a password given as -a', async () => {
    const result = await sb.run('redis-cli', [...prod, '-a', 'A-SECRET', 'FLUSHALL']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain("-p 6380 -a '***' FLUSHALL");
    expect(result.stderr).not.toContain('A-SECRET');
  });
});

describe('redis-cli reading commands on stdin', () => {
  it('refuses a pipe with FLUSHALL on a production host before redis-cli starts', async () => {
    const result = await sb.run('redis-cli', prod, { input: 'SET a 1\nflushall\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('redis-cli.flush [destroy] FLUSHALL deletes every key on the server, FLUSHDB every key in the database: flushall');
    expect(sb.record('redis-cli')).toBeUndefined();
  });

  it('passes a benign pipe through byte for byte', async () => {
    const input = 'SET a "FLUSHALL"\nGET a\n';
    const result = await sb.run('redis-cli', prod, { input });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('redis-cli')!.stdin.toString()).toBe(input);
  });

  it('reads the Redis protocol with --pipe, from a file on stdin, without consuming it', async () => {
    const file = join(sb.root, 'load.resp');
    writeFileSync(file, '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$8\r\nFLUSHALL\r\n');
    const refused = await sb.sh(`redis-cli -h cache.prod.example --pipe < ${file}`);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('redis-cli.flush');
    writeFileSync(file, '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n');
    const allowed = await sb.sh(`redis-cli -h cache.prod.example --pipe < ${file}`);
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('redis-cli')!.stdin.toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n');
  });

  it('holds a pipe longer than the read-ahead in production (CHAPERONE_READ_AHEAD_BYTES=256)', async () => {
    const input = Array.from({ length: 100 }, (_, i) => `SET k${i} v${i}`).join('\n');
    const result = await sb.run('redis-cli', prod, { input, env: { CHAPERONE_READ_AHEAD_BYTES: '256' } });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('redis-cli.unreadable');
  });

  it('passes a long pipe through in development, byte for byte', async () => {
    const input = Array.from({ length: 100 }, (_, i) => `SET k${i} v${i}`).join('\n');
    const result = await sb.run('redis-cli', [], { input, env: { CHAPERONE_READ_AHEAD_BYTES: '256' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: redis-cli.unreadable in 127.0.0.1 (development): allowed\n');
    expect(sb.record('redis-cli')!.stdin.toString()).toBe(input);
  });
});
