// Reading Redis commands: from redis-cli's argv, from lines on stdin (split as redis-cli's sdssplitargs
// does), from the Redis protocol (`--pipe`), and from Lua scripts (EVAL, --eval), where each
// redis.call('…') is a command of its own. Each command becomes a path rules.yaml can match: the
// command name in lower case, and for container commands its subcommand (`config set dir`,
// `script flush`, `debug segfault`). Flags:
//   --pattern    DEL/UNLINK with a glob character (* ? [) in a key. DEL does not expand globs, so this is
//                someone meaning "every key like this": the mass delete a pattern stands for.
//   --many-keys  DEL/UNLINK of more than manyKeys keys in one invocation: what
//                `redis-cli --scan --pattern 'x*' | xargs redis-cli del` builds. A batch smaller than that
//                goes through: the pattern is in the other redis-cli, which this one cannot see.
//   --nosave     SHUTDOWN NOSAVE; --no-one: REPLICAOF NO ONE (a promotion, which keeps the data).
//   --off        CONFIG SET save "" or appendonly no: persistence turned off.

import { StringDecoder } from 'node:string_decoder';
import type { Command } from '../model.js';

export const manyKeys = 100;

/** Commands whose first argument is a subcommand that decides what they do. */
const containers = new Set(['config', 'script', 'function', 'debug', 'cluster', 'acl', 'client', 'memory', 'object', 'module', 'xgroup', 'latency', 'command', 'pubsub', 'slowlog']);

