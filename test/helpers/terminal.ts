// Real pseudo-terminals for tests, through tmux: each session runs one shell script in a clean `env -i`
// environment (the sandbox's), on a private tmux server with no config file. Tests type with
// send-keys and read the screen with capture-pane, polling for what they expect.

import { describe, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

const tmux = 'tmux';
export const haveTmux = spawnSync(tmux, ['-V'], { stdio: 'ignore' }).status === 0;

/** Without tmux, skip with a printed reason; with CHAPERONE_REQUIRE_REAL_TOOLS=1, fail instead. */
export function requireTmux(file: string): void {
  if (haveTmux) return;
  if (process.env.CHAPERONE_REQUIRE_REAL_TOOLS === '1') {
    describe(`${file}: a real terminal`, () => {
      it('needs tmux, and CHAPERONE_REQUIRE_REAL_TOOLS=1 forbids skipping', () => {
        throw new Error('tmux is not installed (`tmux -V` failed), and CHAPERONE_REQUIRE_REAL_TOOLS=1 is set');
      });
    });
  } else {
    console.warn(`${file}: skipped: tmux is not installed (\`tmux -V\` failed); set CHAPERONE_REQUIRE_REAL_TOOLS=1 to fail instead`);
  }
}

/** The wait for anything on screen; generous, as a loaded machine starts Node slowly. */
const waitLimitMs = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Terminal {
  screen(): string;
  /** Types text as literal keys (one write to the pty). */
  type(text: string): void;
  /** Sends named keys: Enter, C-c, C-d. */
  press(...keys: string[]): void;
  /** Polls the screen until `what` appears, and returns the screen. */
  waitFor(what: string | RegExp): Promise<string>;
  /** Waits for the script's `EXIT=n` line, and returns n and the screen. */
  exit(): Promise<{ code: number; screen: string }>;
}

export class Terminals {
  private socketDir = '';
  private socket = '';
  private count = 0;
  private sessions: string[] = [];

  private run(args: string[]): string {
    if (!this.socket) {
      this.socketDir = mkdtempSync(join(tmpdir(), 'chaperone-tmux-'));
      this.socket = join(this.socketDir, 'sock');
    }
    return execFileSync(tmux, ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * Starts `line` in a new session in `cwd`, with exactly the sandbox's environment plus `extraEnv`.
   * After the line, the script prints its exit status and the terminal's mode, then stays on screen.
   */
  open(sb: Sandbox, line: string, options: { cwd?: string; extraEnv?: Record<string, string> } = {}): Terminal {
    const session = `t${++this.count}`;
    this.sessions.push(session);
    const script = sb.write(`pty-${session}.sh`, [
      line,
      'echo "EXIT=$?"',
      // Proves the terminal was given back in its ordinary mode: canonical input with echo.
      `echo "TTY=$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')"`,
      'exec sleep 120',
      '',
    ].join('\n'));
    const env = { ...sb.env, TERM: 'screen', ...options.extraEnv };
    const envArgs = Object.entries(env).map(([key, value]) => `${key}=${value}`);
    // tmux (3.0 and later) runs a command given as several arguments directly, with no shell to quote for.
    this.run(['new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-c', options.cwd ?? sb.work, 'env', '-i', ...envArgs, '/bin/sh', script]);

    const screen = () => this.run(['capture-pane', '-p', '-J', '-t', session]);
    const waitFor = async (what: string | RegExp) => {
      const started = Date.now();
      for (;;) {
        const text = screen();
        if (typeof what === 'string' ? text.includes(what) : what.test(text)) return text;
        if (Date.now() - started > waitLimitMs) {
          throw new Error(`gave up after ${waitLimitMs} ms waiting for ${String(what)} on the terminal, which shows:\n${text.replace(/\n+$/, '')}`);
        }
        await sleep(20);
      }
    };
    return {
      screen,
      waitFor,
      type: (text) => void this.run(['send-keys', '-t', session, '-l', text]),
      press: (...keys) => void this.run(['send-keys', '-t', session, ...keys]),
      async exit() {
        const text = await waitFor(/^TTY=.*$/m);
        return { code: Number(/^EXIT=(\d+)$/m.exec(text)?.[1] ?? NaN), screen: text };
      },
    };
  }

  /** Ends this test's sessions. */
  closeSessions(): void {
    for (const session of this.sessions.splice(0)) spawnSync(tmux, ['-S', this.socket, 'kill-session', '-t', session], { stdio: 'ignore' });
  }

  /** Ends the tmux server. */
  close(): void {
    if (!this.socket) return;
    spawnSync(tmux, ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.socketDir, { recursive: true, force: true });
    this.socket = '';
  }
}
