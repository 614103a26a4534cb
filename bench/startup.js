// What chaperone costs per call, as paired measurements: each row runs its case and its baseline
// alternately (A B, B A, A B …) in one invocation, so drift and load on the machine fall on both, and
// reports medians and their ratio or difference against the row's budget.
//   npm run bench                 (builds first)   RUNS=40 to change the number of pairs
//   BEFORE=../other-clone         also measures that clone's build (built) in the same rounds
//   ROWS=regexp                   only the rows whose name matches
// Every state file (approvals, audit log) is the bench's own: see world() below.
// Record a run in BENCHMARKS.md with the machine it ran on.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.RUNS ?? 30);
const root = mkdtempSync(join(tmpdir(), 'chaperone-bench-'));
const doubles = join(root, 'doubles');
const repo = join(root, 'repo');
for (const dir of [doubles, repo]) mkdirSync(dir, { recursive: true });
// Do-nothing stand-ins behind the shims, so a row measures chaperone's cost alone.
for (const tool of ['railway', 'aws', 'psql']) {
  writeFileSync(join(doubles, tool), '#!/bin/sh\nexit 0\n');
  chmodSync(join(doubles, tool), 0o755);
}
const git = spawnSync('sh', ['-c', 'command -v git']).stdout.toString().trim();
execFileSync(git, ['init', '-q', repo]);
const node = process.execPath;
// The least any bash shim costs: bash -p starting a one-line script that execs the tool. On a 2-core VM
// this alone is about 1 ms over the direct call, so it is printed beside the shims' rows every run.
const bashFloor = join(root, 'bash-floor');
writeFileSync(bashFloor, `#!/bin/bash -p\nexec ${git} "$@"\n`);
chmodSync(bashFloor, 0o755);
const readStdin = ['-e', 'process.stdin.resume(); process.stdin.on("end", () => {})'];
const plain = { HOME: join(root, 'plain'), LANG: 'C.UTF-8', PATH: '/usr/bin:/bin' };

/**
 * A world in which one build is measured. The shipped dist/ keeps its state (approval store, audit log)
 * under the account's passwd home, so a bench of it would write thousands of refusals into the user's
 * own log and store, and measure against whatever they hold. It runs the test bundle instead
 * (dist-test/, built from the same source by `npm run build`), whose account home is
 * CHAPERONE_TEST_ACCOUNT_HOME: a directory of the bench's own. The two bundles differ in that one
 * constant (src/context/files.ts).
 */
