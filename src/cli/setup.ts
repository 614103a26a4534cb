// `chaperone setup claude|cursor|codex|gemini|copilot`: writes the agent's hook configuration. It merges
// into the existing JSON and never clobbers it, keeps a backup of what it changes, adds nothing twice, and
// picks fail-closed options where the agent has them. `--print` shows the result without writing.
// `removeHooks` (for `chaperone uninstall`) takes out chaperone's own entries and nothing else.

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homeOf } from '../context/files.js';
import { UserError } from '../errors.js';
import { setAsideShOf } from '../shim/set-aside.js';
import { shellQuote } from '../tools/shell-words.js';
import { hookClientScript } from '../server/client.js';
import { serverFile } from '../server/state.js';
import { keepingShell } from '../shim/interpreter.js';

export type SetupAgent = 'claude' | 'cursor' | 'codex' | 'gemini' | 'copilot';
export const setupAgents: SetupAgent[] = ['claude', 'cursor', 'codex', 'gemini', 'copilot'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sq = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : shellQuote(text));

/** How the agent will start chaperone: this Node and this install, by absolute path. */
export function chaperoneCommand(args: string[]): string {
  return [process.execPath, process.argv[1], ...args].map(sq).join(' ');
}

/**
 * The hook command written into an agent's config: a short sh line that runs chaperone's hook, or, when
 * chaperone's own file is gone (`npm rm -g` before `chaperone uninstall`), says so on stderr and allows,
 * answering `allow` in the agent's words. Without this, an agent that fails closed on a broken hook
 * (Claude Code's `onFailure: "block"`, Cursor's `failClosed`) would refuse every shell call, with no way
 * out but editing its settings by hand.
 *
 * The trade-off: an agent that deletes chaperone's installation also turns its hooks off. That takes the
 * same rights as editing the agent's settings file or the shims, which the agent has anyway when it runs
 * as the user (README, threat model: isolation is the answer to that). The shims behave the same way
 * (src/cli/shims.ts), and `chaperone doctor` reports hooks whose chaperone is gone.
 *
 * The line stays the same for the same install, so a Codex trust given in `/hooks` survives re-running
 * setup; moving chaperone or Node changes it, and Codex then asks for trust again.
 */
export function hookCommand(args: string[], allowStdout = '', env: NodeJS.ProcessEnv = process.env): string {
  const entry = hookEntry(args) ?? process.argv[1];
  const say = `chaperone: ${entry} is gone, so this hook allows everything; remove the hook (chaperone uninstall) or reinstall chaperone`;
  return [
    // Node parses the bundle NODE_EXTRA_CA_CERTS names (tens of milliseconds) as it starts, before every
    // shell command the agent runs; the hook makes no TLS connection and starts nothing, so it goes
    // without. The agent's own environment, and the commands it runs, keep it.
    // NODE_OPTIONS likewise, set aside and given back to the line's judge (src/shim/set-aside.ts).
    `if [ -f ${sq(entry)} ]; then n=${sq(process.execPath)}; [ -x "$n" ] || n=node; ${setAsideShOf('NODE_OPTIONS')}; unset NODE_EXTRA_CA_CERTS; ${askServer(entry, args, env)}exec "$n" ${[entry, ...args].map(sq).join(' ')}; fi`,
    `echo ${sq(say)} >&2`,
    ...(allowStdout ? [`echo ${sq(allowStdout)}`] : []),
    'exit 0',
  ].join('; ');
}

/**
 * The part of the hook line that asks the account's resident decision before starting Node: bash runs
 * the client (src/server/client.ts), which starts the Node hook itself whenever the server cannot
 * answer. Without bash (no /dev/tcp), the line starts Node as before. Only for `hook AGENT` from a
 * bundled install: the state file named is this account's (src/server/state.ts).
 */
