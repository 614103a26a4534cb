// gsutil: which invocations the built-in rules gate, and which buckets and project each one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

interface Line {
  line: string;
  env?: NodeJS.ProcessEnv;
}
const label = ({ line, env = {} }: Line) => `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}`;

describe('gsutil commands against the built-in rules', () => {
  table<Line, string>(label, [
    [{ line: 'gsutil rb gs://acme-assets' }, 'gsutil.rb'],
    [{ line: 'gsutil rb -f gs://a gs://b' }, 'gsutil.rb'],
    [{ line: 'gsutil removebucket gs://acme-assets' }, 'gsutil.rb'],
    [{ line: 'gsutil rmdir gs://acme-assets' }, 'gsutil.rb'],
    [{ line: 'gsutil rm -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil rm -R gs://acme-assets/logs' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil -m rm -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil -m -o GSUtil:parallel_process_count=4 rm -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil -h x-goog-user-project:billing rm -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil -mq rm -rf gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil --multi rm -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil rm gs://acme-assets -r' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil del -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil remove -r gs://acme-assets' }, 'gsutil.rm.recursive'],
    [{ line: 'gsutil rm -a gs://acme-assets/a.txt' }, 'gsutil.rm.all-versions'],
    [{ line: 'gsutil rm gs://acme-assets/a.txt' }, 'gsutil.rm'],
    [{ line: 'gsutil -m rm -I' }, 'gsutil.rm'],
    [{ line: 'gsutil rsync -d -r ./site gs://acme-site' }, 'gsutil.rsync.delete'],
    [{ line: 'gsutil -m rsync -rd ./site gs://acme-site' }, 'gsutil.rsync.delete'],
    // never gated
    [{ line: 'gsutil rsync -r ./site gs://acme-site' }, ''],
    [{ line: 'gsutil rsync -a public-read -r ./site gs://acme-site' }, ''],
    [{ line: 'gsutil rsync -d -n -r ./site gs://acme-site' }, ''],
    [{ line: 'gsutil rm -r gs://acme-assets --help' }, ''],
    [{ line: 'gsutil --help' }, ''],
    [{ line: 'gsutil -? rm -r gs://acme-assets' }, ''],
    [{ line: 'gsutil -v rm -r gs://acme-assets' }, ''],
    [{ line: 'gsutil help rm' }, ''],
    [{ line: 'gsutil' }, ''],
    [{ line: 'gsutil ls gs://acme-assets' }, ''],
    [{ line: 'gsutil ls -p acme-prod' }, ''],
    [{ line: 'gsutil du -s gs://acme-assets' }, ''],
    [{ line: 'gsutil cp -r ./site gs://acme-site' }, ''],
    [{ line: 'gsutil cat gs://acme-assets/rm' }, ''],
    [{ line: 'gsutil version -l' }, ''],
  ], ({ line, env }) => rulesOf(line, env));
});

// A HOME with a gcloud configuration (project acme-dev) and a boto file naming another project.
const home = join(emptyHome, 'gsutil-home');
const configDir = join(home, '.config', 'gcloud');

beforeAll(() => {
  mkdirSync(join(configDir, 'configurations'), { recursive: true });
  writeFileSync(join(configDir, 'active_config'), 'default');
  writeFileSync(join(configDir, 'configurations', 'config_default'), '[core]\nproject = acme-dev\n');
  writeFileSync(join(home, '.boto'), '[GSUtil]\ndefault_project_id = acme-prod\n');
  writeFileSync(join(home, 'staging.boto'), '[GSUtil]\ndefault_project_id = acme-staging\n');
});

/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, env = {} }: Line) => {
  const t = (await evaluateLine(line, { HOME: home, ...env }, home)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('gsutil target', () => {
  table<Line, string>(label, [
    // the boto project (a standalone gsutil's) counts too, so the stricter one decides
    [{ line: 'gsutil rm -r gs://scratch-bucket' }, 'scratch-bucket production argument:bucket file:[core] project file:active configuration file:[GSUtil] default_project_id'],
    [{ line: 'gsutil rm -r gs://scratch-bucket', env: { BOTO_CONFIG: join(home, 'staging.boto') } }, 'scratch-bucket staging argument:bucket file:[core] project file:active configuration file:[GSUtil] default_project_id'],
    [{ line: 'gsutil rm -r gs://scratch-bucket', env: { BOTO_CONFIG: join(home, 'none.boto') } }, 'scratch-bucket development argument:bucket file:[core] project file:active configuration'],
    [{ line: 'gsutil rm -r gs://acme-prod-assets', env: { BOTO_CONFIG: join(home, 'none.boto') } }, 'acme-prod-assets production argument:bucket file:[core] project file:active configuration'],
    [{ line: 'gsutil rm -r gs://scratch-bucket', env: { BOTO_CONFIG: join(home, 'none.boto'), CLOUDSDK_CORE_PROJECT: 'acme-staging' } }, 'scratch-bucket staging argument:bucket env:CLOUDSDK_CORE_PROJECT'],
    [{ line: 'gsutil -o GSUtil:default_project_id=acme-dev rm -r gs://scratch-bucket', env: { BOTO_CONFIG: join(home, 'none.boto'), CLOUDSDK_CORE_PROJECT: 'acme-prod' } }, 'scratch-bucket development argument:bucket flag:-o GSUtil:default_project_id'],
    [{ line: 'gsutil -m rm -r gs://a gs://b', env: { BOTO_CONFIG: join(home, 'none.boto') } }, 'acme-dev development argument:bucket argument:bucket file:[core] project file:active configuration'],
    [{ line: 'gsutil rb gs://scratch-bucket', env: { BOTO_CONFIG: join(home, 'none.boto'), CLOUDSDK_CONFIG: join(home, 'nowhere') } }, 'scratch-bucket unknown argument:bucket file:[core] project default:configuration'],
  ], target);
});
