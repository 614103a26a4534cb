// `chaperone doctor --strict`: is the hardening standing? Each property harden set up, checked on the
// machine as it is now (a later `apt upgrade` puts a tool's mode back; a hand edit opens a store), and
// any failure makes the command exit 1. Run it as root: some of what it checks only root may look at.

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { DoctorLine } from '../cli/doctor.js';
import { hardenState, systemDir } from './system.js';

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
    !!exec && exec.uid === 0 && exec.gid === state.toolsGid && (exec.mode & 0o7777) === 0o2755,
    `${state.exec} is root:${state.toolsGroup} 2755`,
    `${state.exec} ${exec ? `is ${exec.uid}:${exec.gid} ${(exec.mode & 0o7777).toString(8)}` : 'is missing'}; run \`chaperone harden\` again`,
  );
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
      const ok = !!s && s.uid === 0 && s.gid === state.toolsGid && (s.mode & 0o7777) === 0o750;
      check(ok, `${tool}: ${file} is root:${state.toolsGroup} 0750 (the agent can neither run nor copy it)`, `${tool}: ${file} ${s ? `is ${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}` : 'is missing'}; an upgrade may have reset it: run \`chaperone harden\` again`);
    }
  }

  const store = stat(state.state);
  check(!!store && store.uid === 0 && store.gid === gid && (store.mode & 0o007) === 0, `the stores in ${state.state} are root:${group}, closed to everyone else`, `the stores in ${state.state} ${store ? `are ${store.uid}:${store.gid} ${(store.mode & 0o7777).toString(8)}` : 'are missing'}: they must be root:${group} with no access for others`);

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
    const inside = [group, state.toolsGroup].filter((g) => groups.includes(g));
    check(inside.length === 0 && user !== 'root', `agent user ${user} is in neither ${group} nor ${state.toolsGroup}`, `agent user ${user} is in ${inside.join(' and ') || 'every group (root)'}: it could reach the store or the real tools directly; gpasswd -d ${user} ${inside[0] ?? group}`);
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
