// Command words that are not written as themselves: an alias defined earlier in the line
// (`alias r=railway; r volume delete …`), and a word computed by a substitution or a variable
// (`$(which psql) -c …`, `"$(type -P -a psql | tail -1)"`, `P=$(command -v psql); $P …`). A lookup
// that can only name one tool is that tool; any other computed word stays unknown and is judged as the
// most dangerous covered tool its arguments could belong to (check.ts).

import { existsSync, statSync } from 'node:fs';
import { resolvePath as resolve } from '../context/os-path.js';
import { parse, type Command, type Word } from 'unbash';
import { isCovered } from '../tools/index.js';
import type { ShellState } from './state.js';
import { commandName } from './launch.js';
import { isKnown, reveal } from './words.js';

/**
 * `alias NAME=VALUE…` and `unalias NAME…`. A non-interactive bash expands aliases only with
 * `shopt -s expand_aliases`, and not on the line that defines them; both are ignored here: expanding
 * is the stricter reading.
 */
export function setAliases(state: ShellState, argv: readonly string[]): void {
  const aliases = (state.aliases ??= new Map());
  if (argv[0] === 'unalias') {
    for (const name of argv.slice(1)) if (name === '-a') aliases.clear(); else aliases.delete(name);
    return;
  }
  for (const arg of argv.slice(1)) {
    const eq = arg.indexOf('=');
    if (eq > 0) aliases.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
}

/**
 * When the command's first word is an alias, runs the line it stands for (alias text, then the
 * command's words as written) and returns true. The alias is not expanded again inside itself.
 */
export function expandAlias(command: Command, state: ShellState, runText: (text: string) => void): boolean {
  const word = command.name;
  if (!word || !state.aliases || (word.parts && !(word.parts.length === 1 && word.parts[0].type === 'Literal' && word.text === word.value))) return false;
  const value = state.aliases.get(word.text);
  if (value === undefined) return false;
  const redirects = command.redirects.flatMap((r) => (r.type !== 'HereDoc' && r.target ? [`${r.descriptor?.type === 'FileDescriptor' ? r.descriptor.value : ''}${r.operator}${r.target.text}`] : []));
  const words = [...command.prefix, ...command.suffix].flatMap((w) => (w.type === 'Assignment' || w.type === 'Word' ? [w.text] : []));
  const prefixCount = command.prefix.filter((w) => w.type === 'Assignment').length;
  const text = [...words.slice(0, prefixCount), value, ...words.slice(prefixCount), ...redirects].join(' ');
  state.aliases.delete(word.text);
  try {
    runText(text);
  } finally {
    state.aliases.set(word.text, value);
  }
  return true;
}

/** Lookups that print where a command is, and filters that keep one of their lines. */
const lookups = new Set(['which', 'command', 'type', 'whence', 'where', 'readlink', 'realpath']);
const filters = new Set(['head', 'tail', 'sort', 'uniq']);

/**
 * The tool a computed command word certainly is, or undefined: the known name after the last `/`
 * (`$(npm bin)/railway`), or a substitution that only looks a command up (`$(which psql)`,
 * `$(command -v railway)`, `$(type -P -a psql | tail -1)`, `$(readlink -f "$(which psql)")`).
 */
export function certainTool(word: string, cwd: string): string | undefined {
  const slash = word.lastIndexOf('/');
  if (slash >= 0) {
    const base = word.slice(slash + 1);
    if (base === '' || !isKnown(base)) return undefined;
    // `$(pwd)/wipe.sh`, `$DIR/wipe.sh`: when the directory is not known but a script of that name is
    // right here, it is the likely one, and it is read rather than let through unread.
    const tail = word.slice([...word.matchAll(/[\u{F0000}-\u{FFFFF}]/gu)].at(-1)!.index! + 2).replace(/^\/+/, '');
    if (!isCovered(base) && isKnown(tail) && existsSync(resolve(cwd, tail)) && statSync(resolve(cwd, tail)).isFile()) return `./${tail}`;
    return base;
  }
  if (isKnown(word) || /^[^\u{F0000}-\u{FFFFF}]|[^\u{F0000}-\u{FFFFF}]$/u.test(word)) return undefined;
  return lookedUp(reveal(word), 0);
}

function lookedUp(text: string, depth: number): string | undefined {
  if (depth > 4) return undefined;
  const script = parse(text) as ReturnType<typeof parse> & { errors?: unknown[] };
  if ((script.errors?.length ?? 0) > 0 || script.commands.length !== 1) return undefined;
  const node = script.commands[0].command;
  if (node.type !== 'Command' || !node.name || node.suffix.length > 0 || node.prefix.length > 0) return undefined;
  const inner = substitution(node.name);
  return inner === undefined ? undefined : lookupCommand(inner, depth);
}

/** The script of a word that is exactly one `$(…)` or backticks, quoted or not. */
function substitution(word: Word): string | undefined {
  let parts = word.parts ?? [];
  if (parts.length === 1 && parts[0].type === 'DoubleQuoted') parts = parts[0].parts;
  if (parts.length !== 1 || parts[0].type !== 'CommandExpansion') return undefined;
  const text = parts[0].text;
  return text.startsWith('$(') ? text.slice(2, -1) : text.startsWith('`') ? text.slice(1, -1) : undefined;
}

function lookupCommand(text: string, depth: number): string | undefined {
  const script = parse(text) as ReturnType<typeof parse> & { errors?: unknown[] };
  if ((script.errors?.length ?? 0) > 0 || script.commands.length !== 1) return undefined;
  let node = script.commands[0].command;
  const stages = node.type === 'Pipeline' ? node.commands : [node];
  node = stages[0];
  if (node.type !== 'Command' || !node.name) return undefined;
  for (const later of stages.slice(1)) if (later.type !== 'Command' || !later.name || !filters.has(later.name.value)) return undefined;
  const name = node.name.value;
  if (!lookups.has(name)) return undefined;
  const words = node.suffix.filter((w): w is Word => w.type === 'Word');
  const operands = words.filter((w) => !w.value.startsWith('-'));
  if (name === 'command' && !words.some((w) => /^-[vV]+$/.test(w.value))) return undefined;
  if (operands.length !== 1) return undefined;
  const operand = operands[0];
  if (name === 'readlink' || name === 'realpath') {
    const inner = substitution(operand);
    return inner === undefined ? (operand.parts ? undefined : commandName(operand.value) || undefined) : lookupCommand(inner, depth + 1);
  }
  return operand.parts && !(operand.parts.length === 1 && operand.parts[0].type === 'Literal') ? undefined : commandName(operand.value) || undefined;
}

/**
 * Programs whose output is shell setup of their own (colours, an agent's socket, a version manager's
 * PATH, completions), so `eval "$(dircolors -b)"` and `source <(kubectl completion bash)` in a
 * `.bashrc` are not unknown code. `direnv export` is not among them: it emits a project's `.envrc`.
 */
const setupGenerators: Record<string, RegExp> = {
  dircolors: /^/,
  lesspipe: /^/,
  'lesspipe.sh': /^/,
  'ssh-agent': /^/,
  'keychain': /^/,
  brew: /^shellenv\b/,
  pyenv: /^(init|virtualenv-init)\b/,
  rbenv: /^init\b/,
  nodenv: /^init\b/,
  goenv: /^init\b/,
  jenv: /^init\b/,
  fnm: /^env\b/,
  starship: /^init\b/,
  zoxide: /^init\b/,
  mise: /^activate\b/,
  direnv: /^hook\b/,
  conda: /^shell\.\w+ hook\b/,
  thefuck: /^--alias\b/,
  chaperone: /^init\b/,
};

/** Whether shell text (a substitution's source) only runs a setup generator (`$(dircolors -b)`, `<(gh completion -s bash)`). */
export function isSetupGenerator(source: string): boolean {
  const m = /^(?:\$\(|<\(|`)\s*([\w./-]+)((?:\s+[\w.=/~-]+)*)\s*(?:\)|`)$/.exec(source.trim());
  if (!m) return false;
  const name = commandName(m[1]);
  const args = m[2].trim();
  if (/^completions?\b/.test(args) || /\bcompletion\b/.test(args)) return true;
  return Object.hasOwn(setupGenerators, name) && setupGenerators[name].test(args);
}
