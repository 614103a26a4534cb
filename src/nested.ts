// Commands inside commands: `kubectl exec POD -- psql -c …`, `ssh HOST 'dropdb shop'`, a git `!` alias,
// a package.json script. A tool's parser hands them over as NestedLines; here each is read as a shell
// line and every covered command in it is matched against the rules, as if it had been typed. A refused
// agent's next move is to run the same thing one level down, so one level down must judge the same.
//
// Where the inner line runs decides what it targets. Inside a pod or over ssh (`remote`), a tool that
// acts on the machine it runs on takes the outer target: `psql -h localhost` in a pod of a production
// context is production, and the inner command's own flags may only make it stricter. So does any
// command a platform runs with the target's own variables (`railway run -e staging …`). Any other tool
// in a container, a pod or on a host (railway, aws, git, kubectl) reaches what the credentials there
// name, which nothing here shows: with no flag of its own naming a target, it is unknown, whatever the
// container's host is (`docker run -e RAILWAY_TOKEN=… img railway volume delete` on a laptop is not
// development). A local line (a git alias) runs here, and each inner command resolves its own target
// from this machine's flags, variables and files.
//
// On the target, what cannot be read is `nested unreadable`: a session (no line), a line that does not
// parse, a command whose name is an expansion, and a shell or a covered tool that reads commands from a
// stdin nobody has seen. rm -r, dd of=/dev/… and mkfs there are actions of the outer tool too.

import type { Command, Finding, Invocation, NestedLine, ParsedInvocation, Target } from './model.js';
import type { Tool } from './tools/tool.js';
import type { Config } from './rules/config.js';
import { classifyTarget } from './context/classify.js';
import { stdinIsTerminal } from './payload/descriptors.js';
import { quoteWord, showCommand } from './display/describe.js';
import { isSystemCommand, systemCommand } from './nested-system.js';
import { matchConfig } from './rules/match.js';
import { commandName } from './shell/launch.js';
import { isCoveredPackage } from './shell/runners.js';
import { shellLaunch, shells } from './shell/shells.js';
import { isCovered, loadTool } from './tools/index.js';

/**
 * The environment of a command on another machine: none of this one's variables, and a home that does
 * not exist, so no reader falls back on this machine's own (~/.aws/config, ~/.kube/config): what they
 * name says nothing about the credentials a container or host holds.
 */
const elsewhere = (): NodeJS.ProcessEnv => ({ HOME: '/nonexistent' });

/** Lines inside lines inside lines: deeper than this is unreadable, not followed. */
export const maxNesting = 8;

export interface NestedJudgement {
  /** Actions of the outer tool that its own rules judge: `nested unreadable` when a line cannot be read. */
  commands: Command[];
  /** What the covered commands inside matched, each saying where it runs. */
  findings: Finding[];
  /** Targets the inner commands that matched resolved for themselves: stricter ones win. */
  /**
   * `outerStands`: with nothing of its own naming a target, the outer target is this command's target
   * (a tool that acts on its host, or a line run with the target's own variables, `railway run …`).
   */
  targets: { target: Target; where: NestedLine['where']; outerStands?: true }[];
}

/** The innermost covered command a nested finding came from, and the action's own text. */
export interface InnerCommand {
  tool: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  text?: string;
}

// Kept beside the findings, not in them: findings are written to the audit log and approval bindings,
// and an inner command's argv may hold a secret (`\! mysql -pSECRET …`). The backup reads it
// (src/backup/before-destroy.ts): what a nested mysql statement destroys, in the database it runs in.
const innerCommands = new WeakMap<Finding, InnerCommand>();

export function innerCommandOf(finding: Finding): InnerCommand | undefined {
  return innerCommands.get(finding);
}

/**
 * `personAtTerminal`: this call's stdin is a terminal and its actor a human, so a session it opens is a
 * person typing. Anything else that feeds a session (a pipe nobody read, an agent, even one in a pty)
 * feeds commands nobody has seen.
 */
