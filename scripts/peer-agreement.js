// Agreement with a table of labelled commands (`label<TAB>tool<TAB>command`, label DESTRUCTIVE or SAFE,
// a header line first): each command goes through `chaperone check --command` as an agent, in a throwaway
// HOME where every tool targets production (a Railway link, AWS_PROFILE=prod, a production PGHOST, …).
// A DESTRUCTIVE row agrees when it is not allowed, a SAFE row when it is.
// Usage: node scripts/peer-agreement.js TABLE.tsv… [--cli PATH/bin/chaperone.js]; OUT=FILE lists disagreements.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--cli');
const cli = at >= 0 ? args.splice(at, 2)[1] : fileURLToPath(new URL('../bin/chaperone.js', import.meta.url));

// A world where everything is production.
const root = mkdtempSync(join(tmpdir(), 'chaperone-peer-'));
const home = join(root, 'home');
const work = join(root, 'work');
for (const dir of ['.railway', '.aws', '.kube']) mkdirSync(join(home, dir), { recursive: true });
mkdirSync(work);
writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [work]: { projectPath: work, name: 'shop', project: 'p', environment: 'e', environmentName: 'production' } } }));
writeFileSync(join(home, '.aws', 'config'), '[profile prod]\nregion = us-east-1\n');
writeFileSync(
  join(home, '.kube', 'config'),
  'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: prod, user: u}\nclusters:\n- name: prod\n  cluster: {server: "https://k.prod.example"}\nusers:\n- name: u\n  user: {}\n',
);
const env = {
  HOME: home,
  PATH: '/usr/bin:/bin',
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_STATE_HOME: join(home, '.state'),
  AWS_PROFILE: 'prod',
  PGHOST: 'db.prod.example.com',
  MYSQL_HOST: 'db.prod.example.com',
  DOCKER_HOST: 'tcp://docker.prod.example.com:2376',
  CLOUDSDK_CORE_PROJECT: 'acme-prod',
  HEROKU_APP: 'acme-prod',
  TF_WORKSPACE: 'prod',
  CHAPERONE_ACTOR: 'agent',
};

const rows = args.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [label, tool, command] = line.split('\t');
      return { label, tool, command };
    }),
);

/** One row's decision, or `error` when the CLI's answer is not a report. */
const decide = (row) =>
  new Promise((done) =>
    execFile(process.execPath, [cli, 'check', '--json', '--actor', 'agent', '--command', row.command], { env, cwd: work }, (_error, stdout) => {
      try {
        done({ ...row, decision: JSON.parse(stdout).decision });
      } catch {
        done({ ...row, decision: 'error' });
      }
    }),
  );

const results = [];
let next = 0;
await Promise.all([0, 1].map(async () => {
  while (next < rows.length) results.push(await decide(rows[next++]));
}));
rmSync(root, { recursive: true, force: true });

const disagree = results.filter((r) => (r.label === 'DESTRUCTIVE') !== (r.decision !== 'allow'));
const agree = results.length - disagree.length;
console.log(`agreement ${agree}/${results.length} = ${((100 * agree) / results.length).toFixed(1)}%`);
if (process.env.OUT) writeFileSync(process.env.OUT, `${disagree.map((r) => `${r.label}\t${r.decision}\t${r.command}`).sort().join('\n')}\n`);
