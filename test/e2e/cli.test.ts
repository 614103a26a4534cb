// The management CLI and the other seed tools, black-box: the built bin with real shims and doubles.

import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { cliPath, linkRailway, makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { setAsideShOf } from '../../src/shim/set-aside.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
  for (const tool of ['railway', 'psql', 'aws', 'dropdb', 'pg_restore']) sb.double(tool, { stdout: `real ${tool}\n` });
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('a broken .chaperone.yaml stops every wrapped command', () => {
  it('exits 2 naming the file and line, and the real tool does not run, benign or not', async () => {
    const file = sb.write('work/.chaperone.yaml', 'rules:\n  - id: x\n    tool: railway\n    effect: destroy\n    sumary: typo\n');
    for (const args of [['status'], ['volume', 'delete', '-v', 'x']]) {
      const result = await sb.run('railway', args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`chaperone: invalid config ${file}:5:5: unknown rule key "sumary"`);
      expect(result.stderr).toContain('no wrapped command runs until this file is fixed');
    }
    expect(sb.record('railway')).toBeUndefined();
  });
});

describe('psql with a password in the URL', () => {
  it('refuses DROP against production and the password appears nowhere on screen or on disk', async () => {
    const result = await sb.run('psql', ['postgresql://app:PW-9f8e7d@db.prod.example/shop', '-c', 'DROP TABLE orders']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('psql.sql.drop');
    expect(result.stderr).toContain('postgresql://app:***@db.prod.example/shop');
    expect(`${result.stdout}${result.stderr}`).not.toContain('PW-9f8e7d');
    for (const file of allFiles(sb.root)) expect(readFileSync(file, 'latin1'), file).not.toContain('PW-9f8e7d');
    expect(sb.record('psql')).toBeUndefined();
  });
});

describe('aws', () => {
  it('refuses s3 rb --force with a production profile, and runs s3 ls with the same profile', async () => {
    const rb = await sb.run('aws', ['s3', 'rb', 's3://b', '--force', '--profile', 'acme-prod']);
    expect(rb.exitCode).toBe(77);
    expect(rb.stderr).toContain('aws.s3.rb');
    expect(rb.stderr).toContain('flag --profile acme-prod');
    expect(sb.record('aws')).toBeUndefined();
    const ls = await sb.run('aws', ['s3', 'ls', '--profile', 'acme-prod']);
    expect(ls).toMatchObject({ exitCode: 0, stdout: 'real aws\n', stderr: '' });
    expect(sb.record('aws')?.argv).toEqual(['s3', 'ls', '--profile', 'acme-prod']);
  });
});

describe('dropdb and pg_restore', () => {
  it('refuses dropdb of a production database, and allows pg_restore without --clean', async () => {
    const drop = await sb.run('dropdb', ['-h', 'db.prod.example', 'shop']);
    expect(drop.exitCode).toBe(77);
    expect(sb.record('dropdb')).toBeUndefined();
    const restore = await sb.run('pg_restore', ['-h', 'db.prod.example', '-d', 'shop', 'dump.pgc']);
    expect(restore.exitCode).toBe(0);
    expect(sb.record('pg_restore')?.argv).toEqual(['-h', 'db.prod.example', '-d', 'shop', 'dump.pgc']);
  });
});

describe('chaperone check', () => {
  it('prints the decision, environment with evidence, findings and actor as JSON', async () => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.chaperone(['check', '--json', '--', 'railway', 'variable', 'delete', 'DATABASE_URL']);
    expect(result.exitCode).toBe(77);
    const report = JSON.parse(String(result.stdout));
    expect(report).toMatchObject({
      decision: 'deny',
      environment: {
        name: 'production',
        class: 'production',
        evidence: [{ source: 'file', key: `projects["${sb.work}"].environmentName`, value: 'production', file: '~/.railway/config.json' }, expect.anything()],
      },
      findings: [{ rule: 'railway.variable.delete', effect: 'destroy', summary: expect.any(String) }],
      actor: { actor: 'agent' },
    });
    expect(sb.record('railway')).toBeUndefined();
  });

  it('reports confirm for a human and deny for an agent', async () => {
    linkRailway(sb, sb.work, 'staging');
    const args = ['railway', 'variable', 'delete', 'DATABASE_URL'];
    const human = JSON.parse(String((await sb.chaperone(['check', '--json', '--actor', 'human', '--', ...args])).stdout));
    expect(human).toMatchObject({ decision: 'confirm', confirmWord: 'yes', actor: { actor: 'human' } });
    const agent = JSON.parse(String((await sb.chaperone(['check', '--json', '--actor', 'agent', '--', ...args])).stdout));
    expect(agent).toMatchObject({ decision: 'deny', actor: { actor: 'agent' } });
  });

  it('allows a benign command and says so', async () => {
    const result = await sb.chaperone(['check', '--json', '--', 'aws', 's3', 'ls']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ decision: 'allow', findings: [], reason: 'no destroy rule matches' });
  });

  it('splits a command line and lets the strictest decision win', async () => {
    linkRailway(sb, sb.work, 'production');
    const result = await sb.chaperone(['check', '--json', '--command', 'railway status && FOO=1 railway volume delete -v x; echo done']);
    const report = JSON.parse(String(result.stdout));
    expect(report.decision).toBe('deny');
    expect(report.commands.map((c: { tool: string; decision: string }) => `${c.tool}:${c.decision}`)).toEqual(['railway:allow', 'railway:deny', 'echo:allow']);
  });

  it('never shows a secret in JSON', async () => {
    const result = await sb.chaperone(['check', '--json', '--', 'psql', 'postgresql://u:SECRET-1@db.prod.example/x', '-c', 'TRUNCATE t']);
    expect(String(result.stdout)).not.toContain('SECRET-1');
    expect(JSON.parse(String(result.stdout)).argv[0]).toBe('postgresql://u:***@db.prod.example/x');
  });
});

