// Rails and Rake (`rails db:drop`, `rake db:reset`; `bin/rails`, `bundle exec rails` and `bin/rake` are
// mapped here by the line analysis). One call may name several tasks (`rails db:drop db:create`), each a
// command of its own; `NAME=value` words set variables for the tasks, as rake does; task arguments in
// brackets (`db:seed:replant[x]`) are dropped. rake's `-n/--dry-run` and its listing options (`-T`,
// `-D`, `-P`, `-W`) run nothing. rake's `-e` is Ruby code, not an environment; rails' `-e` is one.
//
// Which environment: `-e/--environment` (rails), a `RAILS_ENV=…` word, `RAILS_ENV`, `RACK_ENV`, else
// Rails' own default, development; every one given counts. Then what that environment connects to:
// `DATABASE_URL` (Rails merges it into the environment's primary database; with dotenv-rails in the
// Gemfile, also from the .env files it loads), and config/database.yml
// under the app (the nearest directory with config/database.yml; rake -C/--directory moves it): the
// environment's `url`, `host` and `database`, for each of its databases (multi-database apps). ERB in
// the file is read for `<%= ENV['NAME'] %>` and `ENV.fetch('NAME') { 'default' }`/`ENV.fetch('NAME',
// 'default')`; other Ruby makes the value unknown. A database.yml that cannot be read makes the target
// unknown: it may point anywhere.
//
// Rails refuses the destructive tasks on a database it knows is production (its ar_internal_metadata says
// so) unless DISABLE_DATABASE_ENVIRONMENT_CHECK is set. Setting it is asking to get past that guard, so a
// gated task with it counts as production whatever else the evidence says.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath, readTextIfExists } from '../context/files.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { partOf, targetOfResolution, type Resolution } from './connection-config.js';
import { readDotenvFiles, variableFrom } from './dotenv.js';
import { mappingOf } from './yaml-file.js';
import type { Tool } from './tool.js';

const rakeGrammar = grammar({
  values: [
    ['--rakefile', '-f'],
    ['--directory', '-C'],
    ['--libdir', '-I'],
    ['--require', '-r'],
    ['--rakelibdir', '-R'],
    ['--execute', '-e'],
    ['--execute-print', '-p'],
    ['--execute-continue', '-E'],
    ['--jobs', '-j'],
    ['--suppress-backtrace'],
    ['--backtrace'],
  ],
  booleans: [
    ['--help', '-h', '-H'],
    ['--version', '-V'],
    ['--dry-run', '-n'],
    ['--tasks', '-T'],
    ['--describe', '-D'],
    ['--prereqs', '-P'],
    ['--where', '-W'],
    ['--trace', '-t'],
    ['--silent', '-s'],
    ['--quiet', '-q'],
    ['--verbose', '-v'],
    ['--all', '-A'],
    ['--build-all', '-B'],
    ['--multitask', '-m'],
    ['--system', '-g'],
    ['--no-system', '-G'],
    ['--no-search', '-N'],
    ['--rules'],
    ['--comments'],
    ['--no-deprecation-warnings', '-X'],
  ],
});

const railsGrammar = grammar({
  values: [['--environment', '-e']],
  booleans: [['--help', '-h'], ['--version', '-v'], ['--trace', '-t'], ['--dry-run', '-n'], ['--tasks', '-T'], ['--describe', '-D']],
});

function grammarOf(invocation: Invocation): Grammar {
  return invocation.tool === 'rake' ? rakeGrammar : railsGrammar;
}

interface Read {
  tasks: string[];
  assignments: Record<string, string>;
  flags: Map<string, string[]>;
}

function readCall(invocation: Invocation): Read {
  const { words, flags, rest } = readArgs(invocation.args, grammarOf(invocation));
  const tasks: string[] = [];
  const assignments: Record<string, string> = {};
  for (const word of [...words, ...rest]) {
    const eq = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(word);
    if (eq) assignments[eq[1]] = eq[2];
    else tasks.push(word.replace(/\[[\s\S]*\]$/, ''));
  }
  return { tasks, assignments, flags };
}

