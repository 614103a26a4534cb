// The pure parts of `chaperone scan`: which credentials are found (and how they are shown), and which
// shell lines each kind of committed file holds, with the line each starts on.

import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../src/scan/secrets.js';
import { kindOf, shellSources } from '../../src/scan/sources.js';

describe('findSecrets', () => {
  it.each([
    ['RAILWAY_TOKEN=6f1c2d3e-1111-2222-3333-444455556666', 'Railway token'],
    ['export RAILWAY_API_TOKEN="6f1c2d3e-1111-2222-3333-444455556666"', 'Railway token'],
    ['"RAILWAY_TOKEN": "6f1c2d3e-1111-2222-3333-444455556666"', 'Railway token'],
    ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AWS access key id'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS secret access key'],
    ['token: ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'GitHub token'],
    ['HEROKU_API_KEY=01234567-89ab-cdef-0123-456789abcdef', 'Heroku API key'],
    ['FLY_API_TOKEN="FlyV1 fm2_lJPECAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"', 'Fly.io token'],
    ['SUPABASE_ACCESS_TOKEN=sbp_0123456789abcdef0123456789abcdef01234567', 'Supabase access token'],
    ['DIGITALOCEAN_TOKEN=dop_v1_' + 'a'.repeat(64), 'DigitalOcean token'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', 'private key'],
    ['DATABASE_URL=postgres://app:hunter2@db.prod.example.com/shop', 'database URL with a password for db.prod.example.com'],
    ['mongodb+srv://admin:S3cr3t-pw@cluster0.abcde.mongodb.net/app', 'database URL with a password for cluster0.abcde.mongodb.net'],
  ])('finds %s', (text, kind) => {
    const found = findSecrets(`# config\n${text}\n`);
    expect(found.map((f) => f.kind)).toContain(kind);
    expect(found[0].line).toBe(2);
  });

  it.each([
    'DATABASE_URL=postgres://app:${DB_PASSWORD}@db.prod.example.com/shop',
    'DATABASE_URL=postgres://app:$PGPASSWORD@db.prod.example.com/shop',
    'DATABASE_URL=postgres://app:<password>@db.prod.example.com/shop',
    'DATABASE_URL=postgres://app:hunter2@localhost:5432/shop',
    'DATABASE_URL=postgres://app@db.prod.example.com/shop',
    'RAILWAY_TOKEN=${{ secrets.RAILWAY_TOKEN }}',
    'railway volume delete --volume pg-data',
    'AKIA is a prefix',
  ])('finds nothing in %s', (text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('never shows the secret itself, only a public prefix, its length and a fingerprint', () => {
    const secrets = ['6f1c2d3e-1111-2222-3333-444455556666', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'hunter2'];
    const found = findSecrets(`RAILWAY_TOKEN=${secrets[0]}\nx=${secrets[1]}\npostgres://u:${secrets[2]}@db.example.com/x\n`);
    expect(found).toHaveLength(3);
    for (const f of found) for (const s of secrets) expect(f.masked).not.toContain(s.slice(5));
    expect(found[1].masked).toMatch(/^ghp_\*\*\*\* \(40 characters, sha256:[0-9a-f]{16}\)$/);
  });

  it('stays linear on a long line with no secret in it', () => {
    expect(findSecrets(`RAILWAY_TOKEN=${'a-'.repeat(100_000)}`)).toHaveLength(1);
    expect(findSecrets(`postgres://${'u:'.repeat(100_000)}`)).toEqual([]);
  });
});

describe('shellSources', () => {
  it('reads a script whole, by extension or by shebang', () => {
    expect(kindOf('deploy.sh', 'echo')).toBe('shell');
    expect(kindOf('bin/release', '#!/usr/bin/env bash\necho')).toBe('shell');
    expect(kindOf('notes.txt', 'railway down')).toBeUndefined();
    expect(shellSources('deploy.sh', 'a\nb\n')).toEqual([{ text: 'a\nb\n', line: 1, what: 'script' }]);
  });

  it('cuts Makefile recipes out with their targets, prefixes and variables (defined above or below)', () => {
    const text = 'PSQL := psql -h $(HOST)\n.PHONY: reset\nreset: build\n\t@$(PSQL) -c "drop table t" \\\n\t  --quiet\n\t-echo $$HOME\n\nHOST = db.prod.example\nlogs:\n\t+$(MAKE) -C sub $(shell date)\n';
    expect(shellSources('Makefile', text)).toEqual([
      { text: 'psql -h db.prod.example -c "drop table t" \\\n  --quiet', line: 4, what: 'make target reset' },
      { text: 'echo $HOME', line: 6, what: 'make target reset' },
      { text: 'make -C sub __make_function__', line: 10, what: 'make target logs' },
    ]);
  });

  it('gives each package.json script the line its name is on, and says when the file is not JSON', () => {
    expect(shellSources('package.json', '{\n  "scripts": {\n    "test": "vitest",\n    "nuke": "dropdb shop"\n  }\n}\n')).toEqual([
      { text: 'vitest', line: 3, what: 'package.json script "test"' },
      { text: 'dropdb shop', line: 4, what: 'package.json script "nuke"' },
    ]);
    expect(shellSources('package.json', '{ "scripts": ')[0]).toMatchObject({ what: 'package.json', unreadable: expect.stringMatching(/^not valid JSON/) });
  });

  it('reads GitHub and GitLab CI steps, a block scalar from the line after its header', () => {
    const github = 'on: push\njobs:\n  deploy:\n    steps:\n      - run: echo one\n      - name: two\n        run: |\n          echo two\n          railway down\n';
    expect(shellSources('.github/workflows/deploy.yml', github)).toEqual([
      { text: 'echo one', line: 5, what: 'workflow step' },
      { text: 'echo two\nrailway down\n', line: 8, what: 'workflow step' },
    ]);
    const gitlab = 'deploy:\n  before_script:\n    - echo a\n  script:\n    - kubectl delete ns shop\n';
    expect(shellSources('.gitlab-ci.yml', gitlab)).toEqual([
      { text: 'echo a', line: 3, what: 'CI before_script' },
      { text: 'kubectl delete ns shop', line: 5, what: 'CI script' },
    ]);
    expect(shellSources('.gitlab-ci.yml', 'a: [')[0].unreadable).toMatch(/^not valid YAML/);
  });

  it('reads Dockerfile RUN in shell and exec form, options dropped, continuations joined', () => {
    const text = 'FROM debian\nRUN --mount=type=cache,target=/x apt-get update && \\\n  dropdb shop\nRUN ["psql", "-c", "drop table t"]\nrun echo lower\n';
    expect(shellSources('Dockerfile', text)).toEqual([
      { text: 'apt-get update &&   dropdb shop', line: 2, what: 'Dockerfile RUN' },
      { text: "psql -c 'drop table t'", line: 4, what: 'Dockerfile RUN' },
      { text: 'echo lower', line: 5, what: 'Dockerfile RUN' },
    ]);
  });
});
