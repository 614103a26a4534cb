// SQL piped into the mysql/mariadb client: read ahead and judged before the client starts, and past
// the read-ahead judged statement by statement as it streams, with the client's own splitter. A
// recording double stands in for the client.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('mysql-stdin.test.ts');

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['mysql', 'mariadb']);
  sb.double('mysql', { stdout: 'mysql ran\n' });
  sb.double('mariadb', { stdout: 'mariadb ran\n' });
});

const prod = ['--no-defaults', '-h', 'db.prod.example', 'shop'];
const dev = ['--no-defaults', '-h', '127.0.0.1', 'shop_dev'];
const env = { CHAPERONE_READ_AHEAD_BYTES: '1024', CHAPERONE_ACTOR: 'agent' };
/**
 * A statement held past the read-ahead stops the tool's input, but the tool was exec'd by the shim (a
 * feeder beside it judges the stream, src/shim/feed.ts): the caller gets the tool's own status, the
 * double's 0 here, and the stop message says what happened.
 */
const midStream = 0;
const inserts = (n: number) => Array.from({ length: n }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i}; DROP TABLE t');\n`).join('');

describe('a pipe longer than the read-ahead (CHAPERONE_READ_AHEAD_BYTES=1024)', () => {
  for (const tool of ['mysql', 'mariadb']) {
    it(`${tool}: stops before a DROP far into the stream; the client gets every statement before it and nothing after`, async () => {
      const before = inserts(300);
      const script = `${before}DROP TABLE orders;\n${inserts(5)}`;
      const result = await sb.run(tool, prod, { input: script, env });
      expect(result.exitCode).toBe(midStream);
      expect(result.stderr).toContain('mysql.sql.drop');
      expect(result.stderr).toContain(`chaperone: stopped ${tool}'s input before statement 301 (DROP TABLE orders)`);
      expect(result.stderr).toContain(`the 300 statement(s) before it were sent to ${tool} and may have run`);
      expect(sb.record(tool)!.stdin.toString()).toBe(before);
    });
  }

  it('never sends the start of a held statement that spans lines (the client would run it at end of input)', async () => {
    const before = inserts(100);
    const script = `${before}SELECT 1; DELETE\nFROM orders\n;\n${inserts(5)}`;
    const result = await sb.run('mysql', prod, { input: script, env });
    expect(result.exitCode).toBe(midStream);
    expect(result.stderr).toContain('mysql.sql.delete-all');
    expect(sb.record('mysql')!.stdin.toString()).toBe(before);
  });

  it('follows DELIMITER, executable comments and source across the stream', async () => {
    writeFileSync(join(sb.root, 'wipe.sql'), 'TRUNCATE orders;\n');
    const tails: [string, string][] = [
      ['DELIMITER //\nSELECT 1; //\n', '/*!50001 DROP TABLE orders */ //\n'],
      ['', `source ${join(sb.root, 'wipe.sql')}\n`],
      ['SELECT 1 \\g\n', '/*M!100000 TRUNCATE orders */;\n'],
      ['SELECT 1;\n', 'SET sql_log_bin = 0;\n'],
    ];
    for (const [benign, held] of tails) {
      const before = `${inserts(100)}${benign}`;
      const result = await sb.run('mysql', prod, { input: `${before}${held}SELECT 2;\n`, env });
      expect(result.exitCode, held).toBe(midStream);
      expect(sb.record('mysql')!.stdin.toString(), held).toBe(before);
    }
  });

  it('judges what follows `use` in the stream against the database it names', async () => {
    const script = `${inserts(100)}use shop_prod\nDROP TABLE orders;\n`;
    const result = await sb.run('mysql', dev, { input: script, env });
    expect(result.exitCode).toBe(midStream);
    expect(result.stderr).toContain('mysql.sql.drop');
    expect(result.stderr).toContain('shop_prod');
    // The same DROP in the development database it started on runs, with a notice.
    const allowed = await sb.run('mysql', dev, { input: `${inserts(100)}DROP TABLE scratch;\n`, env });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toContain('mysql.sql.drop in shop_dev (development): allowed');
  });

  it('passes a long benign stream through byte for byte', async () => {
    const script = Buffer.concat([Buffer.from(`${inserts(200)}INSERT INTO t VALUES ('`), Buffer.from([0xff, 0xfe]), Buffer.from("');\nSELECT 'ü' # DROP TABLE t;\n-- TRUNCATE t;\n"), Buffer.from(inserts(200))]);
    const result = await sb.run('mysql', prod, { input: script, env });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(sb.record('mysql')!.stdin.equals(script)).toBe(true);
  });

  it('passes everything after \\q untouched: the client reads no more', async () => {
    const script = `${inserts(100)}\\q\nDROP TABLE orders;\n`;
    const result = await sb.run('mysql', prod, { input: script, env });
    expect(result.exitCode).toBe(0);
    expect(sb.record('mysql')!.stdin.toString()).toBe(script);
  });
});