function parse(invocation: Invocation): ParsedInvocation {
  const { tasks, flags } = readCall(invocation);
  const listing = ['--tasks', '--describe', '--prereqs', '--where', '--dry-run', '--version'].some((f) => flags.has(f));
  const help = flags.has('--help') || listing || tasks[0] === 'help' || tasks.length === 0;
  // `rails runner CODE|FILE`: Ruby, read by its words (see destructiveRuby).
  if (invocation.tool === 'rails' && (tasks[0] === 'runner' || tasks[0] === 'r') && tasks[1] !== undefined) {
    return { commands: [{ path: [tasks[0], runnerKind(tasks[1], invocation)], flags, text: `rails ${tasks[0]} ${tasks[1].slice(0, 200)}` }], help };
  }
  // `rails new`, `rails server`, … are commands; every other word is a rake task. Each is matched alone.
  const commands: Command[] = tasks.map((task) => ({ path: [task], flags }));
  return { commands, help };
}

/**
 * Ruby that destroys data in bulk or runs the database tasks, by its words: no Ruby parser here, so a
 * word in a string or comment counts too (the stricter reading). Ordinary single-record code is `code`.
 */
const destructiveRuby = /Rake::Task|DatabaseTasks|\b(?:drop_table|drop_database|drop_schema|purge|truncate(?:_tables)?|delete_all|destroy_all|update_all|remove_column|execute|exec_query|exec_update|exec_delete)\b|db:(?:drop|reset|purge|schema:load|structure:load|truncate_all|rollback|seed:replant|migrate:(?:reset|down|redo))/i;

/** `destructive` when the code (or the .rb file named) reads as bulk destruction, else `code`. */
function runnerKind(code: string, invocation: Invocation): string {
  let text = code;
  if (/\.rb$/.test(code)) {
    try {
      text = readTextIfExists(resolvePath(invocation.cwd, code)) ?? code;
    } catch {
      return 'destructive'; // a script that cannot be read cannot be shown to be safe
    }
  }
  return destructiveRuby.test(text) ? 'destructive' : 'code';
}

