// SST (sst/sst: v3, a Go CLI on Pulumi; v2, a Node CLI on CDK; their command trees agree on what is
// read here).
//
// Grammar: `--flag value` or `--flag=value`, anywhere. The command is the first word that names one of
// SST's commands (a value chaperone does not know to belong to a flag cannot then pass for the command):
// `remove` deletes every resource of the stage (`--target` only one); `deploy` changes them; `secret
// remove` (v2: `secrets remove`) deletes a secret; `state remove|edit|repair` rewrites the state by hand;
// `unlock` removes another run's lock. `--help` and `help` are never gated.
//
// Target, the stage, in SST's order: --stage, else SST_STAGE, else the personal stage `sst` keeps in
// .sst/stage beside the project's sst.config.ts (found from --config, else upward from cwd). Stage
// names are read by token; with none found the stage is unknown (sst would ask for one).

import { dirname, join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { ancestors, displayPath } from '../context/files.js';
import { grammar, readArgs, words } from './argv.js';
import { readStartupFile } from './startup-file.js';
import type { Tool } from './tool.js';

const sstGrammar = grammar({
  values: [['--stage'], ['--config'], ['--target'], ['--filter'], ['--region'], ['--profile'], ['--role-arn'], ['--from'], ['--mode'], ['--policy']],
  booleans: [['--help', '-h'], ['--verbose'], ['--print-logs'], ['--yes', '-y'], ['--dev'], ['--continue'], ['--fallback']],
});

const commands = new Set(
  words(`init dev deploy diff add install secret secrets shell remove unlock version upgrade telemetry refresh state cert
    tunnel diagnostic help build bootstrap console bind update types`),
);

function parse(invocation: Invocation): ParsedInvocation {
  const { words: positional, flags } = readArgs(invocation.args, sstGrammar);
  const at = positional.findIndex((w) => commands.has(w));
  const path = at === -1 ? positional : positional.slice(at);
  return { commands: [{ path, flags }], help: flags.has('--help') || path[0] === 'help' };
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const evidence: Evidence[] = [];
  const stage = stageOf(flags, invocation, evidence);
  const identifiers: Identifier[] = stage ? [{ kind: 'name', value: stage }] : [];
  return { ...(stage ? { name: stage } : {}), evidence, identifiers };
}

function stageOf(flags: Map<string, string[]>, invocation: Invocation, evidence: Evidence[]): string | undefined {
  const { env } = invocation;
  const flag = flags.get('--stage')?.at(-1);
  if (flag) {
    evidence.push({ source: 'flag', key: '--stage', value: flag });
    return flag;
  }
  if (env.SST_STAGE) {
    evidence.push({ source: 'env', key: 'SST_STAGE', value: env.SST_STAGE });
    return env.SST_STAGE;
  }
  const config = flags.get('--config')?.at(-1);
  const root = config
    ? dirname(resolvePath(invocation.cwd, config))
    : (ancestors(invocation.cwd).find((d) => ['sst.config.ts', 'sst.config.js', 'sst.config.mjs'].some((f) => readStartupFile(join(d, f)).kind !== 'missing')) ?? invocation.cwd);
  const file = join(root, '.sst', 'stage');
  const read = readStartupFile(file);
  const personal = read.kind === 'text' ? read.text.trim() : undefined;
  if (personal) {
    evidence.push({ source: 'file', key: 'stage', value: personal, file: displayPath(file, env) });
    return personal;
  }
  const why = read.kind === 'unreadable' ? `unreadable: ${read.why}` : read.kind === 'missing' ? 'no such file' : 'empty';
  evidence.push({ source: 'default', key: 'stage', value: `none (no --stage, no SST_STAGE, ${displayPath(file, env)}: ${why}); sst would ask` });
  return undefined;
}

export const sst: Tool = { name: 'sst', parse, resolve };
