// "Never touch what you pass through", as a table. Every row runs the same call four ways, each with the
// same recording double (test/fixtures/fidelity/double.c) behind it:
//   direct     the double itself, as if chaperone were not installed;
//   fast       the shim's fast path (`railway status`: sh execs the tool, no Node);
//   handoff    the shim asks Node, which answers `exec` and the sh shim execs the tool
//              (`railway status` in a directory with a .chaperone.yaml, which sends it the slow way);
//   readahead  psql with SQL piped in: Node reads all of stdin ahead and judges it; the sh shim execs
//              the tool, and a feeder beside it writes the bytes back (src/shim/feed.ts);
//   streamed   the same past a 4-byte read-ahead: the rest is judged statement by statement as it
//              streams, by the feeder beside the exec'd tool, which evaluates the call again to do so
//              (src/shim/feed.ts). Its direct call gets the same CHAPERONE_READ_AHEAD_BYTES.
// Each path must give what the direct call gives: the same argv bytes, environment bytes, working
// directory and stdin bytes (the double prints them length-prefixed), and the same exit status or
// death by signal. The only differences allowed are the documented ones: CHAPERONE_DEPTH is added,
// and argv[0] is the tool's path (the double does not print argv[0]). On the streamed path, a statement
// held mid-stream ends the call with the tool's own status, not 77 (pinned under "known differences"):
// keeping 77 would need the shim to wait for the tool as its parent, and a signal to the shim's pid
// would then stop there for every long stream, held or not (src/shim/feed.ts weighs the two).
//
// Each call starts from `bash -c 'exec env -i -- ENTRY… -- PROGRAM ARG…'`, so that environment and
// argv can hold any byte (Node's spawn would encode strings as UTF-8).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { makeSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, requireTmux, Terminals } from '../helpers/terminal.js';
import { linkRailway } from '../helpers/sandbox.js';

type Path = 'direct' | 'fast' | 'handoff' | 'readahead' | 'streamed';
const shimPaths: Path[] = ['fast', 'handoff', 'readahead', 'streamed'];
/** The paths that run psql with SQL piped in; `streamed` reads only 4 bytes ahead (see start). */
const viaPsql = (path: Path) => path === 'readahead' || path === 'streamed';

interface Call {
  /** Read only 4 bytes ahead (the `streamed` path, and the direct call it is compared with). */
  streamed?: boolean;
  /** Arguments after the tool's usual first words. */
  args?: Buffer[];
  env?: Buffer[];
  stdin?: Buffer;
  action: string;
}

interface Outcome {
  exitCode?: number;
  signal?: string;
  record: string;
}

let sb: Sandbox;
/** The shims the rows go through: the sandbox's (bash -p here), or the /bin/sh ones at the end. */
let shimDir = '';
const dirs = { fast: '', slow: '' };

beforeAll(async () => {
  sb = await makeSandbox(['railway', 'psql']);
  const double = join(sb.root, 'double');
  execFileSync('cc', ['-O1', '-o', double, join(repoRoot, 'test/fixtures/fidelity/double.c')]);
  for (const tool of ['railway', 'psql']) {
    copyFileSync(double, join(sb.doubles, tool));
    chmodSync(join(sb.doubles, tool), 0o755);
  }
  shimDir = sb.shims;
  dirs.fast = join(sb.work, 'fast');
  dirs.slow = join(sb.work, 'slow');
  mkdirSync(dirs.fast);
  mkdirSync(dirs.slow);
  // A project file sends every call in this directory to Node; it adds no rule.
  writeFileSync(join(dirs.slow, '.chaperone.yaml'), 'environments: {}\n');
});