function askServer(entry: string, args: string[], env: NodeJS.ProcessEnv): string {
  if (args.length !== 2 || args[0] !== 'hook' || !entry.endsWith('.cjs')) return '';
  return `[ -x ${keepingShell} ] && exec ${keepingShell} --norc -p -c ${shellQuote(hookClientScript())} chaperone "$n" ${[entry, serverFile(env), ...args].map(sq).join(' ')}; `;
}

/**
 * The file `chaperone hook AGENT` runs when it is started directly: dist/hook.cjs beside this bundle,
 * which loads the hook's own bundle. Started through the CLI's entry (bin/chaperone.js, an ES module),
 * Node first sets up its ES module loader, for nothing: ~5 ms of CPU and more of wall time before every
 * shell command an agent runs (BENCHMARKS.md). Undefined for other arguments, and when chaperone runs
 * from source (no bundle beside it): the CLI's entry then.
 */
function hookEntry(args: string[]): string | undefined {
  if (args.length !== 2 || args[0] !== 'hook' || !/^[a-z]+$/.test(args[1])) return undefined;
  const file = fileURLToPath(new URL('./hook.cjs', import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** Whether a hook command is one chaperone wrote (either form: plain, or guarded by hookCommand). */
export function isChaperoneCommand(command: unknown): boolean {
  return typeof command === 'string' && /chaperone/.test(command) && /\bhook (claude-session-start|claude|cursor|codex|gemini|copilot)\b/.test(command);
}

/** The chaperone entry a hook command starts (for doctor: is it still there?). */
export function entryOfCommand(command: string): string | undefined {
  return /^if \[ -f '?([^';]+?)'? \]/.exec(command)?.[1] ?? /^\S+ '?([^' ]+chaperone[^' ]*)'? hook /.exec(command)?.[1];
}

/** Copilot CLI's home: `COPILOT_HOME`, else ~/.copilot (checked against Copilot CLI 1.0.102). */
export function copilotHome(home: string, env: NodeJS.ProcessEnv): string {
  return env.COPILOT_HOME || join(home, '.copilot');
}

interface Plan {
  file: string;
  /** Adds chaperone's entries to a parsed config; returns whether anything changed. */
  merge(config: Json): boolean;
}

function planFor(agent: SetupAgent, home: string, shimDir: string, project: string | undefined, env: NodeJS.ProcessEnv): Plan {
  const base = project ?? home;
  switch (agent) {
    case 'claude':
      return {
        file: join(base, '.claude', 'settings.json'),
        merge: (config) => {
          const hook = hookCommand(['hook', 'claude'], '', env);
          const session = hookCommand(['hook', 'claude-session-start', '--dir', shimDir]);
          const a = addHandler(config, ['hooks', 'PreToolUse'], 'Bash', { type: 'command', command: hook, timeout: 10, onFailure: 'block' });
          const b = addHandler(config, ['hooks', 'SessionStart'], '', { type: 'command', command: session });
          return a || b;
        },
      };
    case 'codex':
      return {
        file: join(project ? join(project, '.codex') : join(home, '.codex'), 'hooks.json'),
        merge: (config) => addHandler(config, ['hooks', 'PreToolUse'], 'Bash', { type: 'command', command: hookCommand(['hook', 'codex'], '', env), timeout: 10 }),
      };
    case 'gemini':
      return {
        file: join(base, '.gemini', 'settings.json'),
        merge: (config) =>
          addHandler(config, ['hooks', 'BeforeTool'], 'run_shell_command', {
            name: 'chaperone',
            type: 'command',
            command: hookCommand(['hook', 'gemini'], '{}', env),
            timeout: 10_000,
          }),
      };
    case 'cursor':
      return {
        file: join(base, '.cursor', 'hooks.json'),
        merge: (config) => {
          const command = hookCommand(['hook', 'cursor'], '{"permission":"allow"}', env);
          config.version ??= 1;
          const list = arrayAt(config, ['hooks', 'beforeShellExecution']);
          return addFlat(list, 'command', { command, timeout: 10, failClosed: true });
        },
      };
    case 'copilot':
      // Copilot CLI has no matcher: preToolUse runs for every tool, and the hook judges only the shell
      // ones (src/hooks/protocols.ts). User hooks live in settings.json; a project's in .github/hooks/.
      return {
        file: project ? join(project, '.github', 'hooks', 'chaperone.json') : join(copilotHome(home, env), 'settings.json'),
        merge: (config) => {
          const bash = hookCommand(['hook', 'copilot'], '{}', env);
          if (project) config.version ??= 1;
          const list = arrayAt(config, ['hooks', 'preToolUse']);
          return addFlat(list, 'bash', { type: 'command', bash, timeoutSec: 10 });
        },
      };
  }
}

/** The array at path in config, made if missing; a non-array there is not ours to replace. */
function arrayAt(config: Json, path: string[]): Json[] {
  let node = config;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    if (typeof node[key] !== 'object' || Array.isArray(node[key])) throw new UserError(`chaperone: "${path.join('.')}" is not an object in the existing config; fix it by hand`);
    node = node[key];
  }
  const last = path[path.length - 1];
  node[last] ??= [];
  if (!Array.isArray(node[last])) throw new UserError(`chaperone: "${path.join('.')}" is not a list in the existing config; fix it by hand`);
  return node[last];
}

/** Adds a handler to a flat list (Cursor, Copilot), in place of an older chaperone entry if there is one. */
function addFlat(list: Json[], field: string, handler: Json): boolean {
  if (list.some((h: Json) => h?.[field] === handler[field])) return false;
  const at = list.findIndex((h: Json) => isChaperoneCommand(h?.[field]));
  if (at === -1) list.push(handler);
  else list.splice(at, 1, handler);
  return true;
}

/** Adds a handler under the matcher group (Claude Code, Codex and Gemini share this shape). */
function addHandler(config: Json, path: string[], matcher: string, handler: Json): boolean {
  const groups = arrayAt(config, path);
  if (groups.some((g: Json) => Array.isArray(g?.hooks) && g.hooks.some((h: Json) => h?.command === handler.command))) return false;
  // An older form of the same hook (another install path, or one written before the guard) is replaced.
  const kind = /\bhook [\w-]+/.exec(handler.command)?.[0];
  const older = (h: Json) => isChaperoneCommand(h?.command) && /\bhook [\w-]+/.exec(h.command)?.[0] === kind;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i];
    if (!Array.isArray(g?.hooks) || !g.hooks.some(older)) continue;
    g.hooks = g.hooks.filter((h: Json) => !older(h));
    if (g.hooks.length === 0) groups.splice(i, 1);
  }
  let group = groups.find((g: Json) => (g?.matcher ?? '') === matcher && Array.isArray(g.hooks));
  if (!group) {
    group = { matcher, hooks: [] };
    groups.push(group);
  }
  group.hooks.push(handler);
  return true;
}

