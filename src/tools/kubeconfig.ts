// Reading kubeconfig files the way kubectl's client-go (clientcmd) does, for kubectl and helm.
//
// Files: --kubeconfig FILE alone, with no merge; else every file KUBECONFIG lists (':'-separated; empty
// entries skipped, a missing file ignored); else ~/.kube/config. Relative paths start at the cwd.
// Merge: the first file to set a value or a map key wins. current-context comes from the first file that
// sets it; a context or a cluster from the first file that defines that name.
// Context: what the tool's flag or variable names, else current-context. Cluster: --cluster, else the
// context's. Server: the tool's server flag, else the cluster's. The namespace is each tool's to decide
// (flags, variables, the command itself); this module reports the context's as the fallback.
// With no kubeconfig at all, inside a pod, client-go uses the pod's service account: nothing a guard can
// read names that cluster.
//
// Kubeconfig files are YAML, and `yaml` is too heavy for the shim's hot path. A tool's parse() calls
// prepareKubeconfigReader() (which may await the bundled chunk) for every command that may be gated;
// resolve() is synchronous, so when it reads a kubeconfig that parse() did not prepare for (a read-only
// command that a user's rule gates, or `chaperone check`), it requires `yaml` from node_modules instead.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Assumption, Evidence, Identifier, Invocation } from '../model.js';
import { displayPath, homeOf, readTextIfExists } from '../context/files.js';

/** What the command line and the environment chose before any kubeconfig is read; each with its evidence. */
export interface KubeChoice {
  /** An explicit kubeconfig file (kubectl and helm --kubeconfig): read alone. */
  kubeconfig?: Evidence;
  context?: Evidence;
  cluster?: Evidence;
  server?: Evidence;
}

export interface KubeTarget {
  context?: string;
  evidence: Evidence[];
  identifiers: Identifier[];
  /** The namespace the context sets, as evidence, when it sets one. */
  contextNamespace?: Evidence;
}

type ParseYaml = (text: string) => unknown;
let parseYaml: ParseYaml | undefined;

/** Loads the YAML reader ahead, from the bundled chunk; the hot path of a read-only command skips this. */
export async function prepareKubeconfigReader(): Promise<void> {
  if (parseYaml) return;
  const loaded = await import('yaml');
  // Bundled, `yaml` is its CommonJS build and arrives as a default export.
  parseYaml = (((loaded as { default?: unknown }).default ?? loaded) as typeof import('yaml')).parse;
}

function yamlReader(): ParseYaml {
  parseYaml ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  return parseYaml;
}

export function readKubeTarget(choice: KubeChoice, invocation: Invocation): KubeTarget {
  const { paths, evidence } = kubeconfigPaths(choice, invocation);
  const read = new Map<string, KubeconfigFile>();
  const load = (path: string) => read.get(path) ?? read.set(path, readKubeconfig(path, invocation.env)).get(path)!;
  for (const a of invocation.assumed ?? []) switchKubeconfig(a, load);
  const files = paths.map(load);
  for (const file of files) {
    if (file.problem) evidence.push({ source: 'file', key: 'kubeconfig', value: file.problem, file: file.shown });
  }
  const usable = files.filter((f) => !f.problem);
  const identifiers: Identifier[] = [];

  const context = chooseContext(choice, usable, invocation.env);
  evidence.push(...context.evidence);
  const entry = context.name === undefined ? undefined : contextEntry(context.name, usable);
  if (context.name !== undefined) identifiers.push({ kind: 'kube-context', value: context.name });
  if (entry) evidence.push(...entry.evidence);

  const clusterName = choice.cluster?.value ?? entry?.cluster;
  if (choice.cluster) evidence.push(choice.cluster);
  if (clusterName !== undefined) identifiers.push({ kind: 'kube-cluster', value: clusterName });

  const server = choice.server ?? serverOf(clusterName, usable);
  if (server && isClusterInternal(server.value)) {
    evidence.push({ ...server, value: `${server.value} (cluster-internal DNS, which names no environment)` });
  } else if (server) {
    evidence.push(server);
    identifiers.push({ kind: 'kube-cluster', value: server.value });
  }
  return { context: context.name, evidence, identifiers, contextNamespace: entry?.namespace };
}

