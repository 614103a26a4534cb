// Django's management commands: `django-admin CMD`, and (mapped here by the line analysis,
// src/shell/app-runners.ts) `python manage.py CMD`, `./manage.py CMD` and `python -m django CMD`. A
// manage.py is django-admin with DJANGO_SETTINGS_MODULE defaulted to the module it names, so the line
// analysis passes that default on as the variable, unless the line already sets it.
//
// Grammar: argparse; the command is the first word, options (`--settings X`, `--database X`,
// `--no-input`) stand anywhere after it. What it destroys: `flush` (empties every table), `migrate APP
// zero` (unapplies every migration of the app, dropping its tables; not with --fake or --plan),
// `reset_db` (django-extensions: drops and recreates the database), and SQL piped into `dbshell` when
// the line shows it.
//
// Where it connects: the settings module (`--settings`, else DJANGO_SETTINGS_MODULE) is named by token
// (`config.settings.production` is production, `config.settings.local` development); DATABASE_URL, when
// set (dj-database-url, django-environ); and the settings file itself, found from the module name under
// the working directory and --pythonpath/PYTHONPATH, read literally: the `'HOST'` and `'NAME'` of its
// DATABASES, the variables it reads with os.environ / os.getenv / env(…) for them (from the environment,
// or from ./.env when the settings call read_env or load_dotenv), and `from .base import *` chains.
// With no settings module at all, nothing is known: unknown.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { partOf, targetOfResolution, type Resolution } from './connection-config.js';
import { readDotenvFiles, variableFrom } from './dotenv.js';
import { dialectOf, readSqlText } from './sql-text.js';
import type { Tool } from './tool.js';

const djangoGrammar = grammar({
  values: [['--settings'], ['--pythonpath'], ['--database'], ['--verbosity', '-v'], ['--plan'], ['--exclude', '-e'], ['--format'], ['--output', '-o'], ['--app'], ['--name'], ['--command', '-c'], ['--interface', '-i']],
  booleans: [
    ['--help', '-h'],
    ['--version'],
    ['--no-input', '--noinput'],
    ['--traceback'],
    ['--no-color'],
    ['--force-color'],
    ['--skip-checks'],
    ['--fake'],
    ['--fake-initial'],
    ['--check'],
    ['--run-syncdb'],
    ['--prune'],
    ['--list', '-l'],
  ],
});
// `migrate --plan` takes no value: it is listed among values above only for other commands' sake.
djangoGrammar.values.delete('--plan');
djangoGrammar.booleans.set('--plan', '--plan');

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags } = readArgs(invocation.args, djangoGrammar);
  const help = flags.has('--help') || flags.has('--version') || words[0] === 'help' || words.length === 0;
  const command: Command = { path: words, flags };
  // `shell -c CODE`, or Python the line pipes into `shell`: read by its words (see destructivePython).
  if (!help && words[0] === 'shell') {
    const code = flags.get('--command')?.at(-1) ?? invocation.input;
    if (code && destructivePython.test(code)) return { commands: [{ path: ['shell', 'destructive'], flags, text: `shell: ${code.slice(0, 200)}` }], help };
  }
  if (help || words[0] !== 'dbshell' || !invocation.input) return { commands: [command], help };
  // SQL the line pipes into the database's own client (`manage.py sqlflush | manage.py dbshell`). Through
  // the shim, dbshell starts psql or mysql, whose own shims read it.
  const statements = await readSqlText(invocation.input, dialectOf(invocation.env.DATABASE_URL));
  return { commands: [command, ...statements], help: false };
}

/**
 * Python that deletes in bulk, runs SQL or management commands, by its words: no Python parser here, so
 * a word in a string or comment counts too (the stricter reading).
 */
const destructivePython = /\.delete\(\s*\)|\b(?:call_command|execute_from_command_line|cursor|raw|execute|executescript|truncate|drop_table)\s*\(|\b(?:DROP\s+(?:TABLE|DATABASE|SCHEMA)|TRUNCATE|DELETE\s+FROM)\b/i;

interface Settings {
  module: string;
  from: Evidence;
}

function settingsModule(invocation: Invocation): Settings | undefined {
  const { flags } = readArgs(invocation.args, djangoGrammar);
  const flag = flags.get('--settings')?.at(-1);
  if (flag) return { module: flag, from: { source: 'flag', key: '--settings', value: flag } };
  const env = invocation.env.DJANGO_SETTINGS_MODULE;
  if (env) return { module: env, from: { source: 'env', key: 'DJANGO_SETTINGS_MODULE', value: env } };
  return undefined;
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, djangoGrammar);
  const settings = settingsModule(invocation);
  const named: { evidence: Evidence[]; identifiers: Identifier[] }[] = [];
  const resolution: Resolution = { parts: [], unknown: [] };
  const alias = flags.get('--database')?.at(-1);
  if (alias) named.push({ evidence: [{ source: 'flag', key: '--database', value: alias }], identifiers: [] });
  if (!settings) {
    named.push({ evidence: [{ source: 'default', key: 'settings', value: 'no --settings and no DJANGO_SETTINGS_MODULE' }], identifiers: [] });
  } else {
    named.push({ evidence: [settings.from], identifiers: [{ kind: 'name', value: settings.module }] });
    const roots = [invocation.cwd, ...[flags.get('--pythonpath')?.at(-1), ...(invocation.env.PYTHONPATH ?? '').split(':')].filter((p): p is string => !!p).map((p) => resolvePath(invocation.cwd, p))];
    readSettings(settings.module, roots, invocation, resolution, 0, new Set());
  }
  const url = invocation.env.DATABASE_URL;
  if (url && !resolution.parts.some((p) => p.evidence.some((e) => e.source === 'env' && e.key === 'DATABASE_URL'))) {
    resolution.parts.push(partOf('url', url, { source: 'env', key: 'DATABASE_URL', value: url }, invocation.cwd));
  }
  return targetOfResolution(resolution, named, settings?.module);
}

