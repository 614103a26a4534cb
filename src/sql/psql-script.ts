// A psql script read the way psql runs it. The splitter (split.ts) finds the units; this follows
// psql's state through them: variables (`-v`, `\set`, `\unset`, `\gset` and `\prompt` make them
// unknown), the connection (`\c` sends what follows to another target), includes (`\i`, `\ir`), the
// shell (`\!`, `\o |cmd`, backticks, `\copy … program`), and `\if` (every branch is judged, so a
// variable set inside one is unknown after it). SQL goes to PostgreSQL's grammar (postgres.ts).
//
// What comes out: commands for the rules (`sql drop table`, `sql unreadable`, …), and nested lines
// (src/nested.ts) for what runs elsewhere: shell commands, and the statements after a `\c`, as a
// `psql -d NEWDB -c …` judged against the new target with its own evidence.

import { closeSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import type { Command, NestedLine } from '../model.js';
import { openRegularFile } from '../payload/stdin.js';
import { isConnectionString } from '../tools/libpq.js';
import { readSql, readStatements } from './postgres.js';
import type { Interpolation } from './split.js';
import { rawText, UnitScanner, type ReadUnit } from './units.js';

const maxIncludeDepth = 8;
const chunkSize = 64 * 1024;
/** How deep variables may refer to variables before the text is unreadable. */
const maxExpansion = 8;

export interface ScriptPlace {
  cwd: string;
  /** The directory of the script being read, for `\ir`; cwd for -c and stdin. */
  scriptDir: string;
  depth?: number;
  /** The home directory `\i ~/file` names (the command's HOME). */
  home?: string;
}

/** Where psql is connected, as libpq values; `unknown` after a `\c` chaperone cannot read. */
export type ConnectionValues = Partial<Record<'host' | 'port' | 'user' | 'dbname', string>>;

export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  /** `-v name=value` and `--set`, in order. */
  variables?: [string, string][];
  /** The connection psql starts with (libpq's resolution of its arguments). */
  connection?: ConnectionValues;
  /** standard_conforming_strings may be off from the start (PGOPTIONS). */
  conformingStringsUnknown?: boolean;
}

/**
 * Set on the environment of a nested `psql -c TEXT` that this reader hands to src/nested.ts for text
 * it could not read after a `\c`: that psql is judged as unreadable, against the new target. It can
 * only make a decision stricter, so an agent gains nothing by setting it.
 */
export const unreadableMarker = 'CHAPERONE_PSQL_UNREADABLE';
/** A target nothing can classify: unknown, which counts as production. */
const unknownTarget = ['psql', '-X', '-h', '?', '-d', '?'];

/** A variable whose value comes from the server or a terminal: chaperone cannot know it. */
const unknown = Symbol('unknown value');
type Value = string | typeof unknown;

/** What a script asks for, read unit by unit as the bytes arrive. */
export class PsqlSession {
  private vars = new Map<string, Value>();
  private lostTarget = false;
  /** Actions of statement shapes already read (see shapeOf), a bounded cache. */
  private shapes = new Map<string, Command[]>();
  private unknownPrefixes: string[] = [];
  private conditionals = 0;
  /** Set after a `\c`: the argv that resolves the new target, and how the script said it. */
  private switched?: { argv: string[]; via: string };
  private connection: ConnectionValues;
  private env: NodeJS.ProcessEnv;
  private commands: Command[] = [];
  private nested: NestedLine[] = [];
  private seen = new Set<string>();
  private added = new WeakSet<Command>();
  readonly conformingStringsUnknown: boolean;

  constructor(private place: ScriptPlace, options: SessionOptions = {}) {
    this.env = { ...(options.env ?? {}) };
    this.connection = { ...(options.connection ?? {}) };
    for (const [name, value] of options.variables ?? []) this.vars.set(name, value);
    this.conformingStringsUnknown = options.conformingStringsUnknown ?? false;
  }

