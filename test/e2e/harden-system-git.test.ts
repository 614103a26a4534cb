// `chaperone harden --tools git` on the machine's own git, at its real paths, without changing it for
// anyone else (the way harden-system.test.ts does it for psql and aws): a throwaway mount namespace
// (unshare -m) holds a copy of each file that is git (/usr/bin/git, the git in `git --exec-path`, any
// other copy or hard link) bind-mounted over it, so harden's chown and chmod land on the copies and only
// the processes of this test see git locked. Before harden runs, `harden --print` must name no file
// that is not such a copy: nothing outside the namespace is ever locked. A real second user then uses
// git through the hardened shims (status, a pager, clone, fetch, push, pull, submodules, aliases,
// hooks, stash) and tries every way round them.
// Root only: skipped with the reason printed, a failure under CHAPERONE_REQUIRE_REAL_TOOLS=1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from '../helpers/sandbox.js';
import { namespaceNames, namespaceTools, openLockedNamespace, type LockedNamespace } from '../helpers/locked-namespace.js';
import { toolGroup, which } from '../helpers/system.js';

const sbin = `${process.env.PATH}:/usr/sbin:/sbin`;

/**
 * Every regular file on this machine that is git: each `git` on the system PATH, the git in its
 * exec-path, and every `git`/`git-*` beside them with the same inode or the same bytes.
 */
async function realGitFiles(): Promise<{ files: string[]; execPath: string } | undefined> {
  const gits = (await execa('which', ['-a', 'git'], { reject: false })).stdout.split('\n').filter(Boolean);
  if (gits.length === 0) return undefined;
  const execPath = (await execa(gits[0], ['--exec-path'], { reject: false, env: { ...process.env, GIT_EXEC_PATH: undefined } })).stdout.trim();
  if (!execPath.startsWith('/')) return undefined;
  const first = realpathSync(gits[0]);
  const bytes = readFileSync(first);
  const files = new Set<string>();
  const dirs = new Set([...gits.map((g) => realpathSync(join(g, '..'))), execPath]);
  for (const dir of dirs) {
    for (const name of readdirSync(dir)) {
      if (name !== 'git' && !name.startsWith('git-')) continue;
      const path = join(dir, name);
      if (lstatSync(path).isSymbolicLink() || !lstatSync(path).isFile()) continue;
      if (statSync(path).size === bytes.length && readFileSync(path).equals(bytes)) files.add(path);
    }
  }
  files.add(first);
  return { files: [...files], execPath };
}

const real = await realGitFiles();
const problems = [
  ...(process.getuid?.() === 0 ? [] : ['not running as root (it mounts, creates a user, and changes owners and modes)']),
  ...[...namespaceTools, 'script'].filter((t) => !which(t, sbin)).map((t) => `${t} is missing`),
  ...(real ? [] : ['no git on PATH']),
];
const group = toolGroup("chaperone harden on the machine's own git, in a mount namespace", problems);

const { agent, storeGroup, toolsGroup, scriptsGroup } = namespaceNames({ user: 'chapgit', group: 'chapg' });

