// Splitting a psql script into units as fast as the bytes arrive, the way psql's own lexer does
// (psqlscan.l, psqlscanslash.l, mainloop.c), without a parser: SQL statements (ending at a top-level
// `;` or at a meta-command that sends the query buffer), backslash meta-commands, and the data of a
// `COPY … FROM STDIN` (to the `\.` line). Each unit is marked suspicious when it could destroy
// something: a trigger word outside strings and comments, a psql variable, any meta-command. Only
// suspicious units are read further (src/sql/psql-script.ts); the rest pass untouched.
//
// psql's rules kept here:
//   - a meta-command starts at a backslash outside quotes, anywhere on a line; the query buffer
//     survives it (`DROP \echo x` + `TABLE t;` runs DROP TABLE t), so a meta-command inside a
//     statement is cut out of the statement's text and reported on its own;
//   - `\;` and `\:` are a literal `;` and `:` in the query (`\;` joins statements into one query);
//   - a meta-command's arguments end at the end of the line, or at `\\` (then SQL follows on the same
//     line) or at another `\` (another meta-command), except inside quotes, and except for the
//     commands that take the whole line (`\!`, `\copy`, `\o |cmd`…);
//   - `:name`, `:'name'`, `:"name"` and `:{?name}` outside quotes interpolate variables (`::` is a cast).
// The server's rules: `$` continues an identifier (`x$tag$` is no dollar quote), a dollar-quote tag
// has no length limit, `/* */` comments nest, E'…' strings take backslash escapes. With
// standard_conforming_strings off, backslashes escape in '…' strings too: once a script touches that
// setting, a plain string holding a backslash could end in two places, and everything from there on
// is marked as unreadable (`lost`).
//
// COPY … FROM STDIN data is data only if the COPY succeeds; when it fails, psql reads the "data" as
// SQL. So a shadow splitter reads the data as SQL too, and keeps reading past `\.` until it agrees
// with the main one again; its units are judged like any other (`shadow`).

/** Words that make a statement worth parsing: anything that can delete, overwrite or run code. */
const triggerWords = [
  'DROP', 'TRUNCATE', 'DELETE', 'UPDATE', 'DO', 'CALL', 'FUNCTION', 'PROCEDURE', 'REASSIGN', 'RULE', 'TRIGGER',
  'EXECUTE', 'PROGRAM', 'MERGE', 'ALTER', 'REVOKE', 'OWNED', 'DBLINK_EXEC', 'DBLINK', 'PG_TERMINATE_BACKEND',
  'PG_CANCEL_BACKEND', 'LO_UNLINK', 'LO_PUT', 'LO_FROM_BYTEA', 'LO_TRUNCATE', 'SET_CONFIG', 'PG_DROP_REPLICATION_SLOT',
  'PG_REPLICATION_ORIGIN_DROP', 'PG_PROMOTE', 'STANDARD_CONFORMING_STRINGS',
];
const triggerSet = new Set(triggerWords);

/** Meta-commands whose argument is the rest of the line, `\\` included (psql's OT_WHOLE_LINE). */
const wholeLine = new Set(['!', 'copy', 'ef', 'ev', 'sf', 'sf+', 'sv', 'sv+', 'h', 'help']);
/** Meta-commands that take `|command` as a whole-line argument (OT_FILEPIPE). */
const filePipe = new Set(['o', 'out', 'g', 'gx', 'w', 'write']);
/** Meta-commands that send the query buffer to the server. */
const sends = new Set(['g', 'gx', 'gset', 'gexec', 'gdesc', 'crosstabview', 'watch', 'bind']);

export interface Interpolation {
  /** Offsets in the whole stream of the `:name` token. */
  start: number;
  end: number;
  name: string;
  /** '' for :name, "'" for :'name', '"' for :"name", '?' for :{?name}. */
  quote: '' | "'" | '"' | '?';
}

