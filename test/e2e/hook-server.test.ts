// The agent hooks through the resident decision (src/server/hook-request.ts): the hook line `chaperone
// setup` writes runs a bash client that asks the account's server, and the answer must be the Node
// hook's, byte for byte (stdout, stderr, exit status), for every kind of request. To know the server
// answered, its runs are made where Node cannot start at all (`ulimit -v`: V8 cannot reserve its
// memory, while bash runs); the Node hook's answer is the same line with the server turned off.
// Requests the client leaves to Node (too long, a NUL, a line naming /dev/stdin) get the Node hook,
// with the same bytes. A server that answers wrongly, or is gone, still never turns a deny into an allow.

import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const lines: Record<string, string> = {};
let stateFile: string;
const serverOn = { CHAPERONE_SERVER: 'on', CHAPERONE_SERVER_IDLE_SECONDS: '600' };
/** Below what Node needs to start (it reserves its code range first), far above what bash needs. */
const noNode = 'ulimit -v 150000;';

type Handler = { hooks?: Handler[]; command?: string };
const commandOf = (config: { hooks: Record<string, Handler[]> }, event: string): string =>
  config.hooks[event].flatMap((g): Handler[] => g.hooks ?? [g]).map((h) => h.command ?? '').find((c) => /\bhook (claude|gemini|cursor|codex)\b/.test(c))!;

beforeAll(async () => {
  sb = await makeSandbox(['railway', 'psql']);
  linkRailway(sb, sb.work, 'production');
  for (const agent of ['claude', 'gemini', 'cursor', 'codex']) expect((await sb.chaperone(['setup', agent])).exitCode).toBe(0);
  const read = (file: string) => JSON.parse(readFileSync(join(sb.home, file), 'utf8'));
  lines.claude = commandOf(read('.claude/settings.json'), 'PreToolUse');
  lines.gemini = commandOf(read('.gemini/settings.json'), 'BeforeTool');
  lines.cursor = commandOf(read('.cursor/hooks.json'), 'beforeShellExecution');
  lines.codex = commandOf(read('.codex/hooks.json'), 'PreToolUse');
  stateFile = join(sb.home, '.local', 'state', 'chaperone', 'server');
});

afterAll(() => {
  stopServer();
  // And any other server a request here started (one that lost the state file to a stand-in below).
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('server.cjs')) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`CHAPERONE_TEST_ACCOUNT_HOME=${sb.home}`)) process.kill(Number(pid), 'SIGTERM');
    } catch {
      // gone, or not ours to read
    }
  }
});

/** Stops the server the state file names (never this test's own process, which a stale file below names). */
function stopServer(): void {
  if (!existsSync(stateFile)) return;
  const pid = Number(readFileSync(stateFile, 'utf8').split(' ')[3]);
  if (pid === process.pid) return void rmSync(stateFile);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // gone already
  }
}

/** Until the server a Node hook started has written its state file (it may take a while on a loaded machine); a request starts one if none. */
async function serverUp(): Promise<void> {
  if (!existsSync(stateFile)) await hook('claude', payloads.claude('git status'), { server: true });
  for (let i = 0; i < 300 && !existsSync(stateFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(existsSync(stateFile)).toBe(true);
}

const payloads = {
  claude: (command: string, extra: object = {}) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: sb.work, ...extra }),
  gemini: (command: string) => JSON.stringify({ session_id: 's', hook_event_name: 'BeforeTool', tool_name: 'run_shell_command', tool_input: { command }, cwd: sb.work }),
  cursor: (command: string) => JSON.stringify({ hook_event_name: 'beforeShellExecution', command, cwd: sb.work }),
  codex: (command: string) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: sb.work }),
};

