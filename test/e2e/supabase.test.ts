// supabase through the real shim, with a recording double standing in for the Supabase CLI. A project
// ref means nothing offline, so the user's config maps the refs these tests use.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

const prodRef = 'prodprodprodprodprod';
const devRef = 'devdevdevdevdevdevde';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['supabase']);
  sb.double('supabase', { stdout: 'Finished supabase db reset.\n' });
  mkdirSync(join(sb.work, 'supabase'), { recursive: true });
  writeFileSync(join(sb.work, 'supabase', 'config.toml'), 'project_id = "shop"\n');
});

/** Links sb.work to a project ref, as `supabase link` does. */
function link(ref: string): void {
  mkdirSync(join(sb.work, 'supabase', '.temp'), { recursive: true });
  writeFileSync(join(sb.work, 'supabase', '.temp', 'project-ref'), ref);
}

/** Maps the test refs in the user's chaperone config. */
function mapRefs(): void {
  sb.write('home/.config/chaperone/rules.yaml', `targets:\n  supabase-project:\n    ${prodRef}: production\n    ${devRef}: development\n`);
}

describe('supabase through the shim, with no terminal (an agent)', () => {
  const resetLinked = ['db', 'reset', '--linked', '--yes'];

  it('refuses to reset the linked production database, naming the project-ref file', async () => {
    link(prodRef);
    mapRefs();
    const result = await sb.run('supabase', resetLinked);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: supabase db reset --linked --yes');
    expect(result.stderr).toContain('supabase.db.reset.linked [destroy]');
    expect(result.stderr).toContain(`${prodRef} (production)`);
    expect(result.stderr).toContain(`file ${join(sb.work, 'supabase', '.temp', 'project-ref')} project ref = ${prodRef}`);
    expect(sb.record('supabase')).toBeUndefined();
  });

  it('refuses an unmapped project ref as unknown', async () => {
    link(prodRef);
    const result = await sb.run('supabase', resetLinked);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`${prodRef} (unknown)`);
    expect(sb.record('supabase')).toBeUndefined();
  });

  it('runs the reset on a development project, with a one-line notice', async () => {
    link(devRef);
    mapRefs();
    const result = await sb.run('supabase', resetLinked);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Finished supabase db reset.\n');
    expect(result.stderr).toBe(`chaperone: supabase.db.reset.linked in ${devRef} (development): allowed\n`);
    expect(sb.record('supabase')?.argv).toEqual(resetLinked);
  });

  it('treats storage rm --local as development, even in a production-linked project', async () => {
    link(prodRef);
    mapRefs();
    const args = ['storage', 'rm', '-r', 'ss:///bucket/docs', '--local', '--experimental'];
    const result = await sb.run('supabase', args);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('chaperone: supabase.storage.rm in local (development): allowed\n');
    expect(sb.record('supabase')?.argv).toEqual(args);
  });

  it('passes a local db reset through untouched', async () => {
    link(prodRef);
    const result = await sb.run('supabase', ['db', 'reset']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('supabase')?.argv).toEqual(['db', 'reset']);
  });
});
