// docker and docker-compose through the real shims. A recording double stands in for the daemon-facing
// commands; the real docker client (no engine needed) writes the contexts, and checks that chaperone
// reads the daemon exactly as the client does.

import { beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeSandbox, systemPath, type Sandbox } from '../helpers/sandbox.js';
import { toolGroup, toolProblems } from '../helpers/system.js';

/** Points the sandbox's ~/.docker at a context, as `docker context create` + `use` would. */
function useContext(sb: Sandbox, name: string, host: string): void {
  const meta = join(sb.home, '.docker', 'contexts', 'meta', sha256(name));
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  writeFileSync(join(sb.home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
}

const outcome = (r: { exitCode?: number; stderr?: unknown }) => `${r.exitCode} ${/\((\w+)\): allowed/.exec(String(r.stderr))?.[1]}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('docker through the shim, with no terminal (an agent)', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox(['docker', 'docker-compose']);
    sb.double('docker', { stdout: 'pg-data\n' });
    sb.double('docker-compose');
  });

  it('refuses a volume rm on a production context, naming the rule, the context and its files', async () => {
    useContext(sb, 'prod-eu', 'ssh://deploy@prod-eu.example.com');
    const result = await sb.run('docker', ['volume', 'rm', 'pg-data']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: docker volume rm pg-data');
    expect(result.stderr).toContain('docker.volume.rm');
    expect(result.stderr).toContain('prod-eu (production)');
    expect(result.stderr).toContain('currentContext = prod-eu');
    expect(result.stderr).toContain('~/.docker/config.json');
    expect(result.stderr).toContain('ssh://deploy@prod-eu.example.com');
    expect(sb.record('docker')).toBeUndefined();
  });

  it('runs the same command against the local daemon, with a one-line notice', async () => {
    const result = await sb.run('docker', ['volume', 'rm', 'pg-data']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('pg-data\n');
    expect(result.stderr).toBe('chaperone: docker.volume.rm in default (development): allowed\n');
    expect(sb.record('docker')?.argv).toEqual(['volume', 'rm', 'pg-data']);
  });

  it('refuses a cloud CLI run inside a container of the local daemon: its credentials there name the target, not the daemon', async () => {
    for (const args of [
      ['run', '--rm', '-e', 'RAILWAY_TOKEN=abc', 'ghcr.io/railwayapp/cli', 'railway', 'variable', 'delete', 'DATABASE_URL'],
      ['exec', 'web', 'sh', '-c', 'railway variable delete DATABASE_URL'],
      ['exec', 'web', 'kubectl', 'delete', 'ns', 'shop'],
    ]) {
      const result = await sb.run('docker', args);
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain('(unknown)');
      expect(result.stderr).toContain('runs there, with whatever credentials and config it finds there');
      expect(sb.record('docker')).toBeUndefined();
    }
    expect(outcome(await sb.run('docker', ['exec', 'db', 'psql', '-c', 'drop table t']))).toBe('0 development');
    expect(sb.record('docker')?.argv).toEqual(['exec', 'db', 'psql', '-c', 'drop table t']);
  });

  it("refuses a build whose Dockerfile runs a cloud CLI in a build container, and builds a benign one", async () => {
    const dir = join(sb.home, 'app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20\nRUN --mount=type=secret,id=t \\\n  RAILWAY_TOKEN=$(cat /run/secrets/t) railway volume delete --volume pg-data --yes\n');
    writeFileSync(join(dir, 'ok.Dockerfile'), 'FROM node:20\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\n');
    for (const args of [['build', '--secret', 'id=t,env=RAILWAY_TOKEN', '.'], ['buildx', 'build', '-t', 'shop', '.']]) {
      const result = await sb.run('docker', args, { cwd: dir });
      expect(result.exitCode, args.join(' ')).toBe(77);
      expect(result.stderr).toContain('docker build RUN > railway volume delete');
      expect(sb.record('docker')).toBeUndefined();
    }
    const ok = await sb.run('docker', ['build', '-f', 'ok.Dockerfile', '.'], { cwd: dir });
    expect(ok.exitCode).toBe(0);
    expect(sb.record('docker')?.argv).toEqual(['build', '-f', 'ok.Dockerfile', '.']);
  });

  it('reads -H before the subcommand and -fv after it', async () => {
    const result = await sb.run('docker', ['-H', 'ssh://root@web-prod-1', 'rm', '-fv', 'web']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('docker.container.rm.volumes');
    expect(result.stderr).toContain('web-prod-1 (production)');
    expect(result.stderr).toContain('flag --host ssh://root@web-prod-1');
    expect(sb.record('docker')).toBeUndefined();
  });

  it('refuses docker-compose down -v on a remote host, and lets a dry run through', async () => {
    const refused = await sb.run('docker-compose', ['-H', 'ssh://deploy@prod-db', 'down', '-v']);
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('docker.compose.down.volumes');
    expect(refused.stderr).toContain('prod-db (production)');
    expect(sb.record('docker-compose')).toBeUndefined();

    const dry = await sb.run('docker', ['compose', '--dry-run', 'down', '-v'], { env: { DOCKER_HOST: 'ssh://deploy@prod-db' } });
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toBe('');
    expect(sb.record('docker')?.argv).toEqual(['compose', '--dry-run', 'down', '-v']);
  });

  it('passes a read-only command through untouched, even on production', async () => {
    useContext(sb, 'prod-eu', 'ssh://deploy@prod-eu.example.com');
    const result = await sb.run('docker', ['ps', '-a']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('docker')?.argv).toEqual(['ps', '-a']);
  });
});

// ── With the real docker client ──────────────────────────────────────────────────────────────────

const dockerGroup = toolGroup('docker contexts written and read by the real docker client', await toolProblems([['docker', ['--version']]]));

describe.skipIf(dockerGroup.skip)(dockerGroup.title, () => {
  let sb: Sandbox;
  /** The real client, with the sandbox's HOME and no shim in the way. */
  const realDocker = (args: string[], env: Record<string, string> = {}) =>
    execa('docker', args, { env: { ...sb.env, PATH: systemPath, ...env }, extendEnv: false, reject: false });

  beforeEach(async () => {
    dockerGroup.assertAvailable();
    sb = await makeSandbox(['docker']);
    for (const [name, host] of [
      ['prod-eu', 'ssh://deploy@prod-eu.example.com'],
      ['desktop-linux', `unix://${sb.home}/.docker/desktop/docker.sock`],
      ['build-box', 'tcp://10.1.2.3:2376'],
    ]) {
      const created = await realDocker(['context', 'create', name, '--docker', `host=${host}`]);
      expect(created.exitCode, created.stderr).toBe(0);
    }
    expect((await realDocker(['context', 'use', 'prod-eu'])).exitCode).toBe(0);
  });

  /** What chaperone resolves for `docker GLOBALS volume rm x`: the context and its daemon. */
  const chaperoneReads = async (globals: string[], env: Record<string, string>) => {
    const checked = await sb.chaperone(['check', '--json', '--', 'docker', ...globals, 'volume', 'rm', 'x'], { env });
    const environment = JSON.parse(String(checked.stdout)).environment as { name: string; evidence: { key: string; value: string }[] };
    const endpointKeys = ['Endpoints.docker.Host', 'DOCKER_HOST', '--host', 'docker endpoint'];
    const endpoint = environment.evidence.find((e) => endpointKeys.includes(e.key))?.value;
    const context = environment.evidence.some((e) => e.key === 'docker context') ? 'default' : environment.name;
    return `${context} ${endpoint}`;
  };
  /** What the real client says it would talk to. */
  const dockerReads = async (globals: string[], env: Record<string, string>) =>
    String((await realDocker([...globals, 'context', 'inspect', '--format', '{{.Name}} {{.Endpoints.docker.Host}}'], env)).stdout).trim();

  const cases: [globals: string[], env: Record<string, string>][] = [
    [[], {}],
    [['--context', 'desktop-linux'], {}],
    [['-c', 'build-box'], {}],
    [['--context', 'default'], {}],
    [['-H', 'tcp://10.9.9.9:2375'], {}],
    [[], { DOCKER_HOST: 'ssh://ci@staging-runner' }],
    [[], { DOCKER_CONTEXT: 'desktop-linux' }],
    [[], { DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'build-box' }],
    [['--context', 'prod-eu'], { DOCKER_HOST: 'tcp://127.0.0.1:2375' }],
  ];

  it('resolves the same context and daemon as `docker context inspect`, in every order docker knows', async () => {
    for (const [globals, env] of cases) {
      const [ours, theirs] = await Promise.all([chaperoneReads(globals, env), dockerReads(globals, env)]);
      expect(ours, `docker ${globals.join(' ')} with ${JSON.stringify(env)}`).toBe(theirs);
    }
  });

  it('lets the real client run behind the shim when nothing is gated, and mirrors its failure when it is allowed', async () => {
    const listed = await sb.run('docker', ['context', 'ls', '--format', '{{.Name}}']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stderr).toBe('');
    expect(String(listed.stdout).split('\n').filter(Boolean).sort()).toEqual(['build-box', 'default', 'desktop-linux', 'prod-eu']);

    // The local socket is development: allowed with a notice; with no engine here the client fails.
    const removed = await sb.run('docker', ['--context', 'desktop-linux', 'volume', 'rm', 'pg-data']);
    expect(removed.stderr).toMatch(/^chaperone: docker\.volume\.rm in desktop-linux \(development\): allowed\n/);
    expect(removed.exitCode).not.toBe(0);
    expect(removed.exitCode).not.toBe(77);
  });

  it('refuses the real client on the production context before it connects', async () => {
    const result = await sb.run('docker', ['volume', 'rm', 'pg-data']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('prod-eu (production)');
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('Cannot connect'); // the client's own error: it never started
  });
});
