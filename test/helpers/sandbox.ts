// A world for one end-to-end test: its own HOME, the built CLI's shims installed in their own
// directory, and recording test doubles placed *after* the shims on PATH, as the real tools would be.
// Nothing from the developer's own HOME or config leaks in.

import { execa, type Options, type Result, type ResultPromise } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The test bundle (built beside dist/ by `npm run build`): the same source, except that it takes the
 * account's home from CHAPERONE_TEST_ACCOUNT_HOME, so each sandbox has its own PIN, approvals and audit
 * log. The shipped dist/ never reads that variable (src/context/files.ts, accountHome).
 */
export const cliPath = join(repoRoot, 'dist-test', 'chaperone.js');

/** The PATH of the machine, less anything a developer's own chaperone install would add. */
export const systemPath = (process.env.PATH ?? '/usr/bin:/bin')
  .split(':')
  .filter((entry) => !entry.includes('chaperone'))
  .join(':');

export interface Sandbox {
  root: string;
  home: string;
  shims: string;
  doubles: string;
  records: string;
  /** A directory to run commands in. */
  work: string;
  env: Record<string, string>;
  /** Writes a recording test double named `tool` into the doubles directory. */
  double(tool: string, options?: { exitCode?: number; stdout?: string }): void;
  /** What a double recorded, or undefined if it never ran. */
  record(tool: string): DoubleRecord | undefined;
  /** Runs a command line through `sh -c` with the shims first on PATH. */
  sh(line: string, options?: Options): ResultPromise & Promise<Result>;
  /** Runs argv with the shims first on PATH. */
  run(file: string, args: string[], options?: Options): ResultPromise & Promise<Result>;
  chaperone(args: string[], options?: Options): Promise<Result>;
  write(relative: string, text: string): string;
}

export interface DoubleRecord {
  argv: string[];
  argv0: string;
  stdin: Buffer;
  env: Record<string, string>;
  cwd: string;
}

/** Sandboxes made by this test file; test/helpers/cleanup.ts removes them when the file is done. */
export const sandboxRoots: string[] = [];

export async function makeSandbox(tools: string[] = ['railway', 'psql', 'dropdb', 'pg_restore', 'aws']): Promise<Sandbox> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-test-')));
  sandboxRoots.push(root);
  const dirs = { home: join(root, 'home'), shims: join(root, 'shims'), doubles: join(root, 'doubles'), records: join(root, 'records'), work: join(root, 'work') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const env: Record<string, string> = {
    HOME: dirs.home,
    PATH: `${dirs.shims}:${dirs.doubles}:${systemPath}`,
    LANG: 'C.UTF-8',
    RECORDS: dirs.records,
    // The tests say who is acting; nothing from the developer's session is inherited.
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_STATE_HOME: join(dirs.home, '.local', 'state'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    // Stands in for the passwd entry's home (see cliPath).
    CHAPERONE_TEST_ACCOUNT_HOME: dirs.home,
  };
  const base: Options = { env, extendEnv: false, reject: false, cwd: dirs.work, detached: true, stripFinalNewline: false };
  const merge = (options: Options): Options => ({
    ...base,
    ...(options.input === undefined && options.inputFile === undefined && options.stdin === undefined ? { stdin: 'ignore' as const } : {}),
    ...options,
    env: { ...env, ...(options.env as object) },
  });

  const sandbox: Sandbox = {
    root,
    ...dirs,
    env,
    double(tool, options = {}) {
      const script = [
        '#!/bin/sh',
        `d="$RECORDS/${tool}"; mkdir -p "$d"`,
        `for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"`,
        `printf '%s' "$0" > "$d/argv0"`,
        `env -0 > "$d/env"; pwd > "$d/cwd"; cat > "$d/stdin"`,
        options.stdout === undefined ? '' : `printf '%s' '${options.stdout.replace(/'/g, `'\\''`)}'`,
        `exit ${options.exitCode ?? 0}`,
        '',
      ].join('\n');
      const path = join(dirs.doubles, tool);
      writeFileSync(path, script);
      chmodSync(path, 0o755);
    },
    record(tool) {
      const d = join(dirs.records, tool);
      if (!existsSync(join(d, 'argv'))) return undefined;
      const split0 = (text: string) => (text === '' ? [] : text.replace(/\0$/, '').split('\0'));
      return {
        argv: split0(readFileSync(join(d, 'argv'), 'utf8')),
        argv0: readFileSync(join(d, 'argv0'), 'utf8'),
        stdin: readFileSync(join(d, 'stdin')),
        env: Object.fromEntries(split0(readFileSync(join(d, 'env'), 'utf8')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
        cwd: readFileSync(join(d, 'cwd'), 'utf8').trim(),
      };
    },
    sh: (line, options = {}) => execa('sh', ['-c', line], merge(options)) as ResultPromise & Promise<Result>,
    run: (file, args, options = {}) => execa(file, args, merge(options)) as ResultPromise & Promise<Result>,
    chaperone: (args, options = {}) => execa(process.execPath, [cliPath, ...args], merge(options)) as Promise<Result>,
    write(relative, text) {
      const path = join(root, relative);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
  };
  const installed = await sandbox.chaperone(['install', '--dir', dirs.shims, ...tools]);
  if (installed.exitCode !== 0) throw new Error(`chaperone install failed: ${installed.stderr}`);
  return sandbox;
}

/** Links `dir` to a Railway environment in the sandbox's ~/.railway/config.json. */
export function linkRailway(sandbox: Sandbox, dir: string, environmentName: string | undefined, environmentId = 'env-0000'): void {
  const file = join(sandbox.home, '.railway', 'config.json');
  const config = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { projects: {}, user: { token: 'secret-user-token' } };
  config.projects[dir] = { projectPath: dir, name: 'shop', project: 'proj-1', environment: environmentId, environmentName, service: null };
  mkdirSync(join(sandbox.home, '.railway'), { recursive: true });
  writeFileSync(file, JSON.stringify(config, null, 2));
}