/** The environment names this call runs in, each with its evidence. */
function environments(invocation: Invocation, read: Read): { name: string; from: Evidence }[] {
  const out: { name: string; from: Evidence }[] = [];
  const flag = read.flags.get('--environment')?.at(-1);
  if (flag && invocation.tool !== 'rake') out.push({ name: flag, from: { source: 'flag', key: '--environment', value: flag } });
  for (const name of ['RAILS_ENV', 'RACK_ENV']) {
    const word = read.assignments[name];
    if (word) out.push({ name: word, from: { source: 'argument', key: name, value: word } });
  }
  const railsEnv = invocation.env.RAILS_ENV;
  if (railsEnv) out.push({ name: railsEnv, from: { source: 'env', key: 'RAILS_ENV', value: railsEnv } });
  else if (invocation.env.RACK_ENV) out.push({ name: invocation.env.RACK_ENV, from: { source: 'env', key: 'RACK_ENV', value: invocation.env.RACK_ENV } });
  if (out.length === 0) out.push({ name: 'development', from: { source: 'default', key: 'Rails.env', value: 'development (no RAILS_ENV, RACK_ENV or -e: Rails defaults to development)' } });
  return out;
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const read = readCall(invocation);
  const env: NodeJS.ProcessEnv = { ...invocation.env, ...read.assignments };
  const names = environments(invocation, read);
  const named: { evidence: Evidence[]; identifiers: Identifier[] }[] = names.map((n) => ({ evidence: [n.from], identifiers: [{ kind: 'name', value: n.name }] }));
  const resolution: Resolution = { parts: [], unknown: [] };

  const directory = read.flags.get('--directory')?.at(-1);
  const start = directory !== undefined ? resolvePath(invocation.cwd, directory) : invocation.cwd;
  const app = ancestors(start).find((dir) => existsSync(join(dir, 'config', 'database.yml')));

  // DATABASE_URL: the call's, else (with dotenv-rails in the Gemfile) the .env files it loads.
  if (read.assignments.DATABASE_URL) resolution.parts.push(partOf('url', read.assignments.DATABASE_URL, { source: 'argument', key: 'DATABASE_URL', value: read.assignments.DATABASE_URL }, invocation.cwd));
  else {
    const dotenv = app !== undefined && /\bdotenv\b/.test(readRaw(join(app, 'Gemfile')));
    const { files } = dotenv ? readDotenvFiles(names.flatMap((n) => [`.env.${n.name}.local`, '.env.local', `.env.${n.name}`]).concat('.env').map((f) => join(app, f))) : { files: [] };
    for (const found of variableFrom('DATABASE_URL', invocation.env, files)) resolution.parts.push(partOf('url', found.value, found.from, invocation.cwd));
  }
  const everyEnvironment = parsed.commands.some((c) => /:all$/.test(c.path[0] ?? ''));
  if (app) readDatabaseYml(join(app, 'config', 'database.yml'), app, everyEnvironment ? undefined : names.map((n) => n.name), env, resolution, invocation.env);

  const guardOff = env.DISABLE_DATABASE_ENVIRONMENT_CHECK;
  const target = targetOfResolution(resolution, named, names[0].name);
  if (guardOff !== undefined && guardOff !== '') {
    const from: Evidence = { source: read.assignments.DISABLE_DATABASE_ENVIRONMENT_CHECK !== undefined ? 'argument' : 'env', key: 'DISABLE_DATABASE_ENVIRONMENT_CHECK', value: guardOff };
    return { ...target, evidence: [from, ...target.evidence], forcedClass: 'production', forcedReason: 'DISABLE_DATABASE_ENVIRONMENT_CHECK turns off Rails\' own refusal to destroy a production database, so this counts as production' };
  }
  return target;
}

/** The connection settings of the named environments (all of them, for `db:…:all`) in database.yml. */
function readDatabaseYml(file: string, app: string, wanted: string[] | undefined, env: NodeJS.ProcessEnv, into: Resolution, processEnv: NodeJS.ProcessEnv): void {
  const shown = displayPath(file, processEnv);
  const erb = expandErb(readRaw(file), env);
  if (erb.unreadable) {
    into.unknown.push(`${shown} has Ruby (ERB) chaperone cannot read: ${erb.unreadable}`);
    return;
  }
  const yaml = readYamlText(erb.text);
  if (yaml.kind === 'unreadable') {
    into.unknown.push(`${shown} cannot be read (${yaml.why})`);
    return;
  }
  const root = mappingOf(yaml.data);
  for (const name of wanted ?? Object.keys(root)) {
    const section = mappingOf(root[name]);
    if (!Object.hasOwn(root, name)) {
      into.parts.push({ evidence: [{ source: 'file', key: name, value: 'no such environment in the file', file: shown }], identifiers: [] });
      continue;
    }
    // Multi-database: { primary: {…}, animals: {…} }; single: the settings themselves.
    const configs = ['adapter', 'url', 'database', 'host'].some((k) => k in section) ? [['', section] as const] : Object.entries(section).map(([k, v]) => [`.${k}`, mappingOf(v)] as const);
    for (const [suffix, config] of configs) {
      for (const key of ['url', 'host', 'database']) {
        const value = config[key];
        if (value === undefined || value === null) continue;
        const text = String(value);
        const unknown = erb.unknownMarks.find((m) => text.includes(m.mark));
        if (unknown) {
          into.unknown.push(`${name}${suffix}.${key} in ${shown} comes from Ruby chaperone cannot read (${unknown.code})`);
          into.parts.push({ evidence: [{ source: 'file', key: `${name}${suffix}.${key}`, value: `<%= ${unknown.code} %>`, file: shown }], identifiers: [] });
          continue;
        }
        const adapter = String(config.adapter ?? '');
        const sqlite = key === 'database' && /sqlite/i.test(adapter);
        into.parts.push(partOf(key === 'url' ? 'url' : key === 'host' ? 'host' : sqlite ? 'filename' : 'database', sqlite && !/\.(db|sqlite3?|db3)$/i.test(text) ? `${text}.sqlite3` : text, { source: 'file', key: `${name}${suffix}.${key}`, value: text, file: shown }, app));
      }
    }
  }
}

