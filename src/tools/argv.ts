// A small argv reader that each tool configures with its own grammar: which flags take a value, what
// their other spellings are, and how the tool treats flags it does not know. Tools differ (clap, cobra,
// argparse, getopt, Go's flag package); the differences are options here, and the knowledge lives in
// src/tools/<tool>.ts.

export interface Grammar {
  /** Flags that take a value: every spelling maps to the canonical name (`-e` → `--environment`). */
  values: Map<string, string>;
  /** Flags that take no value, by every spelling. */
  booleans: Map<string, string>;
  /**
   * What an unknown `--flag` does with the next argument. `boolean`: nothing. `greedy`: takes it as its
   * value unless it looks like a flag (argparse-style CLIs such as aws).
   */
  unknownLong: 'boolean' | 'greedy';
  /** GNU getopt_long: an unambiguous prefix of a long option is that option (`--comm` = `--command`). */
  abbreviations?: boolean;
  /**
   * Booleans a tool reads by whether they were given, whatever their value (cobra's Flags().Changed):
   * `--linked=false` still counts. Every other boolean written `=false` is off, so not there at all.
   */
  changed?: ReadonlySet<string>;
  /**
   * How options are spelled. `getopt` (the default): `--long[=value]`, and clusters of short flags
   * (`-yv`). `go`: Go's flag package (terraform): every option is long, with one dash or two
   * (`-chdir=DIR` = `--chdir=DIR`), spelled in the grammar with one; a value flag takes `=value` or the
   * next argument; a boolean takes a value only after `=`, and `-destroy=false` leaves it unset.
   */
  style?: 'getopt' | 'go';
}

export interface ReadArgs {
  /** Positional words in order: the command path and its arguments. */
  words: string[];
  /** Every flag by canonical name, with its values (`''` for a flag without one). */
  flags: Map<string, string[]>;
  /** Every flag occurrence in argv order, for tools where order matters (psql's -c and -f). */
  sequence: [name: string, value: string][];
  /** What stands after a bare `--`. */
  rest: string[];
}

/** The words of a list written across lines in a template string (flag lists, command names). */
export const words = (text: string): string[] => text.trim().split(/\s+/);

/** Builds a grammar from lists of spellings; the first spelling of each list is the canonical name. */
export function grammar(spec: {
  values?: string[][];
  booleans?: string[][];
  unknownLong?: Grammar['unknownLong'];
  abbreviations?: boolean;
  style?: Grammar['style'];
  changed?: string[];
}): Grammar {
  const index = (lists: string[][] = []) => {
    const map = new Map<string, string>();
    for (const spellings of lists) for (const spelling of spellings) map.set(spelling, spellings[0]);
    return map;
  };
  return {
    values: index(spec.values),
    booleans: index(spec.booleans),
    unknownLong: spec.unknownLong ?? 'boolean',
    abbreviations: spec.abbreviations,
    changed: spec.changed ? new Set(spec.changed) : undefined,
    style: spec.style ?? 'getopt',
  };
}

/**
 * The grammar with every `--no-x` in `args` that it does not know read as a boolean: argparse CLIs (aws,
 * gcloud) spell a boolean's off switch so, and it never takes a value. Reading it greedily would take
 * the next word, a command word perhaps, as its value.
 */
export function withNegations(g: Grammar, args: readonly string[]): Grammar {
  const negations = args.filter((arg) => /^--no-[^=]+$/.test(arg) && !g.values.has(arg) && !g.booleans.has(arg));
  if (negations.length === 0) return g;
  const booleans = new Map(g.booleans);
  for (const arg of negations) booleans.set(arg, arg);
  return { ...g, booleans };
}

