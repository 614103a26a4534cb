// Commands run inside other commands, through the built shims, with recording doubles standing in for
// kubectl, ssh and docker (no cluster, host or daemon exists). No terminal: the actor is an agent.

import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeKubeconfig } from '../helpers/kubeconfig.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
async function runnersOnHosts() {
  sb = await makeSandbox(['kubectl', 'ssh', 'docker']);
  for (const tool of ['kubectl', 'ssh', 'docker']) sb.double(tool, { exitCode: 0, stdout: `${tool} ran\n` });
  writeKubeconfig(join(sb.home, '.kube', 'config'), {
    current: 'prod-eu',
    contexts: [{ name: 'prod-eu', cluster: 'eks-main' }, { name: 'kind-dev', server: 'https://127.0.0.1:6443' }],
  });
}

describe('kubectl exec, run', () => {
  beforeEach(runnersOnHosts);
  it.each([
    [['exec', 'deploy/api', '--', 'psql', '-c', 'drop table t'], 'psql.sql.drop'],
    [['exec', '-i', 'pod', '-c', 'app', '--', 'sh', '-c', "psql -c 'truncate x'"], 'psql.sql.truncate'],
    [['run', 'tmp', '--rm', '-i', '--image=postgres:15', '--', 'dropdb', '-h', 'db', 'shop'], 'dropdb'],
    // a second attempt through a program nobody described: no shim stands behind it in the pod
    [['exec', 'db-0', '--', 'gosu', 'postgres', 'psql', '-c', 'drop table users'], 'psql.sql.drop'],
    [['exec', 'db-0', '--', 'runuser', '-u', 'postgres', '--', 'dropdb', 'shop'], 'dropdb'],
    [['exec', 'db-0', '--', 'busybox', 'sh', '-c', 'dropdb shop'], 'dropdb'],
  ])('refuses %j in the production context; the real kubectl never runs', async (args, rule) => {
    const result = await sb.run('kubectl', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('chaperone: refused: kubectl');
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(result.stderr).toContain('environment  prod-eu (production)');
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('refuses rm -rf of the database directory in a production pod', async () => {
    const result = await sb.run('kubectl', ['exec', 'db-0', '--', 'rm', '-rf', '/var/lib/postgresql/data']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('nested.rm.recursive [destroy]');
    expect(result.stderr).toContain('kubectl exec db-0 > rm -rf /var/lib/postgresql/data');
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('refuses an interactive shell in a production pod as unreadable (stdin a pipe it cannot read ahead)', async () => {
    const result = await sb.run('kubectl', ['exec', '-it', 'pod', '--', 'bash'], { input: '' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('nested.unreadable [destroy]');
    expect(sb.record('kubectl')).toBeUndefined();
  });

  it('runs the same command in a kind context with a notice, argv untouched', async () => {
    const args = ['--context', 'kind-dev', 'exec', 'deploy/api', '--', 'psql', '-c', 'drop table t'];
    const result = await sb.run('kubectl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('kubectl ran\n');
    expect(result.stderr).toBe('chaperone: psql.sql.drop in kind-dev (development): allowed\n');
    expect(sb.record('kubectl')?.argv).toEqual(args);
  });

  it('passes a benign command behind an unknown program in a production pod untouched', async () => {
    const args = ['exec', 'db-0', '--', 'gosu', 'postgres', 'psql', '-c', 'select 1'];
    const result = await sb.run('kubectl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('kubectl')?.argv).toEqual(args);
  });

  it('passes a benign command in a production pod untouched and silent', async () => {
    const args = ['exec', 'pod', '--', 'psql', '-c', 'select 1'];
    const result = await sb.run('kubectl', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('kubectl')?.argv).toEqual(args);
  });

  it('reads a script redirected from a file with exec -i, and the pod still gets every byte', async () => {
    sb.write('work/benign.sql', 'select 1;\n');
    const allowed = await sb.sh('kubectl exec -i pod -- psql shop < benign.sql');
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('kubectl')?.stdin.toString()).toBe('select 1;\n');
    sb.write('work/wipe.sql', 'drop table users;\n');
    const refused = await sb.sh('kubectl exec -i pod2 -- psql shop < wipe.sql');
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('psql.sql.drop');
  });
});

describe('ssh', () => {
  beforeEach(runnersOnHosts);
  it.each([
    [['prod-db', 'dropdb shop'], 'dropdb'],
    [['-p', '22', '-l', 'admin', 'db.prod.example', '--', 'psql', '-c', '"drop table t"'], 'psql.sql.drop'],
    [['admin@db.prod.example', "psql -c 'drop table t'"], 'psql.sql.drop'],
    [['db.prod.example'], 'nested.unreadable'],
  ])('refuses %j to a production host; the real ssh never runs', async (args, rule) => {
    const result = await sb.run('ssh', args, { input: '' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('chaperone: refused: ssh');
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(result.stderr).toContain('(production)');
    expect(sb.record('ssh')).toBeUndefined();
  });

  it('takes the real host from ~/.ssh/config HostName, and says where', async () => {
    sb.write('home/.ssh/config', 'Host db\n  HostName db-1.prod.example.com\n');
    const result = await sb.run('ssh', ['db', 'dropdb shop']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('evidence   file ~/.ssh/config Host db HostName = db-1.prod.example.com');
    expect(sb.record('ssh')).toBeUndefined();
  });

  it('runs on localhost with a notice, and leaves a benign command on a dev box untouched', async () => {
    const local = await sb.run('ssh', ['localhost', 'dropdb shop']);
    expect(local.exitCode).toBe(0);
    expect(local.stderr).toBe('chaperone: dropdb in localhost (development): allowed\n');
    expect(sb.record('ssh')?.argv).toEqual(['localhost', 'dropdb shop']);
    const benign = await sb.run('ssh', ['dev-box', 'ls', '-la']);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('ssh')?.argv).toEqual(['dev-box', 'ls', '-la']);
  });

  it('judges a script file fed to a remote shell, and passes a benign one with its bytes intact', async () => {
    sb.write('work/wipe.sh', 'dropdb shop\n');
    const refused = await sb.sh('ssh prod-db bash -s < wipe.sh');
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('dropdb [destroy]');
    expect(refused.stderr).toContain('ssh prod-db > bash <stdin> > dropdb shop');
    expect(sb.record('ssh')).toBeUndefined();
    sb.write('work/uptime.sh', 'uptime\n');
    const allowed = await sb.sh('ssh prod-db bash -s < uptime.sh');
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('ssh')?.stdin.toString()).toBe('uptime\n');
  });

  it('refuses a piped script it cannot read in advance, and leaves the pipe alone for a plain command', async () => {
    const refused = await sb.run('ssh', ['prod-db', 'bash'], { input: 'dropdb shop\n' });
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('nested.unreadable');
    expect(sb.record('ssh')).toBeUndefined();
    const sql = await sb.run('ssh', ['prod-db', 'psql', 'shop'], { input: 'drop table users;\n' });
    expect(sql.exitCode).toBe(77);
    expect(sql.stderr).toContain('psql shop reads commands from a stdin chaperone cannot read in advance');
    expect(sb.record('ssh')).toBeUndefined();
    // git over ssh: a remote command that is no shell; stdin is a protocol stream and is not read ahead
    const allowed = await sb.run('ssh', ['-o', 'SendEnv=GIT_PROTOCOL', 'git@github.com', "git-upload-pack 'acme/shop.git'"], { input: '0000' });
    expect(allowed.exitCode).toBe(0);
    expect(sb.record('ssh')?.stdin.toString()).toBe('0000');
  });

  it('lets a session whose stdin is /dev/null through: nothing can be typed into it', async () => {
    const result = await sb.run('ssh', ['db.prod.example'], { stdin: 'ignore' });
    expect(result.exitCode).toBe(0);
  });

  it('leaves port forwards alone: no remote command runs', async () => {
    const args = ['-N', '-L', '5432:localhost:5432', 'db.prod.example'];
    const result = await sb.run('ssh', args);
    expect(result.exitCode).toBe(0);
    expect(sb.record('ssh')?.argv).toEqual(args);
  });
});

describe('docker exec and run', () => {
  beforeEach(runnersOnHosts);
  it.each([
    [['-H', 'ssh://deploy@db.prod.example', 'exec', 'c', 'psql', '-c', 'drop table t'], 'psql.sql.drop'],
    [['-H', 'tcp://prod-docker:2376', 'run', '--rm', '-h', 'x', 'postgres:15', 'psql', '-h', 'db', '-c', 'truncate t'], 'psql.sql.truncate'],
    [['-H', 'tcp://prod-docker:2376', 'compose', 'exec', 'db', 'dropdb', 'shop'], 'dropdb'],
  ])('refuses %j on a production daemon; the real docker never runs', async (args, rule) => {
    const result = await sb.run('docker', args);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(sb.record('docker')).toBeUndefined();
  });

  it('runs on the local daemon with a notice, and a benign exec untouched', async () => {
    const local = await sb.run('docker', ['exec', 'c', 'psql', '-c', 'drop table t']);
    expect(local.exitCode).toBe(0);
    expect(local.stderr).toContain('psql.sql.drop');
    const args = ['-H', 'tcp://prod-docker:2376', 'exec', 'c', 'psql', '-c', 'select 1'];
    const benign = await sb.run('docker', args);
    expect(benign.exitCode).toBe(0);
    expect(benign.stderr).toBe('');
    expect(sb.record('docker')?.argv).toEqual(args);
  });
});

describe('check --command gives the same answers, and sees what a refused agent tries next', () => {
  beforeEach(runnersOnHosts);
  async function check(line: string) {
    const result = await sb.chaperone(['check', '--json', '--actor', 'agent', '--command', line]);
    const json = JSON.parse(String(result.stdout));
    const commands = (json.commands ?? [json]) as { tool: string; decision: string; findings: { rule: string }[] }[];
    return { exitCode: result.exitCode, rules: commands.flatMap((c) => c.findings.map((f) => f.rule)) };
  }

  it.each([
    ["kubectl exec deploy/api -- psql -c 'drop table t'", 'psql.sql.drop'],
    [`kubectl exec pod -- bash -c "$(echo ZHJvcGRiIHNob3A= | base64 -d)"`, 'nested.unreadable'],
    ["kubectl exec pod -- ssh other 'dropdb shop'", 'dropdb'],
    ["ssh prod-db 'dropdb shop'", 'dropdb'],
    [`ssh prod-db "$(cat cmd.txt)"`, 'nested.unreadable'],
    ["ssh prod-db bash -s <<'EOF'\ncd /srv\ndropdb shop\nEOF", 'dropdb'],
    ['echo "dropdb shop" | ssh prod-db sh', 'dropdb'],
    ['ssh prod-db bash -s < wipe.sh', 'nested.unreadable'],
    ["sudo -u deploy ssh -t prod-db 'psql -c \"drop table t\"'", 'psql.sql.drop'],
  ])('%s is refused', async (line, rule) => {
    const { exitCode, rules } = await check(line);
    expect(exitCode).toBe(77);
    expect(rules).toContain(rule);
  });

  it('reads a script file the line feeds to the remote shell from the working directory', async () => {
    sb.write('work/wipe.sh', 'dropdb shop\n');
    const { exitCode, rules } = await check('ssh prod-db bash -s < wipe.sh');
    expect(exitCode).toBe(77);
    expect(rules).toEqual(['dropdb']);
  });

  it.each(["kubectl exec pod -- psql -c 'select 1'", 'ssh dev-box ls', "docker exec c psql -c 'select 1'", "ssh prod-db 'echo uptime | sh'"])(
    '%s is allowed',
    async (line) => {
      const { exitCode, rules } = await check(line);
      expect(exitCode).toBe(0);
      expect(rules).toEqual([]);
    },
  );
});

describe('heroku run, fly ssh console, railway ssh, gcloud compute ssh, aws ssm/ecs/rds-data', () => {
  const runners = ['heroku', 'fly', 'railway', 'gcloud', 'aws'];
  beforeEach(async () => {
    sb = await makeSandbox(runners);
    for (const tool of runners) sb.double(tool, { exitCode: 0, stdout: `${tool} ran\n` });
  });

  it.each([
    ['heroku', ['run', '-a', 'shop-prod', 'psql', '-c', 'drop table t'], 'psql.sql.drop'],
    ['heroku', ['run', 'bash', '-a', 'shop-prod'], 'nested.unreadable'],
    ['fly', ['ssh', 'console', '-a', 'shop-prod', '-C', 'dropdb shop'], 'dropdb'],
    ['fly', ['ssh', 'console', '-s', '-a', 'shop-prod'], 'nested.unreadable'],
    ['railway', ['ssh', '-e', 'production', '--', 'dropdb', 'shop'], 'dropdb'],
    ['gcloud', ['compute', 'ssh', 'db-1', '--project', 'acme-prod', '--command', 'dropdb shop'], 'dropdb'],
    ['aws', ['ssm', 'send-command', '--profile', 'acme-prod', '--document-name', 'AWS-RunShellScript', '--parameters', 'commands=["dropdb shop"]'], 'dropdb'],
    ['aws', ['ecs', 'execute-command', '--profile', 'acme-prod', '--cluster', 'c', '--task', 't', '--interactive', '--command', "psql -c 'drop table t'"], 'psql.sql.drop'],
    ['aws', ['rds-data', 'execute-statement', '--profile', 'acme-prod', '--resource-arn', 'arn:x', '--secret-arn', 'arn:y', '--sql', 'DROP TABLE users'], 'psql.sql.drop'],
  ] as [string, string[], string][])('%s %j is refused in production; the real tool never runs', async (tool, args, rule) => {
    const result = await sb.run(tool, args, { input: '' });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${rule} [destroy]`);
    expect(sb.record(tool)).toBeUndefined();
  });

  it.each([
    ['heroku', ['run', '-a', 'shop-dev', 'dropdb', 'shop'], 'chaperone: dropdb in shop-dev (development): allowed\n'],
    ['heroku', ['run', '-a', 'shop-prod', 'ls', '-la'], ''],
    ['fly', ['ssh', 'console', '-a', 'shop-prod', '-C', 'uptime'], ''],
    ['railway', ['ssh', '-e', 'dev', 'dropdb', 'shop'], 'chaperone: dropdb in dev (development): allowed\n'],
    ['gcloud', ['compute', 'ssh', 'db-1', '--project', 'acme-prod', '--', '-N', '-L', '5432:localhost:5432'], ''],
    ['aws', ['ssm', 'start-session', '--profile', 'acme-prod', '--target', 'i-1', '--document-name', 'AWS-StartSSHSession', '--parameters', 'portNumber=22'], ''],
    ['aws', ['rds-data', 'execute-statement', '--profile', 'acme-prod', '--resource-arn', 'arn:x', '--secret-arn', 'arn:y', '--sql', 'SELECT 1'], ''],
  ] as [string, string[], string][])('%s %j runs with argv untouched', async (tool, args, stderr) => {
    const result = await sb.run(tool, args, { input: '' });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(stderr);
    expect(sb.record(tool)?.argv).toEqual(args);
  });
});