export interface Unit {
  /** Offset in the whole stream up to which everything may be passed on once this unit is judged. */
  end: number;
  /** The unit's text is [from, to) of the stream, less `cuts`. */
  from: number;
  to: number;
  kind: 'sql' | 'meta' | 'copy-data';
  suspicious: boolean;
  /** Meta-commands inside a statement, cut out of its text (they are units of their own). */
  cuts?: [number, number][];
  vars?: Interpolation[];
  /** Why the unit cannot be read as it stands (an unterminated quote, an ambiguous string). */
  problem?: string;
  /** Read from COPY data as psql would if the COPY failed. */
  shadow?: boolean;
  /** Strings became ambiguous before this unit: its bounds are in doubt. */
  lost?: boolean;
  /** …and the bytes since then hold a `\c`, which may switch the target: where psql is connected is in doubt. */
  maybeConnect?: boolean;
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

const A = 0x41, Z = 0x5a, a = 0x61, z = 0x7a, ZERO = 0x30, NINE = 0x39, UNDERSCORE = 0x5f, DOLLAR = 0x24;
const BACKSLASH = 0x5c, NEWLINE = 0x0a, QUOTE = 0x27, DQUOTE = 0x22, COLON = 0x3a, BACKTICK = 0x60;
// Byte classes as tables: the hot loop looks them up instead of comparing ranges.
const WORD_START = 1, VAR = 2, WORD = 4, SPACE = 8, PLAIN = 16;
/** Bytes that only ever mean "code goes on" outside quotes: digits and operators with no second meaning. */
const special = new Set([QUOTE, DQUOTE, DOLLAR, 0x2d, 0x2f, BACKSLASH, COLON, BACKTICK, 0x28, 0x29, 0x3b]);
const byteClass = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const start = (b >= a && b <= z) || (b >= A && b <= Z) || b === UNDERSCORE || b >= 0x80;
  const digit = b >= ZERO && b <= NINE;
  const space = b === 0x20 || b === 0x09 || b === NEWLINE || b === 0x0d || b === 0x0c || b === 0x0b;
  byteClass[b] =
    (start ? WORD_START : 0) | (start || digit ? VAR : 0) | (start || digit || b === DOLLAR ? WORD : 0) |
    (space ? SPACE : 0) | (!start && !space && !special.has(b) ? PLAIN : 0);
}
const isWordStart = (b: number) => (byteClass[b] & WORD_START) !== 0;
const isVarByte = (b: number) => (byteClass[b] & VAR) !== 0;
const isWordByte = (b: number) => (byteClass[b] & WORD) !== 0;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === NEWLINE || b === 0x0d || b === 0x0c || b === 0x0b;

export interface SplitterOptions {
  /** Offset of the first byte fed, in the whole stream (for shadow splitters). */
  base?: number;
  /** standard_conforming_strings may already be off (PGOPTIONS, a connection string's options). */
  conformingStringsUnknown?: boolean;
  /** A shadow: no shadows of its own, no `unterminated` problems (a lexing error runs nothing). */
  shadow?: boolean;
  /**
   * ON_ERROR_STOP is on from the command line: a failed COPY stops psql, so its data is never SQL.
   * Any `\set`, `\unset`, `\gset`, `\if` or include may change that, and turns the shadow back on.
   */
  stopsOnError?: boolean;
}

export class ScriptSplitter {
  private state = State.Code;
  /** Global offset of the first byte not yet consumed. */
  private offset: number;
  /** Bytes held back from the previous chunk because a token could continue into this one. */
  private carry: Uint8Array = new Uint8Array(0);
  private parens = 0;
  private commentDepth = 0;
  private dollarTag: Uint8Array = new Uint8Array(0);
  private previousWord = '';
  private wordJustEnded = false;
  private wordsInStatement = 0;
  private firstWord = '';
  private suspicious = false;
  private copyFromStdin = false;
  /** Whether the statement in progress holds anything but whitespace and line comments. */
  private hasCode = false;
  /** Where the statement in progress started (its first byte of code). */
  private statementFrom = -1;
  private cuts: [number, number][] = [];
  private vars: Interpolation[] = [];
  /** standard_conforming_strings: 'on' as the server starts, 'unknown' once a script touches it. */
  private conforming: 'on' | 'unknown';
  /** Set when strings became ambiguous: every later unit is unreadable. */
  private lost?: string;
  private stringHasBackslash = false;
  /** Where a `\c` stands in bytes read after strings became ambiguous. */
  private connectAt?: number;
  private endedInBackslash = false;
  /** In a SET of standard_conforming_strings: 1 after its name, 2 after ON or TRUE, 3 after anything else. */
  private conformingStep = 0;
  private stringStart = 0;
  // Meta-command state: the name so far, whether arguments started, open quote, whole-line mode.
  private metaFrom = 0;
  private metaName = '';
  private metaInArgs = false;
  private metaQuote = 0;
  private metaWhole = false;
  private metaArgStart = true;
  /** In COPY data: the start of the current line (enough to see `\.`). */
  private copyLine = '';
  /**
   * One shadow per COPY whose data is still being read as SQL. A COPY while another's shadow reads
   * gets its own: the older shadow reads that COPY as a COPY (its data as data), which is right only
   * if this COPY succeeds.
   */
  private shadows: ScriptSplitter[] = [];
  /**
   * While shadows read: the offsets in this chunk where this splitter ended a statement and stood
   * clean, with its string state. A shadow that ends a statement at one of those offsets in the same
   * state is in the same state as this splitter: from there on both read alike, and the shadow stops.
   * Without this, agreement would be looked for only at chunk ends, where a statement is nearly always
   * open, and a shadow would read the whole rest of the stream.
   */
  private cleanEnds: { at: number; unknown: boolean; lost: boolean }[] = [];
  /** In a shadow: the main splitter's clean ends to agree with, and where it agreed. */
  private agreeWith?: { at: number; unknown: boolean; lost: boolean }[];
  private agreeIndex = 0;
  private agreedAt?: number;
  private stopsOnError: boolean;
  private readonly options: SplitterOptions;

