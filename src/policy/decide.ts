// (findings, environment, actor, declared scope, policy) → decision. Pure.

import type { ActorInfo, Decision, Finding, PolicyAction, Target } from '../model.js';

export interface DecisionInput {
  findings: readonly Finding[];
  target: Target | undefined;
  actor: ActorInfo;
  policy: Record<string, PolicyAction>;
  help?: boolean;
  /** The environments the session declared it works in (CHAPERONE_SCOPE); empty means undeclared. */
  scope?: readonly string[];
}

export function decide({ findings, target, actor, policy, help = false, scope = [] }: DecisionInput): Decision {
  if (help) return { verdict: 'allow', action: 'allow', reason: 'help is never gated' };
  if (findings.length === 0 || !target) return { verdict: 'allow', action: 'allow', reason: 'no destroy rule matches' };

  const where = target.class === 'unknown' ? 'an unknown environment (counted as production)' : `${target.class}`;
  if (scope.length > 0 && !inScope(target, scope)) {
    return {
      verdict: 'deny',
      action: 'deny',
      outOfScope: true,
      reason:
        `this session declared its scope as ${scope.join(', ')}, and this command targets ${where}. ` +
        `That is outside the task: stop here and report to the human what you were about to do and why`,
    };
  }

  const action = policy[target.class];
  switch (action) {
    case 'allow':
      return { verdict: 'allow', action, reason: `policy allows this in ${where}` };
    case 'notice':
      return { verdict: 'allow', action, reason: `policy allows this in ${where}, with a notice` };
    case 'deny':
      return { verdict: 'deny', action, reason: `policy refuses this in ${where}` };
    case 'confirm':
    case 'confirm-name': {
      const confirmWord = action === 'confirm' ? 'yes' : confirmNameFor(target);
      const asks = action === 'confirm' ? 'a human to confirm' : `a human to type "${confirmWord}"`;
      if (actor.actor === 'human') return { verdict: 'confirm', action, confirmWord, reason: `${where} needs ${asks}` };
      return {
        verdict: 'deny',
        action,
        confirmWord,
        approvable: true,
        reason: `${where} needs ${asks}, and the ${actor.actor} here cannot (${actor.evidence})`,
      };
    }
  }
}

/** A declared scope names classes (`staging`) or environment names (`eu-staging`); unknown is never in scope. */
function inScope(target: Target, scope: readonly string[]): boolean {
  if (target.class === 'unknown') return false;
  const names = scope.map((s) => s.toLowerCase());
  return names.includes(target.class) || (target.name !== undefined && names.includes(target.name.toLowerCase()));
}

/** The word a human types: the environment's own name when there is one, else "production". */
export function confirmNameFor(target: Target): string {
  return target.name && target.name.trim() !== '' ? target.name : 'production';
}

/** CHAPERONE_SCOPE=staging or staging,development. */
export function scopeFrom(env: NodeJS.ProcessEnv): string[] {
  return (env.CHAPERONE_SCOPE ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
