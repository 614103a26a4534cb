// Which shell runs the shims. A shim must hand the real tool the caller's environment untouched, and
// the shell it is written in decides part of that: dash (Debian's /bin/sh) and busybox ash drop every
// entry whose name is not a shell identifier (`a-b=1`, `spring.profiles.active=dev`, as containers and
// `env` allow), so the tool never sees it. bash keeps such entries and passes them on; started with -p
// it also leaves exported functions (BASH_FUNC_*) as the bytes they came as and reads no BASH_ENV, and
// its start costs about 0.6–1 ms more than dash's on every call (the fast path's whole overhead roughly
// doubles, to ~1.5 ms). Fidelity wins by default: the shims use `/bin/bash -p` where that bash shows it
// keeps such entries (bash 5 does; macOS's bash 3.2 may not), and /bin/sh elsewhere.
// `CHAPERONE_SHIM_SHELL=sh chaperone install` chooses /bin/sh and its speed over those entries.

import { createRequire } from 'node:module';

export const posixShell = '/bin/sh';
export const keepingShell = '/bin/bash';

let bashKeeps: boolean | undefined;

/** The `#!` line of the shims written here; bash is tried once per install. */
export function shimShebang(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHAPERONE_SHIM_SHELL === 'sh') return `#!${posixShell}`;
  bashKeeps ??= keepsOddNames(keepingShell);
  return bashKeeps ? `#!${keepingShell} -p` : `#!${posixShell}`;
}

/** Whether `shell -p` passes an entry that is not an identifier, and an exported function, through byte for byte. */
export function keepsOddNames(shell: string): boolean {
  const probe = { 'chaperone-probe.name': 'kept', 'BASH_FUNC_chaperone_probe%%': '() {  :; }' };
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const seen = spawnSync(shell, ['-p', '-c', 'exec "$@"', 'sh', process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'], {
    env: probe,
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (seen.status !== 0) return false;
  try {
    const env = JSON.parse(seen.stdout) as Record<string, string>;
    return Object.entries(probe).every(([name, value]) => env[name] === value);
  } catch {
    return false;
  }
}
