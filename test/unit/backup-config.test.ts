// `backup-before-destroy`: which classes back up a confirmed destroy first. The user's list replaces the
// built-in one; a project file may only add classes; an evaluation says when a backup is due; and
// `backup-limits` keeps the backups within their age and size, oldest first.

import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups, pruneBackups } from '../../src/backup/postgres.js';
import { ConfigError } from '../../src/errors.js';
import { evaluate } from '../../src/evaluate.js';
import { loadConfig } from '../../src/rules/load.js';
import { table } from '../helpers/cases.js';

function world(files: { user?: string; project?: string }) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-backup-config-')));
  const home = join(root, 'home');
  const cwd = join(root, 'repo');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.config', 'chaperone'), { recursive: true });
  if (files.user !== undefined) writeFileSync(join(home, '.config', 'chaperone', 'rules.yaml'), files.user);
  if (files.project !== undefined) writeFileSync(join(cwd, '.chaperone.yaml'), files.project);
  return { cwd, env: { HOME: home } };
}

describe('backup-before-destroy across layers', () => {
  table((files) => JSON.stringify(files), [
    [{}, 'production unknown'],
    [{ user: 'backup-before-destroy: []\n' }, ''],
    [{ user: 'backup-before-destroy: [production, unknown]\n' }, 'production unknown'],
    [{ user: 'backup-before-destroy: [production]\n', project: 'backup-before-destroy: [staging]\n' }, 'production staging'],
    [{ user: 'backup-before-destroy: [production]\n', project: 'backup-before-destroy: []\n' }, 'production'],
    [{ project: 'backup-before-destroy: [staging]\n' }, 'production unknown staging'],
  ], async (files) => {
    const w = world(files);
    return (await loadConfig(w.cwd, w.env)).backupBeforeDestroy.join(' ');
  });

  it('names a class it does not know, with its line', async () => {
    const w = world({ user: 'backup-before-destroy:\n  - production\n  - prod\n' });
    const error = await loadConfig(w.cwd, w.env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problem).toBe('unknown environment class "prod" (expected production, staging, development, unknown)');
    expect((error as ConfigError).line).toBe(3);
  });
});

describe('an evaluation says when a backup is due', () => {
  const w = world({ user: 'backup-before-destroy: [production, unknown]\n' });
  table((line) => line.join(' '), [
    [['psql', '-h', 'db.prod.example', 'shop', '-c', 'DROP TABLE orders'], true],
    [['psql', '-h', 'db.prod.example', 'shop', '-c', 'SELECT 1'], false],
    [['psql', '-h', '127.0.0.1', 'shop_dev', '-c', 'DROP TABLE orders'], false],
    [['dropdb', '-h', 'db.prod.example', 'shop'], true],
  ], async ([tool, ...args]) => {
    const ev = await evaluate({ tool, args, cwd: w.cwd, env: w.env }, { terminal: () => false });
    return ev.backup !== undefined;
  });
});

describe('backup-limits', () => {
  table((files) => JSON.stringify(files), [
    [{}, '30 days, 5120 MB'],
    [{ user: 'backup-limits: {max-age-days: 7}\n' }, '7 days, 5120 MB'],
    [{ user: 'backup-limits: {max-age-days: 7, max-total-mb: 100}\n' }, '7 days, 100 MB'],
    [{ user: 'backup-limits: {max-total-mb: 0}\n' }, 'max-total-mb must be a number above 0'],
    [{ user: 'backup-limits: {max-files: 3}\n' }, 'unknown key "max-files" (expected max-age-days, max-total-mb)'],
    [{ project: 'backup-limits: {max-age-days: 365}\n' }, 'a project file may not set backup-limits; put them in your user config'],
  ], async (files) => {
    const w = world(files);
    try {
      const { backupLimits } = await loadConfig(w.cwd, w.env);
      return `${backupLimits.maxAgeDays} days, ${backupLimits.maxTotalMb} MB`;
    } catch (error) {
      if (error instanceof ConfigError) return error.problem;
      throw error;
    }
  });
});

describe('pruning keeps the backups within their limits, oldest first', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  /** A backup directory with records of the given ages (days) and sizes (MB), oldest first. */
  const withBackups = (backups: [ageDays: number, mb: number][]) => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-prune-')));
    const env = { HOME: root, XDG_DATA_HOME: join(root, 'share') };
    const dir = join(root, 'share', 'chaperone', 'backups');
    const records = backups.map(([age, mb], i) => {
      const id = `b${i}`;
      mkdirSync(join(dir, id), { recursive: true });
      writeFileSync(join(dir, id, 'dump.pgc'), '');
      const time = new Date(now.getTime() - age * 86_400_000).toISOString();
      return { id, time, file: join(dir, id, 'dump.pgc'), bytes: mb * 1024 * 1024, scope: { kind: 'nothing' }, connection: [], entries: 1 };
    });
    writeFileSync(join(dir, 'index.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return { env, dir };
  };
  table((c) => JSON.stringify(c), [
    [{ backups: [[40, 1], [10, 1], [0, 1]], limits: [30, 100], keep: 'b2' }, 'removed b0; kept b1 b2'],
    [{ backups: [[3, 60], [2, 30], [0, 30]], limits: [30, 100], keep: 'b2' }, 'removed b0; kept b1 b2'],
    [{ backups: [[3, 60], [2, 30], [0, 200]], limits: [30, 100], keep: 'b2' }, 'removed b0 b1; kept b2'],
    [{ backups: [[1, 1], [0, 1]], limits: [30, 100], keep: 'b1' }, 'removed nothing; kept b0 b1'],
  ], ({ backups, limits, keep }) => {
    const { env, dir } = withBackups(backups as [number, number][]);
    const removed = pruneBackups(env, { maxAgeDays: limits[0], maxTotalMb: limits[1] }, keep, now);
    const kept = listBackups(env).map((r) => r.id);
    for (const id of removed) expect(existsSync(join(dir, id))).toBe(false);
    for (const id of kept) expect(existsSync(join(dir, id))).toBe(true);
    return `removed ${removed.sort().join(' ') || 'nothing'}; kept ${kept.join(' ')}`;
  });
});
