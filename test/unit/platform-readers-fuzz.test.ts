// The readers of pulumi, terragrunt, cdk, sst, serverless, mongorestore and mysqladmin run on whatever
// an agent types and on files an agent can write (Pulumi.yaml, the workspace file, cdk.json,
// cdk.out/manifest.json, .sst/stage, serverless.yml). Random argv and random files must never make a
// reader throw, and a destroy aimed at production, followed by any words that neither ask for help nor
// turn the destroy off nor name another target, must still be refused: no input crashes into an allow.
// Seeded, so a failure repeats.

import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../../src/evaluate.js';
import { loadTool } from '../../src/tools/index.js';
import { emptyHome } from '../helpers/evaluate.js';
import { random } from '../helpers/random.js';

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)];
const argvs = (seed: number, count: number, pieces: readonly string[], max = 8): string[][] => {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * max) }, () => pick(next, pieces)));
};
const texts = (seed: number, count: number, pieces: readonly string[]): string[] => {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 30) }, () => pick(next, pieces)).join(''));
};

const common = ['', '-', '--', '=', 'x', 'ü', '\u0000', '-x', '--x', '--x=', '--x=1', '-=', 'a b', '*', '.', '..', '/', '0', 'false', 'true'];

interface Reader {
  tool: string;
  /** Words that, put anywhere, keep neither help, nor an off switch, nor another target. */
  pieces: string[];
  /** Every word a grammar knows, help and off switches included: only for the no-throw run. */
  all: string[];
  /** A destroy aimed at production. */
  core: string[];
  env?: NodeJS.ProcessEnv;
}

const readers: Reader[] = [
  {
    tool: 'pulumi',
    pieces: [...common, 'destroy', 'up', 'stack', 'rm', 'state', 'delete', '--yes', '-y', '-f', '--skip-preview', '--remove', '--target', '-t', 'urn', '--color', 'always', '-C', '--cwd', '-v', '3', '--refresh', '-r', '--refresh=true', '--parallel', '-p', '--json', '--exclude-protected', '--non-interactive'],
    all: ['--help', '-h', 'help', '--preview-only', '--stack', '-s', 'dev', 'preview', 'cancel', '--preview-only=false'],
    core: ['destroy', '--stack', 'acme/shop/prod'],
  },
  {
    tool: 'terragrunt',
    pieces: [...common, 'destroy', 'apply', 'run', 'run-all', '--all', '-auto-approve', '-destroy', '--destroy', '-var', 'a=b', '-target', 'x.y', '-lock=false', '--non-interactive', '--terragrunt-non-interactive', '--log-level', 'debug', '--queue-include-dir', 'x', '-parallelism', '4', 'state', 'rm', 'plan', 'output'],
    all: ['--help', '-help', '-h', 'help', '--version', '-version', '--working-dir', '--terragrunt-working-dir', 'dev', '-dry-run', '-var-file', 'dev.tfvars'],
    core: ['destroy', '-auto-approve'],
    env: { TF_WORKSPACE: 'production' },
  },
  {
    tool: 'cdk',
    pieces: [...common, 'destroy', 'deploy', '--all', '--force', '-f', '-e', '--exclusively', '--require-approval', 'never', '--app', 'x', '-a', '--ci', '--no-color', '--verbose', '-v', '--json', '-o', 'out', '--hotswap'],
    all: ['--help', '-h', '--version', 'docs', '--no-execute', '--execute=false', '--method', 'prepare-change-set', '--profile', 'sandbox', '-c', 'stage=dev', 'Shop-Dev'],
    core: ['destroy', 'Shop-Prod', '--force'],
  },
  {
    tool: 'sst',
    pieces: [...common, 'remove', 'deploy', '--verbose', '--print-logs', '--target', 'Database', '--yes', 'secret', 'state', 'unlock'],
    all: ['--help', '-h', 'help', '--stage', 'dev', '--config', 'x.ts'],
    core: ['remove', '--stage', 'production'],
  },
  {
    tool: 'serverless',
    pieces: [...common, 'remove', 'deploy', 'function', '-f', 'hello', '--verbose', '--region', 'us-east-1', '-r', '--force', '--param', 'a=b', '--debug', '--org', 'acme'],
    all: ['--help', '-h', 'help', '--version', '-v', '--stage', '-s', 'dev', 'list', '--aws-profile', 'sandbox', '-c', 'x.yml'],
    core: ['remove', '--stage', 'prod'],
  },
  {
    tool: 'mongorestore',
    pieces: [...common, '--drop', '--gzip', '--archive', '--archive=x', '--nsInclude', 'shop.*', '--nsExclude', 'a.b', '-j', '4', '--stopOnError', '--quiet', '-v', '--oplogReplay', 'dump/', '-u', 'root', '-p', 'pw'],
    all: ['--help', '--version', '--dryRun', '--uri', 'mongodb://localhost/shop_dev', '--host', 'localhost', '-h', '-d', 'shop_dev', '--nsTo', 'dev.*', '--config', 'x.yaml'],
    core: ['--drop', '--uri', 'mongodb://db.prod.example.com/shop'],
  },
  {
    tool: 'mysqladmin',
    pieces: [...common, 'drop', 'dro', 'create', 'shutdown', 'flush-logs', 'status', 'ping', '-f', '--force', '-s', '-v', '-c', '2', '-i', '1', '-pSECRET', '-p', '-u', 'root', '--skip-ssl', '--loose-x=1', 'shop', 'kill', '1,2'],
    all: ['--help', '-?', '-I', '--version', '-V', '--print-defaults', '-h', 'localhost', '--host=127.0.0.1', '-S', '/tmp/s', '--defaults-file=x.cnf', '--no-defaults'],
    core: ['--no-defaults', '-h', 'db.prod.example.com', 'drop', 'shop'],
  },
];

