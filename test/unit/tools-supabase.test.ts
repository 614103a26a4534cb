// supabase: which invocations the built-in rules gate, and which project (or local stack) each targets.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

interface Line {
  line: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  targets?: string;
}
const label = ({ line, env = {}, cwd, targets }: Line) =>
  `${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}${line}${cwd ? ` (in ${cwd.replace(home, '~')})` : ''}${targets ? ' (ref mapped)' : ''}`;

describe('supabase commands against the built-in rules', () => {
  table<Line, string>(label, [
    [{ line: 'supabase db reset --linked' }, 'supabase.db.reset.linked'],
    [{ line: 'supabase db reset --linked --yes' }, 'supabase.db.reset.linked'],
    [{ line: 'supabase --yes db reset --linked=true' }, 'supabase.db.reset.linked'],
    [{ line: 'supabase db --linked reset' }, 'supabase.db.reset.linked'],
    // pflag marks a flag Changed whatever its value, and supabase picks the connection by Changed
    [{ line: 'supabase db reset --linked=false' }, 'supabase.db.reset.linked'],
    [{ line: 'supabase db reset --local --db-url postgresql://postgres:pw@db.example.com/postgres' }, 'supabase.db.reset.db-url'],
    [{ line: 'supabase db reset --db-url postgresql://postgres:pw@db.example.com:5432/postgres' }, 'supabase.db.reset.db-url'],
    [{ line: 'supabase db reset --db-url=postgresql://postgres:pw@127.0.0.1:54322/postgres' }, 'supabase.db.reset.db-url'],
    [{ line: 'supabase projects delete abcdefghijklmnopqrst' }, 'supabase.projects.delete'],
    [{ line: 'supabase storage rm ss:///bucket/docs -r --experimental' }, 'supabase.storage.rm'],
    [{ line: 'supabase storage rm ss:///bucket/readme.md --linked' }, 'supabase.storage.rm'],
    [{ line: 'supabase storage rm ss:///bucket/readme.md --local' }, 'supabase.storage.rm'],
    [{ line: 'supabase branches delete feature-x' }, 'supabase.branches.delete'],
    [{ line: 'supabase functions delete hello --project-ref abcdefghijklmnopqrst' }, 'supabase.functions.delete'],
    [{ line: 'supabase secrets unset STRIPE_KEY' }, 'supabase.secrets.unset'],
    [{ line: 'supabase stop --no-backup' }, 'supabase.stop.no-backup'],
    [{ line: 'supabase stop --no-backup=true --all' }, 'supabase.stop.no-backup'],
    // never gated
    [{ line: 'supabase db reset' }, ''],
    [{ line: 'supabase db reset --local' }, ''],
    [{ line: 'supabase db reset --local=false' }, ''],
    [{ line: 'supabase db reset --version 20240101000000' }, ''],
    [{ line: 'supabase db reset --linked --help' }, ''],
    [{ line: 'supabase db reset --linked -h' }, ''],
    [{ line: 'supabase help db reset' }, ''],
    [{ line: 'supabase --version' }, ''],
    [{ line: 'supabase projects list' }, ''],
    [{ line: 'supabase projects delete --help' }, ''],
    [{ line: 'supabase storage ls ss:///bucket' }, ''],
    [{ line: 'supabase storage cp -r docs ss:///bucket/docs' }, ''],
    [{ line: 'supabase db push --linked' }, ''],
    [{ line: 'supabase db pull' }, ''],
    [{ line: 'supabase db diff --linked' }, ''],
    [{ line: 'supabase status' }, ''],
    [{ line: 'supabase stop' }, ''],
    [{ line: 'supabase stop --no-backup=false' }, ''],
    [{ line: 'supabase start' }, ''],
    [{ line: 'supabase link --project-ref abcdefghijklmnopqrst' }, ''],
  ], ({ line, env }) => rulesOf(line, env));
});

// A HOME with a linked project (supabase/config.toml and supabase/.temp/project-ref), a subdirectory
// of it, an unlinked project, and a user config that maps one ref to production.
const home = join(emptyHome, 'supabase-home');
const linked = join(home, 'code', 'shop');
const sub = join(linked, 'apps', 'web');
const unlinked = join(home, 'code', 'fresh');
const other = join(home, 'code', 'other');
const prodRef = 'prodprodprodprodprod';
const devRef = 'devdevdevdevdevdevde';

