// firebase: which command lines the built-in rules gate, and which project they reach (--project, the
// project `firebase use` chose, .firebaserc aliases).

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, rulesOf, words } from '../helpers/evaluate.js';
import { evaluate } from '../../src/evaluate.js';

describe('firebase command lines against the built-in rules', () => {
  table((line) => line, [
    ['firebase firestore:delete --all-collections -f', 'firebase.firestore.delete'],
    ['firebase firestore:delete users -r --force', 'firebase.firestore.delete'],
    ['firebase firestore:delete users/alice -P prod', 'firebase.firestore.delete'],
    ['firebase firestore:databases:delete shop --force', 'firebase.firestore.database.delete'],
    ['firebase firestore:backups:delete projects/p/locations/l/backups/b', 'firebase.firestore.backup.delete'],
    ['firebase firestore:databases:update shop --point-in-time-recovery DISABLED', 'firebase.firestore.pitr.off'],
    ['firebase firestore:databases:update shop --delete-protection=disabled', 'firebase.firestore.delete-protection.off'],
    ['firebase database:remove / -f', 'firebase.database.remove'],
    ['firebase database:remove /users --instance shop-default-rtdb', 'firebase.database.remove'],
    ['firebase database:set / empty.json -f', 'firebase.database.remove'],
    ['firebase hosting:disable -f', 'firebase.hosting.disable'],
    ['firebase hosting:channel:delete preview-1', 'firebase.hosting.disable'],
    ['firebase hosting:sites:delete shop-site', 'firebase.hosting.delete'],
    ['firebase apphosting:backends:delete web', 'firebase.hosting.delete'],
    ['firebase functions:delete sendMail --region us-central1 -f', 'firebase.functions.delete'],
    // never gated
    ['firebase firestore:delete --all-collections --help', ''],
    ['firebase firestore:delete -h', ''],
    ['firebase help firestore:delete', ''],
    ['firebase --version', ''],
    ['firebase firestore:indexes', ''],
    ['firebase firestore:databases:update shop --point-in-time-recovery ENABLED', ''],
    ['firebase database:get /users', ''],
    ['firebase deploy --only hosting', ''],
    ['firebase use prod', ''],
    ['firebase projects:list', ''],
  ], (line) => rulesOf(line));
});

const project = join(emptyHome, 'firebase-project');
const config = join(emptyHome, 'firebase-config');

beforeAll(() => {
  mkdirSync(join(project, 'web'), { recursive: true });
  writeFileSync(join(project, 'firebase.json'), '{}');
  writeFileSync(join(project, '.firebaserc'), JSON.stringify({ projects: { default: 'acme-dev', staging: 'acme-stg', prod: 'acme-web' } }));
  mkdirSync(join(config, 'configstore'), { recursive: true });
  writeFileSync(join(config, 'configstore', 'firebase-tools.json'), JSON.stringify({ activeProjects: { [project]: 'prod' } }));
});

interface Case {
  line: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}
const target = async ({ line, cwd = project, env = {} }: Case) => {
  const [tool, ...args] = words(line);
  const t = (await evaluate({ tool, args, cwd, env: { HOME: emptyHome, XDG_CONFIG_HOME: join(emptyHome, 'nowhere'), ...env } }, { alwaysResolve: true, terminal: () => false })).target!;
  return `${t.name ?? '-'} ${t.class}`;
};

describe('firebase target: the project', () => {
  table(({ line, cwd, env }) => `${env?.XDG_CONFIG_HOME ? '(after firebase use prod) ' : ''}${line}${cwd ? ` (in ${cwd.split('/').pop()})` : ''}`, [
    [{ line: 'firebase firestore:delete -r users' }, 'acme-dev development'],
    [{ line: 'firebase firestore:delete -r users', cwd: join(project, 'web') }, 'acme-dev development'],
    [{ line: 'firebase firestore:delete -r users -P staging' }, 'acme-stg staging'],
    [{ line: 'firebase firestore:delete -r users --project=prod' }, 'acme-web production'],
    [{ line: 'firebase firestore:delete -r users --project acme-prod-eu' }, 'acme-prod-eu production'],
    [{ line: 'firebase firestore:delete -r users --project acme-web' }, 'acme-web unknown'],
    // `firebase use prod` wrote activeProjects for this directory
    [{ line: 'firebase firestore:delete -r users', env: { XDG_CONFIG_HOME: config } }, 'acme-web production'],
    [{ line: 'firebase firestore:delete -r users -P default', env: { XDG_CONFIG_HOME: config } }, 'acme-dev development'],
    [{ line: 'firebase firestore:delete -r users', cwd: emptyHome }, '- unknown'],
    [{ line: 'firebase database:remove / --instance shop-prod-rtdb' }, 'acme-dev production'],
    // the emulator variable is not counted: the project decides
    [{ line: 'firebase firestore:delete -r users -P prod', env: { FIRESTORE_EMULATOR_HOST: 'localhost:8080' } }, 'acme-web production'],
  ], target);

  it('names the alias and the file as evidence', async () => {
    const [tool, ...args] = words('firebase firestore:delete -r users');
    const ev = await evaluate({ tool, args, cwd: project, env: { HOME: emptyHome, XDG_CONFIG_HOME: config } }, { alwaysResolve: true, terminal: () => false });
    expect(ev.target!.evidence).toContainEqual({ source: 'file', key: 'projects.prod', value: 'acme-web', file: '~/firebase-project/.firebaserc' });
    expect(ev.target!.evidence[0]).toMatchObject({ source: 'file', value: 'prod' });
  });
});
