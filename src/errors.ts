// Two kinds of error. A UserError is an expected problem: it prints one clear message and exits with a
// chosen code. Anything else is a bug and keeps its stack.

/** Exit codes chaperone itself may return. They are documented in README.md ("Exit codes"). */
export const ExitCode = {
  /** Bad usage of chaperone's own CLI, or an invalid rules file. */
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

export class UserError extends Error {
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
