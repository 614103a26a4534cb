// gcloud: which invocations the built-in rules gate, and which project each one targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';

interface Line {
  line: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}
const label = ({ line, env = {} }: Line) => `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}`;

// A HOME whose gcloud config dir holds three configurations, `prod` active; and a flags file.
const home = join(emptyHome, 'gcloud-home');
const configDir = join(home, '.config', 'gcloud');
const otherConfigDir = join(home, 'other-gcloud');
const work = join(home, 'work');

beforeAll(() => {
  for (const dir of [join(configDir, 'configurations'), join(otherConfigDir, 'configurations'), work]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(configDir, 'active_config'), 'prod');
  writeFileSync(join(configDir, 'configurations', 'config_prod'), '[core]\naccount = me@example.com\nproject = acme-prod\n[compute]\nzone = us-central1-a\n');
  writeFileSync(join(configDir, 'configurations', 'config_dev'), '[core]\nproject = acme-dev\n');
  writeFileSync(join(configDir, 'configurations', 'config_staging'), '[core]\naccount = me@example.com\n');
  writeFileSync(join(otherConfigDir, 'active_config'), 'sandbox\n');
  writeFileSync(join(otherConfigDir, 'configurations', 'config_sandbox'), '[core]\nProject = team-42\n');
  writeFileSync(join(work, 'prod-flags.yaml'), '--project: acme-prod\n--quiet:\n');
  writeFileSync(join(work, 'rm-flags.yaml'), '- --recursive: true\n- --flags-file: prod-flags.yaml\n');
});

