// Under harden a locked file's group follows what it is (src/harden/scripts.ts): a binary the tools'
// group, a script the scripts' group, which is all a running script tool holds. These run as any user;
// test/e2e/harden.test.ts and harden-system.test.ts try it as a real second user.

import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockGroupOf, scriptDoctor, scriptsGroupName } from '../../src/harden/scripts.js';
import type { HardenState } from '../../src/harden/system.js';
import { table } from '../helpers/cases.js';

const dir = mkdtempSync(join(tmpdir(), 'chaperone-harden-scripts-'));
const file = (name: string, bytes: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  chmodSync(path, 0o755);
  return path;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('which group a locked file gets', () => {
  table(
    ([name]) => name,
    [
      [['an ELF binary', file('psql', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))], 'tools'],
      [['a Python entry script', file('aws', '#!/usr/bin/python3\nimport awscli\n')], 'scripts'],
      [['a sh wrapper', file('gcloud', '#!/bin/sh -e\nexec python3 "$0.py"\n')], 'scripts'],
      [['an npm entry', file('heroku', '#!/usr/bin/env node\nrequire("../lib")\n')], 'scripts'],
      [['a file with ELF later on', file('odd', '#!/bin/sh\n\x7fELF\n')], 'scripts'],
      [['a file shorter than the magic', file('short', '\x7fE')], 'scripts'],
    ] as [[string, string], 'tools' | 'scripts'][],
    ([, path]) => lockGroupOf(path),
  );
  it('an unreadable or missing file is never taken for a binary', () => {
    expect(lockGroupOf(join(dir, 'missing'))).toBe('scripts');
  });
  it('the scripts group is named after the runner group', () => {
    expect(scriptsGroupName('chaperone')).toBe('chaperone-scripts');
  });
});

describe('doctor --strict on the scripts group', () => {
  const state = (extra: Partial<HardenState>): HardenState =>
    ({ group: 'chaperone', gid: 990, toolsGroup: 'chaperone-tools', toolsGid: 991, script: join(dir, 'missing-chaperone-script'), ...extra }) as HardenState;
  const failures = (s: HardenState) => scriptDoctor(s).filter((l) => !l.ok).map((l) => l.text);

  it('a state from before the scripts group fails: its chaperone-script gives script tools the tools group', () => {
    expect(failures(state({}))).toEqual([expect.stringContaining('predates the scripts\' group')]);
  });
  it('a scripts group that shares a gid with the tools or the runner group fails', () => {
    for (const gid of [990, 991]) {
      expect(failures(state({ scriptsGroup: 'chaperone-scripts', scriptsGid: gid }))).toContainEqual(expect.stringContaining('has the gid of'));
    }
  });
  it('a missing chaperone-script fails, naming it', () => {
    expect(failures(state({ scriptsGroup: 'chaperone-scripts', scriptsGid: 992 }))).toEqual([`${join(dir, 'missing-chaperone-script')} is missing: it must be root:chaperone-scripts 2755; run \`chaperone harden\` again`]);
  });
});
