// The calls the shim's code cache is warmed with (src/start/code-cache.ts): evaluated and described
// as a refusal would be, in a world that names no real place, with no effect (nothing is written,
// nothing runs). What they compile is in the cache; what a call needs beyond it compiles as it runs.

import { bindingOf } from '../approval/binding.js';
import { refusalMessage } from '../display/describe.js';
import { evaluate } from '../evaluate.js';
import { approvalDetails } from '../gate/gate.js';
import { readShimArguments } from './handoff.js';

const calls: [string, string[]][] = [
  ['railway', ['volume', 'delete', '--volume', 'pg']],
  ['railway', ['status']],
  ['aws', ['s3', 'rb', 's3://bucket', '--profile', 'prod']],
  ['psql', ['-h', 'db.example', '-c', 'select 1']],
  ['kubectl', ['delete', 'namespace', 'shop']],
  ['terraform', ['destroy']],
];

export async function warmUp(): Promise<void> {
  const nowhere = '/nonexistent/chaperone-warm-up';
  const env = { HOME: nowhere, XDG_CONFIG_HOME: nowhere, XDG_STATE_HOME: nowhere, PATH: '/nonexistent', CHAPERONE_ACTOR: 'agent' };
  for (const [tool, args] of calls) {
    const { args: rest } = readShimArguments(['--handoff=4', `${nowhere}/${tool}`, ...args]);
    const ev = await evaluate({ tool, args: rest, cwd: nowhere, env });
    if (ev.findings.length === 0) continue;
    bindingOf(ev);
    approvalDetails(ev);
    refusalMessage(ev, 'WARM-UP');
  }
}
