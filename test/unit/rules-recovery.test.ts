// What recovery depends on (issue 10): backups turned off, recovery points deleted, restores over live
// data, for every covered tool but aws (rules-aws.test.ts, aws-params.test.ts). Two spellings where a
// command has aliases or flag forms, and the benign neighbour of each route stays ungated.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'lifecycle');

describe('gcloud and gsutil', () => {
  table((line) => line, [
    ['gcloud sql instances patch db1 --no-backup', 'gcloud.sql.backup.off'],
    ['gcloud sql instances patch --no-backup db1 --project acme-prod', 'gcloud.sql.backup.off'],
    ['gcloud beta sql instances patch db1 --no-enable-point-in-time-recovery', 'gcloud.sql.pitr.off'],
    ['gcloud sql instances patch db1 --no-enable-bin-log', 'gcloud.sql.bin-log.off'],
    ['gcloud sql instances patch db1 --no-deletion-protection', 'gcloud.deletion-protection.off'],
    ['gcloud compute instances update vm1 --no-deletion-protection', 'gcloud.deletion-protection.off'],
    ['gcloud spanner databases update db --instance i --no-enable-drop-protection', 'gcloud.spanner.drop-protection.off'],
    ['gcloud firestore databases update --database=(default) --no-delete-protection', 'gcloud.firestore.delete-protection.off'],
    ['gcloud firestore databases update --no-enable-pitr', 'gcloud.firestore.pitr.off'],
    ['gcloud storage buckets update gs://acme-prod --no-versioning', 'gcloud.storage.versioning.off'],
    ['gcloud storage buckets update --no-versioning gs://acme-prod', 'gcloud.storage.versioning.off'],
    ['gcloud storage buckets update gs://b --clear-soft-delete', 'gcloud.storage.soft-delete.off'],
    ['gcloud storage buckets update gs://b --soft-delete-duration=0', 'gcloud.storage.soft-delete.zero'],
    ['gcloud storage buckets update gs://b --soft-delete-duration 0d', 'gcloud.storage.soft-delete.zero'],
    ['gcloud storage buckets update gs://b --clear-retention-period', 'gcloud.storage.retention.clear'],
    [`gcloud storage buckets update gs://b --lifecycle-file=${fixtures}/gcs-delete-live.json`, 'gcloud.storage.lifecycle.delete-live'],
    [`gcloud storage buckets update gs://b --lifecycle-file ${fixtures}/gcs-mixed.json`, 'gcloud.storage.lifecycle.delete-live'],
    [`gcloud storage buckets update gs://b --lifecycle-file ${fixtures}/gcs-broken.json`, 'gcloud.storage.lifecycle.unreadable'],
    ['gcloud storage buckets update gs://b --lifecycle-file missing.json', 'gcloud.storage.lifecycle.unreadable'],
    ['gcloud sql backups delete 1700000000000 --instance db1', 'gcloud.sql.delete gcloud.backups.delete'],
    ['gcloud compute snapshots delete snap-1 snap-2', 'gcloud.compute.delete gcloud.backups.delete'],
    ['gcloud compute machine-images delete img', 'gcloud.compute.delete gcloud.backups.delete'],
    ['gcloud alloydb backups delete b1 --region r', 'gcloud.data.delete gcloud.backups.delete'],
    ['gcloud spanner backups delete b1 --instance i', 'gcloud.data.delete gcloud.backups.delete'],
    ['gcloud backup-dr backup-vaults delete v --location l', 'gcloud.backups.delete'],
    ['gcloud firestore backups schedules delete --backup-schedule s', 'gcloud.data.delete gcloud.backup-schedule.delete'],
    ['gcloud compute disks remove-resource-policies d1 --resource-policies daily', 'gcloud.backup-schedule.delete'],
    ['gcloud sql instances restore-backup db1 --backup-id 42', 'gcloud.sql.restore'],
    ['gcloud sql backups restore 42 --restore-instance db1', 'gcloud.sql.restore'],
    ['gsutil versioning set off gs://acme-prod', 'gsutil.versioning.off'],
    ['gsutil -m versioning set off gs://a gs://b', 'gsutil.versioning.off'],
    ['gsutil versioning set OFF gs://acme-prod', 'gsutil.versioning.off'],
    [`gsutil lifecycle set ${fixtures}/gcs-delete-live.json gs://b`, 'gsutil.lifecycle.delete-live'],
    [`gsutil lifecycle set ${fixtures}/gcs-broken.json gs://b`, 'gsutil.lifecycle.unreadable'],
    ['gsutil lifecycle set no-such-file.json gs://b', 'gsutil.lifecycle.unreadable'],
    ['gsutil retention clear gs://b', 'gsutil.retention.clear'],
    // a --no-x before the command words takes none of them
    ['gcloud --no-user-output-enabled --no-such-flag projects delete acme-prod', 'gcloud.projects.delete'],
    ['gcloud sql --no-backup instances patch db1', 'gcloud.sql.backup.off'],
    // never gated
    ['gcloud sql instances patch db1 --backup-start-time 02:00', ''],
    ['gcloud sql instances patch db1 --deletion-protection', ''],
    ['gcloud sql instances patch db1 --enable-point-in-time-recovery', ''],
    ['gcloud storage buckets update gs://b --versioning', ''],
    ['gcloud storage buckets update gs://b --soft-delete-duration 7d', ''],
    [`gcloud storage buckets update gs://b --lifecycle-file ${fixtures}/gcs-noncurrent.json`, ''],
    ['gcloud sql backups list --instance db1', ''],
    ['gcloud sql backups delete --help', ''],
    ['gsutil versioning set on gs://b', ''],
    ['gsutil versioning get gs://b', ''],
    ['gsutil lifecycle get gs://b', ''],
    [`gsutil lifecycle set ${fixtures}/gcs-noncurrent.json gs://b`, ''],
  ], (line) => rulesOf(line));
});