export async function judgeNested(lines: readonly NestedLine[], outer: Invocation, config: Config, depth = 0, personAtTerminal = false): Promise<NestedJudgement> {
  const out: NestedJudgement = { commands: [], findings: [], targets: [] };
  // The shell parser loads only when a command carries a line worth reading (see plainly()).
  let shell: typeof import('./shell/analyze.js') | undefined;
  for (const nested of lines) {
    // What cannot be read is an action of the outer tool (`nested unreadable`). Code that hides what it
    // runs (`echo … | base64 -d | sh`, `$(…)` as the command) in a container or on a host may also run a
    // cloud CLI with the credentials there, so its target is unknown too, as a cloud CLI's is there. An
    // interactive session (a person typing at this call's terminal) keeps the outer target.
    const unreadable = (why: string, hides = true) => {
      out.commands.push({ path: ['nested', 'unreadable'], flags: new Map(), text: `${nested.via}: ${why}` });
      if (!hides || nested.where !== 'remote' || nested.filesHere) return;
      const evidence = [{ source: 'command' as const, key: nested.via, value: `runs what cannot be read in advance (${why}), with whatever credentials it finds there` }];
      out.targets.push({ target: { class: 'unknown', evidence, because: 'what runs there cannot be read, and may reach whatever the credentials there name' }, where: 'remote' });
    };
    // A session is a person typing at this call's terminal; a stdin that is not a terminal (a pipe nobody
    // read) or an agent's feeds commands nobody has seen, as hidden as `base64 -d | sh`.
    const typedByAPerson = () => personAtTerminal && outer.input === undefined && stdinIsTerminal();
    const text = nested.line ?? nested.argv?.map(quoteWord).join(' ');
    if (text === undefined) {
      if (nested.unreadable !== undefined) unreadable(nested.unreadable);
      else unreadable('an interactive session; what is typed into it cannot be read in advance', !typedByAPerson());
      continue;
    }
    if (depth >= maxNesting) {
      unreadable(`commands nested more than ${maxNesting} levels deep`);
      continue;
    }
    const remote = nested.where === 'remote';
    // `railway run ./wipe.sh`: the target is the outer one, but what the line runs is a file of this machine.
    const here = nested.filesHere === true;
    if (!here && plainly(text)) continue;
    const cwd = remote && !here ? '/' : (nested.cwd ?? outer.cwd);
    const env = remote && !here ? elsewhere() : (nested.env ?? outer.env);
    shell ??= await import('./shell/analyze.js');
    const { analyzeLine, environmentOf } = shell;
    const analysis = analyzeLine(text, { cwd, env, remote: remote && !here, ...(nested.positional ? { positional: nested.positional } : {}) });
    // A local line changes this machine's config files as it goes (`kubectl config use-context prod && …`).
    const assumed = remote ? [] : await (await import('./simulate/line.js')).assumptionsOf(analysis.commands, env);
    if (analysis.unparseable && (remote || analysis.unparseable.mentionsCoveredTool)) {
      unreadable(`cannot read ${JSON.stringify(text)} (${analysis.unparseable.reason})`);
    }
    for (const item of analysis.unknown ?? []) unreadable(item.reason);
    for (const [index, command] of analysis.commands.entries()) {
      const name = command.argv[0].slice(command.argv[0].lastIndexOf('/') + 1);
      // A command whose very name is not known (`$(echo … | base64 -d)`, `$CMD`) could be anything; on
      // the target it is as unreadable as a session.
      if (remote && /[$`]/.test(command.argv[0])) {
        unreadable(`runs a command whose name is not known in advance: ${command.argv[0]}`);
        continue;
      }
      // What it reads on stdin, when known: the line's own (a heredoc, `echo … |`), else, for a line's
      // sole command, what the outer command forwards. In `echo … | base64 -d | sh` or `psql < /tmp/x`
      // on a host, the bytes are not shown anywhere.
      const known = command.stdin ?? (command.stdinUnknown || analysis.commands.length > 1 ? undefined : nested.input);
      // A shell reading its script from stdin (`ssh HOST bash -s < wipe.sh`, `kubectl exec -i POD -- sh`):
      // the line could not see that script, so it is read here when it is known, and is an unreadable
      // session into the target when it is not (a terminal, a pipe nobody read).
      if (remote && readsScriptFromStdin(command.argv)) {
        const script = known;
        if (script === undefined) unreadable(`${showCommand(name, command.argv.slice(1))} reads its commands from a stdin chaperone cannot read in advance`, !typedByAPerson());
        else mergeInto(out, await judgeNested([{ via: `${nested.via} > ${name} <stdin>`, line: script, input: '', where: nested.where, ...(here ? { filesHere: true, cwd: command.cwd } : {}) }], outer, config, depth + 1, personAtTerminal));
        continue;
      }
      // rm -r, dd of=/dev/…, mkfs… in the target: the outer tool's rules judge them (src/nested-system.ts).
      const system = remote && !here && !nested.ephemeral ? systemCommand(name, command.argv.slice(1)) : undefined;
      if (system) {
        out.commands.push({ ...system, text: `${nested.via} > ${system.text}` });
        continue;
      }
      if (!isCovered(name)) continue;
      const tool = await loadTool(name);
      if (!tool) continue;
      // Remotely, whatever reads stdin reads the one the outer command forwards (the first reader takes it;
      // giving it to each can only judge more strictly).
      const input = command.stdin ?? (remote || analysis.commands.length === 1 ? nested.input : undefined) ?? '';
      const invocation: Invocation = { tool: name, args: command.argv.slice(1), cwd: command.cwd, env: environmentOf(command, env), input };
      if (assumed[index]?.length) invocation.assumed = assumed[index];
      const parsed = await tool.parse(invocation);
      // A covered tool reading commands from a stdin nobody has seen (`cat drop.sql | ssh HOST psql`).
      if (remote && known === undefined && (await readsStdinPayload(tool, invocation, parsed, config))) {
        unreadable(`${showCommand(name, invocation.args)} reads commands from a stdin chaperone cannot read in advance`);
      }
      const inner = parsed.nested && !parsed.help ? await judgeNested(parsed.nested, invocation, config, depth + 1, personAtTerminal) : undefined;
      const findings = [...matchConfig(tool.name, { ...parsed, commands: [...parsed.commands, ...(inner?.commands ?? [])] }, config), ...(inner?.findings ?? [])];
      if (findings.length === 0) continue;
      const where = `${nested.via} > ${showCommand(name, invocation.args)}`;
      for (const f of findings) {
        const shown = { ...f, text: f.text ? `${where}: ${f.text}` : where };
        innerCommands.set(shown, innerCommands.get(f) ?? { tool: tool.name, args: invocation.args, cwd: invocation.cwd, env: invocation.env, ...(f.text !== undefined ? { text: f.text } : {}) });
        out.findings.push(shown);
      }
      let target = invocation.assumed ? await (await import('./simulate/resolve.js')).resolveTarget(tool, parsed, invocation, config) : classifyTarget(await tool.resolve(parsed, invocation), config);
      if (remote && !here && !tool.actsOnItsHost && target.class === 'unknown') {
        const there = { source: 'command' as const, key: nested.via, value: `${name} runs there, with whatever credentials and config it finds there; none of them can be seen from here` };
        target = { ...target, evidence: [there, ...target.evidence] };
      }
      out.targets.push({ target, where: nested.where, ...(here || tool.actsOnItsHost ? { outerStands: true as const } : {}) });
      for (const t of inner?.targets ?? []) out.targets.push({ ...t, where: remote ? 'remote' : t.where });
    }
  }
  return out;
}

// Stands in for a stdin nobody can read in advance: a statement or command each payload reader (SQL,
// redis-cli lines, mongosh) judges as destructive. If it changes the verdict, the tool reads stdin.
const stdinProbe = 'DROP TABLE chaperone_probe;\nFLUSHALL\ndb.dropDatabase()\n';

/** Whether a covered tool, as invoked, reads commands from its stdin (`psql shop`, not `psql -c …`). */
async function readsStdinPayload(tool: Tool, invocation: Invocation, parsed: ParsedInvocation, config: Config): Promise<boolean> {
  const probed = await tool.parse({ ...invocation, input: stdinProbe });
  const rules = (p: ParsedInvocation) => new Set(matchConfig(tool.name, p, config).map((f) => f.rule));
  const without = rules(parsed);
  return [...rules(probed)].some((rule) => !without.has(rule));
}

/**
 * Whether a line plainly runs nothing chaperone judges, so the shell parser need not load (`ssh HOST
 * uptime`, git's `git-upload-pack 'repo.git'`): its quotes close, it has no expansion or backslash, and
 * no word, quotes removed (`ps''ql` is psql), names a covered tool, a package of one, a shell, or a
 * system command read in src/nested-system.ts.
 */
function plainly(text: string): boolean {
  if (/[$`\\]/.test(text) || !quotesClose(text)) return false;
  const bare = text.replace(/['"]/g, '');
  return !bare.split(/[\s;&|()<>{}]+/).some((word) => {
    const name = commandName(word);
    return word !== '' && (isCovered(name) || isCoveredPackage(word) || shells.includes(name) || isSystemCommand(name));
  });
}

/** Whether every quote opened in text (with no backslash in it) is closed, as the shell reads them. */
function quotesClose(text: string): boolean {
  let open: string | undefined;
  for (const c of text) {
    if (open === undefined && (c === "'" || c === '"')) open = c;
    else if (c === open) open = undefined;
  }
  return open === undefined;
}

/** Whether argv is a shell that takes its script from stdin: no `-c`, and no script file (or `-s`). */
function readsScriptFromStdin(argv: readonly string[]): boolean {
  return shellLaunch(argv, '')?.via.endsWith('<stdin>') ?? false;
}

function mergeInto(into: NestedJudgement, from: NestedJudgement): void {
  into.commands.push(...from.commands);
  into.findings.push(...from.findings);
  into.targets.push(...from.targets);
}
