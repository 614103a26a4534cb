// SQL piped into psql: read ahead and judged before psql starts, and past the read-ahead judged
// statement by statement as it streams. A recording double stands in for psql.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';

requireTmux('psql-stdin.test.ts');

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['psql']);
  sb.double('psql', { stdout: 'psql ran\n' });
});

const prod = ['-h', 'db.prod.example', 'shop'];
const dev = ['-h', '127.0.0.1', 'shop'];
/**
 * A statement held past the read-ahead stops the tool's input, but the tool was exec'd by the shim (a
 * feeder beside it judges the stream, src/shim/feed.ts): the caller gets the tool's own status, the
 * double's 0 here, and the stop message says what happened.
 */
const midStream = 0;
const inserts = (n: number) => Array.from({ length: n }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i}; DROP TABLE t');\n`).join('');

describe('a pipe that fits the read-ahead', () => {
  it('refuses DROP against production before psql starts', async () => {
    const result = await sb.run('psql', prod, { input: 'SELECT 1;\nDROP TABLE orders;\n' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('psql.sql.drop');
    expect(sb.record('psql')).toBeUndefined();
  });

  it('passes a benign script through byte for byte', async () => {
    const script = Buffer.concat([Buffer.from(inserts(500)), Buffer.from([0xff, 0xfe]), Buffer.from("\nSELECT 'ü';")]);
    const result = await sb.run('psql', prod, { input: script });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('psql')!.stdin.equals(script)).toBe(true);
  });

  it('reads a regular file on stdin without consuming it', async () => {
    const file = join(sb.root, 'drop.sql');
    writeFileSync(file, 'DROP TABLE orders;\n');
    const refused = await sb.sh(`psql -h db.prod.example shop < ${file}`);
    expect(refused.exitCode).toBe(77);
    writeFileSync(file, 'SELECT 1;\n');
    const allowed = await sb.sh(`psql -h db.prod.example shop < ${file}`);
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('psql')!.stdin.toString()).toBe('SELECT 1;\n');
  });
});

describe('a pipe longer than the read-ahead (CHAPERONE_READ_AHEAD_BYTES=1024)', () => {
  const env = { CHAPERONE_READ_AHEAD_BYTES: '1024' };

  it('stops before a DROP far into the stream: psql gets every statement before it and nothing after', async () => {
    const before = inserts(300);
    const script = `${before}DROP TABLE orders;\n${inserts(5)}`;
    const result = await sb.run('psql', prod, { input: script, env });
    expect(result.exitCode).toBe(midStream);
    expect(result.stderr).toContain('chaperone: refused');
    expect(result.stderr).toContain('chaperone: stopped psql\'s input before statement 301 (DROP TABLE orders;)');
    expect(result.stderr).toContain('the 300 statement(s) before it were sent to psql and may have run');
    // Everything up to the `;` of the last statement before the DROP: the newline after it starts the held unit.
    expect(sb.record('psql')!.stdin.toString()).toBe(before.slice(0, -1));
  });

  it('passes a long benign stream through byte for byte, COPY data included', async () => {
    const copy = `COPY t (a, b) FROM stdin;\n${Array.from({ length: 2000 }, (_, i) => `${i}\tDROP TABLE t; '\n`).join('')}\\.\n`;
    const script = `${inserts(200)}${copy}${inserts(200)}`;
    const result = await sb.run('psql', prod, { input: script, env });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('psql')!.stdin.toString()).toBe(script);
  });

  it('lets a DROP through in development, with a notice', async () => {
    const script = `${inserts(100)}DROP TABLE scratch;\n`;
    const result = await sb.run('psql', dev, { input: script, env });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('psql.sql.drop in shop (development): allowed');
    expect(sb.record('psql')!.stdin.toString()).toBe(script);
  });
});