describe('chaperone explain', () => {
  it('explains for a human: decision, rule, environment and evidence', async () => {
    linkRailway(sb, sb.work, 'dev');
    const result = await sb.chaperone(['explain', '--', 'railway', 'variable', 'delete', 'DATABASE_URL']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toContain('railway variable delete DATABASE_URL\n  decision     allow: policy allows this in development, with a notice\n  rule         railway.variable.delete [destroy]');
    expect(String(result.stdout)).toContain('evidence   file ~/.railway/config.json');
  });
});

describe('install, init, uninstall, doctor', () => {
  it('installs executable shims, prints the PATH line, and removes them again', async () => {
    const dir = join(sb.root, 'other-shims');
    const install = await sb.chaperone(['install', '--dir', dir, 'railway', 'psql']);
    expect(install.exitCode).toBe(0);
    expect(String(install.stdout)).toContain(`export PATH='${dir}'":$PATH"`);
    expect(readdirSync(dir).sort()).toEqual(['psql', 'railway']);
    expect(statSync(join(dir, 'railway')).mode & 0o111).toBe(0o111);

    const init = await sb.chaperone(['init', 'bash', '--dir', dir]);
    const line = String(init.stdout).trim();
    const twice = await sb.run('bash', ['-c', `PATH=/usr/bin:/bin; ${line}; ${line}; echo "$PATH"`]);
    expect(String(twice.stdout).trim()).toBe(`${dir}:/usr/bin:/bin`);
    expect(String((await sb.chaperone(['init', 'fish', '--dir', dir])).stdout)).toContain('set -gx PATH');

    const uninstall = await sb.chaperone(['uninstall', '--dir', dir]);
    expect(uninstall.exitCode).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('--only-installed shims just the tools found on PATH; doctor names the ones with nothing behind them', async () => {
    const dir = join(sb.root, 'some-shims');
    const env = { PATH: `${sb.doubles}:/usr/bin:/bin` };
    const install = await sb.chaperone(['install', '--dir', dir, '--only-installed', 'railway', 'heroku'], { env });
    expect(install.exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual(['railway']);
    expect(String(install.stdout)).toContain('not installed here, so not shimmed: heroku');
    await sb.chaperone(['install', '--dir', dir, 'heroku'], { env });
    const doctor = await sb.chaperone(['doctor', '--dir', dir], { env: { PATH: `${dir}:${sb.doubles}:/usr/bin:/bin` } });
    expect(String(doctor.stdout)).toContain('ok   not installed behind their shims (they answer 127 until they are): heroku');
  });

  it('refuses an unknown tool name', async () => {
    const result = await sb.chaperone(['install', '--dir', join(sb.root, 'x'), 'rm']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no shim for rm');
  });

  it('does not overwrite a file that is not a shim', async () => {
    const dir = join(sb.root, 'mixed');
    mkdirSync(dir);
    sb.write('mixed/aws', '#!/bin/sh\necho mine\n');
    const result = await sb.chaperone(['install', '--dir', dir, 'aws']);
    expect(result.exitCode).toBe(2);
    expect(readFileSync(join(dir, 'aws'), 'utf8')).toContain('echo mine');
  });

  it('doctor checks PATH order, the real tools and the rules', async () => {
    const ok = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout)).toContain(`ok   railway → ${join(sb.doubles, 'railway')}`);
    expect(String(ok.stdout)).toContain('ok   rules load:');
    const bad = await sb.chaperone(['doctor', '--dir', sb.shims], { env: { PATH: `${sb.doubles}:${sb.shims}:/usr/bin:/bin` } });
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stdout)).toContain(`FAIL PATH entries before ${sb.shims} hold real tools that bypass the shims: ${sb.doubles}`);
  });

  it('doctor fails a shim an older chaperone wrote, which starts the decision with the caller\'s NODE_OPTIONS', async () => {
    const shim = join(sb.shims, 'railway');
    expect(String((await sb.chaperone(['doctor', '--dir', sb.shims])).stdout)).not.toContain('NODE_OPTIONS');
    // The set-aside line taken out, as shims written before it were.
    writeFileSync(shim, readFileSync(shim, 'utf8').split('\n').filter((line) => !line.includes('CHAPERONE_NODE_OPTIONS=$chaperone_k+$NODE_OPTIONS')).join('\n'));
    const doctor = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(doctor.exitCode).toBe(1);
    expect(String(doctor.stdout)).toContain("FAIL shims written by an older chaperone start the decision with the caller's NODE_OPTIONS, where a --require runs inside the judge: railway; run `chaperone install`");
  });

  it("doctor warns of a shim with the first set-aside, which drops the caller's own CHAPERONE_NODE_OPTIONS", async () => {
    const shim = join(sb.shims, 'railway');
    const first = 'unset CHAPERONE_NODE_OPTIONS; if [ "${NODE_OPTIONS+set}" = set ]; then CHAPERONE_NODE_OPTIONS=$NODE_OPTIONS; export CHAPERONE_NODE_OPTIONS; unset NODE_OPTIONS; fi';
    writeFileSync(shim, readFileSync(shim, 'utf8').split('\n').map((line) => (line.startsWith(setAsideShOf('NODE_OPTIONS')) ? first : line)).join('\n'));
    const doctor = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(doctor.stdout)).not.toContain('FAIL shims written by an older chaperone');
    expect(String(doctor.stdout)).toContain("WARN shims written by an older chaperone drop a CHAPERONE_NODE_OPTIONS or CHAPERONE_NODE_EXTRA_CA_CERTS of the caller's before the tool runs: railway; run `chaperone install`");
  });
});

