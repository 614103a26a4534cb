// Serverless Framework (`serverless`, `sls`; v3 and v4).
//
// Grammar: options anywhere, `--opt value`, `--opt=value` or the short `-s dev`; the command is the
// first word that names one of the framework's commands, and some take a second word (`deploy
// function`, `deploy list`). `remove` deletes the service's CloudFormation stack with every function,
// and the tables and buckets it created unless they are retained; `deploy` changes them (`deploy
// list`, which only lists, is read as its own word `deploy-list`); `rollback` puts an earlier
// deployment back over the live one. `--help`, `-h` and `help` are never gated.
//
// Target; every fact counts and the strictest class wins:
//   1. the stage: -s/--stage, else `provider.stage` of the service file (-c/--config, else
//      serverless.yml, .yaml or .json in the working directory), else `dev`, the framework's default.
//      In the file, `${opt:stage, 'x'}` and `${env:NAME, 'x'}` are read as the framework reads them; a
//      value chaperone cannot work out counts only to make the target stricter. A JavaScript or
//      TypeScript service file cannot be read: without --stage, the stage is unknown.
//   2. the AWS account: --aws-profile, else `provider.profile`, else as the AWS CLI finds it (aws.ts).

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { grammar, readArgs, words } from './argv.js';
import { readDataFile, stringAt } from './data-file.js';
import { readStartupFile } from './startup-file.js';
import type { Tool } from './tool.js';

const slsGrammar = grammar({
  values: [
    ['--stage', '-s'],
    ['--region', '-r'],
    ['--config', '-c'],
    ['--function', '-f'],
    ['--type', '-t'],
    ['--path', '-p'],
    ['--data', '-d'],
    ['--package'],
    ['--aws-profile'],
    ['--param'],
    ['--org'],
    ['--app'],
    ['--timestamp'],
    ['--context'],
    ['--contextPath'],
    ['--raw'],
    ['--startTime'],
    ['--filter'],
    ['--interval'],
    ['--name', '-n'],
    ['--template'],
    ['--template-url'],
    ['--template-path'],
  ],
  booleans: [
    ['--help', '-h'],
    ['--version', '-v'],
    ['--verbose'],
    ['--debug'],
    ['--force'],
    ['--no-color'],
    ['--tail'],
    ['--update-config', '-u'],
    ['--aws-s3-accelerate'],
    ['--minify-template'],
    ['--enforce-hash-update'],
    ['--use-local-credentials'],
  ],
});

const commands = new Set(
  words(`deploy remove info invoke logs package print rollback metrics plugin config create install login logout dev doctor
    offline test support usage reconcile prune registry help compose state onboarding`),
);

function parse(invocation: Invocation): ParsedInvocation {
  const { words: positional, flags } = readArgs(invocation.args, slsGrammar);
  const at = positional.findIndex((w) => commands.has(w));
  let path = at === -1 ? positional : positional.slice(at);
  if (path[0] === 'deploy' && path[1] === 'list') path = ['deploy-list', ...path.slice(2)];
  const help = flags.has('--help') || flags.has('--version') || path[0] === 'help';
  return { commands: [{ path, flags }], help };
}

