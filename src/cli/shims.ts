// Writing and removing shims. A shim is a two-line sh script that starts chaperone's shim entry with
// this Node and passes its own path, so chaperone knows which tool was called and where the shim lives.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataHome } from '../context/files.js';
import { UserError } from '../errors.js';
import { cacheFits, cachedBundles, toolCache } from '../start/code-cache.js';
import { isShimFile, shimMarker } from '../shim/find-real.js';
import { ownCallWords } from '../shim/git-own-calls.js';
import { restoreSh, setAsideSh } from '../shim/set-aside.js';
import { loadConfig, userConfigPath } from '../rules/load.js';
import { allRules } from '../rules/config.js';
import { fastPathScript, fastPathWords, realToolFunction } from '../shim/fast-path.js';
import { keepingShell, shimShebang } from '../shim/interpreter.js';
import { serverClientLines } from '../server/client.js';
import { serverFile } from '../server/state.js';
import { executables, loadTool, toolOf } from '../tools/index.js';
import { shellQuote as sq } from '../tools/shell-words.js';

export function defaultShimDir(env: NodeJS.ProcessEnv): string {
  return join(dataHome(env), 'chaperone', 'shims');
}

/** The shim entry (src/start/shim.ts), beside this bundle in dist/. */
export function shimEntry(): string {
  return fileURLToPath(new URL('./shim.cjs', import.meta.url));
}


/**
 * The shim: a POSIX sh script (run by bash -p where that keeps odd environment names) that asks chaperone's Node entry for a decision, then execs the real tool
 * itself, so no Node process stays between the caller and the tool (see src/shim/handoff.ts).
 */
export function shimScript(tool: string, node: string, entry: string, fastPath: readonly string[] = [], overlay?: OverlayEntry, beforeExec: readonly string[] = [], server?: string): string {
  const shebang = shimShebang();
  return [
    shebang, // /bin/bash -p where it keeps every environment entry, else /bin/sh (src/shim/interpreter.ts)
    overlay
      ? `${shimMarker}: ${tool} in git's exec-path overlay, standing for ${overlay.real}. Written by chaperone; \`chaperone uninstall git\` removes it.`
      : `${shimMarker}: ${tool}. Written by \`chaperone install\`; \`chaperone uninstall\` removes it.`,
    ...(overlay ? ownCallLines(tool, overlay) : []),
    `chaperone_entry=${sq(entry)}`,
    ...realToolFunction(tool, beforeExec),
    // chaperone was removed (npm rm -g) and its shims were left behind: say so once, and do not leave
    // the tool, or an agent that needs it, blocked.
    'if [ ! -f "$chaperone_entry" ]; then',
    `  echo "chaperone: $chaperone_entry is gone, so this shim no longer guards ${tool}; running ${tool} unguarded. Remove the shims: rm -r '\${0%/*}', and the chaperone line in your shell rc." >&2`,
    '  chaperone_real "$@"',
    `  echo "chaperone: ${tool}: command not found" >&2`,
    '  exit 127',
    'fi',
    ...fastPath,
    `chaperone_node=${sq(node)}`,
    '[ -x "$chaperone_node" ] || chaperone_node=node',
    // The resident decision needs bash's /dev/tcp; an overlay entry decides by its parent process, so not there.
    ...(server !== undefined && !overlay && shebang.startsWith(`#!${keepingShell}`) ? serverClientLines(server, tool) : []),
    '# What Node acts on as it starts (NODE_OPTIONS, NODE_EXTRA_CA_CERTS) is set aside: the decision and the tool get it back (src/shim/set-aside.ts).',
    setAsideSh,
    '# Stdin closed by the caller: the pipe of the answer below would take fd 0, and Node would read its own',
    '# answer as stdin (psql waited for ever, ssh saw a stream it could not read). Node gets /dev/null, as it',
    '# opens itself for a closed fd 0; the tool gets stdin closed again, as the caller left it.',
    'chaperone_closed0=; { true 9<&0; } 2>/dev/null || { chaperone_closed0=1; exec 0</dev/null; }',
    '# The decision. Node answers on fd 4 how the real tool is to run; its own output goes to our stdout.',
    `{ chaperone_answer=$("$chaperone_node" "$chaperone_entry"${overlay ? ` --chaperone-overlay ${sq(overlay.real)}` : ''} --handoff=4:feed${server !== undefined && !overlay && shebang.startsWith(`#!${keepingShell}`) ? ':server' : ''} "$0" "$@" 4>&1 1>&3 3>&-); } 3>&1`,
    'chaperone_status=$?',
    '[ -z "$chaperone_closed0" ] || exec 0<&-',
    '# Node killed by a signal (an empty answer: a tool\'s death comes back as "signal N"), maybe during the',
    '# prompt, which had the terminal in raw mode: give the terminal back in its ordinary mode.',
    '# A new line, too: the prompt was left mid-line (dash says "Killed" there, bash nothing).',
    '[ "$chaperone_status" -gt 128 ] && [ -z "$chaperone_answer" ] && { stty sane </dev/tty; echo >/dev/tty; } 2>/dev/null',
    restoreSh,
    '# For git, a first line names the exec-path overlay git must run with (src/shim/git-exec-path.ts).',
    'case $chaperone_answer in',
    `  "git-exec-path "*) GIT_EXEC_PATH=\${chaperone_answer%%"\${chaperone_answer#*\n}"}; GIT_EXEC_PATH=\${GIT_EXEC_PATH#git-exec-path }; GIT_EXEC_PATH=\${GIT_EXEC_PATH%?}; export GIT_EXEC_PATH; chaperone_answer=\${chaperone_answer#*\n} ;;`,
    'esac',
    'case $chaperone_answer in',
    '  "exec "*) chaperone_answer=${chaperone_answer#exec }; CHAPERONE_DEPTH=${chaperone_answer%% *}; export CHAPERONE_DEPTH; exec "${chaperone_answer#* }" "$@" ;;',
    // bash ignores SIGQUIT for good, so kill cannot end it by that signal: Node, which starts with every
    // disposition at its default, dies by it in this same process instead.
    '  "signal "*) kill -"${chaperone_answer#signal }" "$$"; unset NODE_OPTIONS NODE_EXTRA_CA_CERTS; exec "$chaperone_node" -e "process.kill(process.pid, ${chaperone_answer#signal })" ;;',
    '  # Stdin was read ahead: FD comes from a pipe a feeder beside the tool writes (src/shim/feed.ts).',
    '  "feed "*) chaperone_answer=${chaperone_answer#feed }; CHAPERONE_DEPTH=${chaperone_answer%% *}; export CHAPERONE_DEPTH; chaperone_answer=${chaperone_answer#* }',
    '    chaperone_fd=${chaperone_answer%% *}; chaperone_answer=${chaperone_answer#* }; chaperone_source=${chaperone_answer%% *}; chaperone_answer=${chaperone_answer#* }',
    '    case $chaperone_fd in',
    '      0) exec "$chaperone_answer" "$@" <"$chaperone_source" ;;',
    '      *[!0-9]*|"") ;;',
    '      *) eval "exec \\"\\$chaperone_answer\\" \\"\\$@\\" $chaperone_fd<\\"\\$chaperone_source\\"" ;;',
    '    esac ;;',
    'esac',
    'exit "$chaperone_status"',
    '',
  ].join('\n');
}

