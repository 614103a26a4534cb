// `chaperone harden` (run as root): the isolation an agent running as its own user cannot undo.
// Without it, chaperone runs as the user and so does the agent: it can edit the user's rules and
// approval store, or run the real binary by its absolute path. Hardened (docs/harden.md):
//
//   - root's system layer, <etc>/rules.yaml, comes after the built-in rules, and the user's own file
//     may then only tighten (src/rules/load.ts, trust 'hardened-user');
//   - the approval store, PIN failures and the audit log move to <state>/<user>/, and the PIN to
//     <etc>/pin: root-owned, writable (the PIN: readable) only by the group GROUP, never by the agent;
//   - each covered tool's real binary becomes root:GROUP-tools 0750: the agent's user, in neither
//     group, can neither execute it by path or symlink (the mode is the inode's) nor copy it (no read);
//   - one setgid-GROUP runner (src/harden/runner.ts) is the only way in: it starts a root-owned copy
//     of chaperone, which judges every call again (src/harden/run.ts) and then starts a binary tool
//     from root's copy (in a directory only GROUP may enter) through chaperone-exec, which opens it,
//     drops every group and executes the open file: the tool holds nothing of chaperone's, so neither
//     it nor anything it starts can run a real tool, write the store or read the PIN. A script tool
//     runs in place through chaperone-script, with GROUP-scripts only (the locked scripts are
//     root:GROUP-scripts 0750: nothing a script tool starts can run a binary tool; src/harden/scripts.ts)
//     and without the variables that load code into its interpreter; git is refused (its exec-path
//     holds a second git);
//   - /etc/profile.d/chaperone.sh puts the hardened shims first on PATH for login shells;
//   - approvals need the PIN; `chaperone doctor --strict` checks every one of these.
//
// Every change is listed first (--print shows the list and changes nothing); applying it twice changes
// nothing more; --undo puts back what harden.json recorded.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, UserError } from '../errors.js';
import { isShimFile, shimMarker } from '../shim/find-real.js';
import { type HardenState } from './system.js';
import { execSource, runnerSource, scriptSource } from './runner.js';
import { lockGroupOf, scriptsGroupName } from './scripts.js';
import { listDir } from '../context/files.js';

export interface HardenOptions {
  prefix: string;
  group: string;
  toolsGroup: string;
  /** The locked scripts' group; by default GROUP-scripts (src/harden/scripts.ts). */
  scriptsGroup?: string;
  agentUsers: string[];
  tools: string[];
  /** NAME=PATH: the real binary for NAME, instead of looking on PATH. */
  toolPaths: Record<string, string>;
  node: string;
}

export interface Change {
  text: string;
  apply: () => void;
}

/** The tools hardened by default: those that reach production data and credentials most directly. */
export const defaultTools = ['psql', 'mysql', 'mongosh', 'redis-cli', 'aws', 'gcloud', 'kubectl', 'terraform', 'railway', 'heroku', 'fly', 'supabase'];

export function layout(prefix: string) {
  const root = (path: string) => join(prefix, path);
  return {
    etc: root('/etc/chaperone'),
    state: root('/var/lib/chaperone'),
    lib: root('/usr/local/lib/chaperone'),
    runner: root('/usr/local/lib/chaperone/chaperone-run'),
    /** Only the runner's group may enter: the agent cannot reach chaperone-exec. */
    private: root('/usr/local/lib/chaperone/private'),
    exec: root('/usr/local/lib/chaperone/private/chaperone-exec'),
    /** Starts a script tool in place, setgid to the scripts' group. */
    script: root('/usr/local/lib/chaperone/private/chaperone-script'),
    /** Root's copies of the real tools, which chaperone-exec opens with the group and runs without it. */
    copyDir: root('/usr/local/lib/chaperone/private/tools'),
    /** Login shells of every user put the hardened shims first on PATH. */
    profile: root('/etc/profile.d/chaperone.sh'),
    shims: root('/usr/local/lib/chaperone/shims'),
  };
}

const run = (file: string, args: string[]) => execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function groupId(name: string): number | undefined {
  try {
    return Number(run('getent', ['group', name]).split(':')[2]);
  } catch {
    return undefined;
  }
}

function userGroups(user: string): string[] {
  return run('id', ['-Gn', user]).trim().split(/\s+/);
}

/**
 * Every file that is `tool` on this machine: each one on PATH (resolved through symlinks), and for the
 * PostgreSQL clients Debian's versioned binaries, which its pg_wrapper runs and an agent could run by
 * path. The one the runner starts is the first real binary (not pg_wrapper, a Perl script that would
 * run under taint checks with the group).
 */