/** The context: the tool's choice, else the first current-context set; with why there is none. */
function chooseContext(choice: KubeChoice, usable: KubeconfigFile[], env: NodeJS.ProcessEnv): { name?: string; evidence: Evidence[] } {
  if (choice.context) return { name: choice.context.value, evidence: [choice.context] };
  const current = firstOf(usable, (f) => (f.currentContextBy ? { by: f.currentContextBy, name: f.currentContext } : f.currentContext === undefined ? undefined : { name: f.currentContext }));
  if (current?.value.by) {
    const name = current.value.name;
    const value = `current-context ${name ?? 'not known in advance'} in ${current.file.shown}`;
    return { name, evidence: [{ source: 'command', key: current.value.by, value }] };
  }
  if (current) return { name: current.value.name, evidence: [{ source: 'file', key: 'current-context', value: current.value.name!, file: current.file.shown }] };
  const evidence: Evidence[] = [];
  if (usable.length > 0) {
    evidence.push({ source: 'file', key: 'current-context', value: 'not set', file: usable.map((f) => f.shown).join(':') });
  }
  const host = env.KUBERNETES_SERVICE_HOST;
  if (usable.length === 0 && !choice.kubeconfig && !choice.server && host && env.KUBERNETES_SERVICE_PORT) {
    evidence.push({ source: 'env', key: 'KUBERNETES_SERVICE_HOST', value: `${host} (in a pod with no kubeconfig, its service account decides the cluster, which has no name here)` });
  }
  return { evidence };
}

/** The context's cluster and namespace, from the first file that defines the context. */
function contextEntry(name: string, usable: KubeconfigFile[]): { cluster?: string; namespace?: Evidence; evidence: Evidence[] } {
  const key = `contexts["${name}"]`;
  const found = firstOf(usable, (f) => f.contexts.get(name));
  if (!found) return { evidence: [{ source: 'file', key, value: 'not defined in the kubeconfig', ...(usable[0] ? { file: usable[0].shown } : {}) }] };
  const { cluster, namespace, namespaceBy } = found.value;
  const file = found.file.shown;
  const switched = namespaceBy ? { source: 'command' as const, key: namespaceBy, value: namespace ?? 'a namespace not known in advance' } : undefined;
  return {
    cluster,
    namespace: switched ?? (namespace ? { source: 'file', key: `${key}.namespace`, value: namespace, file } : undefined),
    evidence: cluster === undefined ? [] : [{ source: 'file', key: `${key}.cluster`, value: cluster, file }],
  };
}

function serverOf(clusterName: string | undefined, usable: KubeconfigFile[]): Evidence | undefined {
  if (clusterName === undefined) return undefined;
  const found = firstOf(usable, (f) => f.clusters.get(clusterName));
  const server = found?.value.server;
  return server ? { source: 'file', key: `clusters["${clusterName}"].server`, value: server, file: found.file.shown } : undefined;
}

/** Which kubeconfig files are read, with the evidence of why (none for the default file). */
function kubeconfigPaths(choice: KubeChoice, invocation: Pick<Invocation, 'cwd' | 'env'>): { paths: string[]; evidence: Evidence[] } {
  const at = (path: string) => resolvePath(invocation.cwd, path);
  if (choice.kubeconfig) return { paths: [at(choice.kubeconfig.value)], evidence: [choice.kubeconfig] };
  const list = invocation.env.KUBECONFIG;
  const listed = [...new Set((list ?? '').split(':').filter((p) => p !== '').map(at))];
  if (listed.length > 0) return { paths: listed, evidence: [{ source: 'env', key: 'KUBECONFIG', value: list! }] };
  return { paths: [join(homeOf(invocation.env), '.kube', 'config')], evidence: [] };
}

interface ContextEntry {
  cluster?: string;
  namespace?: string;
  /** Set when an earlier command of the line changed the namespace (see switchKubeconfig). */
  namespaceBy?: string;
}

interface KubeconfigFile {
  shown: string;
  /** Why the file gives no facts, when it gives none. */
  problem?: string;
  currentContext?: string;
  /** Set when an earlier command of the line changed current-context (to a value not known, if undefined). */
  currentContextBy?: string;
  contexts: Map<string, ContextEntry>;
  clusters: Map<string, { server?: string }>;
}