  /** The commands and nested lines found since the last take (memory stays flat: each kind once). */
  take(): { commands: Command[]; nested: NestedLine[] } {
    const out = { commands: this.commands, nested: this.nested };
    this.commands = [];
    this.nested = [];
    this.seen.clear();
    this.added = new WeakSet();
    return out;
  }

  newScanner(): UnitScanner {
    const stop = this.vars.get('ON_ERROR_STOP');
    const stopsOnError = typeof stop === 'string' && /^(on|1|true|yes)$/i.test(stop) && this.conditionals === 0;
    return new UnitScanner({ conformingStringsUnknown: this.conformingStringsUnknown, stopsOnError });
  }

  /** A `-c` string: SQL sent to the server as it is (no psql lexing), or one meta-command. */
  async readCommandString(text: string): Promise<void> {
    if (text.startsWith('\\')) {
      // psql runs one backslash command from -c; anything after its arguments is ignored.
      const scanner = this.newScanner();
      const units = [...scanner.push(Buffer.from(text)), ...scanner.finish()];
      const first = units.find((u) => u.kind === 'meta');
      if (first) await this.readUnits([first]);
      return;
    }
    // The grammar loads only when a cheap scan finds something that could destroy (`-c "select 1"` never).
    const scanner = this.newScanner();
    if ([...scanner.push(Buffer.from(text)), ...scanner.finish()].some((u) => u.suspicious)) await this.sql(text);
  }

  /** A whole script held in memory. */
  async readScript(text: string | Buffer): Promise<void> {
    const scanner = this.newScanner();
    await this.readUnits(scanner.push(Buffer.isBuffer(text) ? text : Buffer.from(text)));
    await this.readUnits(scanner.finish());
  }

  /** A regular file, read by position in chunks (its offset never moves), or why it cannot be read. */
  async readFile(path: string, shown: string): Promise<void> {
    if (path === '/dev/null') return; // empty, and reading it takes nothing from psql
    const opened = openRegularFile(path);
    if (!opened.ok) {
      this.unreadable(`${shown} (${opened.why})`);
      return;
    }
    const outer = this.place;
    this.place = { ...outer, scriptDir: dirname(path) };
    try {
      await this.readFd(opened.fd);
    } finally {
      closeSync(opened.fd);
      this.place = outer;
    }
  }