/** The file of a dotted module under one of the roots. */
function moduleFile(module: string, roots: readonly string[]): string | undefined {
  const rel = module.replace(/\./g, '/');
  for (const root of roots) {
    for (const candidate of [`${rel}.py`, `${rel}/__init__.py`]) {
      const path = join(root, candidate);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

/** The DATABASES settings of one module and the modules it star-imports, read literally. */
function readSettings(module: string, roots: readonly string[], invocation: Invocation, into: Resolution, depth: number, seen: Set<string>): void {
  const file = moduleFile(module, roots);
  if (!file || seen.has(file) || depth > 4) return;
  seen.add(file);
  let text: string;
  try {
    text = (readTextIfExists(file) ?? '').replace(/^\s*#.*$/gm, '');
  } catch (error) {
    into.unknown.push(`${displayPath(file, invocation.env)} cannot be read (${(error as Error).message})`);
    return;
  }
  const shown = displayPath(file, invocation.env);
  const loadsDotenv = /\bread_env\s*\(|\bload_dotenv\s*\(/.test(text);
  const { files } = loadsDotenv ? readDotenvFiles([join(invocation.cwd, '.env'), join(dirname(file), '.env'), join(dirname(dirname(file)), '.env')]) : { files: [] };
  const from = (key: string, value: string): Evidence => ({ source: 'file', key, value, file: shown });
  // 'HOST': 'db.example.com', 'NAME': 'shop'
  for (const m of text.matchAll(/['"](HOST|NAME)['"]\s*:\s*(?:['"]([^'"]*)['"]|(os\.environ\.get|os\.getenv|os\.environ\[|env\.str|env)\s*\(?\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]*)['"])?)/g)) {
    const key = m[1];
    if (m[2] !== undefined) {
      into.parts.push(partOf(key, m[2], from(`DATABASES ${key}`, m[2]), dirname(file)));
      continue;
    }
    const values = variableFrom(m[4], invocation.env, files);
    if (values.length === 0 && m[5] !== undefined) into.parts.push(partOf(key, m[5], from(`DATABASES ${key}`, `${m[5]} (the default: ${m[4]} is not set)`), dirname(file)));
    for (const v of values) into.parts.push(partOf(key, v.value, v.from, dirname(file)));
  }
  // 'ENGINE': 'django.db.backends.sqlite3': a file on this machine, whatever its NAME expression.
  if (/['"]ENGINE['"]\s*:\s*['"][^'"]*sqlite3['"]/.test(text)) {
    into.parts.push({ evidence: [from('DATABASES ENGINE', 'django.db.backends.sqlite3 (a file on this machine)')], identifiers: [{ kind: 'host', value: 'localhost' }] });
  }
  // dj_database_url.config(default=…), env.db('NAME', default=…), dj_database_url.parse(os.environ['NAME'])
  for (const m of text.matchAll(/\b(?:dj_database_url\.(?:config|parse)|env\.db(?:_url)?|db_url)\s*\(([^)]{0,500})\)/g)) {
    const args = m[1];
    const fallback = /\bdefault\s*=\s*['"]([^'"]*)['"]/.exec(args)?.[1];
    const named = /^\s*(?:(?:env|var)\s*=\s*)?(?:os\.environ(?:\.get)?\s*[[(]\s*|os\.getenv\s*\(\s*)?['"]([^'"]*)['"]/.exec(args)?.[1];
    const name = named === undefined || named.includes('://') ? 'DATABASE_URL' : named;
    const values = variableFrom(name, invocation.env, files);
    for (const v of values) into.parts.push(partOf('url', v.value, v.from, dirname(file)));
    if (values.length > 0) continue;
    const literal = fallback ?? (named?.includes('://') ? named : undefined);
    if (literal !== undefined) into.parts.push(partOf('url', literal, from('database url default', `${literal} (${name} is not set)`), dirname(file)));
    else into.unknown.push(`${shown} reads its database from ${name}, which is not set`);
  }
  // from .base import *, from config.settings.base import *
  for (const m of text.matchAll(/^\s*from\s+(\.*)([\w.]*)\s+import\s+\*/gm)) {
    const dots = m[1].length;
    const parent = module.split('.').slice(0, dots > 0 ? -dots : undefined);
    const target = dots > 0 ? [...parent, ...(m[2] ? m[2].split('.') : [])].join('.') : m[2];
    if (target) readSettings(target, roots, invocation, into, depth + 1, seen);
  }
}

/** Commands that never change the database's data (the shim's fast path). */
const plainWords = ['runserver', 'showmigrations', 'makemigrations', 'check', 'collectstatic', 'startapp', 'startproject', 'sqlmigrate', 'diffsettings', 'version'];

export const django: Tool = { name: 'django', parse, resolve, plainWords, actsOnItsHost: true };
