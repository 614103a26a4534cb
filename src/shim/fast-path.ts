// The fast path: a call that no rule can possibly reach runs the real tool without starting Node. Shell
// prompts call `git status` and `git rev-parse` several times per prompt; ~70 ms of Node start-up on each
// is what makes a team uninstall a guard.
//
// Nothing here is written by hand per call: `chaperone install` derives, for each tool, the first words
// of its vocabulary (Tool.plainWords) that no rule's command path can start with, and writes them into
// the tool's sh shim as one `case` pattern. Every rule counts: the built-in ones (even those your config
// disables, since the fast path may outlive that config) and your own. A project's .chaperone.yaml can
// add rules the install never saw, so any such file at or above the directory sends the call the slow
// way, as do: a user rules file (under the account's home) or chaperone build newer than the shim, a call already inside chaperone
// (CHAPERONE_DEPTH), a working directory the shell's $PWD does not name physically, and the variables
// that inject arguments into the word (terraform's TF_CLI_ARGS). test/unit/fast-path.test.ts proves
// that the fast path never lets through what the full engine would gate.

import type { Rule } from '../rules/config.js';
import type { Tool } from '../tools/tool.js';
import { shellQuote as sq } from '../tools/shell-words.js';

/** The words of `tool` a call may start with and still skip Node, given every rule that applies. */
export function fastPathWords(tool: Tool, ruleSets: readonly (readonly Rule[])[]): string[] {
  const rules = ruleSets.flat().filter((rule) => rule.tools.includes(tool.name));
  if (rules.some((rule) => rule.paths.length === 0)) return []; // a rule that reads every call
  const reachable = (word: string) => rules.some((rule) => rule.paths.some((path) => path.length === 0 || path[0].test(word)));
  return (tool.plainWords ?? []).filter((word) => /^[a-z][a-z0-9-]*$/.test(word) && !reachable(word));
}


/**
 * An sh function that execs the first `executable` on PATH outside the shim's own directory, with
 * CHAPERONE_DEPTH=1, and returns only when there is none. Anything chaperone-shaped it finds (another
 * install's shim) still decides through Node, since CHAPERONE_DEPTH is set.
 */
export function realToolFunction(
  executable: string,
  /** sh a fast-path call runs just before the exec, which may `break` to send it the slow way (git's exec-path overlay). */
  beforeExec: readonly string[] = [],
): string[] {
  return [
    'chaperone_real() {',
    '  chaperone_self=${0%/*}',
    '  chaperone_ifs=$IFS',
    '  IFS=:',
    '  set -f',
    '  for chaperone_p in $PATH; do',
    '    chaperone_p=${chaperone_p:-.}',
    '    [ "$chaperone_p" = "$chaperone_self" ] && continue',
    `    if [ -f "$chaperone_p/${executable}" ] && [ -x "$chaperone_p/${executable}" ]; then`,
    '      IFS=$chaperone_ifs',
    '      set +f',
    ...beforeExec.map((line) => `      if [ -n "\${chaperone_fast:-}" ]; then ${line}; fi`),
    '      CHAPERONE_DEPTH=1',
    '      export CHAPERONE_DEPTH',
    `      exec "$chaperone_p/${executable}" "$@"`,
    '    fi',
    '  done',
    '  IFS=$chaperone_ifs',
    '  set +f',
    '}',
  ];
}

/**
 * The sh that runs the real `executable` at once when the call may skip Node, else falls through. It
 * starts no process: `[`, `case`, parameter expansion and `exec` are builtins of every POSIX sh.
 */
export function fastPathScript(executable: string, words: readonly string[], userRules: string, injectedBy: (word: string) => string[] = () => []): string[] {
  if (words.length === 0) return [];
  const lines = ['# Fast path (src/shim/fast-path.ts): words no rule can reach run the real tool without Node.', 'case ${CHAPERONE_DEPTH:-}:$1 in'];
  // Words that variables can inject arguments into get their own branch.
  const plain = words.filter((w) => injectedBy(w).length === 0);
  const injected = words.filter((w) => injectedBy(w).length > 0);
  const fast = 'chaperone_fast=1';
  if (plain.length > 0) lines.push(`  ${plain.map((w) => `:${w}`).join('|')}) ${fast} ;;`);
  for (const word of injected) {
    const unset = injectedBy(word).map((v) => `[ -z "\${${v}+x}" ]`).join(' && ');
    lines.push(`  :${word}) ${unset} && ${fast} ;;`);
  }
  lines.push(
    '  *) chaperone_fast= ;;',
    'esac',
    'if [ -n "$chaperone_fast" ]; then',
    // The project file is looked for where Node would: the physical directory and its ancestors.
    '  [ -n "${PWD:-}" ] && [ "$PWD" -ef . ] || chaperone_fast=',
    '  chaperone_dir=$PWD',
    '  while [ -n "$chaperone_fast" ]; do',
    '    { [ -e "$chaperone_dir/.chaperone.yaml" ] || [ -L "${chaperone_dir:-/}" ]; } && chaperone_fast=',
    '    { [ -n "$chaperone_dir" ] && [ "$chaperone_dir" != / ]; } || break',
    '    chaperone_dir=${chaperone_dir%/*}',
    '  done',
    // The rules the words were derived from: this user's file, unchanged since, and this build.
    // The user's rules live under the account's home, whatever the caller's HOME says.
    `  [ -e ${sq(userRules)} ] && [ ${sq(userRules)} -nt "$0" ] && chaperone_fast=`,
    '  [ "$chaperone_entry" -nt "$0" ] && chaperone_fast=',
    '  [ "${chaperone_entry%/*}/rules.json" -nt "$0" ] && chaperone_fast=',
    '  [ -n "$chaperone_fast" ] && chaperone_real "$@"',
    'fi',
  );
  return lines;
}
