// Alembic (SQLAlchemy's migration tool; argparse: global options before the command, the command's
// own after it). `python -m alembic` is mapped here by the line analysis.
//
// What it destroys: `downgrade REV` runs migrations down (to `base`: all of them), dropping the tables
// and columns they added. With --sql it only prints the SQL (offline mode), so it is not gated.
//
// Where it connects: the config file (-c/--config, else ALEMBIC_CONFIG, else alembic.ini in the
// working directory), section -n/--name (default `alembic`), key `sqlalchemy.url` (with `%(here)s`
// and `%%` read as configparser does). Most projects set the URL in env.py from a variable instead
// (`os.environ["DATABASE_URL"]`, `os.getenv(...)`): every variable env.py reads that way counts, from
// the environment, or from ./.env when env.py calls load_dotenv. `-x NAME=VALUE` arguments go to env.py
// too: their values are read as names (`-x env=prod`). Nothing found is unknown.

import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { partOf, targetOfResolution, type Resolution } from './connection-config.js';
import { readDotenvFiles, variableFrom } from './dotenv.js';
import type { Tool } from './tool.js';

const alembicGrammar = grammar({
  values: [['--config', '-c'], ['--name', '-n'], ['-x'], ['--tag'], ['--rev-id'], ['--message', '-m'], ['--head'], ['--splice'], ['--branch-label'], ['--version-path'], ['--depends-on'], ['--template', '-t'], ['--rev-range', '-r'], ['--package']],
  booleans: [['--help', '-h'], ['--version'], ['--raiseerr'], ['--quiet', '-q'], ['--sql'], ['--autogenerate'], ['--verbose', '-v'], ['--resolve-dependencies'], ['--indicate-current', '-i'], ['--purge']],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, alembicGrammar);
  const help = flags.has('--help') || flags.has('--version') || words.length === 0;
  return { commands: [{ path: words, flags }], help };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, alembicGrammar);
  const named: { evidence: Evidence[]; identifiers: Identifier[] }[] = [];
  for (const x of flags.get('-x') ?? []) {
    const value = x.includes('=') ? x.slice(x.indexOf('=') + 1) : x;
    named.push({ evidence: [{ source: 'flag', key: '-x', value: x }], identifiers: value.includes('://') ? [] : [{ kind: 'name', value }] });
    if (value.includes('://')) named.push(partOf('url', value, { source: 'flag', key: '-x', value }, invocation.cwd));
  }
  const flag = flags.get('--config')?.at(-1);
  const configured = flag ?? invocation.env.ALEMBIC_CONFIG;
  const path = resolvePath(invocation.cwd, configured ?? 'alembic.ini');
  const shown = displayPath(path, invocation.env);
  const resolution: Resolution = { parts: [], unknown: [] };
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch (error) {
    resolution.unknown.push(`${shown} cannot be read (${(error as Error).message})`);
  }
  if (text === undefined) {
    if (resolution.unknown.length === 0) resolution.parts.push({ evidence: [{ source: flag !== undefined ? 'flag' : configured ? 'env' : 'default', key: 'config', value: `${shown} (not found)` }], identifiers: [] });
    return targetOfResolution(resolution, named);
  }
  const section = readIniSection(text, flags.get('--name')?.at(-1) ?? 'alembic', dirname(path));
  const url = section['sqlalchemy.url'];
  if (url) resolution.parts.push(partOf('url', url, { source: 'file', key: 'sqlalchemy.url', value: url, file: shown }, dirname(path)));
  // env.py: the variables it reads for the URL.
  const scripts = section.script_location ? resolvePath(dirname(path), section.script_location.replace(/^%\(here\)s/, dirname(path))) : join(dirname(path), 'alembic');
  let envPy: string | undefined;
  try {
    envPy = readTextIfExists(join(scripts, 'env.py'));
  } catch {
    envPy = undefined;
  }
  if (envPy !== undefined) {
    const code = envPy.replace(/^\s*#.*$/gm, '');
    const { files } = /load_dotenv\s*\(|read_env\s*\(/.test(code) ? readDotenvFiles([join(invocation.cwd, '.env'), join(dirname(path), '.env')]) : { files: [] };
    const names = new Set([...code.matchAll(/os\.(?:environ(?:\.get)?\s*[[(]|getenv\s*\()\s*['"]([A-Za-z_]\w*)['"]/g)].map((m) => m[1]).filter((n) => /URL|DSN|DATABASE|DB|HOST/i.test(n)));
    for (const name of names) {
      const values = variableFrom(name, invocation.env, files);
      for (const v of values) resolution.parts.push(partOf(/HOST/i.test(name) && !/URL|DSN/i.test(name) ? 'host' : 'url', v.value, v.from, dirname(path)));
      if (values.length === 0) resolution.parts.push({ evidence: [{ source: 'file', key: `env.py reads ${name}`, value: 'not set', file: displayPath(join(scripts, 'env.py'), invocation.env) }], identifiers: [] });
    }
  }
  if (resolution.parts.every((p) => p.identifiers.length === 0) && named.every((n) => n.identifiers.length === 0)) {
    resolution.parts.push({ evidence: [{ source: 'file', key: 'sqlalchemy.url', value: 'not set, and env.py reads no variable that is set', file: shown }], identifiers: [] });
  }
  return targetOfResolution(resolution, named);
}

/** One section of an ini file, with configparser's `%(here)s` and `%%`; `[DEFAULT]` fills gaps. */
export function readIniSection(text: string, name: string, here: string): Record<string, string> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue;
    const header = /^\s*\[([^\]]+)\]/.exec(raw);
    if (header) {
      current = sections[header[1].trim()] ??= {};
      last = undefined;
      continue;
    }
    if (current && last !== undefined && /^\s/.test(raw)) {
      current[last] += `\n${raw.trim()}`;
      continue;
    }
    const kv = /^\s*([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      last = kv[1].toLowerCase();
      current[last] = kv[2];
    }
  }
  const merged = { ...(sections.DEFAULT ?? {}), ...(sections[name] ?? {}) };
  for (const key of Object.keys(merged)) merged[key] = merged[key].replace(/%\(here\)s/g, here).replace(/%%/g, '%');
  return merged;
}

/** Commands that never run a migration down (the shim's fast path). */
const plainWords = ['upgrade', 'current', 'history', 'heads', 'branches', 'show', 'revision', 'check', 'init', 'list_templates'];

export const alembic: Tool = { name: 'alembic', parse, resolve, plainWords, actsOnItsHost: true };