describe('psql scripts at any size and from any source (issue 9)', () => {
  const env = { CHAPERONE_READ_AHEAD_BYTES: '1024', CHAPERONE_ACTOR: 'agent' };

  it('-f /dev/stdin reads the pipe like stdin: a DROP is refused, a benign script passes byte for byte', async () => {
    pathDouble(); // psql opens -f by name; a double that read fd 0 instead would see the end of input late
    const refused = await sb.run('psql', [...prod, '-f', '/dev/stdin'], { input: 'SELECT 1;\nDROP TABLE orders;\n', env: { CHAPERONE_ACTOR: 'agent' } });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('psql.sql.drop');
    expect(sb.record('psql')).toBeUndefined();
    const script = `${inserts(50)}SELECT 'ü';\n`;
    const allowed = await sb.run('psql', [...prod, '-f', '/dev/stdin'], { input: script, env: { CHAPERONE_ACTOR: 'agent' } });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('psql')!.stdin.toString()).toBe(script);
  });

  it('a process substitution is read like stdin: a DROP is refused, a benign one runs byte for byte in production', async () => {
    pathDouble();
    const refused = await sb.run('bash', ['-c', `psql -h db.prod.example shop -f <(printf 'SELECT 1;\\nDROP TABLE orders;\\n')`], { env: { CHAPERONE_ACTOR: 'agent' } });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('psql.sql.drop');
    expect(sb.record('psql')).toBeUndefined();
    const allowed = await sb.run('bash', ['-c', `psql -h db.prod.example shop -f <(echo 'SELECT 1;')`], { env: { CHAPERONE_ACTOR: 'agent' } });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toBe('');
    expect(sb.record('psql')!.argv.at(-1)).toMatch(/^\/dev\/fd\/\d+$/);
    expect(sb.record('psql')!.stdin.toString()).toBe('SELECT 1;\n');
  });

  it('a named pipe (mkfifo) cannot be read without taking it from psql: held in production', async () => {
    const fifo = join(sb.root, 'script.fifo');
    const refused = await sb.run('bash', ['-c', `mkfifo '${fifo}' && { echo 'SELECT 1;' > '${fifo}' & } && psql -h db.prod.example shop -f '${fifo}'; s=$?; cat '${fifo}' >/dev/null; exit $s`], { env: { CHAPERONE_ACTOR: 'agent' } });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('psql.sql.unreadable');
    expect(sb.record('psql')).toBeUndefined();
  });

  it('500,000 statements stream through without a crash, byte for byte', async () => {
    const script = 'SELECT 1;\n'.repeat(500_000);
    const result = await sb.run('psql', prod, { input: script, env });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('psql')!.stdin.length).toBe(script.length);
  });

  it('a variable set in the read-ahead and used past it is followed: the stream stops before it', async () => {
    const script = `\\set v 'DROP TABLE orders'\n${inserts(100)}:v;\n${inserts(3)}`;
    const result = await sb.run('psql', prod, { input: script, env });
    expect(result.exitCode).toBe(midStream);
    expect(result.stderr).toContain('stopped psql\'s input before statement 101 (:v;)');
    expect(sb.record('psql')!.stdin.toString()).not.toContain(':v;');
  });

  it('a \\c to production past the read-ahead stops a development stream before the DROP', async () => {
    const script = `${inserts(100)}\\c shop_prod\nDROP TABLE orders;\n`;
    const result = await sb.run('psql', dev, { input: script, env });
    expect(result.exitCode).toBe(midStream);
    expect(result.stderr).toContain('psql.sql.drop');
    expect(sb.record('psql')!.stdin.toString()).not.toContain('DROP TABLE orders');
  });
});

/** A psql double that reads each -f file by its name, as psql does, into its stdin record. */
function pathDouble(): void {
  const script = [
    '#!/bin/sh',
    'd="$RECORDS/psql"; mkdir -p "$d"',
    `for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"`,
    `printf '%s' "$0" > "$d/argv0"; env -0 > "$d/env"; pwd > "$d/cwd"; : > "$d/stdin"`,
    'while [ $# -gt 0 ]; do if [ "$1" = -f ]; then cat "$2" >> "$d/stdin" || exit 3; shift; fi; shift; done',
    '',
  ].join('\n');
  writeFileSync(join(sb.doubles, 'psql'), script);
  chmodSync(join(sb.doubles, 'psql'), 0o755);
}

