// The lock, the approval store and the audit log under concurrent writers: separate processes (the
// way shims race) append to one chain and change one store at once, and nothing is lost, doubled or
// left unverifiable. The lock lets go only of its own file; the audit head is rewritten in place
// without following a link an agent put there.

import { buildSync } from 'esbuild';
import { execa } from 'execa';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendRecordAt, verifyLog } from '../../src/audit/log.js';
import { withLock } from '../../src/lock.js';
import { sandboxRoots } from '../helpers/sandbox.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
let worker: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chaperone-state-'));
  sandboxRoots.push(dir);
  return dir;
}

beforeAll(() => {
  const dir = tempDir();
  const entry = join(dir, 'worker.ts');
  writeFileSync(
    entry,
    [
      `import { readFileSync, writeFileSync } from 'node:fs';`,
      `import { withLock } from ${JSON.stringify(join(src, 'lock.ts'))};`,
      `import { appendRecordAt } from ${JSON.stringify(join(src, 'audit/log.ts'))};`,
      `import { takeOrRequestApprovalAt } from ${JSON.stringify(join(src, 'approval/store.ts'))};`,
      `const [mode, state, times, id] = process.argv.slice(2);`,
      `const details = () => ({ command: 'railway volume delete', cwd: '/', rules: ['r'], environment: { class: 'production', evidence: [] }, confirmWord: 'production' });`,
      `let n = 0;`,
      `const code = () => \`\${id}\${String(++n).padStart(2, '0')}-\${Math.random().toString(36).slice(2, 5).toUpperCase()}\`;`,
      `for (let i = 0; i < Number(times); i++) {`,
      `  if (mode === 'counter') withLock(state + '/counter.lock', () => writeFileSync(state + '/counter', String(Number(readFileSync(state + '/counter', 'utf8')) + 1)));`,
      `  if (mode === 'audit') appendRecordAt(state + '/audit.jsonl', state + '/audit.head', { worker: id, i });`,
      `  if (mode === 'store') takeOrRequestApprovalAt(state + '/approvals.json', {}, \`\${id}-\${i}\`, details, code);`,
      `}`,
    ].join('\n'),
  );
  worker = join(dir, 'worker.mjs');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: worker, logLevel: 'error' });
});

const run = (mode: string, state: string, times: number, id: string) => execa(process.execPath, [worker, mode, state, String(times), id]);