  /** Every byte of a regular file descriptor, by position (its offset never moves), chunk by chunk. */
  async readFd(fd: number): Promise<void> {
    const scanner = this.newScanner();
    const buffer = Buffer.alloc(chunkSize);
    for (let position = 0; ; ) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) break;
      position += n;
      await this.readUnits(scanner.push(Buffer.from(buffer.subarray(0, n))));
    }
    await this.readUnits(scanner.finish());
  }

  /** The suspicious units of a stretch of script, in order; the others cannot destroy anything. */
  async readUnits(units: readonly ReadUnit[]): Promise<void> {
    // Plain statements go to the grammar in batches (one parse for many DELETEs), and a statement of a
    // shape already read (the same text but for its numbers) is not parsed again.
    let batch: { text: string; key: string }[] = [];
    let batchSize = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const items = batch;
      batch = [];
      batchSize = 0;
      const joined = items.map((i) => i.text).join('\n');
      const statements = await readStatements(joined);
      if (statements.some((st) => st.commands.some((c) => c.path[1] === 'unreadable'))) {
        for (const item of items) await this.sql(item.text);
        return;
      }
      // Which unit each statement came from, by byte offset in the joined text.
      const starts: number[] = [];
      let at = 0;
      for (const item of items) {
        starts.push(at);
        at += Buffer.byteLength(item.text) + 1;
      }
      const perUnit: Command[][] = items.map(() => []);
      for (const st of statements) {
        let k = starts.length - 1;
        while (k > 0 && starts[k] > st.location) k--;
        perUnit[k].push(...st.commands);
      }
      items.forEach((item, k) => {
        if (item.key) this.remember(item.key, perUnit[k]);
        for (const command of perUnit[k]) this.add(command);
      });
    };
    for (const unit of units) {
      if (!unit.suspicious || !unit.pieces) continue;
      if (unit.maybeConnect && !this.lostTarget) {
        // Where strings end is in doubt, so is whether a `\c` hides in them: the target is unknown now.
        this.lostTarget = true;
        this.switched = { argv: unknownTarget, via: 'psql (after strings chaperone cannot delimit, the connection is in doubt)' };
      }
      if (unit.pieces.some((p) => typeof p === 'string' && p.includes('\u0000'))) {
        // psql cuts a line at a NUL byte, and the grammar stops at one: read neither way, it is unreadable.
        this.unreadable(`${snippet(rawText(unit.pieces).replace(/\u0000/g, '\\0'))} (a NUL byte, where psql and the server cut the text)`);
        if (unit.kind !== 'meta') continue;
      }
      if (unit.kind === 'sql' && !unit.problem && !unit.shadow && !unit.vars && !this.switched && unit.pieces.length === 1) {
        const raw = unit.pieces[0] as string;
        const text = /;\s*$/.test(raw) ? raw : `${raw};`;
        const key = shapeOf(text);
        const known = key ? this.shapes.get(key) : undefined;
        if (known) {
          for (const command of known) this.add(command);
          continue;
        }
        batch.push({ text, key });
        batchSize += text.length;
        if (batchSize > 8 * 1024) await flush();
        continue;
      }
      await flush();
      if (unit.problem && unit.kind === 'sql') {
        this.unreadable(`${snippet(rawText(unit.pieces))} (${unit.problem})`);
        continue;
      }
      if (unit.kind === 'meta') await this.meta(unit.pieces, unit.problem);
      else if (unit.kind === 'sql') {
        const text = this.expand(unit.pieces, 0);
        if (typeof text !== 'string') this.unreadable(`${snippet(rawText(unit.pieces))} (${text.why})`);
        else await this.sql(text, unit.shadow ? 'if the COPY before it fails, psql runs its data as SQL: ' : '');
      }
    }
    await flush();
  }

  // ── SQL ──────────────────────────────────────────────────────────────────────────────────────────

  private async sql(text: string, prefix = ''): Promise<void> {
    let commands = await readSql(text);
    // Data read as SQL after a failed COPY: what the server's grammar rejects, the server runs not.
    if (prefix) commands = commands.filter((c) => c.path[1] !== 'unreadable');
    if (this.switched && commands.some((c) => !benign(c))) {
      // After \c the statement runs against another target: judged as psql connected there.
      // One statement of each kind per target is enough to judge (a dump's thousand DROPs are one).
      const kinds = commands.map((c) => `${c.path.join(' ')}|${[...c.flags.keys()].sort().join(',')}`).sort().join(';');
      this.addNested({ via: `psql ${this.switched.via}`, argv: [...this.switched.argv, '-c', text], where: 'local', env: this.env, cwd: this.place.cwd }, kinds);
      return;
    }
    for (const command of commands) this.add(prefix ? { ...command, text: `${prefix}${command.text ?? ''}` } : command);
  }

  /** A unit's text with its variables substituted as psql would, or why that cannot be known. */
  private expand(pieces: readonly (string | Interpolation)[], depth: number): string | { why: string } {
    let out = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        out += piece;
        continue;
      }
      const value = this.lookup(piece.name);
      if (piece.quote === '?') {
        out += value === undefined ? 'FALSE' : 'TRUE';
        continue;
      }
      if (value === undefined) {
        out += rawText([piece]); // psql leaves an unset variable as it is
        continue;
      }
      if (piece.quote === "'") {
        // A literal whatever the value: an unknown one cannot change the statement's shape.
        out += value === unknown ? "'?'" : quoteLiteral(value);
        continue;
      }
      if (piece.quote === '"') {
        out += value === unknown ? '"?"' : `"${value.replace(/"/g, '""')}"`;
        continue;
      }
      if (value === unknown) return { why: `it uses :${piece.name}, whose value comes from the server or a terminal` };
      // psql lexes the value as part of the script: it may hold statements, quotes, more variables.
      if (depth >= maxExpansion) return { why: `variables refer to variables more than ${maxExpansion} deep` };
      const scanner = new UnitScanner();
      const units = [...scanner.push(Buffer.from(value)), ...scanner.finish()];
      if (units.some((u) => u.kind !== 'sql' || u.problem)) {
        return { why: `:${piece.name} holds a meta-command or an unterminated quote or comment, which changes how psql reads the rest` };
      }
      const inner = this.expand(piecesOf(value), depth + 1);
      if (typeof inner !== 'string') return inner;
      out += inner;
    }
    return out;
  }

  private lookup(name: string): Value | undefined {
    if (this.vars.has(name)) return this.vars.get(name);
    return this.unknownPrefixes.some((p) => name.startsWith(p)) ? unknown : undefined;
  }

  private setVar(name: string, value: Value): void {
    this.vars.set(name, this.conditionals > 0 ? unknown : value);
  }

  // ── meta-commands ────────────────────────────────────────────────────────────────────────────────

  private async meta(pieces: readonly (string | Interpolation)[], problem?: string): Promise<void> {
    const text = rawText(pieces);
    const line = text.trim();
    // A meta-command read in doubt still acts (a \c, a shell), and is unreadable as well.
    if (problem) this.unreadable(`${line} (${problem})`);
    const match = /^\\([^\s\\]*)([\s\S]*)$/.exec(line);
    if (!match) return;
    const name = match[1].toLowerCase();
    const rest = match[2];
    const via = `psql ${snippet(line)}`;
    if (name.startsWith('!')) {
      const command = (name.slice(1) + rest).trim();
      this.addNested(command ? { via, line: command, where: 'local', env: this.env, cwd: this.place.cwd } : { via, where: 'local' });
      return;
    }
    if (['o', 'out', 'g', 'gx', 'w', 'write'].includes(name) && rest.trim().startsWith('|')) {
      this.addNested({ via, line: rest.trim().slice(1).trim(), where: 'local', env: this.env, cwd: this.place.cwd });
      return;
    }
    if (name === 'copy') {
      await this.copy(rest.trim(), via);
      return;
    }
    if (['ef', 'ev', 'sf', 'sf+', 'sv', 'sv+', 'h', 'help'].includes(name)) {
      if (name === 'ef' || name === 'ev') this.unreadable(`${line} (opens an editor whose result psql runs)`);
      return;
    }
    const args = this.args(rest);
    for (const shell of args.flatMap((a) => a.shell)) this.addNested({ via: `${via} (backtick)`, line: shell, where: 'local', env: this.env, cwd: this.place.cwd });
    const value = (a: Arg | undefined) => a?.value;
    switch (name) {
      case 'set': {
        if (args.length === 0) return;
        const [first, ...values] = args;
        if (first.value === unknown) return; // a variable named by an unknown: cannot say which changes
        this.setVar(first.value, values.some((v) => v.value === unknown) ? unknown : values.map((v) => v.value).join(''));
        return;
      }
      case 'unset':
        if (typeof args[0]?.value === 'string') {
          if (this.conditionals > 0) this.vars.set(args[0].value, unknown);
          else this.vars.delete(args[0].value);
        }
        return;
      case 'gset': {
        // The query's columns name the variables: any with this prefix may now hold anything.
        const prefix = value(args[0]);
        this.unknownPrefixes.push(typeof prefix === 'string' ? prefix : '');
        for (const key of [...this.vars.keys()]) if (typeof prefix !== 'string' || key.startsWith(prefix)) this.vars.delete(key);
        return;
      }
      case 'prompt': {
        const target = value(args.at(-1));
        if (typeof target === 'string') this.vars.set(target, unknown);
        return;
      }
      case 'if':
        this.conditionals++;
        return;
      case 'endif':
        if (this.conditionals > 0) this.conditionals--;
        return;
      case 'setenv': {
        const key = value(args[0]);
        if (typeof key !== 'string') return;
        const val = value(args[1]);
        if (val === undefined) delete this.env[key];
        else this.env[key] = typeof val === 'string' ? val : '';
        return;
      }
      case 'cd': {
        const dir = value(args[0]);
        if (typeof dir === 'string') this.place = { ...this.place, cwd: resolve(this.place.cwd, dir) };
        return;
      }
      case 'gexec':
        this.add({ path: ['sql', 'gexec'], flags: new Map(), text: line });
        return;
      case 'lo_unlink':
        this.add({ path: ['sql', 'lo-unlink'], flags: new Map(), text: line });
        return;
      case 'e':
      case 'edit':
        this.unreadable(`${line} (opens an editor whose result psql runs)`);
        return;
      case 'c':
      case 'connect':
        this.connect(args, line);
        return;
      case 'i':
      case 'include':
      case 'ir':
      case 'include_relative':
        await this.include(name, args[0], line);
        return;
      default:
        return;
    }
  }

  /** `\c [-reuse-previous=on|off] [dbname [user [host [port]]]]` or `\c conninfo`: a new target. */
  private connect(args: Arg[], line: string): void {
    const words = args.map((a) => a.value);
    let reuse: boolean | undefined;
    if (typeof words[0] === 'string' && words[0].startsWith('-reuse-previous=')) {
      reuse = /^(on|true|yes|1)$/i.test(words[0].slice('-reuse-previous='.length));
      words.shift();
    }
    if (words.some((w) => w === unknown)) {
      this.switched = { argv: unknownTarget, via: `${line} (to a target chaperone cannot read)` };
      return;
    }
    const [db, user, host, port] = words as (string | undefined)[];
    const keep = (v: string | undefined) => v === undefined || v === '-';
    let next: ConnectionValues;
    if (db !== undefined && isConnectionString(db)) {
      next = reuse === true ? { ...this.connection } : {};
      this.switched = { argv: ['psql', '-X', '-d', db, ...(reuse ? this.flags(next, ['host', 'port', 'user']) : [])], via: line };
      this.connection = next;
      return;
    }
    next = reuse === false ? {} : { ...this.connection };
    if (!keep(db)) next.dbname = db;
    if (!keep(user)) next.user = user;
    if (!keep(host)) next.host = host;
    if (!keep(port)) next.port = port;
    this.connection = next;
    this.switched = { argv: ['psql', '-X', ...this.flags(next, ['host', 'port', 'user', 'dbname'])], via: line };
  }

  private flags(values: ConnectionValues, keys: (keyof ConnectionValues)[]): string[] {
    const flag = { host: '-h', port: '-p', user: '-U', dbname: '-d' } as const;
    return keys.flatMap((k) => (values[k] !== undefined ? [flag[k], values[k] as string] : []));
  }

  private async include(name: string, arg: Arg | undefined, line: string): Promise<void> {
    if (!arg || typeof arg.value !== 'string') {
      this.unreadable(`${line} (names a file chaperone cannot know)`);
      return;
    }
    const depth = (this.place.depth ?? 0) + 1;
    if (depth > maxIncludeDepth) {
      this.unreadable(`${line} (includes nested deeper than ${maxIncludeDepth})`);
      return;
    }
    if (arg.value === '-') {
      this.unreadable(`${line} (reads the terminal or stdin)`);
      return;
    }
    const relative = name === 'ir' || name === 'include_relative';
    // psql expands a leading `~` in the name, as the shell would.
    const home = this.place.home;
    const named = home !== undefined && (arg.value === '~' || arg.value.startsWith('~/')) ? home + arg.value.slice(1) : arg.value;
    const file = resolve(relative ? this.place.scriptDir : this.place.cwd, named);
    const outer = this.place;
    this.place = { ...outer, depth };
    try {
      await this.readFile(file, line);
    } finally {
      this.place = outer;
    }
  }

  /** `\copy`: a query inside parentheses is SQL; `program 'cmd'` runs a shell here. */
  private async copy(rest: string, via: string): Promise<void> {
    const program = /\bprogram\s+('(?:[^']|'')*'|"(?:[^"]|"")*"|\S+)/i.exec(rest);
    if (program) {
      const raw = program[1];
      const command = /^'/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : /^"/.test(raw) ? raw.slice(1, -1) : raw;
      this.addNested({ via, line: command, where: 'local', env: this.env, cwd: this.place.cwd });
    }
    if (rest.startsWith('(')) {
      // `\copy (query) to …` sends `COPY (query) TO STDOUT`: judge the statement the server gets.
      const end = closingParen(rest);
      if (end < 0) this.unreadable(`${via} (an unterminated query)`);
      else await this.sql(`COPY ${rest.slice(0, end + 1)} TO STDOUT`);
    }
  }

  /** A meta-command's arguments, as psqlscanslash.l reads them. */
  private args(text: string): Arg[] {
    const out: Arg[] = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      while (i < n && /\s/.test(text[i])) i++;
      if (i >= n) break;
      let value: Value = '';
      const shell: string[] = [];
      const append = (v: Value) => {
        value = value === unknown || v === unknown ? unknown : value + v;
      };
      while (i < n && !/\s/.test(text[i])) {
        const c = text[i];
        if (c === "'") {
          // '…' with '' for a quote and backslash escapes, as psqlscanslash.l reads it.
          let s = '';
          let closed = false;
          i++;
          while (i < n) {
            if (text[i] === "'") {
              if (text[i + 1] === "'") {
                s += "'";
                i += 2;
                continue;
              }
              i++;
              closed = true;
              break;
            }
            if (text[i] === '\\' && i + 1 < n) {
              const e = text[i + 1];
              s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : e;
              i += 2;
              continue;
            }
            s += text[i++];
          }
          if (!closed) return out; // psql drops an argument with an unterminated quote, and the rest
          append(s);
        } else if (c === '"') {
          const close = text.indexOf('"', i + 1);
          if (close < 0) return out;
          const end = close + 1;
          append(text.slice(i, end));
          i = end;
        } else if (c === '`') {
          const close = text.indexOf('`', i + 1);
          if (close < 0) return out;
          const end = close;
          const command = this.expandPlain(text.slice(i + 1, end));
          shell.push(typeof command === 'string' ? command : text.slice(i + 1, end));
          append(unknown); // its output
          i = end + 1;
        } else if (c === ':') {
          const m = /^:(?:([A-Za-z0-9_\u0080-\uffff]+)|'([A-Za-z0-9_\u0080-\uffff]+)'|"([A-Za-z0-9_\u0080-\uffff]+)")/.exec(text.slice(i));
          if (!m) {
            append(c);
            i++;
            continue;
          }
          const v = this.lookup(m[1] ?? m[2] ?? m[3]);
          if (v === undefined) append(m[0]);
          else if (v === unknown) append(unknown);
          else append(m[2] ? quoteLiteral(v) : m[3] ? `"${v.replace(/"/g, '""')}"` : v);
          i += m[0].length;
        } else {
          append(c);
          i++;
        }
      }
      if (typeof value === 'string' && /^"[^"]*"$/.test(value) && out.length > 0) value = value.slice(1, -1);
      out.push({ value, shell });
    }
    return out;
  }

  private expandPlain(text: string): string | undefined {
    let failed = false;
    const out = text.replace(/:([A-Za-z0-9_]+)/g, (all, name: string) => {
      const v = this.lookup(name);
      if (v === unknown) failed = true;
      return typeof v === 'string' ? v : all;
    });
    return failed ? undefined : out;
  }

  private remember(key: string, commands: Command[]): void {
    if (this.shapes.size >= 4096) this.shapes.clear();
    this.shapes.set(key, commands);
  }

  // ── results ──────────────────────────────────────────────────────────────────────────────────────

  private unreadable(text: string): void {
    if (this.switched) {
      // Unreadable on the target the script switched to: judged there (see unreadableMarker).
      this.addNested({ via: `psql ${this.switched.via}`, argv: [...this.switched.argv, '-c', text], where: 'local', env: { ...this.env, [unreadableMarker]: text }, cwd: this.place.cwd });
      return;
    }
    this.add({ path: ['sql', 'unreadable'], flags: new Map(), text });
  }

  private add(command: Command): void {
    // One of each kind of action is enough to judge; a benign million stays one entry.
    if (this.added.has(command)) return; // the same object again, from the shape cache
    this.added.add(command);
    const key = `${command.path.join(' ')}|${[...command.flags.keys()].sort().join(',')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.commands.push(command);
  }

  private addNested(line: NestedLine, kind?: string): void {
    const key = `nested|${line.via}|${kind ?? line.line ?? line.argv?.join('\0') ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.nested.push(line);
  }
}

