// A psql script is SQL with backslash meta-commands between the statements. This reads one: the SQL
// goes to the PostgreSQL grammar; `\i`/`\ir` files are read in turn; `\!` (a shell) and `\gexec`
// (running query results as SQL) are actions of their own.
// A line is a meta-command when it starts with a backslash; psql also allows one after SQL on the same
// line (`SELECT 1 \gx`), which this reader does not split yet.

import { dirname, resolve } from 'node:path';
import type { Command } from '../model.js';
import { readSql } from './postgres.js';
import { UnitScanner, type ReadUnit } from './units.js';
import { readStartupFile } from '../tools/startup-file.js';

const maxIncludeDepth = 8;

export interface ScriptPlace {
  cwd: string;
  /** The directory of the script being read, for `\ir`; cwd for -c and stdin. */
  scriptDir: string;
  depth?: number;
  /** HOME, for `\i ~/file` (psql expands the tilde); without it such a path is not found. */
  home?: string;
}

export async function readPsqlScript(text: string, place: ScriptPlace): Promise<Command[]> {
  const commands: Command[] = [];
  let sql: string[] = [];
  const flushSql = async () => {
    commands.push(...(await readSql(sql.join('\n'))));
    sql = [];
  };
  for (const line of text.split('\n')) {
    const meta = /^\s*\\([A-Za-z!]+)\s*(.*)$/.exec(line);
    if (!meta) {
      sql.push(line);
      continue;
    }
    await flushSql();
    commands.push(...(await readMeta(meta[1], meta[2].trim(), line.trim(), place)));
  }
  await flushSql();
  return commands;
}

async function readMeta(name: string, argument: string, line: string, place: ScriptPlace): Promise<Command[]> {
  const meta = (word: string): Command => ({ path: ['meta', word], flags: new Map(), text: line });
  if (name.startsWith('!')) return [meta('shell')];
  if (name === 'gexec') return [{ path: ['sql', 'gexec'], flags: new Map(), text: line }];
  if (['i', 'include', 'ir', 'include_relative'].includes(name)) {
    const depth = (place.depth ?? 0) + 1;
    const relativeTo = name === 'ir' || name === 'include_relative' ? place.scriptDir : place.cwd;
    const named = argument.replace(/^'(.*)'$/, '$1');
    const file = resolve(relativeTo, place.home !== undefined && (named === '~' || named.startsWith('~/')) ? place.home + named.slice(1) : named);
    if (depth > maxIncludeDepth) {
      return [{ path: ['sql', 'unreadable'], flags: new Map(), text: `${line} (includes nested deeper than ${maxIncludeDepth})` }];
    }
    // Regular files only, opened without blocking: a FIFO would hang chaperone, or hand it one text and
    // psql another.
    const included = readStartupFile(file);
    if (included.kind !== 'text') {
      return [{ path: ['sql', 'unreadable'], flags: new Map(), text: `${line} (${included.kind === 'missing' ? 'ENOENT' : included.why})` }];
    }
    return readPsqlScript(included.text, { ...place, scriptDir: dirname(file), depth });
  }
  return [meta(name)];
}

/** The actions in the suspicious units of a large script; the others cannot destroy anything. */
export async function readUnits(units: readonly ReadUnit[], place: ScriptPlace): Promise<Command[]> {
  const commands: Command[] = [];
  for (const unit of units) if (unit.text !== undefined) commands.push(...(await readPsqlScript(unit.text, place)));
  return commands;
}

/** A whole script held in memory, read the fast way. */
export async function readLargePsqlScript(bytes: Buffer, place: ScriptPlace): Promise<Command[]> {
  const scanner = new UnitScanner();
  return readUnits([...scanner.push(bytes), ...scanner.finish()], place);
}
