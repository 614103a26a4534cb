// The calls the shim's code cache is warmed with (src/start/code-cache.ts): evaluated and described
// as a refusal would be, in a world that names no real place, with no effect (nothing runs). A refusal's
// bookkeeping (the approval store's transaction with its lock, the audit record appended to a chained
// log) is run too, twice (a request made, then found pending), on a store and log in a temporary
// directory removed at the end, never the user's: without it every refusal compiled those functions
// as it ran (~0.5 ms, BENCHMARKS.md). What they compile is in the cache; what a call needs beyond it
// compiles as it runs.
//
// Two kinds of cache: the bundle's own (`shim-main.cjs.cache`), warmed by the calls below, for a call
// whose tool has no cache of its own; and one per tool (`shim-main.cjs.railway.cache`), warmed by that
// tool's calls only (`warmUpTool`), since every function a cache holds is deserialized at every start.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingOf, newCode } from '../approval/binding.js';
import { takeOrRequestApprovalAt } from '../approval/store.js';
import { appendRecordAt, auditRecord } from '../audit/log.js';
import { refusalMessage } from '../display/describe.js';
import { evaluate } from '../evaluate.js';
import { loadConfig } from '../rules/load.js';
import { toolOf } from '../tools/index.js';
import { allRules, type FlagCondition } from '../rules/config.js';
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

/**
 * Calls for the tools whose rules name what their grammar reads in a payload (`sql drop`, `request
 * DELETE`), not words of argv: a call made from such a rule is nothing the tool would be given.
 */
const payloadCalls: [string, string[]][] = [
  ['psql', ['-h', 'db.example', '-c', 'drop table t']],
  ['mysql', ['-h', 'db.example', '-e', 'drop table t']],
  ['curl', ['-X', 'DELETE', 'https://api.example/items/1']],
  ['wget', ['--method=DELETE', 'https://api.example/items/1']],
  ['http', ['DELETE', 'https://api.example/items/1']],
  ['xh', ['DELETE', 'https://api.example/items/1']],
];

const nowhere = '/nonexistent/chaperone-warm-up';
const env = { HOME: nowhere, XDG_CONFIG_HOME: nowhere, XDG_STATE_HOME: nowhere, PATH: '/nonexistent', CHAPERONE_ACTOR: 'agent' };

/** Warms the bundle's own cache, for a call of any tool. */
export async function warmUp(): Promise<void> {
  await warmWith(calls);
}

/**
 * Warms the cache of one tool (called by its first executable, as its shim is): the calls above that are its own, and calls made from its rules (each
 * rule's first command path with its flags, in the order the rules are written: a refusal), until one
 * is refused, and one benign call (a word no rule of the tool starts with). Returns how many of the
 * calls were refused (a test reads it: a tool whose cache holds no refusal would compile one at every
 * refusal).
 */
export async function warmUpTool(executable: string): Promise<number> {
  const tool = executable;
  const own = calls.filter(([name]) => name === tool);
  const name = toolOf(executable) ?? executable;
  const rules = allRules(await loadConfig(nowhere, env)).filter((rule) => rule.tools.includes(name));
  const derived = rules.flatMap((rule) => (rule.command.length === 0 ? [[]] : rule.command.slice(0, 1).map((path) => wordsOf(path))).map((words) => [...words, ...rule.with.flatMap(flagWords)]));
  const firstWords = new Set(derived.map((words) => words[0]));
  const benign = ['status', 'list', 'version', 'help'].find((word) => !firstWords.has(word)) ?? 'chaperone-warm-up';
  let refused = await warmWith(own);
  // Their stdin is given as empty from here on: a call the tool would read a script or a body from
  // (psql with no -c, curl) must not wait on the stdin of whatever makes the cache.
  refused += await warmWith(payloadCalls.filter(([name]) => name === tool), '');
  for (const args of derived) {
    if (refused > 0) break;
    // A call made from a rule may be one the tool's grammar rejects (a flag without its value): it
    // still compiled what it reached, and the next rule's call is tried.
    refused += await warmWith([[tool, args]], '').catch(() => 0);
  }
  await warmWith([[tool, [benign]]], '');
  return refused;
}

/** A call that a command path written as a rule writes it names: the first spelling of each word. */
function wordsOf(path: string): string[] {
  return path
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => word.split('|')[0]!.replace(/\*/g, 'x'));
}

/** Arguments that satisfy a rule's `with` condition: `--flag`, `--flag=value`, `--flag=0` for `--flag<N`. */
function flagWords(condition: FlagCondition): string[] {
  if (condition.value !== undefined) return [`${condition.flag}=${condition.value}`];
  if (condition.below !== undefined) return [`${condition.flag}=0`];
  return [condition.flag];
}

/** Evaluates each call, and runs a refusal's bookkeeping for each that has findings; returns how many had. */
async function warmWith(list: readonly (readonly [string, string[]])[], input?: string): Promise<number> {
  let refused = 0;
  const state = mkdtempSync(join(tmpdir(), 'chaperone-warm-up-'));
  try {
    for (const [tool, args] of list) {
      const { args: rest } = readShimArguments(['--handoff=4', `${nowhere}/${tool}`, ...args]);
      const ev = await evaluate({ tool, args: rest, cwd: nowhere, env, ...(input === undefined ? {} : { input }) });
      if (ev.findings.length === 0) continue;
      refused++;
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
  return refused;
}
