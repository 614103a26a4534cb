// TypeORM's CLI (`typeorm schema:drop -d src/data-source.ts`, `npx typeorm-ts-node-commonjs …`; the
// package installs these names). Options stand anywhere.
//
// What it destroys: `schema:drop` drops every table of the data source; `migration:revert` runs the last
// migration down; `schema:sync` makes the database match the entities, dropping columns and tables they
// no longer have; `query SQL` runs the SQL it is given, read with the database's grammar (sql-text.ts).
//
// Where it connects: the data source file (-d/--dataSource), read literally (js-config.ts): its `url`,
// `host` and `database`, and the variables it reads (from the environment, or ./.env when the file
// loads one). Without -d TypeORM has nothing to connect to; the target is then unknown.

import { resolvePath } from '../context/os-path.js';
import type { Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { configTarget } from './js-project.js';
import { dialectOf, readSqlText } from './sql-text.js';
import type { Tool } from './tool.js';

const typeormGrammar = grammar({
  values: [['--dataSource', '-d'], ['--name', '-n'], ['--outputPath', '-o'], ['--timestamp', '-t'], ['--database'], ['--manager']],
  booleans: [['--help', '-h'], ['--version', '-v'], ['--dryrun', '--dr'], ['--check', '--ch'], ['--pretty', '-p'], ['--javascript', '-j'], ['--esm'], ['--transaction'], ['--fake', '-f']],
});

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags } = readArgs(invocation.args, typeormGrammar);
  const help = flags.has('--help') || flags.has('--version') || words.length === 0 || words[0] === 'help';
  if (help || words[0] !== 'query' || words.length < 2) return { commands: [{ path: words.slice(0, 1), flags }], help };
  const source = flags.get('--dataSource')?.at(-1);
  let text: string | undefined;
  try {
    text = source ? readTextIfExists(resolvePath(invocation.cwd, source)) : undefined;
  } catch {
    text = undefined;
  }
  const type = text ? /\btype\s*:\s*['"]([\w-]+)['"]/.exec(text)?.[1] : undefined;
  const statements = await readSqlText(words.slice(1).join(' '), dialectOf(type));
  return { commands: [{ path: ['query'], flags }, ...statements], help: false };
}

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { flags } = readArgs(invocation.args, typeormGrammar);
  const source = flags.get('--dataSource')?.at(-1);
  if (!source) return { evidence: [{ source: 'default', key: '--dataSource', value: 'not given: no data source to read' }], identifiers: [] };
  return configTarget(resolvePath(invocation.cwd, source), undefined, invocation.env, invocation.cwd);
}

export const typeorm: Tool = { name: 'typeorm', parse, resolve, actsOnItsHost: true };
