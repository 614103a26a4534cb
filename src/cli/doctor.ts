// `chaperone doctor`: is the guard actually standing? The shim directory first on PATH, a real tool
// behind each shim, rules that load, and each agent's hooks (src/cli/agent-facts.ts); and what an
// incomplete uninstall left behind.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinPath, readPin } from '../approval/pin.js';
import { homeOf, readTextIfExists, realpathOr } from '../context/files.js';
import { loadConfig } from '../rules/load.js';
import { allRules } from '../rules/config.js';
import { findRealTool } from '../shim/find-real.js';
import { executables } from '../tools/index.js';
import { agentConfigFiles, hasChaperoneHook } from './setup.js';
import { fastPathsFor, writtenFastPath } from './shims.js';
import { isShimFile } from '../shim/find-real.js';
import { setAsideSh } from '../shim/set-aside.js';

export interface DoctorLine {
  ok: boolean;
  /** Not broken, but weaker than it should be. */
  warn?: boolean;
  text: string;
}

export async function doctor(dir: string, cwd: string, env: NodeJS.ProcessEnv): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  const installed = executables.filter((tool) => isShimFile(join(dir, tool)));
  if (installed.length === 0) {
    lines.push({ ok: false, text: `no shims in ${dir}: run \`chaperone install\`` });
    // Left from an uninstall: a shell rc line that still puts the (now empty) directory on PATH.
    const { rcLines } = await import('./uninstall.js');
    for (const l of rcLines(homeOf(env), dir)) lines.push({ ok: true, warn: true, text: `line ${l.line} of ${l.file} still runs chaperone (${l.text}); delete it if chaperone is meant to be gone, else run \`chaperone install\`` });
  } else {
    lines.push({ ok: true, text: `${installed.length} shims in ${dir}: ${installed.join(', ')}` });
    // Tools this version covers that the shims written by an older install (or `install TOOL…`) lack.
    const unshimmed = executables.filter((tool) => !installed.includes(tool));
    if (unshimmed.length) lines.push({ ok: true, text: `covered, but with no shim here: ${unshimmed.join(', ')}; \`chaperone install\` adds them` });
    // Shims written before NODE_OPTIONS was set aside start the decision's Node with the caller's: a
    // --require there runs inside the judge, which can answer "run it" (src/shim/set-aside.ts).
    // Shims with the first set-aside guard the judge, but drop a CHAPERONE_NODE_OPTIONS of the caller's.
    const texts = new Map(installed.map((tool) => [tool, readFileSync(join(dir, tool), 'utf8')]));
    const unguarded = installed.filter((tool) => !texts.get(tool)!.includes(setAsideSh) && !texts.get(tool)!.includes('CHAPERONE_NODE_OPTIONS=$NODE_OPTIONS'));
    const dropping = installed.filter((tool) => !texts.get(tool)!.includes(setAsideSh) && texts.get(tool)!.includes('CHAPERONE_NODE_OPTIONS=$NODE_OPTIONS'));
    if (unguarded.length) lines.push({ ok: false, text: `shims written by an older chaperone start the decision with the caller's NODE_OPTIONS, where a --require runs inside the judge: ${unguarded.join(', ')}; run \`chaperone install\`` });
    if (dropping.length) lines.push({ ok: true, warn: true, text: `shims written by an older chaperone drop a CHAPERONE_NODE_OPTIONS or CHAPERONE_NODE_EXTRA_CA_CERTS of the caller's before the tool runs: ${dropping.join(', ')}; run \`chaperone install\`` });
  }

  const entries = (env.PATH ?? '').split(':');
  const shimReal = realpathOr(dir);
  const position = entries.findIndex((entry) => entry !== '' && realpathOr(entry) === shimReal);
  if (position === -1) {
    lines.push({ ok: false, text: `${dir} is not on PATH: add \`eval "$(chaperone init bash)"\` to your shell rc` });
  } else {
    const shadowing = entries
      .slice(0, position)
      .filter((entry) => installed.some((tool) => existsSync(join(entry || '.', tool))));
    lines.push(
      shadowing.length
        ? { ok: false, text: `PATH entries before ${dir} hold real tools that bypass the shims: ${shadowing.join(', ')}` }
        : { ok: true, text: `${dir} comes before every covered tool on PATH` },
    );
  }

  const missing: string[] = [];
  for (const tool of installed) {
    const real = findRealTool(tool, env.PATH, join(dir, tool), cwd);
    if (real.kind === 'found') lines.push({ ok: true, text: `${tool} → ${real.path}` });
    else if (real.kind === 'not-found') missing.push(tool);
    else lines.push({ ok: false, text: `${tool}: ${real.path} is not executable` });
  }
  // A shim with no tool behind it is not broken: it guards the tool from the day it is installed.
  if (missing.length) lines.push({ ok: true, text: `not installed behind their shims (they answer 127 until they are): ${missing.join(', ')}` });

  lines.push(...(await fastPathLines(dir, installed, env)));
  lines.push(await serverLine(dir, installed, env));
  const { agentLines } = await import('./agent-facts.js');
  lines.push(...(await agentLines(cwd, env)));
  lines.push(...pinAdvice(env));

  try {
    const config = await loadConfig(cwd, env);
    lines.push({ ok: true, text: `rules load: ${allRules(config).length} rules from ${config.layers.join(', ')}` });
  } catch (error) {
    lines.push({ ok: false, text: (error as Error).message });
  }
  return lines;
}

