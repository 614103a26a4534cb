// chaperone's own command line: install and manage shims, and inspect decisions without running
// anything. The shim hot path never loads this file (see src/shim/main.ts).

import { Command, CommanderError, Option } from 'commander';
import { join } from 'node:path';
import { findRealTool } from '../shim/find-real.js';
import { describeFault, ExitCode, UserError } from '../errors.js';
import type { Actor } from '../model.js';
import { check, explainText } from './check.js';
import { doctor } from './doctor.js';
import { fastPathGuard, overlayRoot, withOverlay } from '../shim/git-exec-path.js';
import { checkToolNames, defaultShimDir, pathLine, removeShims, shimEntry, writeShims, type Shell } from './shims.js';
import { commandHelp, programHelp } from './help.js';

const env = process.env;
// A reader that stops early (`chaperone check --json … | head -1`) is not an error: finish quietly, with
// the exit code already chosen (check's verdict), as a shell pipeline expects.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const program = new Command('chaperone')
  .description('A guard on PATH between agents and the CLIs that can destroy production.')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError()
  // A usage error exits 2 (as a bad rules file does), never 1, which `check` answers for "confirm".
  .exitOverride();

const dirOption = () => new Option('--dir <dir>', 'shim directory').default(defaultShimDir(env), 'XDG data dir/chaperone/shims');

program
  .command('install')
  .description('write one shim per covered tool into the shim directory')
  .addOption(dirOption())
  .argument('[tools...]', 'tools to shim (default: every covered tool)')
  .option('--only-installed', 'shim only the covered tools found on PATH now')
  .action(async (tools: string[], options: { dir: string; onlyInstalled?: boolean }) => {
    // Every covered tool by default, so a tool installed later (npm i -g @railway/cli) is guarded
    // from its first call; --only-installed keeps `command -v heroku` from finding a shim with nothing
    // behind it.
    const chosen = checkToolNames(tools);
    const present = (tool: string) => findRealTool(tool, env.PATH, join(options.dir, tool), process.cwd()).kind !== 'not-found';
    const installed = options.onlyInstalled ? chosen.filter(present) : chosen;
    const skipped = chosen.filter((tool) => !installed.includes(tool));
    // git's exec-path overlay, written first: the git shim's fast path exports it (or goes the slow way).
    const git = installed.includes('git') ? findRealTool('git', env.PATH, join(options.dir, 'git'), process.cwd()) : undefined;
    const { GIT_EXEC_PATH: _, ...gitEnv } = env;
    let overlay: string | undefined;
    try {
      overlay = git?.kind === 'found' ? withOverlay(git.path, overlayRoot(options.dir), gitEnv, { node: process.execPath, entry: shimEntry() }).GIT_EXEC_PATH : undefined;
    } catch (error) {
      // The git shim tries again on its first call, and refuses to run git while it cannot.
      process.stderr.write(`${(error as Error).message}\n`);
    }
    const guard: Record<string, string[]> = git?.kind === 'found' && overlay ? { git: fastPathGuard(git.path, overlay) } : {};
    const written = await writeShims(options.dir, installed, env, guard);
    process.stdout.write(
      `chaperone: wrote ${written.length} shims to ${options.dir}: ${written.join(' ')}\n` +
        (skipped.length ? `chaperone: not installed here, so not shimmed: ${skipped.join(' ')}\n` : '') +
        (overlay ? `chaperone: git runs with GIT_EXEC_PATH=${overlay}, so what git starts comes back through the shims\n` : '') +
        `Put them first on PATH (add to your shell rc as: eval "$(chaperone init bash)"):\n` +
        `${pathLine('bash', options.dir)}\n`,
    );
  });

program
  .command('uninstall')
  .description("remove the shims and the hooks `chaperone setup` wrote into each agent's config")
  .addOption(dirOption())
  .argument('[tools...]', 'tools to unshim (default: all, and the agent hooks with them)')
  .option('--keep-hooks', "leave the agents' hooks in place")
  .option('--project <dir>', "also remove the hooks from this project's agent files")
  .action(async (tools: string[], options: { dir: string; keepHooks?: boolean; project?: string }) => {
    const removed = removeShims(options.dir, checkToolNames(tools));
    process.stdout.write(`chaperone: removed ${removed.length} shims from ${options.dir}\n`);
    // Naming some tools takes only those shims away; the guard as a whole stays, hooks included.
    if (tools.length > 0) return;
    const { stopServer } = await import('../server/control.js');
    if (stopServer(env)) process.stdout.write('chaperone: stopped the resident decision\n');
    const { uninstallAgents } = await import('./uninstall.js');
    process.stdout.write(uninstallAgents({ keepHooks: options.keepHooks ?? false, project: options.project, shimDir: options.dir }, env));
  });

