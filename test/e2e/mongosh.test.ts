// mongosh (and the legacy mongo shell) through the real shims. There is no real mongosh on the test
// machines: recording doubles stand in for both.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['mongosh', 'mongo']);
  sb.double('mongosh', { stdout: 'mongosh ran\n' });
  sb.double('mongo', { stdout: 'mongo ran\n' });
});

const prodUri = 'mongodb://app:s3cr3t-pw@db.prod.example:27017/shop';

describe('mongosh, with no terminal (an agent)', () => {
  it('refuses dropDatabase() against a production connection string, and never shows its password', async () => {
    const result = await sb.run('mongosh', [prodUri, '--eval', 'db.dropDatabase()']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('mongosh.drop-database [destroy] dropDatabase() deletes the whole database: db.dropDatabase()');
    expect(result.stderr).toContain('environment  shop (production): "db.prod.example" contains "prod"');
    expect(result.stderr).toContain('evidence   argument connection string: mongodb://app:***@db.prod.example:27017/shop');
    expect(result.stderr).not.toContain('s3cr3t-pw');
    expect(sb.record('mongosh')).toBeUndefined();
  });

  it('runs the same drop against the local default with a one-line notice, argv untouched', async () => {
    const args = ['--quiet', '--eval', 'db.orders.drop()'];
    const result = await sb.run('mongosh', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('mongosh ran\n');
    expect(result.stderr).toBe('chaperone: mongosh.drop-collection in test (development): allowed\n');
    expect(sb.record('mongosh')?.argv).toEqual(args);
  });

  it('passes a read against production through untouched and silently', async () => {
    const args = [prodUri, '--eval', "db.orders.find({note: 'db.dropDatabase()'}) // .drop()"];
    const result = await sb.run('mongosh', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('mongosh')?.argv).toEqual(args);
  });

  it('reads script files, and the database a script switches to', async () => {
    writeFileSync(join(sb.work, 'cleanup.js'), "// tidy up\nconst target = db.getSiblingDB('shop_prod');\ntarget.sessions.deleteMany({});\n");
    const result = await sb.run('mongosh', ['--host', '127.0.0.1', 'cleanup.js']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mongosh.delete-all');
    expect(result.stderr).toContain('environment  shop_prod (production)');
    expect(sb.record('mongosh')).toBeUndefined();
  });

  it('lets a filtered deleteMany through', async () => {
    const result = await sb.run('mongosh', [prodUri, '--eval', "db.sessions.deleteMany({expires: {$lt: new Date()}})"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('guards the legacy mongo shell the same way', async () => {
    const result = await sb.run('mongo', ['db.prod.example/shop', '--eval', 'db.orders.remove({})']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mongosh.delete-all');
    expect(sb.record('mongo')).toBeUndefined();
  });

  it('reads a script piped to stdin', async () => {
    const result = await sb.run('mongosh', [prodUri], { input: 'use shop\ndb.orders.drop()\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('mongosh.drop-collection');
  });

  it('never gates --help', async () => {
    const result = await sb.run('mongosh', [prodUri, '--help', '--eval', 'db.dropDatabase()']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('mongosh')?.argv).toEqual([prodUri, '--help', '--eval', 'db.dropDatabase()']);
  });

  it('never shows a password given as -p SECRET', async () => {
    const result = await sb.run('mongosh', ['mongodb://db.prod.example/shop', '-u', 'app', '-p', 'SECRET-PW', '--eval', 'db.dropDatabase()']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain("-u app -p '***' --eval");
    expect(result.stderr).not.toContain('SECRET-PW');
  });
});
