// Whether an agent stands behind this process, whatever its variables say. An agent can unset its
// markers (`env -u CLAUDE_CODE_SESSION_ID`), give a command a pseudo-terminal of its own (`script`,
// `expect`, tmux, Python's pty) and type the confirmation into it. What it does not change by doing so
// is that the command descends from it, or runs on a terminal a descendant of it created. So before a
// human is asked, the parent chain is walked in /proc, from this process up, and so is the chain of
// the process holding the master side of the controlling terminal.
//
// This is a tripwire, not a wall: a process that double-forks (setsid -f, a tmux server) is adopted by
// init and its origin is gone. The PIN is the wall (src/gate/pin-gate.ts): an agent does not know it.
//
// Cost: a few small /proc reads per ancestor, and for the terminal one readlink per open descriptor of
// this account's processes; it runs only when a decision needs a human, never on a benign call.

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** A process found to be an agent: which one, and how it was reached. */
export interface AgentProcess {
  pid: number;
  name: string;
  /** `ancestor` of this process, or of the `terminal`'s creator. */
  via: 'ancestor' | 'terminal';
}

/** Executable names of coding agents. Editors (code, cursor) are not agents. */
const agentNames = new Set(['claude', 'claude.exe', 'codex', 'gemini', 'copilot', 'cursor-agent']);
/** Where agents installed from npm keep their entry scripts, for a `node …/cli.js` process. */
const agentPackages = /(^|\/)(@anthropic-ai\/claude-code|@openai\/codex|@google\/gemini-cli|@github\/copilot|cursor-agent)(\/|$)/;
/** Programs that run a script named by their arguments. */
const interpreters = /^(node|nodejs|bun|deno|tsx|ts-node|python[0-9.]*|MainThread)$/;

/** Deeper than any real process tree; the walk stops here even if /proc were to loop. */
const maxDepth = 64;

interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  /** The device number of the controlling terminal (0: none). */
  ttyNr: number;
}

export function readProcess(pid: number, proc = '/proc'): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
    // comm is in parentheses and may itself contain spaces and parentheses: split at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [, ppid, , , ttyNr] = stat.slice(close + 2).split(' ');
    let argv: string[] = [];
    try {
      argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    } catch {
      // a kernel thread, or gone
    }
    return { pid, ppid: Number(ppid), comm, argv, ttyNr: Number(ttyNr) };
  } catch {
    return undefined;
  }
}

const stem = (path: string) => basename(path).replace(/\.(c|m)?js$/, '');

/** The agent this process is, by its executable name or the script an interpreter runs; else undefined. */
export function agentName(info: Pick<ProcessInfo, 'comm' | 'argv'>): string | undefined {
  if (agentNames.has(info.comm)) return info.comm;
  const [argv0 = '', ...rest] = info.argv;
  if (agentNames.has(basename(argv0))) return basename(argv0);
  if (!interpreters.test(info.comm) && !interpreters.test(basename(argv0))) return undefined;
  // The script is the first argument that is not an option of the interpreter; later ones are the
  // script's own (`git checkout claude` is not Claude).
  const script = rest.find((arg) => !arg.startsWith('-'));
  if (script !== undefined && (agentPackages.test(script) || agentNames.has(stem(script)))) return `${info.comm} ${script}`;
  return undefined;
}

/** The first agent on the parent chain of `pid` (itself included). */
export function agentAncestor(pid: number, proc = '/proc'): Omit<AgentProcess, 'via'> | undefined {
  let current = pid;
  for (let depth = 0; depth < maxDepth && current > 0; depth++) {
    const info = readProcess(current, proc);
    if (!info) return undefined;
    const name = agentName(info);
    if (name) return { pid: info.pid, name };
    if (info.ppid === current) return undefined;
    current = info.ppid;
  }
  return undefined;
}

/** The index of the pseudo-terminal `/dev/pts/N` a tty_nr names, or undefined for any other device. */
export function ptsIndex(ttyNr: number): number | undefined {
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  return major >= 136 && major <= 143 ? (major - 136) * 256 + minor : undefined;
}

/** The processes holding the master side of /dev/pts/index open (who created that terminal). */
export function ptyMasters(index: number, proc = '/proc'): number[] {
  const uid = process.getuid?.();
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      // Another account's descriptors cannot be read (unless we are root); do not try.
      if (uid !== 0 && statSync(`${proc}/${pid}`).uid !== uid) continue;
      for (const fd of readdirSync(`${proc}/${pid}/fd`)) {
        let target: string;
        try {
          target = readlinkSync(`${proc}/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (!target.endsWith('ptmx')) continue;
        const info = readFileSync(`${proc}/${pid}/fdinfo/${fd}`, 'latin1');
        if (new RegExp(`^tty-index:\\s*${index}$`, 'm').test(info)) {
          found.push(Number(pid));
          break;
        }
      }
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

/**
 * An agent behind this process: an ancestor, or an ancestor of whoever created its controlling
 * terminal. Undefined when none is found (or /proc is not there to look in).
 */
export function findAgentProcess(pid = process.pid, proc = '/proc'): AgentProcess | undefined {
  const ancestor = agentAncestor(pid, proc);
  if (ancestor) return { ...ancestor, via: 'ancestor' };
  const self = readProcess(pid, proc);
  const index = self && ptsIndex(self.ttyNr);
  if (index === undefined) return undefined;
  for (const master of ptyMasters(index, proc)) {
    const creator = agentAncestor(master, proc);
    if (creator) return { ...creator, via: 'terminal' };
  }
  return undefined;
}

export function describeAgentProcess(found: AgentProcess): string {
  return found.via === 'ancestor'
    ? `process ${found.pid} (${found.name}) is an agent, and this command descends from it`
    : `this command's terminal was created under process ${found.pid} (${found.name}), an agent`;
}
