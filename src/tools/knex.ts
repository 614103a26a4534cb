// knex's CLI (`knex migrate:rollback`, usually `npx knex …`; mapped here by the line analysis). Options
// stand anywhere: `--flag value` or `--flag=value`.
//
// What it destroys: `migrate:rollback` runs the last batch of migrations down (with --all, every one),
// and `migrate:down` the last one (or --name): each drops what its migration created.
//
// Where it connects: `--connection URL` when given; else the knexfile (--knexfile, else knexfile.js,
// .ts, .mjs, .cjs in the working directory, or --cwd), its section for the environment (--env, else
// NODE_ENV, else development), read literally (js-project.ts). The environment's name counts too.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import { existsSync } from 'node:fs';
import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { partOf, targetOfResolution } from './connection-config.js';
import { configTarget, environmentName } from './js-project.js';
import type { Tool } from './tool.js';

const knexGrammar = grammar({
  values: [['--knexfile'], ['--knexpath'], ['--cwd'], ['--client'], ['--connection'], ['--env'], ['--migrations-directory'], ['--migrations-table-name'], ['--specific'], ['--name'], ['--timestamp-filename-prefix'], ['--stub'], ['--x']],
  booleans: [['--help', '-h'], ['--version', '-V'], ['--all'], ['--esm'], ['--debug'], ['--verbose'], ['--require']],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, knexGrammar);
  return { commands: [{ path: words, flags }], help: flags.has('--help') || flags.has('--version') || words.length === 0 || words[0] === 'help' };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, knexGrammar);
  const connection = flags.get('--connection')?.at(-1);
  const environment = environmentName(flags.get('--env')?.at(-1), invocation.env);
  if (connection) {
    return targetOfResolution({ parts: [partOf('url', connection, { source: 'flag', key: '--connection', value: connection }, invocation.cwd)], unknown: [] }, [{ evidence: [environment.from], identifiers: [{ kind: 'name', value: environment.name }] }]);
  }
  const cwd = resolvePath(invocation.cwd, flags.get('--cwd')?.at(-1) ?? '.');
  const flag = flags.get('--knexfile')?.at(-1);
  const path = flag !== undefined ? resolvePath(invocation.cwd, flag) : (['knexfile.js', 'knexfile.ts', 'knexfile.mjs', 'knexfile.cjs', 'knexfile.coffee'].map((f) => join(cwd, f)).find((p) => existsSync(p)) ?? join(cwd, 'knexfile.js'));
  return configTarget(path, environment, invocation.env, cwd);
}

export const knex: Tool = { name: 'knex', parse, resolve, actsOnItsHost: true };