describe('gcloud --flags-file', () => {
  it('reads --no-backup from a flags file, as gcloud does', async () => {
    const file = join(emptyHome, 'recovery-flags.yaml');
    writeFileSync(file, '--no-backup:\n--project: acme-prod\n');
    expect(await rulesOf(`gcloud sql instances patch db1 --flags-file=${file}`)).toBe('gcloud.sql.backup.off');
  });
});

describe('railway, heroku, fly, doctl, pg_restore, supabase, docker', () => {
  table((line) => line, [
    ['railway volume file delete /data/pg --yes', 'railway.volume.files.delete'],
    ['railway volume files rm /data/pg', 'railway.volume.files.delete'],
    ['railway postgres pitr disable --yes', 'railway.postgres.pitr.disable'],
    ['railway postgres -e production pitr disable -y', 'railway.postgres.pitr.disable'],
    ['railway mysql pitr disable', 'railway.postgres.pitr.disable'],
    ['railway postgres pitr backup restore b1 -y', 'railway.postgres.backup.restore'],
    ['railway postgres pitr backups restore b1 --service pg', 'railway.postgres.backup.restore'],
    ['railway postgres pitr backup delete b1 b2', 'railway.postgres.backup.delete'],
    ['railway redis pitr backups rm b1 -y', 'railway.postgres.backup.delete'],
    ['railway postgres pitr schedule set --none', 'railway.postgres.schedule.narrow'],
    ['railway postgres pitr schedule set --daily', 'railway.postgres.schedule.narrow'],
    ['railway postgres pitr schedule set --weekly --monthly -s pg', 'railway.postgres.schedule.narrow'],
    ['heroku pg:backups:unschedule DATABASE_URL -a shop', 'heroku.pg.backups.unschedule'],
    ['heroku pg:backups unschedule --app shop', 'heroku.pg.backups.unschedule'],
    ['heroku pg:backups:delete b101 -a shop --confirm shop', 'heroku.pg.backups.delete'],
    ['heroku pg:backups:restore b101 DATABASE_URL -a shop', 'heroku.pg.backups.restore'],
    ['heroku pg:backups restore -a shop', 'heroku.pg.backups.restore'],
    ['fly volumes update vol_123 --scheduled-snapshots=false', 'fly.volumes.snapshots.off'],
    ['flyctl vol update vol_123 --scheduled-snapshots=0 -a shop', 'fly.volumes.snapshots.off'],
    ['doctl compute snapshot delete 123 --force', 'doctl.snapshot.delete'],
    ['doctl compute s rm 123', 'doctl.snapshot.delete'],
    ['doctl compute droplet-action disable-backups 123', 'doctl.droplet.backups.off'],
    ['doctl compute da disable-backups 123 --wait', 'doctl.droplet.backups.off'],
    ['pg_restore --clean -d shop dump.pgc', 'pg_restore.clean'],
    ['pg_restore -c --dbname=shop dump.pgc', 'pg_restore.clean'],
    ['supabase db reset --linked', 'supabase.db.reset.linked'],
    ['supabase backups restore --timestamp 1707407047', 'supabase.backups.restore'],
    ['supabase backups restore -t 1707407047 --project-ref abcdefghijklmnopqrst', 'supabase.backups.restore'],
    ['docker secret rm db_password', 'docker.secret.rm'],
    ['docker secret remove a b', 'docker.secret.rm'],
    // never gated
    ['railway postgres pitr enable', ''],
    ['railway postgres pitr status', ''],
    ['railway postgres pitr backup list', ''],
    ['railway postgres pitr backup create --name pre-migration', ''],
    ['railway postgres pitr restore --at 2h', ''],
    ['railway postgres pitr schedule set --daily --weekly --monthly', ''],
    ['railway postgres pitr schedule list', ''],
    ['railway volume files list /data', ''],
    ['heroku pg:backups:schedule DATABASE_URL --at 02:00 -a shop', ''],
    ['heroku pg:backups:capture -a shop', ''],
    ['fly volumes update vol_123 --scheduled-snapshots=true', ''],
    ['fly volumes update vol_123 --snapshot-retention 10', ''],
    ['fly volumes snapshots list vol_123', ''],
    ['doctl compute droplet-action enable-backups 123', ''],
    ['pg_restore --clean -f out.sql dump.pgc', ''],
    ['supabase db reset', ''],
    ['supabase backups list', ''],
    ['docker secret ls', ''],
    ['docker secret create x -', ''],
  ], (line) => rulesOf(line));
});

