// The pipeline, every stage but the gate: parse → match rules → resolve the target → classify →
// decide. The shim, `check` and `explain` all call this, so what they report is what the shim does.

import type { Actor, Evaluation, Invocation, Target } from './model.js';
import { confirmHuman, detectActor } from './context/actor.js';
import type { AgentProcess } from './context/ancestry.js';
import { classifyTarget, isAsStrict } from './context/classify.js';
import { judgeNested } from './nested.js';
import { decide, scopeFrom } from './policy/decide.js';
import { loadConfig } from './rules/load.js';
import { matchRules } from './rules/match.js';
import { loadTool } from './tools/index.js';

export interface EvaluateOptions {
  /** Overrides actor detection (check --actor). */
  actor?: Actor;
  /** Resolve the target even when nothing matched (check and explain show it). */
  alwaysResolve?: boolean;
  /** How to tell whether a human is at a terminal (tests inject this). */
  terminal?: () => boolean;
  /** How to find an agent behind this process when a human is about to be asked (tests inject this). */
  agentProcess?: () => AgentProcess | undefined;
}

export async function evaluate(invocation: Invocation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const config = await loadConfig(invocation.cwd, invocation.env);
  const tool = await loadTool(invocation.tool);
  if (!tool) throw new Error(`chaperone has no parser for "${invocation.tool}"`);

  const parsed = await tool.parse(invocation);
  const inner = parsed.nested && parsed.nested.length > 0 && !parsed.help ? await judgeNested(parsed.nested, invocation, config) : undefined;
  const own = matchRules(tool.name, inner ? { ...parsed, commands: [...parsed.commands, ...inner.commands] } : parsed, config.rules);
  const findings = [...own, ...(inner?.findings ?? [])];
  const streaming = parsed.stdin !== undefined && !parsed.stdin.complete && parsed.stdin.rest !== 'pass';
  // The outer target counts for the tool's own findings and for whatever runs inside it remotely; a
  // local inner command (a git alias running psql) brings its own.
  const remoteInner = inner?.targets.some((t) => t.where === 'remote') ?? false;
  const localInner = inner?.targets.filter((t) => t.where === 'local') ?? [];
  const outerCounts = own.length > 0 || streaming || remoteInner || (options.alwaysResolve === true && localInner.length === 0);
  let target: Target | undefined = outerCounts ? classifyTarget(await tool.resolve(parsed, invocation), config) : undefined;
  for (const t of inner?.targets ?? []) {
    // A remote command's own flags may only make the target stricter: with none, the outer target stands.
    if (t.where === 'remote' && t.target.class === 'unknown') continue;
    if (!target || (t.target.class !== target.class && isAsStrict(t.target.class, target.class))) target = t.target;
  }
  let actor = detectActor(invocation.env, options.actor, options.terminal);
  const scope = scopeFrom(invocation.env);
  let decision = decide({ findings, target, actor, policy: config.policy, help: parsed.help, scope });
  if (decision.verdict === 'confirm' && !options.actor) {
    // About to ask a human: make sure no agent stands behind this "human" terminal. A test that
    // injects the terminal answer injects this one too (or gets none: the test's own ancestry is not
    // the world it describes).
    actor = await confirmHuman(actor, options.agentProcess ?? (options.terminal ? () => undefined : undefined));
    decision = decide({ findings, target, actor, policy: config.policy, help: parsed.help, scope });
  }
  const evaluation: Evaluation = { invocation, help: parsed.help, findings, target, actor, decision, layers: config.layers };
  if (parsed.stdin) evaluation.stdin = parsed.stdin;
  if (streaming) {
    evaluation.judge = (commands) => {
      const more = matchRules(tool.name, { commands, help: false }, config.rules);
      return { ...evaluation, findings: more, decision: decide({ findings: more, target, actor, policy: config.policy, scope }), stdin: undefined, judge: undefined };
    };
  }
  return evaluation;
}