export function readArgs(args: readonly string[], g: Grammar): ReadArgs {
  const words: string[] = [];
  const flags = new Map<string, string[]>();
  const sequence: [string, string][] = [];
  const add = (name: string, value: string) => {
    sequence.push([name, value]);
    const list = flags.get(name);
    if (list) list.push(value);
    else flags.set(name, [value]);
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return { words, flags, sequence, rest: args.slice(i + 1) };

    if (g.style === 'go' && arg.startsWith('-') && arg.length > 1) {
      i = readGoFlag(args, i, g, add, (name) => {
        sequence.push([name, 'false']);
        flags.delete(name);
      });
      continue;
    }

    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const spelled = eq === -1 ? arg : arg.slice(0, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const long = expandLong(spelled, g);
      const valueName = g.values.get(long);
      if (valueName) {
        if (inline !== undefined) add(valueName, inline);
        else if (i + 1 < args.length) add(valueName, args[++i]);
        else add(valueName, '');
      } else if (g.booleans.has(long)) {
        // `--help=false` says the flag is off, as cobra, pflag and Go read it: it is not there at all.
        const name = g.booleans.get(long)!;
        if (inline !== undefined && isFalse(inline) && !g.changed?.has(name)) flags.delete(name);
        else add(name, inline ?? '');
      } else if (inline !== undefined) {
        add(long, inline);
      } else if (g.unknownLong === 'greedy' && i + 1 < args.length && !args[i + 1].startsWith('--')) {
        add(long, args[++i]);
      } else {
        add(long, '');
      }
      continue;
    }

    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short flags (-yv pg-data): booleans until one that takes a value, which takes
      // the rest of the cluster (-eproduction, -e=production) or the next argument.
      for (let j = 1; j < arg.length; j++) {
        const short = `-${arg[j]}`;
        const valueName = g.values.get(short);
        if (valueName) {
          let inline = arg.slice(j + 1);
          if (inline.startsWith('=')) inline = inline.slice(1);
          if (inline !== '') add(valueName, inline);
          else if (i + 1 < args.length) add(valueName, args[++i]);
          else add(valueName, '');
          break;
        }
        // `-h=false` (pflag): a boolean short flag with a value written onto it takes that value.
        if (arg[j + 1] === '=') {
          const inline = arg.slice(j + 2);
          const name = g.booleans.get(short) ?? short;
          if (isFalse(inline) && !g.changed?.has(name)) flags.delete(name);
          else add(name, inline);
          break;
        }
        add(g.booleans.get(short) ?? short, '');
      }
      continue;
    }

    words.push(arg);
  }
  return { words, flags, sequence, rest: [] };
}

/**
 * One option as Go's flag package reads it; returns the index of the last argument it used. Go stops
 * at the first positional, and its programs reject a flag after one; reading on is a superset, which
 * is what a guard wants (terraform, told `apply plan.tfplan -destroy`, refuses to run).
 */
function readGoFlag(
  args: readonly string[],
  i: number,
  g: Grammar,
  add: (name: string, value: string) => void,
  unset: (name: string) => void,
): number {
  const body = args[i].replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = `-${eq === -1 ? body : body.slice(0, eq)}`;
  const inline = eq === -1 ? undefined : body.slice(eq + 1);
  const valueName = g.values.get(name);
  if (valueName) {
    if (inline !== undefined) add(valueName, inline);
    else if (i + 1 < args.length) add(valueName, args[++i]);
    else add(valueName, '');
    return i;
  }
  const booleanName = g.booleans.get(name);
  if (booleanName) {
    // strconv.ParseBool; anything it rejects stops the program, so counting it as set is safe.
    if (inline !== undefined && /^(0|f|F|false|FALSE|False)$/.test(inline)) unset(booleanName);
    else add(booleanName, '');
    return i;
  }
  if (inline !== undefined) add(name, inline);
  else if (g.unknownLong === 'greedy' && i + 1 < args.length && !args[i + 1].startsWith('-')) add(name, args[++i]);
  else add(name, '');
  return i;
}

function expandLong(spelled: string, g: Grammar): string {
  if (!g.abbreviations || g.values.has(spelled) || g.booleans.has(spelled)) return spelled;
  const candidates = new Set<string>();
  for (const map of [g.values, g.booleans]) {
    for (const [spelling, canonical] of map) {
      if (spelling.startsWith('--') && spelling.startsWith(spelled)) candidates.add(canonical);
    }
  }
  return candidates.size === 1 ? [...candidates][0] : spelled;
}

/** Go's strconv.ParseBool spellings of false. */
export function isFalse(value: string): boolean {
  return ['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value);
}
