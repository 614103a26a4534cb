// The calls the shim's code cache is warmed with (src/start/code-cache.ts): evaluated and described
// as a refusal would be, in a world that names no real place, with no effect (nothing runs). A refusal's
// bookkeeping (the approval store's transaction with its lock, the audit record appended to a chained
// log) is run too, twice (a request made, then found pending), on a store and log in a temporary
// directory removed at the end, never the user's: without it every refusal compiled those functions
// as it ran (~0.5 ms, BENCHMARKS.md). What they compile is in the cache; what a call needs beyond it
// compiles as it runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingOf, newCode } from '../approval/binding.js';
import { takeOrRequestApprovalAt } from '../approval/store.js';
import { appendRecordAt, auditRecord } from '../audit/log.js';
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
  const state = mkdtempSync(join(tmpdir(), 'chaperone-warm-up-'));
  try {
    for (const [tool, args] of calls) {
      const { args: rest } = readShimArguments(['--handoff=4', `${nowhere}/${tool}`, ...args]);
      const ev = await evaluate({ tool, args: rest, cwd: nowhere, env });
      if (ev.findings.length === 0) continue;
      for (let i = 0; i < 2; i++) {
        const settled = takeOrRequestApprovalAt(join(state, 'approvals.json'), env, bindingOf(ev), () => approvalDetails(ev), newCode);
        const code = 'request' in settled ? settled.request.code : 'WARM-UP';
        refusalMessage(ev, code);
        appendRecordAt(join(state, 'audit.jsonl'), join(state, 'audit.head'), auditRecord(ev, 'refused', { approval: code }));
      }
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