describe('a destructive statement after many benign ones, from every source (issue 9)', () => {
  const agent = { CHAPERONE_ACTOR: 'agent', CHAPERONE_READ_AHEAD_BYTES: '4096' };
  const benign = inserts(2000); // ~100 KB: far past the read-ahead
  const script = `${benign}DROP TABLE orders;\n${inserts(3)}`;
  const stopped = (stderr: unknown) => {
    expect(stderr).toContain('psql.sql.drop');
    expect(stderr).toContain("chaperone: stopped psql's input before statement 2001 (DROP TABLE orders;)");
    expect(stderr).toContain('the 2000 statement(s) before it were sent to psql and may have run');
    // psql is running by then: the refusal must not say it did not.
    expect(stderr).toContain('This statement, and everything after it, was not sent to psql.');
    expect(stderr).not.toContain('The real psql did not run');
  };

  it('a pipe read by name (-f /dev/stdin): stopped before the DROP, and psql could open it', async () => {
    pathDouble();
    const result = await sb.run('psql', [...prod, '-f', '/dev/stdin'], { input: script, env: agent });
    expect(result.exitCode).toBe(midStream);
    stopped(result.stderr);
    expect(sb.record('psql')!.stdin.toString()).toBe(benign.slice(0, -1));
    const allowed = await sb.run('psql', [...prod, '-f', '/dev/fd/0'], { input: benign, env: agent });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('psql')!.stdin.toString()).toBe(benign);
  });

  it('a process substitution (-f <(…)): stopped before the DROP; a development target runs it all, with a notice', async () => {
    pathDouble();
    const file = join(sb.root, 'script.sql');
    writeFileSync(file, script);
    const refused = await sb.run('bash', ['-c', `psql -h db.prod.example shop -f <(cat '${file}')`], { env: agent });
    expect(refused.exitCode).toBe(midStream);
    stopped(refused.stderr);
    expect(sb.record('psql')!.stdin.toString()).toBe(benign.slice(0, -1));
    const allowed = await sb.run('bash', ['-c', `psql -h 127.0.0.1 shop -f <(cat '${file}')`], { env: agent });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toContain('psql.sql.drop in shop (development): allowed');
    expect(sb.record('psql')!.stdin.toString()).toBe(script);
  });

  it('stdin from a pipe and -f - : stopped before the DROP', async () => {
    for (const args of [prod, [...prod, '-f', '-']]) {
      const result = await sb.run('psql', args, { input: script, env: agent });
      expect(result.exitCode).toBe(midStream);
      stopped(result.stderr);
      expect(sb.record('psql')!.stdin.toString()).toBe(benign.slice(0, -1));
    }
  });

  it('a regular file (< file, -f file) is read whole first: refused before psql runs a statement', async () => {
    const file = join(sb.root, 'script.sql');
    writeFileSync(file, script);
    for (const line of [`psql -h db.prod.example shop < '${file}'`, `psql -h db.prod.example shop -f '${file}'`, `psql -h db.prod.example shop -f /dev/stdin < '${file}'`]) {
      const result = await sb.run('bash', ['-c', line], { env: agent });
      expect(result.exitCode, line).toBe(77);
      expect(result.stderr).toContain('psql.sql.drop');
      expect(result.stderr).toContain('The real psql did not run');
      expect(sb.record('psql')).toBeUndefined();
    }
  });
});