const root = mkdtempSync(join(emptyHome, 'platform-fuzz-'));
const run = (tool: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  evaluate({ tool, args, cwd, env: { HOME: root, CHAPERONE_ACTOR: 'agent', ...env } }, { alwaysResolve: true, terminal: () => false });

describe('the readers never throw on random argv', () => {
  for (const [n, reader] of readers.entries()) {
    it(reader.tool, async () => {
      const tool = (await loadTool(reader.tool))!;
      for (const args of argvs(100 + n, 1500, [...reader.pieces, ...reader.all, ...reader.core])) {
        const invocation = { tool: reader.tool, args, cwd: root, env: { HOME: root, ...reader.env } };
        const read = async () => tool.resolve(await tool.parse(invocation), invocation);
        await expect(read(), JSON.stringify(args)).resolves.toBeDefined();
      }
    });
  }
});

describe('a production destroy followed by random words is still refused', () => {
  for (const [n, reader] of readers.entries()) {
    it(reader.tool, async () => {
      for (const tail of argvs(200 + n, 30, reader.pieces)) {
        const evaluation = await run(reader.tool, [...reader.core, ...tail], root, reader.env);
        expect(evaluation.decision.verdict, JSON.stringify([...reader.core, ...tail])).toBe('deny');
      }
    });
  }
});

const filePieces = ['\n', ' ', '  ', ':', '- ', '{', '}', '[', ']', '"', "'", ',', '#', '\\', '\u0000', 'ü', '${', 'opt:stage', 'env:X', 'name', 'stack', 'stage', 'provider', 'context', 'artifacts', 'type', 'aws:cloudformation:stack', 'dev', 'prod', 'x', '1', 'null', 'true', '&a', '*a', '!!', '---'];

describe('project files an agent can write never make a reader throw', () => {
  it('Pulumi.yaml and the workspace file, serverless.yml, cdk.json and its manifest, .sst/stage', async () => {
    for (const [i, text] of texts(31, 12, filePieces).entries()) {
      const dir = join(root, `p${i}`);
      mkdirSync(join(dir, 'cdk.out'), { recursive: true });
      mkdirSync(join(dir, '.sst'), { recursive: true });
      for (const name of ['Pulumi.yaml', 'serverless.yml', 'cdk.json', 'cdk.out/manifest.json', '.sst/stage', 'sst.config.ts']) writeFileSync(join(dir, name), text);
      const workspace = join(root, '.pulumi', 'workspaces', `x-${createHash('sha1').update(join(dir, 'Pulumi.yaml')).digest('hex')}-workspace.json`);
      mkdirSync(join(workspace, '..'), { recursive: true });
      writeFileSync(workspace, text);
      for (const [tool, args] of [['pulumi', ['destroy', '-y']], ['serverless', ['remove']], ['cdk', ['destroy', '--all']], ['sst', ['remove']]] as const) {
        const evaluation = await run(tool, [...args], dir);
        expect(evaluation.findings.length, `${tool} ${JSON.stringify(text)}`).toBeGreaterThan(0);
      }
      // and a production destroy with such files around is refused
      for (const [tool, args] of [['pulumi', ['destroy', '-s', 'prod']], ['serverless', ['remove', '-s', 'prod']], ['cdk', ['destroy', 'Shop-Prod']], ['sst', ['remove', '--stage', 'prod']]] as const) {
        expect((await run(tool, [...args], dir)).decision.verdict, `${tool} ${JSON.stringify(text)}`).toBe('deny');
      }
    }
  });
});
