// The runners' readers (kubectl, docker, ssh, heroku, fly, railway, gcloud, aws) run on whatever an
// agent types. Random argv built from the words their grammars care about must never throw (a throw is
// an internal error), and a destructive inner command after a recognisable runner prefix must never
// come out allowed for an agent in an unknown (production-like) target. Seeded, so a failure repeats.

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate.js';
import { judgeNested } from '../../src/nested.js';
import type { Config } from '../../src/rules/config.js';
import { loadConfig } from '../../src/rules/load.js';
import { loadTool } from '../../src/tools/index.js';
import { readParameters } from '../../src/tools/aws.js';
import { readSsh } from '../../src/tools/ssh.js';
import { emptyHome } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

const pieces = [
  '--', '-', '-i', '-t', '-it', '-c', '-C', '-e', '-p', '-P', '-o', '-s', '-n', '-N', '-T', '-h', '--help', '-V', '-G', '-a', '-l', '-F', '-J',
  'exec', 'run', 'debug', 'attach', 'compose', 'container', 'ssh', 'console', 'machine', 'm', 'run:detached', 'run:inside', 'compute',
  'send-command', 'start-session', 'execute-command', 'execute-statement', 'ssm', 'ecs', 'rds-data', 'tpus', 'tpu-vm', 'cloud-shell',
  '--command', '--command=', '--parameters', '--document-name', 'AWS-RunShellScript', 'AWS-StartInteractiveCommand', '--sql', '--ssh-flag',
  '--cli-input-json', '--entrypoint', '--interactive', '--stdin', '--tty', '--dry-run=client', '-o', 'HostName=%h', 'RemoteCommand=x',
  'SessionType=none', 'commands=[', ']', '"', "'", '{', '}', 'commands=["a","b"]', 'file://', 'file://nope.json', '{"commands":1}',
  'ssh://', 'user@', '@', '[::1]', 'db.prod.example', 'pod', 'bash', 'sh', '-s', 'psql', 'dropdb', 'shop', 'drop table t', '`', '$(', ')',
  '\n', ' ', '\\', ';', '|', '&&', 'ü', '\u0000', '=', ',', '%', '%%', '*', '!',
];

const tools = ['kubectl', 'docker', 'docker-compose', 'ssh', 'heroku', 'fly', 'railway', 'gcloud', 'aws'];

function argvs(seed: number, count: number): string[][] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * 14) }, () => pieces[Math.floor(next() * pieces.length)]));
}

const env = { HOME: join(emptyHome, 'nested-fuzz'), CHAPERONE_ACTOR: 'agent' };

async function verdict(tool: string, args: string[], input = '') {
  const ev = await evaluate({ tool, args, cwd: emptyHome, env, input }, { terminal: () => false });
  return ev.decision.verdict;
}

describe('runner readers never throw', () => {
  // The stages evaluate() runs, with the config loaded once: parse, judge what runs inside, resolve.
  let config: Config;
  beforeAll(async () => {
    config = await loadConfig(emptyHome, env);
  });
  for (const [i, name] of tools.entries()) {
    it(`${name}: random argv`, async () => {
      const tool = (await loadTool(name))!;
      for (const args of argvs(100 + i, 600)) {
        const invocation = { tool: name, args, cwd: emptyHome, env, input: '' };
        const run = async () => {
          const parsed = await tool.parse(invocation);
          if (parsed.nested) await judgeNested(parsed.nested, invocation, config);
          await tool.resolve(parsed, invocation);
        };
        await expect(run(), JSON.stringify([name, ...args])).resolves.toBeUndefined();
      }
      // and a few through the whole pipeline
      for (const args of argvs(200 + i, 20)) {
        await expect(verdict(name, args), JSON.stringify([name, ...args])).resolves.toMatch(/^(allow|confirm|deny)$/);
      }
    });
  }

  it('ssh getopt and aws --parameters, on their own', () => {
    const next = random(7);
    for (const args of argvs(8, 3000)) {
      expect(() => readSsh(args, next() < 0.5), JSON.stringify(args)).not.toThrow();
      expect(() => readParameters(args.join(''), emptyHome), JSON.stringify(args.join(''))).not.toThrow();
    }
  });
});

describe('a destructive inner command after a runner prefix is never allowed for an agent in an unknown target', () => {
  // Runner prefixes whose next words are the inner command, and ways to spell the inner command.
  const prefixes: [string, string[]][] = [
    ['kubectl', ['exec', 'pod', '--']],
    ['kubectl', ['exec', '-i', 'pod', '-c', 'app', '--']],
    ['kubectl', ['run', 'tmp', '--image=postgres', '--']],
    ['docker', ['-H', 'tcp://unknown-host:2376', 'exec', 'c']],
    ['docker', ['-H', 'tcp://unknown-host:2376', 'run', '--rm', 'postgres']],
    ['docker', ['-H', 'tcp://unknown-host:2376', 'compose', 'exec', 'db']],
    ['ssh', ['some-host']],
    ['ssh', ['-p', '22', '-l', 'admin', 'some-host', '--']],
    ['heroku', ['run', '-a', 'some-app']],
    ['railway', ['ssh']],
    ['gcloud', ['compute', 'ssh', 'vm', '--project', 'some-project', '--']],
  ];
  const inner = [['dropdb', 'shop'], ['sh', '-c', 'dropdb shop'], ['bash', '-c', "psql -c 'drop table t'"], ['psql', '-c', 'drop table t']];
  const next = random(11);
  const noise = ['-v', 'x', '--', 'a b', "'"];
  it('with random harmless words between the prefix and the command', async () => {
    for (let n = 0; n < 120; n++) {
      const [tool, prefix] = prefixes[Math.floor(next() * prefixes.length)];
      const command = inner[Math.floor(next() * inner.length)];
      // ssh (and the runners built on it) joins words with spaces, so a quoted SQL argument must be one word.
      // heroku quotes each word that holds a space itself, so it gets the words as they are.
      const words = ['ssh', 'railway', 'gcloud'].includes(tool) ? [command.map((w) => (w.includes(' ') ? `"${w}"` : w)).join(' ')] : command;
      const args = [...prefix, ...words];
      const extra = next() < 0.3 ? [noise[Math.floor(next() * noise.length)]] : [];
      const result = await verdict(tool, [...args, ...extra]);
      expect(result, JSON.stringify([tool, ...args, ...extra])).not.toBe('allow');
    }
  });
});
