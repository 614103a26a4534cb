// The real git, run directly (not through a shim), by the tests that drive git through chaperone: to
// set up repositories and remotes, and to look at what a call through the shim did or did not do.

import { execa } from 'execa';
import type { Sandbox } from './sandbox.js';
import { which } from './system.js';

/** Nobody's own git config: the sandbox's empty HOME, no system file, an identity from the environment. */
export const gitIdentity = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/**
 * Runs the real git in `cwd` with the sandbox's environment, gitIdentity and `extra`; gives its trimmed
 * stdout and throws when it fails. `sandbox` is asked at each call, since tests make it in beforeAll.
 */
export function directGit(sandbox: () => Sandbox, extra: Record<string, string> = {}): (cwd: string, args: string[]) => Promise<string> {
  return async (cwd, args) => {
    const result = await execa(which('git')!, args, { cwd, env: { ...sandbox().env, ...gitIdentity, ...extra }, extendEnv: false, reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return String(result.stdout).trim();
  };
}