describe('conventions', () => {
  it.each([[['--bogus']], [['no-such-command']], [['check', '--actor', 'robot', '--', 'railway', 'status']]])('exits 2 for a usage error: %j', async (args) => {
    const result = await sb.chaperone(args);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/^error: /);
  });

  it('exits 0 for --help and --version', async () => {
    expect((await sb.chaperone(['--help'])).exitCode).toBe(0);
    expect((await sb.chaperone(['--version'])).exitCode).toBe(0);
  });

  it('check --json answers an error with a JSON error object and the error\'s exit code, never a verdict\'s', async () => {
    sb.write('work/.chaperone.yaml', 'rules: [oops\n');
    const result = await sb.chaperone(['check', '--json', '--', 'railway', 'volume', 'delete', '-v', 'x']);
    expect(result.exitCode).toBe(2);
    const answer = JSON.parse(String(result.stdout));
    expect(answer.error.kind).toBe('config');
    expect(answer.error.message).toContain('invalid config');
    const usage = await sb.chaperone(['check', '--json']);
    expect(usage.exitCode).toBe(2);
    expect(JSON.parse(String(usage.stdout))).toEqual({ error: { kind: 'usage', message: 'chaperone: check needs -- TOOL ARGS… or --command LINE' } });
  });

  it('a reader that closes the pipe early is not a crash: no stack, and check keeps its verdict code', async () => {
    // The reader exits before chaperone writes (it never reads), so the write meets a closed pipe.
    for (const [args, code] of [
      [['check', '--json', '--', 'railway', 'volume', 'delete', '-v', 'x'], 77],
      [['explain', '--', 'railway', 'status'], 0],
      [['completion', 'bash'], 0],
    ] as const) {
      const line = `(sleep 0.3; exec node ${cliPath} ${args.join(' ')}) | true; echo "code=\${PIPESTATUS[0]}"`;
      const result = await sb.run('bash', ['-c', line]);
      expect(String(result.stderr)).not.toContain('EPIPE');
      expect(String(result.stdout)).toBe(`code=${code}\n`);
    }
  });
});