program
  .command('init')
  .description('print the line that puts the shims first on PATH, for eval in a shell rc')
  .addOption(dirOption())
  .argument('<shell>', 'bash, zsh, fish or sh')
  .action((shell: string, options: { dir: string }) => {
    if (!['bash', 'zsh', 'fish', 'sh'].includes(shell)) throw new UserError(`chaperone: unknown shell "${shell}"; use bash, zsh, fish or sh`);
    process.stdout.write(`${pathLine(shell as Shell, options.dir)}\n`);
  });

const actorOption = () => new Option('--actor <actor>', 'evaluate as this actor').choices(['human', 'agent', 'ci']);

program
  .command('check')
  .description('evaluate a command exactly as the shim would, and run nothing')
  .option('--json', 'print the evaluation as JSON')
  .option('--command <line>', 'a whole command line to evaluate')
  .addOption(actorOption())
  .argument('[argv...]', 'TOOL ARGS… (after --)')
  .action(async (argv: string[], options: { json?: boolean; command?: string; actor?: Actor }) => {
    try {
      if (!options.command && argv.length === 0) throw new UserError('chaperone: check needs -- TOOL ARGS… or --command LINE');
      const report = await check({ argv, line: options.command, actor: options.actor, cwd: process.cwd(), env });
      process.stdout.write(options.json ? `${JSON.stringify(report.commands.length === 1 ? { ...report, ...report.commands[0] } : report, null, 2)}\n` : explainText(report));
      process.exitCode = report.decision === 'allow' ? 0 : report.decision === 'confirm' ? 1 : ExitCode.refused;
    } catch (error) {
      if (!options.json) throw error;
      // A caller that asked for JSON gets JSON, and an error's exit code, never a verdict's.
      const fault = describeFault(error);
      process.stdout.write(`${JSON.stringify({ error: { kind: fault.kind, message: fault.message } }, null, 2)}\n`);
      if (fault.stack) process.stderr.write(`${fault.stack}\n`);
      process.exitCode = fault.exitCode;
    }
  });

program
  .command('explain')
  .description('explain, for a human, what chaperone would do with a command')
  .addOption(actorOption())
  .argument('<argv...>', 'TOOL ARGS… (after --)')
  .action(async (argv: string[], options: { actor?: Actor }) => {
    const report = await check({ argv, actor: options.actor, cwd: process.cwd(), env });
    process.stdout.write(explainText(report));
  });

program
  .command('agent')
  .description('start an agent (or any command) with the shims first on PATH and CHAPERONE_ACTOR=agent')
  .addOption(dirOption())
  .option('--scope <env>', 'declare the environment(s) the session works in (e.g. staging); anything gated outside is refused')
  .argument('<command...>', 'COMMAND ARGS… (after --)')
  .action(async (command: string[], options: { dir: string; scope?: string }) => {
    const { agentCommand } = await import('./agent.js');
    agentCommand(command, options, env);
  });

program
  .command('approve')
  .description('approve, as a human at a terminal, one command an agent was refused')
  .argument('<code>', 'the code from the refusal, e.g. K7Q-4M2')
  .option('--minutes <n>', 'how long the approval stays usable', '15')
  .action(async (code: string, options: { minutes: string }) => {
    const { approveCommand } = await import('./approve.js');
    await approveCommand(code, Number(options.minutes), env);
  });

program
  .command('approvals')
  .description('list pending and recent approvals')
  .option('--json', 'as JSON')
  .action(async (options: { json?: boolean }) => {
    const { approvalsCommand } = await import('./approve.js');
    approvalsCommand(env, options.json ?? false);
  });

program
  .command('backups')
  .description('list the backups taken before destroys, or `backups restore ID` to put one back')
  .argument('[action]', 'restore')
  .argument('[id]', 'the backup to restore')
  .option('--json', 'as JSON')
  .action(async (action: string | undefined, id: string | undefined, options: { json?: boolean }) => {
    const { backupsCommand, restoreCommand } = await import('./backups.js');
    if (action === undefined) return backupsCommand(env, options.json ?? false);
    if (action !== 'restore' || !id) throw new UserError('chaperone: use `chaperone backups [--json]` or `chaperone backups restore ID`');
    await restoreCommand(id, env);
  });

