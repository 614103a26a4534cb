// Start-up cost of chaperone on the hot path: a benign call through the shim against a direct call of
// the same tool. Uses hyperfine when it is installed (apt-get install hyperfine), else a built-in timer.
//   npm run bench            (builds first)
// Results go to stdout; record them in BENCHMARKS.md with the machine they ran on.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'chaperone-bench-'));
const shims = join(root, 'shims');
const doubles = join(root, 'doubles');
mkdirSync(doubles, { recursive: true });
// A stand-in "real" railway that does nothing, so the figure is chaperone's cost alone.
writeFileSync(join(doubles, 'railway'), '#!/bin/sh\nexit 0\n');
chmodSync(join(doubles, 'railway'), 0o755);
const home = join(root, 'home');
mkdirSync(home);
const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: `${shims}:${doubles}:/usr/bin:/bin` };
execFileSync(process.execPath, ['bin/chaperone.js', 'install', '--dir', shims, 'railway', 'psql'], { env, stdio: 'ignore' });

const cases = [
  ['direct: railway status (a do-nothing stand-in)', join(doubles, 'railway'), ['status']],
  ['node -e 0 (Node start-up alone)', process.execPath, ['-e', '0']],
  ['shim: railway status (benign, no rule matches)', join(shims, 'railway'), ['status']],
  ['direct: psql --version', '/usr/bin/psql', ['--version']],
  ['shim: psql --version (real psql behind the shim)', join(shims, 'psql'), ['--version']],
  ['shim: psql -c SQL (parsed with libpg-query, refused)', join(shims, 'psql'), ['-h', 'db.prod.example', '-c', 'DROP TABLE x']],
];

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
const hyperfine = spawnSync('hyperfine', ['--version']).status === 0;
if (hyperfine) {
  const args = ['--warmup', '5', '--runs', '40', '-N', '--ignore-failure', '--style', 'basic', '--export-json', join(root, 'bench.json')];
  for (const [name, file, argv] of cases) args.push('-n', name, [file, ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' '));
  const result = spawnSync('hyperfine', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.exitCode = 1;
  else {
    const { results } = JSON.parse(readFileSync(join(root, 'bench.json'), 'utf8'));
    console.log('\n| case | median | mean ± σ | min … max |\n|---|---|---|---|');
    const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
    for (const r of results) console.log(`| ${r.command} | ${ms(r.median)} | ${ms(r.mean)} ± ${ms(r.stddev)} | ${ms(r.min)} … ${ms(r.max)} |`);
  }
} else {
  console.log('hyperfine not found (apt-get install hyperfine); using a simple timer, median of 40 runs');
  for (const [name, file, argv] of cases) {
    const times = [];
    for (let i = 0; i < 45; i++) {
      const start = process.hrtime.bigint();
      spawnSync(file, argv, { env, stdio: 'ignore' });
      if (i >= 5) times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(60)} median ${times[Math.floor(times.length / 2)].toFixed(1)} ms`);
  }
}
rmSync(root, { recursive: true, force: true });