describe('doctor output', () => {
  it('gives its checks as JSON with --json', async () => {
    const result = await sb.chaperone(['doctor', '--json', '--dir', sb.shims]);
    const answer = JSON.parse(String(result.stdout));
    expect(answer.checks.length).toBeGreaterThan(2);
    expect(answer.checks[0]).toEqual({ status: 'ok', text: expect.stringContaining(`shims in ${sb.shims}`) });
    expect(answer.ok).toBe(result.exitCode === 0);
  });

  it('names the covered tools that have no shim yet (an install from an older version, or of a few tools)', async () => {
    const answer = JSON.parse(String((await sb.chaperone(['doctor', '--json', '--dir', sb.shims])).stdout));
    const line = answer.checks.find((c: { text: string }) => c.text.startsWith('covered, but with no shim here'));
    expect(line.status).toBe('ok'); // a choice (install TOOL…) as often as an old install: said, not warned
    for (const tool of ['kubectl', 'prisma', 'rails', 'terraform']) expect(line.text).toContain(tool);
    expect(line.text).not.toMatch(/\brailway\b/);
  });

  // Colour needs a terminal: `script` gives the CLI a real pty.
  const inPty = (env: Record<string, string>) =>
    execa('script', ['-qec', `'${process.execPath}' '${cliPath}' doctor --dir '${sb.shims}'`, '/dev/null'], { env: { ...sb.env, ...env }, extendEnv: false, reject: false });

  it('colours a terminal, and not with NO_COLOR or TERM=dumb; FORCE_COLOR wins', async () => {
    const escape = '\u001b[';
    expect(String((await inPty({ TERM: 'xterm' })).stdout)).toContain(escape);
    expect(String((await inPty({ TERM: 'xterm', NO_COLOR: '1' })).stdout)).not.toContain(escape);
    expect(String((await inPty({ TERM: 'dumb' })).stdout)).not.toContain(escape);
    expect(String((await inPty({ TERM: 'xterm', NO_COLOR: '1', FORCE_COLOR: '1' })).stdout)).toContain(escape);
  });
});

