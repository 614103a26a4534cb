// `chaperone check` and `chaperone explain`: the shim's evaluation, run and reported, with nothing run.

import { basename } from 'node:path';
import type { Actor, Assumption, EnvironmentClass, Evaluation, Evidence, Verdict } from '../model.js';
import { detectActor } from '../context/actor.js';
import { evaluate } from '../evaluate.js';
import type { Config } from '../rules/config.js';
import { loadConfig } from '../rules/load.js';
import { showCommand, showEnvironment, showEvidence, showFinding } from '../display/describe.js';
import { redactArgs, redactText } from '../redact.js';
import type { ShellCommand } from '../shell/analyze.js';
import { executables, isCovered } from '../tools/index.js';

export interface CheckRequest {
  argv?: string[];
  line?: string;
  actor?: Actor;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Resolve each covered command's target only where a rule matched (the hook: the verdict is the same,
   * since no finding means allow; the report then shows no environment for a command no rule matched).
   * By default every target is resolved, for `check` and `explain` to show.
   */
  decisionOnly?: boolean;
  /**
   * Set by checkWithEvaluations, one per check: the rules loaded so far, by directory and environment.
   * A line's commands mostly share
   * them, and loading them (rules.json read, parsed and folded, the user's and project's layers) cost
   * ~2 ms for each covered command of a line, ~65 times over for a command word that is computed.
   */
  rules?: Map<string, Promise<Config>>;
}

export interface CheckReport {
  decision: Verdict;
  reason: string;
  commands: CommandReport[];
}

/** A check with the evaluations behind its reports (hooks need them for approvals). */
export interface CheckResult {
  report: CheckReport;
  evaluations: Evaluation[];
}

export interface CommandReport {
  tool: string;
  argv: string[];
  decision: Verdict;
  action: string;
  reason: string;
  confirmWord?: string;
  environment: { name?: string; class: EnvironmentClass; because: string; evidence: Evidence[] } | null;
  findings: Evaluation['findings'];
  actor: Evaluation['actor'];
  covered: boolean;
  /** For a command found in a line: what ran it (`sudo`, `bash -c`), and its directory when a `cd` moved it. */
  via?: string[];
  cwd?: string;
  /** For a command found in a line: where its top-level statement starts in the line. */
  offset?: number;
}

const verdictRank: Record<Verdict, number> = { allow: 0, confirm: 1, deny: 2 };

export async function check(request: CheckRequest): Promise<CheckReport> {
  return (await checkWithEvaluations(request)).report;
}

export async function checkWithEvaluations(request: CheckRequest): Promise<CheckResult> {
  request = { ...request, rules: new Map() };
  const reports: CommandReport[] = [];
  const evaluations: Evaluation[] = [];
  const add = ({ report, evaluation }: { report: CommandReport; evaluation?: Evaluation }) => {
    reports.push(report);
    if (evaluation) evaluations.push(evaluation);
  };
  if (request.line !== undefined) {
    // The shell parser loads only on this path.
    const { analyzeLine, environmentOf } = await import('../shell/analyze.js');
    const { assumptionsOf } = await import('../simulate/line.js');
    const analysis = analyzeLine(request.line, { cwd: request.cwd, env: request.env });
    // What earlier commands switch (`kubectl config use-context prod && …`) counts for the later ones.
    const assumed = await assumptionsOf(analysis.commands, request.env);
    for (const [i, command] of analysis.commands.entries()) {
      const env = environmentOf(command, request.env);
      add(command.computed !== undefined ? await checkComputed(command, request, env) : await checkOne(command.argv, request, command, env, assumed[i]));
    }
    if (analysis.unparseable?.mentionsCoveredTool) {
      reports.push(unreadableReport(request.line, `chaperone cannot parse this line (${analysis.unparseable.reason}) and it names a tool it covers`, request));
    }
    for (const item of analysis.unknown ?? []) reports.push(unreadableReport(request.line, `chaperone cannot read what this line runs: ${item.reason}`, request));
  } else if (request.argv && request.argv.length > 0) {
    add(await checkOne(request.argv, request));
  }
  const worst = reports.reduce<CommandReport | undefined>((w, r) => (!w || verdictRank[r.decision] > verdictRank[w.decision] ? r : w), undefined);
  return {
    report: { decision: worst?.decision ?? 'allow', reason: worst ? worst.reason : 'no command', commands: reports },
    evaluations,
  };
}

