// `chaperone harden` on a real machine, with a real second user: root hardens (into a prefix, so the
// machine's own /etc and binaries stay as they are), a throwaway agent user is created, and everything
// the agent tries runs as that user through `runuser`. The real psql binary (a copy of the machine's
// ELF, placed where harden locks it), a recording aws double and interpreted doubles (Python, Node,
// Perl, bash: the languages whose variables load a caller's code) stand behind the hardened shims.
// test/e2e/harden-system.test.ts locks the machine's own psql and aws, in a mount namespace.
// Root only: skipped with the reason printed elsewhere, a failure under CHAPERONE_REQUIRE_REAL_TOOLS=1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from '../helpers/sandbox.js';
import { toolGroup, which } from '../helpers/system.js';
import { haveTmux, Terminals } from '../helpers/terminal.js';

/** The psql binary itself, not Debian's pg_wrapper (a Perl script) in front of it. */
function realPsql(): string | undefined {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse() : [];
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/psql`)) return `/usr/lib/postgresql/${v}/bin/psql`;
  return which('psql');
}

/** The dynamic loader, which runs a binary it may read: a route to the locked psql if reading were allowed. */
function loaderPath(): string | undefined {
  return ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((f) => existsSync(f));
}

/** A probe's output, split at its `== NAME` lines: name → what that attempt printed. */
function sections(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name = '';
  for (const line of text.split('\n')) {
    const heading = /^== (\w+)$/.exec(line);
    if (heading) out[(name = heading[1])] = '';
    else if (name && line) out[name] += `${line}\n`;
  }
  return out;
}

const problems = [
  ...(process.getuid?.() === 0 ? [] : ['not running as root (harden changes owners and modes, and the test creates a user)']),
  ...(['cc', 'useradd', 'userdel', 'groupdel', 'runuser'].filter((t) => !which(t, `${process.env.PATH}:/usr/sbin:/sbin`)).map((t) => `${t} is missing`)),
  ...(realPsql() ? [] : ['no psql binary']),
];
const group = toolGroup('chaperone harden, tried by a real second user', problems);

const suffix = randomBytes(3).toString('hex');
const agent = `chapagent${suffix}`;
const storeGroup = `chapg${suffix}`;
/** What harden names the tools' group: the store group's name and -tools. */
const toolsGroup = `${storeGroup}-tools`;
/** And the locked scripts' group, all a running script tool holds. */
const scriptsGroup = `${storeGroup}-scripts`;

describe.skipIf(group.skip)(group.title, () => {
  let prefix: string;
  let lib: string;
  let runner: string;
  let shims: string;
  let psql: string;
  let aws: string;
  let records: string;
  let home: string;
  let work: string;
  let userCreated = false;
  let interpreted: Record<string, string> = {};

  const root = (args: string[]) => execa(process.execPath, [cliPath, ...args], { reject: false, env: { ...process.env, CHAPERONE_REQUIRE_REAL_TOOLS: undefined } });
  /** Runs argv as the agent user, with only the environment an agent's shell would have. */
  const asAgent = (argv: string[], extraEnv: Record<string, string> = {}, input?: string) =>
    execa(
      'runuser',
      ['-u', agent, '--', 'env', '-i', `PATH=${shims}:/usr/bin:/bin`, 'LANG=C.UTF-8', `HOME=${home}`, 'CHAPERONE_ACTOR=agent', ...Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`), ...argv],
      { reject: false, cwd: work, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) },
    );
  const awsRecord = () => (existsSync(join(records, 'aws.argv')) ? readFileSync(join(records, 'aws.argv'), 'utf8') : undefined);
  const clearRecord = () => rmSync(join(records, 'aws.argv'), { force: true });

  beforeAll(async () => {
    group.assertAvailable();
    prefix = mkdtempSync('/tmp/chaperone-harden-');
    chmodSync(prefix, 0o755);
    home = join(prefix, 'home', agent);
    await execa('useradd', ['--no-user-group', '--gid', 'users', '-m', '-d', home, '-s', '/bin/sh', agent]);
    userCreated = true;
    work = join(home, 'work');
    records = join(home, 'records');
    for (const dir of [work, records]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, Number((await execa('id', ['-u', agent])).stdout), statSync(home).gid);
    }
    mkdirSync(join(prefix, 'tools'));
    psql = join(prefix, 'tools', 'psql');
    copyFileSync(realPsql()!, psql);
    chmodSync(psql, 0o755);
    aws = join(prefix, 'tools', 'aws');
    // With PROBE set, the double also runs it, as what a tool's configuration names would (a
    // credential_process, a plugin) run with whatever group the tool holds: privileged mode keeps it.
    writeFileSync(aws, `#!/bin/sh -p\nprintf '%s\\n' "$@" > ${records}/aws.argv\nif [ -n "$PROBE" ]; then eval "$PROBE"; fi\necho aws-ran\n`, { mode: 0o755 });
    // Interpreted tools: each records its argv; the variables an agent sets make them load its code.
    const record = (name: string) => `${records}/${name}.argv`;
    interpreted = {
      gcloud: `#!/usr/bin/python3\nimport sys\nopen('${record('gcloud')}', 'w').write('\\n'.join(sys.argv[1:]))\n`,
      heroku: `#!${process.execPath}\nrequire('fs').writeFileSync('${record('heroku')}', process.argv.slice(2).join('\\n'));\n`,
      kubectl: `#!/usr/bin/perl\nopen(my $f, '>', '${record('kubectl')}'); print $f join("\\n", @ARGV); close $f;\n`,
      // Shell scripts: the shell would drop the group and then not read itself; chaperone-script starts it with -p.
      fly: `#!/bin/bash\nprintf '%s\\n' "$@" > ${record('fly')}\n`,
      supabase: `#!/bin/sh -e\nprintf '%s\\n' "$0" "$@" > ${record('supabase')}\n`,
      ...(which('ruby') ? { railway: `#!${which('ruby')}\nFile.write('${record('railway')}', ARGV.join("\\n"))\n` } : {}),
    };
    for (const [name, text] of Object.entries(interpreted)) writeFileSync(join(prefix, 'tools', name), text, { mode: 0o755 });
    // A binary tool that starts what its configuration names, as terraform starts providers and kubectl
    // exec plugins: with PROBE set, a shell in privileged mode (which keeps any group it is given).
    writeFileSync(
      join(prefix, 'tools', 'terraform.c'),
      `#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nint main(int argc, char **argv) {\n  FILE *f = fopen("${record('terraform')}", "w");\n  for (int i = 1; i < argc; i++) fprintf(f, "%s\\n", argv[i]);\n  fclose(f);\n  if (getenv("HOLD")) while (getchar() != EOF) {}\n  const char *probe = getenv("PROBE");\n  if (probe && *probe) execl("/bin/sh", "sh", "-p", "-c", probe, (char *)0);\n  return 0;\n}\n`,
    );
    await execa('cc', ['-o', join(prefix, 'tools', 'terraform'), join(prefix, 'tools', 'terraform.c')]);
    interpreted.terraform = 'binary';
    const hardened = await root([
      'harden', '--prefix', prefix, '--group', storeGroup, '--agent-user', agent, '--tool', `psql=${psql}`, '--tool', `aws=${aws}`,
      ...Object.keys(interpreted).flatMap((name) => ['--tool', `${name}=${join(prefix, 'tools', name)}`]),
    ]);
    expect(hardened.stderr).toBe('');
    expect(hardened.exitCode).toBe(0);
    lib = join(prefix, 'usr/local/lib/chaperone');
    runner = join(lib, 'chaperone-run');
    shims = join(lib, 'shims');
  }, 120_000);

  afterAll(async () => {
    if (userCreated) await execa('userdel', ['-r', agent], { reject: false });
    for (const name of [toolsGroup, scriptsGroup, storeGroup]) await execa('groupdel', [name], { reject: false });
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it('--print lists each change and makes none; a second harden changes nothing more', async () => {
    const printed = await root(['harden', '--print', '--prefix', prefix, '--group', storeGroup, '--agent-user', agent, '--tool', `psql=${psql}`, '--tool', `aws=${aws}`]);
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toContain(`would: ${psql}: root:${toolsGroup} 0750 (was 0:${statSync(psql).gid} 750)`);
    // A script is locked to the scripts' group, which chaperone-script alone is setgid to.
    expect(printed.stdout).toContain(`would: ${aws}: root:${scriptsGroup} 0750 (was 0:${statSync(aws).gid} 750)`);
    expect(printed.stdout).toContain(`chaperone-script (cc): root:${scriptsGroup} 2755`);
    expect(printed.stdout).not.toContain('create the system group');
    // Found on this machine's PATH: the psql binary itself, never Debian's pg_wrapper in front of it
    // (which runs pg_dump and the rest too); --print touches none of it.
    const found = await root(['harden', '--print', '--prefix', prefix, '--group', storeGroup, '--agent-user', agent, '--tools', 'psql']);
    expect(found.exitCode).toBe(0);
    expect(found.stdout).toContain(`would: ${realpathSync(realPsql()!)}: root:${toolsGroup} 0750`);
    expect(found.stdout).not.toContain('pg_wrapper');
    expect(statSync(realPsql()!).gid).toBe(0);
    // A group name must leave room for -scripts within the 32 characters a group name may have.
    const long = await root(['harden', '--print', '--prefix', prefix, '--group', 'g'.repeat(25), '--agent-user', agent, '--tool', `psql=${psql}`]);
    expect(long.exitCode).toBe(2);
    expect(long.stderr).toContain('at most 24 characters');
    // git: its binary and the second git in its exec-path would be locked, and its exec-path mirrored
    // for the hardened git (harden-system-git.test.ts locks them, in a mount namespace); --print touches
    // neither.
    const gitBinary = realpathSync(which('git')!);
    const gitMode = statSync(gitBinary).mode & 0o7777;
    const git = await root(['harden', '--print', '--prefix', prefix, '--group', storeGroup, '--agent-user', agent, '--tools', 'psql,git']);
    expect(git.exitCode, git.stderr).toBe(0);
    expect(git.stdout).toContain(`would: ${gitBinary}: root:${toolsGroup} 0750`);
    const execPath = (await execa(gitBinary, ['--exec-path'])).stdout.trim();
    expect(git.stdout).toContain(`would: ${realpathSync(join(execPath, 'git'))}: root:${toolsGroup} 0750`);
    expect(git.stdout).toContain(`git-exec-path: git's exec-path ${execPath} for the hardened git`);
    expect(statSync(gitBinary).mode & 0o7777).toBe(gitMode);
    const state = JSON.parse(readFileSync(join(prefix, 'etc/chaperone/harden.json'), 'utf8'));
    // The original mode is what undo puts back, even after harden ran twice.
    expect(state.locked.find((l: { path: string }) => l.path === psql).mode).toBe(0o755);
  });

  it('benign calls through the shims run the real tools for the agent user', async () => {
    const version = await asAgent(['psql', '--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^psql \(PostgreSQL\) \d+/);
    clearRecord();
    const ls = await asAgent(['aws', 's3', 'ls', '--profile', 'dev']);
    expect(ls.exitCode).toBe(0);
    expect(awsRecord()).toBe('s3\nls\n--profile\ndev\n');
  });

  it("once decided, the runner becomes the tool: the caller's pid, no Node parent, argv and environment bytes as given", async () => {
    clearRecord();
    // The aws double records, through PROBE, its pid, its parent's command line, and the bytes of its
    // third argument and of an environment entry; the caller's shell records its own pid, then execs.
    const probe = [
      `echo $$ > ${records}/tool.pid`,
      `tr '\\0' ' ' < /proc/$PPID/cmdline > ${records}/tool.parent`,
      `printf '%s' "$3" | od -An -tx1 | tr -d ' \\n' > ${records}/tool.arg`,
      `printf '%s' "$ODD" | od -An -tx1 | tr -d ' \\n' > ${records}/tool.env`,
    ].join('; ');
    const line = `echo $$ > ${records}/caller.pid; ODD="$(printf 'v\\377w')"; export ODD; exec aws s3 ls "$(printf 'a\\377\\376b')" --profile dev`;
    const ran = await asAgent(['sh', '-c', line], { PROBE: probe });
    expect(ran.exitCode, ran.stderr).toBe(0);
    const read = (name: string) => readFileSync(join(records, name), 'utf8').trim();
    expect(read('tool.pid')).toBe(read('caller.pid'));
    expect(read('tool.parent')).not.toContain('node');
    expect(read('tool.arg')).toBe('61fffe62');
    expect(read('tool.env')).toBe('76ff77');
  });

  it('a destructive call against production is refused for the agent, and the tool never runs', async () => {
    clearRecord();
    const rb = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
    expect(rb.exitCode).toBe(77);
    expect(rb.stderr).toContain('rule         aws.s3.rb');
    expect(awsRecord()).toBeUndefined();
    const drop = await asAgent(['psql', '-h', 'db.prod.example.com', '-c', 'DROP TABLE users']);
    expect(drop.exitCode).toBe(77);
    expect(drop.stderr).toContain('psql.sql.drop');
  });

  it('the real binaries cannot be run by absolute path, through a symlink or hard link, or copied', async () => {
    for (const file of [psql, aws]) {
      const direct = await asAgent([file, '--version']);
      expect(direct.exitCode).toBe(126);
      expect(direct.stderr).toContain('Permission denied');
      const link = join(home, `link-${file.endsWith('psql') ? 'psql' : 'aws'}`);
      expect((await asAgent(['ln', '-sf', file, link])).exitCode).toBe(0);
      expect((await asAgent([link, '--version'])).exitCode).toBe(126);
      expect((await asAgent(['ln', file, `${link}-hard`])).exitCode).not.toBe(0);
      const copy = await asAgent(['cp', file, join(home, 'copy')]);
      expect(copy.exitCode).not.toBe(0);
      expect(copy.stderr).toContain('Permission denied');
      expect((await asAgent(['sh', '-c', `cat ${file} > ${home}/copy2`])).exitCode).not.toBe(0);
    }
    expect(awsRecord()).toBeUndefined();
  });

  it("chaperone's own entry run by hand, without the group, cannot start the real tool", async () => {
    const byHand = await asAgent([process.execPath, join(lib, 'dist/shim.js'), '--hardened', 'aws', 's3', 'ls'], { CHAPERONE_CALLER_PATH: '/usr/bin:/bin' });
    expect(byHand.exitCode).toBe(126);
    expect(awsRecord()).toBeUndefined();
  });

  it('the runner starts only registered tools, and NODE_OPTIONS cannot run code with its group', async () => {
    const sh = await asAgent([runner, 'sh', '-c', 'id']);
    expect(sh.exitCode).toBe(127);
    expect(sh.stderr).toContain('is not a tool this machine was hardened for');
    const evil = join(home, 'evil.cjs');
    const marker = join(home, 'evil-ran');
    await asAgent(['sh', '-c', `printf '%s' "require('fs').writeFileSync('${marker}', String(process.getegid())); require('child_process').execFileSync('${aws}', ['s3','rb','s3://acme-prod','--force'])" > ${evil}`]);
    for (const extra of [{ NODE_OPTIONS: `--require ${evil}` }, { OPENSSL_CONF: evil, NODE_PATH: home }] as Record<string, string>[]) {
      const run = await asAgent(['psql', '--version'], extra);
      expect(run.exitCode).toBe(0);
      expect(existsSync(marker)).toBe(false);
    }
    expect(awsRecord()).toBeUndefined();
    // The tool itself still gets the variables exactly as the agent set them.
    const withVar = await asAgent(['sh', '-c', `NODE_OPTIONS="--require ${evil}" ${runner} aws s3 ls --profile dev`]);
    expect(withVar.exitCode).toBe(0);
  });

  it('the store, the PIN and the rules are out of the agent\'s reach', async () => {
    await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']); // makes a request in the store
    const storeDir = join(prefix, 'var/lib/chaperone', agent);
    expect(readdirSync(storeDir)).toEqual(expect.arrayContaining(['approvals.json', 'audit.jsonl']));
    const forged = JSON.stringify({ approvals: [] });
    for (const line of [
      `ls ${storeDir}`,
      `echo '${forged}' > ${storeDir}/approvals.json`,
      `rm -f ${storeDir}/audit.jsonl`,
      `echo 'disable: [aws.s3.rb]' > ${prefix}/etc/chaperone/rules.yaml`,
      `echo x > ${prefix}/etc/chaperone/harden.json`,
      `echo x > ${lib}/dist/shim.js`,
      `echo x > ${shims}/aws`,
    ]) {
      const tried = await asAgent(['sh', '-c', line]);
      expect(tried.exitCode, line).not.toBe(0);
      expect(tried.stderr, line).toMatch(/Permission denied|cannot/);
    }
    // The audit log is root's copy, written through the runner: the agent's refused call is in it.
    expect(readFileSync(join(storeDir, 'audit.jsonl'), 'utf8')).toContain('"outcome":"refused"');
  });

  it("the system layer is root's; the agent user's own rules may only tighten it", async () => {
    writeFileSync(join(prefix, 'etc/chaperone/rules.yaml'), 'environments:\n  development: [acme-play]\n');
    clearRecord();
    const play = await asAgent(['aws', 's3', 'rb', 's3://scratch', '--force', '--profile', 'acme-play']);
    expect(play.exitCode).toBe(0);
    expect(awsRecord()).toContain('acme-play');

    const userRules = join(home, '.config/chaperone/rules.yaml');
    for (const loosening of ['disable: [aws.s3.rb]\n', 'environments:\n  development: [prod]\n', 'policy:\n  production: notice\n']) {
      await asAgent(['sh', '-c', `mkdir -p ${home}/.config/chaperone && printf '%s' '${loosening}' > ${userRules}`]);
      clearRecord();
      const rb = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
      expect(rb.exitCode, loosening).toBe(2);
      expect(rb.stderr, loosening).toContain('a user file on a hardened machine');
      expect(awsRecord(), loosening).toBeUndefined();
    }
    // Pointing HOME or XDG elsewhere does not pick another file: the passwd entry's home counts.
    await asAgent(['sh', '-c', `rm -f ${userRules}; mkdir -p ${home}/alt/chaperone && echo 'disable: [aws.s3.rb]' > ${home}/alt/chaperone/rules.yaml`]);
    const moved = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod'], { XDG_CONFIG_HOME: `${home}/alt`, HOME: `${home}/alt` });
    expect(moved.exitCode).toBe(77);
    // A tightening file is fine: benign calls still run.
    await asAgent(['sh', '-c', `printf 'protected-branches: [trunk]\\n' > ${userRules}`]);
    expect((await asAgent(['psql', '--version'])).exitCode).toBe(0);
    rmSync(join(prefix, 'etc/chaperone/rules.yaml'));
  });

  it('approvals need the PIN: the agent can neither approve, nor read, replace or remove the PIN', async () => {
    const pinFile = join(prefix, 'etc/chaperone/pin');
    // Without a PIN, a hardened machine approves nothing (the agent is refused before that, as an agent).
    const gid = Number((await execa('getent', ['group', storeGroup])).stdout.split(':')[2]);
    const salt = randomBytes(16);
    const cost = { N: 2 ** 15, r: 8, p: 1 };
    const hash = scryptSync('4831', salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r });
    writeFileSync(pinFile, `${JSON.stringify({ algorithm: 'scrypt', ...cost, salt: salt.toString('base64'), hash: hash.toString('base64') })}\n`);
    chownSync(pinFile, 0, gid);
    chmodSync(pinFile, 0o640);

    const refused = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
    const code = /chaperone approve ([A-Z0-9]{3}-[A-Z0-9]{3})/.exec(refused.stderr)?.[1];
    expect(code).toBeDefined();
    const approve = await asAgent([runner, 'chaperone', 'approve', code!], {}, 'acme-prod\n4831\n');
    expect(approve.exitCode).toBe(77);
    expect(approve.stderr).toContain('An agent cannot approve its own commands');
    // Without the markers, still no terminal: no approval either.
    const unmarked = await execa('runuser', ['-u', agent, '--', 'env', '-i', `PATH=${shims}:/usr/bin:/bin`, runner, 'chaperone', 'approve', code!], { reject: false, cwd: work, input: 'prod\n4831\n' });
    expect(unmarked.exitCode).not.toBe(0);
    for (const line of [`cat ${pinFile}`, `rm -f ${pinFile}`, `echo '{}' > ${pinFile}`, `mv ${pinFile} ${pinFile}.old`]) {
      expect((await asAgent(['sh', '-c', line])).exitCode, line).not.toBe(0);
    }
    // Only the commands an approval needs pass through the runner: not `pin`.
    expect((await asAgent([runner, 'chaperone', 'pin', 'clear'])).exitCode).toBe(2);
    expect(existsSync(pinFile)).toBe(true);
    clearRecord();
    expect((await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod'])).exitCode).toBe(77);
    expect(awsRecord()).toBeUndefined();

    // An agent that hides its markers and makes itself a terminal can type the name; it still needs the
    // PIN. With a wrong one nothing is approved; with the right one (a human's), the call runs once.
    if (!haveTmux) {
      if (process.env.CHAPERONE_REQUIRE_REAL_TOOLS === '1') throw new Error('tmux is missing, and CHAPERONE_REQUIRE_REAL_TOOLS=1 is set');
      console.warn('harden: the PIN at a real terminal is not tried: tmux is missing');
      return;
    }
    const terminals = new Terminals();
    const world = {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
      work,
      write: (relative: string, text: string) => {
        const file = join(prefix, relative);
        writeFileSync(file, text, { mode: 0o755 });
        return file;
      },
    };
    const approveAsAgentUser = () =>
      terminals.open(world as never, `runuser -u ${agent} -- env -i PATH=${shims}:/usr/bin:/bin LANG=C.UTF-8 ${runner} chaperone approve ${code}`);
    try {
      const wrong = approveAsAgentUser();
      await wrong.waitFor('Type prod to approve it');
      wrong.type('prod');
      wrong.press('Enter');
      await wrong.waitFor('PIN');
      wrong.type('0000');
      wrong.press('Enter');
      const denied = await wrong.exit();
      expect(denied.code).toBe(77);
      expect(denied.screen).toContain('wrong PIN; not approved');
      expect((await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod'])).exitCode).toBe(77);
      expect(awsRecord()).toBeUndefined();

      const right = approveAsAgentUser();
      await right.waitFor('Type prod to approve it');
      right.type('prod');
      right.press('Enter');
      await right.waitFor('PIN');
      right.type('4831');
      right.press('Enter');
      const approved = await right.exit();
      expect(approved.screen).toContain(`chaperone: approved ${code} until`);
      expect(approved.code).toBe(0);
      const once = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
      expect(once.exitCode).toBe(0);
      expect(awsRecord()).toContain('s3://acme-prod');
      clearRecord();
      expect((await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod'])).exitCode).toBe(77);
      expect(awsRecord()).toBeUndefined();
    } finally {
      terminals.close();
    }
  }, 60_000);

  it('a binary tool started through the runner holds no group of chaperone\'s: what it starts can neither run a real tool, read the PIN nor write the store', async () => {
    rmSync(join(records, 'terraform.argv'), { force: true });
    const probe = `{ id -Gn; cat ${prefix}/etc/chaperone/pin; ls ${prefix}/var/lib/chaperone/${agent}; echo '{}' > ${prefix}/var/lib/chaperone/${agent}/approvals.json; ${psql} --version; ${aws} s3 ls; } > ${records}/probe-binary 2>&1; true`;
    const run = await asAgent(['terraform', 'plan'], { PROBE: probe });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(records, 'terraform.argv'), 'utf8')).toBe('plan\n');
    const seen = readFileSync(join(records, 'probe-binary'), 'utf8');
    expect(seen.split('\n')[0].split(' ')).not.toContain(toolsGroup);
    expect(seen.split('\n')[0].split(' ')).not.toContain(storeGroup);
    expect(seen).not.toContain('scrypt');
    expect(seen).not.toContain('PostgreSQL');
    expect(seen.match(/Permission denied/g)?.length).toBe(5);
    expect(awsRecord()).toBeUndefined();
  });

  it("a script tool runs in place with the scripts' group only: what it starts (a credential_process) can run no binary tool, reach no copy, read no PIN, write no store", async () => {
    const store = `${prefix}/var/lib/chaperone/${agent}`;
    const copies = join(lib, 'private/tools');
    const gcloud = join(prefix, 'tools', 'gcloud');
    // Each attempt in a section of its own, so that each one's failure is its own and says why.
    const attempts: Record<string, string> = {
      groups: 'id -Gn',
      pin: `cat ${prefix}/etc/chaperone/pin`,
      store: `ls ${store}`,
      approvals: `echo '{}' > ${store}/approvals.json`,
      psql: `${psql} --version`,
      terraform: `PROBE= ${join(prefix, 'tools', 'terraform')} plan`, // (without PROBE, which it would run again)
      read: `cat ${psql} > ${home}/psql-copy`,
      // What a refused child tries next: the copies chaperone-exec runs, chaperone-exec itself, the
      // locked file through an interpreter that does not drop groups (Python), and the loader.
      copies: `ls ${copies}`,
      copy: `${copies}/psql --version`,
      exec: `${join(lib, 'private/chaperone-exec')} ${copies}/psql psql --version`,
      python: `/usr/bin/python3 -c "import subprocess; subprocess.run(['${psql}', '--version'])"`,
      loader: `${loaderPath() ?? '/lib64/ld-linux-x86-64.so.2'} ${psql} --version`,
      // Another locked script runs: the residue docs/harden.md names (no more than its interpreter on
      // its package, which the agent can do itself).
      script: `${gcloud} from-aws`,
      // And keeps that group for later: a setgid copy of an interpreter, in the agent's own home.
      keep: `cp /usr/bin/python3 ${home}/keep && chmod 2755 ${home}/keep && stat -c '%G %a' ${home}/keep`,
    };
    const probe = `{ ${Object.entries(attempts).map(([name, line]) => `echo "== ${name}"; ${line};`).join(' ')} } > ${records}/probe 2>&1`;
    clearRecord();
    for (const name of ['gcloud', 'terraform']) rmSync(join(records, `${name}.argv`), { force: true });
    const run = await asAgent(['aws', 's3', 'ls', '--profile', 'dev'], { PROBE: probe });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(awsRecord()).toBe('s3\nls\n--profile\ndev\n');
    const seen = sections(readFileSync(join(records, 'probe'), 'utf8'));
    expect(Object.keys(seen)).toEqual(Object.keys(attempts));
    expect(seen.groups.trim().split(' ')).toContain(scriptsGroup);
    expect(seen.groups.trim().split(' ')).not.toContain(toolsGroup);
    expect(seen.groups.trim().split(' ')).not.toContain(storeGroup);
    for (const name of ['pin', 'store', 'approvals', 'psql', 'terraform', 'read', 'copies', 'copy', 'exec', 'python', 'loader']) {
      expect(seen[name], name).toMatch(/Permission denied/);
      expect(seen[name], name).not.toMatch(/PostgreSQL|scrypt/);
    }
    expect(existsSync(join(records, 'terraform.argv'))).toBe(false);
    expect(readFileSync(join(prefix, 'etc/chaperone/pin'), 'utf8')).toContain('scrypt');
    expect(seen.script).toBe('');
    expect(readFileSync(join(records, 'gcloud.argv'), 'utf8')).toBe('from-aws');
    // The kept group is the scripts' group and no more (docs/harden.md: mount what the agent can write
    // nosuid to close this): with it the agent reads and runs locked scripts, never a binary tool.
    expect(seen.keep).toBe(`${scriptsGroup} 2755\n`);
    const kept = await asAgent([join(home, 'keep'), '-c', `import os, subprocess, grp\nprint(grp.getgrgid(os.getegid()).gr_name)\nsubprocess.run(['${gcloud}', 'kept'])\ntry:\n    subprocess.run(['${psql}', '--version'])\nexcept OSError as e:\n    print(e)\ntry:\n    os.listdir('${copies}')\nexcept OSError as e:\n    print(e)\n`]);
    expect(kept.stdout.split('\n').slice(0, 3)).toEqual([scriptsGroup, `[Errno 13] Permission denied: '${psql}'`, `[Errno 13] Permission denied: '${copies}'`]);
    expect(readFileSync(join(records, 'gcloud.argv'), 'utf8')).toBe('kept');
    // The same attempts by the agent user itself: denied too (the script tool gave its child nothing
    // the binaries need), and the locked script as well, which only the scripts' group reads.
    for (const line of [attempts.psql, attempts.copies, attempts.read, `/usr/bin/python3 ${gcloud}`, `${gcloud} x`]) {
      const tried = await asAgent(['sh', '-c', line]);
      expect(tried.exitCode, line).not.toBe(0);
      expect(tried.stderr, line).toMatch(/Permission denied/);
    }
  });

  it('the variables that load an agent\'s code into an interpreter (PYTHONPATH, NODE_OPTIONS, PERL5OPT, BASH_ENV, RUBYOPT) never reach a script tool', async () => {
    const dir = join(home, 'inject');
    const marker = (name: string) => join(home, `injected-${name}`);
    await asAgent(['mkdir', '-p', dir]);
    const write = async (file: string, text: string) => {
      const tried = await asAgent(['sh', '-c', 'cat > "$1"', 'sh', join(dir, file)], {}, text);
      expect(tried.exitCode).toBe(0);
    };
    // Each payload reports its groups, then executes the locked psql itself (no shell, which would drop
    // a group on its own).
    await write('sitecustomize.py', `import subprocess\nwith open('${marker('python')}', 'w') as f:\n    f.write(subprocess.run(['id', '-Gn'], capture_output=True, text=True).stdout)\n    try:\n        f.write('ran ' + subprocess.run(['${psql}', '--version'], capture_output=True, text=True).stdout)\n    except OSError as e:\n        f.write('denied ' + str(e))\n`);
    await write('evil.cjs', `const { spawnSync } = require('child_process');\nconst r = spawnSync('${psql}', ['--version'], { encoding: 'utf8' });\nrequire('fs').writeFileSync('${marker('node')}', spawnSync('id', ['-Gn'], { encoding: 'utf8' }).stdout + (r.error ? 'denied ' + r.error.code : 'ran ' + r.stdout));\n`);
    await write('Evil.pm', `package Evil;\nopen(my $f, '>', '${marker('perl')}');\nprint $f \`id -Gn\`;\nmy $rc = system { '${psql}' } '${psql}', '--version';\nprint $f ($rc == 0 ? "ran\\n" : "denied $!\\n");\nclose $f;\n1;\n`);
    await write('evil.sh', `{ id -Gn; ${psql} --version && echo ran || echo denied; } > ${marker('bash')} 2>&1\n`);
    await write('evil.rb', `File.write('${marker('ruby')}', \`id -Gn\` + (system('${psql}', '--version') ? "ran\\n" : "denied\\n"))\n`);
    type Try = [language: string, interpreter: string, tool: string, args: string[], env: Record<string, string>];
    const tries: Try[] = [
      ['python', '/usr/bin/python3 -c pass', 'gcloud', ['config', 'list'], { PYTHONPATH: dir }],
      ['node', `${process.execPath} -e 0`, 'heroku', ['apps'], { NODE_OPTIONS: `--require ${dir}/evil.cjs` }],
      ['perl', '/usr/bin/perl -e 1', 'kubectl', ['get', 'pods'], { PERL5OPT: '-MEvil', PERL5LIB: dir }],
      ['bash', '/bin/bash -c true', 'fly', ['status'], { BASH_ENV: `${dir}/evil.sh` }],
      ...(interpreted.railway ? [['ruby', `${which('ruby')} -e 0`, 'railway', ['status'], { RUBYOPT: `-r${dir}/evil.rb` }] as Try] : []),
    ];
    if (!interpreted.railway) console.warn('harden: RUBYOPT is not tried: ruby is not installed');
    for (const [language, interpreter, tool, args, env] of tries) {
      // The payload works: in the agent's own interpreter it runs (so the test below can fail).
      rmSync(marker(language), { force: true });
      await asAgent(['sh', '-c', interpreter], env);
      expect(existsSync(marker(language)), language).toBe(true);
      expect(readFileSync(marker(language), 'utf8'), language).toMatch(/denied/);
      rmSync(marker(language));
      // Through the shim the tool runs, with its argv, and the payload never does.
      rmSync(join(records, `${tool}.argv`), { force: true });
      const run = await asAgent([tool, ...args], env);
      expect(run.exitCode, `${language}: ${run.stderr}`).toBe(0);
      expect(readFileSync(join(records, `${tool}.argv`), 'utf8').trim(), language).toBe(args.join('\n'));
      expect(existsSync(marker(language)), language).toBe(false);
    }
    // A #!/bin/sh script with an option on its #! line runs too, with $0 its own path, as the kernel
    // would start it.
    const sh = await asAgent(['supabase', 'projects', 'list']);
    expect(sh.exitCode, sh.stderr).toBe(0);
    expect(readFileSync(join(records, 'supabase.argv'), 'utf8')).toBe(`${join(prefix, 'tools', 'supabase')}\nprojects\nlist\n`);
  });

  it('LD_PRELOAD and the other loader variables never reach a real tool; the agent\'s library works elsewhere', async () => {
    const source = join(home, 'evil.c');
    const library = join(home, 'evil.so');
    const marker = join(home, 'injected-loader');
    await asAgent(['sh', '-c', 'cat > "$1"', 'sh', source], {}, `#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { char exe[4096] = {0}; readlink("/proc/self/exe", exe, sizeof exe - 1); FILE *f = fopen("${marker}", "a"); if (f) { fprintf(f, "%s\\n", exe); fclose(f); } }\n`);
    expect((await asAgent(['cc', '-shared', '-fPIC', '-o', library, source])).exitCode).toBe(0);
    // The library itself loads: into a program of the agent's own.
    expect((await asAgent(['env', `LD_PRELOAD=${library}`, '/bin/true'])).exitCode).toBe(0);
    expect(readFileSync(marker, 'utf8')).toContain('/true');
    rmSync(marker);
    // Through the shim: the agent's own shell loads it (the shim is a script of the agent's), psql never.
    const run = await asAgent(['psql', '--version'], { LD_PRELOAD: library });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^psql \(PostgreSQL\)/);
    expect(readFileSync(marker, 'utf8')).toMatch(/\/(sh|dash)\n/);
    expect(readFileSync(marker, 'utf8')).not.toContain('psql');
    // The binary's environment: the loader's variables gone, the agent's own as it set them.
    rmSync(marker);
    const env = await asAgent(['terraform', 'plan'], { LD_PRELOAD: library, LD_LIBRARY_PATH: home, TF_WORKSPACE: 'dev', PROBE: `env > ${records}/env-binary` });
    expect(env.exitCode).toBe(0);
    const seen = readFileSync(join(records, 'env-binary'), 'utf8');
    expect(seen).toContain('TF_WORKSPACE=dev\n');
    expect(seen).not.toMatch(/^LD_/m);
    expect(readFileSync(marker, 'utf8')).not.toContain('terraform');
  });

  it('a running hardened binary cannot be read, copied or run again through /proc by the agent', async () => {
    // The binary double waits on its stdin (a pipe held open) while the agent looks at it.
    const held = execa('runuser', ['-u', agent, '--', 'env', '-i', `PATH=${shims}:/usr/bin:/bin`, 'CHAPERONE_ACTOR=agent', `HOME=${home}`, 'HOLD=1', 'terraform', 'plan', '-hold'], { reject: false, cwd: work, stdin: 'pipe' });
    try {
      let tried;
      do tried = await asAgent(['sh', '-c', `for p in $(pgrep -u ${agent} -f '^terraform plan -hold'); do echo "pid $p"; cat /proc/$p/exe > /dev/null 2>&1 && echo read; /proc/$p/exe plan 2>&1 && echo ran; cat /proc/$p/maps > /dev/null 2>&1 && echo maps; ls -l /proc/$p/exe 2>&1; done; echo done`]);
      while (!tried.stdout.includes('pid '));
      expect(tried.stdout).toContain('done');
      expect(tried.stdout).toContain('Permission denied');
      expect(tried.stdout).not.toMatch(/^(read|ran|maps)$/m);
    } finally {
      held.stdin?.end();
      await held;
    }
    expect((await held).exitCode).toBe(0);
  });

  it('login shells of every user get the hardened shims first on PATH', async () => {
    const profile = join(prefix, 'etc/profile.d/chaperone.sh');
    const found = await asAgent(['sh', '-c', `PATH=/usr/bin:/bin; . ${profile}; command -v psql; . ${profile}; echo "$PATH"`]);
    expect(found.stdout.split('\n')[0]).toBe(join(shims, 'psql'));
    expect(found.stdout.split('\n')[1]).toBe(`${shims}:/usr/bin:/bin`);
    const later = await asAgent(['sh', '-c', `PATH=/usr/bin:${shims}:/bin; . ${profile}; echo "$PATH"`]);
    expect(later.stdout.trim()).toBe(`${shims}:/usr/bin:${shims}:/bin`);
    expect((await asAgent(['sh', '-c', `echo x >> ${profile}`])).exitCode).not.toBe(0);
  });

  it('the audit log is append-only to the agent user: it cannot truncate, rewrite or remove it, and `log verify` works for it', async () => {
    const log = join(prefix, 'var/lib/chaperone', agent, 'audit.jsonl');
    const before = readFileSync(log, 'utf8');
    for (const line of [`: > ${log}`, `sed -i 1d ${log}`, `rm -f ${log}`, `mv ${log} ${log}.old`, `ln ${log} ${home}/audit-link`, `truncate -s 0 ${log}`, `echo '{}' >> ${log}`, `chmod 666 ${log}`]) {
      expect((await asAgent(['sh', '-c', line])).exitCode, line).not.toBe(0);
    }
    expect(readFileSync(log, 'utf8')).toBe(before);
    // Its refused calls are still appended, through the runner only.
    await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
    const after = readFileSync(log, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
    const verify = await asAgent([runner, 'chaperone', 'log', 'verify']);
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);
    const read = await asAgent([runner, 'chaperone', 'log', '--json']);
    expect(read.exitCode).toBe(0);
    expect(read.stdout).toContain('s3://acme-prod');
  });

  it('doctor --strict passes on the hardened machine and fails, naming it, when a property breaks', async () => {
    // As root, as documented: the agent user cannot even look at some of what is checked.
    const doctor = () => execa(process.execPath, [join(lib, 'dist/cli.js'), 'doctor', '--strict'], { reject: false, cwd: work });
    const asAgentUser = await execa('runuser', ['-u', agent, '--', process.execPath, join(lib, 'dist/cli.js'), 'doctor', '--strict'], { reject: false, cwd: work });
    expect(asAgentUser.exitCode).toBe(1);
    expect(asAgentUser.stdout).toContain('run doctor --strict as root');
    const good = await doctor();
    expect(good.stderr).toBe('');
    expect(good.stdout).not.toContain('FAIL');
    expect(good.exitCode).toBe(0);
    chmodSync(psql, 0o755); // what a package upgrade does
    const bad = await doctor();
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain(`FAIL psql: ${psql} is 0:`);
    chmodSync(psql, 0o750);
    expect((await doctor()).exitCode).toBe(0);
    const log = join(prefix, 'var/lib/chaperone', agent, 'audit.jsonl');
    const mode = statSync(log).mode & 0o777;
    chmodSync(log, mode | 0o006);
    const open = await doctor();
    expect(open.exitCode).toBe(1);
    expect(open.stdout).toContain(`open to others or outside ${storeGroup}: audit.jsonl`);
    chmodSync(log, mode);
    // An upgrade replaces the original: the runner's copy is stale until harden runs again.
    const original = readFileSync(psql);
    writeFileSync(psql, Buffer.concat([original, Buffer.from('upgraded')]));
    const stale = await doctor();
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toMatch(/psql: .* differs from .*psql \(an upgrade\?\)/);
    writeFileSync(psql, original);
    expect((await doctor()).exitCode).toBe(0);
    // A script in the tools' group, or chaperone-script setgid to it, would hand every binary tool to
    // what a script tool starts: each fails, naming the file.
    const gidOf = async (name: string) => Number((await execa('getent', ['group', name])).stdout.split(':')[2]);
    const [toolsGid, scriptsGid] = [await gidOf(toolsGroup), await gidOf(scriptsGroup)];
    expect(good.stdout).toContain(`chaperone-script is root:${scriptsGroup} 2755`);
    expect(good.stdout).toContain(`aws: ${aws} is root:${scriptsGroup} 0750`);
    chownSync(aws, 0, toolsGid);
    const toolsScript = await doctor();
    expect(toolsScript.exitCode).toBe(1);
    expect(toolsScript.stdout).toContain(`FAIL aws: ${aws} is 0:${toolsGid} 750`);
    chownSync(aws, 0, scriptsGid);
    const starter = join(lib, 'private/chaperone-script');
    chownSync(starter, 0, toolsGid);
    chmodSync(starter, 0o2755); // chown clears setgid
    const toolsStarter = await doctor();
    expect(toolsStarter.exitCode).toBe(1);
    expect(toolsStarter.stdout).toContain(`FAIL ${starter} is 0:${toolsGid} 2755`);
    chownSync(starter, 0, scriptsGid);
    chmodSync(starter, 0o2755);
    expect((await doctor()).exitCode).toBe(0);

    // The agent user put in the scripts' group; then a machine hardened before the scripts' group (its
    // scripts and chaperone-script in the tools' group): doctor names each; harden again fixes both.
    await execa('gpasswd', ['-a', agent, scriptsGroup]);
    const member = await doctor();
    expect(member.exitCode).toBe(1);
    expect(member.stdout).toContain(`FAIL agent user ${agent} is in ${scriptsGroup}`);
    const stateFile = join(prefix, 'etc/chaperone/harden.json');
    const { scriptsGroup: _group, scriptsGid: _gid, ...older } = JSON.parse(readFileSync(stateFile, 'utf8'));
    writeFileSync(stateFile, JSON.stringify(older));
    const scripts = [aws, ...Object.keys(interpreted).filter((name) => name !== 'terraform').map((name) => join(prefix, 'tools', name))];
    for (const file of [...scripts, starter]) chownSync(file, 0, toolsGid);
    chmodSync(starter, 0o2755);
    const older1 = await doctor();
    expect(older1.exitCode).toBe(1);
    expect(older1.stdout).toContain(`FAIL ${starter} runs script tools with ${toolsGroup}`);
    const again = await root([
      'harden', '--prefix', prefix, '--group', storeGroup, '--agent-user', agent, '--tool', `psql=${psql}`, '--tool', `aws=${aws}`,
      ...Object.keys(interpreted).flatMap((name) => ['--tool', `${name}=${join(prefix, 'tools', name)}`]),
    ]);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain(`remove agent user ${agent} from group ${scriptsGroup}`);
    for (const file of [...scripts, starter]) expect(statSync(file).gid, file).toBe(scriptsGid);
    expect(statSync(psql).gid).toBe(toolsGid);
    const fixed = await doctor();
    expect(fixed.stdout).not.toContain('FAIL');
    expect(fixed.exitCode).toBe(0);
  });

  it('--undo puts the binaries back and removes the runner', async () => {
    const undone = await root(['harden', '--undo', '--prefix', prefix]);
    expect(undone.exitCode).toBe(0);
    expect(statSync(psql).mode & 0o7777).toBe(0o755);
    expect(statSync(psql).gid).toBe(0);
    for (const name of ['aws', 'gcloud']) {
      const back = statSync(join(prefix, 'tools', name));
      expect({ gid: back.gid, mode: back.mode & 0o7777 }, name).toEqual({ gid: 0, mode: 0o755 });
    }
    expect(existsSync(runner)).toBe(false);
    expect(existsSync(join(prefix, 'etc/profile.d/chaperone.sh'))).toBe(false);
    expect((await asAgent([psql, '--version'])).exitCode).toBe(0);
  });
});
