// Parameter expansions that rewrite a known value, done as bash does them, so a command word spelled
// through one is read as the word it becomes: `${c//,/ }`, `${c,,}`, `${c#x}`, `${c:1}`, `${!name}`,
// `${c@L}`. A refused agent reaches for these once `$c down` is read; with no argument left to judge
// (`c="railway down"; ${c,,}`), only the value itself says what runs. What cannot be done here (a
// pattern or an offset that is not known, an operator not listed) stays unknown, as before.

import type { ParameterExpansionPart } from 'unbash';

/** A value's rewrite by `part`'s operation, or undefined when it cannot be known here. */
export function rewriteParameter(
  part: ParameterExpansionPart,
  value: string,
  /** The text of a word inside the operation (a pattern, a replacement), undefined when not known. */
  text: (word: NonNullable<ParameterExpansionPart['index']>) => string | undefined,
): string | undefined {
  const op = part.operation;
  if (!op) return value;
  switch (op.type) {
    case 'Remove': {
      const pattern = text(op.operand);
      if (pattern === undefined) return undefined;
      const longest = op.operator.length === 2;
      const re = globSource(pattern, longest);
      const m = op.operator.startsWith('#') ? new RegExp(`^(?:${re})`, 's').exec(value) : lastMatchAtEnd(value, re, longest);
      if (!m) return value;
      return op.operator.startsWith('#') ? value.slice(m[0].length) : value.slice(0, value.length - m[0].length);
    }
    case 'Replace': {
      const pattern = text(op.pattern);
      const replacement = text(op.replacement) ?? (op.replacement ? undefined : '');
      if (pattern === undefined || replacement === undefined) return undefined;
      if (pattern === '') return value;
      const re = globSource(pattern, true);
      if (op.operator === '/#') return value.replace(new RegExp(`^(?:${re})`, 's'), () => replacement);
      if (op.operator === '/%') {
        const m = lastMatchAtEnd(value, re, true);
        return m ? value.slice(0, value.length - m[0].length) + replacement : value;
      }
      return value.replace(new RegExp(re, op.operator === '//' ? 'gs' : 's'), () => replacement);
    }
    case 'Slice': {
      const offset = integer(text(op.offset));
      const length = op.length === undefined ? undefined : integer(text(op.length));
      if (offset === undefined || (op.length !== undefined && length === undefined)) return undefined;
      const start = offset < 0 ? Math.max(0, value.length + offset) : offset;
      if (length === undefined) return value.slice(start);
      return length < 0 ? value.slice(start, Math.max(start, value.length + length)) : value.slice(start, start + length);
    }
    case 'CaseModification': {
      // A pattern limits which characters change: applied to all, which can only read more.
      const all = op.operator.length === 2;
      const change = op.operator.startsWith('^') ? (s: string) => s.toUpperCase() : (s: string) => s.toLowerCase();
      return all ? change(value) : change(value.slice(0, 1)) + value.slice(1);
    }
    case 'Transform': {
      const how = text(op.operand);
      if (how === 'U') return value.toUpperCase();
      if (how === 'L') return value.toLowerCase();
      if (how === 'u') return value.slice(0, 1).toUpperCase() + value.slice(1);
      return undefined;
    }
    default:
      return undefined;
  }
}

function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** A glob (`*`, `?`, `[…]`, `\x`) as a regular expression's source; `longest` for greedy stars. */
function globSource(glob: string, longest: boolean): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]);
    else if (c === '*') out += longest ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = close;
      }
    } else out += escape(c);
  }
  return out;
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The shortest (or longest) suffix of value that the pattern matches whole. */
function lastMatchAtEnd(value: string, source: string, longest: boolean): RegExpExecArray | undefined {
  const re = new RegExp(`^(?:${source})$`, 's');
  if (longest) {
    for (let i = 0; i <= value.length; i++) {
      const m = re.exec(value.slice(i));
      if (m) return m;
    }
  } else {
    for (let i = value.length; i >= 0; i--) {
      const m = re.exec(value.slice(i));
      if (m) return m;
    }
  }
  return undefined;
}
