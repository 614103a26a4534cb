// A covered tool by another name: in a line, a command word whose file is a covered tool's real binary
// (the same inode, a symlink, a byte-identical copy), a covered npm package's file, or a file an earlier
// command of the line made from one, is that tool. The "real binaries" here are files written by the
// test into a directory on PATH behind a directory of shims, as an install would have them.

import { chmodSync, copyFileSync, linkSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeLine } from '../../src/shell/analyze.js';
import { checkWithEvaluations } from '../../src/cli/check.js';
import { table } from '../helpers/cases.js';
import { emptyHome } from '../helpers/evaluate.js';

const root = join(emptyHome, 'identity');
const shims = join(root, 'shims');
const real = join(root, 'usr', 'bin');
const work = join(root, 'work');
const home = join(root, 'home');
const env = { HOME: home, PATH: `${shims}:${real}:${join(home, 'bin')}` };

function write(path: string, text: string, mode = 0o755): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

beforeAll(() => {
  for (const tool of ['psql', 'aws', 'git']) write(join(shims, tool), `#!/bin/sh\n# chaperone-shim: ${tool}\n`);
  // Real binaries: each its own bytes. dropdb and createdb are one dispatcher (like pg_wrapper).
  write(join(real, 'psql'), `\x7fELF\0psql ${'p'.repeat(5000)}`);
  write(join(real, 'aws'), `#!/usr/bin/python3\n# aws ${'a'.repeat(3000)}`);
  write(join(real, 'git'), `\x7fELF\0git ${'g'.repeat(7000)}`);
  write(join(real, 'dropdb'), `\x7fELF\0pg_wrapper ${'w'.repeat(4000)}`);
  linkSync(join(real, 'dropdb'), join(real, 'pg_restore'));
  linkSync(join(real, 'dropdb'), join(real, 'createdb'));
  write(join(real, 'echo'), 'not a tool');
  mkdirSync(work, { recursive: true });
  mkdirSync(join(home, 'bin'), { recursive: true });
  // Copies made before the line.
  copyFileSync(join(real, 'psql'), join(work, 'pq'));
  chmodSync(join(work, 'pq'), 0o755);
  linkSync(join(real, 'psql'), join(work, 'hard'));
  symlinkSync(join(real, 'psql'), join(work, 'soft'));
  write(join(work, 'almost'), `\x7fELF\0psql ${'p'.repeat(4999)}q`);
  copyFileSync(join(real, 'psql'), join(home, 'bin', 'pgq'));
  symlinkSync(join(real, 'git'), join(work, 'git-push'));
  write(join(work, 'node_modules', '@railway', 'cli', 'bin', 'railway.js'), '#!/usr/bin/env node\n');
  write(join(work, 'node_modules', '@railway', 'cli', 'bin', 'railway'), '\x7fELF railway');
  write(join(work, 'node_modules', '@railway', 'cli', 'README.md'), 'docs', 0o644);
  write(join(work, 'node_modules', 'vercel', 'dist', 'vc.js'), '// vercel');
  // pyenv-style shims: one script under many names, aws among them.
  for (const name of ['aws', 'python3', 'pip']) write(join(root, 'pyenv', name), '#!/usr/bin/env bash\nexec pyenv exec "${0##*/}" "$@"\n');
});

/** The argv[0] of each command the line runs, space-separated. */
const names = (line: string) =>
  analyzeLine(line, { cwd: work, env })
    .commands.map((c) => c.argv.slice(0, c.argv[0] === 'git' ? 2 : 1).join(' '))
    .join(' ; ');

