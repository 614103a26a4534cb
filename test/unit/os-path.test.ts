// resolvePath: a path as the kernel resolves it. A `..` after a directory link is the parent of the
// link's target (kubectl, psql, git and the kernel all open it so), not the text's parent. Table tests
// on real links, and a property test: for random paths through links, `..`, `.` and missing names, the
// file resolvePath names is the file the kernel opens (same device and inode), or neither opens.

import { mkdirSync, mkdtempSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolvePath } from '../../src/context/os-path.js';
import { ancestors } from '../../src/context/files.js';
import { random } from '../helpers/random.js';

let root: string;
beforeAll(() => {
  // root/
  //   dev-config            (a harmless file next to the link)
  //   dirlink -> srv/prod/kube
  //   srv/prod/dev-config   (what `dirlink/../dev-config` really is)
  //   srv/prod/kube/config
  //   abslink -> ROOT/srv/prod (absolute target)
  //   filelink -> dev-config
  root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-os-path-')));
  mkdirSync(join(root, 'srv', 'prod', 'kube'), { recursive: true });
  writeFileSync(join(root, 'dev-config'), 'dev\n');
  writeFileSync(join(root, 'srv', 'prod', 'dev-config'), 'prod\n');
  writeFileSync(join(root, 'srv', 'prod', 'kube', 'config'), 'kube\n');
  symlinkSync('srv/prod/kube', join(root, 'dirlink'));
  symlinkSync(join(root, 'srv', 'prod'), join(root, 'abslink'));
  symlinkSync('dev-config', join(root, 'filelink'));
  symlinkSync('loop', join(root, 'loop'));
});

describe('resolvePath', () => {
  it.each([
    // [relative to root, expected relative to root (null: as written, the kernel cannot resolve it)]
    ['dev-config', 'dev-config'],
    ['./dev-config', 'dev-config'],
    ['dirlink/config', 'dirlink/config'], // no `..`: the text, which the kernel follows on open
    ['dirlink/../dev-config', 'srv/prod/dev-config'],
    ['dirlink/./../dev-config', 'srv/prod/dev-config'],
    ['dirlink/../kube/../dev-config', 'srv/prod/dev-config'],
    ['dirlink/../../../dev-config', 'dev-config'],
    ['abslink/kube/../../prod/dev-config', 'srv/prod/dev-config'],
    ['srv/prod/../../dev-config', 'dev-config'],
    ['missing/../dev-config', null],
    ['dev-config/.', null],
    ['dev-config/', null],
    ['dirlink/.', 'srv/prod/kube'],
    ['dev-config/../dev-config', null], // a file where a directory is needed: ENOTDIR
    ['filelink/../dev-config', null],
    ['loop/../dev-config', null],
  ])('%s', (path, expected) => {
    const got = resolvePath(root, path);
    expect(got).toBe(expected === null ? `${root}/${path}` : join(root, expected));
  });

  it('takes path.resolve arguments: later absolute paths win, empty ones are skipped', () => {
    expect(resolvePath('/x', '', `${root}/dirlink`, '../dev-config')).toBe(join(root, 'srv/prod/dev-config'));
    expect(resolvePath(root, 'a', 'b')).toBe(resolve(root, 'a', 'b'));
    expect(resolvePath(root)).toBe(root);
  });

  it('starts a walk up from the directory the kernel is in, not the text', () => {
    expect(ancestors(join(root, 'dirlink')).slice(0, 3)).toEqual([join(root, 'srv/prod/kube'), join(root, 'srv/prod'), join(root, 'srv')]);
    expect(ancestors(join(root, 'missing')).slice(0, 2)).toEqual([join(root, 'missing'), root]);
  });

  it('names the file the kernel opens, for random paths through links and `..` (property)', () => {
    const names = ['', 'dirlink', 'abslink', 'filelink', 'srv', 'prod', 'kube', 'missing', '..', '..', '.', 'dev-config', 'config', 'loop'];
    const identity = (path: string): string | undefined => {
      try {
        const s = statSync(path);
        return `${s.dev}:${s.ino}`;
      } catch {
        return undefined;
      }
    };
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed);
      const parts = Array.from({ length: 1 + Math.floor(next() * 6) }, () => names[Math.floor(next() * names.length)]);
      if (parts[0] === '') parts[0] = '.'; // relative, as a variable's entry would be
      const path = parts.join('/');
      // The kernel's answer: stat through the text as written (no normalising on the way).
      const kernel = identity(`${root}/${path}`);
      const ours = identity(resolvePath(root, path));
      expect(ours, `seed ${seed}: ${path}`).toBe(kernel);
    }
  });
});
