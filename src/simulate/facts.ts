// Commands that change what later commands target by writing a tool's config files: `kubectl config
// use-context prod`, `kubectx prod`, `railway environment production`, `terraform workspace select prod`,
// `gcloud config set project acme-prod`, `aws configure set role_arn … --profile dev`. In a shell line
// (check --command, agent hooks) the files on disk do not show the change yet, so the line is judged as
// if it had happened (see line.ts); each tool's resolver applies the facts to the files it reads.
//
// Each command is read with its tool's own grammar (the same parse() the shim uses), so flags stand
// wherever the tool allows them. A value the line does not know (`use-context "$CTX"`) is an unknown
// target, never a guess.

import { basename } from 'node:path';
import type { Invocation } from '../model.js';
import { loadTool } from '../tools/index.js';

/** One change to a tool's config files, typed per fact. The directory and environment come with it. */
export type Switch =
  /** current-context of the kubeconfig the command writes (`kubectl config use-context`, `kubectx`). */
  | { kind: 'kube-context'; context?: string; kubeconfig?: string }
  /** The namespace of a context (`set-context NAME|--current --namespace N`, `kubens`); no context: the current one. */
  | { kind: 'kube-namespace'; namespace?: string; context?: string; kubeconfig?: string }
  /** `railway link` (the link of this very directory), or `railway unlink`. */
  | { kind: 'railway-link'; environment?: string; unlink?: boolean }
  /** `railway environment [link] NAME`: the environment of the nearest linked project. */
  | { kind: 'railway-environment'; environment?: string }
  /** `terraform workspace select|new NAME`: the data dir's `environment` file. */
  | { kind: 'terraform-workspace'; workspace: string; chdir?: string }
  /** `gcloud config set project X` (undefined: unset) in a configuration (undefined: the active one). */
  | { kind: 'gcloud-project'; project?: string; configuration?: string }
  /** `gcloud config configurations activate|create NAME`. */
  | { kind: 'gcloud-configuration'; configuration?: string }
  /** `aws configure set KEY VALUE`: one key of one profile in the config file. */
  | { kind: 'aws-config'; profile: string; key: string; value: string }
  /** `pulumi stack select|init NAME`: the stack selected in the project's workspace file. */
  | { kind: 'pulumi-stack'; stack: string; cwd?: string }
  /** A change to these tools' config that chaperone does not follow: what they target after it is unknown. */
  | { kind: 'unknown'; tools: string[]; why: string };

/** The tools whose target a fact changes (by the names rules use). */
export function toolsOf(fact: Switch): string[] {
  switch (fact.kind) {
    case 'kube-context':
    case 'kube-namespace':
      return ['kubectl', 'helm'];
    case 'railway-link':
    case 'railway-environment':
      return ['railway'];
    case 'terraform-workspace':
      return ['terraform'];
    case 'gcloud-project':
    case 'gcloud-configuration':
      return ['gcloud', 'gsutil'];
    case 'aws-config':
      return ['aws'];
    case 'pulumi-stack':
      return ['pulumi'];
    case 'unknown':
      return fact.tools;
  }
}