program
  .command('pin')
  .description('set or clear the PIN that `chaperone approve` asks for')
  .argument('<action>', 'set or clear')
  .action(async (action: string) => {
    if (action !== 'set' && action !== 'clear') throw new UserError('chaperone: use `chaperone pin set` or `chaperone pin clear`');
    const { pinCommand } = await import('./approve.js');
    await pinCommand(action, env);
  });

program
  .command('hook')
  .description("answer an agent's pre-shell hook (claude, cursor, codex, gemini, copilot) in its own protocol")
  .argument('<agent>', 'claude, cursor, codex, gemini, copilot, or claude-session-start')
  .addOption(dirOption())
  .action(async (agent: string, options: { dir: string }) => {
    const { claudeSessionStart, runHookCommand } = await import('./hook.js');
    if (agent === 'claude-session-start') {
      claudeSessionStart(options.dir, env);
      return;
    }
    await runHookCommand(agent, env);
  });

program
  .command('setup')
  .description("write an agent's hook configuration (claude, cursor, codex, gemini, copilot): merged, backed up, idempotent")
  .argument('<agent>', 'claude, cursor, codex, gemini or copilot')
  .addOption(dirOption())
  .option('--print', 'show the resulting file instead of writing it')
  .option('--project <dir>', "configure this project's files instead of your user files")
  .action(async (agent: string, options: { dir: string; print?: boolean; project?: string }) => {
    const { setup, setupAgents } = await import('./setup.js');
    if (!setupAgents.includes(agent as never)) throw new UserError(`chaperone: setup knows ${setupAgents.join(', ')}; not "${agent}"`);
    const result = setup(agent as never, { print: options.print ?? false, shimDir: options.dir, project: options.project }, env);
    if (options.print) {
      // stdout is the file itself, valid JSON for jq or a review; which file, on stderr.
      process.stderr.write(`chaperone: ${result.file}${result.changed ? ' would become:' : ' is already set up (unchanged):'}\n`);
      process.stdout.write(result.text);
    } else if (!result.changed) {
      process.stdout.write(`chaperone: ${result.file} already has chaperone's hooks; nothing changed.\n`);
    } else {
      process.stdout.write(`chaperone: wrote ${result.file}${result.backup ? ` (the previous version is in ${result.backup})` : ''}.\n`);
      if (result.replaced) {
        // Codex trusts a hook by its exact command: a changed one is a new hook, and does not run until trusted.
        const { codexTrustStep } = await import('./agent-facts.js');
        process.stdout.write(`chaperone: chaperone's hook command there was written by an older setup and is now replaced.${agent === 'codex' ? ` Codex treats the changed command as a new hook and does not run it until you trust it again. ${codexTrustStep}` : ''}\n`);
      }
    }
    if (!options.print) {
      const { agentAdvice } = await import('./agent-facts.js');
      process.stdout.write(await agentAdvice(agent as never, process.cwd(), env));
      const { offerPin } = await import('./approve.js');
      await offerPin(env);
    }
  });

program
  .command('scan')
  .description('find destructive commands and committed credentials in files (for pre-commit and CI)')
  .option('--staged', 'scan what `git commit` would record: the staged version of each changed file')
  .option('--json', 'print the findings as JSON')
  .argument('[paths...]', 'files or directories (default: the current directory)')
  .action(async (paths: string[], options: { staged?: boolean; json?: boolean }) => {
    const { scan, scanText } = await import('./scan.js');
    const report = await scan(paths, { staged: options.staged ?? false, cwd: process.cwd(), env });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : scanText(report));
    process.exitCode = report.findings.length === 0 ? 0 : 1;
  });

