// `chaperone doctor --strict`: is the hardening standing? Each property harden set up, checked on the
// machine as it is now (a later `apt upgrade` puts a tool's mode back; a hand edit opens a store), and
// any failure makes the command exit 1. Run it as root: some of what it checks only root may look at.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DoctorLine } from '../cli/doctor.js';
import { hardenState, systemDir } from './system.js';
import { listDir } from '../context/files.js';
import { lockGroupOf, scriptDoctor } from './scripts.js';

const writableByOthers = (s: Stats) => (s.mode & 0o022) !== 0;

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function strictDoctor(): DoctorLine[] {
  let state;
  try {
    state = hardenState();
  } catch (error) {
    return [{ ok: false, text: (error as Error).message }];
  }
  if (!state) return [{ ok: false, text: `this machine is not hardened (no ${join(systemDir(), 'harden.json')}): run \`chaperone harden\` as root` }];
  const lines: DoctorLine[] = [];
  const check = (ok: boolean, good: string, bad: string) => lines.push({ ok, text: ok ? good : bad });
  const { gid, group } = state;

  for (const path of [state.etc, join(state.etc, 'harden.json'), join(state.etc, 'rules.yaml')]) {
    const s = stat(path);
    if (!s && path.endsWith('rules.yaml')) {
      lines.push({ ok: true, warn: true, text: `no system rules (${path}): the built-in rules are the system layer` });
      continue;
    }
    check(!!s && s.uid === 0 && !writableByOthers(s), `${path} is root's and nobody else may write it`, `${path} ${s ? `is ${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}` : 'is missing'}: it must be root's, writable by root only`);
  }

  const runner = stat(state.runner);
  check(
    !!runner && runner.uid === 0 && runner.gid === gid && (runner.mode & 0o7777) === 0o2755,
    `the runner ${state.runner} is root:${group} 2755`,
    `the runner ${state.runner} ${runner ? `is ${runner.uid}:${runner.gid} ${(runner.mode & 0o7777).toString(8)}` : 'is missing'}; run \`chaperone harden\` again`,
  );
  const exec = stat(state.exec);
  check(
    !!exec && exec.uid === 0 && !writableByOthers(exec) && (exec.mode & 0o6000) === 0,
    `${state.exec} is root's and not setgid (it drops the runner's group before the tool starts)`,
    `${state.exec} ${exec ? `is ${exec.uid}:${exec.gid} ${(exec.mode & 0o7777).toString(8)}` : 'is missing'}; run \`chaperone harden\` again`,
  );
  if (Object.values(state.tools).some((path) => !startsWithElf(path))) lines.push(...scriptDoctor(state));
  const privateDir = stat(join(state.exec, '..'));
  check(
    !!privateDir && privateDir.uid === 0 && privateDir.gid === gid && (privateDir.mode & 0o007) === 0,
    `only ${group} may reach ${state.exec}`,
    `${join(state.exec, '..')} must be root:${group} with no access for others; run \`chaperone harden\` again`,
  );
  const loose = looseFiles(state.lib);
  check(loose.length === 0, `chaperone's copy in ${state.lib} is root's, writable by root only`, `writable by someone other than root: ${loose.slice(0, 5).join(', ')}`);
  const node = stat(state.node);
  check(!!node && node.uid === 0 && !writableByOthers(node), `the runner's Node (${state.node}) is root's`, `the runner's Node (${state.node}) is missing or writable by others`);

  for (const [tool, path] of Object.entries(state.tools)) {
    const locked = state.locked.filter((l) => l.path === path || l.path.endsWith(`/${tool}`)).map((l) => l.path);
    for (const file of new Set([path, ...locked])) {
      const s = stat(file);
      // A binary in the tools' group; a script in the scripts' group (src/harden/scripts.ts), which a
      // binary must never be in: a running script tool holds it.
      const [want, wantGid] = lockGroupOf(file) === 'scripts' && state.scriptsGroup ? [state.scriptsGroup, state.scriptsGid] : [state.toolsGroup, state.toolsGid];
      const ok = !!s && s.uid === 0 && s.gid === wantGid && (s.mode & 0o7777) === 0o750;
      check(ok, `${tool}: ${file} is root:${want} 0750 (the agent can neither run nor copy it)`, `${tool}: ${file} ${s ? `is ${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}` : 'is missing'}; an upgrade may have reset it: run \`chaperone harden\` again`);
    }
  }

  for (const [tool, path] of Object.entries(state.tools)) {
    const copy = state.copies?.[tool];
    if (!copy && !startsWithElf(path)) continue; // a script: chaperone-script runs it in place
    const s = copy ? stat(copy) : undefined;
    if (!copy || !s) {
      check(false, '', `${tool}: no copy for the runner${copy ? ` at ${copy}` : ''}; run \`chaperone harden\` again`);
      continue;
    }
    const mode = s.mode & 0o7777;
    check(s.uid === 0 && mode === 0o711, `${tool}: the runner's copy ${copy} is root's ${mode.toString(8)}`, `${tool}: the runner's copy ${copy} is ${s.uid}:${s.gid} ${mode.toString(8)}; run \`chaperone harden\` again`);
    check(sameBytes(path, copy), `${tool}: the copy is the same file as ${path}`, `${tool}: ${copy} differs from ${path} (an upgrade?): the runner runs the old one; run \`chaperone harden\` again`);
  }
  const copyDir = state.copyDir ? stat(state.copyDir) : undefined;
  check(
    !!copyDir && copyDir.uid === 0 && copyDir.gid === gid && (copyDir.mode & 0o007) === 0,
    `only ${group} may reach the copies in ${state.copyDir}`,
    `${state.copyDir ?? 'the copies\' directory'} must be root:${group} with no access for others; run \`chaperone harden\` again`,
  );
  if (state.profile) {
    const profile = stat(state.profile);
    const text = profile ? readText(state.profile) : '';
    check(
      !!profile && profile.uid === 0 && !writableByOthers(profile) && text.includes(`PATH="${state.shims}:`),
      `${state.profile} puts ${state.shims} first on PATH for login shells`,
      `${state.profile} ${profile ? 'does not put the hardened shims first, or is not root\'s' : 'is missing'}; run \`chaperone harden\` again`,
    );
  }

  const store = stat(state.state);
  check(!!store && store.uid === 0 && store.gid === gid && (store.mode & 0o007) === 0, `the stores in ${state.state} are root:${group}, closed to everyone else`, `the stores in ${state.state} ${store ? `are ${store.uid}:${store.gid} ${(store.mode & 0o7777).toString(8)}` : 'are missing'}: they must be root:${group} with no access for others`);

  // The audit log is append-only to the agent user: only the decision, which holds the group, writes
  // it, and only by appending; the user cannot enter the directory to truncate, rewrite or remove it.
  for (const user of state.agentUsers) {
    const dir = join(state.state, user);
    const d = stat(dir);
    check(
      !!d && d.uid === 0 && d.gid === gid && (d.mode & 0o7777) === 0o2770,
      `${user}'s store ${dir} is root:${group} 2770: ${user} cannot enter it`,
      `${user}'s store ${dir} ${d ? `is ${d.uid}:${d.gid} ${(d.mode & 0o7777).toString(8)}` : 'is missing'}: it must be root:${group} 2770; run \`chaperone harden\` again`,
    );
    const open = d ? listDir(dir).filter((f) => { const s = stat(join(dir, f)); return !!s && ((s.mode & 0o007) !== 0 || s.gid !== gid); }) : [];
    check(open.length === 0, `${user}'s approvals and audit log are closed to others`, `in ${dir}, open to others or outside ${group}: ${open.join(', ')}; chgrp ${group} and chmod o-rwx them`);
  }

  const pin = stat(join(state.etc, 'pin'));
  check(!!pin && pin.uid === 0 && pin.gid === gid && (pin.mode & 0o777) === 0o640, `a PIN is set (${join(state.etc, 'pin')}, root:${group} 0640): approvals need it`, `no PIN the runner can check at ${join(state.etc, 'pin')}: as root, run \`chaperone pin set\``);

  for (const user of state.agentUsers) {
    let groups: string[] = [];
    try {
      groups = execFileSync('id', ['-Gn', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/);
    } catch {
      lines.push({ ok: true, warn: true, text: `agent user ${user} no longer exists` });
      continue;
    }
    const inside = [group, state.toolsGroup, ...(state.scriptsGroup ? [state.scriptsGroup] : [])].filter((g) => groups.includes(g));
    check(inside.length === 0 && user !== 'root', `agent user ${user} is in none of ${group}, ${state.toolsGroup}${state.scriptsGroup ? `, ${state.scriptsGroup}` : ''}`, `agent user ${user} is in ${inside.join(' and ') || 'every group (root)'}: it could reach the store or the real tools directly; gpasswd -d ${user} ${inside[0] ?? group}`);
  }
  return lines;
}

/** Files and directories under `dir` that anyone but root owns or may write. */
function looseFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const s = stat(path);
    if (!s) return;
    if (s.uid !== 0 || writableByOthers(s)) out.push(path);
    if (!s.isDirectory()) return;
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch {
      out.push(`${path} (this user cannot look inside; run doctor --strict as root)`);
      return;
    }
    for (const entry of entries) walk(join(path, entry));
  };
  walk(dir);
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether two files hold the same bytes (a hash each: the tools are tens of megabytes at most). */
function sameBytes(a: string, b: string): boolean {
  const hash = (path: string) => {
    try {
      return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return undefined;
    }
  };
  const first = hash(a);
  return first !== undefined && first === hash(b);
}

function startsWithElf(path: string): boolean {
  try {
    return readFileSync(path).subarray(0, 4).toString('latin1') === '\x7fELF';
  } catch {
    return false;
  }
}
