// sequelize-cli (`sequelize db:drop`, `npx sequelize-cli db:migrate:undo:all`; the package installs
// both names). Options stand anywhere: `--flag value` or `--flag=value`.
//
// What it destroys: `db:drop` drops the database; `db:migrate:undo` (with :all, every migration) runs
// migrations down; `db:seed:undo` (with :all) deletes what the seeders inserted.
//
// Where it connects: `--url`; else the config (--config, else config/config.json or config/config.js;
// a .sequelizerc that moves it is not read, so the default path is reported), its section for the
// environment (--env, else NODE_ENV, else development): `use_env_variable` names the variable with the
// URL; else `host` and `database`. The environment's name counts too.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import { existsSync } from 'node:fs';
import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { grammar, readArgs } from './argv.js';
import { partOf, targetOfResolution } from './connection-config.js';
import { configTarget, environmentName } from './js-project.js';
import type { Tool } from './tool.js';

const sequelizeGrammar = grammar({
  values: [['--env'], ['--config'], ['--options-path'], ['--migrations-path'], ['--seeders-path'], ['--models-path'], ['--url'], ['--to'], ['--from'], ['--name'], ['--seed'], ['--attributes'], ['--charset'], ['--collate'], ['--encoding'], ['--template'], ['--ctype']],
  booleans: [['--help', '-h'], ['--version', '-v'], ['--debug'], ['--underscored'], ['--force']],
});

function parse(invocation: Invocation): ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, sequelizeGrammar);
  return { commands: [{ path: words, flags }], help: flags.has('--help') || flags.has('--version') || words.length === 0 || words[0] === 'help' };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, sequelizeGrammar);
  const environment = environmentName(flags.get('--env')?.at(-1), invocation.env);
  const url = flags.get('--url')?.at(-1);
  if (url) return targetOfResolution({ parts: [partOf('url', url, { source: 'flag', key: '--url', value: url }, invocation.cwd)], unknown: [] }, [{ evidence: [environment.from], identifiers: [{ kind: 'name', value: environment.name }] }]);
  const flag = flags.get('--config')?.at(-1);
  const path = flag !== undefined ? resolvePath(invocation.cwd, flag) : (['config/config.json', 'config/config.js', 'config/config.cjs'].map((f) => join(invocation.cwd, f)).find((p) => existsSync(p)) ?? join(invocation.cwd, 'config', 'config.json'));
  return configTarget(path, environment, invocation.env, invocation.cwd, ['use_env_variable']);
}

export const sequelize: Tool = { name: 'sequelize', parse, resolve, actsOnItsHost: true };
