// What the agent hook's bundle (dist/hook-main.cjs) exports: the hook command, and a warm-up for its
// code cache (src/start/code-cache.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingOf, newCode } from '../approval/binding.js';
import { requestUnlessApprovedAt } from '../approval/store.js';
import { refusalMessage } from '../display/describe.js';
import { approvalDetails } from '../gate/gate.js';
import { checkWithEvaluations } from './check.js';

export { runHookCommand } from './hook.js';

/**
 * Lines judged as the hook judges them, in a world that names no real place, with no effect; a
 * refusal's approval request is made (and then found pending) in a store of its own in a temporary
 * directory, removed at the end, so its transaction is in the cache too (src/shim/warm-up.ts).
 */
export async function warmUp(): Promise<void> {
  const nowhere = '/nonexistent/chaperone-warm-up';
  const env = { HOME: nowhere, XDG_CONFIG_HOME: nowhere, XDG_STATE_HOME: nowhere, PATH: '/nonexistent', CHAPERONE_ACTOR: 'agent' };
  const state = mkdtempSync(join(tmpdir(), 'chaperone-warm-up-'));
  try {
    for (const line of ['git status && ls -la | head', 'railway volume delete --volume pg', 'cd app && psql -h db.example -c "select 1"']) {
      const { evaluations } = await checkWithEvaluations({ line, actor: 'agent', cwd: nowhere, env });
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