describe('gcloud commands against the built-in rules', () => {
  table<Line, string>(label, [
    [{ line: 'gcloud projects delete acme-prod' }, 'gcloud.projects.delete'],
    [{ line: 'gcloud projects delete acme-prod --quiet' }, 'gcloud.projects.delete'],
    [{ line: 'gcloud -q projects delete acme-prod' }, 'gcloud.projects.delete'],
    [{ line: 'gcloud beta projects delete acme-prod' }, 'gcloud.projects.delete'],
    [{ line: 'gcloud sql instances delete db1' }, 'gcloud.sql.delete'],
    [{ line: 'gcloud --project acme-prod sql instances delete db1' }, 'gcloud.sql.delete'],
    [{ line: 'gcloud sql instances delete db1 --project=acme-prod --async' }, 'gcloud.sql.delete'],
    [{ line: 'gcloud sql databases delete shop --instance db1' }, 'gcloud.sql.delete'],
    [{ line: 'gcloud sql ssl client-certs delete cert --instance db1' }, 'gcloud.sql.delete'],
    [{ line: 'gcloud sql instances restore-backup db1 --backup-id 42' }, 'gcloud.sql.restore'],
    [{ line: 'gcloud compute instances delete vm1 --zone us-central1-a --delete-disks=all' }, 'gcloud.compute.delete'],
    [{ line: 'gcloud compute disks delete data-1' }, 'gcloud.compute.delete'],
    [{ line: 'gcloud compute networks subnets delete sub1 --region us-east1' }, 'gcloud.compute.delete'],
    [{ line: 'gcloud alpha compute snapshots delete snap1' }, 'gcloud.compute.delete gcloud.backups.delete'],
    [{ line: 'gcloud container clusters delete prod-gke --region europe-west1' }, 'gcloud.container.delete'],
    [{ line: 'gcloud container node-pools delete pool-1 --cluster c' }, 'gcloud.container.delete'],
    [{ line: 'gcloud run services delete api --region us-central1' }, 'gcloud.run.delete'],
    [{ line: 'gcloud run jobs delete nightly' }, 'gcloud.run.delete'],
    [{ line: 'gcloud storage buckets delete gs://acme-assets' }, 'gcloud.storage.delete'],
    [{ line: 'gcloud storage rm -r gs://acme-assets' }, 'gcloud.storage.rm.recursive'],
    [{ line: 'gcloud storage rm --recursive gs://acme-assets/logs' }, 'gcloud.storage.rm.recursive'],
    [{ line: 'gcloud storage rm -R gs://acme-assets' }, 'gcloud.storage.rm.recursive'],
    [{ line: 'gcloud storage rm -ra gs://acme-assets' }, 'gcloud.storage.rm.recursive'],
    [{ line: 'gcloud storage rm --all-versions gs://acme-assets/a.txt' }, 'gcloud.storage.rm.all-versions'],
    [{ line: 'gcloud storage rm gs://acme-assets/a.txt' }, 'gcloud.storage.rm'],
    [{ line: 'gcloud storage rm --continue-on-error gs://acme-assets/a.txt' }, 'gcloud.storage.rm'],
    [{ line: 'gcloud storage rsync ./site gs://acme-site --delete-unmatched-destination-objects' }, 'gcloud.storage.rsync.delete'],
    [{ line: 'gcloud spanner databases delete orders --instance i1' }, 'gcloud.data.delete'],
    [{ line: 'gcloud bigtable instances tables delete t --instance i1' }, 'gcloud.data.delete'],
    [{ line: 'gcloud redis instances delete cache --region us-east1' }, 'gcloud.data.delete'],
    [{ line: 'gcloud firestore databases delete --database=(default)' }, 'gcloud.data.delete'],
    [{ line: 'gcloud functions delete resize' }, 'gcloud.functions.delete'],
    [{ line: 'gcloud secrets delete db-password' }, 'gcloud.secrets.delete'],
    [{ line: 'gcloud secrets versions destroy 3 --secret db-password' }, 'gcloud.secrets.delete'],
    [{ line: 'gcloud kms keys versions destroy 1 --key k --keyring r --location global' }, 'gcloud.kms.destroy'],
    [{ line: 'gcloud iam service-accounts delete deploy@acme.iam.gserviceaccount.com' }, 'gcloud.iam.service-account.delete'],
    [{ line: 'gcloud pubsub subscriptions delete orders-sub' }, 'gcloud.pubsub.delete'],
    [{ line: 'gcloud dns record-sets delete www.acme.com. --type A --zone z' }, 'gcloud.dns.delete'],
    [{ line: 'gcloud app versions delete v1' }, 'gcloud.app.delete'],
    [{ line: 'gcloud storage rm --flags-file rm-flags.yaml gs://acme-assets', cwd: work }, 'gcloud.storage.rm.recursive'],
    // never gated
    [{ line: 'gcloud projects delete acme-prod --help' }, ''],
    [{ line: 'gcloud sql instances delete db1 -h' }, ''],
    [{ line: 'gcloud help sql instances delete' }, ''],
    [{ line: 'gcloud beta help projects delete' }, ''],
    [{ line: 'gcloud --version' }, ''],
    [{ line: 'gcloud projects list' }, ''],
    [{ line: 'gcloud projects describe acme-prod' }, ''],
    [{ line: 'gcloud sql instances list --filter delete' }, ''],
    [{ line: 'gcloud sql instances describe db1' }, ''],
    [{ line: 'gcloud compute instances list' }, ''],
    [{ line: 'gcloud compute instances get-serial-port-output vm1' }, ''],
    [{ line: 'gcloud compute instances delete-access-config vm1' }, ''],
    [{ line: 'gcloud container clusters get-credentials prod-gke' }, ''],
    [{ line: 'gcloud run services describe api' }, ''],
    [{ line: 'gcloud storage ls gs://acme-assets' }, ''],
    [{ line: 'gcloud storage cp a.txt gs://acme-assets/' }, ''],
    [{ line: 'gcloud storage rsync ./site gs://acme-site' }, ''],
    [{ line: 'gcloud storage rsync ./site gs://acme-site --delete-unmatched-destination-objects --dry-run' }, ''],
    [{ line: 'gcloud config get-value project' }, ''],
    [{ line: 'gcloud config set project acme-prod' }, ''],
    [{ line: 'gcloud auth list' }, ''],
    [{ line: 'gcloud' }, ''],
  ], ({ line, env, cwd }) => evaluateLine(line, { HOME: home, ...env }, cwd).then((ev) => ev.findings.map((f) => f.rule).join(' ')));
});

