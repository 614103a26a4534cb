// The resident decision (src/server/) attacked by an agent that was refused once: every way found to
// make the server judge a call other than the one the shim then runs. Each route is run through the
// built CLI's real bash shims with a server up, and the recording double must never run where the
// shim's own Node (CHAPERONE_SERVER=off) refuses. The double also notes whether the shim started any
// process before it (its children's CPU time, which exec keeps): 0 means the server decided the call,
// so a benign control proves the route was really put to the server.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { kubeconfigYaml } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const serverPids = new Set<number>();

const stateFile = () => join(sb.home, '.local', 'state', 'chaperone', 'server');
const serverState = () => {
  if (!existsSync(stateFile())) return undefined;
  const [port, serverSecret, clientSecret, pid] = readFileSync(stateFile(), 'utf8').trim().split(' ');
  return { port: Number(port), serverSecret, clientSecret, pid: Number(pid) };
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A benign gated call decides in Node and starts the server; wait until it has written its state file. */
async function serverUp(): Promise<void> {
  const running = serverState();
  if (running && alive(running.pid)) return;
  await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml' } });
  for (let i = 0; i < 400; i++) {
    const state = serverState();
    if (state && alive(state.pid)) {
      serverPids.add(state.pid);
      rmSync(sb.records, { recursive: true, force: true });
      return;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('the resident decision did not start');
}

/** A double that first notes its children's CPU time (fields 16 and 17 of /proc/self/stat), then records as sandbox doubles do. */
function timedDouble(tool: string): void {
  const path = join(sb.doubles, tool);
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'read -r chaperone_stat < /proc/$$/stat',
      `d="$RECORDS/${tool}"; mkdir -p "$d"`,
      `printf '%s\\n' "$chaperone_stat" > "$d/stat"; printf '%s' "$0" > "$d/argv0"`,
      `for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"`,
      'env -0 > "$d/env"; pwd > "$d/cwd"; cat > "$d/stdin"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
}

/** Whether the shim ran `tool` without starting any process first: the server decided the call. */
function decidedByServer(tool: string): boolean {
  const stat = readFileSync(join(sb.records, tool, 'stat'), 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]) === 0;
}

/**
 * Runs FILE with exactly the environment entries given, duplicates and all, as execve(2) takes them
 * (`env` and every spawn API keep one entry per name). ChildProcess#spawn takes the entries as a list.
 */
function spawnRaw(file: string, args: string[], entries: string[]): Promise<{ exitCode: number | null; stderr: string }> {
  const child = new ChildProcess() as ChildProcess & { spawn(options: unknown): void };
  child.spawn({ file, args: [file, ...args], envPairs: entries, cwd: sb.work, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  return new Promise((done) => child.on('close', (exitCode) => done({ exitCode, stderr })));
}

const sandboxEntries = () => Object.entries(sb.env).map(([name, value]) => `${name}=${value}`);

function linkRailwayHere(environmentName: string, file = join(sb.home, '.railway', 'config.json')): void {
  const projects = { [sb.work]: { projectPath: sb.work, name: 'shop', project: 'proj-1', environment: `env-${environmentName}`, environmentName, service: null } };
  sb.write(file.slice(sb.root.length + 1), JSON.stringify({ projects }));
}

/** A destroy whose environment the link and variables decide (a volume delete is production's whatever they say). */
const variableDelete = ['variable', 'delete', 'DATABASE_URL'];

beforeAll(async () => {
  sb = await makeSandbox(['railway', 'kubectl', 'psql']);
  Object.assign(sb.env, { CHAPERONE_SERVER: 'on', CHAPERONE_ACTOR: 'agent', CHAPERONE_SERVER_IDLE_SECONDS: '300' });
  timedDouble('railway');
  timedDouble('kubectl');
  writeFileSync(join(sb.work, 'dev.yaml'), kubeconfigYaml({ current: 'dev', contexts: [{ name: 'dev' }] }));
  writeFileSync(join(sb.work, 'prod.yaml'), kubeconfigYaml({ current: 'production', contexts: [{ name: 'production' }] }));
  linkRailwayHere('dev');
});

beforeEach(() => {
  rmSync(sb.records, { recursive: true, force: true });
});

afterAll(() => {
  // Every server these tests started is stopped, whether or not it is still the one the state file names.
  const named = serverState();
  if (named) serverPids.add(named.pid);
  // And any other this sandbox's account started (one whose state file a test replaced).
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (line.includes('server.cjs') && environ.includes(`HOME=${sb.home}`)) serverPids.add(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  for (const pid of serverPids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

describe('a benign call is decided by the server (the control every route below is measured against)', () => {
  it('runs a development delete without starting Node, and a production one is refused', async () => {
    await serverUp();
    const dev = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml' } });
    expect(dev.exitCode).toBe(0);
    expect(dev.stderr).toBe('chaperone: kubectl.delete in dev (development): allowed\n');
    expect(decidedByServer('kubectl')).toBe(true);
    rmSync(sb.records, { recursive: true, force: true });
    const prod = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'prod.yaml' } });
    expect(prod.exitCode).toBe(77);
    expect(sb.record('kubectl')).toBeUndefined();
  });
});

describe('variables that name the caller’s own descriptors', () => {
  it('SSH_TTY and GPG_TTY (every ssh login, many shells) leave the server deciding', async () => {
    await serverUp();
    const result = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml', SSH_TTY: '/dev/pts/0', GPG_TTY: '/dev/pts/0' } });
    expect(result.exitCode).toBe(0);
    expect(decidedByServer('kubectl')).toBe(true);
  });

  it.each([['KUBECONFIG', '/dev/fd/30'], ['KUBECONFIG', '/proc/self/fd/30']])('%s=%s with the production config on fd 30: refused', async (name, value) => {
    await serverUp();
    const result = await sb.run('bash', ['-c', 'exec kubectl delete namespace shop 30<prod.yaml'], { env: { [name]: value, SSH_TTY: '/dev/pts/0' } });
    expect(result.exitCode).toBe(77);
    expect(sb.record('kubectl')).toBeUndefined();
  });
});

describe('two entries of one name in the environment: the tool gets the last (bash exports it), not the first', () => {
  it.each([
    ['RAILWAY_ENVIRONMENT_ID/NAME', ['RAILWAY_ENVIRONMENT_ID=env-dev', 'RAILWAY_ENVIRONMENT_NAME=dev', 'RAILWAY_ENVIRONMENT_ID=env-prod', 'RAILWAY_ENVIRONMENT_NAME=production'], 'railway', variableDelete],
    ['an empty first entry', ['RAILWAY_ENVIRONMENT_ID=', 'RAILWAY_ENVIRONMENT_ID=env-prod', 'RAILWAY_ENVIRONMENT_NAME=production'], 'railway', variableDelete],
    ['KUBECONFIG', ['KUBECONFIG=dev.yaml', 'KUBECONFIG=prod.yaml'], 'kubectl', ['delete', 'namespace', 'shop']],
  ])('%s: refused as the shim refuses it; the double never runs', async (_, entries, tool, args) => {
    await serverUp();
    for (const server of ['on', 'off']) {
      const result = await spawnRaw(join(sb.shims, tool), args, [...sandboxEntries(), `CHAPERONE_SERVER=${server}`, ...entries]);
      expect(result.exitCode, `CHAPERONE_SERVER=${server}`).toBe(77);
      expect(result.stderr).toContain('production (production)');
      expect(sb.record(tool)).toBeUndefined();
    }
  });

  it('one entry of each name is still decided by the server', async () => {
    await serverUp();
    // RAILWAY_ENVIRONMENT_NAME is a label that can only make the target stricter: -e names development.
    const down = ['down', '-e', 'development', '-y'];
    const result = await spawnRaw(join(sb.shims, 'railway'), down, [...sandboxEntries(), 'RAILWAY_ENVIRONMENT_ID=env-dev', 'RAILWAY_ENVIRONMENT_NAME=dev']);
    expect(result.exitCode).toBe(0);
    expect(sb.record('railway')?.argv).toEqual(down);
    expect(decidedByServer('railway')).toBe(true);
  });
});

// A bind mount of the caller's own shows the tool a production config where the server, in the
// account's namespace, reads the development one. Needs unshare and the right to use it here.
const canUnshare = spawnSync('unshare', ['-m', 'true']).status === 0 && spawnSync('unshare', ['-Urm', 'true']).status === 0;

describe.skipIf(!canUnshare)('a mount namespace of the caller’s own (unshare)', () => {
  it.each([['-m'], ['-Urm']])('unshare %s with ~/.railway/config.json bound to a production link: refused, the double never runs', async (flags) => {
    await serverUp();
    linkRailwayHere('production', join(sb.root, 'prod-railway.json'));
    const config = join(sb.home, '.railway', 'config.json');
    const result = await sb.run('unshare', [flags, 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec railway "$@"', 'sh', join(sb.root, 'prod-railway.json'), config, ...variableDelete]);
    expect(result.stderr).toContain('production (production)');
    expect(result.exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
  });

  it('the same delete in the account’s own namespace, linked to development, runs decided by the server', async () => {
    await serverUp();
    const result = await sb.run('railway', variableDelete);
    expect(result.exitCode).toBe(0);
    expect(decidedByServer('railway')).toBe(true);
  });
});

// A server started by a call with fewer rights (here: root without the capability to read others'
// files; for an account, fewer groups in an older session) passes over a file the tool then reads.
const canDropCaps = process.getuid?.() === 0 && spawnSync('setpriv', ['--bounding-set', '-dac_override,-dac_read_search', 'true']).status === 0;

describe.skipIf(!canDropCaps)('a server with other credentials than the caller’s', () => {
  it('KUBECONFIG=locked.yaml:dev.yaml, the production config readable by the caller only: refused, the double never runs', async () => {
    await serverUp();
    const before = serverState()!;
    process.kill(before.pid, 'SIGTERM');
    for (let i = 0; i < 400 && alive(before.pid); i++) await new Promise((done) => setTimeout(done, 25));
    rmSync(`${stateFile()}.starting`, { force: true });
    const locked = join(sb.work, 'locked.yaml');
    writeFileSync(locked, readFileSync(join(sb.work, 'prod.yaml')), { mode: 0o600 });
    spawnSync('chown', ['nobody', locked]);
    const drop = ['--bounding-set', '-dac_override,-dac_read_search', '--inh-caps', '-dac_override,-dac_read_search'];
    try {
      // The call that starts the server has no right to read others' files; so the server has none either.
      await sb.run('setpriv', [...drop, 'kubectl', 'delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml' } });
      for (let i = 0; i < 400 && !(serverState() && serverState()!.pid !== before.pid && alive(serverState()!.pid)); i++) await new Promise((done) => setTimeout(done, 25));
      const weak = serverState()!;
      expect(weak.pid).not.toBe(before.pid);
      serverPids.add(weak.pid);
      rmSync(sb.records, { recursive: true, force: true });
      for (const server of ['on', 'off']) {
        const result = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'locked.yaml:dev.yaml', CHAPERONE_SERVER: server } });
        expect(result.exitCode, `CHAPERONE_SERVER=${server}`).toBe(77);
        expect(sb.record('kubectl')).toBeUndefined();
      }
      process.kill(weak.pid, 'SIGTERM');
      for (let i = 0; i < 400 && alive(weak.pid); i++) await new Promise((done) => setTimeout(done, 25));
    } finally {
      rmSync(locked, { force: true });
      rmSync(`${stateFile()}.starting`, { force: true });
    }
  });
});

describe('a caller in a sandbox of its own (no_new_privs, which Landlock needs)', () => {
  it('is decided by the shim’s own Node, not by a server outside it', async () => {
    await serverUp();
    const result = await sb.run('setpriv', ['--no-new-privs', 'kubectl', 'delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml' } });
    expect(result.exitCode).toBe(0);
    expect(decidedByServer('kubectl')).toBe(false);
  });
});

describe('a path that names the process opening it (/proc/self/fd/N, /dev/fd/N), reached through a link', () => {
  beforeAll(() => {
    symlinkSync('/proc/self/fd/30', join(sb.work, 'proc-link.yaml'));
    symlinkSync('/dev/fd/30', join(sb.work, 'dev-fd-link.yaml'));
    symlinkSync('/proc/self/fd', join(sb.work, 'fds'));
    symlinkSync('dev.yaml', join(sb.work, 'dev-link.yaml'));
  });

  it.each([['proc-link.yaml'], ['dev-fd-link.yaml'], ['fds/30']])(
    'KUBECONFIG=%s:dev.yaml with the production config on fd 30: refused as the shim refuses it; the double never runs',
    async (link) => {
      await serverUp();
      for (const server of ['on', 'off']) {
        // bash: dash opens no descriptor above 9.
        const result = await sb.run('bash', ['-c', 'exec kubectl delete namespace shop 30<prod.yaml'], { env: { KUBECONFIG: `${link}:dev.yaml`, CHAPERONE_SERVER: server } });
        expect(result.exitCode, `CHAPERONE_SERVER=${server}`).toBe(77);
        expect(result.stderr).toContain('production (production)');
        expect(sb.record('kubectl')).toBeUndefined();
      }
    },
  );

  it('a link to an ordinary file is still decided by the server', async () => {
    await serverUp();
    const result = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev-link.yaml' } });
    expect(result.exitCode).toBe(0);
    expect(decidedByServer('kubectl')).toBe(true);
  });
});

describe('the shim’s own bash cannot be turned against it', () => {
  it('POSIXLY_CORRECT with a state file naming a port nobody listens on: the shim decides in Node, and a benign call runs', async () => {
    await serverUp();
    const state = serverState()!;
    const closed = await new Promise<number>((done) => {
      const listener = createServer().listen(0, '127.0.0.1', () => {
        const { port } = listener.address() as { port: number };
        listener.close(() => done(port));
      });
    });
    const saved = readFileSync(stateFile(), 'utf8');
    writeFileSync(stateFile(), `${closed} ${state.serverSecret} ${state.clientSecret} ${state.pid}\n`);
    try {
      const result = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml', POSIXLY_CORRECT: '1' } });
      expect(result.stderr).toBe('chaperone: kubectl.delete in dev (development): allowed\n');
      expect(result.exitCode).toBe(0);
      expect(sb.record('kubectl')?.argv).toEqual(['delete', 'namespace', 'shop']);
      const refused = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'prod.yaml', POSIXLY_CORRECT: '1' } });
      expect(refused.exitCode).toBe(77);
    } finally {
      writeFileSync(stateFile(), saved);
    }
  });

  it.each([
    ['BASH_FUNC_read%%', '() { chaperone_reply=$\'exec 1 /bin/true\\n\\nchaperone:end\'; }'],
    ['BASH_FUNC_exec%%', '() { builtin exec "$@"; }'],
    ['BASH_FUNC_command%%', '() { :; }'],
    ['BASH_ENV', '/dev/null'],
    ['SHELLOPTS', 'xtrace:noexec'],
    ['IFS', '0123456789abcdef'],
    ['chaperone_reply', 'exec 1 /bin/true'],
    ['TMOUT', '1'],
  ])('%s in the environment: a production delete is still refused and the double never runs', async (name, value) => {
    await serverUp();
    const result = await spawnRaw(join(sb.shims, 'kubectl'), ['delete', 'namespace', 'shop'], [...sandboxEntries(), 'KUBECONFIG=prod.yaml', `${name}=${value}`]);
    expect(result.exitCode).toBe(77);
    expect(sb.record('kubectl')).toBeUndefined();
  });
});

