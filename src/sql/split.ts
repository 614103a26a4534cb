// Splitting a psql script into units as fast as the bytes arrive, without a parser: SQL statements
// (ending at a top-level `;`), backslash meta-commands (to the end of the line), and the data of a
// `COPY … FROM STDIN` (to the `\.` line). Each unit is marked suspicious when it could destroy
// something: a trigger word outside strings and comments, or a meta-command that runs or includes
// code. Only suspicious units are handed to PostgreSQL's grammar (slow); the rest pass untouched.
//
// Quoting follows PostgreSQL with standard_conforming_strings on: '…' with '' escapes, E'…' with
// backslash escapes, "…" identifiers, $tag$…$tag$ bodies, -- and nested /* */ comments. A server with
// standard_conforming_strings off reads more of a line as string than this does, never less, so it
// can only see fewer statements than chaperone, never more.

/** Words that make a statement worth parsing: anything that can delete, overwrite or run code. */
const triggerWords = new Set([
  'DROP',
  'TRUNCATE',
  'DELETE',
  'UPDATE',
  'DO',
  'CALL',
  'FUNCTION',
  'PROCEDURE',
  'REASSIGN',
  'RULE',
  'TRIGGER',
  'EXECUTE',
  'PROGRAM',
  'MERGE',
]);
/** Meta-commands that run, include or redirect code: read them with the full reader. */
const suspiciousMeta = /^(!|i|ir|include|include_relative|gexec|c|connect|o|out|copy|set|setenv|g|gx|gset)$/;

export interface Unit {
  /** Byte offset, in the whole stream, just past the end of the unit. */
  end: number;
  kind: 'sql' | 'meta' | 'copy-data';
  suspicious: boolean;
}

const enum State {
  Code,
  SingleQuote,
  EscapeQuote,
  DoubleQuote,
  Dollar,
  LineComment,
  BlockComment,
  Meta,
  CopyData,
}

const A = 0x41, Z = 0x5a, a = 0x61, z = 0x7a, ZERO = 0x30, NINE = 0x39, UNDERSCORE = 0x5f;
const isWordByte = (b: number) => (b >= a && b <= z) || (b >= A && b <= Z) || b === UNDERSCORE || (b >= ZERO && b <= NINE) || b >= 0x80;
const isWordStart = (b: number) => (b >= a && b <= z) || (b >= A && b <= Z) || b === UNDERSCORE || b >= 0x80;

/** Longest dollar-quote tag read; longer ones are treated as plain code (conservatively suspicious). */
const maxTag = 63;

export class ScriptSplitter {
  private state = State.Code;
  /** Global offset of the first byte not yet consumed. */
  private offset = 0;
  /** Bytes held back from the previous chunk because a token could continue into this one. */
  private carry: Uint8Array = new Uint8Array(0);
  private parens = 0;
  private commentDepth = 0;
  private dollarTag = '';
  private word = '';
  private previousWord = '';
  private wordJustEnded = false;
  private wordsInStatement = 0;
  private firstWord = '';
  private suspicious = false;
  private copyFromStdin = false;
  private meta = '';
  /** In COPY data: the start of the current line (enough to see `\.`). */
  private copyLine = '';
  /** Whether the statement in progress holds anything but whitespace. */
  private hasCode = false;

  /** Units completed by this chunk, in order. */
  feed(input: Uint8Array): Unit[] {
    return this.scan(input, false);
  }

  /** The end of the stream: units still open are closed (psql runs a last statement without `;`). */
  finish(): Unit[] {
    const units = this.scan(new Uint8Array(0), true);
    if (this.word !== '') this.endWord();
    if (this.state === State.Meta) units.push(this.endMeta(this.offset));
    else if (this.state === State.CopyData) units.push({ end: this.offset, kind: 'copy-data', suspicious: false });
    else if (this.hasCode || this.state !== State.Code) {
      // An unterminated quote or comment still counts: psql would send it as it is.
      units.push(this.endStatement(this.offset));
    }
    return units;
  }

  /** Whether the splitter is inside the data of a COPY … FROM STDIN, which is never suspicious. */
  get copying(): boolean {
    return this.state === State.CopyData;
  }

