// A Dockerfile's RUN instructions run in build containers where no shim stands (src/tools/dockerfile.ts):
// each is read as a command in a thrown-away container. Shell form, exec form, heredocs, continuation
// lines (with the escape directive), ONBUILD, RUN's own flags; what only touches the container is nothing.

import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/cli/check.js';
import { runInstructions } from '../../src/tools/dockerfile.js';
import { table } from '../helpers/cases.js';
import { random } from '../helpers/random.js';

describe('the commands of RUN instructions', () => {
  table(
    (text) => JSON.stringify(text),
    [
      ['FROM alpine\nRUN railway down -y', [{ line: 'railway down -y' }]],
      ['run railway down -y', [{ line: 'railway down -y' }]],
      ['RUN railway volume \\\n    delete --volume pg', [{ line: 'railway volume     delete --volume pg' }]],
      ['RUN railway volume \\\n# a comment\n  delete', [{ line: 'railway volume   delete' }]],
      ['# escape=`\nRUN railway volume `\n delete', [{ line: 'railway volume  delete' }]],
      ['RUN --mount=type=secret,id=t --network=host railway down -y', [{ line: 'railway down -y' }]],
      ['RUN ["railway", "down", "-y"]', [{ argv: ['railway', 'down', '-y'] }]],
      ['RUN [not json', [{ line: '[not json' }]],
      ['RUN <<EOF\nrailway down -y\nls\nEOF\nRUN echo done', [{ line: 'railway down -y\nls' }, { line: 'echo done' }]],
      ['ONBUILD RUN railway down -y', [{ line: 'railway down -y' }]],
      ['FROM alpine\nCMD railway down -y\nENTRYPOINT ["railway"]', []],
    ],
    runInstructions,
  );

  it('never throws on random text', () => {
    const next = random(0xd0c);
    const pieces = ['RUN ', 'run ', '\\\n', '\n', '#', ' ', '<<EOF', 'EOF', '["a",', '"b"]', '--mount=x ', 'railway down', '`', 'ONBUILD ', '# escape=`\n'];
    for (let round = 0; round < 3000; round++) {
      let text = '';
      for (let i = Math.floor(next() * 20); i > 0; i--) text += pieces[Math.floor(next() * pieces.length)];
      expect(() => runInstructions(text)).not.toThrow();
    }
  });
});

describe('docker build, as an agent', () => {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-dockerfile-')));
  writeFileSync(join(home, 'Dockerfile'), 'FROM node:20\nRUN --mount=type=secret,id=token \\\n    RAILWAY_TOKEN=$(cat /run/secrets/token) railway volume delete --volume pg-data --yes\n');
  writeFileSync(join(home, 'benign.Dockerfile'), 'FROM node:20\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nRUN railway status\n');
  writeFileSync(join(home, 'npm.Dockerfile'), 'FROM node:20\nCOPY . .\nRUN npm ci\n');
  const context = { cwd: home, env: { HOME: home, PATH: '/usr/bin:/bin' } };
  const agent = async (line: string) => {
    const report = await check({ line, ...context, actor: 'agent' });
    return `${report.decision}${report.commands.flatMap((c) => c.findings.map((f) => ` ${f.rule}`)).join('')}`;
  };
  table(
    (line) => line,
    [
      ['docker build --secret id=token,env=RAILWAY_TOKEN .', 'deny railway.volume.delete'],
      ['docker buildx build -t shop:dev .', 'deny railway.volume.delete'],
      ['docker image build -f Dockerfile -t x .', 'deny railway.volume.delete'],
      ['docker build - < Dockerfile', 'deny railway.volume.delete'],
      // A Dockerfile on a stdin not read ahead cannot be read: what it runs may reach anything the
      // build's secrets name, so its target is unknown, whatever the daemon's.
      ['cat Dockerfile | docker build -f - .', 'deny nested.unreadable'],
      ['cat Dockerfile | docker -H ssh://deploy@prod-eu.example.com build -f - .', 'deny nested.unreadable'],
      ['docker build -f npm.Dockerfile .', 'allow'],
      ['docker build -f benign.Dockerfile .', 'allow'],
      ['docker build -f missing.Dockerfile .', 'allow'],
      ['docker build --help', 'allow'],
    ],
    agent,
  );
});