async function resolve(parsed: ParsedInvocation, invocation: Invocation): Promise<ResolvedTarget> {
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const env = invocation.env;
  const evidence: Evidence[] = [];
  const identifiers: Identifier[] = [];

  const file = serviceFile(flags, invocation.cwd);
  const shown = file ? displayPath(file.path, env) : undefined;
  const service = file && file.format !== 'code' ? readDataFile(file.path, file.format) : undefined;
  const data = service?.kind === 'read' ? service.data : undefined;
  if (service?.kind === 'unreadable') evidence.push({ source: 'file', key: 'service file', value: `unreadable (${service.why})`, file: shown });
  // A --config that is not there: the framework stops, but what it would have read is not known.
  const missingConfig = flags.has('--config') && service?.kind === 'missing';

  let stage: string | undefined;
  const flagStage = flags.get('--stage')?.at(-1);
  if (flagStage) {
    stage = flagStage;
    evidence.push({ source: 'flag', key: '--stage', value: flagStage });
  } else if (file?.format === 'code' || service?.kind === 'unreadable' || missingConfig) {
    evidence.push({ source: 'file', key: 'provider.stage', value: 'not readable by chaperone (a JavaScript or TypeScript service file, a broken or a missing one); the stage is unknown', file: shown });
  } else {
    const written = stringAt(data, 'provider', 'stage');
    if (written === undefined) {
      stage = 'dev';
      evidence.push({ source: 'default', key: 'stage', value: `dev (no --stage${file ? `, no provider.stage in ${shown}` : ', no service file'})` });
    } else {
      const value = interpolate(written, env);
      if (value !== undefined) {
        stage = value;
        evidence.push({ source: 'file', key: 'provider.stage', value: value === written ? value : `${value} (${written})`, file: shown });
      } else {
        evidence.push({ source: 'file', key: 'provider.stage', value: `${written} (chaperone cannot work it out)`, file: shown });
        identifiers.push({ kind: 'part', value: written });
      }
    }
  }
  if (stage) identifiers.push({ kind: 'name', value: stage });

  const flagProfile = flags.get('--aws-profile')?.at(-1);
  const fileProfile = stringAt(data, 'provider', 'profile');
  const profile = flagProfile ?? (fileProfile !== undefined ? interpolate(fileProfile, env) : undefined);
  if (!flagProfile && fileProfile !== undefined) evidence.push({ source: 'file', key: 'provider.profile', value: fileProfile, file: shown });
  const { aws } = await import('./aws.js');
  const account = await aws.resolve({ commands: [{ path: [], flags: new Map(profile ? [['--profile', [profile]]] : []) }], help: false }, invocation);
  evidence.push(...account.evidence.map((e) => (e.key === '--profile' && flagProfile ? { ...e, key: '--aws-profile' } : e)));
  identifiers.push(...account.identifiers);
  return { ...(stage ? { name: stage } : {}), evidence, identifiers };
}

/** The service file the framework reads: -c/--config, else the first of its names in the working directory. */
function serviceFile(flags: Map<string, string[]>, cwd: string): { path: string; format: 'yaml' | 'json' | 'code' } | undefined {
  const formatOf = (path: string) => (/\.ya?ml$/.test(path) ? 'yaml' : path.endsWith('.json') ? 'json' : 'code');
  const given = flags.get('--config')?.at(-1);
  if (given) {
    const path = resolvePath(cwd, given);
    return { path, format: formatOf(path) };
  }
  for (const name of ['serverless.yml', 'serverless.yaml', 'serverless.json', 'serverless.js', 'serverless.ts', 'serverless.cjs', 'serverless.mjs']) {
    const path = join(cwd, name);
    if (readStartupFile(path).kind !== 'missing') return { path, format: formatOf(path) };
  }
  return undefined;
}

/**
 * A value as the framework works it out, when it is a literal, or one `${…}` whose sources are
 * `opt:stage` (absent here: --stage was not given), `env:NAME` and quoted literals, first found wins.
 */
export function interpolate(value: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!value.includes('${')) return value;
  const whole = /^\$\{([^{}]*)\}$/.exec(value.trim());
  if (!whole) return undefined;
  for (const source of whole[1].split(',').map((s) => s.trim())) {
    if (source === 'opt:stage') continue;
    const fromEnv = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(source);
    if (fromEnv) {
      if (env[fromEnv[1]]) return env[fromEnv[1]];
      continue;
    }
    const literal = /^(['"])(.*)\1$/.exec(source);
    if (literal) return literal[2];
    return undefined;
  }
  return undefined;
}

export const serverless: Tool = { name: 'serverless', parse, resolve };
