// kubectl (kubernetes/kubectl, cobra + pflag).
//
// Grammar: cobra. The global flags (-n, --context, --kubeconfig, -s/--server, --cluster, --user, …) may
// stand anywhere; cobra finds the subcommand skipping flags by the rules in cobra.ts, so
// `kubectl -A pods delete --all` is a delete. Each command then reads its own flags (-f is --filename for
// delete, --follow for logs). --dry-run takes an optional value: bare, `=true` or `=client` is a client
// dry run, `=server` a server one, `=none` or `=false` a real run. `--help`/`-h` and `kubectl help` are
// never gated.
//
// Target, in kubectl's order (kubeconfig.ts):
//   1. the kubeconfig: --kubeconfig, else the KUBECONFIG list, else ~/.kube/config;
//   2. the context: --context, else current-context (from the first file that sets it);
//   3. its cluster (--cluster overrides) and that cluster's server (-s/--server overrides);
//   4. the namespace the command acts in: -n/--namespace, else the context's namespace, else `default`;
//      none for cluster-wide commands (drain, deleting nodes or namespaces, -A); the objects' own for
//      files (-f, -k) when no -n is given. Namespaces being deleted are named by the arguments.

import type { Command, Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { flagSet, parseGoBool, parseGoInt, readCobra, rebind, type CobraCommand, type FlagSet } from './cobra-command.js';
import { prepareKubeconfigReader, readKubeTarget, type KubeChoice } from './kubeconfig.js';
import { resolvePath } from '../context/os-path.js';
import { readTextIfExists } from '../context/files.js';
import { forwardedInput, remoteArgv, remoteSession } from './remote.js';
import { words } from './argv.js';
import type { Tool } from './tool.js';

// `kubectl options` (1.32): the flags every command inherits. --kuberc arrived in 1.33.
const persistentValues = [
  ['--namespace', '-n'],
  ['--server', '-s'],
  ['--v', '-v'],
  ...words(`--as --as-group --as-uid --cache-dir --certificate-authority --client-certificate --client-key --cluster
    --context --kubeconfig --kuberc --log-flush-frequency --password --profile --profile-output --request-timeout
    --tls-server-name --token --user --username --vmodule`).map((flag) => [flag]),
];
const persistentBooleans = [
  ['--help', '-h'],
  ...words('--insecure-skip-tls-verify --match-server-version --disable-compression --warnings-as-errors').map((flag) => [flag]),
];

// Every long option of kubectl's commands (`kubectl <command> --help`, 1.32). No name takes a value in
// one command and none in another, except --raw, --prefix and --containers (see the overrides below).
const commandValues = words(`--accept-hosts --accept-paths --address --aggregation-rule --annotation --annotations
  --api-group --api-prefix --api-version --audience --auth-provider --auth-provider-arg --bound-object-kind
  --bound-object-name --bound-object-uid --categories --chunk-size --class --cluster-ip --clusterrole --concurrency
  --container --containers --copy-to --cpu-percent --current-replicas --custom --default-backend --description
  --duration --env --exec-api-version --exec-arg --exec-command --exec-env --exec-interactive-mode --external-ip
  --field-manager --field-selector --filename --for --from --from-env-file --from-file --from-literal --grace-period
  --group --hard --helm-api-versions --helm-command --helm-kube-version --image --image-pull-policy --keepalive --keys
  --kustomize --label-columns --labels --limit-bytes --limits --load-balancer-ip --load-restrictor --max
  --max-log-requests --max-unavailable --min --min-available --mount --name --namespaces --network-name
  --non-resource-url --output --output-directory --override-type --overrides --patch --patch-file
  --pod-running-timeout --pod-selector --port --preemption-policy --prefix --protocol --proxy-url --prune-allowlist
  --raw --reject-methods --reject-paths --replicas --requests --resource --resource-name --resource-version
  --restart --retries --revision --role --rule --schedule --scopes --selector --serviceaccount --session-affinity
  --set-image --since --since-time --skip-wait-for-delete-timeout --sort-by --subresource --tail --target
  --target-port --template --timeout --to-revision --type --types --unix-socket --value --verb --verbs --www
  --www-prefix`);
const commandBooleans = words(`--all --all-containers --all-namespaces --all-pods --allow-missing-template-keys
  --append-hash --append-server-path --arguments-only --as-current-user --attach --cached --client --command
  --create-annotation --current --delete-emptydir-data --disable-eviction --disable-filter --edit --embed-certs
  --enable-alpha-plugins --enable-helm --exec-provide-cluster-info --expose --flatten --follow --force
  --force-conflicts --global-default --helm-debug --ignore-daemonsets --ignore-errors --ignore-not-found
  --insecure-skip-tls-verify-backend --interactive --keep-annotations --keep-init-containers --keep-labels
  --keep-liveness --keep-readiness --keep-startup --leave-stdin-open --list --local --merge --minify --name-only
  --namespaced --network --no-headers --no-preserve --now --openapi-patch --output-patch --output-watch-events
  --overwrite --previous --privileged --prune --quiet --recursive --remove-extra-permissions --remove-extra-subjects
  --replace --resolve --rm --same-node --save-config --server-print --server-side --set-raw-bytes --share-processes
  --show-capacity --show-events --show-kind --show-labels --show-managed-fields --stdin --sum --timestamps --tty
  --use-protocol-buffers --wait --watch --watch-only --windows-line-endings`);
// pflag NoOptDefVal: a value only as `--flag=value`; bare, the flag stands alone.
const optionalValues = [['--dry-run'], ['--cascade'], ['--validate']];

// Short flags of most commands, by the long flag each stands for: these take a value, the next do not.
const commonShorts = [
  ['--filename', '-f'],
  ['--kustomize', '-k'],
  ['--selector', '-l'],
  ['--output', '-o'],
  ['--container', '-c'],
  ['--env', '-e'],
  ['--label-columns', '-L'],
  ['--patch', '-p'],
];
const commonShortBooleans = [
  ['--all-namespaces', '-A'],
  ['--recursive', '-R'],
  ['--interactive', '-i'],
  ['--quiet', '-q'],
  ['--tty', '-t'],
  ['--watch', '-w'],
];

/** The flags a command reads: the persistent ones, every command option, and the common short flags. */
const everyCommandFlags = flagSet({
  values: [...persistentValues, ...commandValues.map((flag) => [flag]), ...commonShorts],
  booleans: [...persistentBooleans, ...commandBooleans.map((flag) => [flag]), ...commonShortBooleans],
  optional: optionalValues,
});

/** A command; `own` binds the spellings that mean something else in it. */
const command = (own?: Parameters<typeof rebind>[1]): CobraCommand => ({ flags: own ? rebind(everyCommandFlags, own) : everyCommandFlags });
const persistentOnly = flagSet({ values: persistentValues, booleans: persistentBooleans });

/**
 * A command with subcommands. Most have no flags of their own, so cobra looks for their subcommand with
 * the persistent flags alone (`kubectl rollout -R deploy/x undo` is an undo: -R takes deploy/x there).
 */
function group(subcommands: string, options: { flags?: FlagSet; special?: Record<string, CobraCommand> } = {}): CobraCommand {
  return {
    flags: options.flags ?? persistentOnly,
    subcommands: { ...Object.fromEntries(words(subcommands).map((name) => [name, command()])), ...options.special },
  };
}

const root: CobraCommand = {
  flags: persistentOnly,
  subcommands: {
    ...Object.fromEntries(
      words(`expose run explain get edit delete scale autoscale cordon uncordon drain taint describe attach exec
        port-forward cp debug events diff patch replace wait kustomize label annotate completion alpha api-resources
        api-versions version options help __complete __completeNoDesc`).map((name) => [name, command()]),
    ),
    logs: command({ '-f': ['--follow', false], '-p': ['--previous', false], '--prefix': ['--prefix', false] }),
    proxy: command({ '-p': ['--port', true], '-w': ['--www', true], '-P': ['--www-prefix', true], '-u': ['--unix-socket', true] }),
    rollout: group('history pause restart resume status undo'),
    set: group('env image resources selector serviceaccount subject'),
    certificate: group('approve deny'),
    'cluster-info': group('dump'),
    plugin: group('list'),
    auth: group('can-i reconcile whoami'),
    top: group('node pod', { special: { pod: command({ '--containers': ['--containers', false] }) } }),
    config: group(
      `current-context delete-cluster delete-context delete-user get-clusters get-contexts get-users rename-context set
        set-cluster set-context set-credentials unset use-context view`,
      { special: { view: command({ '--raw': ['--raw', false] }) } },
    ),
    // apply and create have flags of their own besides subcommands; cobra skips those while searching.
    apply: group('edit-last-applied set-last-applied view-last-applied', { flags: everyCommandFlags }),
    create: group(
      `clusterrole clusterrolebinding configmap cronjob deployment ingress job namespace poddisruptionbudget
        priorityclass quota role rolebinding secret service serviceaccount token`,
      { flags: everyCommandFlags, special: { deployment: command({ '-r': ['--replicas', true] }) } },
    ),
  },
};

/** Commands that only read: resolving their target is rare, so parse() does not load the YAML reader for them. */
const readOnly = new Set(words(`get describe logs explain top version api-resources api-versions cluster-info config
  completion auth events diff wait kustomize options plugin help __complete __completeNoDesc`));

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { path, flags, afterDash } = readCobra(invocation.args, root);
  settleDryRun(flags);
  settleReplicas(flags);
  if (path[0] === 'patch') markRecoveryPatch(flags, invocation);
  const help = flags.has('--help') || path[0] === 'help';
  if (!help && path.length > 0 && !readOnly.has(path[0])) await prepareKubeconfigReader();
  const nested = help ? undefined : nestedCommand(path, flags, afterDash, invocation);
  return { commands: [{ path, flags }], help, ...(nested ? { nested: [nested] } : {}) };
}

