// The real agent CLIs the end-to-end suite drives (test/e2e/real-agents.test.ts), installed from the npm
// registry at pinned versions into a cache outside the repository, so a second run starts at once.
// `node scripts/test-agents.js` installs them (CI runs it before the tests); the test imports
// `installTestAgents` and does the same when the cache is empty.
//
// Versions: Claude Code dropped Node 20 after 2.1.197, so that is the pin on Node 20; on Node 22 and
// later the newer pin has `onFailure` (2.1.295+). The others run on Node 20.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeMajor = Number(process.versions.node.split('.')[0]);

/** npm package, pinned version and the executable it provides. */
export const testAgentPackages = [
  { agent: 'claude', spec: `@anthropic-ai/claude-code@${nodeMajor >= 22 ? '2.1.332' : '2.1.197'}`, bin: 'claude' },
  { agent: 'codex', spec: '@openai/codex@0.171.0', bin: 'codex' },
  { agent: 'gemini', spec: '@google/gemini-cli@0.61.0', bin: 'gemini' },
  { agent: 'copilot', spec: '@github/copilot@1.0.102', bin: 'copilot' },
];

export function testAgentsDir(env = process.env) {
  const key = createHash('sha256').update(JSON.stringify([nodeMajor, testAgentPackages])).digest('hex').slice(0, 12);
  const base = env.CHAPERONE_TEST_AGENTS_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chaperone-test-agents');
  return join(base, key);
}

/**
 * Installs the pinned agents once; returns the directory of their executables. Throws with npm's own
 * message when the install fails (`registryReachable` tells a network problem from a real one).
 */
export function installTestAgents(env = process.env) {
  const dir = testAgentsDir(env);
  const bin = join(dir, 'node_modules', '.bin');
  if (existsSync(join(dir, 'installed')) && testAgentPackages.every((p) => existsSync(join(bin, p.bin)))) return bin;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'package.json'), '{ "private": true }\n');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...testAgentPackages.map((p) => p.spec)], {
    cwd: partial,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  });
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install ${testAgentPackages.map((p) => p.spec).join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error ?? '')).trim().slice(-2000)}`);
  }
  writeFileSync(join(partial, 'installed'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return bin;
}

/** Whether the npm registry answers at all (`npm ping`). */
export function registryReachable(env = process.env) {
  try {
    execFileSync('npm', ['ping', '--loglevel=error'], { env, stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = installTestAgents();
  for (const p of testAgentPackages) {
    const version = spawnSync(join(bin, p.bin), ['--version'], { encoding: 'utf8', timeout: 60_000 }).stdout.trim().split('\n')[0];
    console.log(`test agents: ${p.spec}: ${version}`);
  }
}