describe('a command word is the covered tool its file is', () => {
  table((line) => line, [
    // by name, as the shims see it
    ["psql -c 'drop table t'", 'psql'],
    ["/opt/pg/bin/psql -c 'drop table t'", 'psql'],
    ["PATH=/usr/bin psql -c 'drop table t'", 'psql'],
    ["env PATH=/usr/bin psql -c 'drop table t'", 'psql'],
    // by identity: same inode, a symlink, a byte-identical copy, by path or through PATH
    ["./hard -c 'drop table t'", 'psql'],
    ["./soft -c 'drop table t'", 'psql'],
    ["./pq -c 'drop table t'", 'psql'],
    [`${join(work, 'pq')} -c 'drop table t'`, 'psql'],
    ["pgq -c 'drop table t'", 'psql'],
    ["PATH=.:$PATH pq -c 'drop table t'", 'psql'],
    ['./git-push --force origin main', 'git push'],
    // not the tool: one byte differs, a dispatcher called by another name, no such file, a remote line
    ["./almost -c 'drop table t'", './almost'],
    [`${join(real, 'createdb')} shop`, `${join(real, 'createdb')}`],
    ['createdb shop', 'createdb'],
    ["./missing -c 'drop table t'", './missing'],
    ['pq -c x', 'pq'],
    ['echo hi', 'echo'],
    // files of covered npm packages, and interpreters running them
    ['./node_modules/@railway/cli/bin/railway volume delete', 'railway'],
    ['node node_modules/@railway/cli/bin/railway.js volume delete', 'railway'],
    ['node --no-warnings ./node_modules/@railway/cli/bin/railway.js down', 'railway'],
    ['node node_modules/vercel/dist/vc.js rm my-app', 'vercel'],
    ['cat node_modules/@railway/cli/README.md', 'cat'],
    ['python3 -m awscli s3 rb s3://bucket', 'aws'],
    ['python3 -u -m awscli s3 rb s3://bucket', 'aws'],
    ['python3 /usr/bin/aws s3 rb s3://bucket', 'aws'],
    ['python3 -m http.server', 'python3'],
    // made earlier in the same line
    ["cp \"$(command -v psql)\" /tmp/p && /tmp/p -c 'drop table t'", 'command ; cp ; psql'],
    ["cp $(which psql) /tmp/p; /tmp/p -c 'drop table t'", 'which ; cp ; psql'],
    ["ln -s /usr/bin/psql ./q; ./q -c 'drop table t'", 'ln ; psql'],
    ["ln -sf /usr/bin/psql q && ./q -c 'drop table t'", 'ln ; psql'],
    ["ln -s /usr/bin/psql && mv psql q2 && ./q2 -c 'drop table t'", 'ln ; mv ; psql'],
    [`install -m755 "$(command -v psql)" ${join(home, 'bin')}/pp && pp -c 'drop table t'`, 'command ; install ; psql'],
    [`cp ${join(work, 'pq')} /tmp/dir/ && /tmp/dir/pq -c 'drop table t'`, 'cp ; psql'],
    ["cp -t /tmp/d ./soft && /tmp/d/soft -c 'drop table t'", 'cp ; psql'],
    ["cp /usr/bin/echo /tmp/e && /tmp/e hi", 'cp'],
  ], names);

  it('takes a file many commands share (pyenv shims, pg_wrapper) by the name it is called by', () => {
    const pyenv = { HOME: home, PATH: `${shims}:${join(root, 'pyenv')}:${real}` };
    const first = (line: string) => analyzeLine(line, { cwd: work, env: pyenv }).commands.map((c) => c.argv[0]);
    expect(first('python3 y.py; pip install x; aws s3 ls')).toEqual(['python3', 'pip', 'aws']);
    expect(first(`cp ${join(root, 'pyenv', 'pip')} ./p && ./p list`)).not.toContain('aws');
  });

  it('finds the real binaries however PATH names their directories (twice, through a link, a big binary)', () => {
    // /bin and /usr/bin on a merged /usr: one directory under two names, looked in once.
    const twice = join(root, 'twice');
    mkdirSync(twice, { recursive: true });
    symlinkSync(real, join(twice, 'bin'));
    symlinkSync(shims, join(twice, 'shims'));
    // A real binary larger than any shim is taken without being opened for the shim marker.
    const big = join(root, 'big');
    write(join(big, 'kubectl'), `\x7fELF\0kubectl ${'k'.repeat(300 * 1024)}`);
    copyFileSync(join(big, 'kubectl'), join(work, 'kc'));
    // A directory too large to list (a /usr/bin) is asked name by name.
    for (let i = 0; i < 400; i++) writeFileSync(join(big, `filler-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`), '');
    expect(statSync(big).size).toBeGreaterThan(4096);
    chmodSync(join(work, 'kc'), 0o755);
    const paths = [
      `${shims}:${join(twice, 'shims')}:${join(twice, 'bin')}:${real}:${big}`,
      `${join(twice, 'shims')}:${shims}:${real}:${join(twice, 'bin')}:${shims}:${big}`,
      `${root}/nowhere:${join(real, 'psql')}:${shims}:${real}:${big}`,
    ];
    for (const PATH of paths) {
      const first = (line: string) => analyzeLine(line, { cwd: work, env: { HOME: home, PATH } }).commands.map((c) => c.argv[0]);
      expect(first("./pq -c 'drop table t'; ./hard -c x; ./soft -c x")).toEqual(['psql', 'psql', 'psql']);
      expect(first('./kc delete ns prod')).toEqual(['kubectl']);
      expect(first('./almost -c x; ls')).toEqual(['./almost', 'ls']);
      // A word through a file as if it were a directory names nothing (ENOTDIR), as in the shell.
      expect(first('./pq/x -c x; pq/x')).toEqual(['./pq/x', 'pq/x']);
    }
  });

  it('asks again after the line makes a file: a word seen before the copy is seen anew after it', () => {
    const first = (line: string) => analyzeLine(line, { cwd: work, env }).commands.map((c) => c.argv[0]);
    expect(first("/tmp/late -c x; cp ./pq /tmp/late && /tmp/late -c 'drop table t'")).toEqual(['/tmp/late', 'cp', 'psql']);
  });

  it('says how the word was seen as the tool', () => {
    const [command] = analyzeLine("./pq -c 'drop table t'", { cwd: work, env }).commands;
    expect(command.via).toEqual(['./pq is psql']);
    expect(command.argv).toEqual(['psql', '-c', 'drop table t']);
  });

  it('reads no file for a line that runs on another machine', () => {
    expect(analyzeLine("./pq -c 'drop table t'", { cwd: work, env, remote: true }).commands.map((c) => c.argv[0])).not.toContain('psql');
  });

  it('judges the copy as the tool: an agent is refused, and the report names the copy', async () => {
    const { report } = await checkWithEvaluations({ line: "cp \"$(command -v psql)\" /tmp/p && /tmp/p -h db.prod.example -c 'drop table t'", cwd: work, env, actor: 'agent' });
    expect(report.decision).toBe('deny');
    const psql = report.commands.find((c) => c.tool === 'psql')!;
    expect(psql.findings.map((f) => f.rule)).toEqual(['psql.sql.drop']);
    expect(psql.via).toEqual(['/tmp/p is psql']);
    const benign = await checkWithEvaluations({ line: "./pq -h localhost -c 'select 1'", cwd: work, env, actor: 'agent' });
    expect(benign.report.decision).toBe('allow');
  });
});