/** The file's text; one that cannot be read becomes a control tag, so it reads as unreadable. */
function readRaw(file: string): string {
  try {
    return readTextIfExists(file) ?? '';
  } catch (error) {
    return `<% unreadable: ${(error as Error).message} %>`;
  }
}

function readYamlText(text: string): { kind: 'read'; data: unknown } | { kind: 'unreadable'; why: string } {
  try {
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    return { kind: 'read', data: parse(text, { merge: true }) };
  } catch (error) {
    return { kind: 'unreadable', why: (error as Error).message.split('\n')[0] };
  }
}

/**
 * database.yml's ERB, for the forms that only read variables. Each other `<%= … %>` becomes a mark that
 * makes the value holding it unknown; a `<% … %>` (code that may choose what the file says) makes the
 * whole file unreadable.
 */
export function expandErb(text: string, env: NodeJS.ProcessEnv): { text: string; unreadable?: string; unknownMarks: { mark: string; code: string }[] } {
  const unknownMarks: { mark: string; code: string }[] = [];
  let out = '';
  for (let i = 0; ; ) {
    const open = text.indexOf('<%', i);
    if (open < 0) return { text: out + text.slice(i), unknownMarks };
    out += text.slice(i, open);
    const close = text.indexOf('%>', open + 2);
    if (close < 0) return { text, unreadable: `${text.slice(open, open + 200)} (not closed)`, unknownMarks };
    const tag = text.slice(open + 2, close);
    i = close + 2;
    if (tag.startsWith('#')) continue;
    if (!tag.startsWith('=')) return { text, unreadable: `<%${tag.slice(0, 200)}%>`, unknownMarks };
    const code = tag.slice(1).replace(/-$/, '').trim();
    const value = erbValue(code, env);
    if (value !== undefined) {
      out += value;
      continue;
    }
    const mark = `chaperone-erb-${unknownMarks.length}`;
    unknownMarks.push({ mark, code: code.slice(0, 200) });
    out += mark;
  }
}

/** What `<%= code %>` writes, for code that only reads a variable; undefined for anything else. */
function erbValue(code: string, env: NodeJS.ProcessEnv): string | undefined {
  const q = String.raw`['"]([^'"]+)['"]`;
  // ENV['NAME'] of an unset variable is nil, which ERB writes as nothing (Rails then ignores the key).
  const plain = new RegExp(`^ENV\\[${q}\\]$`).exec(code);
  if (plain) return env[plain[1]] ?? '';
  // ENV.fetch of an unset variable without a default raises, and Rails stops before any task runs.
  const fetched = new RegExp(`^ENV\\.fetch\\(\\s*${q}\\s*(?:,\\s*${q}\\s*)?\\)(?:\\s*\\{\\s*${q}\\s*\\})?$`).exec(code);
  if (fetched) return env[fetched[1]] ?? fetched[2] ?? fetched[3] ?? '';
  const defaulted = new RegExp(`^ENV\\[${q}\\]\\s*\\|\\|\\s*${q}$`).exec(code);
  if (defaulted) return env[defaulted[1]] ?? defaulted[2];
  return undefined;
}

export const rails: Tool = { name: 'rails', parse, resolve, actsOnItsHost: true };