describe('the way out: uninstall takes the agent hooks with the shims', () => {
  const claudeFile = () => join(sb.home, '.claude', 'settings.json');
  const userHooks = { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'my-own-guard' }] }], Stop: [{ hooks: [{ type: 'command', command: 'notify' }] }] };

  async function setUp() {
    mkdirSync(join(sb.home, '.claude'));
    writeFileSync(claudeFile(), JSON.stringify({ model: 'opus', hooks: userHooks }));
    for (const agent of ['claude', 'codex', 'gemini', 'copilot', 'cursor']) expect((await sb.chaperone(['setup', agent, '--dir', sb.shims])).exitCode).toBe(0);
    writeFileSync(join(sb.home, '.bashrc'), 'alias ll="ls -l"\neval "$(chaperone init bash)"\n');
  }

  it('removes only chaperone\'s entries, with a backup, and names the rc line to delete', async () => {
    await setUp();
    const result = await sb.chaperone(['uninstall', '--dir', sb.shims]);
    expect(result.exitCode).toBe(0);
    const out = String(result.stdout);
    expect(out).toContain(`chaperone: removed 5 shims from ${sb.shims}`);
    expect(out).toContain(`chaperone: claude: removed 2 hooks from ${claudeFile()} (the previous version is in ${claudeFile()}.chaperone-backup-`);
    for (const agent of ['codex', 'gemini', 'copilot', 'cursor']) expect(out).toContain(`chaperone: ${agent}: removed 1 hook from`);
    expect(out).toContain(`chaperone: delete line 2 of ${join(sb.home, '.bashrc')}: eval "$(chaperone init bash)"`);
    expect(JSON.parse(readFileSync(claudeFile(), 'utf8'))).toEqual({ model: 'opus', hooks: userHooks });
    for (const file of ['.codex/hooks.json', '.gemini/settings.json', '.copilot/settings.json', '.cursor/hooks.json']) {
      expect(readFileSync(join(sb.home, file), 'utf8')).not.toContain('chaperone');
    }
    const backup = readdirSync(join(sb.home, '.claude')).filter((f) => f.includes('chaperone-backup')).sort().pop()!;
    expect(readFileSync(join(sb.home, '.claude', backup), 'utf8')).toContain('hook claude');
    // doctor then points at what is left: the rc line.
    const doctor = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(doctor.stdout)).toContain(`line 2 of ${join(sb.home, '.bashrc')} still runs chaperone`);
  });

  it("removes chaperone's directories that are left empty, and keeps (and names) the ones with the user's files", async () => {
    const env = { PATH: `${sb.doubles}:/usr/bin:/bin` };
    const data = join(sb.home, '.local/share/chaperone');
    const state = join(sb.home, '.local/state/chaperone');
    const config = join(sb.home, '.config/chaperone');
    // Nothing of the user's: the default shim directory goes, and the data directory it was in with it.
    expect((await sb.chaperone(['install', 'railway', 'psql'], { env })).exitCode).toBe(0);
    expect(readdirSync(join(data, 'shims')).sort()).toEqual(['psql', 'railway']);
    const clean = await sb.chaperone(['uninstall'], { env });
    expect(clean.exitCode).toBe(0);
    expect(String(clean.stdout)).toContain('chaperone: removed ~/.local/share/chaperone, which was empty\n');
    expect(String(clean.stdout)).not.toContain('kept');
    for (const dir of [data, state, config]) expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(sb.home, '.local/share'))).toBe(true); // the XDG directory is not chaperone's

    // The user's rules, and an audit log and approval from a refused call: kept, and named; the layer
    // cache (chaperone's own) and the empty data directory go.
    writeFileSync(join(sb.home, '.bashrc'), '');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'rules.yaml'), 'backup-before-destroy: [production]\n');
    await sb.chaperone(['install', 'railway'], { env });
    expect((await sb.run(join(data, 'shims', 'railway'), ['volume', 'delete', '--volume', 'pg-data', '--yes'], { env })).exitCode).toBe(77);
    expect(readdirSync(state)).toContain('layer-cache');
    const kept = await sb.chaperone(['uninstall'], { env });
    const out = String(kept.stdout);
    expect(out).toContain('chaperone: kept ~/.config/chaperone: rules.yaml\n');
    expect(out).toContain('chaperone: kept ~/.local/state/chaperone: approvals.json, audit.head, audit.jsonl\n');
    expect(out).toContain('chaperone: removed ~/.local/share/chaperone, which was empty\n');
    expect(out).toContain(`to remove them too: rm -r ${config} ${state}\n`);
    expect(existsSync(data)).toBe(false);
    expect(readdirSync(state).sort()).toEqual(['approvals.json', 'audit.head', 'audit.jsonl']);
    expect(readFileSync(join(config, 'rules.yaml'), 'utf8')).toBe('backup-before-destroy: [production]\n');

    // A backup is the user's too: the data directory that holds one stays.
    mkdirSync(join(data, 'backups', 'b1'), { recursive: true });
    const backups = String((await sb.chaperone(['uninstall'], { env })).stdout);
    expect(backups).toContain('chaperone: kept ~/.local/share/chaperone: backups\n');
    expect(existsSync(join(data, 'backups', 'b1'))).toBe(true);
  });

  it('--keep-hooks, or naming some tools, leaves the hooks in place', async () => {
    await setUp();
    const some = await sb.chaperone(['uninstall', '--dir', sb.shims, 'psql']);
    expect(String(some.stdout)).toBe(`chaperone: removed 1 shims from ${sb.shims}\n`);
    expect(readFileSync(claudeFile(), 'utf8')).toContain('hook claude');
    const keep = await sb.chaperone(['uninstall', '--dir', sb.shims, '--keep-hooks']);
    expect(String(keep.stdout)).toContain('kept the agent hooks (--keep-hooks)');
    expect(readFileSync(claudeFile(), 'utf8')).toContain('hook claude');
  });

  it('doctor reports a hook whose chaperone is gone, and one an older chaperone wrote', async () => {
    mkdirSync(join(sb.home, '.gemini'));
    const gone = '/nowhere/lib/node_modules/chaperone/bin/chaperone.js';
    const guarded = `if [ -f ${gone} ]; then n=/usr/bin/node; [ -x "$n" ] || n=node; exec "$n" ${gone} hook gemini; fi; echo gone >&2; echo '{}'; exit 0`;
    writeFileSync(join(sb.home, '.gemini', 'settings.json'), JSON.stringify({ hooks: { BeforeTool: [{ matcher: 'run_shell_command', hooks: [{ type: 'command', command: guarded }] }] } }));
    mkdirSync(join(sb.home, '.cursor'));
    writeFileSync(join(sb.home, '.cursor', 'hooks.json'), JSON.stringify({ version: 1, hooks: { beforeShellExecution: [{ command: `${process.execPath} ${cliPath} hook cursor` }] } }));
    const doctor = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(doctor.exitCode).toBe(1);
    expect(String(doctor.stdout)).toContain(`FAIL gemini: ${join(sb.home, '.gemini', 'settings.json')} holds a chaperone hook whose program is gone (${gone})`);
    expect(String(doctor.stdout)).toContain(`WARN cursor: ${join(sb.home, '.cursor', 'hooks.json')} holds a hook written by an older chaperone`);
  });

  it('doctor names a hook line that starts Node with the agent\'s NODE_OPTIONS, and setup replaces it', async () => {
    mkdirSync(join(sb.home, '.claude'), { recursive: true });
    // The guarded form an earlier setup wrote, without setting NODE_OPTIONS aside, of an installed chaperone.
    const hook = join(sb.root, 'lib', 'node_modules', 'chaperone', 'dist', 'hook.cjs');
    mkdirSync(dirname(hook), { recursive: true });
    writeFileSync(hook, '');
    const earlier = `if [ -f '${hook}' ]; then n='${process.execPath}'; [ -x "$n" ] || n=node; unset NODE_EXTRA_CA_CERTS; exec "$n" '${hook}' hook claude; fi; echo gone >&2; exit 0`;
    const settings = join(sb.home, '.claude', 'settings.json');
    writeFileSync(settings, JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: earlier }] }] } }));
    const doctor = await sb.chaperone(['doctor', '--dir', sb.shims]);
    expect(String(doctor.stdout)).toContain(`WARN claude: ${settings} holds a hook written by an older chaperone, which starts Node with the agent's NODE_OPTIONS`);
    await sb.chaperone(['setup', 'claude']);
    const written = JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse.flatMap((g: { hooks: { command: string }[] }) => g.hooks.map((h) => h.command));
    expect(written.filter((c: string) => / hook claude\b/.test(c))).toEqual([expect.stringContaining(setAsideShOf('NODE_OPTIONS'))]);
  });
});