/**
 * What runs in the cluster. `exec POD -- CMD…` runs CMD in the pod's container, exec'd without a shell
 * (the older `exec POD CMD…` still works, with a warning); `run NAME --image=I -- CMD…` and
 * `debug POD --image=I -- CMD…` start a container running CMD, or the image's own command, unknown
 * here: with -i it reads this stdin (a script, or a terminal: a session), without -i it is the image's
 * business and no line chaperone could read;
 * `attach -i` types into a running container's main process. -i/--stdin forwards this stdin to it.
 */
function nestedCommand(path: string[], flags: Map<string, string[]>, afterDash: string[], invocation: Invocation): NestedLine | undefined {
  const [verb, name] = path;
  if (!['exec', 'run', 'debug', 'attach'].includes(verb) || name === undefined) return undefined;
  const dryRun = flags.get('--dry-run')?.at(-1);
  if (dryRun === 'client' || dryRun === 'server') return undefined;
  const stdin = flags.has('--stdin') || flags.has('--interactive');
  const via = `kubectl ${verb} ${name}`;
  const input = forwardedInput(invocation, stdin);
  if (verb === 'attach') return stdin ? remoteSession(via, input) : undefined;
  // exec reads its command from after `--`, or (deprecated) from the words after the pod.
  const argv = verb === 'exec' && afterDash.length > 0 ? afterDash : path.slice(2);
  if (argv.length > 0) return remoteArgv(via, argv, input);
  return verb !== 'exec' && stdin ? remoteSession(via, input) : undefined;
}