describe('git: local commands that discard work', () => {
  table((line) => line, [
    ['git checkout-index -a -f', 'git.checkout-index.force-all'],
    ['git checkout-index -af', 'git.checkout-index.force-all'],
    ['git checkout-index --all --force', 'git.checkout-index.force-all'],
    ['git checkout-index --force --all -u', 'git.checkout-index.force-all'],
    ['git stash clear', 'git.stash.clear'],
    ['git -C . stash clear', 'git.stash.clear'],
    // never gated
    ['git checkout-index -a', ''],
    ['git checkout-index -f -- README.md', ''],
    ['git checkout-index -a -f --prefix=export/', ''],
    ['git checkout-index -a -f --no-force', ''],
    ['git checkout-index -h', ''],
    ['git stash list', ''],
    ['git stash drop', ''],
    ['git stash', ''],
  ], (line) => rulesOf(line));
});

describe('Railway backup mutations over HTTP and railway api', () => {
  const body = (query: string, variables: object = {}) => `'${JSON.stringify({ query, variables })}'`;
  const curl = (query: string, variables?: object) => `curl -X POST https://backboard.railway.com/graphql/v2 -H 'Content-Type: application/json' -d ${body(query, variables)}`;
  const restore = 'mutation($b: String!, $v: String!) { volumeInstanceBackupRestore(volumeInstanceBackupId: $b, volumeInstanceId: $v) }';
  const schedule = 'mutation($v: String!, $k: [VolumeInstanceBackupScheduleKind!]!) { volumeInstanceBackupScheduleUpdate(volumeInstanceId: $v, kinds: $k) }';
  table((line) => line, [
    [curl(restore, { b: 'b1', v: 'v1' }), 'graphql.backup.restore'],
    [curl('mutation { r: volumeInstanceBackupRestore(volumeInstanceBackupId: "b", volumeInstanceId: "v") }'), 'graphql.backup.restore'],
    [curl('mutation { disablePitrForHaCluster(input: {environmentId: "e", rootServiceId: "s"}) }'), 'graphql.pitr.disable'],
    [curl(schedule, { v: 'v1', k: [] }), 'graphql.backup-schedule.narrow'],
    [curl(schedule, { v: 'v1', k: ['DAILY'] }), 'graphql.backup-schedule.narrow'],
    [curl(schedule, { v: 'v1' }), 'graphql.backup-schedule.narrow'],
    [curl('mutation { volumeInstanceBackupDelete(volumeInstanceBackupId: "b", volumeInstanceId: "v") }'), 'curl.graphql.delete'],
    [`http POST https://backboard.railway.com/graphql/v2 query='${restore}'`, 'graphql.backup.restore'],
    [`railway api '${restore}' --var b=b1 --var v=v1`, 'railway.api.backup.restore'],
    [`railway api 'mutation { volumeInstanceBackupScheduleUpdate(volumeInstanceId: "v", kinds: [WEEKLY]) }'`, 'railway.api.backup-schedule.narrow'],
    [`railway api 'mutation { disablePitrForHaCluster(input: {environmentId: "e"}) }'`, 'railway.api.pitr.disable'],
    // never gated
    [curl(schedule, { v: 'v1', k: ['DAILY', 'WEEKLY', 'MONTHLY'] }), ''],
    [curl('mutation { volumeInstanceBackupCreate(volumeInstanceId: "v") }'), ''],
    [curl('query { volumeInstanceBackupList(volumeInstanceId: "v") { id } }'), ''],
    [`railway api 'mutation { volumeInstanceBackupScheduleUpdate(volumeInstanceId: "v", kinds: [DAILY, WEEKLY, MONTHLY]) }'`, ''],
  ], (line) => rulesOf(line));
});