describe.skipIf(group.skip)(group.title, () => {
  const files = real?.files ?? [];
  let ns: LockedNamespace | undefined;
  let prefix: string;
  let home: string;
  /** Owner and mode of the real files before the test. */
  let before: LockedNamespace['before'];
  const inside = (argv: string[]) => ns!.inside(argv);
  /** A shell line inside the namespace as the agent user, with an agent's bare environment, in $HOME. */
  const asAgent = (line: string, extra: string[] = []) => inside(ns!.asAgentArgv(['sh', '-c', `cd "$HOME" && ${line}`], extra));
  const must = async (line: string) => {
    const result = await asAgent(line);
    expect(result.exitCode, `${line}\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };
  /** The bare remote's main, as root sees it (not through git: no git runs for root here). */
  const remoteMain = () => readFileSync(join(home, 'prod.git/refs/heads/main'), 'utf8').trim();

  beforeAll(async () => {
    group.assertAvailable();
    ns = await openLockedNamespace({ user: 'chapgit', group: 'chapg', files }, { agent, storeGroup, toolsGroup, scriptsGroup });
    ({ prefix, home, before } = ns);

    const harden = ns.hardenArgv(['--tools', 'git']);
    // Every file harden would lock must be one of the copies mounted here: never the machine's own.
    const printed = await inside([...harden, '--print']);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const toLock = [...printed.stdout.matchAll(/^would: (\/\S+): root:\S+ 0750/gm)].map((m) => m[1]);
    expect(toLock.length).toBeGreaterThan(0);
    const copies = new Set(files.map((f) => { const s = statSync(ns!.copyOf(f)); return `${s.dev}:${s.ino}`; }));
    for (const file of toLock) {
      const seen = (await inside(['stat', '-L', '-c', '%d:%i', file])).stdout.trim();
      expect(copies.has(seen), `${file} would be locked and is not a copy in the namespace (its owner and mode would change for everyone)`).toBe(true);
    }
    const hardened = await inside(harden);
    expect(hardened.stderr).toBe('');
    expect(hardened.exitCode).toBe(0);
    expect((await inside(['cp', join(prefix, 'etc/profile.d/chaperone.sh'), '/etc/profile.d/chaperone.sh'])).exitCode).toBe(0);
    await ns.setPin('4831');

    // The agent's repositories, made by the agent through the shims: a "production" bare remote whose
    // main is protected, a clone to work in, and a second repository to use as a submodule.
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Agent\n\temail = agent@example.com\n[protocol "file"]\n\tallow = always\n[init]\n\tdefaultBranch = main\n');
    await execa('chown', [`${agent}:users`, join(home, '.gitconfig')]);
    await must('git init -q --bare prod.git && git init -q work && cd work && git remote add origin "$HOME/prod.git" && git commit -q --allow-empty -m first && git push -q origin main');
    await must('git init -q lib && cd lib && echo v1 > lib.txt && git add lib.txt && git commit -q -m lib');
  }, 240_000);

  afterAll(async () => {
    await ns?.close();
  });

  it("outside the namespace the machine's own git is untouched; inside, every file that is git is locked", async () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const [file, was] of before) {
      const now = statSync(file);
      expect({ uid: now.uid, gid: now.gid, mode: now.mode & 0o7777 }, file).toEqual(was);
    }
    const locked = await inside(['stat', '-L', '-c', '%U:%G %a', ...files]);
    expect(locked.stdout.split('\n')).toEqual(files.map(() => `root:${toolsGroup} 750`));
  });

  it('the agent user cannot run the real git by path, by a dashed link, a symlink, a hard link or a copy', async () => {
    const spellings = [
      ...files.map((f) => `${f} --version`),
      '/usr/bin/git --version',
      '/bin/git --version',
      `${real!.execPath}/git --version`,
      `${real!.execPath}/git-push --version`,
      `${real!.execPath}/git-upload-pack --version`,
      `ln -sf /usr/bin/git ./g && ./g --version`,
      `ln -sf ${real!.execPath}/git ./g1 && ./g1 --version`,
      `ln -f ${real!.execPath}/git ./g0 && ./g0 --version`,
      `cp /usr/bin/git ./g2 && chmod +x ./g2 && ./g2 --version`,
      `cat ${real!.execPath}/git > ./g3 && chmod +x ./g3 && ./g3 --version`,
      `GIT_EXEC_PATH=${real!.execPath} ${real!.execPath}/git-version`,
    ];
    for (const line of spellings) {
      const tried = await asAgent(line);
      expect(tried.exitCode, line).not.toBe(0);
      expect(`${tried.stdout}${tried.stderr}`, line).not.toMatch(/git version \d/);
    }
    // Through the shim it runs, from root's copy.
    expect((await must('git --version')).stdout).toMatch(/^git version \d/);
  });

  it("git's own children work for the agent with no group: status, a pager, clone, fetch, push, pull, submodules, aliases, hooks, stash", async () => {
    await must('cd work && git status --short && git log --oneline -1');
    // A pager on a terminal (script gives git one), which itself runs git.
    const paged = await asAgent(`cd work && script -qec "git -c core.pager='(git rev-parse --abbrev-ref HEAD; cat) | sed s/^/paged:/' log -1 --format=%s" /dev/null`);
    expect(paged.exitCode, paged.stderr).toBe(0);
    expect(paged.stdout).toContain('paged:main');
    expect(paged.stdout).toContain('paged:first');
    // clone and fetch from a local path (git-upload-pack), push to a local bare repository (git-receive-pack).
    await must('git clone -q "$HOME/prod.git" copy && cd copy && git fetch -q origin && git log --oneline -1 origin/main');
    await must('cd copy && git checkout -q -b feature/x && git commit -q --allow-empty -m feature && git push -q origin feature/x');
    expect(readFileSync(join(home, 'prod.git/refs/heads/feature/x'), 'utf8')).toMatch(/^[0-9a-f]{40}/);
    // pull (fetch, then merge) in the first clone.
    await must('cd copy && git checkout -q main && git commit -q --allow-empty -m second && git push -q origin main');
    await must('cd work && git pull -q origin main && test "$(git log -1 --format=%s)" = second');
    // A submodule, added and then initialised in a fresh clone (checkout -q -f of the recorded commit).
    await must('cd work && git submodule add -q "$HOME/lib" lib && git commit -q -m "add lib" && git push -q origin main');
    await must('git clone -q "$HOME/prod.git" fresh && cd fresh && git submodule update -q --init && cat lib/lib.txt');
    // An alias that runs git, and a hook that runs git.
    const alias = await must(`cd work && git -c alias.last='!git log -1 --format=%s' last`);
    expect(alias.stdout.trim()).toBe('add lib');
    await must(`cd work && printf '#!/bin/sh\\ngit rev-parse --abbrev-ref HEAD > .git/hook-saw\\n' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit && git commit -q --allow-empty -m hooked && rm .git/hooks/post-commit`);
    expect(readFileSync(join(home, 'work/.git/hook-saw'), 'utf8').trim()).toBe('main');
    // stash on the protected main: git's own `reset --hard` after saving the change runs.
    await must('cd work && echo draft > notes.txt && git add notes.txt && git commit -q -m notes && echo changed > notes.txt && git stash -q && test "$(cat notes.txt)" = draft && git stash pop -q && test "$(cat notes.txt)" = changed && git checkout -q notes.txt');
    // stash -u: git's own clean of the untracked files it saved.
    await must('cd work && echo loose > loose.txt && git stash -u -q && test ! -e loose.txt && git stash pop -q && test "$(cat loose.txt)" = loose && rm loose.txt');
  }, 240_000);

  it('a force-push to the protected main is refused for the agent, however it is spelled', async () => {
    await must('cd work && git push -q origin main && git commit -q --amend --allow-empty -m rewritten');
    const published = remoteMain();
    const refused = await asAgent('cd work && git push --force origin main');
    expect(refused.exitCode).toBe(77);
    expect(refused.stderr).toContain('git.push.force');
    const routes = [
      'cd work && /usr/bin/git push --force origin main',
      `cd work && ${real!.execPath}/git push --force origin main`,
      `cd work && ${real!.execPath}/git-push --force origin main`,
      'cd work && ln -sf /usr/bin/git ../g && ../g push --force origin main',
      // What git starts: an alias's shell, a hook, the ext:: transport, a pager.
      `cd work && git -c alias.p='!git push --force origin main' p`,
      `cd work && printf '#!/bin/sh\\nexec git push --force origin main\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit && git commit -q --allow-empty -m via-hook; rm -f .git/hooks/pre-commit`,
      `cd work && git -c protocol.ext.allow=always ls-remote 'ext::git push --force origin main'`,
      `cd work && script -qec "git -c core.pager='git push --force origin main' log -1" /dev/null`,
      // The exec-path overlay's own entry, and the runner, by path; the real exec-path named.
      `cd work && ${join(prefix, 'usr/local/lib/chaperone/git-exec-path/git-push')} --force origin main`,
      `cd work && ${join(prefix, 'usr/local/lib/chaperone/chaperone-run')} git push --force origin main`,
      `cd work && GIT_EXEC_PATH=${real!.execPath} git push --force origin main`,
      `cd work && git --exec-path=${real!.execPath} push --force origin main`,
    ];
    for (const line of routes) {
      const tried = await asAgent(line);
      expect(tried.timedOut, line).toBe(false);
      expect(remoteMain(), line).toBe(published);
    }
    // A hook that spells git's own internal call is judged all the same (its parent is `git commit`).
    await must('cd work && echo keep > kept.txt && git add kept.txt && git commit -q -m kept && echo unsaved > kept.txt');
    const spoofs = [
      `cd work && printf '#!/bin/sh\\nexec git reset --hard -q --no-recurse-submodules\\n' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit && git commit -q --allow-empty -m again; rm -f .git/hooks/post-commit`,
      `cd work && git -c protocol.ext.allow=always ls-remote 'ext::git reset --hard -q --no-recurse-submodules'`,
      `cd work && git -c alias.s='!exec git reset --hard -q --no-recurse-submodules' s`,
    ];
    for (const line of spoofs) {
      const tried = await asAgent(line);
      expect(tried.timedOut, line).toBe(false);
      expect(tried.stderr, line).toContain('git.reset.hard');
      expect(readFileSync(join(home, 'work/kept.txt'), 'utf8'), line).toBe('unsaved\n');
    }
    // The same force-push to a development branch runs (with a notice).
    await must('cd work && git checkout -q -b feature/y && git push -q origin feature/y && git commit -q --amend --allow-empty -m y2 && git push -q --force origin feature/y');
  }, 240_000);

  it('doctor --strict, as root, passes on the locked machine and finds an unlocked git', async () => {
    const cli = join(prefix, 'usr/local/lib/chaperone/dist/cli.js');
    const doctor = await inside([process.execPath, cli, 'doctor', '--strict']);
    expect(doctor.stdout).not.toContain('FAIL');
    expect(doctor.stdout).toContain('git: every git in');
    expect(doctor.exitCode).toBe(0);
    const second = `${real!.execPath}/git`;
    expect((await inside(['chmod', '755', second])).exitCode).toBe(0);
    const found = await inside([process.execPath, cli, 'doctor', '--strict']);
    expect(found.exitCode).toBe(1);
    expect(found.stdout).toMatch(/FAIL.*git.*can be run by anyone/);
    expect((await inside(['chmod', '750', second])).exitCode).toBe(0);
  });

  it('a second harden changes nothing more, and --undo then gives every git file back its owner and mode', async () => {
    const again = await inside(ns!.hardenArgv(['--tools', 'git']));
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await must('git --version')).stdout).toMatch(/^git version \d/);
    const undo = await inside([process.execPath, cliPath, 'harden', '--prefix', prefix, '--undo']);
    expect(undo.exitCode, undo.stderr).toBe(0);
    const now = await inside(['stat', '-L', '-c', '%u:%g %a', ...files]);
    expect(now.stdout.split('\n')).toEqual(files.map((f) => `${before.get(f)!.uid}:${before.get(f)!.gid} ${before.get(f)!.mode.toString(8)}`));
  });
});
