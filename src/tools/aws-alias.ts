// AWS CLI aliases (awscli/alias.py, v1 and v2): ~/.aws/cli/alias, found from HOME, never from
// AWS_CONFIG_FILE. A refused agent can write `nuke = s3 rb s3://prod-data --force` into it and type
// `aws nuke`, so aliases are expanded here before the command is matched, as the CLI expands them:
//
//   [toplevel]                 `aws NAME ARGS…`: NAME is replaced by the alias's words. They may carry
//     nuke = s3 rb s3://x --force   global options (--profile, --region), which win over the typed ones.
//                                   An alias may be named like a service (`s3 = …`) and replaces it.
//   [command ec2]              `aws ec2 NAME ARGS…`, the same one level down (`[command cloudformation
//     gone = terminate-instances …` wait]` for two). When NAME is also a built-in subcommand, the CLI
//                                   runs the built-in with the alias's words after the first; which
//                                   names are built in is not known here, so both readings are judged.
//   NAME = !sh line            a shell line, run locally with the remaining arguments quoted after it:
//                                   judged as a nested line.
//
// The file is INI as Python's RawConfigParser reads it: `=` or `:`, keys in lower case, indented lines
// continue a value, `[DEFAULT]` keys belong to every section. What the CLI could not read (a parse error,
// an open quote, a FIFO, a loop of aliases) makes it fail before running anything; here it is
// `alias unreadable`, held in a gated environment, since chaperone cannot say what would run.

import { join } from 'node:path';
import type { Command, NestedLine } from '../model.js';
import { displayPath, homeOf } from '../context/files.js';
import { quoteWord } from '../display/describe.js';
import { splitWords } from './shell-words.js';
import { readStartupFile } from './startup-file.js';

export interface Alias {
  name: string;
  value: string;
  line: number;
}

/** Sections by name: `toplevel`, or the command words of a `[command …]` section joined by spaces. */
export type AliasTable = Map<string, Map<string, Alias>>;

export type AliasFile = { kind: 'none' } | { kind: 'table'; table: AliasTable; shown: string } | { kind: 'unreadable'; why: string; shown: string };

export function aliasFilePath(env: NodeJS.ProcessEnv): string {
  return join(homeOf(env), '.aws', 'cli', 'alias');
}

export function readAliasFile(env: NodeJS.ProcessEnv): AliasFile {
  const path = aliasFilePath(env);
  const file = readStartupFile(path);
  const shown = displayPath(path, env);
  if (file.kind === 'missing') return { kind: 'none' };
  if (file.kind === 'unreadable') return { kind: 'unreadable', why: file.why, shown };
  const parsed = parseAliasText(file.text);
  return 'error' in parsed ? { kind: 'unreadable', why: parsed.error, shown } : { kind: 'table', table: parsed.table, shown };
}

/** RawConfigParser's reading of the file, or the error that makes the CLI fail. */
export function parseAliasText(text: string): { table: AliasTable } | { error: string } {
  const sections = new Map<string, Map<string, Alias>>();
  let section: Map<string, Alias> | undefined;
  let current: Alias | undefined;
  let indent = 0;
  const lines = text.split(/\r\n|\n|\r/);
  for (const [index, raw] of lines.entries()) {
    const value = raw.trim();
    const lineNo = index + 1;
    if (value.startsWith('#') || value.startsWith(';')) continue;
    if (value === '') {
      if (current) current.value += '\n';
      continue;
    }
    const level = raw.length - raw.trimStart().length;
    if (current && level > indent) {
      current.value += `\n${value}`;
      continue;
    }
    indent = level;
    const header = /^\[(.+)\]$/.exec(value) ?? /^\[(.+)\]/.exec(value);
    if (header) {
      if (sections.has(header[1])) return { error: `line ${lineNo}: section [${header[1]}] appears twice` };
      section = new Map();
      sections.set(header[1], section);
      current = undefined;
      continue;
    }
    if (!section) return { error: `line ${lineNo}: an option before any [section]` };
    const option = /^(.*?)\s*([=:])\s*(.*)$/.exec(value);
    const name = option?.[1].trimEnd().toLowerCase();
    if (!option || !name) return { error: `line ${lineNo}: not a "name = value" line` };
    if (section.has(name)) return { error: `line ${lineNo}: alias "${name}" appears twice in its section` };
    current = { name, value: option[3], line: lineNo };
    section.set(name, current);
  }
  const defaults = sections.get('DEFAULT');
  const table: AliasTable = new Map();
  for (const [header, aliases] of sections) {
    if (header === 'DEFAULT') continue;
    const key = header === 'toplevel' ? 'toplevel' : header.startsWith('command ') ? header.split(/\s+/).filter(Boolean).slice(1).join(' ') : undefined;
    if (key === undefined || key === '') continue;
    const merged = new Map([...(defaults ?? []), ...aliases]);
    for (const alias of merged.values()) alias.value = alias.value.trim();
    table.set(key, merged);
  }
  return { table };
}