describe('gh: an undefined -h is help', () => {
  table((line) => line, [
    ['gh repo delete me/x -h', ''],
    ['gh repo delete -h me/x --yes', ''],
    ['gh release delete v1 -yh', ''],
    ['gh secret delete TOKEN -h', ''],
    ['gh repo delete me/x --yes', 'gh.repo.delete'],
    ['gh repo delete me/x --yes -- -h', 'gh.repo.delete'],
  ], (line) => rulesOf(line));
});

describe('Concourse fly, told apart from flyctl', () => {
  const home = join(emptyHome, 'concourse-home');
  beforeAll(() => {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, '.flyrc'),
      'targets:\n  ci:\n    api: https://ci.acme-prod.example\n    team: main\n  lab:\n    api: http://localhost:8080\n    team: dev\n',
    );
  });
  const env = () => ({ HOME: home });
  const on = async (line: string) => {
    const evaluation = await evaluateLine(line, env());
    return `${evaluation.findings.map((f) => f.rule).join(' ')} → ${evaluation.target?.class}`;
  };
  table((line) => line, [
    ['fly -t ci destroy-pipeline -p deploy', 'fly.concourse.destroy-pipeline → production'],
    ['fly dp --target=ci --pipeline deploy --non-interactive', 'fly.concourse.destroy-pipeline → production'],
    ['fly -t lab destroy-pipeline -p deploy', 'fly.concourse.destroy-pipeline → development'],
    ['fly -tlab dt -n dev', 'fly.concourse.destroy-team → development'],
    ['fly -t ci destroy-team --team-name main', 'fly.concourse.destroy-team → production'],
    ['fly -t ci archive-pipeline -p deploy', 'fly.concourse.archive-pipeline → production'],
    ['fly -t ci prune-worker -w w1', 'fly.concourse.workers → production'],
    ['fly -t ci lw -w w1', 'fly.concourse.workers → production'],
    ['fly -t nowhere dp -p x', 'fly.concourse.destroy-pipeline → unknown'],
    ['fly --target ci destroy-pipeline -p deploy', 'fly.concourse.destroy-pipeline → production'],
    ['fly --target ci dp --pipeline=deploy', 'fly.concourse.destroy-pipeline → production'],
    ['fly destroy-pipeline -p x', 'fly.concourse.destroy-pipeline → unknown'],
    // a Concourse command flyctl might share a word with is left to flyctl: ungated either way
    ['fly -t ci pipelines', ' → unknown'],
    ['fly -t ci set-pipeline -p x -c p.yml', ' → production'],
    ['fly -t ci destroy-pipeline -h', ' → production'],
    // flyctl's own commands keep flyctl's reading: -t is its access token there
    ['fly -t tok apps destroy acme-prod --yes', 'fly.apps.destroy → production'],
    ['fly volumes destroy vol_1 -a acme-dev', 'fly.volumes.destroy → development'],
    ['fly -a st volumes destroy vol_1', 'fly.volumes.destroy → unknown'],
    ['fly -a dp -c fly.toml volumes destroy vol_1', 'fly.volumes.destroy → unknown'],
  ], on);

  it('names the target, its api URL and its team as evidence', async () => {
    const evaluation = await evaluateLine('fly -t ci dp -p deploy', env());
    expect(evaluation.target?.evidence.map((e) => `${e.key}=${e.value}`)).toEqual([
      '--target=ci',
      'targets.ci.api=https://ci.acme-prod.example',
      'targets.ci.team=main',
    ]);
  });
});

