// How app repositories run their migration tools, mapped to the tools themselves so that their rules
// judge them (src/tools/prisma.ts, rails.ts, django.ts, …):
//   - `bundle exec rails …` (also `bundle e|ex|exe`): the command, as Bundler runs it;
//   - `poetry run CMD`, `uv run CMD`, `pipenv run CMD`: the command in the project's virtualenv; uv's
//     `--env-file` and pipenv's automatic `.env` set variables for it, which are read and passed on;
//   - `python manage.py …`, `./manage.py …`, `python src/manage.py …`, and any Python file that hands
//     its arguments to Django (`execute_from_command_line`): `django-admin …`, with the
//     DJANGO_SETTINGS_MODULE the file defaults (`os.environ.setdefault(…)`) unless the line sets it;
//   - `python -m django …` and `python -m alembic …`: `django-admin …`, `alembic …`.
// `npx prisma`, `pnpm exec`, `yarn prisma`, `bunx` are package runners (runners.ts), and `bin/rails`,
// `bin/rake`, `./node_modules/.bin/prisma` are covered tools reached by path (indirect.ts).

import { dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { parseDotenv } from '../tools/dotenv.js';
import { readTextFile } from './files.js';
import { followed, type FollowContext, type Followed } from './indirect.js';
import { interpreterOf } from './interpreters.js';
import { commandName } from './launch.js';
import { readOptions, valueOf, has, type OptionGrammar } from './options.js';
import { isKnown, reveal } from './words.js';

const bundleExec: OptionGrammar = { values: ['--gemfile'] };
const poetryGlobals: OptionGrammar = { values: ['-C', '--directory', '-P', '--project'] };
const pipenvRun: OptionGrammar = { values: ['--python'] };
/** uv's options that take a value (uv run --help, and the global ones). */
const uvOptions: OptionGrammar = {
  values: [
    '--with', '--with-editable', '--with-requirements', '--extra', '--group', '--only-group', '--no-group', '--package', '--python', '-p', '--env-file',
    '--directory', '--project', '--index', '--default-index', '--index-url', '-i', '--extra-index-url', '--find-links', '-f', '--index-strategy',
    '--keyring-provider', '--resolution', '--prerelease', '--exclude-newer', '--link-mode', '--config-setting', '-C', '--refresh-package',
    '--reinstall-package', '--upgrade-package', '-P', '--cache-dir', '--config-file', '--color', '--allow-insecure-host', '--python-preference',
    '--no-binary-package', '--no-build-package', '--no-sources-package', '--exclude-newer-package', '--python-platform', '--emit-index-url',
  ],
};
const pythonOptions = ['-W', '-X', '-Q'];

/** What a migration tool's usual runner runs, or undefined when argv is none of them. */
export function appRunnerFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  const args = argv.slice(1);
  if (name === 'bundle' || name === 'bundler') {
    if (!['exec', 'e', 'ex', 'exe'].includes(args[0] ?? '')) return undefined;
    const read = readOptions(args.slice(1), bundleExec);
    return read.rest.length > 0 ? run(read.rest, `bundle ${args[0]}`) : undefined;
  }
  if (name === 'poetry') {
    const read = readOptions(args, poetryGlobals);
    if (read.rest[0] !== 'run' || read.rest.length < 2) return undefined;
    const chdir = valueOf(read, '-C', '--directory');
    const rest = read.rest.slice(1)[0] === '--' ? read.rest.slice(2) : read.rest.slice(1);
    return rest.length > 0 ? run(rest, 'poetry run', chdir !== undefined ? resolve(ctx.cwd, chdir) : undefined) : undefined;
  }
  if (name === 'uv') {
    const global = readOptions(args, uvOptions);
    if (global.rest[0] !== 'run') return undefined;
    const read = readOptions(global.rest.slice(1), uvOptions);
    const options = [...global.options, ...read.options];
    const all = { options, rest: read.rest };
    const chdir = valueOf(all, '--directory');
    const cwd = chdir !== undefined ? resolve(ctx.cwd, chdir) : ctx.cwd;
    const set: Record<string, string> = {};
    for (const [option, file] of options) {
      if (option !== '--env-file' || file === undefined) continue;
      const values = dotenvValues(cwd, file, ctx);
      if (values === undefined) return unknownEnvFile(`uv run --env-file ${reveal(file)}`);
      Object.assign(set, values);
    }
    if (read.rest.length === 0) return undefined;
    // `uv run -m MOD`, and `uv run x.py` (a Python file is run with the project's Python).
    const command = has(all, '-m', '--module') ? ['python', '-m', ...read.rest] : /\.py$/.test(read.rest[0]) ? ['python', ...read.rest] : read.rest;
    return run(command, 'uv run', chdir !== undefined ? cwd : undefined, set);
  }
  if (name === 'pipenv') {
    if (args[0] !== 'run') return undefined;
    const read = readOptions(args.slice(1), pipenvRun);
    if (read.rest.length === 0) return undefined;
    // pipenv loads the project's .env into the command's environment, unless told not to.
    const set: Record<string, string> = {};
    if (!ctx.lookup('PIPENV_DONT_LOAD_ENV')) {
      const file = ctx.lookup('PIPENV_DOTENV_LOCATION') ?? join(projectDir(ctx.cwd, 'Pipfile'), '.env');
      const values = dotenvValues(ctx.cwd, file, ctx);
      if (values === undefined) return unknownEnvFile(`pipenv run (loading ${reveal(file)})`);
      for (const [k, v] of Object.entries(values)) if (ctx.lookup(k) === undefined) set[k] = v;
    }
    return run(read.rest, 'pipenv run', undefined, set);
  }
  return djangoFollow(argv, ctx);
}