interface Arg {
  value: Value;
  shell: string[];
}

/** Actions no rule can be about: reading, inserting, creating. */
function benign(command: Command): boolean {
  return command.path[0] === 'sql' && ['select', 'insert', 'create', 'variable-set', 'copy', 'transaction', 'create-table-as', 'index', 'comment', 'grant', 'view', 'create-seq', 'alter-owner', 'variable-show'].includes(command.path[1] ?? '');
}

/** psql's :'name': a literal, with E'' when the value holds a backslash (PQescapeLiteral). */
function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

function piecesOf(value: string): (string | Interpolation)[] {
  const scanner = new UnitScanner();
  const units = [...scanner.push(Buffer.from(value)), ...scanner.finish()];
  const out: (string | Interpolation)[] = [];
  let at = 0;
  for (const unit of units) {
    const marks = unit.vars ?? [];
    for (const v of marks) {
      out.push(Buffer.from(value).subarray(at, v.start).toString('utf8'));
      out.push({ ...v });
      at = v.end;
    }
  }
  out.push(Buffer.from(value).subarray(at).toString('utf8'));
  return out;
}

/**
 * A statement's shape: its text with each number replaced by the index of its first occurrence, so
 * `DELETE FROM t WHERE id = 7` and `… id = 8` share one (and `1 = 1` stays apart from `1 = 2`). No
 * rule reads a number's value outside EXPLAIN's options, so statements with EXPLAIN get no shape ('').
 */