/** A value the line could not know (`$CTX`, `$(pick)`, a backtick) stands for an unknown one. */
function known(value: string | undefined): string | undefined {
  return value === undefined || /[$`]/.test(value) ? undefined : value;
}

/** The facts a command makes true once it has run; none for most commands. */
export async function switchesOf(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Switch[]> {
  const name = basename(argv[0] ?? '');
  const args = argv.slice(1);
  switch (name) {
    case 'kubectx':
      return kubectx(args, env);
    case 'kubens':
      return kubens(args, env);
    case 'az':
    case 'firebase':
    case 'neonctl':
    case 'neon':
    case 'turso':
    case 'pscale':
      return (await import('./platforms.js')).platformSwitches(name, args, cwd, env);
    case 'kubectl':
    case 'railway':
    case 'terraform':
    case 'tofu':
    case 'gcloud':
    case 'pulumi':
    case 'aws': {
      const tool = await loadTool(name);
      if (!tool) return [];
      const invocation: Invocation = { tool: name, args, cwd, env, input: '' };
      const parsed = await tool.parse(invocation);
      const command = parsed.commands[0];
      if (parsed.help || !command) return [];
      if (tool.name === 'kubectl') return kubectlSwitches(command.path, command.flags);
      if (tool.name === 'railway') return railwaySwitches(command.path, command.flags);
      if (tool.name === 'terraform') return terraformSwitches(command.path, command.flags);
      if (tool.name === 'gcloud') return gcloudSwitches(command.path, command.flags);
      if (tool.name === 'pulumi') return pulumiSwitches(command.path, command.flags);
      return awsSwitches(command.path, command.flags, env);
    }
  }
  return [];
}

type Flags = Map<string, string[]>;
const last = (flags: Flags, ...names: string[]) => names.map((n) => flags.get(n)?.at(-1)).find((v) => v !== undefined);

// ── Kubernetes ────────────────────────────────────────────────────────────────────────────────────────

/** `kubectl config` subcommands that write the kubeconfig in ways not followed here. */
const kubeconfigWrites = new Set(['set', 'unset', 'set-cluster', 'set-credentials', 'rename-context', 'delete-context', 'delete-cluster', 'delete-user']);

function kubectlSwitches(path: string[], flags: Flags): Switch[] {
  if (path[0] !== 'config') return [];
  const kubeconfig = last(flags, '--kubeconfig');
  const at = kubeconfig !== undefined ? { kubeconfig } : {};
  const [, sub, ...rest] = path;
  if (sub === 'use-context' || sub === 'use') return [{ kind: 'kube-context', context: known(rest[0]), ...at }];
  if (sub === 'set-context') {
    const context = flags.has('--current') ? undefined : known(rest[0]);
    if (!flags.has('--current') && context === undefined) return [unknownKube(`kubectl config set-context ${rest[0] ?? ''}`.trim())];
    // A context pointed at another cluster or user is a target chaperone does not follow.
    if (flags.has('--cluster') || flags.has('--user')) return [unknownKube('kubectl config set-context --cluster/--user')];
    const namespace = last(flags, '--namespace');
    return namespace === undefined ? [] : [{ kind: 'kube-namespace', namespace: known(namespace), ...(context ? { context } : {}), ...at }];
  }
  if (sub === 'set' && rest[0] === 'current-context') return [{ kind: 'kube-context', context: known(rest[1]), ...at }];
  if (kubeconfigWrites.has(sub ?? '')) return [unknownKube(`kubectl config ${sub}`)];
  return [];
}

function unknownKube(what: string): Switch {
  return { kind: 'unknown', tools: ['kubectl', 'helm'], why: `${what} changes the kubeconfig in a way chaperone does not follow` };
}

/** kubectx reads one kubeconfig file: with several in KUBECONFIG it refuses to run. */
function singleKubeconfig(env: NodeJS.ProcessEnv): boolean {
  return (env.KUBECONFIG ?? '').split(':').filter((p) => p !== '').length <= 1;
}

// kubectx (ahmetb/kubectx): `kubectx NAME` switches, `kubectx -` goes back, `kubectx NEW=OLD` renames,
// `-d NAME` deletes, `-c`/`--current` and `-h` only print. With no argument it lists (or, in a terminal
// with fzf, lets a human pick one).
function kubectx(args: string[], env: NodeJS.ProcessEnv): Switch[] {
  if (!singleKubeconfig(env)) return [];
  const [first] = args;
  if (['-c', '--current', '-h', '--help', '-V', '--version'].includes(first ?? '')) return [];
  if (first === undefined || first === '-' || first === '-u' || first === '--unset') return [{ kind: 'kube-context' }];
  if (first === '-d' || first.includes('=')) return [unknownKube(`kubectx ${first}`)];
  if (first.startsWith('-')) return [];
  return [{ kind: 'kube-context', context: known(first) }];
}

// kubens: `kubens NAME` sets the current context's namespace, `-` goes back, `-c` and `-h` only print.
function kubens(args: string[], env: NodeJS.ProcessEnv): Switch[] {
  if (!singleKubeconfig(env)) return [];
  const [first] = args;
  if (['-c', '--current', '-h', '--help', '-V', '--version'].includes(first ?? '')) return [];
  if (first === undefined || first === '-') return [{ kind: 'kube-namespace' }];
  if (first.startsWith('-')) return [];
  return [{ kind: 'kube-namespace', namespace: known(first) }];
}

// ── Railway ───────────────────────────────────────────────────────────────────────────────────────────

/** Subcommands of `railway environment`; any other word there is the environment to link. */
const environmentSubcommands = new Set(['new', 'delete', 'remove', 'rm', 'edit', 'config', 'changes', 'list', 'ls']);

function railwaySwitches(path: string[], flags: Flags): Switch[] {
  const [command, sub, name] = path;
  // `railway link` links this directory: to -e's environment, or one it asks for (unknown here).
  if (command === 'link') return [{ kind: 'railway-link', environment: known(last(flags, '--environment')) }];
  if (command === 'unlink') return [{ kind: 'railway-link', unlink: true }];
  if (command !== 'environment' && command !== 'env') return [];
  if (sub === 'link') return [{ kind: 'railway-environment', environment: known(name ?? last(flags, '--environment')) }];
  // `environment new NAME` creates an environment and links it.
  if (sub === 'new') return [{ kind: 'railway-environment', environment: known(name) }];
  if (sub !== undefined && environmentSubcommands.has(sub)) return [];
  // `railway environment` alone asks which one to link (unknown here).
  return [{ kind: 'railway-environment', environment: known(sub ?? last(flags, '--environment')) }];
}

// ── Terraform / OpenTofu ──────────────────────────────────────────────────────────────────────────────

function terraformSwitches(path: string[], flags: Flags): Switch[] {
  const [command, sub, ...rest] = path;
  if (command !== 'workspace' && command !== 'env') return [];
  if (sub !== 'select' && sub !== 'new') return [];
  // The name is the first argument; a second one is the old [DIR] of the configuration, not the data dir.
  const chdir = flags.get('-chdir')?.[0];
  if (known(rest[0]) === undefined) return [{ kind: 'unknown', tools: ['terraform'], why: `terraform workspace ${sub} to a workspace the line does not show` }];
  return [{ kind: 'terraform-workspace', workspace: rest[0], ...(chdir !== undefined ? { chdir } : {}) }];
}

// ── Pulumi ────────────────────────────────────────────────────────────────────────────────────────────

function pulumiSwitches(path: string[], flags: Flags): Switch[] {
  const [command, sub, name] = path;
  if (command !== 'stack' || (sub !== 'select' && sub !== 'init' && sub !== 'unselect')) return [];
  const cwd = last(flags, '--cwd');
  const stack = sub === 'unselect' ? undefined : (name ?? last(flags, '--stack'));
  if (known(stack) === undefined) return [{ kind: 'unknown', tools: ['pulumi'], why: `pulumi stack ${sub} to a stack the line does not show` }];
  return [{ kind: 'pulumi-stack', stack: stack!, ...(cwd !== undefined ? { cwd } : {}) }];
}

// ── Google Cloud ──────────────────────────────────────────────────────────────────────────────────────

function gcloudSwitches(path: string[], flags: Flags): Switch[] {
  // `gcloud init` asks which configuration and project to use.
  if (path[0] === 'init') return [{ kind: 'unknown', tools: ['gcloud', 'gsutil'], why: 'gcloud init picks a configuration and project chaperone cannot know in advance' }];
  if (path[0] !== 'config') return [];
  const configuration = last(flags, '--configuration');
  const inConfiguration = configuration !== undefined ? { configuration } : {};
  const [, sub, property, value] = path;
  const isProject = property === 'project' || property === 'core/project';
  // --installation writes the SDK-wide properties, which any configuration's project overrides.
  if (flags.has('--installation')) return isProject ? [{ kind: 'unknown', tools: ['gcloud', 'gsutil'], why: 'gcloud config set --installation project is not followed' }] : [];
  if (sub === 'set' && isProject) {
    if (known(value) === undefined) return [{ kind: 'unknown', tools: ['gcloud', 'gsutil'], why: `gcloud config set project to a value the line does not show` }];
    return [{ kind: 'gcloud-project', project: value, ...inConfiguration }];
  }
  if (sub === 'unset' && isProject) return [{ kind: 'gcloud-project', ...inConfiguration }];
  if (sub === 'configurations' && property === 'activate') return [{ kind: 'gcloud-configuration', configuration: known(value) }];
  if (sub === 'configurations' && property === 'create' && !flags.has('--no-activate')) {
    return [{ kind: 'gcloud-configuration', configuration: known(value) }];
  }
  return [];
}

// ── AWS ───────────────────────────────────────────────────────────────────────────────────────────────

/** The keys of ~/.aws/config that name an account (what aws.ts reads). */
const accountKeys = new Set(['role_arn', 'sso_account_id', 'aws_account_id']);
/** Keys that put credentials into a profile: its account is then whatever they belong to. */
const credentialKeys = new Set(['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']);

// `aws configure set KEY VALUE` (awscli customizations/configure/set.py): a plain KEY goes to the
// session's profile (--profile, else AWS_PROFILE, else default); `default.KEY` and `profile.NAME.KEY`
// name the profile; another dotted KEY is scoped by rules chaperone does not follow.
function awsSwitches(path: string[], flags: Flags, env: NodeJS.ProcessEnv): Switch[] {
  const [service, operation, variable, value] = path;
  if (service !== 'configure') return [];
  if (operation === 'sso' || operation === 'import') {
    return [{ kind: 'unknown', tools: ['aws'], why: `aws configure ${operation} writes profiles chaperone cannot read in advance` }];
  }
  if (operation !== 'set' || variable === undefined) return [];
  const parts = variable.split('.');
  let profile: string | undefined;
  let key: string;
  if (parts.length === 1) {
    profile = last(flags, '--profile') ?? env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
    key = variable;
  } else if (parts[0] === 'default') {
    profile = 'default';
    key = parts[1];
  } else if (parts[0] === 'profile' && parts.length >= 3) {
    profile = parts[1];
    key = parts[2];
  } else {
    key = parts.at(-1)!;
  }
  if (credentialKeys.has(key)) {
    return [{ kind: 'unknown', tools: ['aws'], why: `aws configure set ${key} puts keys into a profile, and keys name no account offline` }];
  }
  if (!accountKeys.has(key)) return [];
  if (profile === undefined || known(profile) === undefined) {
    return [{ kind: 'unknown', tools: ['aws'], why: `aws configure set ${variable} writes a profile chaperone cannot tell` }];
  }
  if (known(value) === undefined) return [{ kind: 'unknown', tools: ['aws'], why: `aws configure set ${key} to a value the line does not show` }];
  return [{ kind: 'aws-config', profile, key, value }];
}
