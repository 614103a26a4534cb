// Shell completions, generated from the command definitions themselves (commander's command and
// option lists), so a new command or flag completes without anyone editing a script by hand.

import type { Command } from 'commander';
import { shellQuote as q } from '../tools/shell-words.js';

export const completionShells = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof completionShells)[number];

/** What a command's first positional argument can be, where it is a closed set. */
export type WordLists = Record<string, readonly string[]>;

interface Spec {
  name: string;
  summary: string;
  options: string[];
  words: readonly string[];
}

function specs(program: Command, words: WordLists): Spec[] {
  return program.commands.map((c) => ({
    name: c.name(),
    summary: c.description().split('\n')[0],
    options: c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)).concat('--help'),
    words: words[c.name()] ?? [],
  }));
}

// Single quotes for every shell here; a word with a quote in it does not occur (names and flags).

function bash(all: Spec[]): string {
  const cases = all.map((s) => `    ${s.name}) opts=${q([...s.options, ...s.words].join(' '))} ;;`).join('\n');
  return `# chaperone completion for bash: source it, or save it as
# ~/.local/share/bash-completion/completions/chaperone
_chaperone() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts i
  for ((i = 1; i < COMP_CWORD; i++)); do
    # After -- the words belong to the command being checked: complete commands and files.
    if [[ \${COMP_WORDS[i]} == -- ]]; then COMPREPLY=($(compgen -c -f -- "$cur")); return; fi
  done
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W ${q(all.map((s) => s.name).join(' ') + ' help --help --version')} -- "$cur"))
    return
  fi
  case $cmd in
${cases}
    *) opts='' ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _chaperone chaperone
`;
}

function zsh(all: Spec[]): string {
  const commands = all.map((s) => `    ${q(`${s.name}:${s.summary.replace(/:/g, '\\:')}`)}`).join('\n');
  const cases = all.map((s) => `    ${s.name}) compadd -- ${[...s.options, ...s.words].map(q).join(' ')} ;;`).join('\n');
  return `#compdef chaperone
# chaperone completion for zsh: save it as _chaperone in a directory on $fpath
_chaperone() {
  local -a commands
  commands=(
${commands}
  )
  if (( CURRENT == 2 )); then _describe command commands; return; fi
  if (( \${words[(I)--]} && \${words[(I)--]} < CURRENT )); then _normal; return; fi
  case $words[2] in
${cases}
  esac
  _files
}
_chaperone "$@"
`;
}

function fish(all: Spec[]): string {
  const names = all.map((s) => s.name).join(' ');
  const lines = all.flatMap((s) => [
    `complete -c chaperone -n "not __fish_seen_subcommand_from ${names}" -a ${q(s.name)} -d ${q(s.summary)}`,
    ...s.options.filter((o) => o.startsWith('--')).map((o) => `complete -c chaperone -n "__fish_seen_subcommand_from ${s.name}" -l ${o.slice(2)}`),
    ...(s.words.length ? [`complete -c chaperone -n "__fish_seen_subcommand_from ${s.name}" -a ${q(s.words.join(' '))}`] : []),
  ]);
  return `# chaperone completion for fish: save it as ~/.config/fish/completions/chaperone.fish
complete -c chaperone -f
${lines.join('\n')}
`;
}

export function completionScript(shell: CompletionShell, program: Command, words: WordLists): string {
  const all = specs(program, words);
  return shell === 'bash' ? bash(all) : shell === 'zsh' ? zsh(all) : fish(all);
}