function world(build, label) {
  const dir = join(root, label);
  const shims = join(dir, 'shims');
  const cli = join(build, 'dist-test', 'chaperone.js');
  const home = (name) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    // The resident decision is on in the shipped build and off in the test bundle unless asked for.
    // SHELL as a terminal's or an agent's environment has it: without it bash looks the account up in
    // the passwd database at every start (0.1–0.2 ms more per shim call).
    return { SHELL: '/bin/bash', HOME: path, XDG_CONFIG_HOME: join(path, '.config'), XDG_STATE_HOME: join(path, '.state'), CHAPERONE_TEST_ACCOUNT_HOME: path, LANG: 'C.UTF-8', PWD: repo, PATH: `${shims}:${doubles}:/usr/bin:/bin`, CHAPERONE_SERVER: 'on' };
  };
  const env = home('home');
  const agent = { ...env, CHAPERONE_ACTOR: 'agent' };
  // Every decision in a Node process of its own, as without the resident decision.
  const alone = { ...agent, CHAPERONE_SERVER: 'off' };
  execFileSync(node, [cli, 'install', '--dir', shims, 'railway', 'psql', 'aws', 'git'], { env, stdio: 'ignore' });
  // The same shims run by /bin/sh instead of bash -p (src/shim/interpreter.ts): faster to start, but
  // dash drops environment entries whose names are not identifiers. The fast-path rows show both.
  const shShims = join(dir, 'sh-shims');
  const shEnv = { ...env, PATH: `${shShims}:${doubles}:/usr/bin:/bin` };
  execFileSync(node, [cli, 'install', '--dir', shShims, 'railway', 'git'], { env: { ...shEnv, CHAPERONE_SHIM_SHELL: 'sh' }, stdio: 'ignore' });

  // A user rules file of 1,000 rules, for the row that compares a call with and without it.
  const big = { ...home('big-home'), CHAPERONE_ACTOR: 'agent' };
  mkdirSync(join(big.HOME, '.config', 'chaperone'), { recursive: true });
  const rules = Array.from({ length: 1000 }, (_, i) => `  - id: bench.rule-${i}\n    tool: aws\n    command: bench${i} delete\n    effect: destroy\n    summary: a rule nobody calls, number ${i}\n`);
  writeFileSync(join(big.HOME, '.config', 'chaperone', 'rules.yaml'), `rules:\n${rules.join('')}`);

  // An approval store as a week of an agent's refusals leaves it (kept 7 days): 100 a day.
  const full = { ...home('full-home'), CHAPERONE_ACTOR: 'agent' };
  mkdirSync(join(full.HOME, '.local', 'state', 'chaperone'), { recursive: true, mode: 0o700 });
  writeFileSync(join(full.HOME, '.local', 'state', 'chaperone', 'approvals.json'), JSON.stringify({ approvals: weekOfApprovals() }, null, 2), { mode: 0o600 });

  // The hook as an agent starts it: the file and arguments of the command `chaperone setup claude` writes.
  execFileSync(node, [cli, 'setup', 'claude'], { env, stdio: 'ignore' });
  const settings = JSON.parse(readFileSync(join(env.HOME, '.claude', 'settings.json'), 'utf8'));
  const line = settings.hooks.PreToolUse.flatMap((group) => group.hooks).find((h) => /\bhook claude\b/.test(h.command)).command;
  // The last `exec "$n" …` of the line is the Node hook; the whole line, run by sh as an agent runs it,
  // asks the resident decision first (src/server/client.ts).
  const hook = (/.*exec "\$n" (.*?); fi/.exec(line)?.[1] ?? line.split(' ').slice(1).join(' ')).split(' ').map((word) => word.replace(/^'|'$/g, ''));
  // The same account's resident decision (started below) answers the line's client.
  const served = { ...env, CHAPERONE_SERVER_IDLE_SECONDS: '3600' };

  const shim = (tool) => join(shims, tool);
  const shShim = (tool) => join(shShims, tool);
  // The account's resident decision, as a first decided call starts it (the shims name its state file,
  // under the home they were installed from): the rows measure calls once it answers. A build without
  // one (BEFORE=) decides every call in Node.
  spawnSync(shim('railway'), ['variables'], { env, stdio: 'ignore' });
  const state = join(env.HOME, '.local', 'state', 'chaperone', 'server');
  for (let i = 0; i < 100 && existsSync(join(build, 'src', 'server')) && !existsSync(state); i++) spawnSync('sleep', ['0.05']);
  return { label, cli, hook, line, served, shim, shShim, shEnv, env, agent, alone, big, full, homes: [env.HOME] };
}

/** 700 records over the last 7 days, shaped as refusals write them. */
function weekOfApprovals() {
  const now = Date.now();
  return Array.from({ length: 700 }, (_, i) => {
    const at = now - 60_000 - Math.floor((i / 700) * 6.9 * 86_400_000);
    const used = i % 5 === 0;
    return {
      command: `railway volume delete --volume pg-data-${i} --yes`,
      cwd: `/home/dev/projects/shop-${i % 7}`,
      rules: ['railway.volume.delete'],
      environment: { name: 'production', class: 'production', evidence: ['file ~/.railway/config.json projects["/home/dev/projects/shop"].environmentName = production', 'file ~/.railway/config.json projects["/home/dev/projects/shop"].environment = 6f1c…'] },
      confirmWord: 'production',
      code: `K${String(i).padStart(2, '0').slice(-2)}-${(i * 7919).toString(36).toUpperCase().padStart(3, 'Q').slice(-3)}`,
      binding: (i * 2654435761).toString(16).padStart(64, '0').slice(-64),
      status: used ? 'used' : 'expired',
      requestedAt: new Date(at).toISOString(),
      expiresAt: new Date(at + (used ? 15 : 60) * 60_000).toISOString(),
      ...(used ? { approvedAt: new Date(at + 120_000).toISOString(), usedAt: new Date(at + 180_000).toISOString() } : {}),
    };
  });
}