/** One command as rules read it. `text` is what a human is shown. */
export function redisCommand(argv: readonly string[], text = showCommand(argv)): Command[] {
  if (argv.length === 0) return [];
  const name = argv[0].toLowerCase();
  const args = argv.slice(1);
  const command = (path: string[], flags: Record<string, string> = {}): Command => ({
    path,
    flags: new Map(Object.entries(flags).map(([k, v]) => [k, [v]])),
    text: cut(text),
  });
  switch (name) {
    case 'del':
    case 'unlink':
      return [command([name], args.some((key) => /[*?[]/.test(key)) ? { '--pattern': '' } : {})];
    case 'shutdown':
      if (args.some((a) => a.toLowerCase() === 'abort')) return [command(['shutdown-abort'])];
      return [command(['shutdown'], args.some((a) => a.toLowerCase() === 'nosave') ? { '--nosave': '' } : {})];
    case 'replicaof':
    case 'slaveof':
      return [command([name], args.length === 2 && args.every((a, i) => a.toLowerCase() === ['no', 'one'][i]) ? { '--no-one': '' } : {})];
    case 'eval':
    case 'eval_ro':
      return [command([name]), ...luaCommands(args[0] ?? '', text)];
    case 'config':
      if (args[0]?.toLowerCase() === 'set') {
        // CONFIG SET param value [param value …]: one command per parameter.
        const pairs = args.slice(1).flatMap((p, i, all) => (i % 2 === 0 ? [[p.toLowerCase(), all[i + 1]] as const] : []));
        return pairs.length > 0 ? pairs.map(([p, value]) => command(['config', 'set', p], persistenceOff(p, value) ? { '--off': '' } : {})) : [command(['config', 'set'])];
      }
      return [command(['config', (args[0] ?? '').toLowerCase()])];
    default:
      return [command(containers.has(name) && args[0] !== undefined ? [name, args[0].toLowerCase()] : [name])];
  }
}

/**
 * CONFIG SET that turns persistence off: `save ""` ends RDB snapshots, `appendonly no` the append-only
 * file. The data then lives only in memory, and the next restart or crash loses it.
 */
function persistenceOff(param: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  return (param === 'save' && value.trim() === '') || (param === 'appendonly' && value.trim().toLowerCase() === 'no');
}

/** Marks DEL/UNLINK as a mass delete when together they name more than manyKeys keys. */
export function markManyKeys(commands: Command[], keyCount: number): void {
  if (keyCount <= manyKeys) return;
  for (const c of commands) if (c.path[0] === 'del' || c.path[0] === 'unlink') c.flags.set('--many-keys', ['']);
}

/** How many keys a command deletes by name: its arguments, for DEL and UNLINK. */
export function deletedKeyCount(argv: readonly string[]): number {
  return /^(del|unlink)$/i.test(argv[0] ?? '') ? argv.length - 1 : 0;
}

// ── Lua ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * The commands a Lua script calls: redis.call('flushall'), redis.pcall("DEL", KEYS[1]). A call whose
 * command is not a string literal is `script-dynamic`. A DEL/UNLINK in a script that also calls KEYS or
 * SCAN is the classic "delete by pattern", marked --pattern.
 */
export function luaCommands(script: string, text: string): Command[] {
  const calls = luaCalls(script);
  const scans = calls.some((c) => c.args[0] !== undefined && /^(keys|scan)$/i.test(c.args[0]));
  const commands: Command[] = [];
  for (const call of calls) {
    if (call.args[0] === undefined) {
      commands.push({ path: ['script-dynamic'], flags: new Map(), text: cut(text) });
      continue;
    }
    for (const c of redisCommand(call.args.map((a) => a ?? '?'), text)) {
      if (scans && (c.path[0] === 'del' || c.path[0] === 'unlink')) c.flags.set('--pattern', ['']);
      commands.push(c);
    }
  }
  return commands;
}

/** Each redis.call/pcall (and server.call/pcall) with its literal arguments (undefined when computed). */
function luaCalls(script: string): { args: (string | undefined)[] }[] {
  const tokens = luaTokens(script);
  const calls: { args: (string | undefined)[] }[] = [];
  for (let k = 0; k + 3 < tokens.length; k++) {
    const [object, dot, method, open] = tokens.slice(k, k + 4);
    if (!(object.kind === 'name' && /^(redis|server)$/.test(object.value) && dot.value === '.' && /^p?call$/.test(method.value) && open.value === '(')) continue;
    const args: (string | undefined)[] = [];
    let level = 0;
    let current: LuaToken[] = [];
    for (let j = k + 4; j < tokens.length; j++) {
      const t = tokens[j];
      if (t.kind === 'punct' && ['(', '{', '['].includes(t.value)) level++;
      if (t.kind === 'punct' && [')', '}', ']'].includes(t.value)) {
        if (level === 0) {
          if (current.length > 0) args.push(literalOf(current));
          break;
        }
        level--;
      }
      if (level === 0 && t.kind === 'punct' && t.value === ',') {
        args.push(literalOf(current));
        current = [];
      } else {
        current.push(t);
      }
    }
    calls.push({ args });
  }
  return calls;
}

function literalOf(tokens: LuaToken[]): string | undefined {
  return tokens.length === 1 && tokens[0].kind === 'string' ? tokens[0].value : undefined;
}

interface LuaToken {
  kind: 'name' | 'string' | 'punct' | 'number';
  value: string;
}

/** Lua's tokens, with strings ('…', "…", [[…]], [==[…]==]) and comments (--, --[[…]]) told apart. */
function luaTokens(source: string): LuaToken[] {
  const tokens: LuaToken[] = [];
  let i = 0;
  const longBracket = (at: number): { level: number; length: number } | undefined => {
    const m = /^\[(=*)\[/.exec(source.slice(at, at + 64));
    return m ? { level: m[1].length, length: m[0].length } : undefined;
  };
  const skipLong = (at: number, level: number): [string, number] => {
    const close = `]${'='.repeat(level)}]`;
    const end = source.indexOf(close, at);
    return end === -1 ? [source.slice(at), source.length] : [source.slice(at, end), end + close.length];
  };
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && source[i + 1] === '-') {
      const long = longBracket(i + 2);
      if (long) i = skipLong(i + 2 + long.length, long.level)[1];
      else {
        const eol = source.indexOf('\n', i);
        i = eol === -1 ? source.length : eol + 1;
      }
    } else if (c === '[' && longBracket(i)) {
      const long = longBracket(i)!;
      const [value, end] = skipLong(i + long.length, long.level);
      tokens.push({ kind: 'string', value: value.replace(/^\n/, '') });
      i = end;
    } else if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== c && source[j] !== '\n'; j++) {
        if (source[j] === '\\') {
          const e = source[++j] ?? '';
          value += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e;
        } else {
          value += source[j];
        }
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(source.slice(i))!;
      tokens.push({ kind: 'name', value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][\w.]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', value: m[0] });
      i += m[0].length;
    } else {
      tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

// ── Reading commands from stdin ──────────────────────────────────────────────────────────────────

/**
 * sdssplitargs: words separated by spaces; "…" with C escapes (\n, \xHH, …), '…' with only \' escaped.
 * A closing quote must be followed by a space or the end. Undefined for an unbalanced line, which
 * redis-cli rejects ("Invalid argument(s)").
 */
export function splitRedisArgs(line: string): string[] | undefined {
  if (!/["']/.test(line)) return line.split(/\s+/).filter(Boolean); // no quotes: words and spaces only
  const words: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return words;
    let word = '';
    let quote = '';
    for (;;) {
      if (i >= n) {
        if (quote) return undefined; // unbalanced quotes
        break;
      }
      const c = line[i];
      if (!quote) {
        if (isSpace(line.charCodeAt(i))) break;
        if (c === '"' || c === "'") quote = c; // a quote opens anywhere in a word
        else word += c;
        i++;
      } else if (c === '\\' && quote === '"' && line[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
        word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (c === '\\' && quote === '"' && i + 1 < n) {
        const e = line[i + 1];
        word += ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[e] ?? e;
        i += 2;
      } else if (c === '\\' && quote === "'" && line[i + 1] === "'") {
        word += "'";
        i += 2;
      } else if (c === quote) {
        // A closing quote must be followed by a space or the end of the line.
        if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
        i++;
        quote = '';
        break;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
}

/** isspace() in the C locale. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** The largest argument kept from the protocol; longer ones are cut (only names and keys matter). */
const maxKeptArgument = 4096;

/**
 * Commands on stdin, as they stream. `lines`: what redis-cli does with a non-terminal stdin and no
 * command (one command per line; a leading number is a repeat count). `protocol`: `--pipe`, where the
 * bytes go to the server as they are: Redis protocol arrays (*N, $len) or inline commands.
 */
export class RedisStdinReader {
  private decoder = new StringDecoder('latin1');
  private pending = '';
  /** In the protocol: the arguments still to read for the current array, and those read. */
  private arrayLeft = 0;
  private array: string[] = [];
  /** In the protocol: the current bulk string's length, and its bytes still to come (with its CRLF). */
  private bulkLeft = 0;
  private bulkLength = 0;
  private bulk = '';
  private out: string[][] = [];
  /** Lines redis-cli would reject; they run nothing. */
  invalidLines = 0;

  constructor(private readonly mode: 'lines' | 'protocol') {}

  push(chunk: Buffer): string[][] {
    this.pending += this.decoder.write(chunk);
    this.drain(false);
    return this.take();
  }

  finish(): string[][] {
    this.pending += this.decoder.end();
    this.drain(true);
    return this.take();
  }

  private take(): string[][] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private drain(atEnd: boolean): void {
    const pending = this.pending;
    let at = 0;
    while (at < pending.length) {
      if (this.bulkLeft > 0) {
        const n = Math.min(this.bulkLeft, pending.length - at);
        const keep = Math.min(this.bulkLength, maxKeptArgument) - this.bulk.length;
        if (keep > 0) this.bulk += pending.slice(at, at + Math.min(n, keep));
        at += n;
        this.bulkLeft -= n;
        if (this.bulkLeft === 0) this.endArgument(this.bulk);
        continue;
      }
      const eol = pending.indexOf('\n', at);
      if (eol === -1 && !atEnd) break;
      const end = eol === -1 ? pending.length : eol;
      const line = pending.slice(at, end > at && pending[end - 1] === '\r' ? end - 1 : end);
      at = end + 1;
      // Lines are decoded as latin1 so that bulk lengths count bytes; a line is text again here.
      this.readLine(/[\x80-\xff]/.test(line) ? Buffer.from(line, 'latin1').toString('utf8') : line);
    }
    this.pending = at >= pending.length ? '' : pending.slice(at);
  }

  private readLine(line: string): void {
    if (this.mode === 'protocol' && this.arrayLeft > 0 && line.startsWith('$')) {
      // $len: len bytes and a CRLF follow.
      this.bulk = '';
      this.bulkLength = Math.max(0, Number(line.slice(1)) || 0);
      this.bulkLeft = this.bulkLength + 2;
      return;
    }
    if (this.mode === 'protocol' && /^\*\d+$/.test(line)) {
      this.arrayLeft = Number(line.slice(1));
      this.array = [];
      return;
    }
    const words = splitRedisArgs(line);
    if (words === undefined) {
      this.invalidLines++;
      return;
    }
    if (words.length === 0) return;
    // In redis-cli's loop, `3 INCR x` runs INCR x three times.
    if (this.mode === 'lines' && words.length > 1 && /^\d+$/.test(words[0])) words.shift();
    this.out.push(words);
  }

  private endArgument(value: string): void {
    this.array.push(value);
    if (--this.arrayLeft === 0) this.out.push(this.array);
  }
}

/** A command as a human would type it again: words, quoted when they hold spaces or quotes. */
function showCommand(argv: readonly string[]): string {
  let text = '';
  for (const word of argv) {
    text += `${text ? ' ' : ''}${/[\s'"]/.test(word) || word === '' ? JSON.stringify(word) : word}`;
    if (text.length > 200) break;
  }
  return text;
}

function cut(text: string): string {
  const flat = text.length > 200 || /\s\s|[\n\r\t]/.test(text) ? text.slice(0, 1000).replace(/\s+/g, ' ').trim() : text;
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