/**
 * The lines of an overlay entry that let git's own plumbing skip Node: a call whose parent process is
 * git, for a git command no built-in rule reaches (src/shim/git-own-calls.ts). Anything else, `exec git
 * push` from a hook included, is decided as usual. Without /proc (macOS), ps names the parent.
 */
function ownCallLines(tool: string, overlay: OverlayEntry): string[] {
  const run = [
    `if [ -d /proc/$$ ]; then for g in ${overlay.gitBinaries.map(sq).join(' ')}; do [ /proc/$PPID/exe -ef "$g" ] && exec ${sq(overlay.real)} "$@"; done`,
    `else case $(ps -o comm= -p "$PPID" 2>/dev/null) in git|*/git) exec ${sq(overlay.real)} "$@" ;; esac; fi`,
  ];
  const comment = "# git's own plumbing (a fetch's index-pack, gc's repack), for a command no rule reaches: no Node.";
  if (tool !== 'git') return ownCallWords.includes(tool.slice('git-'.length)) ? [comment, ...run] : [];
  return [comment, `case \${1-} in`, `  ${ownCallWords.join('|')})`, ...run.map((line) => `    ${line}`), '    ;;', 'esac'];
}

/** An entry of git's exec-path overlay: the real file it stands for, and the git binaries whose own calls skip Node. */
export interface OverlayEntry {
  real: string;
  gitBinaries: string[];
}

export function checkToolNames(requested: string[]): string[] {
  const unknown = requested.filter((t) => !executables.includes(t));
  if (unknown.length) {
    throw new UserError(`chaperone: no shim for ${unknown.join(', ')}; chaperone covers: ${executables.join(', ')}`);
  }
  return requested.length ? requested : executables;
}

/** The fast-path lines a shim was written with (none for an older shim). */
export function writtenFastPath(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith('# Fast path'));
  if (start === -1) return [];
  const end = lines.findIndex((line, i) => i > start && line === 'fi');
  return lines.slice(start, end + 1);
}

/**
 * Each executable's fast-path lines, derived from the rules that apply now: the built-in ones (all of
 * them, disabled or not) and the user's file. See src/shim/fast-path.ts.
 */