/** The hook line as the agent runs it (sh -c), with `input` on stdin; `prefix` is sh run before it. */
async function hook(agent: keyof typeof payloads, input: string | Buffer, options: { server: boolean; prefix?: string; env?: Record<string, string> }) {
  const env = { ...serverOn, ...(options.server ? {} : { CHAPERONE_SERVER: 'off' }), ...options.env };
  const result = await sb.sh(`${options.prefix ?? ''}${lines[agent]}`, { input, env, encoding: 'buffer' });
  return { exitCode: result.exitCode, stdout: Buffer.from(result.stdout as Uint8Array).toString('latin1'), stderr: Buffer.from(result.stderr as Uint8Array).toString('latin1') };
}

describe('the hook line and the resident decision', () => {
  it('without a server, the Node hook answers, and starts one for the next request', async () => {
    expect(existsSync(stateFile)).toBe(false);
    const first = await hook('claude', payloads.claude('railway volume delete --volume pg'), { server: true });
    expect(first.exitCode).toBe(2);
    expect(first.stdout).toContain('"permissionDecision":"deny"');
    await serverUp();
    // The state file names a live Node process.
    const pid = Number(readFileSync(stateFile, 'utf8').split(' ')[3]);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    // And Node cannot start under the limit the server runs below use.
    const noNodeOff = await hook('claude', payloads.claude('git status'), { server: false, prefix: noNode });
    expect([0, 2]).not.toContain(noNodeOff.exitCode);
  });

  const claudeCases: [string, () => string | Buffer][] = [
    ['benign', () => payloads.claude('git status && ls -la | head')],
    ['destructive', () => payloads.claude('railway volume delete --volume pg')],
    ['destructive inside bash -c', () => payloads.claude(`bash -c 'cd /tmp && railway volume delete --volume pg-data --yes'`)],
    ['psql drop in production', () => payloads.claude('psql -h db.prod.example -c "drop table users"')],
    ['malformed JSON', () => '{"tool_input": {"command": "railway volume delete'],
    ['empty', () => ''],
    ['JSON that is not an object', () => '[1, 2, 3]'],
    ['no command (another tool)', () => JSON.stringify({ tool_name: 'Read', tool_input: { file_path: '/etc/passwd' } })],
    ['trailing newlines and spaces', () => `${payloads.claude('railway status')}\n\n  \n`],
    ['an unterminated string then newlines', () => '{"tool_input":{"command":"railway volume delete\n\n'],
    ['non-UTF-8 bytes in the command', () => Buffer.concat([Buffer.from('{"tool_input":{"command":"railway volume delete --volume p'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"},"cwd":"/"}')])],
    ['non-UTF-8 bytes, benign', () => Buffer.concat([Buffer.from('{"tool_input":{"command":"echo '), Buffer.from([0xe2, 0x82, 0xff]), Buffer.from('"}}')])],
    ['UTF-8 text', () => payloads.claude('echo "héllo — 日本語 ✓" && git status')],
    ['no cwd in the request (the hook\'s own directory)', () => JSON.stringify({ tool_input: { command: 'railway volume delete --volume pg' } })],
    ['a cwd that does not exist', () => payloads.claude('railway volume delete --volume pg', { cwd: '/nonexistent/dir' })],
    ['a line of 20 KiB', () => payloads.claude(`echo ${'x'.repeat(20 * 1024)} && railway volume delete --volume pg`)],
    ['backslashes and quotes', () => payloads.claude(String.raw`printf '%s\n' "a\"b" \\ && railway status`)],
    ['an interactive shell (judged for codex only)', () => payloads.claude('bash -i')],
    // What psql would read from its stdin, named without the words /dev/stdin: the hook's stdin (Node) and the server's are not the agent's.
    ['psql reading stdin in production', () => payloads.claude('psql -h db.prod.example')],
    ['psql -f a quoted /dev/std\'\'in', () => payloads.claude("psql -h db.prod.example -f /dev/std''in")],
    ['psql -f /dev/fd/0 spelled with a variable', () => payloads.claude('D=/de; psql -h db.prod.example -f ${D}v/fd/0')],
  ];

  for (const [name, made] of claudeCases) {
    it(`claude, ${name}: the server's answer is the Node hook's`, async () => {
      await serverUp();
      const input = made();
      const node = await hook('claude', input, { server: false });
      const server = await hook('claude', input, { server: true, prefix: noNode });
      expect(server).toEqual(node);
      expect([0, 2]).toContain(node.exitCode);
    });
  }

  for (const agent of ['gemini', 'cursor', 'codex'] as const) {
    for (const [name, command] of [
      ['benign', 'git status'],
      ['destructive', 'railway volume delete --volume pg'],
      ['an interactive shell', 'bash'],
    ]) {
      it(`${agent}, ${name}: the server's answer is the Node hook's`, async () => {
        await serverUp();
        const node = await hook(agent, payloads[agent](command), { server: false });
        const server = await hook(agent, payloads[agent](command), { server: true, prefix: noNode });
        expect(server).toEqual(node);
      });
    }
    it(`${agent}, malformed JSON: denied alike`, async () => {
      const node = await hook(agent, '{"command": ', { server: false });
      const server = await hook(agent, '{"command": ', { server: true, prefix: noNode });
      expect(server).toEqual(node);
      expect(node.stdout + node.stderr).toContain('chaperone could not check this command');
    });
  }

  it('the hook\'s environment is the one judged: NODE_OPTIONS (set aside by the line) preloads a file that deletes', async () => {
    await serverUp();
    writeFileSync(join(sb.work, 'wipe.js'), "require('child_process').execSync('railway volume delete --volume pg --yes');\n");
    const env = { NODE_OPTIONS: '--require ./wipe.js' };
    const input = payloads.claude('node -e 0');
    const node = await hook('claude', input, { server: false, env });
    const server = await hook('claude', input, { server: true, prefix: noNode, env });
    expect(node.exitCode).toBe(2);
    expect(server).toEqual(node);
    // Without the variable the same line is allowed, by both.
    const plain = await hook('claude', input, { server: true, prefix: noNode });
    expect(plain).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('the hook\'s environment decides: the same request in a development project, with and without a scope or a token', async () => {
    await serverUp();
    const dev = join(sb.root, 'dev');
    sb.write(join('dev', '.keep'), '');
    linkRailway(sb, dev, 'development', 'env-dev');
    const input = payloads.claude('railway variable delete DATABASE_URL', { cwd: dev });
    const answers = [];
    for (const env of [{}, { CHAPERONE_SCOPE: 'staging' }, { RAILWAY_TOKEN: 'project-token-of-somewhere' }] as Record<string, string>[]) {
      const node = await hook('claude', input, { server: false, env });
      const server = await hook('claude', input, { server: true, prefix: noNode, env });
      expect(server).toEqual(node);
      answers.push(node);
    }
    // The variables change the answer: each is read from the hook's own environment.
    expect(answers[0].exitCode).toBe(0);
    expect(answers[1].exitCode).toBe(2);
    expect(answers[2].exitCode).toBe(2);
    expect(answers[1].stdout).not.toEqual(answers[2].stdout);
  });

  it('the client\'s bash runs no ~/.bashrc (a bash on a socket with SHLVL below 2 would, as if sshd started it)', async () => {
    await serverUp();
    const rc = sb.write(join('home', '.bashrc'), 'echo RC-RAN; echo RC-RAN >&2; export CHAPERONE_SCOPE=staging\n');
    try {
      const input = payloads.claude('railway status');
      const node = await hook('claude', input, { server: false });
      const server = await hook('claude', input, { server: true, prefix: noNode });
      expect(node).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      expect(server).toEqual(node);
    } finally {
      rmSync(rc);
    }
  });

  const toNode: [string, () => string | Buffer][] = [
    ['longer than the client reads (200 KiB)', () => payloads.claude('railway volume delete --volume pg') + ' '.repeat(200 * 1024)],
    ['a NUL byte', () => Buffer.concat([Buffer.from(payloads.claude('railway status').slice(0, -1)), Buffer.from([0]), Buffer.from('}')])],
    ['a NUL byte at the end', () => Buffer.concat([Buffer.from(payloads.claude('railway volume delete --volume pg')), Buffer.from([0])])],
    ['a line that reads /dev/stdin', () => payloads.claude('psql -h db.prod.example -f /dev/stdin')],
    ['a script read through /proc/self, spelled with a variable', () => payloads.claude('P=/pro; bash ${P}c/self/fd/9')],
    ['bash reading /proc/self/fd/0 through a glob', () => payloads.claude('bash /proc/sel?/fd/0')],
    ['psql on a development host reading a quoted /dev/std""in', () => payloads.claude('psql -h localhost -d dev < /dev/std""in')],
  ];
  for (const [name, made] of toNode) {
    it(`${name}: left to the Node hook, which gets the very same bytes`, async () => {
      await serverUp();
      const input = made();
      const node = await hook('claude', input, { server: false });
      const server = await hook('claude', input, { server: true });
      expect(server).toEqual(node);
      expect([0, 2]).toContain(node.exitCode);
      // It was Node's: where Node cannot start, no answer comes.
      const without = await hook('claude', input, { server: true, prefix: noNode });
      expect([0, 2]).not.toContain(without.exitCode);
    });
  }

  it('stdin closed: the Node hook answers (denies), as with no server', async () => {
    await serverUp();
    const node = await hook('claude', '', { server: false, prefix: 'exec 0<&-; ' });
    const server = await hook('claude', '', { server: true, prefix: 'exec 0<&-; ' });
    expect(node.exitCode).toBe(2);
    expect(server).toEqual(node);
  });

  it('a process that speaks the protocol but is not the hook line\'s client is not answered (the server leaves it to Node)', async () => {
    await serverUp();
    // The account's own bash, with the secrets, asking for a hook answer about itself.
    const ask = [
      'IFS=" " read -r port ss cs spid < "$1"',
      'exec {fd}<>"/dev/tcp/127.0.0.1/$port"',
      'IFS= read -r line <&"$fd"',
      'printf "%s hook %s claude\\n%s\\0" "$cs" "$$" "$2" >&"$fd"',
      'IFS= read -r -N 100000 -t 20 reply <&"$fd"',
      'printf "%s" "$reply"',
    ].join('; ');
    const asked = await sb.run('/bin/bash', ['--norc', '-p', '-c', ask, 'chaperone', stateFile, payloads.claude('railway status')], { env: serverOn });
    expect(String(asked.stdout)).toBe('node\n\nchaperone:end');
  });

  it('a user rules file that does not parse: denied by both, with the file named', async () => {
    await serverUp();
    const rules = join(sb.home, '.config', 'chaperone', 'rules.yaml');
    sb.write(join('home', '.config', 'chaperone', 'rules.yaml'), 'rules: [\n');
    try {
      const input = payloads.claude('railway status');
      const node = await hook('claude', input, { server: false });
      const server = await hook('claude', input, { server: true, prefix: noNode });
      expect(node.exitCode).toBe(2);
      expect(node.stderr).toContain(rules);
      expect(server).toEqual(node);
    } finally {
      writeFileSync(rules, '');
    }
  });
});

describe('a server that cannot answer', () => {
  it('a stale state file (no such server): the Node hook answers', async () => {
    stopServer();
    for (let i = 0; i < 100 && existsSync(stateFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    writeFileSync(stateFile, `1 ${'a'.repeat(32)} ${'b'.repeat(32)} ${process.pid}\n`);
    const deny = await hook('claude', payloads.claude('railway volume delete --volume pg'), { server: true });
    expect(deny.exitCode).toBe(2);
    expect(deny.stdout).toContain('railway.volume.delete');
  });

  // A listener that is a Node process with the state file's secrets but answers wrongly: cut short,
  // garbage, or nothing. The client must not act on it, and the Node hook decides.
  for (const [name, reply] of [
    ['an answer cut short', 'hook 0\n\n'],
    ['garbage', 'allow\n'],
    ['an allow without the end marker', 'hook 0\n\n\n'],
    ['nothing', ''],
  ]) {
    it(`${name}: the destructive line is still denied`, async () => {
      const listener = execa(process.execPath, [
        '-e',
        `const s = require('net').createServer((c) => { c.write('${'a'.repeat(32)}\\n'); c.on('error', () => {}); c.once('data', () => { c.end(${JSON.stringify(reply)}); }); });
         s.listen(0, '127.0.0.1', () => { require('fs').writeFileSync(process.argv[1], s.address().port + ' ${'a'.repeat(32)} ${'b'.repeat(32)} ' + process.pid + '\\n'); });`,
        stateFile,
      ]);
      try {
        for (let i = 0; i < 100 && !readFileSync(stateFile, 'utf8').endsWith(`${listener.pid}\n`); i++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(readFileSync(stateFile, 'utf8')).toContain(` ${listener.pid}\n`);
        const deny = await hook('claude', payloads.claude('railway volume delete --volume pg'), { server: true });
        expect(deny.exitCode).toBe(2);
        expect(deny.stdout).toContain('"permissionDecision":"deny"');
        const benign = await hook('claude', payloads.claude('git status'), { server: true });
        expect(benign).toEqual({ exitCode: 0, stdout: '', stderr: '' });
        // It was its answer that was not taken: it is still there.
        expect(() => process.kill(listener.pid!, 0)).not.toThrow();
      } finally {
        listener.kill();
        await listener.catch(() => undefined);
      }
    });
  }
});

describe('existing installs: the line before the resident decision', () => {
  it('doctor names it, setup replaces it (one hook, not two), and the replaced line judges as before', async () => {
    const settings = join(sb.home, '.claude', 'settings.json');
    const current = lines.claude;
    // The line setup wrote before this change: the same, without the client before `exec "$n" …`.
    const earlier = current.replace(/\[ -x \/bin\/bash \] && exec \/bin\/bash --norc -p -c .* hook claude; (?=exec "\$n")/s, '');
    expect(earlier).not.toEqual(current);
    expect(earlier).not.toContain('/dev/tcp');
    const config = JSON.parse(readFileSync(settings, 'utf8'));
    writeFileSync(settings, JSON.stringify(config).replace(JSON.stringify(current), JSON.stringify(earlier)));
    const warning = `WARN claude: ${settings} holds a hook written by an older chaperone, which starts Node for every shell command`;
    expect(String((await sb.chaperone(['doctor', '--dir', sb.shims])).stdout)).toContain(warning);
    // The earlier line still judges (through Node), the same as the new one.
    const input = payloads.claude('railway volume delete --volume pg');
    const before = await sb.sh(earlier, { input, env: { CHAPERONE_SERVER: 'off' } });
    const after = await hook('claude', input, { server: false });
    expect({ exitCode: before.exitCode, stdout: String(before.stdout) }).toEqual({ exitCode: after.exitCode, stdout: after.stdout });

    const again = await sb.chaperone(['setup', 'claude']);
    expect(String(again.stdout)).toContain('written by an older setup and is now replaced');
    const written = JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse.flatMap((g: Handler) => g.hooks ?? []).map((h: Handler) => h.command);
    expect(written).toEqual([current]);
    expect(String((await sb.chaperone(['doctor', '--dir', sb.shims])).stdout)).not.toContain('starts Node for every shell command');
    // Run again, nothing changes.
    expect(String((await sb.chaperone(['setup', 'claude'])).stdout)).toContain('nothing changed');
  });

  it('codex: the replaced line must be trusted again, and setup says so', async () => {
    const file = join(sb.home, '.codex', 'hooks.json');
    const current = lines.codex;
    const earlier = current.replace(/\[ -x \/bin\/bash \] && exec \/bin\/bash --norc -p -c .* hook codex; (?=exec "\$n")/s, '');
    writeFileSync(file, readFileSync(file, 'utf8').replace(JSON.stringify(current), JSON.stringify(earlier)));
    const again = await sb.chaperone(['setup', 'codex']);
    expect(String(again.stdout)).toContain('written by an older setup and is now replaced');
    expect(String(again.stdout)).toMatch(/trust/i);
    expect(readFileSync(file, 'utf8')).toContain(JSON.stringify(current));
  });
});