function readKubeconfig(path: string, env: NodeJS.ProcessEnv): KubeconfigFile {
  const file: KubeconfigFile = { shown: displayPath(path, env), contexts: new Map(), clusters: new Map() };
  let config: unknown;
  try {
    const text = readTextIfExists(path);
    if (text === undefined) return { ...file, problem: 'no such file' };
    config = yamlReader()(text);
  } catch (error) {
    return { ...file, problem: `unreadable (${(error as Error).message.split('\n')[0]})` };
  }
  if (!isRecord(config)) return file; // an empty file is an empty config
  file.currentContext = stringOf(config['current-context']) || undefined;
  for (const { name, body } of namedEntries(config.contexts, 'context')) {
    if (!file.contexts.has(name)) file.contexts.set(name, { cluster: stringOf(body.cluster), namespace: stringOf(body.namespace) });
  }
  for (const { name, body } of namedEntries(config.clusters, 'cluster')) {
    if (!file.clusters.has(name)) file.clusters.set(name, { server: stringOf(body.server) });
  }
  return file;
}

/** `contexts: [{name, context: {...}}]` and the like, skipping malformed entries. */
function namedEntries(list: unknown, field: string): { name: string; body: Record<string, unknown> }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const name = isRecord(entry) ? stringOf(entry.name) : undefined;
    const body = isRecord(entry) ? entry[field] : undefined;
    return name !== undefined ? [{ name, body: isRecord(body) ? body : {} }] : [];
  });
}

/** The first file, in order, that sets a value: client-go's merge rule. */
function firstOf<T>(files: KubeconfigFile[], pick: (file: KubeconfigFile) => T | undefined): { value: T; file: KubeconfigFile } | undefined {
  for (const file of files) {
    const value = pick(file);
    if (value !== undefined) return { value, file };
  }
  return undefined;
}

/** kubernetes.default.svc.cluster.local and friends: "local" in them would read as development. */
function isClusterInternal(server: string): boolean {
  let host: string;
  try {
    host = new URL(server.includes('://') ? server : `https://${server}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  return /(^|\.)svc(\.cluster\.local)?$|\.cluster\.local$|^kubernetes(\.default)?$/.test(host);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

// ── Switches made earlier in a shell line ───────────────────────────────────────────────────────────────
// `kubectl config use-context`, `set-context --namespace`, kubectx and kubens write the kubeconfig the
// way client-go's ModifyConfig does: current-context goes to --kubeconfig, else to the only KUBECONFIG
// file, else to the first of them that exists (else the last), else to ~/.kube/config; a context's
// namespace goes to the first file that defines the context. The change is made to the files as read
// here, so a later command that reads the same files sees it and one that reads others does not.

function switchKubeconfig(a: Assumption, load: (path: string) => KubeconfigFile): void {
  const fact = a.fact;
  if (fact.kind !== 'kube-context' && fact.kind !== 'kube-namespace') return;
  const by = `earlier in the line: ${a.by}`;
  const { paths } = kubeconfigPaths(fact.kubeconfig !== undefined ? { kubeconfig: { source: 'flag', key: '--kubeconfig', value: fact.kubeconfig } } : {}, a);
  const destination = paths.length === 1 ? paths[0] : (paths.find((p) => !load(p).problem) ?? paths.at(-1)!);
  if (fact.kind === 'kube-context') {
    const file = load(destination);
    file.currentContext = fact.context;
    file.currentContextBy = by;
    // A file that did not exist is written by the switch: it gives facts from now on.
    if (file.problem === 'no such file') delete file.problem;
    return;
  }
  const files = paths.map(load).filter((f) => !f.problem);
  const context = fact.context ?? firstOf(files, (f) => (f.currentContextBy || f.currentContext !== undefined ? f.currentContext ?? '' : undefined))?.value;
  if (!context) return; // no current context: kubectl and kubens fail
  const defined = firstOf(files, (f) => f.contexts.get(context));
  const entry = defined?.value ?? {};
  if (!defined) load(destination).contexts.set(context, entry);
  entry.namespace = fact.namespace;
  entry.namespaceBy = by;
}