  constructor(options: SplitterOptions = {}) {
    this.options = options;
    this.offset = options.base ?? 0;
    this.conforming = options.conformingStringsUnknown ? 'unknown' : 'on';
    this.stopsOnError = options.stopsOnError === true;
  }

  /** Units completed by this chunk, in order. */
  feed(input: Uint8Array): Unit[] {
    return this.withShadow(input, false);
  }

  /** The end of the stream: units still open are closed (psql runs a last statement without `;`). */
  finish(): Unit[] {
    return this.withShadow(new Uint8Array(0), true);
  }

  /** Whether the splitter is inside the data of a COPY … FROM STDIN (passed on as it comes). */
  get copying(): boolean {
    return this.state === State.CopyData;
  }

  /** The first stream offset whose bytes a unit still to come may need for its text. */
  get keepFrom(): number {
    let from = this.offset - this.carry.length;
    if (this.state === State.Meta) from = Math.min(from, this.metaFrom);
    if (this.statementFrom >= 0) from = Math.min(from, this.statementFrom);
    for (const shadow of this.shadows) from = Math.min(from, shadow.keepFrom);
    return from;
  }

  /** Nothing open: no statement, quote, comment, meta-command or COPY data in progress. */
  get clean(): boolean {
    return this.state === State.Code && !this.hasCode && this.carry.length === 0 && this.cuts.length === 0 && this.shadows.length === 0;
  }

  private withShadow(input: Uint8Array, final: boolean): Unit[] {
    const start = this.offset;
    this.cleanEnds = [];
    const units = this.scan(input, final);
    if (this.options.shadow || this.shadows.length === 0) return units;
    let out = units;
    const kept: ScriptSplitter[] = [];
    for (const shadow of this.shadows) {
      // Each shadow reads the same bytes from the start of its COPY's data on, until it agrees.
      const from = Math.max(0, (shadow.options.base ?? 0) - start);
      const read = shadow.readUntilAgreement(input.subarray(Math.min(from, input.length)), this.cleanEnds);
      if (shadow.agreedAt === undefined) {
        if (final) for (const unit of shadow.finish()) read.push(unit);
        // Agreeing at the chunk's end, with nothing open, is agreeing too.
        const agrees = this.state === State.Code && !this.hasCode && this.carry.length === 0 && shadow.clean && shadow.sameStrings(this);
        if (!final && !agrees) kept.push(shadow);
      }
      for (const unit of read) unit.shadow = true;
      // In stream order, so nothing is passed on before the units within it are judged.
      out = mergeByEnd(out, read);
    }
    this.shadows = kept;
    return out;
  }

  /** A shadow reads a chunk, and stops after a statement that ends where the main splitter stood clean. */
  private readUntilAgreement(input: Uint8Array, cleanEnds: { at: number; unknown: boolean; lost: boolean }[]): Unit[] {
    this.agreeWith = cleanEnds;
    this.agreeIndex = 0;
    this.agreedAt = undefined;
    try {
      return this.scan(input, false);
    } finally {
      this.agreeWith = undefined;
    }
  }