/** `$'…'` for bash, any byte. */
function quote(bytes: Buffer): string {
  let out = "$'";
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    out += byte >= 0x20 && byte < 0x7f && c !== "'" && c !== '\\' ? c : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

const b = (text: string) => Buffer.from(text, 'latin1');

/** What every call's environment holds, as a shell would give it: PATH with the shims first, PWD. */
function baseEnv(cwd: string): Buffer[] {
  const path = sb.env.PATH.replace(sb.shims, shimDir);
  return ['HOME', 'LANG', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'CHAPERONE_TEST_ACCOUNT_HOME'].map((k) => b(`${k}=${sb.env[k]}`)).concat(b(`PATH=${path}`), b(`PWD=${cwd}`), b('SHLVL=2'));
}

/** The program, its first arguments and directory for one path. */
function route(path: Path, readahead: boolean): { program: string; first: string[]; cwd: string } {
  const tool = readahead ? 'psql' : 'railway';
  const first = readahead ? ['-h', 'localhost'] : ['status'];
  if (path === 'direct') return { program: join(sb.doubles, tool), first, cwd: dirs.fast };
  return { program: join(shimDir, tool), first, cwd: path === 'handoff' ? dirs.slow : dirs.fast };
}

function start(path: Path, call: Call, readahead = viaPsql(path), cwdOverride?: string): ResultPromise {
  const { program, first, cwd: routeCwd } = route(path, readahead);
  const cwd = cwdOverride ?? routeCwd;
  const streamed = path === 'streamed' || call.streamed;
  const env = [...(call.env ?? baseEnv(cwd)), b(`FIDELITY_ACTION=${call.action}`), ...(streamed ? [b('CHAPERONE_READ_AHEAD_BYTES=4')] : [])];
  const argv = [b(program), ...first.map(b), ...(call.args ?? [])];
  const line = `exec env -i -- ${env.map(quote).join(' ')} ${argv.map(quote).join(' ')}`;
  return execa('bash', ['-c', line], {
    cwd,
    env: {},
    extendEnv: false,
    reject: false,
    detached: true,
    encoding: 'buffer',
    stripFinalNewline: false,
    ...(call.stdin === undefined ? { input: Buffer.alloc(0) } : { input: call.stdin }),
  }) as ResultPromise;
}

async function outcome(path: Path, call: Call, readahead?: boolean, cwd?: string): Promise<Outcome> {
  const result = await start(path, call, readahead, cwd);
  const record = normalise(Buffer.from(result.stdout as unknown as Uint8Array), path !== 'direct');
  return { ...(result.signal ? { signal: result.signal } : { exitCode: result.exitCode }), record };
}

/**
 * The double's record, environment sorted (the order of entries is not kept by any shell), and for a
 * shim path CHAPERONE_DEPTH taken out once: the one variable chaperone adds, documented.
 */
function normalise(raw: Buffer, viaShim: boolean): string {
  const text = raw.toString('latin1');
  const argc = /^argc (\d+)\n/.exec(text);
  if (!argc) return `unreadable: ${JSON.stringify(text)}`;
  const fields: string[] = [`argc ${argc[1]}`];
  for (let at = argc[0].length; at < text.length; ) {
    const head = /^(\w+) (\d+):/.exec(text.slice(at, at + 64));
    if (!head) {
      fields.push(`unreadable: ${JSON.stringify(text.slice(at))}`);
      break;
    }
    const start = at + head[0].length;
    fields.push(`${head[1]} ${JSON.stringify(text.slice(start, start + Number(head[2])))}`);
    at = start + Number(head[2]) + 1;
  }
  const env = fields.filter((l) => l.startsWith('env '));
  const depth = env.indexOf('env "CHAPERONE_DEPTH=1"');
  if (viaShim && depth !== -1) env.splice(depth, 1);
  return [...fields.filter((l) => !l.startsWith('env ')), ...env.sort()].join('\n');
}

/** Runs `call` every way, and expects each shim path to give exactly what the direct call gave. */
async function expectSame(name: string, call: Call, paths: Path[] = shimPaths): Promise<void> {
  const got = await Promise.all(paths.map((p) => outcome(p, call)));
  for (const [i, p] of paths.entries()) {
    // The direct call in the same directory, with the same first words.
    const { cwd } = route(p, viaPsql(p));
    const wanted = await outcome('direct', { ...call, streamed: p === 'streamed' }, viaPsql(p), cwd);
    expect({ path: p, ...got[i] }, `${name} via ${p}`).toEqual({ path: p, ...wanted });
  }
}

/** Runs rows a few at a time: most of the cost is Node starting, and the rows do not share state. */
async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

describe('the fidelity matrix', () => {
  // Every code on the fast path. On the paths that start Node (one to three processes a call, slow on a
  // loaded machine) a spread of codes: there too the status is the exec'd tool's own, so no code is
  // treated apart from another.
  const spread = [0, 1, 2, 3, 42, 63, 64, 69, 70, 77, 78, 99, 125, 126, 127, 128, 129, 130, 131, 134, 137, 138, 141, 143, 160, 192, 200, 254, 255];
  it('exit codes 0 to 255 come back unchanged on the fast path, and a spread of them on every other', async () => {
    const codes = Array.from({ length: 256 }, (_, i) => i);
    await inBatches(codes, 8, (code) => expectSame(`exit ${code}`, { action: `exit:${code}`, stdin: b('select 1;\n') }, spread.includes(code) ? shimPaths : ['fast']));
  }, 240_000);

  // Every signal that ends (or, by default, does not end) a process; the stop signals are left out, as
  // raising them stops the double rather than ending it.
  const stops = new Set([19, 20, 21, 22]);
  const deaths = Array.from({ length: 31 }, (_, i) => i + 1).filter((n) => !stops.has(n));
  it('a death by each signal, SIGPIPE and SIGUSR1 included, is the caller\'s to see as with a direct call', async () => {
    await inBatches(deaths, 4, (n) => expectSame(`raise ${n}`, { action: `raise:${n}`, stdin: b('select 1;\n') }));
  }, 120_000);

  it('a shell sees the status a direct call gives it: 138 for SIGUSR1, 141 for SIGPIPE', async () => {
    for (const [n, status] of [[10, 138], [13, 141], [6, 134]] as const) {
      for (const path of ['direct', ...shimPaths] as Path[]) {
        const { program, first, cwd } = route(path, viaPsql(path));
        const result = await execa('sh', ['-c', 'echo "select 1;" | "$@"; echo "status=$?"', 'sh', program, ...first], {
          cwd, env: { ...sb.env, PWD: cwd, FIDELITY_ACTION: `raise:${n}`, ...(path === 'streamed' ? { CHAPERONE_READ_AHEAD_BYTES: '4' } : {}) }, extendEnv: false, reject: false,
        });
        expect(/status=(\d+)$/.exec(result.stdout)?.[1], `signal ${n} via ${path}`).toBe(String(status));
      }
    }
  });

  const odd = (...entries: string[]) => entries.map(b);
  it.each([
    ['argv with spaces, quotes, newlines, globs and empty words', { args: odd('a b', "'\"", 'x\ny', '*', '', '-', '--', '$HOME') }],
    ['argv bytes that are not UTF-8', { args: [Buffer.from([0xff, 0xfe, 0x80]), Buffer.from([0xc3, 0x28])] }],
    ['environment names and values that are not UTF-8', { env: 'values' }],
    ['environment values that hold newlines and =', { env: 'text' }],
    ['environment names that are not shell identifiers', { env: 'names' }],
    ['stdin with NUL bytes, invalid UTF-8 and no final newline', { stdin: Buffer.from([0x73, 0x65, 0x6c, 0, 0xff, 0xfe, 0x0a, 0x3b, 0x80]) }],
    ['an empty stdin', { stdin: Buffer.alloc(0) }],
    ['a stdin longer than the read-ahead, streamed after it', { stdin: Buffer.concat([b('select 1;\n'.repeat(2000)), Buffer.from([0, 0xff])]), readAhead: 64 }],
  ] as const)('%s', async (_name, row) => {
    const env = (cwd: string): Buffer[] => {
      const base = baseEnv(cwd);
      const r = row as { env?: string; readAhead?: number };
      const extra = r.readAhead ? [b(`CHAPERONE_READ_AHEAD_BYTES=${r.readAhead}`)] : [];
      if (r.env === 'text') return [...base, ...extra, b('M=line1\nline2'), b('Q=a=b=c'), b('E=')];
      if (r.env === 'values') return [...base, ...extra, Buffer.from([0x56, 0x3d, 0xff, 0xfe]), Buffer.from([0xff, 0x3d, 0x31])];
      if (r.env === 'names') return [...base, ...extra, b('a-b=1'), b('x.y=2'), b('1abc=3'), b('BASH_FUNC_f%%=() {  echo   x; }')];
      if (r.env === 'bare') return base.filter((e) => !e.toString().startsWith('PWD=')).concat(extra);
      return [...base, ...extra];
    };
    const r = row as { args?: Buffer[]; stdin?: Buffer; paths?: Path[] };
    const stdin = r.stdin ?? b('select 1;\n');
    for (const path of r.paths ?? shimPaths) {
      const { cwd } = route(path, viaPsql(path));
      const call = { action: 'exit:3', args: r.args as Buffer[] | undefined, stdin, env: env(cwd) };
      expect({ path, ...(await outcome(path, call)) }).toEqual({ path, ...(await outcome('direct', { ...call, streamed: path === 'streamed' }, viaPsql(path), cwd)) });
    }
  });
});

/**
 * Known differences (docs/decisions.md, "What a benign call sees"). Each is pinned down here, so that
 * closing one shows up as a change to this file.
 */
describe('known differences', () => {
  it('a caller with no PWD and no SHLVL: the shim\'s shell adds PWD (dash and bash), and bash adds SHLVL=0', async () => {
    for (const path of shimPaths) {
      const { cwd } = route(path, viaPsql(path));
      const env = baseEnv(cwd).filter((e) => !/^(PWD|SHLVL)=/.test(e.toString()));
      const call = { action: 'exit:0', env };
      const direct = (await outcome('direct', { ...call, stdin: b('select 1;\n'), streamed: path === 'streamed' }, viaPsql(path), cwd)).record.split('\n');
      const extra = (await outcome(path, { ...call, stdin: b('select 1;\n') })).record.split('\n').filter((l) => !direct.includes(l));
      const bash = readFileSync(join(shimDir, 'railway'), 'utf8').startsWith('#!/bin/bash');
      const added = [`env ${JSON.stringify(`PWD=${cwd}`)}`, ...(bash ? ['env "SHLVL=0"'] : [])];
      expect(extra, path).toEqual(added);
    }
  });

  // The one thing exec gives up (src/shim/feed.ts): a statement held mid-stream cannot make the call
  // end with 77. The tool's input ends before the statement, and its own status is the caller's.
  it('a statement held mid-stream: the tool gets every byte before it and none of it, and its own status comes back, not 77', async () => {
    const before = 'select 1;\n'.repeat(50);
    const env = [...baseEnv(dirs.fast), b('CHAPERONE_ACTOR=agent')];
    const call = { action: 'exit:42', args: [b('-h'), b('db.prod.example')], env, stdin: b(`${before}drop table orders;\nselect 2;\n`) };
    const result = await start('streamed', call);
    expect(result.exitCode).toBe(42);
    expect(normalise(Buffer.from(result.stdout as unknown as Uint8Array), true)).toContain(`stdin ${JSON.stringify(before.slice(0, -1))}`);
    expect(Buffer.from(result.stderr as unknown as Uint8Array).toString()).toContain("chaperone: stopped psql's input before statement 51 (drop table orders;)");
  });
});

/**
 * A signal sent while the tool runs reaches it exactly once, from the sender: whether it is sent to the
 * whole process group (a terminal closing, Ctrl-C) or to the pid the caller started (kill PID, timeout).
 */
describe('signals sent while the tool runs arrive once', () => {
  const signals = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGWINCH'] as const;
  for (const target of ['group', 'pid'] as const) {
    it.each(['direct', 'fast', 'handoff', 'readahead', 'streamed'] as Path[])(`sent to the ${target}: %s`, async (path) => {
      const got: string[] = [];
      for (const signal of signals) {
        const stdin = viaPsql(path) ? 'select 1;\n' : '';
        const child = startWaiting(path, stdin);
        await child.ready;
        process.kill(target === 'group' ? -child.pid : child.pid, signal);
        await child.received();
        const result = await child.finish();
        got.push(`${signal}: ${result.signals} ${result.exit}`);
      }
      const number = (s: string) => ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12, SIGALRM: 14, SIGWINCH: 28 })[s];
      expect(got).toEqual(signals.map((s) => `${s}: ${number(s)} from me exit=0`));
    }, 60_000);
  }
});

