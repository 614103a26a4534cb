// The real agent CLIs, driven headless against a mock model server (mock-anthropic.ts, mock-openai.ts,
// mock-gemini.ts) on loopback: each run asks the agent for one shell call and returns what the agent
// printed and what its shell tool answered. No login, no network; the agents' own files live in the
// sandbox's HOME. The CLIs come from scripts/test-agents.js (pinned, cached outside the repository).

import { execa } from 'execa';
import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startAnthropicMock } from './mock-anthropic.js';
import { startGeminiMock } from './mock-gemini.js';
import { startOpenAiMock } from './mock-openai.js';
import type { MockModel } from './mock-model.js';
import { systemPath, type Sandbox } from './sandbox.js';

export type RealAgent = 'claude' | 'codex' | 'gemini' | 'copilot';

export interface AgentRun {
  exitCode: number | undefined;
  output: string;
  /** What the agent's shell tool sent back to the model, one entry per call. */
  toolResults: string[];
  toolCalls: number;
}

const prompt = 'Run the shell command you were asked to run.';

export interface AgentDriver {
  agent: RealAgent;
  /** Once per sandbox, before `chaperone setup`: what the agent needs in its HOME to start headless. */
  prepare(sb: Sandbox): void;
  run(sb: Sandbox, bin: string, ask: Ask, extraEnv?: Record<string, string>): Promise<AgentRun>;
}

/** The agent's environment: the sandbox's (HOME, XDG dirs, the test account home), and a PATH of the
 * recording doubles, the agents and the system, without the shims, so that only the hook stands between
 * the agent and a double. */
function agentEnv(sb: Sandbox, bin: string, extra: Record<string, string>): Record<string, string> {
  return { ...sb.env, PATH: `${sb.doubles}:${bin}:${systemPath}`, ...extra };
}

/** The model's side of a run: the shell line, or the full script of a scripted turn. */
export type Ask = string | Pick<MockModel, 'command' | 'extraArgs' | 'followUp'>;

async function runWith(startMock: () => Promise<MockModel>, ask: Ask, launch: (url: string) => { file: string; args: string[]; env: Record<string, string>; cwd: string }): Promise<AgentRun> {
  const model = await startMock();
  Object.assign(model, typeof ask === 'string' ? { command: ask } : ask);
  try {
    const { file, args, env, cwd } = launch(model.url);
    const result = await execa(file, args, { env, extendEnv: false, cwd, reject: false, stdin: 'ignore', timeout: 120_000, all: true });
    return { exitCode: result.exitCode, output: String(result.all ?? ''), toolResults: model.toolResults, toolCalls: model.toolCalls };
  } finally {
    await model.close();
  }
}

export const agentDrivers: AgentDriver[] = [
  {
    agent: 'claude',
    prepare() {},
    run: (sb, bin, command, extra = {}) =>
      runWith(startAnthropicMock, command, (url) => ({
        file: join(bin, 'claude'),
        args: ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash'],
        cwd: sb.work,
        env: agentEnv(sb, bin, {
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: 'test-key',
          DISABLE_TELEMETRY: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_AUTOUPDATER: '1',
          ...extra,
        }),
      })),
  },
  {
    agent: 'codex',
    prepare() {},
    run: (sb, bin, command, extra = {}) =>
      runWith(startOpenAiMock, command, (url) => ({
        file: join(bin, 'codex'),
        args: [
          'exec',
          '--skip-git-repo-check',
          '--json',
          '-s',
          'danger-full-access',
          '-c',
          'model_provider=mock',
          '-c',
          `model_providers.mock={name="mock",base_url="${url}/v1",env_key="MOCK_MODEL_KEY",wire_api="responses",supports_websockets=false}`,
          '-c',
          'model=gpt-5',
          // `bash -l` would read /etc/profile, which resets PATH on Debian and drops the doubles.
          '-c',
          'allow_login_shell=false',
          prompt,
        ],
        cwd: sb.work,
        env: agentEnv(sb, bin, { MOCK_MODEL_KEY: 'test-key', ...extra }),
      })),
  },
  {
    agent: 'gemini',
    prepare(sb) {
      // An API key login, and the work directory trusted (Gemini skips settings hooks in an untrusted folder).
      mergeJson(join(sb.home, '.gemini', 'settings.json'), { security: { auth: { selectedType: 'gemini-api-key' } } });
      mergeJson(join(sb.home, '.gemini', 'trustedFolders.json'), { [sb.work]: 'TRUST_FOLDER' });
    },
    run: (sb, bin, command, extra = {}) =>
      runWith(startGeminiMock, command, (url) => ({
        file: join(bin, 'gemini'),
        args: ['-p', prompt, '--yolo', '-o', 'json'],
        cwd: sb.work,
        env: agentEnv(sb, bin, { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: url, ...extra }),
      })),
  },
  {
    agent: 'copilot',
    prepare() {},
    run: (sb, bin, command, extra = {}) =>
      runWith(startAnthropicMock, command, (url) => ({
        file: join(bin, 'copilot'),
        args: ['-p', prompt, '--allow-all-tools'],
        cwd: sb.work,
        env: agentEnv(sb, bin, {
          COPILOT_PROVIDER_BASE_URL: url,
          COPILOT_PROVIDER_TYPE: 'anthropic',
          COPILOT_PROVIDER_API_KEY: 'test-key',
          COPILOT_MODEL: 'claude-sonnet-4.5',
          ...extra,
        }),
      })),
  },
];

export function mergeJson(file: string, value: Record<string, unknown>): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const current = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const merge = (a: any, b: any): any => { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const [k, v] of Object.entries(b)) a[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merge(a[k], v) : v;
    return a;
  };
  writeFileSync(file, JSON.stringify(merge(current, value), null, 2));
}

/** Codex's `hooks/list`, asked of `codex app-server`: each hook's key, hash and trust. */
export function codexHooks(sb: Sandbox, bin: string): Promise<{ key: string; command: string; currentHash: string; trustStatus: string }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, 'codex'), ['app-server'], { cwd: sb.work, env: agentEnv(sb, bin, {}), stdio: ['pipe', 'pipe', 'ignore'] });
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('codex app-server did not answer hooks/list'));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"id":2')) continue;
        clearTimeout(timer);
        child.kill();
        const message = JSON.parse(line);
        resolve(message.result.data.flatMap((d: { hooks: unknown[] }) => d.hooks));
        return;
      }
    });
    const send = (value: unknown) => child.stdin.write(`${JSON.stringify(value)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'test', version: '0' } } });
    send({ jsonrpc: '2.0', method: 'initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'hooks/list', params: { cwds: [sb.work] } });
  });
}

/** What a user does in Codex's `/hooks`: trusts each hook, recorded against its hash in config.toml. */
export async function trustCodexHooks(sb: Sandbox, bin: string): Promise<void> {
  const hooks = await codexHooks(sb, bin);
  const toml = hooks.map((h) => `[hooks.state.${JSON.stringify(h.key)}]\ntrusted_hash = ${JSON.stringify(h.currentHash)}\n`).join('\n');
  writeFileSync(join(sb.home, '.codex', 'config.toml'), toml);
}
