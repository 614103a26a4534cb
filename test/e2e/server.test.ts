// The resident decision (src/server/) decides exactly as the shim's own Node does. Every built-in
// rule's command, and benign commands of every tool, go through the real bash shim twice in the same
// sandbox: once answered by a warm server (CHAPERONE_SERVER=on; the server's answer log shows it
// decided, so no Node decision ran), once by Node (CHAPERONE_SERVER=off). Exit code, what the double
// saw (whether it ran, and its argv byte for byte), stdout and stderr (approval codes aside) must be
// equal, for an agent against production, for CI, and where calls run with a notice.
//
// Then what passes through the server path untouched (argv, environment, cwd, exit codes, signals,
// stdin, inherited descriptors), its lifecycle (start, idle exit, a rebuilt chaperone, a stale or
// foreign state file), and what it leaves to Node (stdin read by the decision, a terminal, an approval).

import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve } from '../../src/approval/store.js';
import { loadConfig } from '../../src/rules/load.js';
import { allRules, type Rule } from '../../src/rules/config.js';
import { executables, toolOf } from '../../src/tools/index.js';
import { emptyHome } from '../helpers/evaluate.js';
import { linkRailway, makeSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';
import { alive, answerFor, answers, runningServer, serverProcesses, serverState, stateFileOf, stopServersAfterAll, until } from '../helpers/server.js';

const withServer = stopServersAfterAll();

/** One call's outcome, as the caller and the double saw it. */
interface Outcome {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** The argv of each run of the double (a refused call: none), in order of the runs. */
  runs: string[][];
  /** The environment of each run, sorted, less the variables the two paths are called with. */
  envs: string[][];
  /** The shim's process id: its `$$`, which the server's answer log names. */
  pid: number | undefined;
}

/**
 * A double for every executable that records each run under $RECORDS/$SRV_CALL/<pid>/ as the kernel
 * gave it: /proc/$$/cmdline (argv byte for byte), /proc/$$/environ (every entry, odd names included,
 * which a shell would drop), its cwd, stdin, and its descriptors 5, 10, 11 and 12 (target and offset).
 * FAIL_WITH makes it exit with that status, DIE_BY kills it with that signal.
 */
function recordingDoubles(sb: Sandbox, names: readonly string[]): void {
  const script = [
    '#!/bin/sh',
    // git's exec-path question, asked by chaperone itself (src/shim/git-exec-path.ts): not a call.
    '[ "${1-}" = --exec-path ] && exit 1',
    'd="$RECORDS/${SRV_CALL:-none}/$$"; mkdir -p "$d"',
    'cat /proc/$$/cmdline > "$d/cmdline"; cat /proc/$$/environ > "$d/environ"; pwd -P > "$d/cwd"',
    'for fd in 5 10 11 12; do',
    '  if [ -e /proc/$$/fd/$fd ]; then { readlink /proc/$$/fd/$fd; grep -E "^(pos|flags):" /proc/$$/fdinfo/$fd; } > "$d/fd$fd"; fi',
    'done',
    // Every descriptor the double holds, by number and target (the shell's own script among them).
    // (find is a child, so the shell has not moved a descriptor aside for a redirection of its own, nor
    // holds a pipe to it.)
    'find /proc/$$/fd -mindepth 1 -printf "%f %l\\n" > "$d/fds"',
    '[ -n "${READ_STDIN-}" ] && cat > "$d/stdin"',
    '[ -n "${DIE_BY-}" ] && kill -"$DIE_BY" $$',
    'exit "${FAIL_WITH:-0}"',
    '',
  ].join('\n');
  for (const name of names) {
    writeFileSync(join(sb.doubles, name), script);
    chmodSync(join(sb.doubles, name), 0o755);
  }
}

/** The runs the double recorded for call `id`: their directories, in the order they ran. */
function runDirs(sb: Sandbox, id: string): string[] {
  const dir = join(sb.records, id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort((a, b) => Number(a) - Number(b))
    .map((pid) => join(dir, pid));
}

/** A run's argv after the shell and script path of the double, as latin1 (every byte kept). */
function argvOf(runDir: string): string[] {
  return readFileSync(join(runDir, 'cmdline'), 'latin1').replace(/\0$/, '').split('\0').slice(2);
}

let calls = 0;

/** Runs `executable ARGS` through its shim in the sandbox's work directory. */
async function call(sb: Sandbox, executable: string, args: string[], env: Record<string, string>, options: { server: boolean; input?: string }): Promise<Outcome> {
  const id = `call-${++calls}`;
  const child = sb.run(join(sb.shims, executable), args, {
    env: { ...env, SRV_CALL: id, CHAPERONE_SERVER: options.server ? 'on' : 'off' },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  const pid = child.pid;
  const result = await child;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    runs: runDirs(sb, id).map(argvOf),
    envs: runDirs(sb, id).map((run) => environ(run).sort()),
    pid,
  };
}

/** Approval codes differ from request to request; everything else must match. */
const normal = (text: string) => text.replace(/\b[2-9A-Z]{3}-[2-9A-Z]{3}\b/g, 'CODE');

/** Runs `work` over `items`, `width` at a time. */
async function inPool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

// ── the commands ────────────────────────────────────────────────────────────────────────────────

interface Case {
  executable: string;
  args: string[];
  /** What the case stands for, in a failure. */
  what: string;
}

/** The first executable a rule's tool is installed under (mysql for `tool: mysql`, not mariadb). */
const executableOf = (tool: string) => executables.find((e) => toolOf(e) === tool);

/** Each rule's first command path, its words made concrete, then each flag it requires. */
function ruleCase(rule: Rule): Case | undefined {
  const executable = executableOf(rule.tools[0]);
  if (executable === undefined) return undefined;
  const path = (rule.command[0] ?? '').trim().split(/\s+/).filter(Boolean).map((word) => word.split('|')[0].replace(/\*/g, 'x'));
  const flags = rule.with.map((c) => (c.value !== undefined ? `${c.flag}=${c.value}` : c.below !== undefined ? `${c.flag}=0` : c.flag));
  return { executable, args: [...path, ...flags], what: rule.id };
}

/** Benign calls of every tool, off each shim's fast path so that they reach a decision. */
const benign: Record<string, string[][]> = {
  railway: [['variables'], ['up', '--detach']],
  // Without -c, psql reads its stdin (here /dev/null): the server reads the caller's, not its own.
  psql: [['-h', 'db.prod.example', '-c', 'select 1'], ['-h', 'db.prod.example'], ['--list']],
  dropdb: [['--help']],
  pg_restore: [['--list', 'dump.file']],
  prisma: [['migrate', 'status']],
  'drizzle-kit': [['--version']],
  rails: [['routes']],
  rake: [['-T']],
  'django-admin': [['help']],
  alembic: [['--help']],
  knex: [['migrate:status']],
  sequelize: [['db:migrate:status']],
  typeorm: [['migration:show']],
  aws: [['s3', 'ls'], ['sts', 'get-caller-identity']],
  kubectl: [['config', 'current-context'], ['--context', 'prod', 'get', 'pods']],
  helm: [['repo', 'list']],
  terraform: [['workspace', 'show'], ['state', 'list']],
  gcloud: [['config', 'list'], ['compute', 'instances', 'list']],
  gsutil: [['ls', 'gs://bucket']],
  heroku: [['apps']],
  fly: [['apps', 'list']],
  supabase: [['projects', 'list']],
  vercel: [['ls']],
  doctl: [['compute', 'droplet', 'list']],
  docker: [['run', '--rm', 'alpine', 'true'], ['compose', 'ps']],
  gh: [['pr', 'list'], ['api', 'repos/acme/shop']],
  git: [['branch', '-a'], ['push', 'origin', 'feature/x']],
  mysql: [['-h', 'db.prod.example', '-e', 'select 1']],
  mongosh: [['--eval', 'db.stats()']],
  'redis-cli': [['-h', 'cache.prod.example', 'get', 'k']],
  curl: [['https://api.example.com/v1/items']],
  wget: [['https://example.com/file']],
  http: [['GET', 'https://api.example.com/v1/items']],
  xh: [['https://api.example.com/v1/items']],
  velero: [['backup', 'get']],
  ssh: [['host.example', 'uptime'], ['host.example']],
  pulumi: [['stack', 'ls']],
  terragrunt: [['plan']],
  cdk: [['diff']],
  sst: [['dev']],
  serverless: [['info']],
  mongorestore: [['--help']],
  mysqladmin: [['status']],
  az: [['account', 'show']],
  wrangler: [['whoami']],
  firebase: [['projects:list']],
  neonctl: [['projects', 'list']],
  pscale: [['database', 'list']],
  turso: [['db', 'list']],
  netlify: [['status']],
};

function catalogue(rules: readonly Rule[], everyBenign: boolean): Case[] {
  const cases = rules.map(ruleCase).filter((c): c is Case => c !== undefined);
  for (const executable of executables) {
    const calls = [...(benign[executable] ?? benign[toolOf(executable) ?? ''] ?? []), ['--version']];
    for (const args of everyBenign ? calls : calls.slice(0, 1)) cases.push({ executable, args, what: `benign ${executable} ${args.join(' ')}` });
  }
  return cases;
}

// ── the differential ────────────────────────────────────────────────────────────────────────────

/** Where a call runs: an agent against production, CI, and a sandbox whose targets run with a notice. */
interface Scenario {
  name: string;
  env: Record<string, string>;
  /** A user rules.yaml for the sandbox. */
  userRules?: string;
  /** Every rule and every benign call, or the first rule and the first benign call of each tool. */
  everyRule: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'an agent against production',
    env: { CHAPERONE_ACTOR: 'agent', TF_WORKSPACE: 'prod', DOCKER_HOST: 'tcp://docker.prod.example.com:2376', KUBECONFIG: '/nonexistent' },
    everyRule: true,
  },
  // Only the actor and the gate's branch differ from the agent's: the first rule of each tool.
  { name: 'CI, no terminal', env: { CI: 'true', TF_WORKSPACE: 'prod' }, everyRule: false },
  {
    name: 'a development target, run with a notice',
    env: { CHAPERONE_ACTOR: 'agent', TF_WORKSPACE: 'dev', DOCKER_HOST: 'tcp://docker.dev.example.com:2376', KUBECONFIG: '/nonexistent' },
    // What no flag or file names is unknown: here it runs with a notice, as development does by default.
    userRules: 'policy:\n  unknown: notice\n',
    everyRule: false,
  },
];

interface Mismatch {
  what: string;
  argv: string[];
  server: Partial<Outcome> & { answer?: string };
  node: Partial<Outcome>;
}

describe('the server decides every catalogue command as the Node decision does', () => {
  let rules: readonly Rule[];
  beforeAll(async () => {
    rules = allRules(await loadConfig(emptyHome, { HOME: emptyHome }));
  });

  for (const scenario of scenarios) {
    it(`for ${scenario.name}`, async () => {
      const sb = withServer(await makeSandbox(executables));
      recordingDoubles(sb, executables);
      if (scenario.userRules) sb.write('home/.config/chaperone/rules.yaml', scenario.userRules);
      const chosen = scenario.everyRule ? rules : rules.filter((r, i) => rules.findIndex((o) => o.tools[0] === r.tools[0]) === i);
      const cases = catalogue(chosen, scenario.everyRule);

      // A first decided call starts the server; every call after it asks the server first.
      await call(sb, 'railway', ['volume', 'delete', '--volume', 'warm-up'], scenario.env, { server: true });
      const server = await runningServer(sb);

      const mismatches: Mismatch[] = [];
      const notDecided: string[] = [];
      const verdicts = { exec: 0, refuse: 0 };
      await inPool(cases, 4, async ({ executable, args, what }) => {
        const viaServer = await call(sb, executable, args, scenario.env, { server: true });
        const viaNode = await call(sb, executable, args, scenario.env, { server: false });
        const answer = answerFor(sb, viaServer.pid);
        if (answer === undefined || !/^(exec|refuse) /.test(answer)) notDecided.push(`${what}: ${answer ?? 'not asked'}`);
        else verdicts[answer.startsWith('exec') ? 'exec' : 'refuse']++;
        const same = (o: Outcome) => ({ exitCode: o.exitCode, signal: o.signal, stdout: o.stdout, stderr: normal(o.stderr), runs: o.runs, envs: o.envs });
        try {
          expect(same(viaServer)).toEqual(same(viaNode));
        } catch {
          mismatches.push({ what, argv: [executable, ...args], server: { ...same(viaServer), answer }, node: same(viaNode) });
        }
      });

      expect(mismatches).toEqual([]);
      expect(notDecided).toEqual([]);
      // Both verdicts were exercised, and the one server decided them all.
      // (Not every rule's bare words reach it: SQL rules need a statement, some rules a value.)
      if (scenario.userRules) expect(verdicts.exec).toBeGreaterThan(cases.length * 0.9);
      else expect(verdicts.refuse).toBeGreaterThan(chosen.length * 0.5);
      expect(verdicts.exec).toBeGreaterThan(0);
      expect(serverState(sb)?.pid).toBe(server.pid);
      console.log(`server.test.ts: ${scenario.name}: ${cases.length} commands, ${verdicts.refuse} refused and ${verdicts.exec} run, the same through the server and through Node`);
    }, 240_000);
  }
});

describe('the server reads the files a decision depends on at every call, as Node does', () => {
  it('follows the user\'s rules, a project file and the tool\'s own config as they change between calls', async () => {
    const sb = withServer(await makeSandbox(['railway']));
    recordingDoubles(sb, ['railway']);
    const agent = { CHAPERONE_ACTOR: 'agent' };
    // A destroy the link bounds (a volume delete is production's wherever it is linked).
    const deleteVariable = ['variable', 'delete', 'DATABASE_URL'];
    await call(sb, 'railway', deleteVariable, agent, { server: true });
    await runningServer(sb);
    const steps: [string, () => void, 'exec' | 'refuse'][] = [
      ['nothing names the environment', () => undefined, 'refuse'],
      ['Railway links the directory to development', () => linkRailway(sb, sb.work, 'development'), 'exec'],
      ['a project file asks for the name in development too', () => sb.write('work/.chaperone.yaml', 'policy:\n  development: confirm-name\n'), 'refuse'],
      ['the project file is gone', () => rmSync(join(sb.work, '.chaperone.yaml')), 'exec'],
      ['Railway links it to production', () => linkRailway(sb, sb.work, 'production'), 'refuse'],
      ['the user disables the rule', () => sb.write('home/.config/chaperone/rules.yaml', 'disable: [railway.variable.delete]\n'), 'exec'],
      ['the user enables it again', () => sb.write('home/.config/chaperone/rules.yaml', '{}\n'), 'refuse'],
    ];
    /** The audit log's last record, less what differs from record to record. */
    const lastRecord = () => {
      const { time: _time, seq: _seq, prev: _prev, ...rest } = JSON.parse(readFileSync(join(sb.home, '.local/state/chaperone/audit.jsonl'), 'utf8').trim().split('\n').at(-1)!);
      return rest;
    };
    for (const [what, change, verdict] of steps) {
      change();
      const viaServer = await call(sb, 'railway', deleteVariable, agent, { server: true });
      const serverRecord = lastRecord();
      const viaNode = await call(sb, 'railway', deleteVariable, agent, { server: false });
      // The same audit record, too.
      expect(lastRecord(), what).toEqual(serverRecord);
      expect(answerFor(sb, viaServer.pid), what).toMatch(new RegExp(`^${verdict} `));
      expect({ exitCode: viaServer.exitCode, stderr: normal(viaServer.stderr), runs: viaServer.runs }, what).toEqual({
        exitCode: viaNode.exitCode,
        stderr: normal(viaNode.stderr),
        runs: viaNode.runs,
      });
    }
  });
});

// ── fidelity through the server path ────────────────────────────────────────────────────────────

/**
 * Runs a bash script whose last command execs a shim, so the shim keeps the script's process id (the
 * one the server's answer log names). `$shims` in the script is the shim directory.
 */
async function callScript(sb: Sandbox, script: string, env: Record<string, string>, options: { server: boolean; input?: string | Uint8Array; cwd?: string }) {
  const id = `call-${++calls}`;
  const child = sb.run('bash', ['-c', script], {
    env: { ...env, shims: sb.shims, SRV_CALL: id, CHAPERONE_SERVER: options.server ? 'on' : 'off' },
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    encoding: 'buffer',
  });
  const pid = child.pid;
  const result = await child;
  return { result, stderr: Buffer.from(result.stderr as Uint8Array).toString(), pid, runs: runDirs(sb, id), answer: () => answerFor(sb, pid) };
}

/** A file of a run of the double, raw; undefined when it did not write it. */
function recorded(runDir: string, name: string): Buffer | undefined {
  const path = join(runDir, name);
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** The entries of a recorded /proc/PID/environ that the two paths may differ in: none but these. */
const ours = new Set(['CHAPERONE_SERVER', 'SRV_CALL']);
function environ(runDir: string): string[] {
  return recorded(runDir, 'environ')!
    .toString('latin1')
    .split('\0')
    .filter((entry) => entry !== '' && !ours.has(entry.slice(0, entry.indexOf('='))));
}

describe('what the tool gets through the server path is what the caller gave', () => {
  let sb: Sandbox;
  const agent = { CHAPERONE_ACTOR: 'agent' };
  beforeAll(async () => {
    sb = withServer(await makeSandbox(['aws', 'railway', 'psql', 'git', 'ssh']));
    recordingDoubles(sb, ['aws', 'railway', 'psql', 'git', 'ssh']);
    await call(sb, 'railway', ['volume', 'delete', '--volume', 'warm-up'], agent, { server: true });
    await runningServer(sb);
  });

  /** The same script through the server (which must decide it: `exec`) and through Node; both runs. */
  async function both(script: string, env: Record<string, string> = agent, options: { input?: string | Uint8Array; cwd?: string } = {}) {
    const viaServer = await callScript(sb, script, env, { ...options, server: true });
    expect(viaServer.answer()).toMatch(/^exec 1 /);
    const viaNode = await callScript(sb, script, env, { ...options, server: false });
    expect(viaNode.answer()).toBeUndefined();
    expect(viaServer.runs).toHaveLength(1);
    expect(viaNode.runs).toHaveLength(1);
    return { viaServer, viaNode, server: viaServer.runs[0], node: viaNode.runs[0] };
  }

  it('passes argv byte for byte: spaces, new lines, empty arguments, bytes that are not UTF-8', async () => {
    const { server, node } = await both(`exec "$shims/aws" s3 ls 'two words' $'line\\nbreak' '' $'\\xff\\xfe\\x80' '--x=é' "$(printf '\\t')"`);
    const expected = Buffer.concat([
      Buffer.from('s3\0ls\0two words\0line\nbreak\0\0', 'latin1'),
      Buffer.from([0xff, 0xfe, 0x80, 0]),
      Buffer.from('--x=é\0\t\0', 'utf8'),
    ]);
    const argsOf = (run: string) => {
      const cmdline = recorded(run, 'cmdline')!;
      // After the double's shell and its path.
      let at = 0;
      for (let skip = 0; skip < 2; skip++) at = cmdline.indexOf(0, at) + 1;
      return cmdline.subarray(at);
    };
    expect(argsOf(server)).toEqual(expected);
    expect(argsOf(node)).toEqual(expected);
  });

  it('passes every environment entry: names that are not identifiers, BASH_FUNC_ entries, odd values', async () => {
    const odd = ['A-B=1', '1X=2', 'a.b=3', 'BASH_FUNC_f%%=() { echo from-a-function; }', 'EMPTY=', 'NL=one\ntwo', 'SPACE NAME=x'];
    const script = `exec env ${odd.map((e) => `$'${e.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`).join(' ')} RAW=$'\\xff\\x80' "$shims/aws" s3 ls`;
    const { server, node } = await both(script);
    const serverEnv = environ(server);
    for (const entry of [...odd, 'RAW=\u00ff\u0080']) expect(serverEnv).toContain(entry);
    expect(serverEnv.sort()).toEqual(environ(node).sort());
  });

  it('never judges a name the environment gives twice by another entry than the one the tool gets', async () => {
    // No shell can make such an environment; execve can. bash keeps the last entry of a name and
    // passes that one to Node and to the tool; a server that read the first judged another host (and
    // ran a DROP on prod). The server leaves such a call to the shim's Node.
    const entries = (server: boolean, id: string) => [
      ...Object.entries({ ...sb.env, CHAPERONE_ACTOR: 'agent', SRV_CALL: id, CHAPERONE_SERVER: server ? 'on' : 'off' }).map(([k, v]) => `${k}=${v}`),
      'PGHOST=localhost',
      'PGHOST=db.prod.example',
    ];
    const execve = [
      'import ctypes, json, sys',
      'argv = [a.encode() for a in sys.argv[2:]]; envp = [e.encode() for e in json.loads(sys.argv[1])]',
      'ctypes.CDLL(None).execve(argv[0], (ctypes.c_char_p * (len(argv) + 1))(*argv, None), (ctypes.c_char_p * (len(envp) + 1))(*envp, None))',
      'sys.exit(127)',
    ].join('\n');
    for (const server of [true, false]) {
      const id = `call-${++calls}`;
      const child = sb.run('python3', ['-c', execve, JSON.stringify(entries(server, id)), join(sb.shims, 'psql'), '-c', 'drop table orders']);
      const result = await child;
      if (server) expect(answerFor(sb, child.pid)).toMatch(/^(refuse|node)/);
      expect(result.exitCode).toBe(77);
      expect(result.stderr).toContain('environment  (production): "db.prod.example" contains "prod"');
      expect(runDirs(sb, id)).toEqual([]);
    }
  });

  it('reads the home of a caller without HOME as its own Node would (the account\'s), not the server\'s HOME', async () => {
    // The server was started with the sandbox's HOME, whose Railway config calls this directory
    // development; a caller without HOME reads the account's home (os.homedir), where it is not.
    linkRailway(sb, sb.work, 'development');
    const script = 'exec env -u HOME "$shims/railway" variable delete DATABASE_URL';
    const viaServer = await callScript(sb, script, agent, { server: true });
    const viaNode = await callScript(sb, script, agent, { server: false });
    expect(viaServer.answer()).toMatch(/^(exec|refuse) /);
    expect(viaServer.result.exitCode).toBe(viaNode.result.exitCode);
    expect(viaServer.runs.length).toBe(viaNode.runs.length);
    expect(normal(viaServer.stderr)).toBe(normal(viaNode.stderr));
    // With HOME, both read the sandbox's config: development, run with a notice.
    const withHome = await callScript(sb, 'exec "$shims/railway" variable delete DATABASE_URL', agent, { server: true });
    expect(withHome.answer()).toMatch(/^exec /);
    expect(withHome.stderr).toContain('(development): allowed');
    rmSync(join(sb.home, '.railway'), { recursive: true });
  });

  it('runs git with the same exec-path overlay (GIT_EXEC_PATH), and the same environment otherwise', async () => {
    const { server, node } = await both('exec "$shims/git" branch -a');
    const overlay = (run: string) => environ(run).find((entry) => entry.startsWith('GIT_EXEC_PATH='));
    expect(overlay(server)).toMatch(/^GIT_EXEC_PATH=.*\.git-exec-path\//);
    expect(overlay(server)).toBe(overlay(node));
    expect(environ(server).sort()).toEqual(environ(node).sort());
  });

  it('decides as Node does with stdin closed, a working directory that is gone, and a host name that is not UTF-8', async () => {
    sb.write('work/gone/.keep', '');
    const cases: [string, 'exec' | 'refuse' | 'node'][] = [
      // Node's own start opens /dev/null on a closed fd 0; the server sees it closed: the same reading.
      // (The shim's Node once read the pipe of its own answer there: psql waited for ever, ssh refused.)
      ['exec "$shims/psql" -h db.prod.example shop <&-', 'exec'],
      ['exec "$shims/ssh" prod.example.com <&-', 'exec'],
      ['exec "$shims/psql" -h db.prod.example -c "drop table t" shop <&-', 'refuse'],
      [`exec "$shims/psql" -h $'db.prod\xff.example' -c 'drop table t' shop`, 'refuse'],
      [`exec "$shims/psql" -h $'db.dev\xff.example' -c 'select 1' shop`, 'exec'],
      // The server reads no directory that is gone; Node goes by PWD.
      [`cd ${JSON.stringify(join(sb.work, 'gone'))} && rm .keep && rmdir "$PWD" && exec "$shims/psql" -h db.prod.example -c "drop table t" shop`, 'node'],
    ];
    for (const [script, action] of cases) {
      sb.write('work/gone/.keep', '');
      const viaServer = await callScript(sb, script, agent, { server: true });
      sb.write('work/gone/.keep', '');
      const viaNode = await callScript(sb, script, agent, { server: false });
      expect(viaServer.answer() ?? 'none', script).toMatch(new RegExp(`^${action}`));
      expect({ exitCode: viaServer.result.exitCode, stderr: normal(viaServer.stderr), runs: viaServer.runs.length }, script).toEqual({
        exitCode: viaNode.result.exitCode,
        stderr: normal(viaNode.stderr),
        runs: viaNode.runs.length,
      });
      // A tool the caller gave no stdin gets none, either way.
      if (script.includes('<&-')) for (const run of [...viaServer.runs, ...viaNode.runs]) expect(recorded(run, 'fds')!.toString()).not.toMatch(/^0 /m);
    }
  });

  it('decides a nested line as Node does when the caller sets IFS or OLDPWD, which bash passes on changed', async () => {
    // bash takes no IFS from its environment and passes on its own (space, tab, new line), and drops an
    // OLDPWD that is no directory; the server, which reads the environment the shim started with,
    // leaves such a call to the shim's Node.
    const inner = `c='/usr/local/bin/railway volume delete --volume data --yes'; $c`;
    for (const [name, value] of [['IFS', 'x'], ['IFS', ''], ['OLDPWD', '/nonexistent-dir']] as const) {
      const script = `exec env ${name}=${JSON.stringify(value)} "$shims/railway" run -- sh -c ${JSON.stringify(inner)}`;
      const viaServer = await callScript(sb, script, agent, { server: true });
      const viaNode = await callScript(sb, script, agent, { server: false });
      expect(viaServer.answer(), script).toBe('node');
      expect({ exitCode: viaServer.result.exitCode, stderr: normal(viaServer.stderr), runs: viaServer.runs.length }, script).toEqual({
        exitCode: viaNode.result.exitCode,
        stderr: normal(viaNode.stderr),
        runs: viaNode.runs.length,
      });
    }
  });

  it('runs the tool in the caller\'s directory, whatever its name', async () => {
    const dir = join(sb.root, 'a dir\nwith a new line');
    mkdirSync(dir);
    const { server, node } = await both('exec "$shims/aws" s3 ls', agent, { cwd: dir });
    expect(recorded(server, 'cwd')!.toString()).toBe(`${dir}\n`);
    expect(recorded(node, 'cwd')!.toString()).toBe(`${dir}\n`);
  });

  it('gives back the tool\'s exit code, 0 to 255, and its death by a signal', async () => {
    const codes = [0, 1, 2, 3, 7, 42, 64, 69, 70, 76, 77, 78, 100, 125, 126, 127, 128, 129, 143, 200, 254, 255];
    await inPool(codes, 4, async (code) => {
      const viaServer = await callScript(sb, 'exec "$shims/aws" s3 ls', { ...agent, FAIL_WITH: String(code) }, { server: true });
      expect(viaServer.answer()).toMatch(/^exec /);
      expect(viaServer.result.exitCode).toBe(code);
      expect(viaServer.runs).toHaveLength(1);
    });
    for (const signal of ['TERM', 'KILL', 'HUP', 'USR1']) {
      const viaServer = await callScript(sb, 'exec "$shims/aws" s3 ls', { ...agent, DIE_BY: signal }, { server: true });
      const viaNode = await callScript(sb, 'exec "$shims/aws" s3 ls', { ...agent, DIE_BY: signal }, { server: false });
      expect(viaServer.answer()).toMatch(/^exec /);
      expect(viaServer.result.signal).toBe(`SIG${signal}`);
      expect(viaNode.result.signal).toBe(`SIG${signal}`);
    }
  });

  it('leaves a pipe on stdin to the tool, every byte of it', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('rest of the stream\n'.repeat(5000))]);
    const { server, node } = await both('exec "$shims/aws" s3 ls', { ...agent, READ_STDIN: '1' }, { input: bytes });
    expect(recorded(server, 'stdin')).toEqual(bytes);
    expect(recorded(node, 'stdin')).toEqual(bytes);
  });

  it('leaves the caller\'s descriptors as they were: fd 5, 10, 11 and 12 open, offsets kept, no socket', async () => {
    const files = ['five', 'ten', 'eleven', 'twelve'].map((name) => sb.write(`fds/${name}`, `${name} first line\n${name} second line\n`));
    // fd 10 and 11 are open in the caller, so the client's own descriptor ({var}, 10 and up) is another;
    // fd 12 has been read one line in.
    const script = `exec 5<'${files[0]}' 10<'${files[1]}' 11>>'${files[2]}' 12<'${files[3]}'; read -r _ <&12; exec "$shims/aws" s3 ls`;
    const { server, node } = await both(script);
    for (const run of [server, node]) {
      const [five, ten, eleven, twelve] = [5, 10, 11, 12].map((fd) => recorded(run, `fd${fd}`)?.toString());
      expect(five).toMatch(new RegExp(`^${files[0]}\\npos:\\t0\\n`));
      expect(ten).toMatch(new RegExp(`^${files[1]}\\npos:\\t0\\n`));
      expect(eleven).toMatch(new RegExp(`^${files[2]}\\npos:\\t0\\n`));
      expect(twelve).toMatch(new RegExp(`^${files[3]}\\npos:\\t${'twelve first line\n'.length}\\n`));
    }
    for (const fd of [5, 10, 11, 12]) expect(recorded(server, `fd${fd}`)).toEqual(recorded(node, `fd${fd}`));
    // The same descriptors, to the same kinds of thing (inode numbers aside): the client's connection
    // (a socket at 13, the first free number from 10 here) is not among the server path's. (The
    // double's shell reads its script at 13, and keeps its stdout at 14 while it writes this list.)
    // (Descriptors from 100 up come from the test runner's own process, the same in both.)
    const links = (run: string) =>
      recorded(run, 'fds')!
        .toString()
        .split('\n')
        .filter((line) => /^\d{1,2} /.test(line))
        .sort((a, b) => parseInt(a) - parseInt(b))
        .map((line) => `${line.replace(/\[\d+\]/g, '[]').replace(/\/call-\d+\/\d+\//, '/CALL/')}\n`)
        .join('');
    expect(links(server)).toBe(links(node));
    expect(links(server)).toMatch(/^0 \/dev\/null\n1 .*\/CALL\/fds\n2 socket:\[\]\n5 .*five\n10 .*ten\n11 .*eleven\n12 .*twelve\n13 .*doubles\/aws\n(14 socket:\[\]\n)?$/);
  });
});

// ── lifecycle ───────────────────────────────────────────────────────────────────────────────────

describe('a server starts, stops and is replaced; a state file it did not write is ignored', () => {
  const agent = { CHAPERONE_ACTOR: 'agent' };
  const deleteVolume = ['volume', 'delete', '--volume', 'pg-data', '--yes'];

  async function railwaySandbox(): Promise<Sandbox> {
    const sb = withServer(await makeSandbox(['railway']));
    recordingDoubles(sb, ['railway']);
    return sb;
  }

  it('is started by a decided call only where CHAPERONE_SERVER=on (the test bundle has it off by default)', async () => {
    const sb = await railwaySandbox();
    const id = `call-${++calls}`;
    const off = await sb.run(join(sb.shims, 'railway'), deleteVolume, { env: { ...agent, SRV_CALL: id } });
    expect(off.exitCode).toBe(77);
    // The Node decision starts a server, if at all, before it exits.
    expect(serverState(sb)).toBeUndefined();
    expect(serverProcesses(sb.root)).toEqual([]);

    const first = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(first.exitCode).toBe(77);
    expect(answerFor(sb, first.pid)).toBeUndefined(); // Node decided it: no server yet
    const server = await runningServer(sb);
    expect(readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')).toContain('server.cjs');
    const second = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(answerFor(sb, second.pid)).toBe('refuse 77');
    expect(second.exitCode).toBe(77);
    expect(second.runs).toEqual([]);
    expect(normal(second.stderr)).toBe(normal(first.stderr));
  });

  it('stops after CHAPERONE_SERVER_IDLE_SECONDS without a call, and removes its state file', async () => {
    const sb = await railwaySandbox();
    await call(sb, 'railway', deleteVolume, { ...agent, CHAPERONE_SERVER_IDLE_SECONDS: '1' }, { server: true });
    const server = await runningServer(sb);
    await until(() => !alive(server.pid), 'the idle server to stop');
    expect(serverState(sb)).toBeUndefined();
    // The next decided call starts another.
    await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect((await runningServer(sb)).pid).not.toBe(server.pid);
  });

  it('stops when chaperone is rebuilt (rules.json changes): that call is decided by Node, the next starts a new server', async () => {
    // A copy of the test bundle of its own, so touching its rules.json concerns this sandbox only.
    const sb = await railwaySandbox();
    const dist = join(sb.root, 'dist-test');
    cpSync(join(repoRoot, 'dist-test'), dist, { recursive: true });
    const installed = await execa(process.execPath, [join(dist, 'chaperone.js'), 'install', '--dir', sb.shims, 'railway'], { env: sb.env, extendEnv: false, reject: false });
    expect(installed.exitCode).toBe(0);
    await call(sb, 'railway', deleteVolume, agent, { server: true });
    const old = await runningServer(sb);
    expect(readFileSync(`/proc/${old.pid}/cmdline`, 'utf8')).toContain(`${dist}/server.cjs`);
    expect(answerFor(sb, (await call(sb, 'railway', deleteVolume, agent, { server: true })).pid)).toBe('refuse 77');

    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dist, 'rules.json'), later, later);
    const rebuilt = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(answerFor(sb, rebuilt.pid)).toBe('stale');
    expect(rebuilt.exitCode).toBe(77);
    expect(rebuilt.runs).toEqual([]);
    await until(() => !alive(old.pid), 'the outdated server to stop');
    const replacement = await runningServer(sb);
    expect(replacement.pid).not.toBe(old.pid);
    const next = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(answerFor(sb, next.pid)).toBe('refuse 77');
  });

  it('is skipped with CHAPERONE_SERVER=off, even while one runs', async () => {
    const sb = await railwaySandbox();
    await call(sb, 'railway', deleteVolume, agent, { server: true });
    await runningServer(sb);
    const before = answers(sb).length;
    const off = await call(sb, 'railway', deleteVolume, agent, { server: false });
    expect(off.exitCode).toBe(77);
    expect(answers(sb)).toHaveLength(before);
  });

  it('ignores a stale state file (its pid is gone): Node refuses, and starts a server', async () => {
    const sb = await railwaySandbox();
    const exited = execa('true');
    const gone = { pid: exited.pid! };
    await exited;
    mkdirSync(join(sb.home, '.local', 'state', 'chaperone'), { recursive: true });
    writeFileSync(stateFileOf(sb), `1 ${'a'.repeat(32)} ${'b'.repeat(32)} ${gone.pid}\n`);
    const refused = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(refused.exitCode).toBe(77);
    expect(refused.runs).toEqual([]);
    expect(refused.stderr).toContain('chaperone: refused: railway volume delete');
    expect((await runningServer(sb)).pid).not.toBe(gone.pid);
  });

  it('a shim in POSIX mode (POSIXLY_CORRECT), or run by sh, decides in Node when the port is closed or the shell has no /dev/tcp', async () => {
    const sb = await railwaySandbox();
    // A port nothing listens on, and a live Node's pid (this test's): a server killed, its pid reused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    mkdirSync(join(sb.home, '.local', 'state', 'chaperone'), { recursive: true });
    writeFileSync(stateFileOf(sb), `${port} ${'a'.repeat(32)} ${'b'.repeat(32)} ${process.pid}\n`);
    const posix = { ...agent, POSIXLY_CORRECT: '1' };
    const refused = await call(sb, 'railway', deleteVolume, posix, { server: true });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('chaperone: refused: railway volume delete');
    expect(refused.runs).toEqual([]);
    const benignCall = await call(sb, 'railway', ['variables'], posix, { server: true });
    expect(benignCall.exitCode).toBe(0);
    expect(benignCall.runs).toEqual([['variables']]);

    // With a server running, `sh SHIM` (dash) reads the whole shim and decides in Node.
    rmSync(stateFileOf(sb));
    await call(sb, 'railway', deleteVolume, agent, { server: true });
    await runningServer(sb);
    for (const [args, code] of [[deleteVolume, 77], [['variables'], 0]] as const) {
      const id = `call-${++calls}`;
      const bySh = await sb.run('sh', [join(sb.shims, 'railway'), ...args], { env: { ...agent, SRV_CALL: id, CHAPERONE_SERVER: 'on' } });
      expect(bySh.exitCode).toBe(code);
      expect(runDirs(sb, id).map(argvOf)).toEqual(code === 0 ? [args] : []);
      if (code === 77) expect(bySh.stderr).toContain('chaperone: refused: railway volume delete');
    }
  });

  describe('a foreign listener on the port the state file names', () => {
    let listener: Server;
    let port = 0;
    const heard: string[] = [];
    let greeting = '';
    beforeAll(async () => {
      listener = createServer((socket) => {
        let got = '';
        socket.on('data', (chunk) => (got += chunk.toString('latin1')));
        socket.on('close', () => heard.push(got));
        socket.on('error', () => undefined);
        // What it would have the shim do: run the double for a destroy.
        socket.end(greeting);
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      port = (listener.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    for (const [what, greet] of [
      ['a wrong greeting, then an answer to run the tool', `${'c'.repeat(32)}\nexec 1 DOUBLE\n\nchaperone:end`],
      ['no greeting line, only the answer', 'exec 1 DOUBLE\n\nchaperone:end'],
      ['an empty greeting, then a refusal that is not one', `\nexec 1 DOUBLE\n\nchaperone:end`],
    ] as const) {
      it(`gets nothing from the shim and is not obeyed: ${what}`, async () => {
        const sb = await railwaySandbox();
        greeting = greet.replace('DOUBLE', join(sb.doubles, 'railway'));
        const secrets = { server: 'a'.repeat(32), client: 'b'.repeat(32) };
        mkdirSync(join(sb.home, '.local', 'state', 'chaperone'), { recursive: true });
        // Its pid is a live Node (this test's own), so the shim does connect.
        writeFileSync(stateFileOf(sb), `${port} ${secrets.server} ${secrets.client} ${process.pid}\n`);
        heard.length = 0;
        const refused = await call(sb, 'railway', deleteVolume, agent, { server: true });
        expect(refused.exitCode).toBe(77);
        expect(refused.runs).toEqual([]);
        expect(refused.stderr).toContain('chaperone: refused: railway volume delete');
        await until(() => heard.length > 0, 'the listener to see the connection');
        // The shim connected, heard no server's greeting, and said nothing: not its secret, not its pid.
        expect(heard).toEqual(['']);
      });
    }
  });
});

// ── what the server leaves to Node ──────────────────────────────────────────────────────────────

describe('what needs the caller\'s own process is left to its Node decision', () => {
  let sb: Sandbox;
  const agent = { CHAPERONE_ACTOR: 'agent' };
  const production = ['-h', 'db.prod.example', 'shop'];
  const terminals = new Terminals();
  beforeAll(async () => {
    sb = withServer(await makeSandbox(['psql', 'railway']));
    recordingDoubles(sb, ['psql', 'railway']);
    await call(sb, 'railway', ['volume', 'delete', '--volume', 'warm-up'], agent, { server: true });
    await runningServer(sb);
  });
  afterAll(() => terminals.close());

  it('a path to the caller\'s own descriptors by any spelling (/proc/./self, /dev/./stdin, a symlink) is left to Node', async () => {
    // The server opening such a path opens its own descriptor (here /dev/null: nothing to judge),
    // while psql opens the caller's: a statement in it would run unjudged.
    sb.write('work/evil.sql', 'DROP TABLE orders;\n');
    sb.write('work/benign.sql', 'select 1;\n');
    const cases = [
      'PSQLRC=/proc/./self/fd/0 exec "$shims/psql" -h db.prod.example -c "select 1" shop < evil.sql',
      'PSQLRC=/dev/./stdin exec "$shims/psql" -h db.prod.example -c "select 1" shop < evil.sql',
      'PSQLRC=/dev//fd/0 exec "$shims/psql" -h db.prod.example -c "select 1" shop < evil.sql',
      'ln -sf /proc/self/fd/0 rc-link; PSQLRC=rc-link exec "$shims/psql" -h db.prod.example -c "select 1" shop < evil.sql',
      'ln -sf /dev/stdin sql-link; exec "$shims/psql" -h db.prod.example -f sql-link shop < evil.sql',
      'exec "$shims/psql" -h db.prod.example -f /proc/./self/fd/0 shop < evil.sql',
      'exec 7<evil.sql; exec "$shims/psql" -h db.prod.example -f /dev/./fd/7 shop',
    ];
    for (const script of cases) {
      const viaServer = await callScript(sb, script, agent, { server: true });
      const viaNode = await callScript(sb, script, agent, { server: false });
      expect(viaNode.result.exitCode, script).toBe(77);
      expect(viaServer.answer(), script).not.toMatch(/^exec /);
      expect(viaServer.result.exitCode, script).toBe(77);
      expect(viaServer.runs, script).toEqual([]);
      expect(normal(viaServer.stderr), script).toBe(normal(viaNode.stderr));
    }
    // The same spelling with a benign file runs, either way.
    const benignCall = await callScript(sb, 'PSQLRC=/proc/./self/fd/0 exec "$shims/psql" -h db.prod.example -c "select 1" shop < benign.sql', agent, { server: true });
    expect(benignCall.result.exitCode).toBe(0);
    expect(benignCall.runs).toHaveLength(1);
  });

  it('psql reading SQL from a pipe: Node reads it and refuses, and the double never runs', async () => {
    for (const sql of ['drop table t;\n', 'DROP TABLE orders', 'select 1;\n-- then\nTRUNCATE accounts;\n']) {
      const refused = await call(sb, 'psql', production, agent, { server: true, input: sql });
      expect(answerFor(sb, refused.pid)).toBe('node');
      expect(refused.exitCode).toBe(77);
      expect(refused.stderr).toContain('chaperone: refused: psql -h db.prod.example shop');
      expect(refused.runs).toEqual([]);
    }
  });

  it('a benign pipe reaches psql byte for byte', async () => {
    const sql = `select 1;\nselect 'é', E'\\\\x00';\n${'insert into log values (1);\n'.repeat(20_000)}`;
    const viaServer = await callScript(sb, 'exec "$shims/psql" -h db.prod.example shop', { ...agent, READ_STDIN: '1' }, { server: true, input: sql });
    expect(viaServer.answer()).toBe('node');
    expect(viaServer.result.exitCode).toBe(0);
    expect(viaServer.runs).toHaveLength(1);
    expect(recorded(viaServer.runs[0], 'stdin')!.toString()).toBe(sql);
  });

  it('psql -f /dev/stdin, -f /proc/self/fd/0 and -f <(…) are read by Node: refused, or run when benign', async () => {
    for (const [script, input] of [
      ['exec "$shims/psql" -h db.prod.example -f /dev/stdin shop', 'drop table t;\n'],
      ['exec "$shims/psql" -h db.prod.example -f /proc/self/fd/0 shop', 'drop table t;\n'],
      [`exec "$shims/psql" -h db.prod.example -f <(printf 'drop table t;\\n') shop`, undefined],
      [`exec "$shims/psql" -h db.prod.example -f <(printf 'select 1;\\n') -f <(printf 'delete from orders;\\n') shop`, undefined],
    ] as const) {
      const refused = await callScript(sb, script, agent, { server: true, ...(input !== undefined ? { input } : {}) });
      expect(refused.answer(), script).toBe('node');
      expect(refused.result.exitCode, script).toBe(77);
      expect(refused.runs, script).toEqual([]);
    }
    const benign = await callScript(sb, `exec "$shims/psql" -h db.prod.example -f <(printf 'select 1;\\n') shop`, agent, { server: true });
    expect(benign.answer()).toBe('node');
    expect(benign.result.exitCode).toBe(0);
    expect(benign.runs).toHaveLength(1);
  });

  it.skipIf(!haveTmux)('a human at a terminal is asked there: the server answers node, and the prompt is the shim\'s own', async () => {
    const before = answers(sb).length;
    const term = terminals.open(sb, 'railway volume delete --volume pg-data --yes', { extraEnv: { CHAPERONE_SERVER: 'on', SRV_CALL: 'at-a-terminal' } });
    const prompt = await term.waitFor('Type production to run it');
    expect(prompt).toContain('chaperone: this command is held for confirmation');
    expect(answers(sb).slice(before).map((a) => a.action)).toEqual(['node']);
    expect(runDirs(sb, 'at-a-terminal')).toEqual([]);
    term.type('production');
    term.press('Enter');
    const { code } = await term.exit();
    expect(code).toBe(0);
    expect(runDirs(sb, 'at-a-terminal').map(argvOf)).toEqual([['volume', 'delete', '--volume', 'pg-data', '--yes']]);
    terminals.closeSessions();
  });

  it('an approval given out of band is used by Node, by exactly one of four racing calls; then the server refuses again', async () => {
    const deleteVolume = ['volume', 'delete', '--volume', 'approved-data', '--yes'];
    const refused = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(answerFor(sb, refused.pid)).toBe('refuse 77');
    const code = /chaperone approve ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(refused.stderr)?.[1];
    expect(code).toBeDefined();
    approve(sb.env, code!, 15);

    const racing = await Promise.all(Array.from({ length: 4 }, () => call(sb, 'railway', deleteVolume, agent, { server: true })));
    expect(racing.map((r) => r.exitCode).sort()).toEqual([0, 77, 77, 77]);
    expect(racing.flatMap((r) => r.runs)).toEqual([deleteVolume]);
    const ran = racing.find((r) => r.exitCode === 0)!;
    // The server left the approved call to Node (it never spends an approval itself).
    expect(answerFor(sb, ran.pid)).toBe('node');
    expect(ran.stderr).toContain(`running with approval ${code}`);

    const again = await call(sb, 'railway', deleteVolume, agent, { server: true });
    expect(answerFor(sb, again.pid)).toBe('refuse 77');
    expect(again.exitCode).toBe(77);
    expect(again.runs).toEqual([]);
  });
});
