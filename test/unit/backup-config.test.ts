// `backup-before-destroy`: which classes back up a confirmed destroy first. The user's list replaces the
// built-in one; a project file may only add classes; and an evaluation says when a backup is due.

import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    [{}, ''],
    [{ user: 'backup-before-destroy: [production, unknown]\n' }, 'production unknown'],
    [{ user: 'backup-before-destroy: [production]\n', project: 'backup-before-destroy: [staging]\n' }, 'production staging'],
    [{ user: 'backup-before-destroy: [production]\n', project: 'backup-before-destroy: []\n' }, 'production'],
    [{ project: 'backup-before-destroy: [production]\n' }, 'production'],
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
    return ev.backup === true;
  });
});