  private scan(input: Uint8Array, final: boolean): Unit[] {
    const chunk = this.carry.length ? Buffer.concat([this.carry, input]) : Buffer.from(input.buffer, input.byteOffset, input.length);
    const base = this.offset - this.carry.length;
    this.carry = new Uint8Array(0);
    const units: Unit[] = [];
    const n = chunk.length;
    // A token that may continue past the chunk: keep its bytes for the next one.
    const holdFrom = (i: number) => {
      this.carry = Uint8Array.prototype.slice.call(chunk, i);
      return i;
    };
    let i = 0;
    scanning: for (; i < n; i++) {
      const b = chunk[i];
      switch (this.state) {
        case State.Code:
          if (isWordStart(b)) {
            // A whole word at once; only short ones can be keywords that matter.
            let j = i + 1;
            while (j < n && isWordByte(chunk[j])) j++;
            if (j >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            this.word = keywordAt(chunk, i, j);
            this.hasCode = true;
            this.endWord();
            i = j - 1;
            continue;
          }
          if (b >= ZERO && b <= NINE) {
            this.hasCode = true;
            this.wordJustEnded = false;
            continue;
          }
          if ((b === 0x2d || b === 0x2f || b === 0x24) && i + 1 >= n && !final) {
            i = holdFrom(i);
            break scanning;
          }
          if (b === 0x27) {
            // ' : E'…' honours backslash escapes.
            this.state = this.wordJustEnded && this.previousWord === 'E' ? State.EscapeQuote : State.SingleQuote;
            this.hasCode = true;
          } else if (b === 0x22) {
            this.state = State.DoubleQuote;
            this.hasCode = true;
          } else if (b === 0x24) {
            this.hasCode = true;
            const tag = readDollarTag(chunk, i);
            if (tag === needMore && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (typeof tag === 'string') {
              this.dollarTag = tag;
              this.state = State.Dollar;
              i += tag.length + 1;
            }
          } else if (b === 0x2d && chunk[i + 1] === 0x2d) {
            this.state = State.LineComment;
            i++;
          } else if (b === 0x2f && chunk[i + 1] === 0x2a) {
            this.state = State.BlockComment;
            this.commentDepth = 1;
            i++;
          } else if (b === 0x28) {
            this.parens++;
            this.hasCode = true;
          } else if (b === 0x29) {
            if (this.parens > 0) this.parens--;
            this.hasCode = true;
          } else if (b === 0x3b && this.parens === 0) {
            units.push(this.endStatement(base + i + 1));
          } else if (b === 0x5c) {
            // A backslash outside quotes starts a meta-command; the SQL before it is a unit of its own.
            if (this.hasCode) units.push(this.endStatement(base + i));
            this.state = State.Meta;
            this.meta = '';
          } else if (b !== 0x20 && b !== 0x0a && b !== 0x09 && b !== 0x0d) {
            this.hasCode = true;
          }
          this.wordJustEnded = false;
          continue;
        case State.SingleQuote: {
          const close = chunk.indexOf(0x27, i);
          if (close === -1) {
            i = n - 1;
            continue;
          }
          i = close;
          if (i + 1 >= n && !final) {
            i = holdFrom(i);
            break scanning;
          }
          if (chunk[i + 1] === 0x27) i++; // '' is a quote inside the string
          else this.state = State.Code;
          continue;
        }
        case State.EscapeQuote:
          if (b === 0x5c) {
            if (i + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            i++;
          } else if (b === 0x27) {
            if (i + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (chunk[i + 1] === 0x27) i++;
            else this.state = State.Code;
          }
          continue;
        case State.DoubleQuote: {
          const close = chunk.indexOf(0x22, i);
          if (close === -1) i = n - 1;
          else {
            i = close;
            this.state = State.Code;
          }
          continue;
        }
        case State.Dollar:
          if (b === 0x24) {
            if (i + this.dollarTag.length + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (closesDollar(chunk, i, this.dollarTag)) {
              i += this.dollarTag.length + 1;
              this.state = State.Code;
            }
          }
          continue;
        case State.LineComment: {
          const newline = chunk.indexOf(0x0a, i);
          if (newline === -1) i = n - 1;
          else {
            i = newline;
            this.state = State.Code;
          }
          continue;
        }
        case State.BlockComment:
          if ((b === 0x2a || b === 0x2f) && i + 1 >= n && !final) {
            i = holdFrom(i);
            break scanning;
          }
          if (b === 0x2a && chunk[i + 1] === 0x2f) {
            i++;
            if (--this.commentDepth === 0) this.state = State.Code;
          } else if (b === 0x2f && chunk[i + 1] === 0x2a) {
            i++;
            this.commentDepth++;
          }
          continue;
        case State.Meta:
          if (b === 0x0a) units.push(this.endMeta(base + i + 1));
          else if (this.meta.length < 24) this.meta += String.fromCharCode(b);
          continue;
        case State.CopyData:
          if (this.copyLine.length === 3 || (this.copyLine.length > 0 && this.copyLine[0] !== '\\')) {
            // Not a `\.` line: skip to its end.
            const newline = chunk.indexOf(0x0a, i);
            if (newline === -1) {
              i = n - 1;
              continue;
            }
            i = newline;
            this.copyLine = '';
            continue;
          }
          if (b === 0x0a) {
            if (this.copyLine === '\\.' || this.copyLine === '\\.\r') {
              this.state = State.Code;
              units.push({ end: base + i + 1, kind: 'copy-data', suspicious: false });
            }
            this.copyLine = '';
          } else if (this.copyLine.length < 3) {
            this.copyLine += String.fromCharCode(b);
          }
          continue;
      }
    }
    this.offset = base + i + this.carry.length;
    return units;
  }

  private endWord(): void {
    const word = this.word;
    if (this.wordsInStatement === 0) this.firstWord = word;
    this.wordsInStatement++;
    if (triggerWords.has(word)) this.suspicious = true;
    if (this.firstWord === 'COPY' && this.previousWord === 'FROM' && word === 'STDIN') this.copyFromStdin = true;
    this.previousWord = word;
    this.word = '';
    this.wordJustEnded = true;
  }

  private endStatement(end: number): Unit {
    const unit: Unit = { end, kind: 'sql', suspicious: this.suspicious };
    const copy = this.copyFromStdin;
    this.resetStatement();
    if (copy) {
      this.state = State.CopyData;
      this.copyLine = '';
    } else {
      this.state = State.Code;
    }
    return unit;
  }

  private endMeta(end: number): Unit {
    const name = /^\s*(![^\s]*|[A-Za-z]+)/.exec(this.meta)?.[1] ?? '';
    const unit: Unit = { end, kind: 'meta', suspicious: name.startsWith('!') || suspiciousMeta.test(name) };
    this.resetStatement();
    this.state = State.Code;
    return unit;
  }

  private resetStatement(): void {
    this.suspicious = false;
    this.copyFromStdin = false;
    this.wordsInStatement = 0;
    this.firstWord = '';
    this.previousWord = '';
    this.wordJustEnded = false;
    this.parens = 0;
    this.hasCode = false;
    this.word = '';
  }
}

const needMore = Symbol('need more bytes');

/** The words the splitter acts on, by length, as upper-case bytes. */
const keywordsByLength = new Map<number, { word: string; bytes: Uint8Array }[]>();
for (const word of [...triggerWords, 'COPY', 'FROM', 'STDIN', 'E']) {
  const list = keywordsByLength.get(word.length) ?? [];
  list.push({ word, bytes: Buffer.from(word, 'latin1') });
  keywordsByLength.set(word.length, list);
}

/** The keyword spelled by chunk[i..j) in any case, or '-' for any other word (no string is built). */
function keywordAt(chunk: Uint8Array, i: number, j: number): string {
  const candidates = keywordsByLength.get(j - i);
  if (!candidates) return '-';
  next: for (const { word, bytes } of candidates) {
    for (let k = 0; k < bytes.length; k++) {
      const b = chunk[i + k];
      if ((b >= a && b <= z ? b - 0x20 : b) !== bytes[k]) continue next;
    }
    return word;
  }
  return '-';
}

/**
 * A dollar-quote opening at i: the tag ('' for `$$`), undefined when it is not one (`$1`, a lone `$`),
 * or needMore when the chunk ends before it can tell.
 */
function readDollarTag(chunk: Uint8Array, i: number): string | undefined | typeof needMore {
  let j = i + 1;
  if (j >= chunk.length) return needMore;
  if (chunk[j] === 0x24) return '';
  if (!isWordStart(chunk[j])) return undefined;
  while (j < chunk.length && j - i <= maxTag && isWordByte(chunk[j])) j++;
  if (j >= chunk.length) return needMore;
  if (chunk[j] !== 0x24) return undefined;
  return Buffer.from(chunk.subarray(i + 1, j)).toString('latin1');
}

function closesDollar(chunk: Uint8Array, i: number, tag: string): boolean {
  for (let k = 0; k < tag.length; k++) if (chunk[i + 1 + k] !== tag.charCodeAt(k)) return false;
  return chunk[i + 1 + tag.length] === 0x24;
}
