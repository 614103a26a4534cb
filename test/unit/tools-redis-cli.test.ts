// redis-cli: which invocations the built-in rules gate, how its argv and stdin are read, and what each
// invocation targets. Every line here names a command or a mode: a unit test never reads stdin.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';
import { RedisStdinReader, splitRedisArgs } from '../../src/payload/redis.js';
import { readRedisArgs } from '../../src/tools/redis-cli.js';

const dir = join(emptyHome, 'redis-scripts');
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'wipe.lua'), "-- redis.call('get', 'x')\nreturn redis.call('FLUSHDB')\n");
  writeFileSync(join(dir, 'read.lua'), "return redis.call('GET', KEYS[1]) -- not redis.call('flushall')\n");
  writeFileSync(join(dir, 'purge.lua'), "local keys = redis.call('SCAN', 0, 'MATCH', ARGV[1])[2]\nfor _, k in ipairs(keys) do redis.call('UNLINK', k) end\n");
});

const rulesIn = async (line: string) => (await evaluateLine(line, {}, dir)).findings.map((f) => f.rule).join(' ');
const manyKeys = Array.from({ length: 101 }, (_, i) => `k${i}`).join(' ');

describe('redis-cli commands against the built-in rules', () => {
  table((line) => (line.length > 120 ? `${line.slice(0, 117)}...` : line), [
    ['redis-cli FLUSHALL', 'redis-cli.flush'],
    ['redis-cli flushall async', 'redis-cli.flush'],
    ['redis-cli FlushDB', 'redis-cli.flush'],
    ['redis-cli -h cache.example -p 6380 -n 2 FLUSHDB', 'redis-cli.flush'],
    ['redis-cli -r 3 -i 1 FLUSHALL', 'redis-cli.flush'],
    ['redis-cli -c -e --no-auth-warning -a pw FLUSHALL', 'redis-cli.flush'],
    ["redis-cli DEL 'session:*'", 'redis-cli.del-pattern'],
    ["redis-cli unlink 'user:?' user:1", 'redis-cli.del-pattern'],
    ["redis-cli del 'cache:[ab]'", 'redis-cli.del-pattern'],
    [`redis-cli del ${manyKeys}`, 'redis-cli.del-many'],
    ['redis-cli CONFIG SET dir /var/www', 'redis-cli.config-set-files'],
    ['redis-cli config set appendonly yes dbfilename authorized_keys', 'redis-cli.config-set-files'],
    // Persistence turned off: the data then lives only in memory.
    [`redis-cli CONFIG SET save ''`, 'redis-cli.persistence-off'],
    [`redis-cli config set save '  '`, 'redis-cli.persistence-off'],
    ['redis-cli config set appendonly NO', 'redis-cli.persistence-off'],
    [`redis-cli config set maxmemory 1gb save ''`, 'redis-cli.persistence-off'],
    [`redis-cli eval "redis.call('config', 'set', 'appendonly', 'no')" 0`, 'redis-cli.persistence-off'],
    ['redis-cli config set appendonly yes', ''],
    [`redis-cli config set save '900 1 300 10'`, ''],
    ['redis-cli config set save', ''],
    ['redis-cli SHUTDOWN', 'redis-cli.shutdown'],
    ['redis-cli shutdown SAVE', 'redis-cli.shutdown'],
    ['redis-cli SHUTDOWN NOSAVE', 'redis-cli.shutdown-nosave'],
    ['redis-cli REPLICAOF 10.0.0.2 6379', 'redis-cli.replicaof'],
    ['redis-cli slaveof db.example 6379', 'redis-cli.replicaof'],
    ['redis-cli FUNCTION FLUSH', 'redis-cli.function-delete'],
    ['redis-cli function delete mylib', 'redis-cli.function-delete'],
    ['redis-cli SCRIPT FLUSH', 'redis-cli.script-flush'],
    ['redis-cli EVALSHA abc123 0', 'redis-cli.opaque'],
    ['redis-cli FCALL cleanup 0', 'redis-cli.opaque'],
    ['redis-cli DEBUG SEGFAULT', 'redis-cli.debug'],
    ['redis-cli debug sleep 30', 'redis-cli.debug'],
    ['redis-cli SWAPDB 0 1', 'redis-cli.swapdb'],
    ['redis-cli MIGRATE 10.0.0.2 6379 "" 0 5000 KEYS a b', 'redis-cli.migrate'],
    ['redis-cli CLUSTER RESET HARD', 'redis-cli.cluster'],
    ['redis-cli cluster failover', 'redis-cli.cluster'],
    ['redis-cli FAILOVER TO 10.0.0.2 6379', 'redis-cli.cluster'],
    ['redis-cli --cluster reshard 10.0.0.1:7000 --cluster-yes', 'redis-cli.cluster'],
    ['redis-cli ACL DELUSER app', 'redis-cli.acl-deluser'],
    [`redis-cli EVAL "return redis.call('flushall')" 0`, 'redis-cli.flush'],
    [`redis-cli EVAL "redis.pcall(\\"FLUSHDB\\")" 0`, 'redis-cli.flush'],
    [`redis-cli EVAL "for _,k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end" 0 'session:*'`, 'redis-cli.del-pattern'],
    [`redis-cli EVAL "return redis.call(ARGV[1])" 0 flushall`, 'redis-cli.opaque'],
    ['redis-cli --eval wipe.lua', 'redis-cli.flush'],
    ['redis-cli --eval purge.lua , "session:*"', 'redis-cli.del-pattern'],
    ['redis-cli --eval missing.lua', 'redis-cli.unreadable'],
    ['redis-cli --cluster call 10.0.0.1:7000 FLUSHALL', 'redis-cli.flush'],
    ['redis-cli --cluster del-node 10.0.0.1:7000 abc', 'redis-cli.cluster'],
    // never gated
    ['redis-cli GET FLUSHALL', ''],
    ['redis-cli SET key FLUSHALL', ''],
    ['redis-cli DEL session:42', ''],
    ['redis-cli -x DEL', ''],
    ['redis-cli KEYS "session:*"', ''],
    ['redis-cli CONFIG SET maxmemory 2gb', ''],
    ['redis-cli CONFIG GET dir', ''],
    ['redis-cli REPLICAOF NO ONE', ''],
    ['redis-cli SHUTDOWN ABORT', ''],
    ['redis-cli DEBUG OBJECT key', ''],
    ['redis-cli SCRIPT LOAD "return 1"', ''],
    ['redis-cli EVAL_RO "return redis.call(\'GET\', KEYS[1])" 1 k', ''],
    ['redis-cli FCALL_RO report 0', ''],
    [`redis-cli EVAL "-- redis.call('flushall')\nreturn 1" 0`, ''],
    ['redis-cli --eval read.lua k', ''],
    ['redis-cli --scan --pattern "session:*"', ''],
    ['redis-cli --bigkeys', ''],
    ['redis-cli --stat', ''],
    ['redis-cli --rdb dump.rdb', ''],
    ['redis-cli INFO', ''],
    ['redis-cli --help', ''],
    ['redis-cli --version', ''],
    ['redis-cli -v', ''],
    ['redis-cli -h', ''],
    ['redis-cli --cluster help', ''],
    ['redis-cli --cluster check 10.0.0.1:7000', ''],
    ['redis-cli CLUSTER NODES', ''],
    ['redis-cli --bogus FLUSHALL', ''],
    ['redis-cli FLUSHALL -h', 'redis-cli.flush'],
  ], rulesIn);
});

