// Helm (helm/helm v3 and v4, cobra + pflag).
//
// Grammar: cobra, as in cobra-command.ts. The global flags (-n, --kube-context, --kubeconfig,
// --kube-apiserver, …) may stand anywhere. `uninstall` answers to del, delete and un; v4 renamed
// upgrade's --force to --force-replace and keeps --force as a deprecated spelling of it. --dry-run takes
// an optional value in v4 (client, server, none) and is a boolean in v3: any value but false or none is a
// dry run. --wait takes an optional value in v4. `--help`/`-h` and `helm help` are never gated.
//
// Target, in Helm's order (pkg/cli/environment.go; the kubeconfig is read as kubectl reads it):
//   1. the kubeconfig: --kubeconfig, else the KUBECONFIG list, else ~/.kube/config;
//   2. the context: --kube-context (not --context), else HELM_KUBECONTEXT, else current-context;
//   3. its cluster, and the server: --kube-apiserver, else HELM_KUBEAPISERVER, else the cluster's;
//   4. the namespace: -n/--namespace, else HELM_NAMESPACE, else the context's namespace, else `default`.

import type { Evidence, Identifier, Invocation, ParsedInvocation, ResolvedTarget } from '../model.js';
import { flagSet, parseGoBool, readCobra, rebind, type CobraCommand } from './cobra-command.js';
import { prepareKubeconfigReader, readKubeTarget } from './kubeconfig.js';
import { words } from './argv.js';
import type { Tool } from './tool.js';

// pkg/cli/environment.go AddFlags, and klog's flags, which helm adds hidden.
const persistentValues = [
  ['--namespace', '-n'],
  ['--v', '-v'],
  ...words(`--kubeconfig --kube-context --kube-token --kube-as-user --kube-as-group --kube-apiserver --kube-ca-file
    --kube-tls-server-name --registry-config --repository-config --repository-cache --content-cache --burst-limit
    --qps --color --colour --vmodule --log-dir --log-file --log-file-max-size --stderrthreshold
    --log-backtrace-at`).map((flag) => [flag]),
];
const persistentBooleans = [
  ['--help', '-h'],
  ...words(`--debug --kube-insecure-skip-tls-verify --logtostderr --alsologtostderr --one-output --skip-headers
    --skip-log-headers --add-dir-header`).map((flag) => [flag]),
];

// The options of helm's commands (pkg/cmd/*.go), by spelling. Short flags that mean different things
// in different commands are set per command below.
const commandValues = [
  ['--values', '-f'],
  ['--output', '-o'],
  ['--labels', '-l'],
  ['--max', '-m'],
  ...words(`--set --set-string --set-file --set-json --set-literal --version --keyring --repo --username --password
    --cert-file --key-file --ca-file --timeout --history-max --description --post-renderer --post-renderer-args
    --server-side --max-chart-size --max-file-size --cascade --name-template --kube-version --api-versions
    --show-only --output-dir --selector --offset --filter --time-format --revision --destination --untardir --key
    --app-version --jsonpath --template`).map((flag) => [flag]),
];
const commandBooleans = [
  ['--force-replace', '--force'],
  ['--install', '-i'],
  ['--generate-name', '-g'],
  ['--all-namespaces', '-A'],
  ['--short', '-q'],
  ['--reverse', '-r'],
  ['--all', '-a'],
  ['--date', '-d'],
  ...words(`--no-hooks --ignore-not-found --keep-history --recreate-pods --force-conflicts --wait-for-jobs
    --cleanup-on-fail --create-namespace --devel --hide-secret --disable-openapi-validation --skip-crds
    --reset-values --reuse-values --reset-then-reuse-values --atomic --rollback-on-failure --render-subchart-notes
    --hide-notes --skip-schema-validation --dependency-update --enable-dns --take-ownership --verify
    --insecure-skip-tls-verify --plain-http --pass-credentials --uninstalled --uninstalling --deployed --failed
    --pending --superseded --no-headers --include-crds --skip-tests --validate --is-upgrade --release-name --untar
    --prov --logs --sign`).map((flag) => [flag]),
];
// pflag NoOptDefVal in v4 (in v3 these are booleans, which read the same way).
const optionalValues = [['--dry-run'], ['--wait']];

