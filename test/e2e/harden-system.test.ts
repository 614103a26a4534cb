// `chaperone harden` on the machine's own psql and aws, at their real paths, without changing them for
// anyone else: a throwaway mount namespace (unshare -m) holds a copy of each real file bind-mounted
// over it, so harden's chown and chmod land on the copies and only the processes of this test see the
// locked files. Other tests running at the same time keep using the real, untouched /usr/bin/psql.
// The namespace is test/helpers/locked-namespace.ts. Everything inside it runs through nsenter; killing the one process that holds it removes
// every mount, and afterAll removes the user, the groups and the temporary directory, pass or fail.
// Root only: skipped with the reason printed, a failure under CHAPERONE_REQUIRE_REAL_TOOLS=1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../helpers/sandbox.js';
import { namespaceNames, namespaceTools, openLockedNamespace, type LockedNamespace } from '../helpers/locked-namespace.js';
import { toolGroup, which } from '../helpers/system.js';

/** The psql binary itself, behind Debian's pg_wrapper. */
function realPsql(): string | undefined {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse() : [];
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/psql`)) return `/usr/lib/postgresql/${v}/bin/psql`;
  return undefined;
}

/** The aws the machine runs: Debian's /usr/bin/aws, or the file a pyenv shim ends at. */
async function realAws(): Promise<string | undefined> {
  const found = which('aws');
  if (!found) return undefined;
  if (!found.includes('/.pyenv/shims/')) return realpathSync(found);
  const asked = await execa('pyenv', ['which', 'aws'], { reject: false });
  return asked.exitCode === 0 ? realpathSync(asked.stdout.trim()) : undefined;
}

const sbin = `${process.env.PATH}:/usr/sbin:/sbin`;
const aws = await realAws();
const psql = realPsql();
const problems = [
  ...(process.getuid?.() === 0 ? [] : ['not running as root (it mounts, creates a user, and changes owners and modes)']),
  ...namespaceTools.filter((t) => !which(t, sbin)).map((t) => `${t} is missing`),
  ...(psql ? [] : ['no psql under /usr/lib/postgresql (postgresql-client)']),
  ...(aws ? [] : ['no aws on PATH (awscli)']),
];
const group = toolGroup("chaperone harden on the machine's own psql and aws, in a mount namespace", problems);

const { agent, storeGroup, toolsGroup, scriptsGroup } = namespaceNames({ user: 'chapsys', group: 'chaps' });

/** The dynamic loader, which runs any binary it can read: the route if reading the locked psql worked. */
const loader = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((f) => existsSync(f));

describe.skipIf(group.skip)(group.title, () => {
  let ns: LockedNamespace | undefined;
  let prefix: string;
  let home: string;
  /** Owner and mode of the real files before the test. */
  let before: LockedNamespace['before'];
  /** Runs argv inside the namespace (as root). */
  const inside = (argv: string[], input?: string) => ns!.inside(argv, input);
  /** Runs argv inside the namespace as the agent user, with an agent's bare environment. */
  const asAgent = (argv: string[]) => inside(ns!.asAgentArgv(['sh', '-c', 'cd "$HOME" && exec "$@"', 'sh', ...argv]));

  beforeAll(async () => {
    group.assertAvailable();
    // A pyenv under root's 0700 home is made reachable (as it would be for an agent on a machine where
    // aws is installed system-wide) by a world-searchable home holding only .pyenv. The home is
    // remounted first, so that the copies mounted next are not hidden under it.
    const rootHome = userInfo().homedir;
    const pyenv = `${rootHome}/.pyenv`;
    const reachPyenv = (temp: string) =>
      aws!.startsWith(`${pyenv}/`) ? [`mkdir -p ${temp}/pyenv`, `mount --bind ${pyenv} ${temp}/pyenv`, `mount -t tmpfs -o mode=0755 tmpfs ${rootHome}`, `mkdir ${pyenv}`, `mount --bind ${temp}/pyenv ${pyenv}`] : [];
    ns = await openLockedNamespace({ user: 'chapsys', group: 'chaps', files: [psql!, aws!], before: reachPyenv }, { agent, storeGroup, toolsGroup, scriptsGroup });
    ({ prefix, home, before } = ns);

    const hardened = await inside(ns.hardenArgv(['--tools', 'psql', '--tool', `aws=${aws}`]));
    expect(hardened.stderr).toBe('');
    expect(hardened.exitCode).toBe(0);
    expect((await inside(['cp', join(prefix, 'etc/profile.d/chaperone.sh'), '/etc/profile.d/chaperone.sh'])).exitCode).toBe(0);
    await ns.setPin('4831');
  }, 180_000);

  afterAll(async () => {
    await ns?.close();
  });

  it("outside the namespace the machine's own psql and aws are untouched", async () => {
    for (const [file, was] of before) {
      const now = statSync(file);
      expect({ uid: now.uid, gid: now.gid, mode: now.mode & 0o7777 }, file).toEqual(was);
    }
    const locked = await inside(['stat', '-c', '%U:%G %a', psql!, aws!]);
    // psql is a binary, pyenv's aws a Python script: each in its own group (src/harden/scripts.ts).
    expect(locked.stdout.split('\n')).toEqual([`root:${toolsGroup} 750`, `root:${scriptsGroup} 750`]);
  });

  it('the agent user cannot run the real psql or aws by path, through a wrapper, a symlink or a copy', async () => {
    const spellings = [
      `${psql} --version`,
      '/usr/bin/psql --version', // Debian's pg_wrapper, which would start the versioned psql
      `${aws} --version`,
      `ln -sf ${psql} ./p && ./p --version`,
      `ln -sf ${aws} ./a && ./a --version`,
      `cp ${psql} ./p2 && chmod +x ./p2 && ./p2 --version`,
      `cp ${aws} ./a2 && chmod +x ./a2 && ./a2 --version`,
      `cat ${psql} > ./p3 && chmod +x ./p3 && ./p3 --version`,
    ];
    for (const line of spellings) {
      const tried = await asAgent(['sh', '-c', line]);
      expect(tried.exitCode, line).not.toBe(0);
      expect(`${tried.stdout}${tried.stderr}`, line).not.toMatch(/PostgreSQL\) \d|aws-cli\//);
    }
  });

  it('through the shims, the same agent user runs the real psql and aws for benign calls, and is refused for production', async () => {
    const version = await asAgent(['psql', '--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout).toMatch(/^psql \(PostgreSQL\) \d+/);
    const awsVersion = await asAgent(['aws', '--version']);
    expect(awsVersion.exitCode, awsVersion.stderr).toBe(0);
    expect(`${awsVersion.stdout}${awsVersion.stderr}`).toMatch(/aws-cli\/\d/);
    const drop = await asAgent(['psql', '-h', 'db.prod.example.com', '-c', 'DROP TABLE users']);
    expect(drop.exitCode).toBe(77);
    expect(drop.stderr).toContain('psql.sql.drop');
    const rb = await asAgent(['aws', 's3', 'rb', 's3://acme-prod', '--force', '--profile', 'prod']);
    expect(rb.exitCode).toBe(77);
    expect(rb.stderr).toContain('aws.s3.rb');
  });

  it("pyenv's aws runs through the shim, and what its credential_process starts can run no locked binary, read none, nor reach root's copies", async () => {
    const lib = join(prefix, 'usr/local/lib/chaperone');
    const copies = join(lib, 'private/tools');
    const report = join(home, 'probe-report.json');
    const interpreter = readFileSync(aws!, 'utf8').split('\n')[0].slice(2).trim().split(/\s+/)[0];
    // The credential_process of a profile in the agent's own ~/.aws/config: Python (which keeps any
    // group it is started with; a shell would drop it), each attempt with its own result, then the
    // credentials aws asked for. What a refused agent tries next is in the list too.
    const attempts: Record<string, string[]> = {
      groups: ['id', '-Gn'],
      psql: [psql!, '--version'],
      wrapper: ['/usr/bin/psql', '--version'], // Debian's pg_wrapper, open, which starts the locked psql
      ...(loader ? { loader: [loader, psql!, '--version'] } : {}),
      copy: [join(copies, 'psql'), '--version'],
      exec: [join(lib, 'private/chaperone-exec'), join(copies, 'psql'), 'psql', '--version'],
      // aws's own entry script through its interpreter: readable with the scripts' group (no more than
      // `python -m awscli`, which the agent can run itself; docs/harden.md).
      script: [interpreter, aws!, '--version'],
    };
    const probe = [
      'import json, os, subprocess',
      `attempts = ${JSON.stringify(attempts)}`,
      'seen = {}',
      'for name, argv in attempts.items():',
      '    try:',
      '        r = subprocess.run(argv, capture_output=True, text=True)',
      "        seen[name] = f'exit {r.returncode}: {r.stdout}{r.stderr}'",
      '    except OSError as e:',
      "        seen[name] = f'denied: {e}'",
      'for name, path in ' + JSON.stringify({ read: psql!, copies: copies }) + '.items():',
      '    try:',
      "        seen[name] = 'ok: ' + str(len(open(path, 'rb').read()) if name == 'read' else os.listdir(path))",
      '    except OSError as e:',
      "        seen[name] = f'denied: {e}'",
      `json.dump(seen, open(${JSON.stringify(report)}, 'w'))`,
      "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROBECREDENTIAL', 'SecretAccessKey': 'probe'}))",
      '',
    ].join('\n');
    const asRoot = async (argv: string[], input?: string) => expect((await inside(argv, input)).exitCode, argv.join(' ')).toBe(0);
    await asRoot(['mkdir', '-p', join(home, '.aws')]);
    await asRoot(['sh', '-c', 'cat > "$1"', 'sh', join(home, 'probe.py')], probe);
    await asRoot(['sh', '-c', 'cat > "$1"', 'sh', join(home, '.aws/config')], `[profile probe]\ncredential_process = /usr/bin/python3 ${join(home, 'probe.py')}\nregion = us-east-1\n`);
    await asRoot(['chmod', '-R', 'a+rX', join(home, '.aws'), join(home, 'probe.py')]);

    // The payload works: run by the agent user itself (no group), it reports each attempt.
    const own = await asAgent(['/usr/bin/python3', join(home, 'probe.py')]);
    expect(own.exitCode, own.stderr).toBe(0);
    expect(own.stdout).toContain('AKIAPROBECREDENTIAL');
    const ownSeen = JSON.parse((await inside(['cat', report])).stdout) as Record<string, string>;
    expect(ownSeen.psql).toMatch(/^denied: .*Permission denied/);
    expect(ownSeen.script).toMatch(/Permission denied/); // the locked script, without the scripts' group
    await inside(['rm', '-f', report]);

    // Through the shim: a benign call that needs the profile's credentials (a presigned URL is signed
    // locally, with no request) runs pyenv's aws, which starts the credential_process.
    const presign = await asAgent(['aws', 's3', 'presign', 's3://acme-dev/report.csv', '--profile', 'probe']);
    expect(presign.exitCode, presign.stderr).toBe(0);
    expect(presign.stdout).toContain('AKIAPROBECREDENTIAL');
    const seen = JSON.parse((await inside(['cat', report])).stdout) as Record<string, string>;
    expect(Object.keys(seen).sort()).toEqual([...Object.keys(attempts), 'read', 'copies'].sort());
    const groups = seen.groups.replace(/^exit 0: /, '').trim().split(' ');
    expect(groups).toContain(scriptsGroup);
    expect(groups).not.toContain(toolsGroup);
    expect(groups).not.toContain(storeGroup);
    for (const name of ['psql', 'copy', 'exec', 'read', 'copies']) expect(seen[name], name).toMatch(/^denied: .*Permission denied/);
    if (loader) expect(seen.loader).toMatch(/^exit [1-9]\d*: .*Permission denied/s);
    expect(seen.wrapper).toMatch(/^exit [1-9]/); // pg_wrapper finds no client it may run
    for (const [name, text] of Object.entries(seen)) expect(text, name).not.toMatch(/PostgreSQL\) \d/);
    // What stays open (docs/harden.md): the tool's own entry script, as the agent's `python -m awscli`.
    expect(seen.script).toMatch(/^exit 0: aws-cli\//);
    const module = await asAgent([interpreter, '-m', 'awscli', '--version']);
    expect(`${module.stdout}${module.stderr}`).toMatch(/aws-cli\//);
  });

  it("a login shell of the agent user finds the hardened shims first (harden's /etc/profile.d file)", async () => {
    const login = await inside(['runuser', '-l', agent, '-c', 'command -v psql; command -v aws']);
    expect(login.stdout.split('\n')).toEqual([join(ns!.shims, 'psql'), join(ns!.shims, 'aws')]);
  });

  it('doctor --strict, as root, passes on the locked machine', async () => {
    const doctor = await inside([process.execPath, join(prefix, 'usr/local/lib/chaperone/dist/cli.js'), 'doctor', '--strict']);
    expect(doctor.stdout).not.toContain('FAIL');
    expect(doctor.stdout).toContain(`chaperone-script is root:${scriptsGroup} 2755`);
    expect(doctor.exitCode).toBe(0);
  });

  it('harden --undo puts psql and pyenv\'s aws back as they were (inside the namespace), and the agent user runs them again', async () => {
    const undone = await inside([process.execPath, cliPath, 'harden', '--undo', '--prefix', prefix]);
    expect(undone.exitCode, undone.stderr).toBe(0);
    const back = await inside(['stat', '-c', '%u:%g %a', psql!, aws!]);
    expect(back.stdout.split('\n')).toEqual([...before.values()].map((was) => `${was.uid}:${was.gid} ${was.mode.toString(8)}`));
    expect((await asAgent([psql!, '--version'])).stdout).toMatch(/PostgreSQL\) \d/);
    const awsVersion = await asAgent([aws!, '--version']);
    expect(`${awsVersion.stdout}${awsVersion.stderr}`).toMatch(/aws-cli\//);
  });
});
