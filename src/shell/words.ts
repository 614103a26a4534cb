// Word expansion as a shell does it before running a command, with what a line cannot tell us kept
// visible: `$HOME` becomes the home directory, `"$X"` its value, unquoted `$FLAGS` is split into words,
// `~/dir` is expanded. A value that is not known here (a command substitution's output, a variable that
// is neither in the environment nor set earlier in the line) stays as its source text, made opaque so
// that a nested parse (`bash -c "… $(x) …"`) sees one inert word and does not run `x` a second time.
// `reveal` turns opaque text back into its source for the final commands.

import type { HereDocBody, Word, WordPart } from 'unbash';
import { expandBraces } from './braces.js';
import { rewriteParameter } from './parameters.js';

/** What expansion needs from the shell: a variable's value, opaque when unknown. */
export type Lookup = (name: string) => string | undefined;

const opaqueBase = 0xf0000;

/** The source text of an unknown value, as characters no shell gives a meaning to. */
export function opaque(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) out += String.fromCodePoint(opaqueBase + source.charCodeAt(i));
  return out;
}

/** Text with every opaque stretch turned back into its source. */
export function reveal(text: string): string {
  return text.replace(/[\u{F0000}-\u{FFFFF}]/gu, (c) => String.fromCharCode(c.codePointAt(0)! - opaqueBase));
}

/** Whether text holds no unknown value. */
export function isKnown(text: string): boolean {
  return !/[\u{F0000}-\u{FFFFF}]/u.test(text);
}

interface Piece {
  text: string;
  quoted: boolean;
  /** An unquoted expansion with a known value: split into words at the characters of IFS. */
  split: boolean;
  /** The words of `$@` or `${a[@]}` (kept blank-joined): one word each even when quoted, whatever IFS says. */
  elements?: boolean;
  /** Unquoted `{a,b}` or `{1..3}`: one word per alternative. */
  brace?: boolean;
}

/** The words one shell word becomes (brace expansion, field splitting of unquoted expansions; no pathname expansion). */
export function expandWord(word: Word, lookup: Lookup): string[] {
  const pieces = piecesOf(word, lookup);
  const separator = fieldSeparator(lookup('IFS'));
  // Where IFS is not known (`IFS=$(…)`), any character but a letter, a digit and `-._/` may cut: the
  // most words a value could give (`railway,down` is `railway down` for some IFS).
  const split = separator ?? /[^A-Za-z0-9._/-]+/;
  // `rail{way,}`: each alternative is a word of its own, expanded further (src/shell/braces.ts).
  const brace = pieces.findIndex((p) => p.brace);
  if (brace < 0) return fieldsOf(pieces, split);
  return expandBraces(pieces[brace].text).flatMap((text) => {
    const replaced = [...pieces];
    replaced[brace] = { text, quoted: false, split: false, ...(expandBraces(text).length > 1 ? { brace: true } : {}) };
    return fieldsOf(replaced, split);
  });
}

const blanks = /[ \t\n]+/;

/**
 * Where field splitting cuts, from IFS as the line left it (`IFS=,; c=railway,down; $c` runs `railway
 * down`): unset is the default (space, tab, newline); empty cuts nowhere; a character that is not white
 * space is a separator of its own, white space around it included. Undefined when IFS is not known.
 */
export function fieldSeparator(ifs: string | undefined): RegExp | undefined {
  if (ifs === undefined) return blanks;
  if (!isKnown(ifs)) return undefined;
  if (ifs === '') return /(?!)/;
  const escape = (chars: string[]) => chars.map((c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c.replace(/[\]\\^-]/g, '\\$&'))).join('');
  const white = [...new Set([...ifs].filter((c) => ' \t\n'.includes(c)))];
  const other = [...new Set([...ifs].filter((c) => !' \t\n'.includes(c)))];
  const ws = white.length > 0 ? `[${escape(white)}]` : '';
  if (other.length === 0) return new RegExp(`${ws}+`);
  return new RegExp(ws ? `${ws}*[${escape(other)}]${ws}*|${ws}+` : `[${escape(other)}]`);
}

