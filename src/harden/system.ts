// The system layer of a hardened machine (`chaperone harden`, docs/harden.md), as every chaperone
// process sees it: where root keeps the system rules, the PIN and the per-user stores. Cheap, because
// every shim call asks: one small file read, once per process, and nothing at all on a machine that
// was never hardened.
//
// Where the system directory is cannot come from the caller's environment (an agent would point it at
// rules of its own). It is /etc/chaperone, unless the bundle that runs was installed by harden with a
// prefix: then install.json beside the bundle, root-owned like the bundle itself, names it.

import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HardenedGit } from './git.js';

export const defaultSystemDir = '/etc/chaperone';

/** What `chaperone harden` recorded in <system dir>/harden.json. */
export interface HardenState {
  version: 1;
  /** /etc/chaperone, or its place under --prefix. */
  etc: string;
  /** Root's per-user stores: <state>/<user>/ holds approvals, PIN failures, the audit log. */
  state: string;
  /** The root-owned copy of chaperone the runner starts, and the runner itself. */
  lib: string;
  runner: string;
  node: string;
  /** The runner's group: root's stores and the PIN. */
  group: string;
  gid: number;
  /** The locked originals' group: no process chaperone starts holds it; a human allowed to run the real
   * tools directly may be put in it. */
  toolsGroup: string;
  toolsGid: number;
  /** The locked scripts' group: all a script tool holds while it runs, which runs no binary tool
   * (src/harden/scripts.ts; absent from states written before it, which doctor --strict fails). */
  scriptsGroup?: string;
  scriptsGid?: number;
  /** chaperone-exec (not setgid), in a directory only `group` may enter. */
  exec: string;
  /** chaperone-script, setgid scriptsGroup, which starts a script tool in place (absent from older states). */
  script?: string;
  /** The directory of root's copies of the real binaries, inside that directory. */
  copyDir: string;
  /** The /etc/profile.d file that puts the hardened shims first on PATH (absent before it existed). */
  profile?: string;
  agentUsers: string[];
  /** Tool name → the real file on the machine, locked (root:toolsGroup 0750, a script root:scriptsGroup 0750). */
  tools: Record<string, string>;
  /** Tool name → root's copy of a binary tool, which chaperone-exec runs with no group (scripts have none). */
  copies: Record<string, string>;
  /** Every file whose owner and mode harden changed, with what they were (for --undo). */
  locked: { path: string; uid: number; gid: number; mode: number }[];
  shims: string;
  /** git's exec-path and the overlay the hardened git runs with (src/harden/git.ts); absent without git. */
  git?: HardenedGit;
}

let cached: { state: HardenState | undefined } | undefined;

/** The system directory this bundle answers to. */
export function systemDir(): string {
  try {
    // import.meta.dirname: Node 20.11 and the CommonJS bundles (__dirname); a URL costs a shim call ~0.1 ms.
    const install = join(import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)), 'install.json');
    if (existsSync(install)) return (JSON.parse(readFileSync(install, 'utf8')) as { etc: string }).etc;
  } catch {
    // a bundle run from source or a data: URL: the default
  }
  return defaultSystemDir;
}

export function systemRulesPath(): string {
  return join(systemDir(), 'rules.yaml');
}

/**
 * The hardened state, or undefined on a machine never hardened. A harden.json that exists and cannot
 * be read or parsed is not "not hardened": that would let whoever broke it loosen every rule, so it
 * throws, and the caller fails closed.
 */
export function hardenState(): HardenState | undefined {
  if (cached) return cached.state;
  const file = join(systemDir(), 'harden.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      cached = { state: undefined };
      return undefined;
    }
    throw new Error(`${file} cannot be read (${(error as Error).message}); the machine is hardened and nothing gated runs until root repairs it (chaperone harden)`);
  }
  const state = JSON.parse(text) as HardenState;
  cached = { state };
  return state;
}

/** The calling account's name, from the passwd entry of the real uid (never from USER or HOME). */
export function accountName(): string {
  return userInfo().username;
}

/** Under harden: <state>/<user>, the store root owns and only the runner's group may write. */
export function hardenedStoreDir(state: HardenState): string {
  return join(state.state, accountName());
}
