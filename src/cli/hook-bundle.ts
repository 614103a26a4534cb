// What the agent hook's bundle (dist/hook-main.cjs) exports: the hook command, and a warm-up for its
// code cache (src/start/code-cache.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Stats } from 'node:fs';
import { keepSaid } from '../io.js';
import { judgingElsewhere } from '../payload/descriptors.js';
import type { HookAgent, HookAnswer } from '../hooks/protocols.js';
import { runHook } from './hook.js';

export { runHookCommand } from './hook.js';

/**
 * One request as the resident decision answers it (src/server/hook-request.ts): the hook's own code on
 * the bytes its client read, in this process's working directory (the caller's, set by the server);
 * what is said on the way goes before the answer's stderr, as it would in a hook process of its own.
 * The hook's stdin is the client's (`stdin`, what fstat says of it); a reader that would read it or
 * another of the hook's descriptors makes this undefined: the Node hook, which holds them, answers.
 */
export async function answerHookRequest(agent: HookAgent, payload: Buffer, env: NodeJS.ProcessEnv, stdin: Stats | undefined): Promise<HookAnswer | undefined> {
  const judged = await judgingElsewhere({ stat: stdin, terminal: false }, () => keepSaid(() => runHook(agent, env, async () => payload.toString('utf8'))));
  if (judged.claimed || judged.result === undefined) return undefined;
  const { result, said } = judged.result;
  return { ...result, stderr: said + result.stderr };
}

/**
 * Lines judged as the hook judges them, in a world that names no real place, with no effect; a
 * refusal's approval request is made (and then found pending) in a store of its own in a temporary
 * directory, removed at the end, so its transaction is in the cache too (src/shim/warm-up.ts).
 */
export async function warmUp(): Promise<void> {
  // Imported here, as the hook imports them where it needs them: a static import would run their
  // modules' top levels at every hook call, the approval store's for a line nothing refuses.
  const { bindingOf, newCode } = await import('../approval/binding.js');
  const { requestUnlessApprovedAt } = await import('../approval/store.js');
  const { refusalMessage } = await import('../display/describe.js');
  const { approvalDetails } = await import('../gate/gate.js');
  const { checkWithEvaluations } = await import('./check.js');
  const nowhere = '/nonexistent/chaperone-warm-up';
  const env = { HOME: nowhere, XDG_CONFIG_HOME: nowhere, XDG_STATE_HOME: nowhere, PATH: '/nonexistent', CHAPERONE_ACTOR: 'agent' };
  const state = mkdtempSync(join(tmpdir(), 'chaperone-warm-up-'));
  try {
    for (const line of ['git status && ls -la | head', 'railway volume delete --volume pg', 'cd app && psql -h db.example -c "select 1"']) {
      const { evaluations } = await checkWithEvaluations({ line, actor: 'agent', cwd: nowhere, env, decisionOnly: true });
      for (const ev of evaluations.filter((e) => e.decision.verdict !== 'allow')) {
        for (let i = 0; i < 2; i++) {
          const request = ev.decision.approvable ? requestUnlessApprovedAt(join(state, 'approvals.json'), env, bindingOf(ev), () => approvalDetails(ev), newCode) : undefined;
          refusalMessage(ev, request?.code ?? 'WARM-UP');
        }
      }
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
