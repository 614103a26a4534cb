// Splitting a mysql/mariadb client script into what the client does with it: SQL statements sent to the
// server, and the client's own commands (`use`, `source`, `system`, `delimiter`, `connect`, `\.`, `\!`, …).
// This follows the client's add_line() and find_command() (client/mysql.cc), line by line, as the bytes
// arrive, so a dump of any size is read in memory bounded by its longest statement:
//
//   - a statement ends at the delimiter (`;` unless DELIMITER changed it), at `\g` or `\G`, outside strings
//     and comments; `\c` throws the current statement away; `\q` ends the script;
//   - '…' and "…" strings take backslash escapes (unless the server runs with NO_BACKSLASH_ESCAPES, which
//     the caller can ask to read as well), `…` identifiers do not;
//   - `#` and `-- ` comments run to the end of the line and are not sent; `/* … */` is not sent, but
//     `/*! … */`, `/*M! … */` and `/*+ … */` are, and the server runs what is inside `/*! */`;
//   - a long command (`use db`, `source f.sql`, `delimiter //`) is recognised as the first word of a line
//     that starts a statement, or as the whole text of a statement ended by the delimiter; a short one
//     (`\u db`, `\. f.sql`, `\! ls`) anywhere outside a string, with its argument running to the delimiter
//     or the end of the line;
//   - at the end of input, and at `\q`/`quit`, the client sends what stands in its buffer, delimiter or not.

export type ScriptUnit =
  | {
      kind: 'sql';
      /** The statement as the client sends it: comments removed, executable comments (`/*!`) kept. */
      text: string;
      /** A backslash stood inside a '…' or "…" string: the statement reads differently without escapes. */
      backslashInString: boolean;
      /** The script ended inside a string or comment: what the server gets is not a whole statement. */
      unterminated?: boolean;
      /** Byte offsets of the start of the line where it began, and of the end of the line where it ended. */
      start: number;
      end: number;
    }
  | {
      kind: 'client';
      /** The command's long name (`use`, `source`, `system`, `connect`, `delimiter`, …). */
      command: string;
      argument: string;
      /** The command as written, for humans. */
      text: string;
      start: number;
      end: number;
    };

interface ClientCommand {
  name: string;
  short?: string;
  takesParams: boolean;
}

/** The client's commands (MariaDB 10.11 and MySQL 8.4), long name and short form. */
const clientCommands: ClientCommand[] = [
  { name: '?', short: '?', takesParams: true },
  { name: 'help', short: 'h', takesParams: true },
  { name: 'clear', short: 'c', takesParams: false },
  { name: 'connect', short: 'r', takesParams: true },
  { name: 'delimiter', short: 'd', takesParams: true },
  { name: 'edit', short: 'e', takesParams: false },
  { name: 'ego', short: 'G', takesParams: false },
  { name: 'exit', short: 'q', takesParams: false },
  { name: 'go', short: 'g', takesParams: false },
  { name: 'nopager', short: 'n', takesParams: false },
  { name: 'notee', short: 't', takesParams: false },
  { name: 'nowarning', short: 'w', takesParams: false },
  { name: 'pager', short: 'P', takesParams: true },
  { name: 'print', short: 'p', takesParams: false },
  { name: 'prompt', short: 'R', takesParams: true },
  { name: 'quit', short: 'q', takesParams: false },
  { name: 'rehash', short: '#', takesParams: false },
  { name: 'source', short: '.', takesParams: true },
  { name: 'status', short: 's', takesParams: false },
  { name: 'system', short: '!', takesParams: true },
  { name: 'tee', short: 'T', takesParams: true },
  { name: 'use', short: 'u', takesParams: true },
  { name: 'charset', short: 'C', takesParams: true },
  { name: 'warnings', short: 'W', takesParams: false },
  { name: 'resetconnection', short: 'x', takesParams: false },
  { name: 'query_attributes', takesParams: true },
  { name: 'ssl_session_data_print', takesParams: true },
];
const byShort = new Map(clientCommands.filter((c) => c.short).map((c) => [c.short!, c]));
const byName = new Map(clientCommands.map((c) => [c.name, c]));

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

export interface ReaderOptions {
  delimiter?: string;
  /** Read '…' and "…" strings with backslash escapes, as a server without NO_BACKSLASH_ESCAPES does. */
  backslashEscapes?: boolean;
}

export class MysqlScriptReader {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Byte offset of the end of the last whole line read, and of the start of the line being read. */
  private lineEnd = 0;
  private lineStart = 0;
  /** Byte offset of the line where the text in `buffer` began. */
  private bufferFrom = 0;
  private delimiterText = ';';

  private get delimiter(): string {
    return this.delimiterText;
  }

  private set delimiter(value: string) {
    this.delimiterText = value;
    this.special = specialCharacters(value);
  }
  /** The characters that can change what the client does, in code outside strings and comments. */
  private special = specialCharacters(';');
  private readonly escapes: boolean;
  private buffer = '';
  private inString = '';
  private mlComment = false;
  private backslashInString = false;
  private quit = false;
  private out: ScriptUnit[] = [];

