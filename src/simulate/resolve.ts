// Resolving a command's target with the config changes earlier commands of its line make (line.ts).
// A certain change is applied; one that may have failed is applied in one world and not in the other,
// and the strictest world wins, so a switch can move a command to a laxer target only when the line
// shows it happened. Each tool's resolver applies the facts it understands to the files it reads, with
// `command` evidence naming the switch; a change chaperone does not follow makes the target unknown.

import type { Assumption, Evidence, Invocation, ParsedInvocation, Target } from '../model.js';
import type { Config } from '../rules/config.js';
import type { Tool } from '../tools/tool.js';
import { classifyTarget, isAsStrict, stricter } from '../context/classify.js';
import { toolsOf } from './facts.js';

/** More switches that may have failed than this, before one command, and its target is not worked out. */
const maxUncertain = 6;

export async function resolveTarget(tool: Tool, parsed: ParsedInvocation, invocation: Invocation, config: Config): Promise<Target> {
  const relevant = (invocation.assumed ?? []).filter((a) => toolsOf(a.fact).includes(tool.name));
  const plain = { ...invocation };
  delete plain.assumed;
  if (relevant.length === 0) return classifyTarget(await tool.resolve(parsed, plain), config);

  const uncertain = relevant.filter((a) => !a.certain);
  if (uncertain.length > maxUncertain) {
    const target = classifyTarget(await tool.resolve(parsed, plain), config);
    return {
      ...target,
      class: stricter(target.class, 'unknown'),
      because: `${uncertain.length} earlier commands of the line may have changed the target; too many to follow, so it is unknown`,
    };
  }

  let best: Target | undefined;
  // Every subset of the uncertain switches, most applied first, so an equal tie shows the switches.
  for (let mask = (1 << uncertain.length) - 1; mask >= 0; mask--) {
    const world = relevant.filter((a) => a.certain || (mask & (1 << uncertain.indexOf(a))) !== 0);
    const target = await resolveIn(world, tool, parsed, plain, config);
    if (!best || (target.class !== best.class && isAsStrict(target.class, best.class))) best = target;
  }
  const maybe: Evidence[] = uncertain.map((a) => ({
    source: 'command',
    key: earlier(a),
    value: 'may have failed or run at another time (`;`, `||`, `|`, `&`), so the targets with and without it both count',
  }));
  return { ...best!, evidence: [...best!.evidence, ...maybe] };
}

async function resolveIn(world: Assumption[], tool: Tool, parsed: ParsedInvocation, invocation: Invocation, config: Config): Promise<Target> {
  const target = classifyTarget(await tool.resolve(parsed, world.length > 0 ? { ...invocation, assumed: world } : invocation), config);
  const unfollowed = world.filter((a) => a.fact.kind === 'unknown');
  if (unfollowed.length === 0) return target;
  const evidence: Evidence[] = unfollowed.map((a) => ({ source: 'command', key: earlier(a), value: a.fact.kind === 'unknown' ? a.fact.why : '' }));
  const raised = stricter(target.class, 'unknown');
  return {
    ...target,
    class: raised,
    evidence: [...target.evidence, ...evidence],
    because: raised === target.class ? target.because : `${evidence[0].key} changes the target in a way chaperone does not follow`,
  };
}

/** The evidence key for a switch: the command, as a human typed it. */
export function earlier(a: Assumption): string {
  return `earlier in the line: ${a.by}`;
}