const command: CobraCommand = {
  flags: flagSet({
    values: [...persistentValues, ...commandValues],
    booleans: [...persistentBooleans, ...commandBooleans],
    optional: optionalValues,
  }),
};
/** A command where some short flags mean something else. */
const commandWith = (own: Parameters<typeof rebind>[1]): CobraCommand => ({ flags: rebind(command.flags, own) });

// pkg/cmd/root.go's commands and their aliases. Those with subcommands (get, repo, plugin, …) are read
// as one command here: no rule gates what lies below them.
const root: CobraCommand = {
  flags: flagSet({ values: persistentValues, booleans: persistentBooleans }),
  subcommands: {
    ...Object.fromEntries(
      words(`create dependency dep dependencies env get help history hist install lint list ls package plugin push
        registry repo rollback search show inspect status test uninstall del delete un upgrade verify version
        completion docs __complete __completeNoDesc`).map((name) => [name, command]),
    ),
    template: commandWith({ '-a': ['--api-versions', true], '-s': ['--show-only', true] }),
    pull: commandWith({ '-d': ['--destination', true] }),
    fetch: commandWith({ '-d': ['--destination', true] }),
  },
};

/** Commands that only read: parse() does not load the YAML reader for them. */
const readOnly = new Set(words(`list ls status get history hist show inspect template search repo lint package pull
  fetch verify version env completion plugin dependency dep dependencies create registry push docs test help
  __complete __completeNoDesc`));

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { path, flags } = readCobra(invocation.args, root);
  settleDryRun(flags);
  const help = flags.has('--help') || path[0] === 'help';
  if (!help && path.length > 0 && !readOnly.has(path[0])) await prepareKubeconfigReader();
  return { commands: [{ path, flags }], help };
}

/** A dry run unless the last --dry-run says false or none; then the flag is as good as absent. */
function settleDryRun(flags: Map<string, string[]>): void {
  const last = flags.get('--dry-run')?.at(-1);
  if (last === undefined) return;
  if (last === 'none' || parseGoBool(last) === false) flags.delete('--dry-run');
  else flags.set('--dry-run', ['']);
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const flags = parsed.commands[0]?.flags ?? new Map<string, string[]>();
  const env = invocation.env;
  const fromFlag = (name: string): Evidence | undefined => {
    const value = flags.get(name)?.at(-1);
    return value ? { source: 'flag', key: name, value } : undefined;
  };
  // The variables are the flags' defaults: a flag given even empty (`--kube-context=`) sets them aside.
  const fromFlagOrEnv = (flag: string, variable: string): Evidence | undefined =>
    flags.has(flag) ? fromFlag(flag) : env[variable] ? { source: 'env', key: variable, value: env[variable]! } : undefined;

  const target = readKubeTarget(
    {
      kubeconfig: fromFlag('--kubeconfig'),
      context: fromFlagOrEnv('--kube-context', 'HELM_KUBECONTEXT'),
      server: fromFlagOrEnv('--kube-apiserver', 'HELM_KUBEAPISERVER'),
    },
    invocation,
  );
  const namespace: Evidence = fromFlagOrEnv('--namespace', 'HELM_NAMESPACE') ??
    target.contextNamespace ?? { source: 'default', key: 'namespace', value: 'default' };
  const identifiers: Identifier[] = [...target.identifiers, { kind: 'kube-namespace', value: namespace.value }];
  return { name: target.context, evidence: [...target.evidence, namespace], identifiers };
}

/** Commands that only read or render (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['list', 'ls', 'status', 'get', 'history', 'version', 'search', 'show', 'template', 'lint', 'env'];

export const helm: Tool = { name: 'helm', parse, resolve, plainWords };