const hookPayload = (command) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: repo });

// Arguments of 32 and 128 KiB of letters (the shape that once made redaction quadratic), refused; Linux
// takes one argument of at most 128 KiB with its NUL.
const letters = (kib) => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil((kib * 1024) / 26)).slice(0, kib * 1024 - 1);

// BEFORE=<another clone, built> measures its build in the same runs, for before-and-after figures.
const worlds = [world(fileURLToPath(new URL('..', import.meta.url)), 'this'), ...(process.env.BEFORE ? [world(process.env.BEFORE, 'before')] : [])];
const [w] = worlds;

/**
 * [name, budget, case, baseline]; a case is (world) => [file, args, env, stdin?]; a baseline is the same
 * for every world, or a case of each world. A budget is `+N ms` (the case may take N ms more than the baseline) or `N×` (the
 * case may take N times the baseline).
 */
const rows = [
  ['benign: git status', '+1 ms', (w) => [w.shim('git'), ['status'], w.env], [git, ['status'], w.env]],
  ['benign: git rev-parse --show-toplevel', '+1 ms', (w) => [w.shim('git'), ['rev-parse', '--show-toplevel'], w.env], [git, ['rev-parse', '--show-toplevel'], w.env]],
  ['benign: railway status', '+1 ms', (w) => [w.shim('railway'), ['status'], w.env], [join(doubles, 'railway'), ['status'], w.env]],
  ['floor: a one-line bash -p script that execs git rev-parse (no shim can cost less)', '+1 ms', (w) => [bashFloor, ['rev-parse', '--show-toplevel'], w.env], [git, ['rev-parse', '--show-toplevel'], w.env]],
  ['lines of the bash shim: git rev-parse (vs that one-line script)', '+0.5 ms', (w) => [w.shim('git'), ['rev-parse', '--show-toplevel'], w.env], (w) => [bashFloor, ['rev-parse', '--show-toplevel'], w.env]],
  ['benign: git status, /bin/sh shims', '+1 ms', (w) => [w.shShim('git'), ['status'], w.shEnv], [git, ['status'], w.shEnv]],
  ['benign: railway status, /bin/sh shims', '+1 ms', (w) => [w.shShim('railway'), ['status'], w.shEnv], [join(doubles, 'railway'), ['status'], w.shEnv]],
  ['decision, refused: railway volume delete (vs node -e 0)', '1.3×', (w) => [w.shim('railway'), ['volume', 'delete', '--volume', 'pg'], w.agent], [node, ['-e', '0'], plain]],
  ['decision, refused: aws s3 rb --profile acme-prod (vs node -e 0)', '1.3×', (w) => [w.shim('aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], w.agent], [node, ['-e', '0'], plain]],
  ['decision, refused, a week of approvals in the store: railway volume delete (vs node -e 0)', '1.3×', (w) => [w.shim('railway'), ['volume', 'delete', '--volume', 'pg'], w.full], [node, ['-e', '0'], plain]],
  ['decision in Node, without the resident decision (CHAPERONE_SERVER=off), refused: railway volume delete (vs node -e 0)', '1.3×', (w) => [w.shim('railway'), ['volume', 'delete', '--volume', 'pg'], w.alone], [node, ['-e', '0'], plain]],
  ['decision in Node, without the resident decision (CHAPERONE_SERVER=off), refused: psql -c "drop table t" (vs node -e 0)', '1.5×', (w) => [w.shim('psql'), ['-h', 'db.prod.example', '-c', 'drop table t'], w.alone], [node, ['-e', '0'], plain]],
  ['decision, benign: railway variables (vs node -e 0)', '1.3×', (w) => [w.shim('railway'), ['variables'], w.agent], [node, ['-e', '0'], plain]],
  ['decision, benign: psql -c "select 1" (vs node -e 0)', '1.5×', (w) => [w.shim('psql'), ['-h', 'db.prod.example', '-c', 'select 1'], w.agent], [node, ['-e', '0'], plain]],
  ['decision, refused: psql -c "drop table t" (vs node -e 0)', '1.5×', (w) => [w.shim('psql'), ['-h', 'db.prod.example', '-c', 'drop table t'], w.agent], [node, ['-e', '0'], plain]],
  ['decision, refused: psql -c "drop function f()" (vs node -e 0)', '1.5×', (w) => [w.shim('psql'), ['-h', 'db.prod.example', '-c', 'drop function f()'], w.agent], [node, ['-e', '0'], plain]],
  // A statement only PostgreSQL's grammar can read (src/sql/exact.ts reads the two above without it).
  ['decision, refused: psql -c "do $$ … $$", grammar loaded (vs node -e 0)', '1.5×', (w) => [w.shim('psql'), ['-h', 'db.prod.example', '-c', 'do $$ begin drop table t; end $$'], w.agent], [node, ['-e', '0'], plain]],
  ['hook claude, benign payload (vs node reading it)', '1.3×', (w) => [node, w.hook, w.env, hookPayload('git status && ls')], [node, readStdin, plain, hookPayload('git status && ls')]],
  ['hook claude, destructive payload (vs node reading it)', '1.3×', (w) => [node, w.hook, w.env, hookPayload('railway volume delete --volume pg')], [node, readStdin, plain, hookPayload('railway volume delete --volume pg')]],
  ['hook claude, benign payload, the setup line with the resident decision (vs node reading it)', '1.3×', (w) => ['sh', ['-c', w.line], w.served, hookPayload('git status && ls')], [node, readStdin, plain, hookPayload('git status && ls')]],
  ['hook claude, destructive payload, the setup line with the resident decision (vs node reading it)', '1.3×', (w) => ['sh', ['-c', w.line], w.served, hookPayload('railway volume delete --volume pg')], [node, readStdin, plain, hookPayload('railway volume delete --volume pg')]],
  ['hook claude, destructive payload, the setup line without a server (vs node reading it)', '1.3×', (w) => ['sh', ['-c', w.line], { ...w.served, CHAPERONE_SERVER: 'off' }, hookPayload('railway volume delete --volume pg')], [node, readStdin, plain, hookPayload('railway volume delete --volume pg')]],
  ['user rules.yaml of 1,000 rules (vs none; refused aws call)', '1.1×', (w) => [w.shim('aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], w.big], (w) => [w.shim('aws'), ['s3', 'rb', 's3://b', '--profile', 'acme-prod'], w.agent]],
  ['single argument of 128 KiB (vs 32 KiB; refused railway call)', '4×', (w) => [w.shim('railway'), ['volume', 'delete', '--volume', letters(128)], w.agent], (w) => [w.shim('railway'), ['volume', 'delete', '--volume', letters(32)], w.agent]],
].filter(([name]) => !process.env.ROWS || new RegExp(process.env.ROWS).test(name));

/** The servers the worlds started: pid, and their resident and peak memory. Stopped at the end. */
function servers() {
  return worlds.flatMap((x) =>
    x.homes.flatMap((home) => {
      try {
        const pid = Number(readFileSync(join(home, '.local', 'state', 'chaperone', 'server'), 'utf8').split(' ')[3]);
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) / 1024;
        return [{ world: x.label, home, pid, rss: kib('VmRSS'), peak: kib('VmHWM') }];
      } catch {
        return [];
      }
    }),
  );
}

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
const verdict = (budget, ma, mb) => {
  const [value, met] = budget.startsWith('+') ? [`+${(ma - mb).toFixed(1)} ms`, ma - mb <= parseFloat(budget.slice(1))] : [`${(ma / mb).toFixed(2)}×`, ma / mb <= parseFloat(budget)];
  return met ? `**${value}** met` : `${value} not met`;
};
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${release()}; node ${process.version}; ${runs} alternating runs per row; load average at start ${load()}\n`);
const before = worlds.length > 1;
console.log(before ? '| path | budget | baseline (median) | this build (median) | result | before (median) | result before |\n|---|---|---|---|---|---|---|' : '| path | budget | case (median) | baseline (median) | result |\n|---|---|---|---|---|');
for (const [name, budget, made, baseline] of rows) {
  // Each world's case and the baseline (or each world's own), in an order that turns every round, so
  // drift and load fall on all of them alike.
  const own = typeof baseline === 'function';
  const runners = own ? worlds.flatMap((x) => [made(x), baseline(x)]) : [...worlds.map((x) => made(x)), baseline];
  const times = runners.map(() => []);
  for (const r of runners) once(r);

  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < runners.length; k++) {
      const j = (i + k) % runners.length;
      times[j].push(once(runners[j]));
    }
  }
  const m = times.map(median);
  // [case, baseline] medians of each world.
  const pairs = own ? worlds.map((_, i) => [m[2 * i], m[2 * i + 1]]) : worlds.map((_, i) => [m[i], m.at(-1)]);
  const [[ma, mb], previous] = pairs;
  if (before) console.log(`| ${name} | ${budget} | ${mb.toFixed(1)} ms | ${ma.toFixed(1)} ms | ${verdict(budget, ma, mb)} | ${previous[0].toFixed(1)} ms${own ? ` (vs ${previous[1].toFixed(1)} ms)` : ''} | ${verdict(budget, ...previous)} |`);
  else console.log(`| ${name} | ${budget} | ${ma.toFixed(1)} ms | ${mb.toFixed(1)} ms | ${verdict(budget, ma, mb)} |`);
}

const pick = (part) => rows.find(([name]) => name.includes(part));
if (spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0) {
  const budgetRss = (mib) => (Number.isFinite(mib) ? `${mib.toFixed(1)} MiB${mib <= 60 ? ' met' : ' not met'}` : 'n/a');
  console.log(`\n| peak RSS (GNU time, median of 5) | budget | ${worlds.map((x) => x.label).join(' | ')} |\n|---|---|${worlds.map(() => '---|').join('')}`);
  console.log(`| node -e 0 | | ${worlds.map(() => `${peakRss([node, ['-e', '0'], plain]).toFixed(1)} MiB`).join(' | ')} |`);
  for (const [label, part, budget] of [
    ['a refused decision (railway volume delete)', 'decision, refused: railway volume delete', true],
    ['a refused psql decision (drop table t)', 'decision, refused: psql -c "drop table t"', true],
    ['a refused psql decision, grammar loaded (do $$ … $$)', 'grammar loaded', true],
    ['a refused decision in Node, CHAPERONE_SERVER=off (railway volume delete)', 'CHAPERONE_SERVER=off), refused: railway', true],
    ['a refused psql decision in Node, CHAPERONE_SERVER=off (drop table t)', 'CHAPERONE_SERVER=off), refused: psql', true],
    ['the hook, destructive payload', 'destructive payload', false],
  ]) {
    const row = pick(part);
    if (row) console.log(`| ${label} | ${budget ? '60 MiB' : ''} | ${worlds.map((x) => (budget ? budgetRss(peakRss(row[2](x))) : `${peakRss(row[2](x)).toFixed(1)} MiB`)).join(' | ')} |`);
  }
  console.log('| held while the real tool runs | 0 | 0: the sh shim execs the tool, no Node process stays (met) |');
}
// The resident decisions themselves: one per account (here, per home), alive between calls.
for (const s of servers()) console.log(`resident decision (${s.world}, ${s.home.slice(root.length + 1)}): pid ${s.pid}, ${s.rss.toFixed(1)} MiB resident, peak ${s.peak.toFixed(1)} MiB`);
for (const s of servers()) process.kill(s.pid, 'SIGTERM');
console.log(`\nload average at end ${load()}`);
rmSync(root, { recursive: true, force: true });