/** `--dry-run` alone or `=true` is a client dry run, `=false` a real one; the last one counts. */
function settleDryRun(flags: Map<string, string[]>): void {
  const last = flags.get('--dry-run')?.at(-1);
  if (last === undefined) return;
  const asBoolean = last === '' ? true : parseGoBool(last);
  flags.set('--dry-run', [asBoolean === undefined ? last : asBoolean ? 'client' : 'none']);
}

/**
 * A patch that turns recovery off for a volume is read as such: setting a PersistentVolume's
 * `persistentVolumeReclaimPolicy` to `Delete` (its data goes with its claim), and dropping the
 * `finalizers` that hold a claim or volume still in use. In a strategic-merge, merge or JSON patch, given
 * inline (`-p`) or as `--patch-file`; a file that cannot be read is taken as the worst.
 */
function markRecoveryPatch(flags: Map<string, string[]>, invocation: Invocation): void {
  const texts = [...(flags.get('--patch') ?? [])];
  for (const file of flags.get('--patch-file') ?? []) texts.push(readTextIfExists(resolvePath(invocation.cwd, file)) ?? '{"persistentVolumeReclaimPolicy": "Delete", "finalizers": null}');
  const text = texts.join('\n');
  if (/persistentVolumeReclaimPolicy/.test(text) && /\bDelete\b/.test(text)) flags.set('--sets-reclaim-delete', ['']);
  const jsonRemove = /\/metadata\/finalizers/.test(text) && /"op"\s*:\s*"(remove|replace)"/.test(text);
  if (/finalizers["']?\s*:\s*(null|\[\s*\]|~)/.test(text) || jsonRemove) flags.set('--drops-finalizers', ['']);
}

/** `--replicas` is a Go int: `00`, `0x0` and `0_0` are all 0. */
function settleReplicas(flags: Map<string, string[]>): void {
  const last = flags.get('--replicas')?.at(-1);
  if (last === undefined) return;
  const count = parseGoInt(last);
  flags.set('--replicas', [count === undefined ? last : String(count)]);
}

function resolve(parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const command = parsed.commands[0] ?? { path: [], flags: new Map() };
  const target = readKubeTarget(kubeChoice(command.flags), invocation);
  const namespace = namespaceOf(command, target.contextNamespace);
  return {
    name: target.context,
    evidence: [...target.evidence, ...namespace.evidence],
    identifiers: [...target.identifiers, ...namespace.identifiers],
  };
}

function kubeChoice(flags: Map<string, string[]>): KubeChoice {
  const fromFlag = (name: string): Evidence | undefined => {
    const value = flags.get(name)?.at(-1);
    return value ? { source: 'flag', key: name, value } : undefined;
  };
  return { kubeconfig: fromFlag('--kubeconfig'), context: fromFlag('--context'), cluster: fromFlag('--cluster'), server: fromFlag('--server') };
}

interface Scope {
  evidence: Evidence[];
  identifiers: Identifier[];
}

/** The namespace the command acts in, and any namespace it deletes. */
function namespaceOf(command: Command, contextNamespace: Evidence | undefined): Scope {
  const [verb, ...args] = command.path;
  const deleted = verb === 'delete' ? deletedNamespaces(args) : [];
  const scope: Scope = {
    evidence: deleted.map((name) => ({ source: 'argument', key: 'namespace deleted', value: name })),
    identifiers: deleted.map((name) => ({ kind: 'kube-namespace', value: name })),
  };
  const working = workingNamespace(command, contextNamespace);
  scope.evidence.push(working.evidence);
  if (working.name !== undefined) scope.identifiers.push({ kind: 'kube-namespace', value: working.name });
  return scope;
}

function workingNamespace(command: Command, contextNamespace: Evidence | undefined): { name?: string; evidence: Evidence } {
  const { path, flags } = command;
  if (flags.has('--all-namespaces')) return { evidence: { source: 'flag', key: '--all-namespaces', value: 'every namespace' } };
  const raw = flags.get('--raw')?.at(-1);
  if (raw) {
    // `delete --raw /api/v1/namespaces/payments/...`: the path names the namespace, not -n.
    const named = /\/namespaces\/([^/?]+)/.exec(raw)?.[1];
    return { name: named, evidence: { source: 'flag', key: '--raw', value: raw } };
  }
  if (isClusterWide(path)) return { evidence: { source: 'command', key: `kubectl ${path[0]}`, value: 'cluster-wide, in no one namespace' } };
  const flag = flags.get('--namespace')?.at(-1);
  if (flag) return { name: flag, evidence: { source: 'flag', key: '--namespace', value: flag } };
  const fallback = contextNamespace?.value ?? 'default';
  if (flags.has('--filename') || flags.has('--kustomize')) {
    return { evidence: { source: 'default', key: 'namespace', value: `each object's own, else ${fallback}` } };
  }
  if (contextNamespace) return { name: contextNamespace.value, evidence: contextNamespace };
  return { name: 'default', evidence: { source: 'default', key: 'namespace', value: 'default' } };
}

// Resource types that live in no namespace, by every name kubectl accepts (`kubectl api-resources`).
const clusterScoped = new Set(words(`namespace namespaces ns node nodes no persistentvolume persistentvolumes pv
  customresourcedefinition customresourcedefinitions crd crds clusterrole clusterroles clusterrolebinding
  clusterrolebindings storageclass storageclasses sc priorityclass priorityclasses pc ingressclass ingressclasses
  runtimeclass runtimeclasses csidriver csidrivers csinode csinodes volumeattachment volumeattachments
  mutatingwebhookconfiguration mutatingwebhookconfigurations validatingwebhookconfiguration
  validatingwebhookconfigurations validatingadmissionpolicy validatingadmissionpolicies
  validatingadmissionpolicybinding validatingadmissionpolicybindings apiservice apiservices
  certificatesigningrequest certificatesigningrequests csr componentstatus componentstatuses cs flowschema
  flowschemas prioritylevelconfiguration prioritylevelconfigurations`));
const namespaceTypes = new Set(['namespace', 'namespaces', 'ns']);

/** `deploy/api` and `deploy,svc api` both name types; `crd.apiextensions.k8s.io` is a crd. */
function resourceArguments(args: string[]): { type: string; name?: string }[] {
  const bare = (type: string) => type.toLowerCase().split('.')[0];
  if (args.length === 0) return [];
  if (args[0].includes('/')) {
    return args.map((arg) => {
      const slash = arg.indexOf('/');
      return slash === -1 ? { type: '', name: arg } : { type: bare(arg.slice(0, slash)), name: arg.slice(slash + 1) };
    });
  }
  const types = args[0].split(',').map(bare);
  const names = args.slice(1);
  return types.flatMap((type) => (names.length ? names.map((name) => ({ type, name })) : [{ type }]));
}

function isClusterWide(path: string[]): boolean {
  const [verb, ...args] = path;
  if (['drain', 'cordon', 'uncordon', 'taint', 'certificate'].includes(verb)) return true;
  if (verb !== 'delete') return false;
  const resources = resourceArguments(args);
  return resources.length > 0 && resources.every((r) => clusterScoped.has(r.type));
}

function deletedNamespaces(args: string[]): string[] {
  return resourceArguments(args)
    .filter((r) => namespaceTypes.has(r.type) && r.name)
    .map((r) => r.name!);
}

/** Commands that only read (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['get', 'describe', 'logs', 'top', 'explain', 'version', 'api-resources', 'api-versions', 'cluster-info', 'events'];

export const kubectl: Tool = { name: 'kubectl', parse, resolve, plainWords };
