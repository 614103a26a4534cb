// What end-to-end tests with real tools need from the machine: finding a tool on the system PATH,
// probing that it actually runs, a free TCP port, and the rule for a group whose tools are missing
// (skip with the reason printed, or fail when CHAPERONE_REQUIRE_REAL_TOOLS=1, as CI sets it).

import { execa } from 'execa';
import { accessSync, constants, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { systemPath } from './sandbox.js';

/** CI sets this: a missing tool is then a failure, never a skip. */
export const requireRealTools = process.env.CHAPERONE_REQUIRE_REAL_TOOLS === '1';

/** The first executable file called `name` on `path` (the system PATH by default), or undefined. */
export function which(name: string, path = systemPath): string | undefined {
  for (const dir of path.split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * What stops each command from running, as one line per problem; empty when all run. A command must
 * be on the system PATH and exit 0 with the given probe arguments (a pyenv shim for a tool that the
 * current Python lacks is on PATH, but does not run).
 */
export async function toolProblems(probes: [command: string, args: string[]][]): Promise<string[]> {
  const problems = await Promise.all(
    probes.map(async ([command, args]) => {
      if (!which(command)) return `${command} is not on PATH`;
      const probe = await execa(command, args, {
        env: { ...process.env, PATH: systemPath },
        reject: false,
        stdin: 'ignore',
        timeout: 30_000,
      });
      if (probe.exitCode === 0) return undefined;
      const said = String(probe.stderr || probe.stdout).trim().split('\n')[0] ?? '';
      return `\`${command} ${args.join(' ')}\` failed (${probe.exitCode ?? probe.signal}): ${said}`;
    }),
  );
  return problems.filter((p): p is string => p !== undefined);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from the OS'))));
    });
  });
}

export interface ToolGroup {
  /** Pass to describe.skipIf. */
  skip: boolean;
  /** The describe title; a skipped group carries its reason in it. */
  title: string;
  /** Call first in beforeAll: throws when the tools are missing and CI requires them. */
  assertAvailable(): void;
}

/** Decides, once per group of tests, whether missing tools skip the group or fail it. */
export function toolGroup(title: string, problems: string[]): ToolGroup {
  if (problems.length === 0) return { skip: false, title, assertAvailable() {} };
  const reason = problems.join('; ');
  if (requireRealTools) {
    return {
      skip: false,
      title,
      assertAvailable() {
        throw new Error(`CHAPERONE_REQUIRE_REAL_TOOLS=1, and "${title}" cannot run: ${reason}`);
      },
    };
  }
  console.warn(`[real tools] skipping "${title}": ${reason}. Set CHAPERONE_REQUIRE_REAL_TOOLS=1 to make this a failure.`);
  return { skip: true, title: `${title} (skipped: ${reason})`, assertAvailable() {} };
}