/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, env = {}, cwd = work }: Line) => {
  const t = (await evaluateLine(line, { HOME: home, ...env }, cwd)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('gcloud target', () => {
  table<Line, string>(label, [
    [{ line: 'gcloud sql instances delete db1' }, 'acme-prod production file:[core] project file:active configuration'],
    [{ line: 'gcloud sql instances delete db1 --configuration dev' }, 'acme-dev development file:[core] project flag:--configuration'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'dev' } }, 'acme-dev development file:[core] project env:CLOUDSDK_ACTIVE_CONFIG_NAME'],
    [{ line: 'gcloud sql instances delete db1 --configuration=dev', env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'prod' } }, 'acme-dev development file:[core] project flag:--configuration'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } }, 'acme-dev development env:CLOUDSDK_CORE_PROJECT'],
    [{ line: 'gcloud sql instances delete db1 --project acme-dev' }, 'acme-dev development flag:--project'],
    [{ line: 'gcloud --project=acme-staging sql instances delete db1', env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } }, 'acme-staging staging flag:--project'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_CORE_PROJECT: '' } }, '- unknown env:CLOUDSDK_CORE_PROJECT'],
    // a configuration without a project: unknown, unless its own name says what it is
    [{ line: 'gcloud sql instances delete db1 --configuration staging' }, '- staging file:[core] project flag:--configuration'],
    [{ line: 'gcloud sql instances delete db1 --configuration missing' }, '- unknown file:[core] project flag:--configuration'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_ACTIVE_CONFIG_NAME: 'NONE' } }, '- unknown env:CLOUDSDK_ACTIVE_CONFIG_NAME'],
    // CLOUDSDK_CONFIG moves the whole config dir; configparser lower-cases keys
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_CONFIG: otherConfigDir } }, 'team-42 development file:[core] project file:active configuration'],
    [{ line: 'gcloud sql instances delete db1', env: { CLOUDSDK_CONFIG: join(home, 'nowhere') } }, '- unknown file:[core] project default:configuration'],
    // the command names its target
    [{ line: 'gcloud projects delete acme-dev' }, 'acme-dev development argument:projects delete'],
    [{ line: 'gcloud projects delete 123456789012 --project acme-dev' }, '123456789012 unknown argument:projects delete'],
    [{ line: 'gcloud compute instances delete https://www.googleapis.com/compute/v1/projects/acme-prod/zones/z/instances/vm', env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } }, 'acme-dev production env:CLOUDSDK_CORE_PROJECT argument:resource URI project'],
    [{ line: 'gcloud storage rm -r gs://acme-prod-assets', env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } }, 'acme-prod-assets production argument:bucket env:CLOUDSDK_CORE_PROJECT'],
    [{ line: 'gcloud storage rm -r gs://scratch-bucket --project acme-dev' }, 'scratch-bucket development argument:bucket flag:--project'],
    [{ line: 'gcloud storage rm gs://a/x gs://b/y --project acme-dev' }, 'acme-dev development argument:bucket argument:bucket flag:--project'],
    // a --flags-file is read as gcloud reads it
    [{ line: 'gcloud sql instances delete db1 --flags-file=prod-flags.yaml', env: { CLOUDSDK_CORE_PROJECT: 'acme-dev' } }, 'acme-prod production flag:--project'],
    [{ line: 'gcloud sql instances delete db1 --flags-file prod-flags.yaml --project acme-dev' }, 'acme-dev development flag:--project'],
  ], target);
});