  /** Whether ending a statement at `at` leaves this shadow in the main splitter's state there. */
  private agrees(at: number): boolean {
    const list = this.agreeWith!;
    while (this.agreeIndex < list.length && list[this.agreeIndex].at < at) this.agreeIndex++;
    const end = list[this.agreeIndex];
    // Once strings are lost, where each reading thinks they end may differ: no agreement then.
    if (end === undefined || end.at !== at || end.unknown !== (this.conforming === 'unknown') || end.lost || this.lost !== undefined) return false;
    this.agreedAt = at;
    return true;
  }

  /** Strings are read alike: the same standard_conforming_strings state, and neither lost. */
  private sameStrings(other: ScriptSplitter): boolean {
    return this.conforming === other.conforming && this.lost === undefined && other.lost === undefined;
  }

  private scan(input: Uint8Array, final: boolean): Unit[] {
    const chunk = this.carry.length ? Buffer.concat([this.carry, input]) : Buffer.from(input.buffer, input.byteOffset, input.length);
    if (this.lost) this.lookForConnect(chunk, this.offset - this.carry.length, 0);
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
          if (byteClass[b] & (SPACE | PLAIN)) {
            // A run of whitespace, digits and plain operators at once: all it can do is start the code.
            let j = i;
            if (!this.hasCode) {
              while (j < n && byteClass[chunk[j]] & SPACE) j++;
              if (j < n && byteClass[chunk[j]] & PLAIN) this.code(base + j);
            }
            while (j < n && byteClass[chunk[j]] & (SPACE | PLAIN)) j++;
            this.wordJustEnded = false;
            i = j - 1;
            continue;
          }
          if (isWordStart(b)) {
            // A whole word at once; only short ones can be keywords that matter.
            let j = i + 1;
            while (j < n && isWordByte(chunk[j])) j++;
            if (j >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            this.code(base + i);
            this.endWord(keywordAt(chunk, i, j));
            i = j - 1;
            continue;
          }
          if (b >= ZERO && b <= NINE) {
            this.code(base + i);
            this.wordJustEnded = false;
            continue;
          }
          if ((b === 0x2d || b === 0x2f || b === DOLLAR || b === BACKSLASH || b === COLON) && i + 1 >= n && !final) {
            i = holdFrom(i);
            break scanning;
          }
          if (b === QUOTE) {
            // ' : E'…' honours backslash escapes.
            this.code(base + i);
            this.state = this.wordJustEnded && this.previousWord === 'E' ? State.EscapeQuote : State.SingleQuote;
            this.stringHasBackslash = false;
            this.stringStart = base + i;
          } else if (b === DQUOTE) {
            this.code(base + i);
            this.state = State.DoubleQuote;
            this.stringStart = base + i;
          } else if (b === DOLLAR) {
            this.code(base + i);
            const tag = readDollarTag(chunk, i);
            if (tag === needMore && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (tag instanceof Uint8Array) {
              this.dollarTag = tag;
              this.state = State.Dollar;
              i += tag.length + 1;
            } else if (chunk[i + 1] !== undefined && !(chunk[i + 1] >= ZERO && chunk[i + 1] <= NINE)) {
              // Not a dollar quote and not a parameter ($1): no PostgreSQL token, but what a shell line
              // leaves of a variable it could not know (`psql -c "$SQL"`). The grammar must see it.
              this.suspicious = true;
            }
          } else if (b === 0x2d && chunk[i + 1] === 0x2d) {
            this.state = State.LineComment;
            i++;
          } else if (b === 0x2f && chunk[i + 1] === 0x2a) {
            this.code(base + i);
            this.state = State.BlockComment;
            this.commentDepth = 1;
            i++;
          } else if (b === 0x60) {
            // A backtick is no PostgreSQL token: such text never runs as written. It is what a shell
            // line leaves of a command substitution whose output is not known (`psql -c "$(cat x)"`),
            // so the grammar must see it and call it unreadable.
            this.code(base + i);
            this.suspicious = true;
          } else if (b === 0x28) {
            // `$(` likewise: a dollar before a parenthesis starts no PostgreSQL token.
            if (i > 0 && chunk[i - 1] === 0x24) this.suspicious = true;
            this.parens++;
            this.code(base + i);
          } else if (b === 0x29) {
            if (this.parens > 0) this.parens--;
            this.code(base + i);
          } else if (b === 0x3b && this.parens === 0) {
            this.code(base + i);
            units.push(this.endStatement(base + i + 1));
            if (this.agreeWith !== undefined && this.state === State.Code && this.agrees(base + i + 1)) {
              i++;
              break scanning;
            }
          } else if (b === COLON) {
            this.code(base + i);
            const token = readVariable(chunk, i, final);
            if (token === needMore) {
              i = holdFrom(i);
              break scanning;
            }
            if (token === cast) i++;
            else if (token) {
              this.vars.push({ start: base + i, end: base + i + token.length, name: token.name, quote: token.quote });
              this.suspicious = true;
              i += token.length - 1;
            }
          } else if (b === BACKSLASH) {
            const next = chunk[i + 1];
            if (next === 0x3b || next === COLON) {
              // `\;` and `\:` put a plain `;` or `:` in the query: nothing ends, nothing interpolates.
              this.code(base + i);
              if (next === 0x3b) this.suspicious = true; // the query now holds several statements
              this.cuts.push([base + i, base + i + 1]); // the server gets the `;` without its backslash
              i++;
            } else {
              this.startMeta(base + i);
            }
          } else if (!isSpace(b)) {
            this.code(base + i);
          }
          this.wordJustEnded = false;
          continue;
        case State.SingleQuote: {
          if (this.conforming === 'unknown' || this.lost) {
            // Slow path: a backslash here is read differently with standard_conforming_strings off.
            if (b === BACKSLASH) this.stringHasBackslash = true;
            if (b !== QUOTE) continue;
          } else {
            const close = chunk.indexOf(QUOTE, i);
            if (close === -1) {
              i = n - 1;
              continue;
            }
            i = close;
          }
          if (i + 1 >= n && !final) {
            i = holdFrom(i);
            break scanning;
          }
          if (chunk[i + 1] === QUOTE) i++; // '' is a quote inside the string
          else {
            this.state = State.Code;
            this.closeString(chunk, base, i);
          }
          continue;
        }
        case State.EscapeQuote:
          if (b === BACKSLASH) {
            if (i + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            i++;
          } else if (b === QUOTE) {
            if (i + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (chunk[i + 1] === QUOTE) i++;
            else this.state = State.Code;
          }
          continue;
        case State.DoubleQuote: {
          const close = chunk.indexOf(DQUOTE, i);
          if (close === -1) i = n - 1;
          else {
            i = close;
            this.state = State.Code;
            this.closeString(chunk, base, i);
          }
          continue;
        }
        case State.Dollar:
          if (b === DOLLAR) {
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
          const newline = chunk.indexOf(NEWLINE, i);
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
        case State.Meta: {
          if (b === NEWLINE) {
            units.push(...this.endMeta(base + i + 1, base + i));
            continue;
          }
          if (!this.metaInArgs) {
            // The command name ends at whitespace or a backslash.
            if (isSpace(b) || (b === BACKSLASH && this.metaName.length > 0)) {
              this.metaInArgs = true;
              this.metaWhole = wholeLine.has(this.metaName.toLowerCase()) || this.metaName.startsWith('!');
              this.metaArgStart = true;
            } else {
              if (this.metaName.length < 64) this.metaName += String.fromCharCode(b);
              continue;
            }
          }
          if (this.metaWhole) {
            const newline = chunk.indexOf(NEWLINE, i);
            i = (newline === -1 ? n : newline) - 1;
            continue;
          }
          if (this.metaQuote) {
            if (b === this.metaQuote) this.metaQuote = 0;
            else if (b === BACKSLASH && this.metaQuote === QUOTE) {
              // '\'' inside a quoted argument
              if (i + 1 >= n && !final) {
                i = holdFrom(i);
                break scanning;
              }
              if (chunk[i + 1] !== NEWLINE) i++;
            }
            continue;
          }
          if (isSpace(b)) {
            this.metaArgStart = true;
            continue;
          }
          if (b === 0x7c && this.metaArgStart && filePipe.has(this.metaName.toLowerCase())) {
            this.metaWhole = true; // \o |command: the rest of the line is the command
            continue;
          }
          this.metaArgStart = false;
          if (b === QUOTE || b === DQUOTE || b === BACKTICK) this.metaQuote = b;
          else if (b === BACKSLASH) {
            if (i + 1 >= n && !final) {
              i = holdFrom(i);
              break scanning;
            }
            if (chunk[i + 1] === BACKSLASH) {
              // `\\` ends the meta-command; SQL follows on the same line.
              units.push(...this.endMeta(base + i + 2, base + i));
              i++;
            } else {
              // Another meta-command starts here.
              units.push(...this.endMeta(base + i, base + i));
              this.startMeta(base + i);
            }
          }
          continue;
        }
        case State.CopyData:
          if (this.copyLine.length === 3 || (this.copyLine.length > 0 && this.copyLine[0] !== '\\')) {
            // Not a `\.` line: skip to its end.
            const newline = chunk.indexOf(NEWLINE, i);
            if (newline === -1) {
              i = n - 1;
              continue;
            }
            i = newline;
            this.copyLine = '';
            continue;
          }
          if (b === NEWLINE) {
            if (this.copyLine === '\\.' || this.copyLine === '\\.\r') {
              this.state = State.Code;
              units.push({ end: base + i + 1, from: base + i + 1, to: base + i + 1, kind: 'copy-data', suspicious: false });
            }
            this.copyLine = '';
          } else if (this.copyLine.length < 3) {
            this.copyLine += String.fromCharCode(b);
          }
          continue;
      }
    }
    this.offset = base + i + this.carry.length;
    if (final && this.agreedAt === undefined) {
      if (this.state === State.Meta) units.push(...this.endMeta(this.offset, this.offset));
      if (this.state === State.CopyData) units.push({ end: this.offset, from: this.offset, to: this.offset, kind: 'copy-data', suspicious: false });
      else if (this.hasCode || this.state !== State.Code || this.cuts.length > 0) {
        // An unterminated quote or comment still counts: psql would send it as it is.
        const open = openWhat(this.state);
        const unit = this.endStatement(this.offset);
        if (open && !this.options.shadow) {
          unit.problem ??= `${open} at the end of the input`;
          unit.suspicious = true;
        }
        if (unit.to > unit.from || unit.cuts) units.push(unit);
      }
    }
    return units;
  }

  /** The statement in progress holds code from here on. */
  private code(at: number): void {
    if (!this.hasCode) {
      this.hasCode = true;
      if (this.statementFrom < 0) this.statementFrom = at;
    }
  }

  private endWord(word: string): void {
    if (this.wordsInStatement === 0) this.firstWord = word;
    this.wordsInStatement++;
    if (word === '-' && this.conformingStep === 0) {
      // Most words: no keyword the splitter acts on.
      this.previousWord = word;
      this.wordJustEnded = true;
      return;
    }
    if (triggerSet.has(word)) this.suspicious = true;
    if (word === 'STANDARD_CONFORMING_STRINGS') {
      // `SET standard_conforming_strings = on` (every pg_dump starts so) keeps it on; anything else may not.
      if (this.firstWord === 'SET' && this.conformingStep === 0) this.conformingStep = 1;
      else this.touchConforming();
    } else if (this.conformingStep === 1 && word !== 'TO') {
      this.conformingStep = word === 'ON' || word === 'TRUE' ? 2 : 3;
    } else if (this.conformingStep === 2) {
      this.conformingStep = 3;
    }
    if (this.firstWord === 'COPY' && this.previousWord === 'FROM' && word === 'STDIN') this.copyFromStdin = true;
    this.previousWord = word;
    this.wordJustEnded = true;
  }

  /** The script may change standard_conforming_strings: from here on, backslashes in '…' are ambiguous. */
  private touchConforming(): void {
    this.conforming = 'unknown';
    this.suspicious = true;
  }

  private closeString(chunk: Uint8Array, base: number, close: number): void {
    const start = this.stringStart - base;
    // The setting's name as a string or quoted identifier (set_config('standard_conforming_strings', …)).
    if (start >= 0 && close - start - 1 === 27 && Buffer.from(chunk.subarray(start + 1, close)).toString('latin1').toLowerCase() === 'standard_conforming_strings') {
      this.touchConforming();
    }
    if (this.conforming === 'unknown' && this.stringHasBackslash && !this.lost) {
      this.lost = 'a string holds a backslash after the script touched standard_conforming_strings, so where it ends depends on a setting chaperone cannot see';
      this.lookForConnect(chunk, base, close);
    }
    this.stringHasBackslash = false;
  }

  /** Once strings are ambiguous, any `\c` in the raw bytes (a string to us, maybe not to psql) may switch the target. */
  private lookForConnect(chunk: Uint8Array, base: number, from: number): void {
    if (this.connectAt !== undefined || from >= chunk.length) return;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.endedInBackslash && bytes[from] === 0x63) this.connectAt = base + from - 1;
    else if (bytes.indexOf('\\c', from) >= 0) this.connectAt = base + bytes.indexOf('\\c', from);
    this.endedInBackslash = bytes[bytes.length - 1] === BACKSLASH;
  }

  /** Whether a unit ending at `to` comes after a `\c` found in ambiguous bytes. */
  private afterConnect(to: number): boolean {
    return this.connectAt !== undefined && to > this.connectAt;
  }

  private startMeta(at: number): void {
    this.state = State.Meta;
    this.metaFrom = at;
    this.metaName = '';
    this.metaInArgs = false;
    this.metaQuote = 0;
    this.metaWhole = false;
  }

  /** A meta-command ends at `to` (its text) and the scan resumes at `end`. */
  private endMeta(end: number, to: number): Unit[] {
    const name = this.metaName.toLowerCase();
    if (/^(set|unset|gset|if|elif|else|i|ir|include|include_relative)$/.test(name)) this.stopsOnError = false;
    const from = this.metaFrom;
    this.state = State.Code;
    this.wordJustEnded = false;
    const units: Unit[] = [];
    if (this.hasCode || this.cuts.length > 0) {
      // Inside a statement: the query buffer survives it. Sending commands end the statement.
      this.cuts.push([from, end]);
      units.push({ end: this.statementFrom, from, to, kind: 'meta', suspicious: true, ...(this.lost ? { problem: this.lost, lost: true, maybeConnect: this.afterConnect(to) } : {}) });
      if (sends.has(name)) {
        const statement = this.endStatement(end);
        units.unshift(statement); // the query is sent as the command runs
        for (const unit of units) unit.end = end;
      } else {
        units[0].end = Math.max(0, this.statementFrom);
      }
      return units;
    }
    const unit: Unit = { end, from, to, kind: 'meta', suspicious: true, ...(this.lost ? { problem: this.lost, lost: true, maybeConnect: this.afterConnect(to) } : {}) };
    this.resetStatement();
    return [unit];
  }

  private endStatement(end: number): Unit {
    if (this.conformingStep === 1 || this.conformingStep === 3) this.touchConforming();
    const from = this.statementFrom < 0 ? end : this.statementFrom;
    const unit: Unit = { end, from, to: end, kind: 'sql', suspicious: this.suspicious || this.lost !== undefined };
    if (this.cuts.length) unit.cuts = this.cuts;
    if (this.vars.length) unit.vars = this.vars;
    if (this.lost) {
      unit.problem = this.lost;
      unit.lost = true;
      unit.maybeConnect = this.afterConnect(end);
    }
    const copy = this.copyFromStdin;
    this.resetStatement();
    if (copy) {
      this.state = State.CopyData;
      this.copyLine = '';
      // If the COPY fails, psql reads its data as SQL: so does the shadow.
      if (!this.options.shadow && !this.stopsOnError) this.shadows.push(new ScriptSplitter({ base: end, shadow: true, conformingStringsUnknown: this.conforming === 'unknown' }));
    } else {
      this.state = State.Code;
      if (this.shadows.length > 0) this.cleanEnds.push({ at: end, unknown: this.conforming === 'unknown', lost: this.lost !== undefined });
    }
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
    this.statementFrom = -1;
    this.cuts = [];
    this.vars = [];
    this.conformingStep = 0;
  }
}

/** Both lists in the order of a stable sort of their concatenation by `to`. */
function mergeByEnd(main: Unit[], shadow: Unit[]): Unit[] {
  if (shadow.length === 0) return main;
  const sorted = (list: Unit[]) => list.every((u, k) => k === 0 || list[k - 1].to <= u.to);
  if (!sorted(main) || !sorted(shadow)) return [...main, ...shadow].sort((x, y) => x.to - y.to);
  const out: Unit[] = [];
  let i = 0;
  let j = 0;
  while (i < main.length && j < shadow.length) out.push(main[i].to <= shadow[j].to ? main[i++] : shadow[j++]);
  while (i < main.length) out.push(main[i++]);
  while (j < shadow.length) out.push(shadow[j++]);
  return out;
}

function openWhat(state: State): string | undefined {
  switch (state) {
    case State.SingleQuote:
    case State.EscapeQuote:
      return 'an unterminated quoted string';
    case State.DoubleQuote:
      return 'an unterminated quoted identifier';
    case State.Dollar:
      return 'an unterminated dollar-quoted string';
    case State.BlockComment:
      return 'an unterminated /* comment';
    default:
      return undefined;
  }
}

const needMore = Symbol('need more bytes');
const cast = Symbol('a :: cast');

/**
 * The words the splitter acts on, as upper-case bytes, filed by length and first letter: most words
 * find an empty slot and are not compared at all.
 */
const keywordSlots: { word: string; bytes: Uint8Array }[][] = [];
const slotOf = (length: number, first: number) => (length << 5) | (first & 0x1f);
for (const word of [...triggerWords, 'COPY', 'FROM', 'STDIN', 'E', 'SET', 'TO', 'ON', 'TRUE']) {
  const bytes = Buffer.from(word, 'latin1');
  (keywordSlots[slotOf(bytes.length, bytes[0])] ??= []).push({ word, bytes });
}
const longestKeyword = Math.max(...triggerWords.map((w) => w.length));

/** The keyword spelled by chunk[i..j) in any case, or '-' for any other word (no string is built). */
function keywordAt(chunk: Uint8Array, i: number, j: number): string {
  if (j - i > longestKeyword) return '-';
  const candidates = keywordSlots[slotOf(j - i, chunk[i])];
  if (candidates === undefined) return '-';
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
 * A dollar-quote opening at i: the tag bytes (empty for `$$`), undefined when it is not one (`$1`, a
 * lone `$`), or needMore when the chunk ends before it can tell. Tags have no length limit.
 */
function readDollarTag(chunk: Uint8Array, i: number): Uint8Array | undefined | typeof needMore {
  let j = i + 1;
  if (j >= chunk.length) return needMore;
  if (chunk[j] === DOLLAR) return new Uint8Array(0);
  if (!isWordStart(chunk[j])) return undefined;
  while (j < chunk.length && isVarByte(chunk[j])) j++;
  if (j >= chunk.length) return needMore;
  if (chunk[j] !== DOLLAR) return undefined;
  return Uint8Array.prototype.slice.call(chunk, i + 1, j);
}

function closesDollar(chunk: Uint8Array, i: number, tag: Uint8Array): boolean {
  for (let k = 0; k < tag.length; k++) if (chunk[i + 1 + k] !== tag[k]) return false;
  return chunk[i + 1 + tag.length] === DOLLAR;
}

/** A psql variable reference at i (a `:`), as psqlscan.l reads one. */
function readVariable(chunk: Uint8Array, i: number, final: boolean): { length: number; name: string; quote: Interpolation['quote'] } | typeof cast | typeof needMore | undefined {
  const n = chunk.length;
  const next = chunk[i + 1];
  if (next === COLON) return cast;
  const nameAt = (from: number): number => {
    let j = from;
    while (j < n && isVarByte(chunk[j])) j++;
    return j;
  };
  const name = (from: number, to: number) => Buffer.from(chunk.subarray(from, to)).toString('utf8');
  if (next !== undefined && isVarByte(next)) {
    const j = nameAt(i + 1);
    if (j >= n && !final) return needMore;
    return { length: j - i, name: name(i + 1, j), quote: '' };
  }
  if (next === QUOTE || next === DQUOTE) {
    const j = nameAt(i + 2);
    if (j >= n && !final) return needMore;
    if (j > i + 2 && chunk[j] === next) return { length: j + 1 - i, name: name(i + 2, j), quote: next === QUOTE ? "'" : '"' };
    return undefined;
  }
  if (next === 0x7b) {
    if (i + 2 >= n && !final) return needMore;
    if (chunk[i + 2] !== 0x3f) return undefined;
    const j = nameAt(i + 3);
    if (j >= n && !final) return needMore;
    if (j > i + 3 && chunk[j] === 0x7d) return { length: j + 1 - i, name: name(i + 3, j), quote: '?' };
  }
  return undefined;
}