/** Python's shlex.split (POSIX mode, no comments), or undefined where it raises. */
export function shlexSplit(text: string): string[] | undefined {
  return splitWords(text, 'shlex')?.map((w) => w.replace(/^\n+|\n+$/g, ''));
}

/** A command line as the CLI would run it: command words first, then options in order. */
export interface Line {
  /** The arguments after `aws`, with the global options the user typed. */
  args: string[];
  /** How it was reached, for humans: `alias nuke (~/.aws/cli/alias:3)`. */
  via: string[];
}

export interface Expansion {
  /** Every reading of the invocation the CLI may run (usually one). */
  lines: Line[];
  nested: NestedLine[];
  commands: Command[];
}

const maxExpansions = 16;

/** What the caller knows of aws's grammar. */
export interface AwsArgs {
  /** Where the command words stand among the arguments. */
  commandWords(args: readonly string[]): number[];
  /** The global options among an alias's words (`--profile prod`), in order. */
  globalOptions(args: readonly string[]): string[];
  /** The arguments without the global options, which the CLI keeps for itself. */
  withoutGlobalOptions(args: readonly string[]): string[];
}

/** The invocation's arguments with its aliases expanded, as the CLI does before parsing the command. */
export function expandAliases(args: readonly string[], file: AliasFile, grammar: AwsArgs, where: { cwd: string; env: NodeJS.ProcessEnv }): Expansion {
  const out: Expansion = { lines: [], nested: [], commands: [] };
  if (file.kind === 'none') {
    out.lines.push({ args: [...args], via: [] });
    return out;
  }
  if (file.kind === 'unreadable') {
    out.lines.push({ args: [...args], via: [] });
    out.commands.push(unreadable(`${file.shown} cannot be read (${file.why}); the aws CLI reads it before every command. Fix or remove it`));
    return out;
  }
  const { table, shown } = file;
  let steps = 0;
  // Each pending line is expanded at its next command level until no alias applies there.
  const pending: { args: string[]; via: string[]; level: number; seen: Set<string> }[] = [{ args: [...args], via: [], level: 0, seen: new Set() }];
  while (pending.length > 0) {
    const line = pending.shift()!;
    if (++steps > maxExpansions) {
      out.commands.push(unreadable(`aliases in ${shown} expand more than ${maxExpansions} times (a loop?)`));
      return out;
    }
    const at = grammar.commandWords(line.args);
    if (line.level >= at.length) {
      out.lines.push({ args: line.args, via: line.via });
      continue;
    }
    const words = at.map((i) => line.args[i]);
    const sectionKey = line.level === 0 ? 'toplevel' : words.slice(0, line.level).join(' ');
    const name = words[line.level];
    const alias = table.get(sectionKey)?.get(name);
    const key = `${sectionKey}\u0000${name}`;
    if (!alias || line.seen.has(key)) {
      pending.unshift({ ...line, level: line.level + 1 });
      continue;
    }
    const via = [...line.via, `alias ${line.level === 0 ? '' : `${sectionKey} `}${name} (${shown}:${alias.line})`];
    const before = line.args.slice(0, at[line.level]);
    const after = line.args.slice(at[line.level] + 1);
    if (alias.value.startsWith('!')) {
      // The CLI passes on the arguments it did not take as its own global options (--profile stays behind).
      const text = [alias.value.slice(1), ...grammar.withoutGlobalOptions(after).map(quoteWord)].join(' ');
      out.nested.push({ via: `aws ${via.join(' > ')}`, line: text, where: 'local', cwd: where.cwd, env: where.env });
      continue;
    }
    const aliasWords = shlexSplit(alias.value);
    if (!aliasWords || aliasWords.length === 0) {
      out.commands.push(unreadable(`alias ${name} in ${shown}:${alias.line} cannot be split into words`));
      continue;
    }
    const seen = new Set(line.seen).add(key);
    // The alias's global options win over the typed ones: repeated last, where the last one counts.
    const globals = grammar.globalOptions(aliasWords);
    const readings = [[...before, ...aliasWords, ...after, ...globals]];
    // A subcommand alias named like a built-in runs the built-in with the alias's words after the first.
    if (line.level > 0 && aliasWords[0] !== name) readings.push([...before, name, ...aliasWords.slice(1), ...after, ...globals]);
    for (const reading of readings) pending.push({ args: reading, via, level: line.level, seen });
  }
  return out;
}

function unreadable(text: string): Command {
  return { path: ['alias', 'unreadable'], flags: new Map(), text };
}