/** The files `setup` writes, one per agent: the user's, or a project's (doctor and uninstall read them). */
export function agentConfigFiles(home: string, env: NodeJS.ProcessEnv = {}, project?: string): { agent: SetupAgent; file: string }[] {
  return setupAgents.map((agent) => ({ agent, file: planFor(agent, home, '', project, env).file }));
}

/** Whether a config file holds one of chaperone's hooks. */
export function hasChaperoneHook(text: string): boolean {
  return /\bhook (claude|cursor|codex|gemini|copilot)\b/.test(text);
}

export interface SetupResult {
  file: string;
  changed: boolean;
  /** A hook command of chaperone's that was there before and is now written differently. */
  replaced: boolean;
  text: string;
  backup?: string;
}

export function setup(agent: SetupAgent, options: { print: boolean; shimDir: string; project?: string }, env: NodeJS.ProcessEnv): SetupResult {
  const plan = planFor(agent, homeOf(env), options.shimDir, options.project, env);
  let config: Json = {};
  if (existsSync(plan.file)) {
    const raw = readFileSync(plan.file, 'utf8');
    try {
      config = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (error) {
      throw new UserError(`chaperone: ${plan.file} is not valid JSON (${(error as Error).message}); not touching it. Fix it, or set up the hook by hand.`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UserError(`chaperone: ${plan.file} does not hold a JSON object; not touching it.`);
  }
  const before = chaperoneCommandsIn(config);
  const changed = plan.merge(config);
  const after = new Set(chaperoneCommandsIn(config));
  const replaced = before.some((command) => !after.has(command));
  const text = `${JSON.stringify(config, null, 2)}\n`;
  if (options.print || !changed) return { file: plan.file, changed, replaced, text };

  return { file: plan.file, changed, replaced, text, backup: writeWithBackup(plan.file, text) };
}

/** Writes a config file atomically, first copying what was there to a dated backup (returned). */
function writeWithBackup(file: string, text: string): string | undefined {
  mkdirSync(join(file, '..'), { recursive: true });
  let backup: string | undefined;
  if (existsSync(file)) {
    backup = `${file}.chaperone-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(file, backup);
  }
  const temporary = `${file}.chaperone-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
  return backup;
}

/** Every chaperone hook command in a parsed config, wherever the agent keeps it. */
export function chaperoneCommandsIn(config: Json): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'command' || key === 'bash' || key === 'powershell') && isChaperoneCommand(value)) found.push(value as string);
        else visit(value);
      }
    }
  };
  visit(config.hooks);
  return found;
}