describe('a shim sourced by a shell of the agent’s own', () => {
  // The shell's command line holds other words than the shim's "$@": the server must not judge those.
  it.each([
    [['-c', 'set -- down; . "$0"']],
    [['-p', '-c', 'set -- down; . "$0"']],
  ])('bash %j SHIM status, linked to production: refused as the shim refuses `railway down`', async (shell) => {
    await serverUp();
    linkRailwayHere('production');
    try {
      for (const server of ['on', 'off']) {
        const result = await sb.run('bash', [...shell, join(sb.shims, 'railway'), 'status'], { env: { CHAPERONE_SERVER: server } });
        expect(result.exitCode, `CHAPERONE_SERVER=${server}`).toBe(77);
        expect(result.stderr).toContain('chaperone: refused: railway down');
        expect(sb.record('railway')).toBeUndefined();
      }
    } finally {
      linkRailwayHere('dev');
    }
  });
});

describe('nothing is kept across calls by path', () => {
  it('a link changed between two calls is seen on the very next one', async () => {
    await serverUp();
    linkRailwayHere('dev');
    expect((await sb.run('railway', variableDelete)).exitCode).toBe(0);
    expect(decidedByServer('railway')).toBe(true);
    linkRailwayHere('production');
    rmSync(sb.records, { recursive: true, force: true });
    const refused = await sb.run('railway', variableDelete);
    expect(refused.exitCode).toBe(77);
    expect(sb.record('railway')).toBeUndefined();
    linkRailwayHere('dev');
  });
});