/** Whether decided calls may ask the resident decision (src/server/), and which shims do. */
async function serverLine(dir: string, installed: string[], env: NodeJS.ProcessEnv): Promise<DoctorLine> {
  const { describeStatus, serverStatus } = await import('../server/control.js');
  const status = serverStatus(env);
  const asking = installed.filter((tool) => readFileSync(join(dir, tool), 'utf8').includes('chaperone_port'));
  const without = status.kind === 'off' || installed.length === 0 ? '' : asking.length === 0 ? '; no shim asks it (/bin/sh shims, or written by an older chaperone: `chaperone install`)' : asking.length < installed.length ? `; shims that do not ask it: ${installed.filter((t) => !asking.includes(t)).join(', ')}` : '';
  return { ok: true, text: `${describeStatus(status)}${without}` };
}

/** Which shims skip Node for calls no rule can reach, and whether each was derived from today's rules. */
async function fastPathLines(dir: string, installed: string[], env: NodeJS.ProcessEnv): Promise<DoctorLine[]> {
  // git's fast path carries a guard for its exec-path overlay (src/shim/git-exec-path.ts), which checks
  // itself at run time: the rules part is what is compared.
  const guard = installed.includes('git') ? readFileSync(join(dir, 'git'), 'utf8').split('\n').filter((line) => line.includes('GIT_EXEC_PATH+x')) : [];
  const current = await fastPathsFor(installed, env, guard.length > 0 ? { git: guard } : {});
  const fast: string[] = [];
  const stale: string[] = [];
  for (const tool of installed) {
    const written = writtenFastPath(join(dir, tool));
    const now = current.get(tool) ?? [];
    if (written.join('\n') !== now.join('\n')) stale.push(tool);
    else if (now.length > 0) fast.push(tool);
  }
  const out: DoctorLine[] = [];
  if (fast.length) out.push({ ok: true, text: `fast path (calls no rule can reach skip Node), current: ${fast.join(', ')}` });
  if (stale.length) out.push({ ok: false, text: `fast path written from other rules than today's (they go through Node until refreshed): ${stale.join(', ')}; run \`chaperone install\`` });
  return out;
}

/**
 * With agents set up and no PIN, an agent that unsets its markers and makes itself a terminal is
 * stopped only by the process-ancestry check, which a daemonized terminal (a tmux server) hides.
 */
function pinAdvice(env: NodeJS.ProcessEnv): DoctorLine[] {
  const agents = agentConfigFiles(homeOf(env), env)
    .filter(({ file }) => hasChaperoneHook(readTextIfExists(file) ?? ''))
    .map(({ agent }) => agent);
  let pinSet: boolean;
  try {
    pinSet = readPin(env) !== undefined;
  } catch (error) {
    return [{ ok: false, text: `${(error as Error).message}: fix its permissions, or remove it and run \`chaperone pin set\`` }];
  }
  if (pinSet) return [{ ok: true, text: `a PIN is set (${pinPath(env)}): production confirmations and approvals ask for it` }];
  if (agents.length === 0) return [];
  return [
    {
      ok: true,
      warn: true,
      text: `hooks are set up for ${agents.join(', ')} and no PIN is set: an agent that gets a terminal of its own could type a confirmation. Run \`chaperone pin set\``,
    },
  ];
}
