// What a shell carries from one command of a line to the next: its directory (`cd prod && …`), its
// variables and which of them are exported (`export AWS_PROFILE=prod; aws …`), its directory stack and
// its functions. A subshell, a pipeline stage or a background job works on a copy, so a `cd` inside
// `( … )` does not leak out; a new shell (`bash -c`) starts from the exported variables only.

import { resolve } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { CompoundCommand, CompoundList, Redirected } from 'unbash';
import { opaque, type Lookup } from './words.js';

export interface Variable {
  /** Its value; opaque where it is not known (`X=$(date)`). */
  value: string;
  exported: boolean;
}

export interface FunctionDefinition {
  body: CompoundCommand | Redirected | CompoundList;
  called: boolean;
  /** The shell as it was when the function was defined, for a function that is never called. */
  definedIn: ShellState;
  via: string[];
  /** Where the definition starts in the line, so its commands are reported there. */
  at?: number;
}

export interface ShellState {
  cwd: string;
  oldpwd?: string;
  vars: Map<string, Variable>;
  /** Variables the line set, exported or unset: the environment its commands get differs by these. */
  touched: Set<string>;
  /** Started with an empty environment (`env -i bash -c …`). */
  cleared: boolean;
  /** The `pushd` stack, without the current directory. */
  dirs: string[];
  functions: Map<string, FunctionDefinition>;
  /** `$0`, `$1`, …: known in `sh -c 'script' name arg…`. */
  positional?: string[];
  /** Commands of the line (indexes) that must have succeeded for the next one here to run (`a && b`). */
  succeeded: Set<number>;
  /** `alias NAME=VALUE` earlier in the line (computed.ts). */
  aliases?: Map<string, string>;
  /** Variables `read` or `mapfile` set from an input the line does not show (reads.ts): as a command word, unknown code. */
  fromInput?: Set<string>;
}

/** How the environment of one command differs from the one the line was given. */
export interface CommandEnv {
  set: Record<string, string>;
  unset: string[];
  clear: boolean;
}

export function startShell(cwd: string, env: NodeJS.ProcessEnv): ShellState {
  const vars = new Map<string, Variable>();
  for (const [name, value] of Object.entries(env)) if (value !== undefined) vars.set(name, { value, exported: true });
  return { cwd, oldpwd: env.OLDPWD, vars, touched: new Set(), cleared: false, dirs: [], functions: new Map(), succeeded: new Set() };
}

export function copyShell(state: ShellState): ShellState {
  return {
    ...state,
    vars: new Map(state.vars),
    touched: new Set(state.touched),
    dirs: [...state.dirs],
    functions: new Map(state.functions),
    succeeded: new Set(state.succeeded),
    ...(state.aliases ? { aliases: new Map(state.aliases) } : {}),
    ...(state.fromInput ? { fromInput: new Set(state.fromInput) } : {}),
  };
}

/** A new shell started by a command of this one, with that command's environment. */
export function childShell(state: ShellState, env: CommandEnv, cwd: string, positional: string[] = []): ShellState {
  const vars = new Map<string, Variable>();
  if (!env.clear) for (const [name, v] of state.vars) if (v.exported) vars.set(name, v);
  for (const name of env.unset) vars.delete(name);
  for (const [name, value] of Object.entries(env.set)) vars.set(name, { value, exported: true });
  // A variable the line set but did not export is not in the new shell's environment at all.
  const inherited = env.clear ? [] : [...state.touched].filter((name) => state.vars.get(name)?.exported ?? true);
  const touched = new Set([...inherited, ...env.unset, ...Object.keys(env.set)]);
  // `a && bash -c 'b'`: b still runs only if a succeeded.
  return { cwd, vars, touched, cleared: state.cleared || env.clear, dirs: [], functions: new Map(), positional, succeeded: new Set(state.succeeded) };
}

