// Brace expansion, as bash does it before any other expansion: `rail{way,}` is two words, `railway` and
// `rail`, and `{railway,down}` in command position runs `railway down`. A refused agent spells a command
// word this way to hide it from a reader that takes words as written. Comma lists nest; sequences
// (`{1..3}`, `{a..e}`, `{01..10..2}`) count up or down. A word with more alternatives than `maxWords` is
// cut there: the first ones are the command and its first arguments, which is what is judged.

/** More words than this from one word and the rest are not produced. */
export const maxWords = 256;

/** The words bash makes of text by brace expansion (text itself when it holds none). */
export function expandBraces(text: string): string[] {
  const out: string[] = [];
  expandInto(text, out);
  return out.length > 0 ? out : [text];
}

function expandInto(text: string, out: string[]): void {
  if (out.length >= maxWords) return;
  const group = firstGroup(text);
  if (!group) {
    out.push(text);
    return;
  }
  const prefix = text.slice(0, group.start);
  const suffix = text.slice(group.end + 1);
  for (const alternative of group.alternatives) {
    expandInto(prefix + alternative + suffix, out);
    if (out.length >= maxWords) return;
  }
}

/** The first `{…}` that expands: a top-level comma inside, or a sequence. Others stay literal, as in bash. */
function firstGroup(text: string): { start: number; end: number; alternatives: string[] } | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    let end = -1;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        end = i;
        break;
      } else if (c === ',' && depth === 1) commas.push(i);
    }
    if (end < 0) return undefined;
    const inner = text.slice(start + 1, end);
    if (commas.length > 0) {
      const bounds = [start, ...commas, end];
      return { start, end, alternatives: bounds.slice(1).map((b, k) => text.slice(bounds[k] + 1, b)) };
    }
    const sequence = sequenceOf(inner);
    if (sequence) return { start, end, alternatives: sequence };
  }
  return undefined;
}

/** `1..5`, `5..1`, `01..10..3`, `a..e`: the values, or undefined when inner is not a sequence. */
function sequenceOf(inner: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(inner);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/.exec(inner);
  if (!numeric && !letters) return undefined;
  const [from, to] = numeric ? [Number(numeric[1]), Number(numeric[2])] : [letters![1].charCodeAt(0), letters![2].charCodeAt(0)];
  const step = Math.abs(Number((numeric ?? letters)![3] ?? 1)) || 1;
  const width = numeric && /^-?0\d/.test(numeric[1] + ' ' + numeric[2]) ? Math.max(numeric[1].length, numeric[2].length) : 0;
  const values: string[] = [];
  for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? step : -step) {
    values.push(numeric ? String(v).padStart(width, '0') : String.fromCharCode(v));
    if (values.length >= maxWords) break;
  }
  return values;
}