/**
 * Takes chaperone's handlers out of a config's `hooks`, and the matcher groups, event lists and `hooks`
 * object that only held them; the user's own hooks stay as they are. Returns how many were removed.
 */
export function withoutChaperone(config: Json): number {
  let removed = 0;
  const ours = (h: Json) => isChaperoneCommand(h?.command) || isChaperoneCommand(h?.bash);
  const hooks = config.hooks;
  if (!hooks || typeof hooks !== 'object' || Array.isArray(hooks)) return 0;
  for (const [event, list] of Object.entries(hooks as Json)) {
    if (!Array.isArray(list)) continue;
    const kept: Json[] = [];
    for (const entry of list as Json[]) {
      if (ours(entry)) {
        removed += 1;
        continue;
      }
      if (Array.isArray(entry?.hooks)) {
        const inner = entry.hooks.filter((h: Json) => !ours(h));
        const dropped = entry.hooks.length - inner.length;
        removed += dropped;
        if (dropped && inner.length === 0) continue;
        if (dropped) entry.hooks = inner;
      }
      kept.push(entry);
    }
    if (kept.length === list.length) continue;
    if (kept.length) (hooks as Json)[event] = kept;
    else delete (hooks as Json)[event];
  }
  if (removed && Object.keys(hooks).length === 0) delete config.hooks;
  return removed;
}

export interface RemovalResult {
  agent: SetupAgent;
  file: string;
  removed: number;
  backup?: string;
  /** Why the file was left alone (not JSON). */
  problem?: string;
}

/** Removes chaperone's hooks from each agent's file (the user's, or a project's); files without any are untouched. */
export function removeHooks(env: NodeJS.ProcessEnv, project?: string): RemovalResult[] {
  const results: RemovalResult[] = [];
  for (const { agent, file } of agentConfigFiles(homeOf(env), env, project)) {
    const raw = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (!hasChaperoneHook(raw)) continue;
    let config: Json;
    try {
      config = JSON.parse(raw);
    } catch (error) {
      results.push({ agent, file, removed: 0, problem: `not valid JSON (${(error as Error).message}); remove chaperone's hook entries by hand` });
      continue;
    }
    const removed = withoutChaperone(config);
    if (removed === 0) continue;
    results.push({ agent, file, removed, backup: writeWithBackup(file, `${JSON.stringify(config, null, 2)}\n`) });
  }
  return results;
}