describe('concurrent writers', () => {
  it('a counter behind the lock loses no increment', async () => {
    const state = tempDir();
    writeFileSync(join(state, 'counter'), '0');
    await Promise.all(['A', 'B', 'C', 'D'].map((id) => run('counter', state, 40, id)));
    expect(readFileSync(join(state, 'counter'), 'utf8')).toBe('160');
  });

  it('audit records appended by four processes at once form one chain that verifies, and store requests made meanwhile are all kept', async () => {
    const state = join(tempDir(), 'not-yet', 'chaperone');
    await Promise.all([...['A', 'B', 'C'].map((id) => run('audit', state, 40, id)), ...['D', 'E'].map((id) => run('store', state, 25, id))]);
    // The state directory was made, for the owner only.
    expect(statSync(state).mode & 0o777).toBe(0o700);
    const text = readFileSync(join(state, 'audit.jsonl'), 'utf8');
    const records = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    for (const id of ['A', 'B', 'C']) expect(records.filter((r) => r.worker === id).map((r) => r.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(verifyLog(text, readFileSync(join(state, 'audit.head'), 'utf8'))).toEqual({ records: 120, unchained: 0, problems: [] });
    const approvals = JSON.parse(readFileSync(join(state, 'approvals.json'), 'utf8')).approvals as { binding: string; code: string }[];
    expect(approvals.map((r) => r.binding).sort()).toEqual([...['D', 'E'].flatMap((id) => Array.from({ length: 25 }, (_, i) => `${id}-${i}`))].sort());
    expect(new Set(approvals.map((r) => r.code)).size).toBe(50);
    // No lock and no temporary file is left behind.
    expect(() => lstatSync(join(state, 'audit.jsonl.lock'))).toThrow();
    expect(() => lstatSync(join(state, 'approvals.json.lock'))).toThrow();
  }, 60_000);
});

describe('the lock', () => {
  it('lets go only of its own file: a lock another process took meanwhile stays', () => {
    const dir = tempDir();
    const lock = join(dir, 'x.lock');
    withLock(lock, () => {
      expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
      // Taken aside as stale, and taken by another process.
      unlinkSync(lock);
      writeFileSync(lock, '424242');
    });
    expect(readFileSync(lock, 'utf8')).toBe('424242');
  });

  it('lets go of its file when the work throws, and makes a missing directory', () => {
    const lock = join(tempDir(), 'a', 'b', 'x.lock');
    expect(() => withLock(lock, () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(() => lstatSync(lock)).toThrow();
    expect(statSync(join(lock, '..')).mode & 0o777).toBe(0o700);
  });
});

describe('the audit head', () => {
  const chain = () => {
    const state = tempDir();
    const [log, head] = [join(state, 'audit.jsonl'), join(state, 'audit.head')];
    for (let i = 0; i < 3; i++) appendRecordAt(log, head, { i });
    return { state, log, head, verify: () => verifyLog(readFileSync(log, 'utf8'), readFileSync(head, 'utf8')) };
  };

  it('is rewritten in place, at one width, and still read as JSON', () => {
    const { log, head, verify } = chain();
    const inode = statSync(head).ino;
    appendRecordAt(log, head, { i: 3 });
    expect(statSync(head).ino).toBe(inode);
    const text = readFileSync(head, 'utf8');
    expect(text.length).toBe(160);
    expect(JSON.parse(text)).toMatchObject({ seq: 4, size: statSync(log).size });
    expect(verify().problems).toEqual([]);
  });

  it('replaces a longer head (an older or edited one) without leaving its tail', () => {
    const { log, head, verify } = chain();
    writeFileSync(head, `${JSON.stringify({ seq: 3, hash: 'x', size: 1 })}${' '.repeat(300)}\n`);
    appendRecordAt(log, head, { i: 3 });
    expect(readFileSync(head, 'utf8').length).toBe(160);
    expect(verify().problems).toEqual([]);
  });

  it('does not write through a symbolic or hard link put in its place: the link is replaced', () => {
    for (const kind of ['symlink', 'hardlink'] as const) {
      const { state, log, head, verify } = chain();
      const victim = join(state, 'victim');
      writeFileSync(victim, 'keep me\n');
      unlinkSync(head);
      if (kind === 'symlink') symlinkSync(victim, head);
      else linkSync(victim, head);
      appendRecordAt(log, head, { i: 3 });
      expect(readFileSync(victim, 'utf8'), kind).toBe('keep me\n');
      expect(lstatSync(head).isSymbolicLink()).toBe(false);
      expect(statSync(head).nlink).toBe(1);
      expect(verify().problems, kind).toEqual([]);
    }
  });

  it('a head a crash left torn is read past: the next record links to the last line, and the chain verifies again', () => {
    const { log, head, verify } = chain();
    writeFileSync(head, '{"seq":3,"ha');
    expect(verify().problems).toEqual([{ line: 3, problem: 'audit.head is not readable: edited' }]);
    appendRecordAt(log, head, { i: 3 });
    expect(verify()).toEqual({ records: 4, unchained: 0, problems: [] });
  });

  it('a directory in the head\'s place stops the append (fail closed for what must be recorded)', () => {
    const { log, head } = chain();
    unlinkSync(head);
    mkdirSync(head);
    expect(() => appendRecordAt(log, head, { i: 3 })).toThrow(/audit log cannot be written/);
  });
});
