// Reading the options of a command that runs another one (sudo, env, timeout, xargs, npx, …). All of
// them stop at their first operand, so what follows it is the command they run, untouched.

export interface OptionGrammar {
  /** Options that take a value, attached (`-uroot`, `--user=root`) or as the next word. */
  values?: readonly string[];
  /** Options whose value can only be attached (`-e[eof]`, `--eof[=eof]`). */
  attached?: readonly string[];
  /** Words that are options though they do not look like one, or the reverse (`nice -5`). */
  isOption?: (word: string) => boolean;
}

export interface ReadOptions {
  options: [name: string, value?: string][];
  /** The operands: the first is where option parsing stopped. */
  rest: string[];
}

export function readOptions(args: readonly string[], grammar: OptionGrammar): ReadOptions {
  const values = new Set(grammar.values ?? []);
  const attached = new Set(grammar.attached ?? []);
  const options: [string, string?][] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      i++;
      break;
    }
    const looksLikeOption = word.startsWith('-') && word !== '-';
    if (!(grammar.isOption?.(word) ?? looksLikeOption)) break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      if (eq >= 0) options.push([name, word.slice(eq + 1)]);
      else if (values.has(name)) options.push([name, args[++i]]);
      else options.push([name]);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const name = `-${word[j]}`;
      const tail = word.slice(j + 1);
      if (values.has(name)) {
        options.push([name, tail !== '' ? tail : args[++i]]);
        break;
      }
      if (attached.has(name)) {
        options.push(tail !== '' ? [name, tail] : [name]);
        break;
      }
      options.push([name]);
    }
  }
  return { options, rest: args.slice(i) };
}

/** Whether any of `names` was given. */
export function has(read: ReadOptions, ...names: string[]): boolean {
  return read.options.some(([name]) => names.includes(name));
}

/** The last value given to any of `names`. */
export function valueOf(read: ReadOptions, ...names: string[]): string | undefined {
  return read.options.filter(([name]) => names.includes(name)).at(-1)?.[1];
}
