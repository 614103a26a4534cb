// Splitting a string into words the way a tool does it for arguments that arrive in one string:
// terraform's TF_CLI_ARGS (go-shellwords) and git's aliases (split_cmdline), and Python's shlex.split
// for the aws CLI's aliases. All know single quotes, double quotes and backslash escapes, and none
// expands variables or globs. They differ in one place: inside double quotes, git and go-shellwords
// take a backslash as escaping any character, shlex only `"` and `\` (any other backslash stays).
// `env -S` (src/shell/wrappers.ts) splits its string alike, with three more rules: `\n` and `\t` are
// a newline and a tab, `#` at the start of a word comments out the rest, and an open quote or a last
// backslash is taken as it stands rather than refused.

/** `word` as a POSIX shell reads it back exactly: in single quotes, each `'` written as `'\\''`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The words of `text`, or undefined when a quote is left open (every one of these tools but env refuses then). */
export function splitWords(text: string, style: 'git' | 'shlex' | 'env' = 'git'): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (c === '\\') {
      if (i + 1 >= text.length) {
        if (style !== 'env') return undefined;
        word += c;
      } else if (style === 'env') {
        const next = text[++i];
        word += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else {
        const escapes = quote !== '"' || style === 'git' || text[i + 1] === '"' || text[i + 1] === '\\';
        word += escapes ? text[++i] : c;
      }
      inWord = true;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord && style === 'env') {
      break;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote && style !== 'env') return undefined;
  if (inWord) words.push(word);
  return words;
}