export function lookupIn(state: ShellState): Lookup {
  return (name) => {
    if (name === 'PWD') return state.cwd;
    if (name === 'OLDPWD') return state.oldpwd;
    // A positional parameter past the arguments given is unset: empty, as the shell expands it.
    if (/^\d+$/.test(name)) return state.positional ? (state.positional[Number(name)] ?? '') : undefined;
    if (name === '@' || name === '*') return state.positional?.slice(1).join(' ');
    if (name === '#') return state.positional ? String(state.positional.length - 1) : undefined;
    // IFS unset is space, tab and newline to the shell: `railway${IFS}down` is two words.
    if (name === 'IFS') return state.vars.get(name)?.value ?? ' \t\n';
    return state.vars.get(name)?.value;
  };
}

/** Sets a variable; it stays exported if it was (an assignment to a variable from the environment). */
export function setVariable(state: ShellState, name: string, value: string, exported?: boolean): void {
  state.vars.set(name, { value, exported: exported ?? state.vars.get(name)?.exported ?? false });
  state.touched.add(name);
}

export function exportVariable(state: ShellState, name: string, exported = true): void {
  const v = state.vars.get(name);
  if (v) state.vars.set(name, { ...v, exported });
  state.touched.add(name);
}

export function unsetVariable(state: ShellState, name: string): void {
  state.vars.delete(name);
  state.touched.add(name);
}

/** A variable whose value is set by something that runs (`read x`, `for x in …`). */
export function forgetVariable(state: ShellState, name: string): void {
  setVariable(state, name, opaque(`$${name}`));
}

export function commandEnv(state: ShellState): CommandEnv {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const name of state.touched) {
    const v = state.vars.get(name);
    if (v?.exported) set[name] = v.value;
    else if (!v) unset.push(name);
  }
  return { set, unset, clear: state.cleared };
}

/** The environment after a wrapper or prefix changed it: `clear` first, then `unset`, then `set`. */
export function changeEnv(env: CommandEnv, change: { set?: Record<string, string>; unset?: string[]; clear?: boolean }): CommandEnv {
  const set = change.clear ? {} : { ...env.set };
  let unset = change.clear ? [] : [...env.unset];
  for (const name of change.unset ?? []) {
    delete set[name];
    if (!unset.includes(name)) unset.push(name);
  }
  for (const [name, value] of Object.entries(change.set ?? {})) {
    set[name] = value;
    unset = unset.filter((u) => u !== name);
  }
  return { set, unset, clear: env.clear || change.clear === true };
}

/**
 * `cd DIR` (relative to the current directory), `cd` (HOME), `cd -` (the previous directory), `pushd`
 * and `popd`. What cannot be known (`cd -` with no previous directory, `pushd +2`) leaves it as it was;
 * `cd "$(…)"` goes to a directory named by the unknown text, which no tool links.
 */
export function changeDirectory(state: ShellState, argv: readonly string[]): void {
  const [name, ...rest] = argv;
  const args = rest.filter((a, i) => !(/^-[LPe@]+$/.test(a) || (a === '--' && i === rest.indexOf('--'))));
  // bash's cd is logical (`cd link/..` is the directory the link is in) unless -P: then the kernel's.
  const physical = rest.filter((a) => /^-[LPe@]+$/.test(a)).map((a) => a.replace(/[^LP]/g, '')).join('').endsWith('P');
  const go = (dir: string | undefined) => {
    if (dir === undefined) return;
    const to = physical ? resolvePath(state.cwd, dir) : resolve(state.cwd, dir);
    state.oldpwd = state.cwd;
    state.cwd = to;
  };
  const target = args[0];
  if (name === 'cd') {
    if (target === undefined) go(state.vars.get('HOME')?.value);
    else if (target === '-') go(state.oldpwd);
    else go(target);
  } else if (name === 'pushd') {
    if (target === undefined) {
      const top = state.dirs.shift();
      if (top === undefined) return;
      state.dirs.unshift(state.cwd);
      go(top);
    } else if (!/^[+-]\d+$/.test(target)) {
      const from = state.cwd;
      go(target);
      state.dirs.unshift(from);
    }
  } else if (name === 'popd') {
    if (target === undefined) go(state.dirs.shift());
    else if (/^[+-]\d+$/.test(target)) state.dirs.splice(Number(target.slice(1)) - 1, 1);
  }
}
