// The fault table: each broken condition of the user's files or environment, through the real shim.
// A gated command is held with a message that names the file and the fix (never "this is a bug"), its
// double never runs, and a benign command still runs wherever the fault does not concern it.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cliPath, linkRailway, makeSandbox, sandboxRoots, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['railway']);
  sb.double('railway');
});
afterAll(() => {
  for (const root of sandboxRoots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const state = () => join(sb.home, '.local/state/chaperone');
const config = () => join(sb.home, '.config/chaperone');
const fifo = (path: string) => execFileSync('mkfifo', [path]);

interface Row {
  fault: string;
  setup: () => void;
  /** The exit code of the gated call: 77 when the refusal stands, 2 when the fault itself stops it. */
  code: 2 | 77;
  says: (string | (() => string))[];
  benignRuns: boolean;
  linked?: 'production' | 'development';
}

const rows: Row[] = [
  { fault: 'your rules.yaml is a directory', setup: () => mkdirSync(join(config(), 'rules.yaml'), { recursive: true }), code: 2, says: [() => join(config(), 'rules.yaml'), 'it is a directory', 'remove or rename'], benignRuns: false },
  { fault: 'your rules.yaml is a FIFO (it used to hang every call)', setup: () => (mkdirSync(config(), { recursive: true }), fifo(join(config(), 'rules.yaml'))), code: 2, says: ['not a regular file', 'replace it with a regular file'], benignRuns: false },
  { fault: 'your rules.yaml is larger than any config', setup: () => (mkdirSync(config(), { recursive: true }), writeFileSync(join(config(), 'rules.yaml'), `# ${'x'.repeat(17 * 1024 * 1024)}\n`)), code: 2, says: ['larger than any config file'], benignRuns: false },
  { fault: "a project's .chaperone.yaml is a directory", setup: () => mkdirSync(join(sb.work, '.chaperone.yaml')), code: 2, says: [() => join(sb.work, '.chaperone.yaml'), 'it is a directory'], benignRuns: false },
  { fault: 'approvals.json is a directory', setup: () => mkdirSync(join(state(), 'approvals.json'), { recursive: true }), code: 77, says: ['the approval store cannot be read: it is a directory', 'no approval code could be issued'], benignRuns: true },
  { fault: 'approvals.json is not JSON', setup: () => (mkdirSync(state(), { recursive: true }), writeFileSync(join(state(), 'approvals.json'), '{oops')), code: 77, says: ['was not valid JSON', 'it was moved to', 'approvals in it no longer count'], benignRuns: true },
  { fault: 'approvals.json has "approvals" that is not a list', setup: () => (mkdirSync(state(), { recursive: true }), writeFileSync(join(state(), 'approvals.json'), '{"approvals": 5}')), code: 77, says: ['not an approval store'], benignRuns: true },
  { fault: 'a fresh lock on the approval store', setup: () => (mkdirSync(state(), { recursive: true }), writeFileSync(join(state(), 'approvals.json.lock'), '999999')), code: 77, says: ['held by another chaperone process (pid 999999)', 'remove the lock file'], benignRuns: true },
  { fault: 'a file where the state directory should be (the audit log cannot be written)', setup: () => (mkdirSync(join(sb.home, '.local/state'), { recursive: true }), writeFileSync(state(), '')), code: 2, says: ['the audit log cannot be written', 'to fix'], benignRuns: true, linked: 'development' },
  { fault: "railway's config.json is a directory", setup: () => mkdirSync(join(sb.home, '.railway/config.json'), { recursive: true }), code: 77, says: ['it is a directory'], benignRuns: true },
  { fault: "railway's config.json is a FIFO", setup: () => (mkdirSync(join(sb.home, '.railway'), { recursive: true }), fifo(join(sb.home, '.railway/config.json'))), code: 77, says: ['not a regular file'], benignRuns: true },
  { fault: "railway's environmentName is not a string", setup: () => (mkdirSync(join(sb.home, '.railway'), { recursive: true }), writeFileSync(join(sb.home, '.railway/config.json'), JSON.stringify({ projects: { [sb.work]: { environmentName: 5 } } }))), code: 77, says: ['not as the Railway CLI writes it (a number, not a string)', 'railway link'], benignRuns: true },
  { fault: "railway's config.json is null", setup: () => (mkdirSync(join(sb.home, '.railway'), { recursive: true }), writeFileSync(join(sb.home, '.railway/config.json'), 'null')), code: 77, says: ['not a JSON object'], benignRuns: true },
];

describe('the fault table', () => {
  it.each(rows)('$fault', async (row) => {
    if (row.linked) linkRailway(sb, sb.work, row.linked);
    row.setup();
    // A destroy whose environment the link decides (a volume delete is production's without reading it).
    const gated = await sb.run('railway', ['variable', 'delete', 'DATABASE_URL'], { env: { CHAPERONE_ACTOR: 'agent' }, timeout: 30_000 });
    const said = String(gated.stderr);
    expect(gated.exitCode, said).toBe(row.code);
    for (const text of row.says) expect(said).toContain(typeof text === 'function' ? text() : text);
    expect(said).not.toMatch(/this is a bug|internal error|\n\s+at /i);
    expect(sb.record('railway')).toBeUndefined();
    const benign = await sb.run('railway', ['variables'], { timeout: 30_000 });
    expect(benign.exitCode, String(benign.stderr)).toBe(row.benignRuns ? 0 : 2);
    expect(sb.record('railway') !== undefined).toBe(row.benignRuns);
  });

  it('a corrupt approval store is kept aside, not lost', async () => {
    rows.find((r) => r.fault === 'approvals.json is not JSON')!.setup();
    await sb.run('railway', ['volume', 'delete', '--volume', 'pg-data', '--yes'], { env: { CHAPERONE_ACTOR: 'agent' } });
    expect(readdirSync(state()).filter((f) => f.startsWith('approvals.json.corrupt-'))).toHaveLength(1);
    expect(existsSync(join(state(), 'approvals.json'))).toBe(true);
  });

  it("an installation missing one of its files says so, and how to fix it", async () => {
    const copy = join(sb.root, 'broken-dist');
    cpSync(join(cliPath, '..'), copy, { recursive: true });
    const chunk = readdirSync(copy).find((f) => /^railway-[A-Z0-9]+\.js$/.test(f))!;
    rmSync(join(copy, chunk));
    const result = await sb.run(process.execPath, [join(copy, 'chaperone.js'), 'check', '--', 'railway', 'status']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(`its installation is incomplete: ${join(copy, chunk)} is missing`);
    expect(String(result.stderr)).toContain('reinstall chaperone');
  });
});

describe('a parameter file that is not a regular file', () => {
  // aws reads `file://` parameters itself; chaperone must judge them without taking aws's stdin or
  // waiting on a FIFO nobody writes.
  const args = (file: string) => ['s3api', 'put-bucket-versioning', '--bucket', 'b', '--versioning-configuration', `file://${file}`, '--profile', 'acme-prod'];

  it.each(['/dev/stdin', 'fifo'])('%s is held as unreadable, never hangs, and aws never runs', async (kind) => {
    const aws = await makeSandbox(['aws']);
    aws.double('aws');
    const file = kind === 'fifo' ? join(aws.root, 'params.fifo') : kind;
    if (kind === 'fifo') fifo(file);
    const result = await aws.run('aws', args(file), { env: { CHAPERONE_ACTOR: 'agent' }, input: '{"Status":"Suspended"}', timeout: 30_000 });
    expect(result.exitCode, String(result.stderr)).toBe(77);
    expect(String(result.stderr)).toContain('aws.parameter.unreadable');
    expect(aws.record('aws')).toBeUndefined();
  });
});