program
  .command('doctor')
  .description('check that the shims are installed, first on PATH, with real tools behind them, and that the rules load')
  .addOption(dirOption())
  .option('--json', 'print the checks as JSON')
  .option('--strict', 'check the hardening instead (chaperone harden): owners and modes of the tools, their copies, runners, stores, audit log, PIN')
  .action(async (options: { dir: string; json?: boolean; strict?: boolean }) => {
    const lines = options.strict ? (await import('../harden/doctor.js')).strictDoctor() : await doctor(options.dir, process.cwd(), env);
    process.exitCode = lines.every((l) => l.ok) ? 0 : 1;
    const status = (line: (typeof lines)[number]) => (line.warn ? 'warn' : line.ok ? 'ok' : 'fail');
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ok: process.exitCode === 0, checks: lines.map((l) => ({ status: status(l), text: l.text })) }, null, 2)}\n`);
      return;
    }
    // Colour only for a terminal (chalk decides, and honours FORCE_COLOR and TERM=dumb); a NO_COLOR that
    // is set and not empty turns it off (no-color.org), unless FORCE_COLOR asks for it.
    const { Chalk } = await import('chalk');
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '' && env.FORCE_COLOR === undefined;
    const chalk = new Chalk(noColor ? { level: 0 } : undefined);
    const word = { warn: chalk.yellow('WARN'), ok: chalk.green('ok  '), fail: chalk.red.bold('FAIL') };
    for (const line of lines) process.stdout.write(`${word[status(line)]} ${line.text}\n`);
  });

program
  .command('server')
  .description("the account's resident decision, which the shims ask before starting Node: status, or stop")
  .argument('[action]', 'status (the default) or stop')
  .action(async (action: string | undefined) => {
    const { describeStatus, serverStatus, stopServer } = await import('../server/control.js');
    if (action === 'stop') {
      process.stdout.write(stopServer(env) ? 'chaperone: stopped the resident decision; the next decided call starts a new one\n' : 'chaperone: no resident decision was running\n');
      return;
    }
    if (action !== undefined && action !== 'status') throw new UserError('chaperone: use `chaperone server` (status) or `chaperone server stop`');
    process.stdout.write(`${describeStatus(serverStatus(env))}\n`);
  });

program
  .command('harden')
  .description('as root: a system layer the agent user cannot undo (docs/harden.md)')
  .option('--agent-user <name...>', 'the user(s) agents run as; they must not be in the group')
  .option('--tools <names>', 'comma-separated tools to lock (default: those of the list that are installed)')
  .option('--tool <name=path...>', 'the real binary for a tool, instead of looking on PATH')
  .option('--group <name>', 'the runner group (at most 24 characters); NAME-tools locks the binaries, NAME-scripts the scripts', 'chaperone')
  .option('--prefix <dir>', 'put /etc, /var/lib and /usr/local/lib under this directory (staging, tests)', '/')
  .option('--print', 'list each change and make none')
  .option('--undo', 'put back what harden changed, remove the runners, copies and profile file (the stores and system rules stay)')
  .action(async (options: { agentUser?: string[]; tools?: string; tool?: string[]; group: string; prefix: string; print?: boolean; undo?: boolean }) => {
    const { hardenCommand } = await import('../harden/command.js');
    process.exitCode = hardenCommand(options);
  });

program
  .command('log')
  .description('read the audit log, or `log verify` to check its hash chain')
  .argument('[action]', 'verify')
  .option('--since <when>', 'only records from this time (2026-12-05, 2026-12-05T10:00Z) or span back (30m, 12h, 7d)')
  .option('--decision <d>', 'only this decision or outcome: allow, confirm, deny, refused, confirmed, approval-used…')
  .option('--json', 'one JSON record per line (verify: a JSON report)')
  .action(async (action: string | undefined, options: { since?: string; decision?: string; json?: boolean }) => {
    const { logCommand, verifyCommand } = await import('./log.js');
    if (action === undefined) return logCommand(env, options);
    if (action !== 'verify') throw new UserError('chaperone: use `chaperone log [--since WHEN] [--decision D] [--json]` or `chaperone log verify`');
    process.exitCode = verifyCommand(env, options.json ?? false);
  });

program
  .command('completion')
  .description('print shell completions for bash, zsh or fish')
  .argument('<shell>', 'bash, zsh or fish')
  .action(async (shell: string) => {
    const { completionScript, completionShells } = await import('./completion.js');
    if (!completionShells.includes(shell as never)) throw new UserError(`chaperone: completion knows ${completionShells.join(', ')}; not "${shell}"`);
    const [{ executables }, { setupAgents }, { hookAgents }] = await Promise.all([import('../tools/index.js'), import('./setup.js'), import('../hooks/protocols.js')]);
    const words = { log: ['verify'], install: executables, uninstall: executables, init: ['bash', 'zsh', 'fish', 'sh'], setup: setupAgents, hook: hookAgents, pin: ['set', 'clear'], backups: ['restore'], completion: ['bash', 'zsh', 'fish'] };
    process.stdout.write(completionScript(shell as never, program, words));
  });

// Every command's help ends with examples (and its exit codes where it has its own); the top level's
// with the variables and files that change behaviour.
for (const command of program.commands) command.addHelpText('after', commandHelp(command.name()));
program.addHelpText('after', programHelp);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander has printed its message; --help and --version are not errors.
    process.exit(['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : ExitCode.config);
  }
  const fault = describeFault(error);
  process.stderr.write(`${fault.message}\n${fault.stack ? `${fault.stack}\n` : ''}`);
  process.exit(fault.exitCode);
});