/** One command, typed as argv or found in a line (with the directory, environment and input it runs with). */
async function checkOne(
  argv: string[],
  request: CheckRequest,
  command?: ShellCommand,
  env = request.env,
  assumed: Assumption[] = [],
): Promise<{ report: CommandReport; evaluation?: Evaluation }> {
  const tool = basename(argv[0]);
  const args = argv.slice(1);
  const via = command && command.via.length > 0 ? { via: command.via } : {};
  const cwd = command && command.cwd !== request.cwd ? { cwd: command.cwd } : {};
  const where = command?.offset !== undefined && command.offset > 0 ? { offset: command.offset } : {};
  if (!isCovered(tool)) {
    const report: CommandReport = {
      tool,
      argv: redactArgs(args, tool),
      decision: 'allow',
      action: 'allow',
      reason: `${tool} is not a tool chaperone covers`,
      environment: null,
      findings: [],
      actor: { actor: request.actor ?? 'human', evidence: 'not evaluated' },
      covered: false,
      ...via,
      ...cwd,
      ...where,
    };
    return { report };
  }
  // In a line, a command's stdin is what the line feeds it (a heredoc, a pipe, `< file`), never
  // chaperone's own fd 0; with nothing known it is empty. A typed argv reads fd 0, as its shim would.
  const input = command ? { input: command.stdin ?? '' } : {};
  const simulated = assumed.length > 0 ? { assumed } : {};
  const at = command?.cwd ?? request.cwd;
  const evaluation = await evaluate({ tool, args, cwd: at, env, ...input, ...simulated }, { actor: request.actor, alwaysResolve: !request.decisionOnly, config: rulesFor(request, at, env) });
  return { report: { ...toReport(evaluation), ...via, ...cwd, ...where }, evaluation };
}

/** The rules for a command of this check: loaded once per directory and environment (nothing a line analyses runs, so nothing changes them meanwhile). */
function rulesFor(request: CheckRequest, cwd: string, env: NodeJS.ProcessEnv): Promise<Config> | undefined {
  if (!request.rules) return undefined;
  const key = JSON.stringify([cwd, env]);
  let rules = request.rules.get(key);
  if (!rules) request.rules.set(key, (rules = loadConfig(cwd, env)));
  return rules;
}

/**
 * A command whose word is computed (`$X volume delete --volume pg`): it could be any covered tool, so
 * it is judged as each would read its arguments, and the strictest reading stands.
 */
