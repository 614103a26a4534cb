// How the hook's request arrives on stdin: a file, a pipe already written and closed (Codex, a shell
// pipe; read at once, src/io.ts), a pipe written late or in parts (read on as it comes), a socket (what a
// Node-based agent gives: Claude Code, Gemini CLI, Copilot CLI). Each way, the same answer; a request
// larger than the limit, or malformed, is still a deny with a message.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { linkRailway, makeSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
const hookFile = join(repoRoot, 'dist-test', 'hook.cjs');

beforeAll(async () => {
  sb = await makeSandbox(['railway']);
  linkRailway(sb, sb.work, 'production');
});

const request = (command: string) => JSON.stringify({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: sb.work });

/** The hook as `chaperone setup` starts it, its stdin given by a shell line (`< file`, `cat … |`). */
async function hookFrom(stdin: string) {
  const line = stdin.replace('HOOK', `"${process.execPath}" "${hookFile}" hook claude`);
  const result = await sb.sh(line, { cwd: sb.work, reject: false });
  const out = String(result.stdout);
  return { exitCode: result.exitCode, decision: out === '' ? 'none' : JSON.parse(out).hookSpecificOutput.permissionDecision, out };
}

describe('the hook reads its request however stdin is given', () => {
  const ways: [string, (file: string) => string][] = [
    ['a regular file', (file) => `HOOK < '${file}'`],
    ['a pipe written and closed', (file) => `cat '${file}' | HOOK`],
    ['a pipe written late', (file) => `(sleep 0.3; cat '${file}') | HOOK`],
    ['a pipe written in two parts', (file) => `(head -c 25 '${file}'; sleep 0.3; tail -c +26 '${file}') | HOOK`],
    ['a pipe of 200 KiB, more than one read', (file) => `cat '${file}' | HOOK`],
  ];
  for (const [way, stdin] of ways) {
    it(`${way}: refuses the production delete, says nothing for the benign line`, async () => {
      const padding = way.includes('200 KiB') ? ' '.repeat(200 * 1024) : '';
      const refused = sb.write(`refused-${way.length}.json`, request('railway volume delete --volume pg') + padding);
      const benign = sb.write(`benign-${way.length}.json`, request('railway status && ls') + padding);
      const deny = await hookFrom(stdin(refused));
      expect(deny.exitCode).toBe(2);
      expect(deny.decision).toBe('deny');
      expect(deny.out).toContain('railway.volume.delete');
      expect(await hookFrom(stdin(benign))).toMatchObject({ exitCode: 0, decision: 'none' });
    });
  }

  it('a socket (a Node-based agent): the same answers', async () => {
    const deny = await sb.run(process.execPath, [hookFile, 'hook', 'claude'], { cwd: sb.work, input: request('railway volume delete --volume pg'), reject: false });
    expect(deny.exitCode).toBe(2);
    expect(String(deny.stdout)).toContain('"permissionDecision":"deny"');
    const allow = await sb.run(process.execPath, [hookFile, 'hook', 'claude'], { cwd: sb.work, input: request('railway status'), reject: false });
    expect({ exitCode: allow.exitCode, stdout: String(allow.stdout) }).toEqual({ exitCode: 0, stdout: '' });
  });

  it('denies a request larger than 4 MiB, read at once from a file or a pipe', async () => {
    const file = join(sb.root, 'huge.json');
    writeFileSync(file, request('railway status') + ' '.repeat(5 * 1024 * 1024));
    for (const stdin of [`HOOK < '${file}'`, `cat '${file}' | HOOK`]) {
      const answer = await hookFrom(stdin);
      expect(answer.exitCode).toBe(2);
      expect(answer.decision).toBe('deny');
      expect(answer.out).toContain('the input is larger than 4 MiB');
    }
  });

  it('denies a malformed request from a pipe, and an empty one from a closed pipe', async () => {
    const bad = sb.write('bad.json', '{"tool_name": "Bash", "tool_input": {');
    for (const stdin of [`cat '${bad}' | HOOK`, 'true | HOOK', `HOOK < /dev/null`]) {
      const answer = await hookFrom(stdin);
      expect(answer.exitCode).toBe(2);
      expect(answer.out).toContain('chaperone could not check this command');
    }
  });
});
