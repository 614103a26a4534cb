// (findings, environment, actor, policy) → decision. Pure.

import type { ActorInfo, Decision, Finding, PolicyAction, Target } from '../model.js';

export function decide(
  findings: readonly Finding[],
  target: Target | undefined,
  actor: ActorInfo,
  policy: Record<string, PolicyAction>,
  help = false,
): Decision {
  if (help) return { verdict: 'allow', action: 'allow', reason: 'help is never gated' };
  if (findings.length === 0 || !target) return { verdict: 'allow', action: 'allow', reason: 'no destroy rule matches' };

  const action = policy[target.class];
  const where = target.class === 'unknown' ? 'an unknown environment (counted as production)' : `${target.class}`;
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
        reason: `${where} needs ${asks}, and the ${actor.actor} here cannot (${actor.evidence})`,
      };
    }
  }
}

/** The word a human types: the environment's own name when there is one, else "production". */
export function confirmNameFor(target: Target): string {
  return target.name && target.name.trim() !== '' ? target.name : 'production';
}