describe('who judges a stream past the read-ahead (issue 13)', () => {
  const env = { CHAPERONE_READ_AHEAD_BYTES: '1024', CHAPERONE_ACTOR: 'agent' };
  /** A psql double that records its pid, its parent's command line, its stdin, and exits 5. */
  function pidDouble(): void {
    writeFileSync(join(sb.doubles, 'psql'), `#!/bin/sh\necho $$ > "$RECORDS/pid"\nps -o args= -p $PPID > "$RECORDS/parent"\ncat > "$RECORDS/stdin"\nexit 5\n`);
    chmodSync(join(sb.doubles, 'psql'), 0o755);
  }

  it('the tool is exec\'d as the shim\'s own pid, held or not; a hold leaves it its own status', async () => {
    pidDouble();
    for (const script of [inserts(200), `${inserts(200)}DROP TABLE orders;\n${inserts(3)}`]) {
      const child = sb.run('psql', prod, { input: script, env });
      const result = await child;
      expect(result.exitCode).toBe(5);
      expect(readFileSync(join(sb.records, 'pid'), 'utf8').trim()).toBe(String(child.pid));
      expect(readFileSync(join(sb.records, 'parent'), 'utf8')).not.toContain('shim.cjs');
      const held = script.includes('orders');
      expect(readFileSync(join(sb.records, 'stdin'), 'utf8')).toBe(held ? inserts(200).slice(0, -1) : script);
      if (held) expect(result.stderr).toContain("chaperone: stopped psql's input before statement 201 (DROP TABLE orders;)");
      else expect(result.stderr).toBe('');
    }
    // The feeder recorded the refusal, with the statement it held.
    const audit = readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(audit.map((r) => r.outcome)).toEqual(['refused']);
    expect(JSON.stringify(audit[0])).toContain('DROP TABLE orders');
  });

  it('a tool that stops reading ends the stream for its writer, as a direct call would (no endless read-and-drop)', async () => {
    writeFileSync(join(sb.doubles, 'psql'), '#!/bin/sh\nhead -c 4096 >/dev/null\nexit 3\n');
    chmodSync(join(sb.doubles, 'psql'), 0o755);
    // `yes` never ends by itself: only a SIGPIPE once nobody reads ends it, and the pipeline with it.
    const result = await sb.sh("yes 'select 1;' | psql -h db.prod.example shop", { env });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('');
  });

  it('a pipe at a low descriptor (-f /dev/fd/5 5< <(…)): the feeder reads the head back there, and psql is exec\'d', async () => {
    pathDouble();
    const file = join(sb.root, 'script.sql');
    const before = inserts(200);
    writeFileSync(file, `${before}DROP TABLE orders;\n`);
    const refused = await sb.run('bash', ['-c', `psql -h db.prod.example shop -f /dev/fd/5 5< <(cat '${file}')`], { env });
    expect(refused.exitCode).toBe(0);
    expect(refused.stderr).toContain("chaperone: stopped psql's input before statement 201 (DROP TABLE orders;)");
    expect(sb.record('psql')!.stdin.toString()).toBe(before.slice(0, -1));
    writeFileSync(file, before);
    const allowed = await sb.run('bash', ['-c', `psql -h db.prod.example shop -f /dev/fd/5 5< <(cat '${file}')`], { env });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toBe('');
    expect(sb.record('psql')!.stdin.toString()).toBe(before);
  });

  it('stdin named by another path (/proc/PID/fd/0): a feeder that cannot read it the same way leaves Node to run psql, which still stops the DROP', async () => {
    // Opens what it was fed by name in its own process, as psql opens its -f.
    writeFileSync(join(sb.doubles, 'psql'), `#!/bin/sh\nps -o args= -p $PPID > "$RECORDS/parent"\nexec cat /dev/stdin > "$RECORDS/stdin"\n`);
    chmodSync(join(sb.doubles, 'psql'), 0o755);
    const file = join(sb.root, 'script.sql');
    writeFileSync(file, `${inserts(200)}DROP TABLE orders;\n`);
    // The outer shell's own stdin, by its pid: the decision finds it is psql's stdin (same pipe); the
    // feeder, whose stdin is the head given back, cannot, so the decision runs psql itself (run.ts).
    const result = await sb.run('bash', ['-c', `exec bash -c 'psql -h db.prod.example shop -f /proc/$$/fd/0' < <(cat '${file}')`], { env });
    expect(result.stderr).toContain("chaperone: stopped psql's input before statement 201 (DROP TABLE orders;)");
    expect(result.exitCode).toBe(77);
    expect(readFileSync(join(sb.records, 'parent'), 'utf8')).toContain('shim.cjs');
    expect(readFileSync(join(sb.records, 'stdin'), 'utf8')).toBe(inserts(200).slice(0, -1));
  });

  it('a shim written by an older install (no :feed) keeps the Node parent, and its 77 on a hold', async () => {
    pidDouble();
    const shim = join(sb.shims, 'psql');
    writeFileSync(shim, readFileSync(shim, 'utf8').replace('--handoff=4:feed', '--handoff=4'));
    const result = await sb.run('psql', prod, { input: `${inserts(200)}DROP TABLE orders;\n`, env });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain("chaperone: stopped psql's input before statement 201 (DROP TABLE orders;)");
    expect(readFileSync(join(sb.records, 'parent'), 'utf8')).toContain('shim.cjs');
    expect(readFileSync(join(sb.records, 'stdin'), 'utf8')).toBe(inserts(200).slice(0, -1));
  });

  it('a refused agent that splits the script or pipes it by another door is stopped the same way', async () => {
    // What an agent types next: the same DROP behind `-f -`, spelled in upper and lower case, after
    // a \c to the same database, or a second time after the first refusal.
    const before = inserts(200);
    for (const [args, held] of [
      [[...prod, '-f', '-'], 'drop table orders;'],
      [prod, '\\c shop\nDrop Table orders;'],
      [[...prod, '-f', '/dev/fd/0'], 'DROP TABLE IF EXISTS orders CASCADE;'],
    ] as const) {
      // psql opens -f by name; without -f it reads its stdin.
      if (args.includes('-f')) pathDouble();
      else sb.double('psql');
      const result = await sb.run('psql', [...args], { input: `${before}${held}\n${inserts(2)}`, env });
      expect(result.stderr, held).toContain('psql.sql.drop');
      expect(result.stderr, held).toContain('chaperone: stopped psql\'s input before statement');
      expect(sb.record('psql')!.stdin.toString(), held).not.toMatch(/drop table (if exists )?orders/i);
    }
  });
});

