// SQL piped into psql: read ahead and judged before psql starts, and past the read-ahead judged
// statement by statement as it streams. A recording double stands in for psql.

import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['psql']);
  sb.double('psql', { stdout: 'psql ran\n' });
});

const prod = ['-h', 'db.prod.example', 'shop'];
const dev = ['-h', '127.0.0.1', 'shop'];
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
    expect(result.exitCode).toBe(77);
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
