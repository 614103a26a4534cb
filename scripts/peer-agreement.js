// Measures how often chaperone agrees with the labels of a peer corpus (rows of `label<TAB>tool<TAB>command`,
// label DESTRUCTIVE or SAFE). The peers know nothing of environments, so every row is judged as an agent
// in a world where everything is production: a railway-linked production directory, a production AWS
// profile, PGHOST/MYSQL_HOST of a production database, a remote DOCKER_HOST, a production kube context,
// gcloud project, Heroku app and terraform workspace. DESTRUCTIVE agrees with a refusal, SAFE with allow.
//
//   npm run build && node scripts/peer-agreement.js FILE.tsv… [--list]
//
// A breadth yardstick, not a spec: where a label contradicts chaperone's own rules (a --help, a dry run),
// ours win. --list prints each disagreement.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bin/chaperone.js', import.meta.url));
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const list = process.argv.includes('--list');
if (files.length === 0) {
  process.stderr.write('usage: node scripts/peer-agreement.js FILE.tsv… [--list]\n');
  process.exit(2);
}

const root = mkdtempSync(join(tmpdir(), 'chaperone-peers-'));
const home = join(root, 'home');
const work = join(root, 'shop-prod');
mkdirSync(join(home, '.railway'), { recursive: true });
mkdirSync(join(home, '.kube'), { recursive: true });
mkdirSync(work, { recursive: true });
writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [work]: { environment: 'env-1', environmentName: 'production', name: 'shop' } } }));
writeFileSync(
  join(home, '.kube', 'config'),
  'apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: prod, user: admin}\nclusters:\n- name: prod\n  cluster: {server: "https://k8s.prod.example.com"}\nusers:\n- name: admin\n  user: {}\n',
);
const env = {
  PATH: process.env.PATH,
  HOME: home,
  LANG: 'C.UTF-8',
  CHAPERONE_ACTOR: 'agent',
  AWS_PROFILE: 'acme-prod',
  PGHOST: 'db.prod.example.com',
  MYSQL_HOST: 'db.prod.example.com',
  DOCKER_HOST: 'tcp://docker.prod.example.com:2376',
  CLOUDSDK_CORE_PROJECT: 'acme-prod',
  HEROKU_APP: 'acme-prod',
  TF_WORKSPACE: 'prod',
};

const rows = files.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [label, tool, command] = line.split('\t');
      return { file, label, tool, command };
    }),
);

function judge(command) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'check', '--json', '--actor', 'agent', '--command', command], { env, cwd: work }, (error, stdout) => {
      try {
        resolve(JSON.parse(stdout).decision);
      } catch {
        resolve(`error (${error?.code ?? 'no JSON'})`);
      }
    });
  });
}

let next = 0;
const results = new Array(rows.length);
async function worker() {
  while (next < rows.length) {
    const i = next++;
    results[i] = await judge(rows[i].command);
  }
}
await Promise.all(Array.from({ length: 4 }, worker));

let agree = 0;
for (const [i, row] of rows.entries()) {
  const refused = results[i] === 'deny' || results[i] === 'confirm';
  const ok = (row.label === 'DESTRUCTIVE') === refused;
  if (ok) agree++;
  else if (list) process.stdout.write(`${row.label}\t${results[i]}\t${row.command}\n`);
}
process.stdout.write(`peer agreement: ${agree} of ${rows.length} rows (${((100 * agree) / rows.length).toFixed(1)} %)\n`);
