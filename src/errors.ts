// One taxonomy for everything that can go wrong, mapped to a message and an exit code in one place.
//
// A fault is the user's to fix when it lies in their files or their environment: a rules file that
// does not parse (config), a tool's config file or chaperone's installation that cannot be read
// (environment), chaperone's own store of approvals, PIN and audit (store). Those say what is wrong,
// with which file, and how to fix it. Anything else is a bug in chaperone (internal) and keeps its
// stack. Whatever the kind, a wrapped tool does not run after a fault.

/** Exit codes chaperone itself may return. They are documented in README.md ("Exit codes"). */
export const ExitCode = {
  /** Bad usage of chaperone's own CLI, or a fault in the user's files or environment. */
  config: 2,
  /** chaperone held the command: refused, or the human did not confirm. The real tool did not run. */
  refused: 77,
  /** A bug in chaperone. The real tool did not run. */
  internal: 70,
  /** The real tool exists but cannot be executed. */
  notExecutable: 126,
  /** No real tool of that name on PATH behind the shims. */
  notFound: 127,
} as const;

export type FaultKind = 'usage' | 'config' | 'environment' | 'store' | 'internal';

/** An expected problem: one clear message and a chosen exit code, no stack. */
export class UserError extends Error {
  readonly kind: FaultKind = 'usage';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.config,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A config file that cannot be used: chaperone stops every wrapped command until it is fixed. */
export class ConfigError extends UserError {
  override readonly kind: FaultKind = 'config';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly problem: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
    super(
      `chaperone: invalid config ${where}: ${problem}\n` +
        `chaperone: no wrapped command runs until this file is fixed or removed.`,
      ExitCode.config,
    );
    this.name = 'ConfigError';
  }
}

/** A file chaperone must read to decide (a tool's config, its own installation) that it cannot read. */
export class EnvironmentFault extends UserError {
  override readonly kind: FaultKind = 'environment';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`chaperone: cannot read ${file}: ${problem}.\nchaperone: to fix: ${fix}.`, ExitCode.config);
    this.name = 'EnvironmentFault';
  }
}

/** chaperone's own store (approvals, PIN, audit log, backups) cannot be read or written. */
export class StoreFault extends UserError {
  override readonly kind: FaultKind = 'store';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`chaperone: ${file}: ${problem}.\nchaperone: to fix: ${fix}.`, ExitCode.config);
    this.name = 'StoreFault';
  }
}

/** A failure to change one of chaperone's own files, as the fault the user can fix. */
export function storeFault(path: string, error: unknown): unknown {
  if (error instanceof StoreFault || !(error as NodeJS.ErrnoException)?.code) return error;
  const e = error as NodeJS.ErrnoException;
  const where = e.path ?? path;
  const dir = path.replace(/\/[^/]*$/, '') || '/';
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return new StoreFault(where, 'permission denied', `chaperone's state directory must be yours and writable: chown -R "$(id -un)" ${dir} && chmod 700 ${dir}`);
    case 'EROFS':
      return new StoreFault(where, 'the file system is read-only', `chaperone needs a writable ${dir}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreFault(where, 'the disk is full', 'free some space');
    case 'EISDIR':
    case 'ENOTDIR':
    case 'EEXIST':
      return new StoreFault(where, 'a directory stands where a file should be, or a file where a directory should be', `remove what is in the way (ls -la ${dir})`);
    default:
      return new StoreFault(where, e.message, `check ${dir}`);
  }
}

/** What the user is told about an error, and the code chaperone exits with. */
export function describeFault(error: unknown): { kind: FaultKind; message: string; exitCode: number; stack?: string } {
  if (error instanceof UserError) return { kind: error.kind, message: error.message, exitCode: error.exitCode };
  const missing = missingInstallationFile(error);
  if (missing) {
    return {
      kind: 'environment',
      message: `chaperone: its installation is incomplete: ${missing} is missing.\nchaperone: to fix: reinstall chaperone (npm install -g chaperone), then run \`chaperone install\` again.`,
      exitCode: ExitCode.config,
    };
  }
  const err = error as Error | undefined;
  return {
    kind: 'internal',
    message: `chaperone: internal error: ${err?.message ?? String(error)}. This is a bug; please report it with the trace below.`,
    exitCode: ExitCode.internal,
    stack: err?.stack ?? String(error),
  };
}

/** A module of chaperone's own bundle that Node could not find: a damaged install, not a bug. */
function missingInstallationFile(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException & { url?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const named = /Cannot find (?:module|package) '([^']+)'/.exec(e.message ?? '')?.[1] ?? e.url;
  return named?.replace(/^file:\/\//, '');
}
