// The values that flow through chaperone, in the order they are made:
//   invocation → parsed commands → target (with evidence) → findings → decision → outcome.

/** How one tool was called: its name as typed, its arguments, and the world it was called in. */
export interface Invocation {
  tool: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * What the command's stdin will carry, when it is known without reading fd 0: a heredoc or pipe
   * found in a shell line (check --command, agent hooks). The shim leaves it unset and reads stdin.
   */
  input?: string;
  /**
   * Config changes that earlier commands of the same shell line make before this one runs (`kubectl
   * config use-context prod && kubectl delete …`): the files on disk do not show them yet. Only line
   * analysis sets this; the shim runs after the change really happened and reads the files themselves.
   */
  assumed?: Assumption[];
}

/** A config change an earlier command of a line makes, and where that command ran (see src/simulate/). */
export interface Assumption {
  fact: Switch;
  /** The command that makes it, safe to show: `kubectl config use-context prod`. */
  by: string;
  /** The directory and the whole environment of that command: the files it writes are found from these. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** False when it may have failed or not yet run (`a; b`, `a || b`, `a | b`): both targets then count. */
  certain: boolean;
}
export type { Switch } from './simulate/facts.js';
import type { Switch } from './simulate/facts.js';

/**
 * One action an invocation asks for, in a form rules can read. A CLI call gives one; a psql call
 * gives one per SQL statement. `path` holds the command words (`volume delete`), `flags` every option
 * by its canonical name with all its values.
 */
export interface Command {
  path: string[];
  flags: Map<string, string[]>;
  /** What to show a human for this action when it is not the whole argv (e.g. one SQL statement). */
  text?: string;
}

export interface ParsedInvocation {
  commands: Command[];
  /** `--help` and friends: never gated. */
  help: boolean;
  /** Commands this one hands to something else to run (a pod, a container, an ssh host, a git alias). */
  nested?: NestedLine[];
  /** Set when the payload was read ahead from a pipe on stdin, which the real tool must then be fed. */
  stdin?: StdinReadAhead;
}

/**
 * A command line that an invocation runs somewhere: `kubectl exec POD -- psql …`, `ssh HOST '…'`, a git
 * `!` alias, a package.json script. It is judged as a line of its own, and what it destroys is
 * destroyed in the outer command's target (a pod of a production context is production).
 */
export interface NestedLine {
  /** How it is run, for explanations: `kubectl exec`, `ssh db-1`, `git alias undo`. */
  via: string;
  /**
   * What runs: shell text (`sh -c` semantics), or an argv run without a shell (`docker exec C psql -c …`).
   * Neither, when it cannot be known: an interactive shell into the target reads what is typed later.
   */
  line?: string;
  argv?: string[];
  /** With neither: why, when it is not an interactive session (`--parameters file://x.json` unreadable). */
  unreadable?: string;
  /** What the nested command reads on stdin, when known (SQL piped into `kubectl exec -i … psql`). */
  input?: string;
  /**
   * `remote`: another machine or container. Local files, variables and config say nothing about it, so
   * the outer target is the target. `local`: it runs here, and each inner command resolves its own.
   */
  where: 'remote' | 'local';
  /**
   * It runs on this machine with the target's variables (`railway run ./wipe.sh`): judged against the
   * outer target like a remote line, but the scripts, Makefiles and package scripts it runs are read here.
   */
  filesHere?: boolean;
  /**
   * It runs in a container that is thrown away after (a Dockerfile's RUN): what only touches that
   * container (`rm -rf /var/lib/apt/lists/*`) is nothing; covered tools reaching beyond it still count.
   */
  ephemeral?: boolean;
  /** For a local line: its directory and environment, when they differ from the invocation's. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `$0`, `$1`, … of shell text run as `sh -c TEXT $0 $1 …` (a git `!` alias and its arguments). */
  positional?: string[];
}

/** A pipe on stdin, read ahead so its payload could be judged before the real tool starts. */
export interface StdinReadAhead {
  /** The bytes read; the real tool gets them first, unchanged. */
  head: Buffer;
  /** Whether the head is all of stdin. If not, the rest is judged unit by unit as it streams. */
  complete: boolean;
  /** Units that end at or before this offset were judged with the invocation. */
  judgedUpTo: number;
  /**
   * How the rest of a longer stdin is treated: `sql` is judged statement by statement as it streams
   * (psql); `pass` goes through as it is, because the decision already counted it as unreadable.
   */
  rest?: 'sql' | 'pass';
  /** The tool's descriptor the bytes came from and go back to: 0 (stdin), or N of a `/dev/fd/N` it was given. */
  fd?: number;
  /** The tool opens it by path (`-f /dev/stdin`, `-f <(…)`), so it must be given a pipe it can open. */
  byPath?: boolean;
}

