// What `chaperone setup` and `chaperone doctor` ask the installed agents: their versions, and whether
// Codex trusts chaperone's hook. Each question starts the agent's own CLI with a time limit, and is
// only asked of agents chaperone's hooks are set up for. Facts checked against Claude Code 2.1.197 and
// 2.1.332, Codex 0.171.0, Gemini CLI 0.61.0 and Copilot CLI 1.0.102.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homeOf, realpathOr } from '../context/files.js';
import { delimiter, join } from 'node:path';
import { isChaperoneCommand, type SetupAgent } from './setup.js';
import { hookClientScript } from '../server/client.js';
import { setAsideShOf } from '../shim/set-aside.js';

export const agentBinaries: Record<SetupAgent, string> = { claude: 'claude', codex: 'codex', gemini: 'gemini', copilot: 'copilot', cursor: 'cursor-agent' };

/** Claude Code honours `onFailure: "block"` from this version; before, a hook that crashes lets the call run. */
export const claudeOnFailureSince = '2.1.295';

export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The agent's version (the first x.y.z its `--version` prints), or undefined if it is not installed or does not say. */
export function agentVersion(agent: SetupAgent, env: NodeJS.ProcessEnv): string | undefined {
  const binary = onPath(agentBinaries[agent], env);
  if (!binary) return undefined;
  const result = spawnSync(binary, ['--version'], { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return /\d+\.\d+\.\d+/.exec(`${result.stdout ?? ''}`)?.[0];
}

/** a < b for dotted versions. */
export function olderThan(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}

export interface CodexHook {
  command: string;
  sourcePath: string;
  trustStatus: string;
}

/**
 * Codex runs a user hook only once the user has trusted it in `/hooks` (the trust is kept against a hash
 * of the hook, so a changed command is untrusted again). `codex app-server` answers `hooks/list` with each
 * hook's `trustStatus`; this asks it, for chaperone's hooks only. Undefined when codex is not installed or
 * does not answer in time.
 */
export function codexHookTrust(cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<CodexHook[] | undefined> {
  const binary = onPath('codex', env);
  if (!binary) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(binary, ['app-server'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buffer = '';
    let done = false;
    const finish = (value: CodexHook[] | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    child.on('error', () => finish(undefined));
    child.on('exit', () => finish(undefined));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let message: { id?: number; result?: { data?: { hooks?: CodexHook[] }[] } };
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        if (message.id !== 2) continue;
        const hooks = (message.result?.data ?? []).flatMap((entry) => entry.hooks ?? []);
        finish(hooks.filter((hook) => isChaperoneCommand(hook.command)).map(({ command, sourcePath, trustStatus }) => ({ command, sourcePath, trustStatus })));
      }
    });
    child.stdin.on('error', () => finish(undefined));
    const send = (value: unknown) => child.stdin.write(`${JSON.stringify(value)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'chaperone', version: '0' } } });
    send({ jsonrpc: '2.0', method: 'initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'hooks/list', params: { cwds: [cwd] } });
  });
}

export const codexTrustStep =
  'Codex runs a hook only after you trust it: start `codex`, type `/hooks`, and trust chaperone\'s PreToolUse hook. ' +
  'Any change to the hook\'s command (moving chaperone or Node, then running setup again) drops the trust, and Codex then skips the hook until you trust it again.';

/**
 * Gemini CLI's folder trust: with it on, an untrusted folder skips settings hooks (and headless runs refuse
 * to start). Read as Gemini CLI 0.61 reads it: `GEMINI_CLI_TRUST_WORKSPACE` first, then the rule in
 * ~/.gemini/trustedFolders.json with the longest path that covers the directory.
 */
export function geminiFolderTrust(home: string, cwd: string, env: NodeJS.ProcessEnv = {}): { enabled: boolean; trusted: boolean | undefined } {
  const read = (file: string) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const settings = read(join(home, '.gemini', 'settings.json'));
  const enabled = settings?.security?.folderTrust?.enabled !== false;
  if (env.GEMINI_CLI_TRUST_WORKSPACE === 'true' || env.GEMINI_CLI_TRUST_WORKSPACE === 'false') return { enabled, trusted: env.GEMINI_CLI_TRUST_WORKSPACE === 'true' };
  const folders = read(join(home, '.gemini', 'trustedFolders.json')) as Record<string, string> | undefined;
  if (!folders) return { enabled, trusted: undefined };
  // The most specific rule wins, as in Gemini CLI.
  let trusted: boolean | undefined;
  let longest = -1;
  for (const [path, level] of Object.entries(folders)) {
    const root = level === 'TRUST_PARENT' ? join(path, '..') : path;
    if ((cwd === root || cwd.startsWith(`${root}/`)) && path.length > longest) {
      longest = path.length;
      trusted = level !== 'DO_NOT_TRUST';
    }
  }
  return { enabled, trusted };
}

export interface AgentLine {
  ok: boolean;
  warn?: boolean;
  text: string;
}

/**
 * For each agent whose config holds chaperone's hooks: the installed version against what the hook
 * needs, a hook whose chaperone is gone, Codex's trust and Gemini's folder trust. (doctor prints these;
 * setup prints the one for the agent it set up.)
 */
export async function agentLines(cwd: string, env: NodeJS.ProcessEnv, only?: SetupAgent): Promise<AgentLine[]> {
  const { agentConfigFiles, chaperoneCommandsIn, entryOfCommand, hookCommand } = await import('./setup.js');
  const home = homeOf(env);
  const lines: AgentLine[] = [];
  const all = [...agentConfigFiles(home, env), ...agentConfigFiles(home, env, cwd)].filter(({ agent }) => !only || agent === only);
  const files = all.filter((entry, i) => all.findIndex((other) => other.file === entry.file) === i);
  for (const { agent, file } of files) {
    let commands: string[];
    try {
      commands = chaperoneCommandsIn(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      continue; // no file, or not JSON (setup says so when it is asked to write it)
    }
    if (commands.length === 0) continue;
    const gone = [...new Set(commands.map(entryOfCommand).filter((e): e is string => e !== undefined && !existsSync(e)))];
    if (gone.length) {
      lines.push({ ok: false, text: `${agent}: ${file} holds a chaperone hook whose program is gone (${gone.join(', ')}); it allows everything. Run \`chaperone setup ${agent}\` to point it here, or \`chaperone uninstall\` to remove it` });
      continue;
    }
    const unguarded = commands.filter((c) => !c.startsWith('if [ -f '));
    if (unguarded.length) {
      lines.push({ ok: true, warn: true, text: `${agent}: ${file} holds a hook written by an older chaperone, which blocks the agent if chaperone is removed first; run \`chaperone setup ${agent}\` again` });
    } else if (commands.some((c) => !c.includes(setAsideShOf('NODE_OPTIONS')))) {
      lines.push({ ok: true, warn: true, text: `${agent}: ${file} holds a hook written by an older chaperone, which starts Node with the agent's NODE_OPTIONS (a V8 flag there makes every hook call compile chaperone from source; a --require there runs inside the judge); run \`chaperone setup ${agent}\` again (it replaces the line)` });
    } else if (hookCommand(['hook', agent]).includes(hookClientScript()) && commands.some((c) => /\bhook (claude|cursor|codex|gemini|copilot)(?![\w-])/.test(c) && !c.includes(hookClientScript()))) {
      // A line from before the resident decision (or with an older client), where setup now writes one: it still judges, only slower.
      lines.push({ ok: true, warn: true, text: `${agent}: ${file} holds a hook written by an older chaperone, which starts Node for every shell command the agent runs; run \`chaperone setup ${agent}\` again (it replaces the line) so it asks chaperone's resident decision first` });
    }
    const version = agentVersion(agent, env);
    const named = `${agent}${version ? ` ${version}` : ''}`;
    if (agent === 'claude' && version && olderThan(version, claudeOnFailureSince)) {
      lines.push({
        ok: true,
        warn: true,
        text: `claude ${version}: hooks in ${file}, but Claude Code before ${claudeOnFailureSince} ignores \`onFailure: "block"\`: if chaperone's hook crashes or times out, the command runs (the shims still judge covered tools). Upgrade Claude Code (it needs Node >= 22 from 2.1.198)`,
      });
    } else if (agent === 'codex') {
      const trust = await codexHookTrust(cwd, env);
      if (trust === undefined) lines.push({ ok: true, warn: true, text: `codex: hooks in ${file}; could not ask codex whether it trusts them (is it installed?). ${codexTrustStep}` });
      else if (trust.length === 0) lines.push({ ok: false, text: `${named}: does not load chaperone's hook from ${file} (are hooks off, \`[features] hooks = false\`?)` });
      else if (trust.every((h) => h.trustStatus === 'trusted' || h.trustStatus === 'managed')) lines.push({ ok: true, text: `${named}: chaperone's hook in ${file} is trusted, so it runs` });
      else lines.push({ ok: false, text: `${named}: chaperone's hook in ${file} is ${trust.map((h) => h.trustStatus).join(', ')}, so Codex never runs it. ${codexTrustStep}` });
    } else if (agent === 'gemini') {
      const folder = geminiFolderTrust(home, realpathOr(cwd), env);
      const caveat = 'Gemini CLI skips settings hooks in a folder it does not trust (and refuses headless runs there); trust the folder when Gemini asks, or run `/permissions` in it';
      if (!folder.enabled) lines.push({ ok: true, text: `${named}: hooks in ${file}; folder trust is off, so they run in every folder` });
      else if (folder.trusted) lines.push({ ok: true, text: `${named}: hooks in ${file}; ${cwd} is a trusted folder, so they run here` });
      else lines.push({ ok: true, warn: true, text: `${named}: hooks in ${file}; ${cwd} is not a trusted folder. ${caveat}` });
    } else {
      lines.push({ ok: true, text: `${named}: hooks in ${file}${version || agent === 'cursor' ? '' : ` (${agentBinaries[agent]} is not on PATH)`}` });
    }
  }
  return lines;
}

/** What `chaperone setup AGENT` adds after writing: the lines above for that agent, as text. */
export async function agentAdvice(agent: SetupAgent, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const lines = await agentLines(cwd, env, agent);
  return lines.filter((l) => l.warn || !l.ok).map((l) => `chaperone: ${l.text}\n`).join('');
}