function fieldsOf(pieces: Piece[], separator: RegExp): string[] {
  const fields: string[] = [];
  let current = '';
  let has = false;
  for (const piece of pieces) {
    if (!piece.split) {
      current += piece.text;
      has ||= piece.quoted || piece.text !== '';
      continue;
    }
    // `$@` and `${a[@]}` are one word per element (blank-joined here); unquoted, each is split again.
    const parts = piece.elements ? piece.text.split(blanks).flatMap((w) => (piece.quoted ? [w] : w.split(separator))) : piece.text.split(separator);
    current += parts[0];
    has ||= parts[0] !== '';
    for (const part of parts.slice(1)) {
      if (has) fields.push(current);
      current = part;
      has = part !== '';
    }
  }
  if (has) fields.push(current);
  return fields;
}

/** One word expanded without splitting, as in an assignment or a here-string. */
export function expandText(word: Word, lookup: Lookup): string {
  return piecesOf(word, lookup)
    .map((p) => p.text)
    .join('');
}

/** A heredoc's body as the command reads it: expanded unless the delimiter was quoted, tabs cut for `<<-`. */
export function expandHeredoc(body: HereDocBody, quoted: boolean, stripTabs: boolean, lookup: Lookup): string {
  const text = quoted || !body.parts ? body.text : body.parts.map((p) => partText(p, lookup, true).text).join('');
  return stripTabs ? text.replace(/^\t+/gm, '') : text;
}

function piecesOf(word: Word, lookup: Lookup): Piece[] {
  if (!word.parts) return [{ text: tilde(word.text, word.value, lookup), quoted: false, split: false }];
  return word.parts.flatMap((part, i) => {
    // "$@" (and "${@:2}") inside double quotes still gives one word per argument: its pieces are kept apart.
    const slice = (p: WordPart) => p.type === 'ParameterExpansion' && p.parameter === '@' && !p.index && !p.prefix && p.operation?.type === 'Slice';
    if (part.type === 'DoubleQuoted' && part.parts.some((p) => (p.type === 'SimpleExpansion' && p.text === '$@' && lookup('@') !== undefined) || slice(p))) {
      return part.parts.map((p) => {
        if (p.type === 'SimpleExpansion' && p.text === '$@') return { text: lookup('@')!, quoted: true, split: true, elements: true };
        const piece = partText(p, lookup, true);
        return slice(p) && piece.elements ? { ...piece, split: true } : piece;
      });
    }
    // So is "${a[@]}" one word per element of an array the line set (kept as its words, src/shell/analyze.ts).
    if (part.type === 'DoubleQuoted' && part.parts.some((p) => allElements(p, lookup) !== undefined)) {
      return part.parts.map((p) => {
        const all = allElements(p, lookup);
        return all !== undefined ? { text: all, quoted: true, split: true, elements: true } : partText(p, lookup, true);
      });
    }
    const piece = partText(part, lookup, false);
    if (i === 0 && part.type === 'Literal') piece.text = tilde(part.text, piece.text, lookup);
    return piece;
  });
}

/** `~` and `~/…` at the start of an unquoted word are the home directory. */
function tilde(source: string, value: string, lookup: Lookup): string {
  if (!/^~(\/|$)/.test(source)) return value;
  const home = lookup('HOME');
  return home === undefined ? value : home + value.slice(1);
}