beforeAll(() => {
  for (const dir of [join(linked, 'supabase', '.temp'), sub, join(unlinked, 'supabase'), join(other, 'supabase', '.temp')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(linked, 'supabase', 'config.toml'), 'project_id = "shop"\n');
  writeFileSync(join(linked, 'supabase', '.temp', 'project-ref'), `${prodRef}\n`);
  writeFileSync(join(unlinked, 'supabase', 'config.toml'), 'project_id = "fresh"\n');
  writeFileSync(join(other, 'supabase', 'config.toml'), 'project_id = "other"\n');
  writeFileSync(join(other, 'supabase', '.temp', 'project-ref'), devRef);
  mkdirSync(join(home, 'mapped', '.config', 'chaperone'), { recursive: true });
  writeFileSync(
    join(home, 'mapped', '.config', 'chaperone', 'rules.yaml'),
    `targets:\n  supabase-project:\n    ${prodRef}: production\n    ${devRef}: development\n`,
  );
});

/** "<name> <class> <source:key of each piece of evidence>" */
const target = async ({ line, env = {}, cwd = linked, targets }: Line) => {
  const withConfig = targets ? { XDG_CONFIG_HOME: join(home, 'mapped', '.config') } : {};
  const t = (await evaluateLine(line, { HOME: home, ...withConfig, ...env }, cwd)).target!;
  return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}`).join(' ')}`;
};

describe('supabase target', () => {
  table<Line, string>(label, [
    // a project ref is opaque: unknown until the user's config maps it
    [{ line: 'supabase db reset --linked' }, `${prodRef} unknown file:project ref`],
    [{ line: 'supabase db reset --linked', targets: 'mapped' }, `${prodRef} production file:project ref`],
    [{ line: 'supabase db reset --linked', cwd: sub, targets: 'mapped' }, `${prodRef} production file:project ref`],
    [{ line: 'supabase db reset --linked', cwd: other, targets: 'mapped' }, `${devRef} development file:project ref`],
    [{ line: 'supabase db reset --linked', cwd: unlinked }, '- unknown default:project file:project ref'],
    [{ line: 'supabase db reset --linked --workdir ../other', cwd: linked, targets: 'mapped' }, `${devRef} development file:project ref flag:--workdir`],
    [{ line: 'supabase db reset --linked', cwd: unlinked, env: { SUPABASE_WORKDIR: other }, targets: 'mapped' }, `${devRef} development file:project ref env:SUPABASE_WORKDIR`],
    [{ line: 'supabase db reset --linked', env: { SUPABASE_PROJECT_ID: devRef }, targets: 'mapped' }, `${devRef} development env:SUPABASE_PROJECT_ID`],
    [{ line: `supabase functions delete hello --project-ref ${devRef}`, env: { SUPABASE_PROJECT_ID: prodRef }, targets: 'mapped' }, `${devRef} development flag:--project-ref`],
    [{ line: 'supabase storage rm -r ss:///bucket/docs', targets: 'mapped' }, `${prodRef} production file:project ref`],
    [{ line: `supabase projects delete ${devRef}`, targets: 'mapped' }, `${devRef} development argument:projects delete REF`],
    [{ line: 'supabase projects delete' }, `${prodRef} unknown file:project ref`],
    // --db-url: the host decides; the password never reaches the evidence
    [{ line: 'supabase db reset --db-url postgresql://postgres:secret@127.0.0.1:54322/postgres' }, 'postgres development flag:--db-url'],
    [{ line: 'supabase db reset --db-url postgresql://postgres:secret@db.prod.example.com:5432/shop' }, 'shop production flag:--db-url'],
    [{ line: 'supabase db reset --db-url postgresql://postgres:secret@db.example.com:5432/postgres' }, 'postgres unknown flag:--db-url'],
    // local commands act on this machine's Docker stack
    [{ line: 'supabase storage rm ss:///bucket/docs --local', targets: 'mapped' }, 'local development command:supabase storage rm'],
    [{ line: 'supabase storage rm ss:///bucket/docs --local=false', targets: 'mapped' }, 'local development command:supabase storage rm'],
    [{ line: 'supabase storage rm ss:///bucket/docs --linked=false', targets: 'mapped' }, `${prodRef} production file:project ref`],
    [{ line: 'supabase stop --no-backup', targets: 'mapped' }, 'local development command:supabase stop'],
  ], target);
});

describe('supabase evidence never shows a --db-url password', () => {
  table((line) => line, [
    ['supabase db reset --db-url postgresql://postgres:s3cret-pw@db.example.com:5432/postgres', 'postgresql://postgres@db.example.com:5432/postgres'],
  ], async (line) => (await evaluateLine(line, { HOME: home }, linked)).target!.evidence[0].value);
});