describe("redis-cli's argv: options stop at the command", () => {
  table((args) => args.join(' '), [
    [['-h', 'db', '-p', '1', 'GET', 'k'], 'options: -h=db -p=1 | command: GET k'],
    [['GET', '-h', 'x'], 'options:  | command: GET -h x'],
    [['-h', 'db', '-h'], 'help'],
    [['-h'], 'help'],
    [['-p'], 'rejected -p'],
    [['--nope', 'GET'], 'rejected --nope'],
    [['-u', 'redis://h:1/2', '-n', '3', 'PING'], 'options: -u=redis://h:1/2 -n=3 | command: PING'],
    [['--cluster', 'call', 'h:1', 'DEL', 'k', '--cluster-yes'], 'options: --cluster=call --cluster-yes= | command: '],
  ], (args) => {
    const read = readRedisArgs(args);
    if (read.help) return 'help';
    if (read.rejected) return `rejected ${read.rejected}`;
    return `options: ${read.options.map(([n, v]) => `${n}=${v}`).join(' ')} | command: ${read.command.join(' ')}`;
  });
});

describe('redis-cli stdin: lines split as sdssplitargs does, and the Redis protocol', () => {
  table((line) => line, [
    ['SET a "b c"', ['SET', 'a', 'b c']],
    ["SET a 'it\\'s'", ['SET', 'a', "it's"]],
    ['SET a "\\x41\\n"', ['SET', 'a', 'A\n']],
    ['SET a b"c d"', ['SET', 'a', 'bc d']],
    ['SET a "b"c', undefined],
    ['SET a "open', undefined],
    ['  ', []],
  ], (line) => splitRedisArgs(line));

  const read = (mode: 'lines' | 'protocol', chunks: string[]) => {
    const reader = new RedisStdinReader(mode);
    return [...chunks.flatMap((c) => reader.push(Buffer.from(c, 'latin1'))), ...reader.finish()].map((argv) => argv.join(' ')).join(' | ');
  };
  table(([mode, chunks]) => `${mode}: ${JSON.stringify(chunks)}`, [
    [['lines', ['SET a 1\nFLUSH', 'ALL\n3 INCR a\n']], 'SET a 1 | FLUSHALL | INCR a'],
    [['lines', ['GET a\r\nbad "quote\nPING']], 'GET a | PING'],
    [['protocol', ['*1\r\n$8\r\nFLUSHALL\r\n']], 'FLUSHALL'],
    [['protocol', ['*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$1\r\n1\r\n', 'PING\r\n']], 'SET a\r\nb 1 | PING'],
    [['protocol', ['*2\r\n$3\r\nDEL\r\n$6\r\nse', 'ss:*\r\n']], 'DEL sess:*'],
  ], ([mode, chunks]) => read(mode as 'lines' | 'protocol', chunks as string[]));
});

