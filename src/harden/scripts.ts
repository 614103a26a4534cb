// Script tools under `chaperone harden`: which group a locked file gets, and what doctor checks of it.
//
// A binary tool runs from root's copy with no group at all (chaperone-exec), so nothing it starts can
// run another real tool. A script tool (pyenv's or pip's Python `aws`, an npm CLI's entry, gcloud's sh
// wrapper) cannot: its interpreter reads the script by path, so the process must hold a group that
// may read it. Until now that was the tools' group, which also runs every locked binary; so whatever
// the script's own configuration started (aws `credential_process`, a CLI's plugin folder,
// `CLOUDSDK_PYTHON`, a pager) could run psql or kubectl by absolute path, unjudged.
//
// Now locked files are split by what they are. A binary (ELF) is root:GROUP-tools 0750, as before; a
// script is root:GROUP-scripts 0750, and chaperone-script is setgid GROUP-scripts. A script tool and
// everything it starts hold GROUP-scripts only: they can read and run the other locked scripts and
// nothing else (no binary tool, no copy in private/, no store, no PIN). Reaching another locked script
// gives no more than the agent already has: the script is the entry point of a package the agent can
// read (`python3 -m awscli`, `node …/cli.js`), documented as open.
//
// The ways weighed and not taken:
//   - one group per script tool: would keep aws's children off gcloud's entry script, which is only the
//     entry of a package the agent can run anyway; a group per tool for no gain in what is closed.
//   - the interpreter on a memfd copy, every group dropped: Python then sees sys.argv[0] and __file__ as
//     /proc/self/fd/N and puts `/` first on sys.path (nothing beside the script is found: gcloud's and
//     an npm CLI's layout break), and Node refuses to start a script from a memfd at all
//     (`lstat '/memfd:x (deleted)'`).
//   - Landlock (to forbid executing the locked binaries from inside a script tool): its rules allow
//     hierarchies, they cannot deny a handful of files without listing everything else, and many
//     container kernels lack it; group modes work on every kernel.
//
// What stays: a script tool's child can keep the scripts' group (a file it creates has that group, and
// it may make it setgid) unless what the agent writes is mounted nosuid. A seccomp filter against
// setgid modes would need no_new_privs, which also stops the setgid runner of a covered tool the script
// tool runs in turn (heroku pg:psql starts psql), so it is not installed; docs/harden.md says so.

import { readFileSync, statSync } from 'node:fs';
import type { DoctorLine } from '../cli/doctor.js';
import type { HardenState } from './system.js';

/** The group of locked scripts, from the runner's group: chaperone → chaperone-scripts. */
export function scriptsGroupName(group: string): string {
  return `${group}-scripts`;
}

/** Whether `file` is a binary the kernel runs itself (ELF), rather than a script for an interpreter. */
export function isElf(file: string): boolean {
  try {
    return readFileSync(file).subarray(0, 4).toString('latin1') === '\x7fELF';
  } catch {
    return false;
  }
}

/**
 * Which group a locked file gets: a binary the tools' group (only root's copies run it, with no
 * group); a script the scripts' group, which is all a script tool holds while it runs. Decided per file,
 * so that a binary build of a tool found beside its script (a v2 `aws` later on PATH) never ends up
 * runnable with the scripts' group.
 */
export function lockGroupOf(file: string): 'tools' | 'scripts' {
  return isElf(file) ? 'tools' : 'scripts';
}

/**
 * doctor --strict, where script tools are hardened: chaperone-script is setgid to the scripts' group,
 * which is a group of its own (neither the runner's nor the tools'). A state written before the scripts'
 * group fails: its chaperone-script still gives script tools the tools' group.
 */
export function scriptDoctor(state: HardenState): DoctorLine[] {
  const script = state.script ?? 'chaperone-script';
  if (!state.scriptsGroup || state.scriptsGid === undefined) {
    return [{ ok: false, text: `${script} runs script tools with ${state.toolsGroup}, so what they start (an aws credential_process) can run every binary tool: this harden.json predates the scripts' group; run \`chaperone harden\` again` }];
  }
  const { scriptsGroup, scriptsGid } = state;
  let s;
  try {
    s = statSync(script);
  } catch {
    s = undefined;
  }
  const separate = scriptsGid !== state.toolsGid && scriptsGid !== state.gid;
  return [
    s && s.uid === 0 && s.gid === scriptsGid && (s.mode & 0o7777) === 0o2755
      ? { ok: true, text: `${script} is root:${scriptsGroup} 2755 (a script tool holds ${scriptsGroup} only, which runs no binary tool)` }
      : { ok: false, text: `${script} ${s ? `is ${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}` : 'is missing'}: it must be root:${scriptsGroup} 2755; run \`chaperone harden\` again` },
    separate
      ? { ok: true, text: `${scriptsGroup} is a group of its own (gid ${scriptsGid}), neither ${state.group} nor ${state.toolsGroup}` }
      : { ok: false, text: `${scriptsGroup} has the gid of ${scriptsGid === state.gid ? state.group : state.toolsGroup} (${scriptsGid}): a script tool would hold it; give ${scriptsGroup} a gid of its own (groupmod -g)` },
  ];
}