function shapeOf(text: string): string {
  if (text.length > 4096 || /explain/i.test(text)) return '';
  const numbers: string[] = [];
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    if (isIdentChar(before) || before === 46) {
      while (i + 1 < text.length && isIdentChar(text.charCodeAt(i + 1))) i++;
      continue; // part of a word (t1) or after a dot
    }
    let j = i + 1;
    while (j < text.length && ((text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) || text.charCodeAt(j) === 46)) j++;
    if (j < text.length && isIdentChar(text.charCodeAt(j))) {
      i = j;
      continue;
    }
    const n = text.slice(i, j);
    let index = numbers.indexOf(n);
    if (index < 0) index = numbers.push(n) - 1;
    out += `${text.slice(from, i)}\u0000${index}`;
    from = j;
    i = j - 1;
  }
  return out + text.slice(from);
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
}

function closingParen(text: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function snippet(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

// ── the older entry points, kept for callers that read a whole script at once ───────────────────────

/** The actions in a script (a psqlrc, a -c text read as a script); nested lines are dropped here. */
export async function readPsqlScript(text: string, place: ScriptPlace, options: SessionOptions = {}): Promise<Command[]> {
  const session = new PsqlSession(place, options);
  await session.readScript(text);
  const { commands, nested } = session.take();
  // Without the nested machinery, a shell or a switched target is held as unreadable.
  for (const line of nested) commands.push({ path: ['sql', 'unreadable'], flags: new Map(), text: `${line.via}: runs elsewhere` });
  return commands;
}