describe.skipIf(!haveTmux)('a human confirms a statement past the read-ahead at a real terminal (tmux)', () => {
  const terminals = new Terminals();
  afterAll(() => terminals.close());
  const before = inserts(200);
  const script = `${before}DROP TABLE orders;\n${inserts(3)}`;
  const audit = () => readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).outcome as string);

  it.each([
    ['shop', 'confirmed'],
    ['shop_prod', 'aborted'],
  ])('typing %j: the feeder beside psql asks at /dev/tty, and the audit log says %s', async (typed, outcome) => {
    const file = join(sb.root, 'script.sql');
    writeFileSync(file, script);
    const term = terminals.open(sb, `cat '${file}' | psql -h db.prod.example shop`, { extraEnv: { CHAPERONE_READ_AHEAD_BYTES: '1024' } });
    try {
      // The environment is named shop (the database): that is the word to type.
      const prompt = await term.waitFor('Type shop to run it');
      expect(prompt).toContain('psql.sql.drop [destroy] DROP removes a database object and its data: DROP TABLE orders');
      term.type(typed);
      term.press('Enter');
      const { code, screen } = await term.exit();
      expect(screen).toContain('TTY=icanon echo');
      // psql (the double) was exec'd: its status is its own either way.
      expect(code).toBe(0);
      expect(audit()).toEqual([outcome]);
      if (outcome === 'confirmed') {
        expect(sb.record('psql')!.stdin.toString()).toBe(script);
      } else {
        expect(screen).toContain("chaperone: stopped psql's input before statement 201 (DROP TABLE orders;)");
        expect(screen.replace(/\s+/g, ' ')).toContain('not confirmed; this statement, and everything after it, was not sent to psql.');
        expect(screen).not.toContain('did not run');
        expect(sb.record('psql')!.stdin.toString()).toBe(before.slice(0, -1));
      }
    } finally {
      terminals.closeSessions();
    }
  });
});
