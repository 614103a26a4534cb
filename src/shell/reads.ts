// Builtins that set variables from data the line shows: `read` and `mapfile` from a here-string, a
// heredoc or `echo … |`, and `set --` for `$1`, `$@`. A refused agent spells the command word as data:
// `IFS=, read -ra a <<< "railway,down"; "${a[@]}"`, `set -- railway down; "$@"`. What is read from an
// input the line does not show stays unknown (opaque), and is judged as the most dangerous tool it
// could be (src/cli/check.ts).

import { readOptions } from './options.js';
import { fieldSeparator } from './words.js';

/** Variables a builtin sets: a value each (opaque when unknown); an array is its elements' words, blank-joined. */
export interface Assigned {
  values: Map<string, string>;
  /** Names whose value comes from an input that is not known. */
  unknown: string[];
  /** `mapfile -C CALLBACK`: shell text it runs for lines it reads. */
  callback?: string;
}

/** The builtin's short options (readOptions), the ones in `valued` taking a value, by letter. */
function options(args: readonly string[], valued: string): { flags: Map<string, string>; operands: string[] } {
  const read = readOptions(args, { values: [...valued].map((c) => `-${c}`) });
  const flags = new Map(read.options.map(([name, value]) => [name.slice(1), value ?? ''] as const));
  return { flags, operands: read.rest };
}

/**
 * `read [-r] [-a ARRAY] [-d DELIM] [-p PROMPT] … NAME…`: one line of `stdin`, split at IFS; each name but
 * the last gets a field, the last the rest. Without `-r` a backslash escapes the next character.
 */
export function readBuiltin(args: readonly string[], stdin: string | undefined, ifs: string | undefined): Assigned {
  const { flags, operands } = options(args, 'adinNptu');
  const names = operands.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
  const array = flags.get('a');
  const targets = array !== undefined ? [array] : names.length > 0 ? names : ['REPLY'];
  if (stdin === undefined || flags.has('u')) return { values: new Map(), unknown: targets };
  const delim = flags.has('d') ? (flags.get('d')!.slice(0, 1) || '\0') : '\n';
  let line = stdin;
  if (!flags.has('r')) line = line.replace(/\\\n/g, '');
  const end = line.indexOf(delim);
  if (end >= 0) line = line.slice(0, end);
  if (!flags.has('r')) line = line.replace(/\\(.)/gs, '$1');
  const separator = fieldSeparator(ifs);
  // An IFS that is not known could cut anywhere: every variable is unknown.
  if (separator === undefined) return { values: new Map(), unknown: targets };
  const fields = line.replace(/^[ \t\n]+|[ \t\n]+$/g, '').split(separator).filter((f, i, all) => f !== '' || i < all.length - 1);
  const values = new Map<string, string>();
  if (array !== undefined) {
    values.set(array, fields.join(' '));
  } else if (names.length === 0) {
    values.set('REPLY', line);
  } else {
    names.forEach((name, i) => values.set(name, i < names.length - 1 ? (fields[i] ?? '') : fields.slice(i).join(' ')));
  }
  return { values, unknown: [] };
}

/** `mapfile [-t] [-d DELIM] [-n N] [-s N] [-C CALLBACK] ARRAY` (and `readarray`): the input's lines, one element each. */
export function mapfileBuiltin(args: readonly string[], stdin: string | undefined): Assigned {
  const { flags, operands } = options(args, 'dnOsuCc');
  const name = operands.find((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) ?? 'MAPFILE';
  const callback = flags.get('C');
  const withCallback = callback !== undefined && callback !== '' ? { callback } : {};
  if (stdin === undefined || flags.has('u')) return { values: new Map(), unknown: [name], ...withCallback };
  const delim = flags.has('d') ? (flags.get('d')!.slice(0, 1) || '\0') : '\n';
  let lines = stdin.split(delim);
  if (lines.at(-1) === '') lines.pop();
  const skip = Number(flags.get('s') ?? 0);
  const count = Number(flags.get('n') ?? 0);
  lines = lines.slice(Number.isFinite(skip) ? skip : 0);
  if (Number.isFinite(count) && count > 0) lines = lines.slice(0, count);
  return { values: new Map([[name, lines.join(' ')]]), unknown: [], ...withCallback };
}

/**
 * `set -- A B`, `set -e A B`, `set - A`: the new positional parameters; undefined when the call sets
 * none (`set -euo pipefail`, `set +x`).
 */
export function setPositional(args: readonly string[]): string[] | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--' || arg === '-') return args.slice(i + 1);
    if (/^[-+][a-zA-Z]+$/.test(arg)) {
      // `-o NAME` / `+o NAME` takes the next word.
      if (arg.endsWith('o')) i++;
      continue;
    }
    return args.slice(i);
  }
  return undefined;
}
