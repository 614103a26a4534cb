// A mysql/mariadb client script read the way the client runs it: units from the client's splitter
// (mysql-script.ts), statements classified (mysql.ts), and the client's state followed through them:
//
//   - `source`/`\.` reads the file where it stands, in turn; a file it cannot read is unreadable;
//   - `system`/`\!` runs a shell line here, judged as a nested line (src/nested.ts) like any other;
//   - `use db`/`\u db` and `connect [db [host]]`/`\r` move the session: every statement after them that
//     could destroy something is judged as a nested `mysql --database=db -e STATEMENT` against the new
//     target, with the connection options of the command line (so its host and option files count).
//     The database named is also evidence for the invocation's own target (tools/mysql.ts), which
//     can only make that stricter.
//
// What comes out: commands for the rules (`sql drop table`, `meta use`, …) and nested lines. The same
// session reads `-e` texts, the init-command, stdin, and the rest of a long pipe as it streams
// (src/gate/mysql-stdin.ts).

import { closeSync } from 'node:fs';
import { resolvePath } from '../context/os-path.js';
import type { Command, NestedLine } from '../model.js';
import { CommandCollector, keptPerKind } from '../payload/collect.js';
import { openRegularFile, readFileChunks } from '../payload/stdin.js';
import { MysqlScriptReader, type ScriptUnit } from './mysql-script.js';
import { sqlCommand, snippet, statementCommands } from './mysql.js';

const maxSourceDepth = 8;

/**
 * Set on the environment of a nested `mysql -e TEXT` this session hands to src/nested.ts for text it
 * could not read after a `use`/`connect`: that client call is judged as unreadable, against the new
 * target. It can only make a decision stricter, so an agent gains nothing by setting it.
 */
export const unreadableMarker = 'CHAPERONE_MYSQL_UNREADABLE';