/**
 * `beforeExec`: sh each fast path runs before its exec. git needs one, which exports GIT_EXEC_PATH at
 * its exec-path overlay (src/shim/git-exec-path.ts) or sends the call the slow way: without it, hooks,
 * pagers and filters of a fast git call would find the real git. Without one, git gets no fast path.
 */
export async function fastPathsFor(executablesToWrite: readonly string[], env: NodeJS.ProcessEnv, beforeExec: Record<string, string[]> = {}): Promise<Map<string, string[]>> {
  const nowhere = '/nonexistent/chaperone';
  const builtin = await loadConfig(nowhere, { HOME: nowhere, XDG_CONFIG_HOME: nowhere });
  const withUser = await loadConfig(nowhere, env);
  const out = new Map<string, string[]>();
  for (const executable of executablesToWrite) {
    const tool = await loadTool(executable);
    if (!tool?.plainWords) continue;
    if (executable === 'git' && !beforeExec.git) continue;
    const words = fastPathWords(tool, [allRules(builtin), allRules(withUser)]);
    out.set(executable, fastPathScript(executable, words, userConfigPath(env), tool.injectedBy));
  }
  return out;
}

export async function writeShims(dir: string, tools: string[], env: NodeJS.ProcessEnv, beforeExec: Record<string, string[]> = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const entry = shimEntry();
  let fast = new Map<string, string[]>();
  try {
    fast = await fastPathsFor(tools, env, beforeExec);
  } catch (error) {
    // Rules that do not load stop every wrapped command until they are fixed. The shims are still
    // written, all of them the slow way, so that each call reports it and none runs unjudged.
    const why = error instanceof UserError ? error.message : `chaperone: the rules do not load: ${(error as Error).message}`;
    process.stderr.write(`${why}\nchaperone: the shims are written without a fast path; run \`chaperone install\` again once this is fixed.\n`);
  }
  refreshCodeCache(entry, tools);
  for (const tool of tools) {
    const path = join(dir, tool);
    if (existsSync(path) && !isShimFile(path)) {
      throw new UserError(`chaperone: ${path} exists and is not a chaperone shim; not overwriting it. Choose another --dir.`);
    }
    const temporary = `${path}.chaperone-${process.pid}`;
    writeFileSync(temporary, shimScript(tool, process.execPath, entry, fast.get(tool), undefined, beforeExec[tool], serverFile(env)), { mode: 0o755 });
    chmodSync(temporary, 0o755);
    renameSync(temporary, path);
  }
  return tools;
}

/**
 * The code caches of the shim's and the hook's bundles (src/start/code-cache.ts), and of the shim's
 * bundle for each tool installed, fit only the Node version that wrote them, and the
 * shims run the Node that installs them: when it does not fit (chaperone built elsewhere, or Node
 * upgraded), write it again. Without it every decision compiles the bundle from source, a few
 * milliseconds slower and otherwise the same, so a failure (a read-only install) is only reported.
 */
function refreshCodeCache(entry: string, installed: readonly string[]): void {
  const bundles = cachedBundles.map((name) => join(dirname(entry), name)).filter((file) => existsSync(file));
  // And the shim bundle's cache of each tool installed (`shim-main.cjs.railway.cache`, by executable).
  const shimBundle = join(dirname(entry), 'shim-main.cjs');
  const tools = [...new Set(installed.map((executable) => toolOf(executable)).filter((tool) => tool !== undefined))];
  const toolsFit = !existsSync(shimBundle) || tools.every((tool) => cacheFits(shimBundle, toolCache(shimBundle, tool)));
  if (toolsFit && bundles.every((file) => cacheFits(file))) return;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const made = spawnSync(process.execPath, [join(dirname(entry), 'make-cache.cjs'), ...tools], { env, encoding: 'utf8' });
  if (made.status !== 0) process.stderr.write(`${made.stderr || 'chaperone: could not write the shim\'s code cache.\n'}chaperone: the shims work without it, each call a few milliseconds slower.\n`);
}

export function removeShims(dir: string, tools: string[]): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const tool of tools) {
    const path = join(dir, tool);
    if (isShimFile(path)) {
      rmSync(path);
      removed.push(tool);
    }
  }
  // git's exec-path overlay (src/shim/git-exec-path.ts) goes with the git shim.
  if (removed.includes('git')) rmSync(join(dir, '.git-exec-path'), { recursive: true, force: true });
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  return removed;
}

export type Shell = 'bash' | 'zsh' | 'fish' | 'sh';

/** The line that puts the shim directory first on PATH, once. */
export function pathLine(shell: Shell, dir: string): string {
  if (shell === 'fish') return `test "$PATH[1]" = ${sq(dir)}; or set -gx PATH ${sq(dir)} $PATH`;
  return `case ":$PATH:" in ${sq(`:${dir}:`)}*) ;; *) export PATH=${sq(dir)}":$PATH" ;; esac`;
}