describe('who judges a mysql stream past the read-ahead (issue 13)', () => {
  it('the client is exec\'d as the shim\'s own pid, held or not; a hold leaves it its own status', async () => {
    writeFileSync(join(sb.doubles, 'mysql'), `#!/bin/sh\necho $$ > "$RECORDS/pid"\nps -o args= -p $PPID > "$RECORDS/parent"\ncat > "$RECORDS/stdin"\nexit 4\n`);
    chmodSync(join(sb.doubles, 'mysql'), 0o755);
    const before = inserts(200);
    for (const script of [before, `${before}DROP TABLE orders;\n${inserts(3)}`]) {
      const child = sb.run('mysql', prod, { input: script, env });
      const result = await child;
      expect(result.exitCode).toBe(4);
      expect(readFileSync(join(sb.records, 'pid'), 'utf8').trim()).toBe(String(child.pid));
      expect(readFileSync(join(sb.records, 'parent'), 'utf8')).not.toContain('shim.cjs');
      const held = script.includes('orders');
      expect(readFileSync(join(sb.records, 'stdin'), 'utf8')).toBe(before);
      if (held) expect(result.stderr).toContain("chaperone: stopped mysql's input before statement 201 (DROP TABLE orders)");
      else expect(result.stderr).toBe('');
    }
  });
});

describe.skipIf(!haveTmux)('a human confirms a mysql statement past the read-ahead at a real terminal (tmux)', () => {
  const terminals = new Terminals();
  afterAll(() => terminals.close());
  const before = inserts(200);
  const script = `${before}DROP TABLE orders;\n${inserts(3)}`;

  it.each([
    ['shop', 'confirmed'],
    ['no', 'aborted'],
  ])('typing %j at the feeder\'s prompt: the audit log says %s', async (typed, outcome) => {
    const file = join(sb.root, 'script.sql');
    writeFileSync(file, script);
    const term = terminals.open(sb, `cat '${file}' | mysql ${prod.join(' ')}`, { extraEnv: { CHAPERONE_READ_AHEAD_BYTES: '1024' } });
    try {
      const prompt = await term.waitFor('Type shop to run it');
      expect(prompt).toContain('mysql.sql.drop');
      term.type(typed);
      term.press('Enter');
      const { code, screen } = await term.exit();
      expect(screen).toContain('TTY=icanon echo');
      expect(code).toBe(0); // the client's own status: it was exec'd
      const audit = readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).outcome as string);
      expect(audit).toEqual([outcome]);
      if (outcome === 'confirmed') {
        expect(sb.record('mysql')!.stdin.toString()).toBe(script);
      } else {
        expect(screen).toContain("chaperone: stopped mysql's input before statement 201 (DROP TABLE orders)");
        expect(sb.record('mysql')!.stdin.toString()).toBe(before);
      }
    } finally {
      terminals.closeSessions();
    }
  });
});