/**
 * The double in `wait` mode, its stdin kept open (a pipe the test writes; for psql, past a tiny
 * read-ahead so the tool starts while the stream is still open).
 */
let waits = 0;

function startWaiting(path: Path, stdin: string) {
  // `streamed`: psql fed past a tiny read-ahead, so the rest of its stream is judged as it comes by the
  // feeder beside the tool. `readahead`: all of stdin read first, then the tool exec'd with a feeder.
  const readahead = path === 'readahead' || path === 'streamed';
  const { program, first, cwd } = route(path === 'streamed' ? 'readahead' : path, readahead);
  const done = join(sb.root, `done-${++waits}`);
  const env = [...baseEnv(cwd), b('FIDELITY_ACTION=wait'), b(`FIDELITY_DONE=${done}`), ...(path === 'streamed' ? [b('CHAPERONE_READ_AHEAD_BYTES=4')] : [])];
  const line = `exec env -i -- ${env.map(quote).join(' ')} ${[b(program), ...first.map(b)].map(quote).join(' ')}`;
  const child = execa('bash', ['-c', line], { cwd, env: {}, extendEnv: false, reject: false, detached: true, stdin: 'pipe', encoding: 'buffer' });
  child.stdin!.write(stdin);
  // A stream read whole ends here; one that streams stays open until the signal has been seen.
  if (path !== 'streamed') child.stdin!.end();
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  const until = (test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (test() ? resolve() : waiters.push(check));
      check();
      void child.then(() => (test() ? resolve() : reject(new Error(`the double ended without it; stderr: ${stderr}`))));
    });
  return {
    pid: child.pid!,
    ready: until(() => stderr.includes('ready\n')),
    received: () => until(() => /^\d+ from \d+$/m.test(stderr)),
    async finish() {
      child.stdin!.end();
      writeFileSync(done, '');
      const result = await child;
      const signals = [...stderr.matchAll(/^(\d+) from (\d+)$/gm)].map((m) => `${m[1]} from ${Number(m[2]) === process.pid ? 'me' : m[2]}`).join(', ');
      return { signals, exit: result.signal ? `signal=${result.signal}` : `exit=${result.exitCode}` };
    },
  };
}