export type EnvironmentClass = 'production' | 'staging' | 'development' | 'unknown';

/** Where a fact about the target came from. */
export interface Evidence {
  source: 'flag' | 'env' | 'file' | 'argument' | 'default' | 'command';
  /** The flag, variable or file key. */
  key: string;
  /** The value, already safe to show. */
  value: string;
  /** For `file` evidence, the file it was read from. */
  file?: string;
}

/**
 * Something that names the target and can be classified: a name read by token, a host, or an id the
 * user's config may map (`aws-account: {"123456789012": production}`).
 */
export interface Identifier {
  kind: IdentifierKind;
  value: string;
}
export type { IdentifierKind } from './context/identifiers.js';
import type { IdentifierKind } from './context/identifiers.js';

/** What a tool's resolver reports, before classification. */
export interface ResolvedTarget {
  /** The name a human would recognise and type to confirm, when there is one. */
  name?: string;
  evidence: Evidence[];
  identifiers: Identifier[];
  /** Set when the command reaches every environment (e.g. `railway delete`), whatever the link says. */
  forcedClass?: EnvironmentClass;
  forcedReason?: string;
}

export interface Target {
  name?: string;
  class: EnvironmentClass;
  evidence: Evidence[];
  /** Why this class: which identifier or name decided it. */
  because: string;
}

/**
 * What a gated command does. destroy: live data is lost. disrupt: an outage that can be undone.
 * The other three are about the way back (the incident was final because the backups went with the
 * volume): disables-recovery turns off backups, versioning, point-in-time recovery or a deletion lock;
 * deletes-recovery deletes snapshots, backups or recovery points; restores-over replaces live data with
 * a backup's. The policy treats them all alike; the effect says why a command is gated.
 */
export type Effect = 'destroy' | 'disrupt' | 'disables-recovery' | 'deletes-recovery' | 'restores-over';

export interface Finding {
  rule: string;
  effect: Effect;
  summary: string;
  /** The action that matched, when it is only part of the invocation (one SQL statement). */
  text?: string;
}

export type Actor = 'human' | 'agent' | 'ci';

export interface ActorInfo {
  actor: Actor;
  evidence: string;
}

export type PolicyAction = 'allow' | 'notice' | 'confirm' | 'confirm-name' | 'deny';

export type Verdict = 'allow' | 'confirm' | 'deny';

export interface Decision {
  verdict: Verdict;
  /** What the policy asked for, before the actor was considered. */
  action: PolicyAction;
  /** For a confirm: what the human must type (`yes` or the environment's name). */
  confirmWord?: string;
  /** A refusal only because nobody here can confirm: a human may approve it out of band. */
  approvable?: boolean;
  /** Refused because the target is outside the session's declared scope: no approval possible. */
  outOfScope?: boolean;
  /** One line on why. */
  reason: string;
}

export interface Evaluation {
  invocation: Invocation;
  help: boolean;
  findings: Finding[];
  /** Resolved only when something was found (or when asked for by check/explain). */
  target?: Target;
  actor: ActorInfo;
  decision: Decision;
  /** Config files that shaped the decision. */
  layers: string[];
  /** Stdin read ahead by the parser (see ParsedInvocation.stdin). */
  stdin?: StdinReadAhead;
  /**
   * Judges more actions of the same invocation (statements streaming in after the read-ahead), with
   * the lines they run elsewhere (a shell, or statements after psql's `\c` against another target).
   */
  judge?: (commands: Command[], nested?: NestedLine[]) => Promise<Evaluation>;
  /** Set on what `judge` returns: the tool is already running, and only this part of its input is held. */
  midStream?: true;
  /**
   * The policy asks for a backup of what this destroys before it runs, once confirmed (src/backup/):
   * how long backups are kept, and how much they may take in all.
   */
  backup?: { maxAgeDays: number; maxTotalMb: number };
  /** Where a copy of each audit record goes (`audit-syslog` in the user's config; src/audit/syslog.ts). */
  auditSyslog?: string;
}