describe('redis-cli target', () => {
  const resolveCase = async (line: string) => {
    const t = (await evaluateLine(line, {}, dir)).target!;
    return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}=${e.value}`).join(' ')}`;
  };
  table((line) => line, [
    ['redis-cli PING', '127.0.0.1 development default:host=127.0.0.1 (no -h, -u or -s given)'],
    ['redis-cli -h cache.prod.example -p 6380 PING', 'cache.prod.example production flag:-h=cache.prod.example flag:-p=6380'],
    ['redis-cli -h 10.1.2.3 PING', '10.1.2.3 unknown flag:-h=10.1.2.3'],
    ['redis-cli -s /run/redis/redis.sock -h cache.prod.example PING', '/run/redis/redis.sock development flag:-s=/run/redis/redis.sock'],
    ['redis-cli -u redis://default:pw@cache.staging.example:6379/3 PING', 'cache.staging.example staging flag:-u=redis://default:***@cache.staging.example:6379/3'],
    ['redis-cli -u rediss://cache.prod.example -h localhost PING', 'localhost development flag:-h=localhost'],
    ['redis-cli -h localhost -u redis://cache.prod.example:6390 PING', 'cache.prod.example production flag:-u=redis://cache.prod.example:6390'],
    ['redis-cli -u redis://localhost/2 -n 5 PING', 'localhost development flag:-u=redis://localhost/2 flag:-n=5'],
    ['redis-cli --cluster call cache.prod.example:7000 PING', 'cache.prod.example production argument:--cluster call=cache.prod.example:7000'],
  ], resolveCase);
});
