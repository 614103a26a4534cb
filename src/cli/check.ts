// `chaperone check` and `chaperone explain`: the shim's evaluation, run and reported, with nothing run.

import { parse as parseShell } from 'shell-quote';
import { basename } from 'node:path';
import type { Actor, EnvironmentClass, Evaluation, Evidence, Verdict } from '../model.js';
import { evaluate } from '../evaluate.js';
import { showCommand, showEnvironment, showEvidence, showFinding } from '../display/describe.js';
import { redactArgs, redactText } from '../redact.js';
import { toolFor } from '../tools/index.js';

export interface CheckRequest {
  argv?: string[];
  line?: string;
  actor?: Actor;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface CheckReport {
  decision: Verdict;
  reason: string;
  commands: CommandReport[];
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
}

const verdictRank: Record<Verdict, number> = { allow: 0, confirm: 1, deny: 2 };

export async function check(request: CheckRequest): Promise<CheckReport> {
  const commands = request.line !== undefined ? splitLine(request.line, request.env) : [request.argv ?? []];
  const reports: CommandReport[] = [];
  for (const argv of commands) {
    if (argv.length === 0) continue;
    reports.push(await checkOne(argv, request));
  }
  const worst = reports.reduce<CommandReport | undefined>((w, r) => (!w || verdictRank[r.decision] > verdictRank[w.decision] ? r : w), undefined);
  return {
    decision: worst?.decision ?? 'allow',
    reason: worst ? worst.reason : 'no command',
    commands: reports,
  };
}

async function checkOne(argv: string[], request: CheckRequest): Promise<CommandReport> {
  const tool = basename(argv[0]);
  const args = argv.slice(1);
  if (!toolFor(tool)) {
    return {
      tool,
      argv: redactArgs(args),
      decision: 'allow',
      action: 'allow',
      reason: `${tool} is not a tool chaperone covers`,
      environment: null,
      findings: [],
      actor: { actor: request.actor ?? 'human', evidence: 'not evaluated' },
      covered: false,
    };
  }
  const ev = await evaluate({ tool, args, cwd: request.cwd, env: request.env }, { actor: request.actor, alwaysResolve: true });
  return toReport(ev);
}

export function toReport(ev: Evaluation): CommandReport {
  const t = ev.target;
  return {
    tool: ev.invocation.tool,
    argv: redactArgs(ev.invocation.args),
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

/**
 * A simple command line, split with shell-quote on its operators. Environment prefixes (FOO=1 cmd) are
 * dropped. Full shell analysis (substitutions, wrappers, sh -c) is a later step.
 */
export function splitLine(line: string, env: NodeJS.ProcessEnv): string[][] {
  const tokens = parseShell(line, (key) => env[key] ?? '');
  const commands: string[][] = [[]];
  for (const token of tokens) {
    if (typeof token === 'string') {
      const current = commands[commands.length - 1];
      if (current.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(token)) continue;
      current.push(token);
    } else if ('op' in token && token.op === 'glob') {
      commands[commands.length - 1].push(token.pattern);
    } else if ('op' in token) {
      commands.push([]);
    }
  }
  return commands.filter((c) => c.length > 0);
}

export function explainText(report: CheckReport): string {
  const lines: string[] = [];
  for (const r of report.commands) {
    lines.push(showCommand(r.tool, r.argv));
    lines.push(`  decision     ${r.decision}${r.decision === 'confirm' ? ` (type "${r.confirmWord}")` : ''}: ${r.reason}`);
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
