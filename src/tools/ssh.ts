// ssh (OpenSSH). chaperone has no rules for ssh itself: what matters is the command it runs on the host,
// which src/nested.ts judges as a line typed there, against that host.
//
// Grammar (ssh.c): BSD getopt over "1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy"
// (OpenSSH 9.2 reads -P as a flag; later versions as `-P tag`: both readings are judged). getopt stops at
// the first word that is not an option; that word is the destination (`host`, `user@host`,
// `ssh://user@host:port`), and unless `--` came first, options are read again after it (`ssh host -p 22
// cmd`). The words left are the remote command, joined with single spaces: that string is what the
// remote user's shell runs (`ssh h psql -c "drop table t"` runs `psql -c drop table t` there).
// With no command, RemoteCommand (-o, then the config) runs; with none either, ssh opens a login shell,
// which reads what is typed (unreadable), or the script on its stdin when that is known. -N, -W, -O, -G,
// -Q, -V and `SessionType none` run no command at all. -s asks for a subsystem (sftp), a protocol no
// line describes: unreadable. -n (and -f) give the remote command /dev/null as stdin.
//
// ProxyCommand and LocalCommand run here, through the user's shell: they are local lines, whose commands
// resolve their own targets.
//
// Target: the destination as typed, and the HostName the config gives it: -o HostName= first, then the
// first HostName of a `Host` block whose patterns match (-F FILE, else ~/.ssh/config with HOME from the
// environment, then /etc/ssh/ssh_config; `Include` followed). `Match` blocks are not evaluated: their
// conditions need the network and the user's shell, so what they set is unknown (said in the evidence).
// Both names are host identifiers, read by token (`prod-db`, `db.prod.example.com`).

import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { forwardedInput, remoteLine, remoteSession } from './remote.js';
import type { Tool } from './tool.js';

const valueLetters = 'bceilmopBDEFIJLOQRSwW';

interface SshLine {
  /** Options by letter, every value in order (`''` for a flag). */
  options: Map<string, string[]>;
  destination?: string;
  /** The words after the destination. */
  command: string[];
}

/** ssh's own argv reading; `pTakesValue` picks the -P of OpenSSH after 9.2 (`-P tag`) or before. */
export function readSsh(args: readonly string[], pTakesValue: boolean): SshLine {
  const options = new Map<string, string[]>();
  const add = (letter: string, value: string) => options.set(letter, [...(options.get(letter) ?? []), value]);
  const takesValue = (letter: string) => valueLetters.includes(letter) || (letter === 'P' && pTakesValue);
  let i = 0;
  /** One getopt pass from i: returns true when it ended at `--`. */
  const getopt = (): boolean => {
    while (i < args.length) {
      const arg = args[i];
      if (arg === '--') {
        i++;
        return true;
      }
      if (!arg.startsWith('-') || arg === '-') return false;
      i++;
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        if (takesValue(letter)) {
          // The rest of the word, else the next word, is the value (`-p22`, `-p 22`).
          const attached = arg.slice(j + 1);
          add(letter, attached !== '' ? attached : (args[i++] ?? ''));
          break;
        }
        add(letter, '');
      }
    }
    return false;
  };
  const terminated = getopt();
  const destination = args[i];
  if (destination === undefined) return { options, command: [] };
  i++;
  // ssh.c: with more words after the destination and no `--` before it, options are read again.
  if (!terminated && i < args.length) getopt();
  return { options, destination, command: args.slice(i) };
}

/** `-o Key=Value`, `-o "Key Value"`: keys are case-insensitive; the first value given wins. */
function dashO(line: SshLine): Map<string, string> {
  const out = new Map<string, string>();
  for (const option of line.options.get('o') ?? []) {
    const match = /^\s*([A-Za-z0-9]+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(option);
    if (!match) continue;
    const key = match[1].toLowerCase();
    if (!out.has(key)) out.set(key, unquote(match[2]));
  }
  return out;
}

function unquote(value: string): string {
  return /^"(.*)"$/.exec(value)?.[1] ?? value;
}

/** user@host, host, ssh://[user@]host[:port][/] : the host part. */
export function destinationHost(destination: string): string {
  const uri = /^ssh:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)(?::\d*)?\/?$/i.exec(destination);
  if (uri) return uri[1].replace(/^\[(.*)\]$/, '$1');
  return destination.slice(destination.lastIndexOf('@') + 1);
}

// ── ssh_config ──────────────────────────────────────────────────────────────────────────────────────

interface ConfigFacts {
  /** The first value of each keyword that applies to the host, with where it was read. */
  values: Map<string, { value: string; file: string; block: string }>;
  /** Files read, and whether any holds Match blocks (not evaluated). */
  files: string[];
  matchBlocks: string[];
  /** Files that exist but could not be read (a directory, no permission). */
  unreadable: string[];
  includes: number;
}

const maxIncludes = 16;

function readConfigFor(host: string, files: string[], home: string): ConfigFacts {
  const facts: ConfigFacts = { values: new Map(), files: [], matchBlocks: [], unreadable: [], includes: 0 };
  for (const file of files) readConfigFile(file, host, home, facts, true);
  return facts;
}