/** The prompt's terminal after chaperone is interrupted there, by each signal, sent each way. */
describe('the terminal after an interrupted confirmation', () => {
  if (!haveTmux) {
    requireTmux('fidelity-matrix.test.ts');
    return;
  }
  const terminals = new Terminals();
  afterAll(() => terminals.close());
  it.each([
    ['SIGKILL', 'node'],
    ['SIGTERM', 'node'],
    ['SIGINT', 'node'],
    ['SIGTERM', 'group'],
    ['SIGHUP', 'group'],
  ] as const)('%s to the %s leaves it in its ordinary mode', async (signal, target) => {
    const home = join(sb.work, `prompt-${signal}-${target}`);
    mkdirSync(home);
    linkRailway(sb, home, 'production');
    // Job control puts the call in a process group of its own, as an interactive shell would.
    // The mode is read once no process of the call is left: a group signal ends the shim at once, and
    // the decision resets the terminal as it ends, a moment later.
    const term = terminals.open(sb, `set -m\nrailway volume delete --volume pg-data; s=$?; while pgrep -f 'shim.cjs --handoff=4:feed(:server)? ${join(sb.shims, 'railway')}' >/dev/null; do sleep 0.02; done; (exit $s)`, { cwd: home });
    try {
      await term.waitFor('Type production to run it');
      term.type('produc');
      const node = execFileSync('pgrep', ['-f', `shim.cjs --handoff=4:feed(:server)? ${join(sb.shims, 'railway')} volume delete`], { encoding: 'utf8' }).trim().split('\n')[0];
      const group = Number(spawnSync('ps', ['-o', 'pgid=', '-p', node], { encoding: 'utf8' }).stdout.trim());
      process.kill(target === 'node' ? Number(node) : -group, signal);
      const { screen } = await term.exit();
      expect(screen).toContain('TTY=icanon echo');
    } finally {
      terminals.closeSessions();
    }
  });
});

