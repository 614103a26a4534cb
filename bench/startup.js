// What chaperone costs per call, as paired measurements: each row runs its case and its baseline
// alternately (A B, B A, A B …) in one invocation, so drift and load on the machine fall on both, and
// reports medians and their ratio or difference against the row's budget.
//   npm run bench                 (builds first)   RUNS=40 to change the number of pairs
// Record a run in BENCHMARKS.md with the machine it ran on.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.RUNS ?? 30);
const root = mkdtempSync(join(tmpdir(), 'chaperone-bench-'));
const shims = join(root, 'shims');
const doubles = join(root, 'doubles');
const home = join(root, 'home');
const repo = join(root, 'repo');
for (const dir of [doubles, home, repo]) mkdirSync(dir, { recursive: true });
// Do-nothing stand-ins behind the shims, so a row measures chaperone's cost alone.
for (const tool of ['railway', 'aws', 'psql']) {
  writeFileSync(join(doubles, tool), '#!/bin/sh\nexit 0\n');
  chmodSync(join(doubles, tool), 0o755);
}
const git = spawnSync('sh', ['-c', 'command -v git']).stdout.toString().trim();
const base = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state'), LANG: 'C.UTF-8', PWD: repo };
const env = { ...base, PATH: `${shims}:${doubles}:/usr/bin:/bin` };
const agent = { ...env, CHAPERONE_ACTOR: 'agent' };
execFileSync(process.execPath, [fileURLToPath(new URL('../bin/chaperone.js', import.meta.url)), 'install', '--dir', shims, 'railway', 'psql', 'aws', 'git'], { env, stdio: 'ignore' });
execFileSync(git, ['init', '-q', repo]);

// A user rules file of 1,000 rules, for the row that compares a call with and without it.
const bigHome = join(root, 'big-home');
mkdirSync(join(bigHome, '.config', 'chaperone'), { recursive: true });
const rules = Array.from({ length: 1000 }, (_, i) => `  - id: bench.rule-${i}\n    tool: aws\n    command: bench${i} delete\n    effect: destroy\n    summary: a rule nobody calls, number ${i}\n`);
writeFileSync(join(bigHome, '.config', 'chaperone', 'rules.yaml'), `rules:\n${rules.join('')}`);
const bigEnv = { ...agent, HOME: bigHome, XDG_CONFIG_HOME: join(bigHome, '.config') };

const hookPayload = (command) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: repo });
const node = process.execPath;
const cli = fileURLToPath(new URL('../bin/chaperone.js', import.meta.url));
const readStdin = ['-e', 'process.stdin.resume(); process.stdin.on("end", () => {})'];

// Arguments of 32 and 128 KiB of letters (the shape that once made redaction quadratic), refused; Linux
// takes one argument of at most 128 KiB with its NUL.
const letters = (kib) => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil((kib * 1024) / 26)).slice(0, kib * 1024 - 1);
const longCall = (kib) => [join(shims, 'railway'), ['volume', 'delete', '--volume', letters(kib)], agent];

/**
 * [name, budget, case, baseline]; a case is [file, args, env, stdin?]. A budget is `+N ms` (the case
 * may take N ms more than the baseline) or `N×` (the case may take N times the baseline).
 */