export interface SessionStart {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--delimiter` of the command line. */
  delimiter?: string;
  /** The command-line options that say where the client connects (host, port, socket, option files). */
  connection: string[];
}

/** Actions no rule is about: reading, inserting, creating, and the client's own bookkeeping. */
const harmlessSql = new Set(['select', 'insert', 'replace', 'set', 'values', 'table', 'show', 'explain', 'describe', 'desc', 'lock', 'unlock', 'commit', 'rollback', 'start', 'begin', 'savepoint', 'release', 'grant', 'flush', 'handler', 'checksum', 'optimize', 'repair', 'check', 'analyze', 'help', 'cache', 'use', 'deallocate', 'execute', 'load', 'routine']);

export function harmless(command: Command): boolean {
  if (command.path[0] === 'meta') return command.path[1] !== 'unreadable';
  const [, what, more] = command.path;
  if (what === 'create') return true;
  if ((what === 'delete' || what === 'update') && command.flags.has('--where')) return true;
  return more === undefined && harmlessSql.has(what ?? '');
}

export class MysqlSession {
  private found = new CommandCollector();
  private nested: NestedLine[] = [];
  private nestedKeys = new Set<string>();
  private nestedPerKind = new Map<string, number>();
  /** Set after `use`/`connect`: the argv that resolves the new target, and how the script said it. */
  private switched?: { argv: string[]; via: string };
  private depth = 0;
  private cwd: string;

  constructor(private start: SessionStart) {
    this.cwd = start.cwd;
  }

  /** A reader for one script (stdin, an -e text, a sourced file), with the command line's delimiter. */
  newReader(): MysqlScriptReader {
    return new MysqlScriptReader({ delimiter: this.start.delimiter });
  }

  /** The commands and nested lines found since the last take. */
  take(): { commands: Command[]; nested: NestedLine[] } {
    const out = { commands: this.found.commands, nested: this.nested };
    this.found = new CommandCollector();
    this.nested = [];
    this.nestedKeys.clear();
    this.nestedPerKind.clear();
    return out;
  }

  /** A whole script, chunk by chunk; `finish` is false for a stream cut off at the read-ahead. */
  readScript(chunks: Iterable<Buffer | string> | ((take: (chunk: Buffer) => boolean | void) => void), finish = true): MysqlScriptReader {
    const reader = this.newReader();
    const take = (chunk: Buffer | string) => {
      for (const unit of reader.push(chunk)) this.readUnit(unit);
    };
    if (typeof chunks === 'function') chunks(take);
    else for (const chunk of chunks) take(chunk);
    if (finish) for (const unit of reader.finish()) this.readUnit(unit);
    return reader;
  }

  /** Commands and lines read elsewhere (an init-command), as they are. */
  addFound(commands: Command[], nested: NestedLine[]): void {
    this.found.addAll(commands);
    for (const line of nested) this.addNested(line);
  }

  /** SQL chaperone could not read, against wherever the session is now. */
  unreadable(text: string): void {
    if (!this.switched) {
      this.found.add(sqlCommand({ path: ['unreadable'] }, text));
      return;
    }
    // Judged on the new target as unreadable whatever its text reads as there (see unreadableMarker).
    const env = { ...this.start.env, [unreadableMarker]: text };
    this.addNested({ via: `mysql ${this.switched.via}`, argv: [...this.switched.argv, '-e', text], where: 'local', cwd: this.cwd, env }, `unreadable ${text}`);
  }

  /** A statement's actions, or a client command's; `source` files are read where they stand. */
  readUnit(unit: ScriptUnit): void {
    if (unit.kind === 'sql') {
      if (unit.unterminated) this.unreadable(`${unit.text} (ends inside a string or comment)`);
      else this.addAll(statementCommands(unit.text, { backslashInString: unit.backslashInString }), unit.text);
      return;
    }
    const meta = (word: string, flags: Record<string, string> = {}): Command => ({
      path: ['meta', word],
      flags: new Map(Object.entries(flags).map(([k, v]) => [k, [v]])),
      text: snippet(unit.text),
    });
    switch (unit.command) {
      case 'source':
        this.readSourceFile(unit.argument, unit.text);
        return;
      case 'system':
        // The client runs it with system(3) on this machine: a shell line, judged as one.
        this.addNested({ via: 'mysql system', line: unit.argument, where: 'local', cwd: this.cwd, env: this.start.env });
        return;
      case 'use': {
        const database = unit.argument.split(/\s+/)[0];
        this.found.add(database ? meta('use', { '--database': database }) : meta('use'));
        if (database) this.switchTo([...this.connectionNow(), `--database=${database}`], unit.text);
        return;
      }
      case 'connect': {
        // connect [db [host]]: the same host (and its option files) unless one is named.
        const [database, host] = unit.argument.split(/\s+/).filter(Boolean);
        this.found.add(meta('connect', { ...(database ? { '--database': database } : {}), ...(host ? { '--host': host } : {}) }));
        const base = host ? this.connectionNow().filter((a) => !/^--(host|socket)=/.test(a)) : this.connectionNow();
        this.switchTo([...base, ...(host ? [`--host=${host}`] : []), ...(database ? [`--database=${database}`] : [])], unit.text);
        return;
      }
      default:
        this.found.add(meta(unit.command));
    }
  }

  /** The connection options in force now: the command line's, or those of the last switch. */
  private connectionNow(): string[] {
    return (this.switched?.argv ?? ['mysql', ...this.start.connection]).filter((a) => !a.startsWith('--database='));
  }

  private switchTo(argv: string[], via: string): void {
    this.switched = { argv, via: snippet(via) };
  }

  private addAll(commands: Command[], text: string): void {
    if (!this.switched || commands.every(harmless)) {
      this.found.addAll(commands);
      return;
    }
    // After a switch, what could destroy is judged where the session now is, as its own client call.
    const delimiter = this.start.delimiter && this.start.delimiter !== ';' ? [`--delimiter=${this.start.delimiter}`] : [];
    const kinds = commands.filter((c) => !harmless(c)).map((c) => c.path.join(' ')).join(',');
    this.addNested({ via: `mysql ${this.switched.via}`, argv: [...this.switched.argv, ...delimiter, '-e', text], where: 'local', cwd: this.cwd, env: this.start.env }, kinds, text);
  }

  /**
   * Each line once per take, and of one kind of statement after one switch the first keptPerKind, as
   * the collector keeps actions: a million identical statements are judged as one, and the statements
   * kept still say which tables a backup must hold (src/backup/before-destroy.ts).
   */
  private addNested(line: NestedLine, kind?: string, text?: string): void {
    const kindKey = `${line.via}\u0000${kind ?? line.line ?? ''}`;
    const key = `${kindKey}\u0000${text ?? ''}`;
    if (this.nestedKeys.has(key)) return;
    const seen = this.nestedPerKind.get(kindKey) ?? 0;
    if (seen >= keptPerKind) return;
    this.nestedPerKind.set(kindKey, seen + 1);
    this.nestedKeys.add(key);
    this.nested.push(line);
  }

  private readSourceFile(argument: string, shown: string): void {
    const unreadable = (why: string) => this.unreadable(`${shown} (${why})`);
    if (this.depth >= maxSourceDepth) return unreadable(`sources nested deeper than ${maxSourceDepth}`);
    if (argument === '') return unreadable('no file named');
    const opened = openRegularFile(resolvePath(this.cwd, argument));
    if (!opened.ok) return unreadable(opened.why);
    this.depth++;
    try {
      this.readScript((take) => readFileChunks(opened.fd, take));
    } catch (error) {
      unreadable((error as NodeJS.ErrnoException).code ?? 'unreadable');
    } finally {
      this.depth--;
      closeSync(opened.fd);
    }
  }
}
