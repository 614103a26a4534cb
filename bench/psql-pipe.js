// Throughput of SQL piped through the psql shim, against the same pipe without it.
//   npm run bench:pipe [-- SIZE_MIB]      (default 1024 MiB; builds first)
// A generator writes SIZE of benign SQL (INSERTs and COPY data, with "DROP" inside strings and data so
// the splitter has to look); the stand-in psql hashes what it receives, so the run also proves the
// bytes arrive unchanged. The figure is chaperone's streaming judge: read-ahead, split, pass through.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Pipes SIZE bytes of SQL into `command`, and returns seconds taken and the sha256 written. */
async function run(label, command, args) {
  const chunk = block();
  const hash = createHash('sha256');
  const child = spawn(command, args, { env, stdio: ['pipe', 'inherit', 'inherit'] });
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < size) {
    const piece = sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent);
    hash.update(piece);
    sent += piece.length;
    if (!child.stdin.write(piece)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await new Promise((r) => child.on('exit', r));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const received = readFileSync(out, 'utf8').trim();
  const sentHash = hash.digest('hex');
  console.log(`${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${(mib / seconds).toFixed(0).padStart(5)} MiB/s  exit ${code}  ${received === sentHash ? 'byte-exact' : 'MISMATCH'}`);
  if (received !== sentHash || code !== 0) process.exitCode = 1;
  return seconds;
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}; ${mib} MiB of SQL`);
const direct = await run('direct: generator | sha256sum', join(doubles, 'psql'), []);
const shim = await run('shim: generator | psql (chaperone) | sha256sum', join(shims, 'psql'), ['-h', 'db.prod.example', 'shop']);
console.log(`the shim takes ${(shim / direct).toFixed(1)}× as long as the bare pipe`);
rmSync(root, { recursive: true, force: true });