function partText(part: WordPart, lookup: Lookup, quoted: boolean): Piece {
  const known = (text: string): Piece => ({ text, quoted, split: !quoted });
  const unknown = (): Piece => ({ text: opaque(part.text), quoted, split: false });
  switch (part.type) {
    case 'Literal':
      return { text: part.value, quoted, split: false };
    case 'SingleQuoted':
    case 'AnsiCQuoted':
      return { text: part.value, quoted: true, split: false };
    case 'DoubleQuoted':
    case 'LocaleString':
      return { text: part.parts.map((p) => partText(p, lookup, true).text).join(''), quoted: true, split: false };
    case 'SimpleExpansion': {
      const name = part.text.slice(1);
      const value = variable(name, lookup);
      // "$@" is one word per argument even inside quotes (approximated: arguments split on blanks).
      if ((name === '@' || name === '*') && value !== undefined) return { text: value, quoted, split: !quoted || name === '@', elements: name === '@' || !quoted };
      return value === undefined ? unknown() : known(value);
    }
    case 'ParameterExpansion': {
      if (part.index && !part.prefix && !part.operation) {
        // An array the line set holds its elements' words: `${a[@]}`, `${a[*]}`, `${a[1]}`.
        const value = variable(part.parameter, lookup);
        const index = part.index.value ?? part.index.text;
        // An array set from what is not known (`a=($(pick) down)`) stays its own source, `$(…)` and all.
        if (value !== undefined && !isKnown(value) && (index === '@' || index === '*')) return { text: value, quoted, split: false };
        if (value === undefined || !isKnown(value)) return unknown();
        if (index === '@' || index === '*') return { ...known(value), elements: true };
        return /^\d+$/.test(index) ? known(value.split(/[ \t\n]+/)[Number(index)] ?? '') : unknown();
      }
      // `${!name}`: the variable that name's value names.
      if (part.prefix === '!' && !part.index && !part.operation) {
        const name = variable(part.parameter, lookup);
        const value = name !== undefined && isKnown(name) ? variable(name, lookup) : undefined;
        return value === undefined ? unknown() : known(value);
      }
      if (part.prefix || part.index) return unknown();
      // `${@:1}`, `${*#x}`: bash applies these to the arguments, not to their joined text (where
      // `${@:1}` of `railway down` would read `ailway down`). A slice from $1 on is taken from the
      // arguments' words; the rest is not done here, so not known.
      if ((part.parameter === '@' || part.parameter === '*') && part.operation && part.operation.type !== 'Default') {
        const value = variable(part.parameter, lookup);
        const op = part.operation;
        if (op.type !== 'Slice' || value === undefined || !isKnown(value)) return unknown();
        const text = (w: Word) => (w.parts ? w.parts.map((p) => partText(p, lookup, true).text).join('') : w.value);
        const offset = /^\s*\d+\s*$/.test(text(op.offset)) ? Number(text(op.offset)) : undefined;
        const length = op.length === undefined ? undefined : /^\s*\d+\s*$/.test(text(op.length)) ? Number(text(op.length)) : -1;
        if (offset === undefined || offset < 1 || length === -1) return unknown();
        const words = value.split(/[ \t\n]+/).filter((w) => w !== '').slice(offset - 1);
        const list = (length === undefined ? words : words.slice(0, length)).join(' ');
        return { text: list, quoted, split: !quoted || part.parameter === '@', elements: part.parameter === '@' || !quoted };
      }
      const value = variable(part.parameter, lookup);
      const op = part.operation;
      if (!op) return value === undefined ? unknown() : known(value);
      if (op.type !== 'Default' && value !== undefined && isKnown(value)) {
        // `${c//,/ }`, `${c,,}`, `${c#x}`, `${c:1}`: the rewrite of a known value (src/shell/parameters.ts).
        const text = (w: Word) => {
          const t = w.parts ? w.parts.map((p) => partText(p, lookup, true).text).join('') : w.value;
          return isKnown(t) ? t : undefined;
        };
        const rewritten = rewriteParameter(part, value, text);
        return rewritten === undefined ? unknown() : known(rewritten);
      }
      if (op.type !== 'Default' || value === undefined) return unknown();
      const empty = op.operator.startsWith(':') ? value === '' : false;
      const operand = () => op.operand.parts ? op.operand.parts.map((p) => partText(p, lookup, quoted).text).join('') : op.operand.value;
      switch (op.operator) {
        case '-':
        case ':-':
        case '=':
        case ':=':
          return empty ? known(operand()) : known(value);
        case '+':
        case ':+':
          return empty ? known('') : known(operand());
        default:
          return empty ? unknown() : known(value);
      }
    }
    case 'BraceExpansion':
      return { text: part.text, quoted, split: false, brace: !quoted };
    case 'Glob':
    case 'ExtendedGlob':
      return { text: part.text, quoted, split: false };
    default:
      // Command and process substitutions, arithmetic: their value is not known before they run.
      return unknown();
  }
}

/** The words of `${a[@]}` (or `${a[*]}`) when `a` is known: kept apart even inside double quotes. */
function allElements(part: WordPart, lookup: Lookup): string | undefined {
  if (part.type !== 'ParameterExpansion' || part.prefix || part.operation || !part.index) return undefined;
  const index = part.index.value ?? part.index.text;
  if (index !== '@') return undefined;
  const value = variable(part.parameter, lookup);
  return value !== undefined && isKnown(value) ? value : undefined;
}

/** Special parameters ($?, $$) are never known here; positional ones ($1, $@, $#) are when a `sh -c`, a script or a function call gave them. */
function variable(name: string, lookup: Lookup): string | undefined {
  if (!/^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#])$/.test(name)) return undefined;
  return lookup(name);
}