async function checkComputed(command: ShellCommand, request: CheckRequest, env: NodeJS.ProcessEnv): Promise<{ report: CommandReport; evaluation?: Evaluation }> {
  let worst: { report: CommandReport; evaluation?: Evaluation } | undefined;
  for (const tool of new Set(executables)) {
    const one = await checkOne([tool, ...command.argv.slice(1)], request, command, env);
    // Any word can be read as an ssh host with nothing to run: an interactive session says nothing
    // about these arguments, so that reading alone does not count (`"$EDITOR" notes.md`).
    if (one.report.findings.every((f) => f.rule === 'nested.unreadable')) continue;
    if (!worst || verdictRank[one.report.decision] > verdictRank[worst.report.decision]) worst = one;
  }
  const word = command.computed!;
  // `"${cmd[@]}"`, `"$@"`, `${!name}`: the expansion may be the whole command, its arguments too, and
  // those are not known either, so no reading of the visible ones can clear it.
  if ((!worst || worst.report.decision === 'allow') && /\$\{?[@*]|\[[@*]\]|\$\{!/.test(word)) {
    return { report: { ...unreadableReport(request.line ?? word, `chaperone cannot read what this line runs: the command ${word} expands to words that are not known, its arguments among them`, request), via: command.via } };
  }
  if (!worst || worst.report.decision === 'allow') {
    const report: CommandReport = {
      tool: word,
      argv: redactArgs(command.argv.slice(1), word),
      decision: 'allow',
      action: 'allow',
      reason: `the command ${word} is not known, and no covered tool would gate these arguments`,
      environment: null,
      findings: [],
      actor: { actor: request.actor ?? 'human', evidence: 'not evaluated' },
      covered: false,
      via: command.via,
      ...(command.cwd !== request.cwd ? { cwd: command.cwd } : {}),
    };
    return { report };
  }
  const as = worst.report.tool;
  return { ...worst, report: { ...worst.report, reason: `the command ${word} is not known; read as ${as}, the most dangerous tool it could be: ${worst.report.reason}`, via: [...command.via, `${word} as ${as}`] } };
}

/** A line that could not be parsed and names a covered tool, or runs what cannot be read: only a human may let it run. */
function unreadableReport(line: string, why: string, request: CheckRequest): CommandReport {
  const actor = detectActor(request.env, request.actor);
  const human = actor.actor === 'human';
  return {
    tool: 'sh',
    argv: ['-c', redactText(line)],
    decision: human ? 'confirm' : 'deny',
    action: 'confirm',
    reason: human ? `${why}: a human must confirm it` : `${why}: it needs a human to confirm, and the ${actor.actor} here cannot (${actor.evidence})`,
    ...(human ? { confirmWord: 'yes' } : {}),
    environment: null,
    findings: [],
    actor,
    covered: false,
  };
}

export function toReport(ev: Evaluation): CommandReport {
  const t = ev.target;
  return {
    tool: ev.invocation.tool,
    argv: redactArgs(ev.invocation.args, ev.invocation.tool),
    decision: ev.decision.verdict,
    action: ev.decision.action,
    reason: ev.decision.reason,
    ...(ev.decision.confirmWord && ev.decision.verdict === 'confirm' ? { confirmWord: ev.decision.confirmWord } : {}),
    environment: t
      ? {
          name: t.name === undefined ? undefined : redactText(t.name),
          class: t.class,
          because: redactText(t.because),
          evidence: t.evidence.map((e) => ({ ...e, value: redactText(e.value) })),
        }
      : null,
    findings: ev.findings.map((f) => ({ ...f, ...(f.text ? { text: redactText(f.text) } : {}) })),
    actor: ev.actor,
    covered: true,
  };
}

export function explainText(report: CheckReport): string {
  const lines: string[] = [];
  for (const r of report.commands) {
    lines.push(showCommand(r.tool, r.argv));
    lines.push(`  decision     ${r.decision}${r.decision === 'confirm' ? ` (type "${r.confirmWord}")` : ''}: ${r.reason}`);
    if (r.via || r.cwd) lines.push(`  runs         ${[r.via ? `via ${r.via.join(' > ')}` : '', r.cwd ? `in ${r.cwd}` : ''].filter(Boolean).join(', ')}`);
    if (!r.covered) continue;
    for (const f of r.findings) lines.push(`  rule         ${showFinding(f)}`);
    if (r.environment) {
      lines.push(`  environment  ${showEnvironment(r.environment)}: ${r.environment.because}`);
      for (const e of r.environment.evidence) lines.push(`    evidence   ${showEvidence(e)}`);
    }
    lines.push(`  actor        ${r.actor.actor} (${r.actor.evidence})`);
  }
  if (report.commands.length > 1) lines.push(`overall: ${report.decision}`);
  return `${lines.join('\n')}\n`;
}