const rows = [
  ['benign: git status', '+1 ms', [join(shims, 'git'), ['status'], env], [git, ['status'], env]],
  ['benign: git rev-parse --show-toplevel', '+1 ms', [join(shims, 'git'), ['rev-parse', '--show-toplevel'], env], [git, ['rev-parse', '--show-toplevel'], env]],
  ['benign: railway status', '+1 ms', [join(shims, 'railway'), ['status'], env], [join(doubles, 'railway'), ['status'], env]],
  ['decision, refused: railway volume delete (vs node -e 0)', '1.3×', [join(shims, 'railway'), ['volume', 'delete', '--volume', 'pg'], agent], [node, ['-e', '0'], env]],
  ['decision, refused: aws s3 rb --profile acme-prod (vs node -e 0)', '1.3×', [join(shims, 'aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], agent], [node, ['-e', '0'], env]],
  ['decision, benign: psql -c "select 1" (vs node -e 0)', '1.5×', [join(shims, 'psql'), ['-h', 'db.prod.example', '-c', 'select 1'], agent], [node, ['-e', '0'], env]],
  ['decision, refused: psql -c "drop table t" (vs node -e 0)', '1.5×', [join(shims, 'psql'), ['-h', 'db.prod.example', '-c', 'drop table t'], agent], [node, ['-e', '0'], env]],
  // A statement only PostgreSQL's grammar can read (src/sql/exact.ts reads `drop table t` without it).
  ['decision, refused: psql -c "drop function f()", grammar loaded (vs node -e 0)', '1.5×', [join(shims, 'psql'), ['-h', 'db.prod.example', '-c', 'drop function f()'], agent], [node, ['-e', '0'], env]],
  ['hook claude, benign payload (vs node reading it)', '1.3×', [node, [cli, 'hook', 'claude'], env, hookPayload('git status && ls')], [node, readStdin, env, hookPayload('git status && ls')]],
  ['hook claude, destructive payload (vs node reading it)', '1.3×', [node, [cli, 'hook', 'claude'], env, hookPayload('railway volume delete --volume pg')], [node, readStdin, env, hookPayload('railway volume delete --volume pg')]],
  ['user rules.yaml of 1,000 rules (vs none; refused aws call)', '1.1×', [join(shims, 'aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], bigEnv], [join(shims, 'aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], agent]],
  ['single argument of 128 KiB (vs 32 KiB; refused railway call)', '4×', longCall(128), longCall(32)],
];

function once([file, args, runEnv, input]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env: runEnv, cwd: repo, input: input ?? '', stdio: ['pipe', 'ignore', 'pipe'] });
  if (result.error) throw result.error;
  // A case that fails for another reason (a missing file) would measure nothing: refusals exit 77 or 2.
  if (![0, 2, 77].includes(result.status ?? -1)) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Peak resident set of a run, in MiB, from GNU time: the median of five. */
function peakRss([file, args, runEnv, input]) {
  const one = () => {
    const result = spawnSync('/usr/bin/time', ['-f', '%M', file, ...args], { env: runEnv, cwd: repo, input: input ?? '', encoding: 'utf8' });
    return Number(result.stderr.trim().split('\n').at(-1)) / 1024;
  };
  return median(Array.from({ length: 5 }, one));
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${release()}; node ${process.version}; ${runs} alternating pairs per row; load average at start ${load()}\n`);
console.log('| path | budget | case (median) | baseline (median) | result |\n|---|---|---|---|---|');
for (const [name, budget, a, b] of rows) {
  once(a);
  once(b);
  const as = [];
  const bs = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      as.push(once(a));
      bs.push(once(b));
    } else {
      bs.push(once(b));
      as.push(once(a));
    }
  }
  const [ma, mb] = [median(as), median(bs)];
  const [value, met] = budget.startsWith('+') ? [`+${(ma - mb).toFixed(1)} ms`, ma - mb <= parseFloat(budget.slice(1))] : [`${(ma / mb).toFixed(2)}×`, ma / mb <= parseFloat(budget)];
  console.log(`| ${name} | ${budget} | ${ma.toFixed(1)} ms | ${mb.toFixed(1)} ms | ${met ? `**${value}** met` : `${value} not met`} |`);
}

if (spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0) {
  const rss = (c) => peakRss(c);
  const budgetRss = (mib) => (Number.isFinite(mib) ? `${mib.toFixed(1)} MiB ${mib <= 60 ? 'met' : 'not met'}` : 'n/a');
  console.log('\n| peak RSS (GNU time, median of 5) | budget | value |\n|---|---|---|');
  console.log(`| node -e 0 | | ${rss([node, ['-e', '0'], env]).toFixed(1)} MiB |`);
  console.log(`| a refused decision (railway volume delete) | 60 MiB | ${budgetRss(rss(rows[3][2]))} |`);
  console.log(`| a refused psql decision (drop table t) | 60 MiB | ${budgetRss(rss(rows[6][2]))} |`);
  console.log(`| a refused psql decision, grammar loaded (drop function f()) | 60 MiB | ${budgetRss(rss(rows[7][2]))} |`);
  console.log(`| the hook, destructive payload | | ${rss(rows[9][2]).toFixed(1)} MiB |`);
  console.log('| held while the real tool runs | 0 | 0: the sh shim execs the tool, no Node process stays (met) |');
}
console.log(`\nload average at end ${load()}`);
rmSync(root, { recursive: true, force: true });