export function findToolFiles(tool: string, pathVariable: string): { run: string; lock: string[] } | undefined {
  const found: string[] = [];
  const add = (file: string) => {
    try {
      const real = realpathSync(file);
      if (statSync(real).isFile() && !found.includes(real)) found.push(real);
    } catch {
      // not there
    }
  };
  for (const dir of pathVariable.split(':').filter((d) => d.startsWith('/'))) add(join(dir, tool));
  for (const dir of listDir('/usr/lib/postgresql').sort().reverse()) add(join('/usr/lib/postgresql', dir, 'bin', tool));
  const lock = found.filter((f) => !f.endsWith('/pg_wrapper') && !isShimFile(f));
  return lock.length ? { run: lock[0], lock } : undefined;
}

/** The package that holds the running bundle: its dist/ is what gets copied (never dist-test/). */
function packageRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

export function plan(options: HardenOptions, previous: HardenState | undefined): { changes: Change[]; state: HardenState } {
  if (process.getuid?.() !== 0) throw new UserError('chaperone harden: run it as root (it changes owners and modes of system files).', ExitCode.config);
  const paths = layout(options.prefix);
  const changes: Change[] = [];
  const gid = groupId(options.group);
  const toolsGid = groupId(options.toolsGroup);
  const scriptsGroup = options.scriptsGroup ?? scriptsGroupName(options.group);
  const scriptsGid = groupId(scriptsGroup);
  for (const [name, id] of [[options.group, gid], [options.toolsGroup, toolsGid], [scriptsGroup, scriptsGid]] as const) {
    if (id === undefined) changes.push({ text: `create the system group ${name}`, apply: () => void run('groupadd', ['--system', name]) });
  }
  const gidNow = () => groupId(options.group) ?? fail(`group ${options.group} could not be created`);
  const toolsGidNow = () => groupId(options.toolsGroup) ?? fail(`group ${options.toolsGroup} could not be created`);
  const scriptsGidNow = () => groupId(scriptsGroup) ?? fail(`group ${scriptsGroup} could not be created`);

  for (const user of options.agentUsers) {
    let groups: string[];
    try {
      groups = userGroups(user);
    } catch {
      throw new UserError(`chaperone harden: no user ${user}; create it first (useradd ${user}).`, ExitCode.config);
    }
    for (const name of [options.group, options.toolsGroup, scriptsGroup]) {
      if (groups.includes(name)) changes.push({ text: `remove agent user ${user} from group ${name}`, apply: () => void run('gpasswd', ['-d', user, name]) });
    }
  }

  const state: HardenState = {
    version: 1,
    ...paths,
    node: options.node,
    group: options.group,
    gid: gid ?? -1,
    toolsGroup: options.toolsGroup,
    toolsGid: toolsGid ?? -1,
    scriptsGroup,
    scriptsGid: scriptsGid ?? -1,
    agentUsers: [...new Set([...(previous?.agentUsers ?? []), ...options.agentUsers])],
    tools: { ...previous?.tools },
    copies: { ...previous?.copies },
    locked: [...(previous?.locked ?? [])],
  };

  const rootDir = (dir: string, mode: number, group: 'root' | 'group') =>
    changes.push({
      text: `${dir}: directory, root:${group === 'root' ? 'root' : options.group} ${mode.toString(8)}`,
      apply: () => {
        mkdirSync(dir, { recursive: true });
        chownSync(dir, 0, group === 'root' ? 0 : gidNow());
        chmodSync(dir, mode);
      },
    });
  rootDir(paths.etc, 0o755, 'root');
  // The stores: the group may create and write; nobody else may even look in.
  rootDir(paths.state, 0o2770, 'group');
  for (const user of state.agentUsers) rootDir(join(paths.state, user), 0o2770, 'group');

  const dist = join(packageRoot(), 'dist');
  if (existsSync(paths.lib) && realpathSync(dirname(dist)) === realpathSync(paths.lib)) {
    throw new UserError(`chaperone harden: this is the hardened copy in ${paths.lib}; run harden from the installed chaperone.`, ExitCode.config);
  }
  if (!existsSync(join(dist, 'shim.cjs'))) throw new UserError(`chaperone harden: ${dist}/shim.cjs is missing; build or reinstall chaperone first.`, ExitCode.config);
  const packages = runtimePackages(join(dist, 'shim.cjs'), 'libpg-query');
  changes.push({
    text: `copy chaperone (${dist}) to ${paths.lib}/dist, root-owned, for the runner to start`,
    apply: () => {
      rmSync(join(paths.lib, 'dist'), { recursive: true, force: true });
      mkdirSync(paths.lib, { recursive: true });
      chownSync(paths.lib, 0, 0);
      chmodSync(paths.lib, 0o755);
      cpSync(dist, join(paths.lib, 'dist'), { recursive: true, dereference: true });
      for (const [name, dir] of packages) cpSync(dir, join(paths.lib, 'node_modules', name), { recursive: true, dereference: true });
      writeFileSync(join(paths.lib, 'dist', 'install.json'), `${JSON.stringify({ etc: paths.etc })}\n`);
      // The copy's own code caches (src/start/code-cache.ts), for the Node the runner starts: a copied
      // cache would name the build directory in an internal error's trace.
      run(options.node, [join(paths.lib, 'dist', 'make-cache.cjs')]);
      rootOwnTree(join(paths.lib, 'dist'));
      rootOwnTree(join(paths.lib, 'node_modules'));
    },
  });

  changes.push({
    text: `compile the runner ${paths.runner} (cc) and make it root:${options.group} 2755 (setgid ${options.group})`,
    apply: () => {
      const source = `${paths.runner}.c`;
      writeFileSync(source, runnerSource(options.node, join(paths.lib, 'dist', 'shim.cjs')));
      const building = `${paths.runner}.new`;
      run('cc', ['-O2', '-Wall', '-o', building, source]);
      chownSync(building, 0, gidNow());
      chmodSync(building, 0o2755);
      execFileSync('mv', ['-f', building, paths.runner]);
    },
  });
  changes.push({
    text: `compile ${paths.exec} (cc): root:root 0755, not setgid, in ${paths.private}, root:${options.group} 0750`,
    apply: () => {
      mkdirSync(paths.private, { recursive: true });
      chownSync(paths.private, 0, gidNow());
      chmodSync(paths.private, 0o750);
      const source = `${paths.exec}.c`;
      writeFileSync(source, execSource());
      const building = `${paths.exec}.new`;
      run('cc', ['-O2', '-Wall', '-o', building, source]);
      chownSync(building, 0, 0);
      chmodSync(building, 0o755);
      execFileSync('mv', ['-f', building, paths.exec]);
    },
  });
  changes.push({
    text: `compile ${paths.script} (cc): root:${scriptsGroup} 2755 (setgid ${scriptsGroup}, which runs no binary tool), for script tools`,
    apply: () => {
      const source = `${paths.script}.c`;
      writeFileSync(source, scriptSource());
      const building = `${paths.script}.new`;
      run('cc', ['-O2', '-Wall', '-o', building, source]);
      chownSync(building, 0, scriptsGidNow());
      chmodSync(building, 0o2755);
      execFileSync('mv', ['-f', building, paths.script]);
    },
  });
  changes.push({
    text: `${paths.profile}: every login shell (sh, bash, dash) puts ${paths.shims} first on PATH`,
    apply: () => {
      mkdirSync(dirname(paths.profile), { recursive: true });
      writeFileSync(paths.profile, profileScript(paths.shims), { mode: 0o644 });
      chownSync(paths.profile, 0, 0);
      chmodSync(paths.profile, 0o644);
    },
  });

  if (options.tools.includes('git')) {
    // Locking /usr/bin/git alone closes nothing (git's exec-path, /usr/lib/git-core, holds a second git
    // and every git-* command), and locking the exec-path breaks git: what git starts (git-remote-https
    // for a fetch, the git a `git pull` runs) runs as the caller, with no group, like every hardened tool's
    // children. The git shim and its exec-path overlay (src/shim/git-exec-path.ts) stay the seatbelt.
    throw new UserError(
      'chaperone harden: git cannot be locked: its exec-path (git --exec-path) holds a second git and the helpers git itself starts without any group. ' +
        'Leave git out of --tools; keep the git shim (chaperone install) and protect branches on the server.',
      ExitCode.config,
    );
  }
  for (const tool of options.tools) {
    const explicit = options.toolPaths[tool];
    const files = explicit ? { run: realpathSync(explicit), lock: [realpathSync(explicit)] } : findToolFiles(tool, process.env.PATH ?? '/usr/bin:/bin');
    if (!files) continue; // not installed: nothing to lock, and no shim that answers 127
    state.tools[tool] = files.run;
    if (isBinary(files.run)) {
      const copy = join(paths.copyDir, tool);
      state.copies[tool] = copy;
      changes.push({
        text: `${copy}: root's copy of ${files.run}, 0711, which chaperone-exec runs with no group of chaperone's`,
        apply: () => copyTool(files.run, copy, gidNow()),
      });
    } else {
      delete state.copies[tool];
      changes.push({ text: `${files.run} is a script: chaperone-script runs it in place with the scripts' group (never the tools'), without the variables that load code into its interpreter`, apply: () => undefined });
    }
    for (const file of files.lock) {
      const stat = lstatSync(file);
      if (!state.locked.some((l) => l.path === file)) state.locked.push({ path: file, uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777 });
      // A binary: the tools' group, which no process chaperone starts holds (root's 0711 copy is what
      // runs). A script: the scripts' group, all a running script tool holds (src/harden/scripts.ts).
      const script = lockGroupOf(file) === 'scripts';
      changes.push({
        text: script
          ? `${file}: root:${scriptsGroup} 0750 (was ${stat.uid}:${stat.gid} ${(stat.mode & 0o7777).toString(8)}); a script: only the scripts' group may run or read it`
          : `${file}: root:${options.toolsGroup} 0750 (was ${stat.uid}:${stat.gid} ${(stat.mode & 0o7777).toString(8)}); only the tools' group may run or read it`,
        apply: () => {
          chownSync(file, 0, script ? scriptsGidNow() : toolsGidNow());
          chmodSync(file, 0o750);
        },
      });
    }
    changes.push({
      text: `shim ${join(paths.shims, tool)} → ${paths.runner} ${tool}`,
      apply: () => {
        mkdirSync(paths.shims, { recursive: true, mode: 0o755 });
        writeFileSync(join(paths.shims, tool), `#!/bin/sh\n${shimMarker} (hardened: the runner judges the call again)\nexec ${paths.runner} ${tool} "$@"\n`, { mode: 0o755 });
        chmodSync(join(paths.shims, tool), 0o755);
      },
    });
  }

  // Last: the file that switches every chaperone on this machine to hardened.
  changes.push({
    text: `${join(paths.etc, 'harden.json')}: the hardened state (tools, locked files, group), root 0644`,
    apply: () => {
      state.gid = gidNow();
      state.toolsGid = toolsGidNow();
      state.scriptsGid = scriptsGidNow();
      writeFileSync(join(paths.etc, 'harden.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
      chownSync(join(paths.etc, 'harden.json'), 0, 0);
      chmodSync(join(paths.etc, 'harden.json'), 0o644);
    },
  });
  return { changes, state };
}

/** Puts back what harden changed, from what it recorded; the stores and the system rules stay. */
export function undoPlan(state: HardenState): Change[] {
  const changes: Change[] = state.locked.map((l) => ({
    text: `${l.path}: back to ${l.uid}:${l.gid} ${l.mode.toString(8)}`,
    apply: () => {
      if (!existsSync(l.path)) return;
      chownSync(l.path, l.uid, l.gid);
      chmodSync(l.path, l.mode);
    },
  }));
  if (state.profile) changes.push({ text: `remove ${state.profile}`, apply: () => rmSync(state.profile!, { force: true }) });
  changes.push({ text: `remove ${state.lib} (the runner, its copy of chaperone, the hardened shims)`, apply: () => rmSync(state.lib, { recursive: true, force: true }) });
  changes.push({ text: `remove ${join(state.etc, 'harden.json')} (rules.yaml, pin and ${state.state} stay)`, apply: () => rmSync(join(state.etc, 'harden.json'), { force: true }) });
  return changes;
}

/**
 * What /etc/profile.d sources for every login shell: the hardened shims first on PATH (again first if
 * something put them later). Convenience, not the lock: a shell that drops them meets the modes.
 */
export function profileScript(shims: string): string {
  return `# chaperone harden: the hardened shims first on PATH (chaperone harden --undo removes this file).
case ":\${PATH}:" in
  ":${shims}:"*) ;;
  *) PATH="${shims}:\${PATH}"; export PATH ;;
esac
`;
}

/** Whether `file` is a binary the kernel runs itself (ELF), rather than a script for an interpreter. */
function isBinary(file: string): boolean {
  return readFileSync(file).subarray(0, 4).toString('latin1') === '\x7fELF';
}

/**
 * Root's copy of a real binary, 0711 in a directory only the runner's group may enter; replaced whole
 * (a running tool keeps its old inode). Executable by anyone who holds a descriptor past the directory;
 * unreadable, so the process it becomes is undumpable.
 */
function copyTool(from: string, to: string, gid: number): void {
  mkdirSync(dirname(to), { recursive: true });
  chownSync(dirname(to), 0, gid);
  chmodSync(dirname(to), 0o750);
  const building = `${to}.new`;
  rmSync(building, { force: true });
  cpSync(from, building, { dereference: true, preserveTimestamps: true });
  chownSync(building, 0, 0);
  chmodSync(building, 0o711);
  renameSync(building, to);
}

/** The one package dist/ loads from node_modules, and what it needs in turn: name → its directory. */
function runtimePackages(from: string, name: string, found = new Map<string, string>()): Map<string, string> {
  if (found.has(name)) return found;
  const manifest = createRequire(from).resolve(`${name}/package.json`);
  found.set(name, dirname(manifest));
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(dependencies)) runtimePackages(manifest, dependency, found);
  return found;
}

function rootOwnTree(dir: string): void {
  chownSync(dir, 0, 0);
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rootOwnTree(path);
    else {
      chownSync(path, 0, 0);
      chmodSync(path, 0o644);
    }
  }
}

function fail(message: string): never {
  throw new UserError(`chaperone harden: ${message}`, ExitCode.internal);
}