describe('velero: the Kubernetes context it backs up', () => {
  const home = join(emptyHome, 'velero-home');
  beforeAll(() => {
    writeKubeconfig(join(home, '.kube', 'config'), { current: 'gke-acme-prod', contexts: [{ name: 'gke-acme-prod' }, { name: 'kind-dev' }] });
  });
  const on = async (line: string) => {
    const evaluation = await evaluateLine(line, { HOME: home });
    return `${evaluation.findings.map((f) => f.rule).join(' ')} → ${evaluation.target?.class}`;
  };
  table((line) => line, [
    ['velero backup delete nightly-20261201 --confirm', 'velero.backup.delete → production'],
    ['velero delete backup --all --confirm', 'velero.backup.delete → production'],
    ['velero backups delete b1 --kubecontext kind-dev', 'velero.backup.delete → development'],
    ['velero -n velero-system backup-location delete default --confirm', 'velero.backup-location.delete → production'],
    ['velero schedule delete daily --confirm', 'velero.schedule.delete → production'],
    ['velero schedule pause daily', 'velero.schedule.delete → production'],
    ['velero delete schedules daily', 'velero.schedule.delete → production'],
    ['velero restore create --from-backup b1 --existing-resource-policy=update', 'velero.restore.update → production'],
    ['velero create restore r1 --from-backup b1 --existing-resource-policy update', 'velero.restore.update → production'],
    ['velero uninstall --force', 'velero.uninstall → production'],
    // never gated
    ['velero backup create b2 --include-namespaces shop', ' → production'],
    ['velero restore create --from-backup b1', ' → production'],
    ['velero backup get', ' → production'],
    ['velero schedule unpause daily', ' → production'],
    ['velero backup delete b1 --help', ' → production'],
  ], on);
});
