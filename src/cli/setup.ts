// `chaperone setup claude|cursor|codex|gemini`: writes the agent's hook configuration. It merges into
// the existing JSON and never clobbers it, keeps a backup of what it changes, adds nothing twice, and
// picks fail-closed options where the agent has them. `--print` shows the result without writing.

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeOf } from '../context/files.js';
import { UserError } from '../errors.js';

export type SetupAgent = 'claude' | 'cursor' | 'codex' | 'gemini';
export const setupAgents: SetupAgent[] = ['claude', 'cursor', 'codex', 'gemini'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sq = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** How the agent will start chaperone: this Node and this install, by absolute path. */
export function chaperoneCommand(args: string[]): string {
  return [process.execPath, process.argv[1], ...args].map(sq).join(' ');
}

interface Plan {
  file: string;
  /** Adds chaperone's entries to a parsed config; returns whether anything changed. */
  merge(config: Json): boolean;
}

function planFor(agent: SetupAgent, home: string, shimDir: string, project: string | undefined): Plan {
  const base = project ?? home;
  switch (agent) {
    case 'claude':
      return {
        file: join(base, '.claude', 'settings.json'),
        merge: (config) => {
          const hook = chaperoneCommand(['hook', 'claude']);
          const session = chaperoneCommand(['hook', 'claude-session-start', '--dir', shimDir]);
          const a = addHandler(config, ['hooks', 'PreToolUse'], 'Bash', { type: 'command', command: hook, timeout: 10, onFailure: 'block' });
          const b = addHandler(config, ['hooks', 'SessionStart'], '', { type: 'command', command: session });
          return a || b;
        },
      };
    case 'codex':
      return {
        file: join(project ? join(project, '.codex') : join(home, '.codex'), 'hooks.json'),
        merge: (config) => addHandler(config, ['hooks', 'PreToolUse'], 'Bash', { type: 'command', command: chaperoneCommand(['hook', 'codex']), timeout: 10 }),
      };
    case 'gemini':
      return {
        file: join(base, '.gemini', 'settings.json'),
        merge: (config) =>
          addHandler(config, ['hooks', 'BeforeTool'], 'run_shell_command', {
            name: 'chaperone',
            type: 'command',
            command: chaperoneCommand(['hook', 'gemini']),
            timeout: 10_000,
          }),
      };
    case 'cursor':
      return {
        file: join(base, '.cursor', 'hooks.json'),
        merge: (config) => {
          const command = chaperoneCommand(['hook', 'cursor']);
          config.version ??= 1;
          const list = arrayAt(config, ['hooks', 'beforeShellExecution']);
          if (list.some((h: Json) => h?.command === command)) return false;
          list.push({ command, timeout: 10, failClosed: true });
          return true;
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

/** Adds a handler under the matcher group (Claude Code, Codex and Gemini share this shape). */
function addHandler(config: Json, path: string[], matcher: string, handler: Json): boolean {
  const groups = arrayAt(config, path);
  if (groups.some((g: Json) => Array.isArray(g?.hooks) && g.hooks.some((h: Json) => h?.command === handler.command))) return false;
  let group = groups.find((g: Json) => (g?.matcher ?? '') === matcher && Array.isArray(g.hooks));
  if (!group) {
    group = { matcher, hooks: [] };
    groups.push(group);
  }
  group.hooks.push(handler);
  return true;
}

/** The user-level files `setup` writes, one per agent (doctor reads them to see which agents are set up). */
export function agentConfigFiles(home: string): { agent: SetupAgent; file: string }[] {
  return setupAgents.map((agent) => ({ agent, file: planFor(agent, home, '', undefined).file }));
}

/** Whether a config file holds one of chaperone's hooks. */
export function hasChaperoneHook(text: string): boolean {
  return /\bhook (claude|cursor|codex|gemini|copilot)\b/.test(text);
}

export interface SetupResult {
  file: string;
  changed: boolean;
  text: string;
  backup?: string;
}

export function setup(agent: SetupAgent, options: { print: boolean; shimDir: string; project?: string }, env: NodeJS.ProcessEnv): SetupResult {
  const plan = planFor(agent, homeOf(env), options.shimDir, options.project);
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
  const changed = plan.merge(config);
  const text = `${JSON.stringify(config, null, 2)}\n`;
  if (options.print || !changed) return { file: plan.file, changed, text };

  mkdirSync(join(plan.file, '..'), { recursive: true });
  let backup: string | undefined;
  if (existsSync(plan.file)) {
    backup = `${plan.file}.chaperone-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(plan.file, backup);
  }
  const temporary = `${plan.file}.chaperone-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, plan.file);
  return { file: plan.file, changed, text, backup };
}