/** `python manage.py …`, `./manage.py …`, `python -m django|alembic …`. */
function djangoFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  let script: string | undefined;
  let rest: readonly string[];
  if (interpreterOf(name) === 'python') {
    let i = 1;
    for (; i < argv.length && argv[i].startsWith('-') && argv[i] !== '-' && argv[i] !== '-m' && argv[i] !== '-c'; i++) if (pythonOptions.includes(argv[i])) i++;
    if (argv[i] === '-m') {
      const module = argv[i + 1];
      if (module === 'django') return run(['django-admin', ...argv.slice(i + 2)], `${name} -m django`);
      if (module === 'alembic') return run(['alembic', ...argv.slice(i + 2)], `${name} -m alembic`);
      return undefined;
    }
    script = argv[i];
    rest = argv.slice(i + 1);
  } else {
    script = argv[0];
    rest = argv.slice(1);
    if (!script.includes('/')) return undefined;
  }
  if (script === undefined || !isKnown(script) || !script.endsWith('.py')) return undefined;
  const read = ctx.remote ? undefined : readTextFile(ctx.cwd, script);
  const text = read && 'text' in read ? read.text : undefined;
  const isManage = commandName(script) === 'manage.py' || (text !== undefined && /\bexecute_from_command_line\b/.test(text));
  if (!isManage) return undefined;
  const set: Record<string, string> = {};
  const module = text === undefined ? undefined : /os\.environ\.setdefault\(\s*['"]DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]\s*\)/.exec(text)?.[1];
  if (module !== undefined && ctx.lookup('DJANGO_SETTINGS_MODULE') === undefined) set.DJANGO_SETTINGS_MODULE = module;
  // Python puts the script's directory first on sys.path, so the settings module is found from there.
  const dir = read ? dirname(read.file) : ctx.cwd;
  if (dir !== ctx.cwd) set.PYTHONPATH = [dir, ctx.lookup('PYTHONPATH')].filter(Boolean).join(':');
  return run(['django-admin', ...rest], reveal(script), undefined, set);
}

function run(argv: readonly string[], via: string, cwd?: string, set: Record<string, string> = {}): Followed {
  return followed({ runs: [{ argv: [...argv], via, ...(cwd !== undefined ? { cwd } : {}), ...(Object.keys(set).length > 0 ? { set } : {}) }] });
}

/** The variables a .env file sets; undefined when it exists but cannot be read or is not known. */
function dotenvValues(cwd: string, file: string, ctx: FollowContext): Record<string, string> | undefined {
  if (!isKnown(file) || ctx.remote) return undefined;
  const read = readTextFile(cwd, file);
  if ('missing' in read) return {};
  if ('error' in read) return undefined;
  return parseDotenv(read.text);
}

function unknownEnvFile(via: string): Followed {
  return followed({ unknown: [{ reason: `${via}: the variables it sets come from a file chaperone cannot read here` }] });
}

/** The nearest directory at or above `cwd` holding `marker`, else `cwd`. */
function projectDir(cwd: string, marker: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (!('missing' in readTextFile(dir, marker))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}
