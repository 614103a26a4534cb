// Throughput and memory of SQL through the psql shim, against the same pipe with a bare cat instead.
//   npm run bench:pipe [-- SIZE_MIB]      (default 1024 MiB; builds first)
// A generator writes SIZE of benign SQL (INSERTs and COPY data, with "DROP" inside strings and data so
// the splitter has to look); the stand-in psql hashes what it receives, so the run also proves the
// bytes arrive unchanged. The figure is chaperone's streaming judge: read-ahead, split, pass through.
// Then, with peak RSS (GNU time's %M, the largest process of the shim's tree): the same SIZE as a
// regular file on stdin, SIZE/4 of DELETEs (every one parsed) with -f against a development target,
// and 500,000 tiny statements piped.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const mib = Number(process.argv[2] ?? 1024);
const size = mib * 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'chaperone-pipe-'));
const shims = join(root, 'shims');
const doubles = join(root, 'doubles');
mkdirSync(doubles);
const out = join(root, 'received.sha256');
writeFileSync(join(doubles, 'psql'), `#!/bin/sh\nsha256sum | cut -d' ' -f1 > '${out}'\n`);
chmodSync(join(doubles, 'psql'), 0o755);
const env = { ...process.env, HOME: root, XDG_CONFIG_HOME: join(root, '.config'), PATH: `${shims}:${doubles}:/usr/bin:/bin` };
execFileSync(process.execPath, ['bin/chaperone.js', 'install', '--dir', shims, 'psql'], { env, stdio: 'ignore' });

function block() {
  const rows = [];
  for (let i = 0; i < 500; i++) rows.push(`INSERT INTO orders (id, note, total) VALUES (${i}, 'order ${i}; DROP TABLE orders -- not really', ${i * 3}.50);\n`);
  rows.push('COPY events (id, payload) FROM stdin;\n');
  for (let i = 0; i < 500; i++) rows.push(`${i}\t{"action": "DELETE FROM users", "n": ${i}}\n`);
  rows.push('\\.\n');
  return Buffer.from(rows.join(''));
}

const timeOut = join(root, 'time.txt');
/** GNU time's figures for the shim's tree: peak RSS, and the CPU it used (user + system). */
const peak = () => {
  const [rss, user, system] = readFileSync(timeOut, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return `${(rss / 1024).toFixed(0)} MiB peak RSS, ${(user + system).toFixed(1)} s CPU`;
};

/** Pipes SIZE bytes of SQL into `command`, and returns seconds taken and the sha256 written. */
async function run(label, command, args, chunk = block(), measure = false, bytes = size) {
  // Whole blocks only: a script cut mid-string ends in an unterminated quote, which is held.
  const total = Math.ceil(bytes / chunk.length) * chunk.length;
  const hash = createHash('sha256');
  const child = measure
    ? spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeOut, command, ...args], { env, stdio: ['pipe', 'inherit', 'inherit'] })
    : spawn(command, args, { env, stdio: ['pipe', 'inherit', 'inherit'] });
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < total) {
    const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
    hash.update(piece);
    sent += piece.length;
    if (!child.stdin.write(piece)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await new Promise((r) => child.on('exit', r));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const received = readFileSync(out, 'utf8').trim();
  const sentHash = hash.digest('hex');
  console.log(`${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${(total / 1048576 / seconds).toFixed(0).padStart(5)} MiB/s  exit ${code}  ${received === sentHash ? 'byte-exact' : 'MISMATCH'}${measure ? `  ${peak()}` : ''}`);
  if (received !== sentHash || code !== 0) process.exitCode = 1;
  return seconds;
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}; ${mib} MiB of SQL`);
await run('direct: generator | sha256sum', join(doubles, 'psql'), []);
// The yardstick: the same pipe with a bare `cat` where the shim stands (one more process copying).
// The two run alternately, three times, so a machine shared with other work weighs on both alike;
// the ratio is the median of the three pairs.
const ratios = [];
for (let round = 1; round <= 3; round++) {
  const viaCat = await run(`cat: generator | cat | sha256sum (${round})`, '/bin/sh', ['-c', `cat | '${join(doubles, 'psql')}'`], block(), true);
  const shim = await run(`shim: generator | psql (chaperone) | sha256sum (${round})`, join(shims, 'psql'), ['-h', 'db.prod.example', 'shop'], block(), true);
  ratios.push(viaCat / shim);
}
const median = [...ratios].sort((x, y) => x - y)[1];
console.log(`the shim's throughput is ${median.toFixed(2)}× a bare cat pipe's (median of ${ratios.map((r) => r.toFixed(2)).join(', ')})`);

/** Runs the shim with stdin from a file (or nothing), and reports time and peak RSS. */
function timed(label, args, stdinFile) {
  const start = process.hrtime.bigint();
  const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeOut, join(shims, 'psql'), ...args], { env, stdio: [fd, 'inherit', 'inherit'] });
  if (typeof fd === 'number') closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  exit ${result.status}  ${peak()}`);
  if (result.status !== 0) process.exitCode = 1;
}

/** Writes `bytes` of repeated `make(i)` lines to a file. */
function writeLines(path, bytes, make) {
  const fd = openSync(path, 'w');
  let written = 0;
  for (let i = 0; written < bytes; ) {
    const lines = [];
    for (let k = 0; k < 10000; k++, i++) lines.push(make(i));
    const buffer = Buffer.from(lines.join(''));
    writeSync(fd, buffer);
    written += buffer.length;
  }
  closeSync(fd);
}

const dump = join(root, 'dump.sql');
writeLines(dump, size, (i) => `INSERT INTO orders (id, note) VALUES (${i}, 'order ${i}; DROP TABLE orders -- not really');\n`);
timed(`file on stdin: psql < ${mib} MiB (development)`, ['-h', '127.0.0.1', 'shop_dev'], dump);
rmSync(dump);
const deletes = join(root, 'deletes.sql');
writeLines(deletes, size / 4, (i) => `DELETE FROM orders WHERE id = ${i};\n`);
timed(`-f ${mib / 4} MiB of DELETEs (development)`, ['-h', '127.0.0.1', 'shop_dev', '-f', deletes]);
rmSync(deletes);
const tiny = Buffer.from('SELECT 1;\n'.repeat(500_000));
await run('500,000 statements piped (shim)', join(shims, 'psql'), ['-h', 'db.prod.example', 'shop'], tiny, true, tiny.length);
rmSync(root, { recursive: true, force: true });