/**
 * The same shims written for /bin/sh (`CHAPERONE_SHIM_SHELL=sh`, or where bash does not keep odd names):
 * everything above holds there too, but for the entries dash drops.
 */
describe('shims written for /bin/sh', () => {
  beforeAll(async () => {
    shimDir = join(sb.root, 'sh-shims');
    const installed = await sb.chaperone(['install', '--dir', shimDir, 'railway', 'psql'], { env: { CHAPERONE_SHIM_SHELL: 'sh' } });
    expect(installed.exitCode, String(installed.stderr)).toBe(0);
    expect(readFileSync(join(shimDir, 'railway'), 'utf8').split('\n')[0]).toBe('#!/bin/sh');
  });
  afterAll(() => {
    shimDir = sb.shims;
  });

  it('exit codes and deaths by signal, SIGQUIT included, come back as from the direct call', async () => {
    const rows = [0, 1, 77, 126, 127, 255].map((n) => `exit:${n}`).concat([1, 3, 6, 9, 10, 13, 15, 28, 31].map((n) => `raise:${n}`));
    await inBatches(rows, 4, (action) => expectSame(action, { action, stdin: b('select 1;\n') }));
  });

  it('argv, environment values and stdin bytes arrive exact; names that are not identifiers are dropped (dash)', async () => {
    for (const path of ['fast', 'handoff', 'readahead', 'streamed'] as Path[]) {
      const { cwd } = route(path, viaPsql(path));
      const call = { action: 'exit:0', args: [Buffer.from([0xff, 0x20, 0x0a])], env: [...baseEnv(cwd), Buffer.from([0x56, 0x3d, 0xff]), b('a-b=1')], stdin: Buffer.from([0x73, 0, 0xff, 0x3b]) };
      const direct = (await outcome('direct', { ...call, streamed: path === 'streamed' }, viaPsql(path), cwd)).record.split('\n');
      const got = (await outcome(path, call)).record.split('\n');
      expect(direct.filter((l) => !got.includes(l)), path).toEqual(['env "a-b=1"']);
      expect(got.filter((l) => !direct.includes(l)), path).toEqual([]);
    }
  });

  it('a signal to the group or to the pid reaches the tool once, on the read-ahead and streamed paths too', async () => {
    for (const path of ['fast', 'handoff', 'readahead', 'streamed'] as Path[]) {
      for (const target of ['group', 'pid'] as const) {
        const child = startWaiting(path, viaPsql(path) ? 'select 1;\n' : '');
        await child.ready;
        process.kill(target === 'group' ? -child.pid : child.pid, 'SIGTERM');
        await child.received();
        expect(await child.finish(), `${path} ${target}`).toEqual({ signals: '15 from me', exit: 'exit=0' });
      }
    }
  });
});
