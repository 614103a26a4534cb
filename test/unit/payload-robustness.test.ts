// The readers of mysql, mongosh and redis-cli payloads run on whatever a user or an agent types. They
// must never throw (a throw is an internal error, and the command does not run): thousands of random
// scripts made of the characters their grammars care about go through each, seeded so a failure repeats.

import { describe, expect, it } from 'vitest';
import { readMysqlScriptText } from '../../src/sql/mysql-script.js';
import { statementCommands } from '../../src/sql/mysql.js';
import { readMongoScript } from '../../src/payload/mongo.js';
import { luaCommands, RedisStdinReader, redisCommand, splitRedisArgs } from '../../src/payload/redis.js';
import { readMysqlArgs, resolveMysql } from '../../src/tools/mysql.js';
import { readMongoshArgs, resolveMongosh } from '../../src/tools/mongosh.js';
import { readRedisArgs, resolveRedis } from '../../src/tools/redis-cli.js';
import { emptyHome } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

const pieces = [
  'DROP', 'TABLE', 'DELETE', 'FROM', 'WHERE', 'UPDATE', 'SET', 'ALTER', 'CREATE', 'OR', 'REPLACE', 'PREPARE', 'WITH', 'USE', 'DELIMITER',
  'db', '.', 'drop', '(', ')', '{', '}', '[', ']', 'deleteMany', 'redis.call', 'load', 'connect', 'use', 'x', '1', '=',
  "'", '"', '`', '\\', '/', '*', '/*', '*/', '/*!', '#', '--', '-- ', ';', ',', ':', '$', '${', '\n', ' ', '\r', '\t', '?', '@', '!', 'ü', '\u0000',
  '*1\r\n', '$8\r\n', 'FLUSHALL', 'source', 'system', '\\g', '\\.', '\\!', '\\c', '\\q', '[[', ']]', '--[[', '0x', '1e5',
];

function scripts(seed: number, count: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 40) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
}

describe('payload readers never throw', () => {
  it('the mysql client splitter and statement classifier', () => {
    for (const script of scripts(1, 3000)) {
      expect(() => {
        for (const unit of readMysqlScriptText(script)) if (unit.kind === 'sql') statementCommands(unit.text, { backslashInString: true });
      }, JSON.stringify(script)).not.toThrow();
    }
  });

  it('the mongosh reader', () => {
    for (const script of scripts(2, 3000)) expect(() => readMongoScript(script), JSON.stringify(script)).not.toThrow();
  });

  it('the redis-cli readers: lines, protocol, argv and Lua', () => {
    for (const script of scripts(3, 3000)) {
      expect(() => {
        for (const mode of ['lines', 'protocol'] as const) {
          const reader = new RedisStdinReader(mode);
          for (const argv of [...reader.push(Buffer.from(script)), ...reader.finish()]) redisCommand(argv);
        }
        splitRedisArgs(script);
        redisCommand(['EVAL', script, '0']);
        luaCommands(script, 'script');
      }, JSON.stringify(script)).not.toThrow();
    }
  });
});

const argPieces = [
  '-h', '-p', '-P', '-u', '-D', '-S', '-e', '-n', '-s', '-a', '-pX', '-Bp', '--host', '--port', '--host=', '--nodb', '--eval', '--cluster', 'call',
  '--defaults-file=/nonexistent', '--no-defaults', '--login-path=x', '--', '-', '', 'shop', 'db.prod.example', 'a.js', 'mongodb://', 'mongodb://u:p@h%/d%zz',
  'mongodb+srv://x/', 'redis://:pw@h:1/2', 'rediss://[::1]', 'rs/h1,h2:1', '%', '[::1]:27017', 'FLUSHALL', 'DEL', 'x*', 'localhost', '127.0.0.1',
];

describe('argv readers and target resolvers never throw', () => {
  it('mysql, mongosh and redis-cli', () => {
    const next = random(4);
    for (let n = 0; n < 2000; n++) {
      const args = Array.from({ length: Math.floor(next() * 8) }, () => argPieces[Math.floor(next() * argPieces.length)]);
      const invocation = (tool: string) => ({ tool, args, cwd: emptyHome, env: { HOME: emptyHome } });
      const parsed = { commands: [], help: false };
      expect(() => {
        readMysqlArgs(args);
        resolveMysql(parsed, invocation('mysql'));
        readMongoshArgs(args);
        resolveMongosh(parsed, invocation('mongosh'));
        readRedisArgs(args);
        resolveRedis(parsed, invocation('redis-cli'));
      }, JSON.stringify(args)).not.toThrow();
    }
  });
});
