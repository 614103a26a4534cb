// The pipeline, every stage but the gate: parse → match rules → resolve the target → classify →
// decide. The shim, `check` and `explain` all call this, so what they report is what the shim does.

import type { Actor, Evaluation, Invocation } from './model.js';
import { detectActor } from './context/actor.js';
import { classifyTarget } from './context/classify.js';
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
}

export async function evaluate(invocation: Invocation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const config = await loadConfig(invocation.cwd, invocation.env);
  const tool = await loadTool(invocation.tool);
  if (!tool) throw new Error(`chaperone has no parser for "${invocation.tool}"`);

  const parsed = await tool.parse(invocation);
  const findings = matchRules(tool.name, parsed, config.rules);
  const streaming = parsed.stdin !== undefined && !parsed.stdin.complete && parsed.stdin.rest !== 'pass';
  const target =
    findings.length > 0 || options.alwaysResolve || streaming ? classifyTarget(await tool.resolve(parsed, invocation), config) : undefined;
  const actor = detectActor(invocation.env, options.actor, options.terminal);
  const scope = scopeFrom(invocation.env);
  const decision = decide({ findings, target, actor, policy: config.policy, help: parsed.help, scope });
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
