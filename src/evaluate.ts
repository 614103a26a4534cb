// The pipeline, every stage but the gate: parse → match rules → resolve the target → classify →
// decide. The shim, `check` and `explain` all call this, so what they report is what the shim does.

import type { Actor, ActorInfo, Command, Evaluation, Invocation, NestedLine, ParsedInvocation, Target } from './model.js';
import type { Config } from './rules/config.js';
import type { Tool } from './tools/tool.js';
import { confirmHuman, detectActor } from './context/actor.js';
import type { AgentProcess } from './context/ancestry.js';
import { classifyTarget, isAsStrict } from './context/classify.js';
import { judgeNested } from './nested.js';
import { decide, scopeFrom } from './policy/decide.js';
import { loadConfig } from './rules/load.js';
import { matchConfig } from './rules/match.js';
import { loadTool } from './tools/index.js';

export interface EvaluateOptions {
  /** Overrides actor detection (check --actor). */
  actor?: Actor;
  /**
   * The actor a decision already found, evidence and all: the feeder that judges the rest of that
   * decision's stream (src/shim/feed.ts) runs outside the caller's ancestry, so it must not look again.
   */
  actorInfo?: ActorInfo;
  /** Resolve the target even when nothing matched (check and explain show it). */
  alwaysResolve?: boolean;
  /** How to tell whether a human is at a terminal (tests inject this). */
  terminal?: () => boolean;
  /** How to find an agent behind this process when a human is about to be asked (tests inject this). */
  agentProcess?: () => AgentProcess | undefined;
  /** The rules as loadConfig gives them for this invocation's cwd and env, when the caller has them already. */
  config?: Promise<Config>;
}

/** The target, classified; with the config changes earlier commands of a shell line make, when there are any. */
async function resolveTarget(tool: Tool, parsed: ParsedInvocation, invocation: Invocation, config: Config): Promise<Target> {
  if (!invocation.assumed?.length) return classifyTarget(await tool.resolve(parsed, invocation), config);
  return (await import('./simulate/resolve.js')).resolveTarget(tool, parsed, invocation, config);
}

export async function evaluate(invocation: Invocation, options: EvaluateOptions = {}): Promise<Evaluation> {
  const config = await (options.config ?? loadConfig(invocation.cwd, invocation.env));
  const tool = await loadTool(invocation.tool);
  if (!tool) throw new Error(`chaperone has no parser for "${invocation.tool}"`);

  const parsed = await tool.parse(invocation);
  let actor = options.actorInfo ?? detectActor(invocation.env, options.actor, options.terminal);
  const scope = scopeFrom(invocation.env);
  const streaming = parsed.stdin !== undefined && !parsed.stdin.complete && parsed.stdin.rest !== 'pass';
  const outerTarget = () => resolveTarget(tool, parsed, invocation, config);
  // Findings and target of some of the invocation's actions: all of them now, or statements streaming in later.
  const judgeActions = async (commands: Command[], nested: NestedLine[] | undefined, resolveAnyway: boolean) => {
    const inner = nested && nested.length > 0 && !parsed.help ? await judgeNested(nested, invocation, config, 0, actor.actor === 'human') : undefined;
    const own = matchConfig(tool.name, { commands: inner ? [...commands, ...inner.commands] : commands, help: parsed.help }, config);
    const findings = [...own, ...(inner?.findings ?? [])];
    // The outer target counts for the tool's own findings and for whatever runs inside it remotely; a
    // local inner command (a git alias running psql) brings its own.
    const remoteInner = inner?.targets.some((t) => t.where === 'remote') ?? false;
    const localInner = inner?.targets.filter((t) => t.where === 'local') ?? [];
    const outerCounts = own.length > 0 || remoteInner || (resolveAnyway && localInner.length === 0);
    let target: Target | undefined = outerCounts ? await outerTarget() : undefined;
    for (const t of inner?.targets ?? []) {
      // A remote command the outer target stands for may only make it stricter by its own flags: with
      // none, the outer target stands. Any other remote command's unknown target counts (src/nested.ts).
      if (t.where === 'remote' && t.target.class === 'unknown' && t.outerStands) continue;
      if (!target || (t.target.class !== target.class && isAsStrict(t.target.class, target.class))) target = t.target;
    }
    return { findings, target };
  };
  const { findings, target } = await judgeActions(parsed.commands, parsed.nested, streaming || options.alwaysResolve === true);
  let decision = decide({ findings, target, actor, policy: config.policy, help: parsed.help, scope });
  if (decision.verdict === 'confirm' && !options.actor && !options.actorInfo) {
    // About to ask a human: make sure no agent stands behind this "human" terminal. A test that
    // injects the terminal answer injects this one too (or gets none: the test's own ancestry is not
    // the world it describes).
    actor = await confirmHuman(actor, options.agentProcess ?? (options.terminal ? () => undefined : undefined));
    decision = decide({ findings, target, actor, policy: config.policy, help: parsed.help, scope });
  }
  const evaluation: Evaluation = { invocation, help: parsed.help, findings, target, actor, decision, layers: config.layers };
  if (parsed.stdin) evaluation.stdin = parsed.stdin;
  if (findings.length > 0 && target && config.backupBeforeDestroy.includes(target.class)) evaluation.backup = config.backupLimits;
  if (config.auditSyslog) evaluation.auditSyslog = config.auditSyslog;
  if (streaming) {
    evaluation.judge = async (commands, nested) => {
      const more = await judgeActions(commands, nested, true);
      const verdict = decide({ findings: more.findings, target: more.target, actor, policy: config.policy, scope });
      return { ...evaluation, findings: more.findings, target: more.target, decision: verdict, stdin: undefined, judge: undefined, midStream: true };
    };
  }
  return evaluation;
}
