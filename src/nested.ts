// Commands inside commands: `kubectl exec POD -- psql -c …`, `ssh HOST 'dropdb shop'`, a git `!` alias,
// a package.json script. A tool's parser hands them over as NestedLines; here each is read as a shell
// line and every covered command in it is matched against the rules, as if it had been typed. A refused
// agent's next move is to run the same thing one level down, so one level down must judge the same.
//
// Where the inner line runs decides what it targets. Inside a pod or over ssh (`remote`), the outer
// target is the target: `psql -h localhost` in a pod of a production context is production, and the
// inner command's own flags may only make it stricter. A local line (a git alias) runs here, and each
// inner command resolves its own target from this machine's flags, variables and files.

import type { Command, Finding, Invocation, NestedLine, Target } from './model.js';
import type { Config } from './rules/config.js';
import { classifyTarget } from './context/classify.js';
import { quoteWord, showCommand } from './display/describe.js';
import { matchRules } from './rules/match.js';
import { isCovered, loadTool } from './tools/index.js';

/** Lines inside lines inside lines: deeper than this is unreadable, not followed. */
export const maxNesting = 8;

export interface NestedJudgement {
  /** Actions of the outer tool that its own rules judge: `nested unreadable` when a line cannot be read. */
  commands: Command[];
  /** What the covered commands inside matched, each saying where it runs. */
  findings: Finding[];
  /** Targets the inner commands that matched resolved for themselves: stricter ones win. */
  targets: { target: Target; where: NestedLine['where'] }[];
}

export async function judgeNested(lines: readonly NestedLine[], outer: Invocation, config: Config, depth = 0): Promise<NestedJudgement> {
  const out: NestedJudgement = { commands: [], findings: [], targets: [] };
  // The shell parser loads only when a command carries another one.
  const { analyzeLine, environmentOf } = await import('./shell/analyze.js');
  for (const nested of lines) {
    const unreadable = (why: string) => out.commands.push({ path: ['nested', 'unreadable'], flags: new Map(), text: `${nested.via}: ${why}` });
    const text = nested.line ?? nested.argv?.map(quoteWord).join(' ');
    if (text === undefined) {
      unreadable('an interactive session; what is typed into it cannot be read in advance');
      continue;
    }
    if (depth >= maxNesting) {
      unreadable(`commands nested more than ${maxNesting} levels deep`);
      continue;
    }
    const remote = nested.where === 'remote';
    const cwd = remote ? '/' : (nested.cwd ?? outer.cwd);
    const env = remote ? {} : (nested.env ?? outer.env);
    const analysis = analyzeLine(text, { cwd, env, remote });
    if (analysis.unparseable && (remote || analysis.unparseable.mentionsCoveredTool)) {
      unreadable(`cannot read ${JSON.stringify(text)} (${analysis.unparseable.reason})`);
    }
    for (const item of analysis.unknown ?? []) unreadable(item.reason);
    for (const command of analysis.commands) {
      const name = command.argv[0].slice(command.argv[0].lastIndexOf('/') + 1);
      if (!isCovered(name)) continue;
      const tool = await loadTool(name);
      if (!tool) continue;
      const input = command.stdin ?? (analysis.commands.length === 1 ? nested.input : undefined) ?? '';
      const invocation: Invocation = { tool: name, args: command.argv.slice(1), cwd: command.cwd, env: environmentOf(command, env), input };
      const parsed = await tool.parse(invocation);
      const inner = parsed.nested && !parsed.help ? await judgeNested(parsed.nested, invocation, config, depth + 1) : undefined;
      const findings = [...matchRules(tool.name, { ...parsed, commands: [...parsed.commands, ...(inner?.commands ?? [])] }, config.rules), ...(inner?.findings ?? [])];
      if (findings.length === 0) continue;
      const where = `${nested.via} > ${showCommand(name, invocation.args)}`;
      for (const f of findings) out.findings.push({ ...f, text: f.text ? `${where}: ${f.text}` : where });
      out.targets.push({ target: classifyTarget(await tool.resolve(parsed, invocation), config), where: nested.where });
      for (const t of inner?.targets ?? []) out.targets.push({ target: t.target, where: remote ? 'remote' : t.where });
    }
  }
  return out;
}
