// Velero (vmware-tanzu/velero, Go, cobra + pflag): Kubernetes backups. Minimal: the commands that delete
// backups, stop schedules or restore over live resources.
//
// Grammar: cobra; flags may stand anywhere. Velero takes both orders, noun first (`velero backup delete`)
// and verb first (`velero delete backup`); the rules spell both, with the plural nouns. `--help`/`-h`
// and `help` are never gated.
//
// Target: the Kubernetes context velero's client uses, read as kubectl reads it (kubeconfig.ts):
// --kubeconfig, else KUBECONFIG, else ~/.kube/config; --kubecontext, else current-context. The
// namespace velero runs in (-n/--namespace, else `namespace` in ~/.config/velero/config.json, else
// `velero`) is shown as evidence: it names the installation, not the data.

import { join } from 'node:path';
import type { Evidence, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';
import { grammar, readArgs } from './argv.js';
import { prepareKubeconfigReader, readKubeTarget } from './kubeconfig.js';
import type { Tool } from './tool.js';

const veleroGrammar = grammar({
  values: [
    ['--kubeconfig'],
    ['--kubecontext'],
    ['--namespace', '-n'],
    ['--features'],
    ['--colorized'],
    ['--selector', '-l'],
    ['--output', '-o'],
    ['--existing-resource-policy'],
    ['--from-backup'],
    ['--from-schedule'],
    ['--include-namespaces'],
    ['--exclude-namespaces'],
    ['--include-resources'],
    ['--exclude-resources'],
    ['--namespace-mappings'],
    ['--v', '-v'],
  ],
  booleans: [['--help', '-h'], ['--all'], ['--confirm'], ['--wait', '-w'], ['--force']],
});

function parse(invocation: Invocation): Promise<ParsedInvocation> | ParsedInvocation {
  const { words, flags } = readArgs(invocation.args, veleroGrammar);
  const help = flags.has('--help') || words[0] === 'help';
  const parsed = { commands: [{ path: words, flags }], help };
  // A command that may be gated reads a kubeconfig: load the YAML reader ahead, off the hot path of the rest.
  return help || words.length < 2 ? parsed : prepareKubeconfigReader().then(() => parsed);
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const flags = parsed.commands[0].flags;
  const fromFlag = (name: string): Evidence | undefined => {
    const value = flags.get(name)?.at(-1);
    return value ? { source: 'flag', key: name, value } : undefined;
  };
  const target = readKubeTarget({ kubeconfig: fromFlag('--kubeconfig'), context: fromFlag('--kubecontext') }, invocation);
  return { name: target.context, evidence: [...target.evidence, veleroNamespace(flags, invocation)], identifiers: target.identifiers };
}

function veleroNamespace(flags: Map<string, string[]>, invocation: Invocation): Evidence {
  const flag = flags.get('--namespace')?.at(-1);
  if (flag) return { source: 'flag', key: '--namespace', value: flag };
  const file = join(homeOf(invocation.env), '.config', 'velero', 'config.json');
  try {
    const namespace = (JSON.parse(readTextIfExists(file) ?? '{}') as { namespace?: unknown }).namespace;
    if (typeof namespace === 'string' && namespace) return { source: 'file', key: 'namespace', value: namespace, file: displayPath(file, invocation.env) };
  } catch {
    // velero itself fails on a broken client config; the namespace is only evidence here
  }
  return { source: 'default', key: 'namespace', value: 'velero' };
}

export const velero: Tool = { name: 'velero', parse, resolve };
