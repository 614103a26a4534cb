// Command lines of cobra CLIs (kubectl, helm): how cobra finds the subcommand, then how pflag reads the
// flags. A guard must find the same subcommand as the real tool, or `kubectl -A pods delete --all` (which
// deletes every pod in every namespace) would read as a command named `pods`.
//
// Finding (spf13/cobra `Command.Find`, `stripFlags`, `argsMinusFirstX`): level by level, cobra skips flags
// using only the flags of the command it stands at. A flag that needs no value there (a boolean, or a
// flag with an optional value such as kubectl's --dry-run) stands alone; every other `--flag` or
// two-letter `-f` written without `=` takes the next word, even a flag cobra does not know at that level.
// The first word left is the subcommand if the command has one by that name or alias; it is removed
// from argv and the search goes on below it.
//
// Reading (spf13/pflag): the found command reads all the remaining argv with its own flags, which may
// stand anywhere; a flag's value is the next argument even when it starts with `-`; what follows `--` is
// positional. A boolean's `=value` goes through Go's strconv.ParseBool, and the last occurrence wins.

import { grammar, readArgs, type Grammar } from './argv.js';

/** A command's flags as pflag knows them: a grammar, plus the flags whose value is optional. */
export interface FlagSet extends Grammar {
  /** Flags that take a value only as `--flag=value` (pflag's NoOptDefVal); they are in `booleans` too. */
  optional: Set<string>;
}

export function flagSet(spec: { values?: string[][]; booleans?: string[][]; optional?: string[][] }): FlagSet {
  const optional = spec.optional ?? [];
  return {
    ...grammar({ values: spec.values, booleans: [...(spec.booleans ?? []), ...optional] }),
    optional: new Set(optional.map((spellings) => spellings[0])),
  };
}

/**
 * The same flags with some spellings bound anew, for a command where a spelling means something else
 * (`-f` is --filename for most kubectl commands, --follow for logs).
 */
export function rebind(base: FlagSet, spellings: Record<string, [canonical: string, takesValue: boolean]>): FlagSet {
  const values = new Map(base.values);
  const booleans = new Map(base.booleans);
  for (const [spelling, [canonical, takesValue]] of Object.entries(spellings)) {
    values.delete(spelling);
    booleans.delete(spelling);
    (takesValue ? values : booleans).set(spelling, canonical);
  }
  return { ...base, values, booleans };
}

export interface CobraCommand {
  /** The flags known at this command: its own and the persistent flags it inherits. */
  flags: FlagSet;
  /** Subcommands by every name they answer to, aliases included. */
  subcommands?: Record<string, CobraCommand>;
}

export interface CobraLine {
  /** The command words as typed, then the positional arguments (those after `--` too). */
  path: string[];
  /** Every flag by canonical name; booleans settled as pflag settles them (absent when false). */
  flags: Map<string, string[]>;
  /** What stands after a bare `--` (also at the end of `path`): the command of `kubectl exec POD -- CMD`. */
  afterDash: string[];
}

export function readCobra(args: readonly string[], root: CobraCommand): CobraLine {
  const found = findCommand(args, root);
  const { words, flags, rest } = readArgs(found.args, found.command.flags);
  settleBooleans(flags, found.command.flags);
  // Stopped at a command whose subcommands none of the words names (`kubectl --foo delete ns x`: --foo
  // took `delete`): the tool refuses it, or runs a plugin named by the words cobra saw, so those are the path.
  const positional = found.command.subcommands ? nonFlagWords(found.args, found.command.flags) : words;
  return { path: [...found.words, ...positional, ...rest], flags, afterDash: rest };
}

/** cobra's Find: the command argv names, the words that named it, and argv without them. */
export function findCommand(args: readonly string[], root: CobraCommand): { command: CobraCommand; words: string[]; args: string[] } {
  let command = root;
  let rest = [...args];
  const words: string[] = [];
  for (;;) {
    const next = nonFlagWords(rest, command.flags)[0];
    const subcommands = command.subcommands ?? {};
    if (next === undefined || !Object.hasOwn(subcommands, next)) return { command, words, args: rest };
    rest = withoutFirst(rest, next, command.flags);
    words.push(next);
    command = subcommands[next];
  }
}

/** Whether cobra, while looking for a subcommand, takes the word after `arg` as its value. */
function takesNextWord(arg: string, flags: FlagSet): boolean {
  if (arg.includes('=')) return false;
  const isLong = arg.startsWith('--');
  const isShort = !isLong && arg.startsWith('-') && arg.length === 2;
  return (isLong || isShort) && !flags.booleans.has(arg);
}

/** cobra's stripFlags: the words of argv that are neither flags nor flag values, up to `--`. */
function nonFlagWords(args: readonly string[], flags: FlagSet): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (takesNextWord(arg, flags)) i++;
    else if (arg !== '' && !arg.startsWith('-')) words.push(arg);
  }
  return words;
}

/** cobra's argsMinusFirstX: argv without the first stand-alone occurrence of `word`. */
function withoutFirst(args: readonly string[], word: string, flags: FlagSet): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (takesNextWord(arg, flags)) i++;
    else if (arg === word) return [...args.slice(0, i), ...args.slice(i + 1)];
  }
  return [...args];
}

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * pflag's booleans: the last occurrence wins, and `--all=false` is no --all at all. A value Go cannot
 * parse is kept as written (the tool itself rejects it).
 */
function settleBooleans(flags: Map<string, string[]>, set: FlagSet): void {
  const booleans = new Set(set.booleans.values());
  for (const [name, values] of flags) {
    if (!booleans.has(name) || set.optional.has(name)) continue;
    const last = values.at(-1)!;
    const value = last === '' ? true : parseGoBool(last);
    if (value === false) flags.delete(name);
    else flags.set(name, [value === true ? '' : last]);
  }
}

/** Go's strconv.ParseInt(text, 0, 64), as pflag reads an int flag: 0x, 0o, 0b and 0 prefixes, `_` separators. */
export function parseGoInt(text: string): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2].replace(/_/g, '');
  const [base, body] = /^0[xX]/.test(digits)
    ? [16, digits.slice(2)]
    : /^0[oO]/.test(digits)
      ? [8, digits.slice(2)]
      : /^0[bB]/.test(digits)
        ? [2, digits.slice(2)]
        : digits.length > 1 && digits.startsWith('0')
          ? [8, digits.slice(1)]
          : [10, digits];
  if (body === '') return undefined;
  const value = parseInt(body, base);
  return match[1] === '-' ? -value : value;
}