  constructor(options: ReaderOptions = {}) {
    this.delimiter = options.delimiter || ';';
    this.escapes = options.backslashEscapes ?? true;
  }

  push(chunk: Buffer | string): ScriptUnit[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Lines are cut at their byte 0x0A, which never stands inside a UTF-8 character, so each line
    // decodes alone and every unit knows the byte offset where its line ends.
    let from = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, from)) {
      const piece = bytes.subarray(from, nl);
      const line = this.partial.length ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.partialBytes = 0;
      this.readLine(line.toString('utf8'), line.length + 1);
      from = nl + 1;
    }
    if (from < bytes.length) {
      // A long line arriving in pieces is decoded once, when it ends.
      this.partial.push(bytes.subarray(from));
      this.partialBytes += bytes.length - from;
    }
    return this.take();
  }

  finish(): ScriptUnit[] {
    if (this.partialBytes > 0) {
      const line = Buffer.concat(this.partial);
      this.partial = [];
      this.partialBytes = 0;
      this.readLine(line.toString('utf8'), line.length);
    }
    // In batch mode the client sends the last statement even without a delimiter.
    if (!this.quit && this.buffer.trim() !== '') this.endStatement(this.inString !== '' || this.mlComment);
    return this.take();
  }

  /** Bytes of whole lines read so far. */
  get offset(): number {
    return this.lineEnd;
  }

  /**
   * Everything before this offset may reach the client once the units returned so far are allowed:
   * the start of the line where the statement still being read began (the client would send even an
   * unfinished statement when its input ends), else all lines read.
   */
  get safeUpTo(): number {
    return this.buffer !== '' ? this.bufferFrom : this.lineEnd;
  }

  /** Whether the input ended inside a `/* … *\/` comment, whose text the client never sends. */
  get inComment(): boolean {
    return this.mlComment;
  }

  /** Whether the script has quit (`\q`, `exit`): the client reads no more. */
  get ended(): boolean {
    return this.quit;
  }

  private take(): ScriptUnit[] {
    const units = this.out;
    this.out = [];
    return units;
  }

  private readLine(rawLine: string, bytes: number): void {
    this.lineStart = this.lineEnd;
    this.lineEnd += bytes;
    if (this.quit) return;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (this.buffer === '' && !this.mlComment && !this.inString) {
      const command = this.longCommand(line);
      if (command) {
        this.runCommand(command, argumentOf(line, command), line.trim());
        return;
      }
    }
    this.addLine(line);
  }

  /** find_command(name): a line (or a statement) whose first word is a client command. */
  private longCommand(text: string): ClientCommand | undefined {
    const trimmed = text.replace(/^\s+/, '');
    const isDelimiterCommand = /^delimiter(\s|$)/i.test(trimmed);
    if (trimmed.includes('\\g') || (trimmed.includes(this.delimiter) && !isDelimiterCommand)) return undefined;
    const match = /^(\S+)(\s+\S[\s\S]*)?$/.exec(trimmed.replace(/\s+$/, ''));
    if (!match) return undefined;
    const command = byName.get(match[1].toLowerCase());
    if (!command || (match[2] !== undefined && !command.takesParams)) return undefined;
    return command;
  }

  /** add_line(): one line of input, outside a long command. Jumps from one character that matters to the next. */
  private addLine(line: string): void {
    let out = ''; // this statement's text from this line, up to `from`
    let from = 0; // line[from, i) is still to be copied to out
    let i = 0;
    const skipSpaces = () => {
      if (this.buffer || out) return;
      while (i < line.length && isSpace(line[i])) i++;
      from = i;
    };
    skipSpaces();
    while (i < line.length) {
      if (this.mlComment) {
        const end = line.indexOf('*/', i);
        if (end === -1) {
          i = from = line.length;
          break;
        }
        this.mlComment = false;
        i = from = end + 2;
        out += ' ';
        continue;
      }
      if (this.inString) {
        const escapes = this.inString !== '`' && this.escapes;
        const k = nextOf(line, i, this.inString, escapes ? '\\' : undefined);
        if (k === -1) {
          i = line.length;
          break;
        }
        if (line[k] === '\\') {
          this.backslashInString = true;
          i = k + 2;
          continue;
        }
        this.inString = '';
        i = k + 1;
        continue;
      }
      this.special.lastIndex = i;
      const m = this.special.exec(line);
      if (!m) {
        i = line.length;
        break;
      }
      const k = m.index;
      const c = line[k];
      const next = line[k + 1];
      if (c === '\\') {
        if (next === undefined) {
          out += line.slice(from, k); // a lone backslash at the end of a line is dropped
          i = from = line.length;
          break;
        }
        const command = next === 'N' ? undefined : byShort.get(next);
        if (!command) {
          i = k + 2; // \N (NULL), or an unknown command the client warns about and keeps
          continue;
        }
        this.append(out + line.slice(from, k));
        out = '';
        let end = k + 2;
        if (command.takesParams) {
          const at = line.indexOf(this.delimiter, k + 2);
          end = at === -1 ? line.length : at + this.delimiter.length;
        }
        const argument = command.takesParams ? stripSuffix(line.slice(k + 2, end), this.delimiter).trim() : '';
        this.runCommand(command, argument, line.slice(k, end).trim());
        if (this.quit) return;
        i = from = end;
        continue;
      }
      if (line.startsWith(this.delimiter, k)) {
        this.append(out + line.slice(from, k));
        out = '';
        i = from = k + this.delimiter.length;
        const command = this.longCommand(this.buffer);
        if (command) {
          const text = this.buffer.trim();
          this.buffer = '';
          this.backslashInString = false;
          this.runCommand(command, argumentOf(text, command), text);
          if (this.quit) return;
        } else {
          this.endStatement(false);
        }
        skipSpaces();
        continue;
      }
      if (c === '#' || (c === '-' && next === '-' && (k + 2 >= line.length || isSpace(line[k + 2]) || (!this.buffer && !out && from === k)))) {
        out += line.slice(from, k); // a comment to the end of the line; not sent
        i = from = line.length;
        break;
      }
      if (c === '/' && next === '*' && !isServerComment(line, k)) {
        out += line.slice(from, k);
        this.mlComment = true;
        i = from = k + 2;
        continue;
      }
      if (c === "'" || c === '"' || c === '`') this.inString = c;
      i = k + 1;
    }
    out += line.slice(from, i);
    // A statement that is only white space so far is no statement (is_space_buffer).
    if (this.buffer !== '' || out.trim() !== '') this.append(`${out}\n`);
  }

  private append(text: string): void {
    if (this.buffer === '' && text !== '') this.bufferFrom = this.lineStart;
    this.buffer += text;
  }

  private endStatement(unterminated: boolean): void {
    const text = this.buffer.trim();
    if (text !== '') {
      this.out.push({ kind: 'sql', text, backslashInString: this.backslashInString, start: this.bufferFrom, end: this.lineEnd, ...(unterminated ? { unterminated } : {}) });
    }
    this.buffer = '';
    this.backslashInString = false;
  }

  private runCommand(command: ClientCommand, argument: string, text: string): void {
    switch (command.name) {
      case 'go':
      case 'ego':
        this.endStatement(false);
        return;
      case 'clear':
        this.buffer = '';
        this.backslashInString = false;
        break;
      case 'quit':
      case 'exit':
        // com_quit ends the loop with exit status 0, and in batch mode the client then sends what
        // stands in the buffer, as at the end of input: `DROP TABLE t \\q` runs the DROP.
        if (this.buffer.trim() !== '') this.endStatement(this.inString !== '' || this.mlComment);
        this.quit = true;
        this.buffer = '';
        break;
      case 'delimiter': {
        const word = unquote(argument.split(/\s+/)[0] ?? '');
        if (word !== '' && !word.includes('\\')) this.delimiter = word;
        break;
      }
    }
    // A command inside an unfinished statement (`SELECT 1 \\. f.sql`) starts where the statement did.
    const start = this.buffer !== '' ? Math.min(this.bufferFrom, this.lineStart) : this.lineStart;
    this.out.push({ kind: 'client', command: command.name, argument: unquote(argument), text, start, end: this.lineEnd });
  }
}

