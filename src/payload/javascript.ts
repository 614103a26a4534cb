// A light JavaScript tokenizer: enough to tell code from strings, comments, regular expressions and
// template text, so that `db.orders.drop()` in code is seen and the same words in a string or a comment
// are not. It does not parse: callers look for short token patterns (`.` name `(` … `)`).
//
// Why not a real parser (acorn, @babel/parser): mongosh scripts are mongosh's dialect (top-level await,
// `use db` and `show dbs` lines), which a standard parser rejects; a rejected script would read as
// unreadable and hold every mongosh script. A tokenizer has no such failure: the only ambiguity in
// JavaScript's lexical grammar is `/` (division or a regular expression), settled here by the token
// before it, as the spec's goal symbols do in nearly every real script.

export type JsTokenType = 'name' | 'string' | 'template' | 'number' | 'regex' | 'punct';

export interface JsToken {
  type: JsTokenType;
  /** Names and punctuation as written; strings unquoted (escapes decoded); templates: their text parts. */
  value: string;
  start: number;
  end: number;
}

/** After these, a `/` starts a regular expression; after anything else it divides. */
const regexAfterWords = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

export function tokenizeJs(source: string): JsToken[] {
  const tokens: JsToken[] = [];
  /** For each open template substitution, the brace depth at which it closes. */
  const templateStack: number[] = [];
  let braces = 0;
  let i = 0;
  const n = source.length;
  const push = (type: JsTokenType, value: string, start: number, end: number) => tokens.push({ type, value, start, end });

  const readTemplate = (from: number): number => {
    // From just after ` or }: text until ` (template ends) or ${ (a substitution starts).
    let text = '';
    let j = from;
    while (j < n) {
      const c = source[j];
      if (c === '\\') {
        text += source[j + 1] ?? '';
        j += 2;
      } else if (c === '`') {
        push('template', text, from, j + 1);
        return j + 1;
      } else if (c === '$' && source[j + 1] === '{') {
        push('template', text, from, j + 2);
        templateStack.push(braces);
        braces++;
        return j + 2;
      } else {
        text += c;
        j++;
      }
    }
    push('template', text, from, n);
    return n;
  };

  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && next === '/') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      const [value, end] = readString(source, i);
      push('string', value, i, end);
      i = end;
    } else if (c === '`') {
      i = readTemplate(i + 1);
    } else if (c === '}' && templateStack.length > 0 && templateStack.at(-1) === braces - 1) {
      templateStack.pop();
      braces--;
      i = readTemplate(i + 1);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const m = /^(?:0[xob][0-9a-f_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:e[+-]?\d+)?)n?/i.exec(source.slice(i, i + 64))!;
      push('number', m[0], i, i + m[0].length);
      i += m[0].length;
    } else if (/[\p{L}_$]/u.test(c) || (c === '\\' && next === 'u')) {
      const m = /^(?:[\p{L}\p{N}_$\u200c\u200d]|\\u[0-9a-fA-F]{4})+/u.exec(source.slice(i));
      const length = m ? m[0].length : 1; // a malformed escape is a syntax error: one character moves on
      push('name', source.slice(i, i + length), i, i + length);
      i += length;
    } else if (c === '/' && startsRegex(tokens.at(-1))) {
      const end = regexEnd(source, i);
      if (end === -1) {
        push('punct', '/', i, i + 1);
        i++;
      } else {
        push('regex', source.slice(i, end), i, end);
        i = end;
      }
    } else {
      const op = /^(?:\?\?=|\?\.|\.\.\.|=>|===|!==|==|!=|<=|>=|&&|\|\||\?\?|\+\+|--|[-+*/%&|^]=)/.exec(source.slice(i, i + 4));
      const value = op ? op[0] : c;
      if (value === '{') braces++;
      if (value === '}') braces--;
      push('punct', value, i, i + value.length);
      i += value.length;
    }
  }
  return tokens;
}

function startsRegex(previous: JsToken | undefined): boolean {
  if (!previous) return true;
  if (previous.type === 'name') return regexAfterWords.has(previous.value);
  if (previous.type === 'punct') return ![')', ']', '}'].includes(previous.value);
  return false;
}

/** The index past a regular expression literal starting at `start`, or -1 when the line has none. */
function regexEnd(source: string, start: number): number {
  let inClass = false;
  for (let j = start + 1; j < source.length; j++) {
    const c = source[j];
    if (c === '\n') return -1;
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let k = j + 1;
      while (k < source.length && /[a-z]/i.test(source[k])) k++;
      return k;
    }
  }
  return -1;
}

function readString(source: string, start: number): [string, number] {
  const quote = source[start];
  let value = '';
  for (let j = start + 1; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') {
      const e = source[j + 1] ?? '';
      value += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' } as Record<string, string>)[e] ?? (e === '\n' ? '' : e);
      j++;
    } else if (c === quote) {
      return [value, j + 1];
    } else if (c === '\n') {
      return [value, j]; // an unterminated string ends at the line (a syntax error for the shell)
    } else {
      value += c;
    }
  }
  return [value, source.length];
}

/** The index of the token that closes the bracket opened at `open`, or the last index. */
export function closingIndex(tokens: readonly JsToken[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'punct') continue;
    if (pairs[t.value]) stack.push(pairs[t.value]);
    else if (t.value === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return k;
    }
  }
  return tokens.length - 1;
}

/** The top-level arguments between the parentheses at `open` and its closing one. */
export function argumentsAt(tokens: readonly JsToken[], open: number): JsToken[][] {
  const close = closingIndex(tokens, open);
  const args: JsToken[][] = [];
  let current: JsToken[] = [];
  let level = 0;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k];
    if (t.type === 'punct' && ['(', '[', '{'].includes(t.value)) level++;
    if (t.type === 'punct' && [')', ']', '}'].includes(t.value)) level--;
    if (level === 0 && t.type === 'punct' && t.value === ',') {
      args.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) args.push(current);
  return args;
}