/**
 * Runs `fn` with the state file naming a listener of the test's own on 127.0.0.1, which greets with
 * `greeting` and then writes `answer` whatever it is asked. The pid is this (node) process's, so the
 * shim's check that the server is a node process passes. The real server's state file comes back after.
 */
async function withListener(greeting: (serverSecret: string) => string, answer: string, fn: () => Promise<void>): Promise<void> {
  await serverUp();
  const saved = readFileSync(stateFile(), 'utf8');
  const [serverSecret, clientSecret] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  const listener: Server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.write(greeting(serverSecret));
    socket.once('data', () => socket.end(answer));
    socket.setTimeout(5000, () => socket.destroy());
  });
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  const { port } = listener.address() as { port: number };
  writeFileSync(stateFile(), `${port} ${serverSecret} ${clientSecret} ${process.pid}\n`);
  try {
    await fn();
  } finally {
    writeFileSync(stateFile(), saved);
    await new Promise((done) => listener.close(done));
  }
}

describe('what the shim takes for an answer', () => {
  const prodDelete = () => sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'prod.yaml' }, timeout: 30_000 });
  const execDouble = () => `exec 1 ${join(sb.doubles, 'kubectl')}\n\n`;

  it('a whole `exec` answer from whatever the state file names is obeyed: a listener of the account’s own is as strong as the shims (docs/threat-model.md)', async () => {
    await withListener((secret) => `${secret}\n`, `${execDouble()}chaperone:end`, async () => {
      const result = await prodDelete();
      expect(result.exitCode).toBe(0);
      expect(sb.record('kubectl')?.argv).toEqual(['delete', 'namespace', 'shop']);
    });
  });

  it.each([
    ['cut short before the end line', (body: string) => `${body}chaperone:en`],
    ['with no end line', (body: string) => body],
    ['with a line after the end line', (body: string) => `${body}chaperone:end\nexec 1 /bin/true`],
    ['with the end word not on a line of its own', (body: string) => `${body.replace(/\n+$/, ' ')}chaperone:end`],
  ])('an answer %s is not acted on: the shim decides in Node, which refuses', async (_, shape) => {
    await withListener((secret) => `${secret}\n`, shape(execDouble()), async () => {
      const result = await prodDelete();
      expect(result.exitCode).toBe(77);
      expect(sb.record('kubectl')).toBeUndefined();
    });
  });

  it('a listener that does not greet with the server secret (a foreign program on a stopped server’s port) is never asked', async () => {
    await withListener(() => `${'0'.repeat(32)}\n${execDouble()}chaperone:end`, `${execDouble()}chaperone:end`, async () => {
      const result = await prodDelete();
      expect(result.exitCode).toBe(77);
      expect(sb.record('kubectl')).toBeUndefined();
    });
  });

  it.each([
    ['a FIFO', (path: string) => spawnSync('mkfifo', [path]).status === 0],
    ['a directory', (path: string) => spawnSync('mkdir', [path]).status === 0],
  ])('a state file that is %s holds no call: the shim decides in Node', async (_, make) => {
    await serverUp();
    const saved = readFileSync(stateFile(), 'utf8');
    rmSync(stateFile());
    try {
      expect(make(stateFile())).toBe(true);
      const result = await prodDelete();
      expect(result.exitCode).toBe(77);
      const dev = await sb.run('kubectl', ['delete', 'namespace', 'shop'], { env: { KUBECONFIG: 'dev.yaml' }, timeout: 30_000 });
      expect(dev.exitCode).toBe(0);
    } finally {
      rmSync(stateFile(), { recursive: true, force: true });
      writeFileSync(stateFile(), saved);
    }
  });
});