function specialCharacters(delimiter: string): RegExp {
  return new RegExp(`[\\\\'"\`#\\-/${delimiter[0].replace(/[\\\]^-]/g, '\\$&')}]`, 'g');
}

/** The first index at or after `from` of `a` (or of `b`), or -1. */
function nextOf(line: string, from: number, a: string, b?: string): number {
  const ia = line.indexOf(a, from);
  if (b === undefined) return ia;
  const ib = line.indexOf(b, from);
  return ia === -1 ? ib : ib === -1 ? ia : Math.min(ia, ib);
}

function stripSuffix(text: string, suffix: string): string {
  return text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

/** The argument of a long command: what follows its name; but for `delimiter`, without a trailing `;`. */
function argumentOf(text: string, command: ClientCommand): string {
  const argument = text.trim().replace(/^\S+\s*/, '');
  return command.name === 'delimiter' ? argument : argument.replace(/;$/, '').trim();
}

/** `/*!`, `/*M!` and `/*+` are sent to the server, and the server runs what is inside `/*!`. */
function isServerComment(line: string, i: number): boolean {
  const after = line[i + 2];
  return after === '!' || after === '+' || (after === 'M' && line[i + 3] === '!');
}

function unquote(text: string): string {
  const m = /^(['"`])([\s\S]*)\1$/.exec(text);
  return m ? m[2] : text;
}

/** Every unit of a whole script held in memory. */
export function readMysqlScriptText(text: string, options: ReaderOptions = {}): ScriptUnit[] {
  const reader = new MysqlScriptReader(options);
  return [...reader.push(text), ...reader.finish()];
}
