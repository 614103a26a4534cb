// What the agent hook's bundle (dist/hook-main.cjs) exports: the hook command, and a warm-up for its
// code cache (src/start/code-cache.ts).

import { refusalMessage } from '../display/describe.js';
import { checkWithEvaluations } from './check.js';

export { runHookCommand } from './hook.js';

/** Lines judged as the hook judges them, in a world that names no real place, with no effect. */
export async function warmUp(): Promise<void> {
  const nowhere = '/nonexistent/chaperone-warm-up';
  const env = { HOME: nowhere, XDG_CONFIG_HOME: nowhere, XDG_STATE_HOME: nowhere, PATH: '/nonexistent', CHAPERONE_ACTOR: 'agent' };
  for (const line of ['git status && ls -la | head', 'railway volume delete --volume pg', 'cd app && psql -h db.example -c "select 1"']) {
    const { evaluations } = await checkWithEvaluations({ line, actor: 'agent', cwd: nowhere, env });
    for (const ev of evaluations) if (ev.decision.verdict !== 'allow') refusalMessage(ev, 'WARM-UP');
  }
}