/** Reads one file into `facts`. `applies` is whether the enclosing block applies (an Include inside a Host). */
function readConfigFile(file: string, host: string, home: string, facts: ConfigFacts, applies: boolean): void {
  let text: string | undefined;
  try {
    text = readTextIfExists(file);
  } catch (error) {
    // ssh itself stops on a config it cannot read; what it would have set is unknown here.
    facts.unreadable.push(`${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return;
  }
  if (text === undefined) return;
  facts.files.push(file);
  let block = '(top)';
  let active = applies;
  for (const raw of text.split(/\r?\n/)) {
    const words = configWords(raw);
    if (words.length === 0) continue;
    const keyword = words[0].toLowerCase();
    const args = words.slice(1);
    if (keyword === 'host') {
      block = `Host ${args.join(' ')}`;
      active = applies && hostMatches(host, args);
      continue;
    }
    if (keyword === 'match') {
      block = `Match ${args.join(' ')}`;
      active = false;
      facts.matchBlocks.push(`${file}: ${block}`);
      continue;
    }
    if (!active) continue;
    if (keyword === 'include') {
      for (const pattern of args) {
        for (const included of expandInclude(pattern, file, home)) {
          if (++facts.includes > maxIncludes) return;
          readConfigFile(included, host, home, facts, true);
        }
      }
      continue;
    }
    if (!facts.values.has(keyword)) facts.values.set(keyword, { value: args.join(' '), file, block });
  }
}

/** A config line's words: `Key value`, `Key=value`, quotes grouping, `#` comments. */
function configWords(line: string): string[] {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return [];
  const eq = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(trimmed);
  const [first, rest] = eq ? [eq[1], eq[2]] : [trimmed.split(/\s+/, 1)[0], trimmed.slice(trimmed.split(/\s+/, 1)[0].length)];
  const words = [first];
  for (const match of rest.matchAll(/"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2]);
  return words;
}

/** ssh_config Host patterns: `*` and `?` globs, `!` negates, a comma or a space separates. */
export function hostMatches(host: string, patterns: string[]): boolean {
  let matched = false;
  for (const pattern of patterns.flatMap((p) => p.split(','))) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const glob = new RegExp(`^${(negated ? pattern.slice(1) : pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    if (!glob.test(host)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Include paths: relative ones under ~/.ssh (or /etc/ssh for the system file); `*` in the last part. */
function expandInclude(pattern: string, from: string, home: string): string[] {
  const expanded = pattern.replace(/^~(?=\/|$)/, home);
  const base = from.startsWith('/etc/ssh/') ? '/etc/ssh' : join(home, '.ssh');
  const path = resolvePath(base, expanded);
  if (!/[*?]/.test(basename(path))) return [path];
  const glob = new RegExp(`^${basename(path).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dirname(path))
      .filter((name) => glob.test(name))
      .sort()
      .map((name) => join(dirname(path), name));
  } catch {
    return [];
  }
}

/** The files ssh reads: -F FILE (then no other), else the user's and the system's. */
function configFiles(line: SshLine, invocation: Invocation): { files: string[]; from?: Evidence } {
  const flag = line.options.get('F')?.at(-1);
  const home = homeOf(invocation.env);
  if (flag !== undefined) {
    if (flag === 'none') return { files: [], from: { source: 'flag', key: '-F', value: 'none (no config file read)' } };
    const path = flag.replace(/^~(?=\/|$)/, home);
    return { files: [resolvePath(invocation.cwd, path)], from: { source: 'flag', key: '-F', value: flag } };
  }
  return { files: [join(home, '.ssh', 'config'), '/etc/ssh/ssh_config'] };
}

// ── parse and resolve ───────────────────────────────────────────────────────────────────────────────

interface Reading {
  line: SshLine;
  host?: string;
  config: ConfigFacts;
  configFrom?: Evidence;
  o: Map<string, string>;
}

function read(invocation: Invocation, pTakesValue: boolean): Reading {
  const line = readSsh(invocation.args, pTakesValue);
  const host = line.destination === undefined ? undefined : destinationHost(line.destination);
  const { files, from } = configFiles(line, invocation);
  const config = host === undefined ? { values: new Map(), files: [], matchBlocks: [], unreadable: [], includes: 0 } : readConfigFor(host, files, homeOf(invocation.env));
  return { line, host, config, configFrom: from, o: dashO(line) };
}

/** The readings to judge: today's ssh, and the older -P when it reads the line differently. */
function readings(invocation: Invocation): Reading[] {
  const current = read(invocation, true);
  if (!invocation.args.some((arg) => /^-[^-]*P/.test(arg))) return [current];
  const older = read(invocation, false);
  const same = older.line.destination === current.line.destination && older.line.command.join(' ') === current.line.command.join(' ');
  return same ? [current] : [current, older];
}

/** A keyword's value: -o first, then the config. */
function setting(r: Reading, key: string): string | undefined {
  return r.o.get(key) ?? r.config.values.get(key)?.value;
}

function parse(invocation: Invocation): ParsedInvocation {
  const all = readings(invocation);
  const help = all[0].line.options.has('V') || all[0].line.options.has('G') || all[0].line.options.has('Q');
  const nested = help ? [] : all.flatMap((r) => [...remoteCommand(r, invocation), ...localCommands(r)]);
  return { commands: [], help, ...(nested.length > 0 ? { nested } : {}) };
}

/** What an ssh argv runs remotely, for tools that run ssh for you (`gcloud compute ssh`); `via` names them. */
export function sshRemoteCommands(invocation: Invocation, via: string): NestedLine[] {
  return readings(invocation).flatMap((r) => remoteCommand(r, invocation, via));
}

function remoteCommand(r: Reading, invocation: Invocation, name?: string): NestedLine[] {
  const { line, host } = r;
  if (line.destination === undefined || host === undefined) return [];
  if (['N', 'W', 'O'].some((letter) => line.options.has(letter))) return [];
  if (setting(r, 'sessiontype')?.toLowerCase() === 'none') return [];
  const via = name ?? `ssh ${line.destination}`;
  const stdinNull = line.options.has('n') || line.options.has('f') || /^yes$/i.test(setting(r, 'stdinnull') ?? '') || /^yes$/i.test(setting(r, 'forkafterauthentication') ?? '');
  const input = forwardedInput(invocation, !stdinNull);
  if (line.options.has('s') || setting(r, 'sessiontype')?.toLowerCase() === 'subsystem') {
    // A subsystem (sftp, netconf) speaks its own protocol over stdin: no line says what it does.
    return [{ via, unreadable: `subsystem ${line.command.join(' ') || '?'} speaks its own protocol over stdin, which no line describes`, where: 'remote' }];
  }
  if (line.command.length > 0) return [remoteLine(via, line.command.join(' '), input)];
  const remote = setting(r, 'remotecommand');
  if (remote && remote.toLowerCase() !== 'none') return [remoteLine(`${via} (RemoteCommand)`, remote, input)];
  return [remoteSession(via, input)];
}

/**
 * Commands ssh runs on this machine, through the user's shell: ProxyCommand (to reach the host) and
 * LocalCommand (after connecting, with PermitLocalCommand yes). `%h`, `%p`, `%r` and `%%` are filled in
 * as far as the line says; the rest stays as written.
 */
function localCommands(r: Reading): NestedLine[] {
  const out: NestedLine[] = [];
  const host = r.host ?? '';
  const fill = (text: string) => text.replace(/%([hpr%])/g, (_w, t: string) => (t === 'h' ? host : t === 'p' ? (r.line.options.get('p')?.at(-1) ?? '22') : t === 'r' ? (r.line.options.get('l')?.at(-1) ?? '%r') : '%'));
  const proxy = setting(r, 'proxycommand');
  if (proxy && proxy.toLowerCase() !== 'none') out.push({ via: 'ssh ProxyCommand', line: fill(proxy), where: 'local' });
  const local = setting(r, 'localcommand');
  if (local && /^yes$/i.test(setting(r, 'permitlocalcommand') ?? '')) out.push({ via: 'ssh LocalCommand', line: fill(local), where: 'local' });
  return out;
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];
  let name: string | undefined;
  for (const r of readings(invocation)) {
    if (r.line.destination === undefined || r.host === undefined) continue;
    name ??= r.host;
    const add = (value: string, from: Evidence) => {
      if (!identifiers.some((id) => id.value === value)) identifiers.push({ kind: 'host', value });
      evidence.push(from);
    };
    add(r.host, { source: 'argument', key: 'destination', value: r.line.destination });
    if (r.configFrom) evidence.push(r.configFrom);
    const fromFlag = r.o.get('hostname');
    const fromConfig = r.config.values.get('hostname');
    if (fromFlag !== undefined) add(hostName(fromFlag, r.host), { source: 'flag', key: '-o HostName', value: fromFlag });
    else if (fromConfig) {
      add(hostName(fromConfig.value, r.host), { source: 'file', key: `${fromConfig.block} HostName`, value: fromConfig.value, file: displayPath(fromConfig.file, invocation.env) });
    }
    for (const file of r.config.unreadable) {
      evidence.push({ source: 'file', key: 'ssh config', value: `${displayPath(file, invocation.env)} unreadable: what it sets is unknown (ssh stops on it)` });
    }
    for (const match of r.config.matchBlocks) {
      evidence.push({ source: 'file', key: 'Match', value: `${displayPath(match, invocation.env)} not evaluated (what it sets is unknown)` });
    }
  }
  return { name, evidence, identifiers };
}

/** HostName's tokens: %h is the host as typed, %% a percent sign. */
function hostName(value: string, host: string): string {
  return value.replace(/%([h%])/g, (_whole, token: string) => (token === 'h' ? host : '%'));
}

export const ssh: Tool = { name: 'ssh', parse, resolve };
