// A whole shell line (what an agent hook or `chaperone check --command` gets) turned into the simple
// commands it would run, each with the directory, environment and input it would run with, so each
// can be judged like a shim invocation. It runs nothing; it reads only what the line runs or feeds a
// command (a script, a Makefile, package.json, code: indirect.ts; a `< file`), never on a remote line.
//
// The parser is `unbash` (npm, zero dependencies, TypeScript, synchronous). It gives a typed AST with
// heredoc bodies, here-strings, command and process substitutions already parsed into scripts (also
// inside double quotes and backticks), every compound command, and a list of errors instead of a throw.
// Its risk is that it is young (v6, 2026) with one maintainer; only parse() and forEachChild() are used,
// so another parser would mean another walker in this file, nothing else.
// Measured on Node 20 on the 2-core target (best of 15 cold processes): unbash bundled loads in 5 ms and
// parses a first line in 3 ms (0.1 ms after); this analyzer with it, the lazily loaded chunk that
// `check --command` imports (265 KB), loads in 7 ms and analyses a first line in 6 ms. It is not in the
// shim's bundle. The others tried, with the same lines (medians):
//   - shell-quote (used by the tests) is a word splitter, not a parser: a heredoc's body comes back
//     as words (so `cat <<EOF` text would read as commands), `"$(railway up "x")"` is split at the inner
//     quotes, backticks and `\`-newline are not understood. See test/unit/shell.test.ts.
//   - sh-syntax (mvdan/sh as WebAssembly): the reference parser, but async, 750 KB of WebAssembly, about
//     25 ms to load and 40-75 ms for *each* parse (it starts a new Go runtime per call).
//   - mvdan-sh (GopherJS): deprecated upstream, 1.5 MB, about 70 ms to load.
//   - bash-parser / @ericcornelissen/bash-parser: unmaintained (the fork is archived), 17 dependencies,
//     30-50 ms to load, and fails on here-strings, `<( )`, `$'…'`, arrays, `|&`, `for ((…))`.
//   - web-tree-sitter + tree-sitter-bash: 1.3 MB grammar inside a 20 MB package with a native-addon
//     install script, about 40 ms to a first parse, and a concrete syntax tree whose quoting we would
//     still have to interpret ourselves.

import { forEachChild, parse, type AndOr, type Assignment, type Command, type CompoundList, type PipelineNode, type Redirection, type Script, type Statement, type SyntaxNode } from 'unbash';
import { readFileSync, statSync } from 'node:fs';
import { resolvePath as resolve } from '../context/os-path.js';
import { isCovered } from '../tools/index.js';
import { Identities } from './identity.js';
import { commandName, type Launch } from './launch.js';
import { mentionsCoveredTool } from './mentions.js';
import { runnerLaunch } from './runners.js';
import { shellLaunch } from './shells.js';
import { shellStartup } from './startup.js';
import {
  changeDirectory,
  changeEnv,
  childShell,
  commandEnv,
  copyShell,
  exportVariable,
  forgetVariable,
  lookupIn,
  setVariable,
  startShell,
  unsetVariable,
  type CommandEnv,
  type FunctionDefinition,
  type ShellState,
} from './state.js';
import { certainTool, expandAlias, isSetupGenerator, setAliases } from './computed.js';
import { followIndirect, maxFileDepth, type Followed, type Unknown } from './indirect.js';
import { expandHeredoc, expandText, expandWord, isKnown, opaque, reveal, type Lookup } from './words.js';
import { wrapperLaunch } from './wrappers.js';
import { unknownRunnerLaunch } from './unknown-runners.js';
import { carriedLaunches } from './carried.js';
import { withWrittenFiles, writtenText } from './files.js';
import { noteCommandWrites, noteRedirects } from './writes.js';
import { mapfileBuiltin, readBuiltin, setPositional } from './reads.js';

export interface ShellCommand {
  argv: string[];
  cwd: string;
  /** Variables the line sets for it: prefix assignments (`FOO=1 cmd`), `export`, `env NAME=val`, `sudo NAME=val`. */
  env: Record<string, string>;
  /** Variables the line removes from its environment (`unset`, `env -u NAME`). */
  unset?: string[];
  /** It starts from an empty environment (`env -i`): only `env` applies. */
  clearEnv?: boolean;
  /** The heredoc or here-string body fed to it, or what `echo`/`printf`/`cat <<EOF` pipe into it. */
  stdin?: string;
  /** Its stdin is redirected from something not known here (`< file` on a remote host, `<&3`). */
  stdinUnknown?: boolean;
  /** What ran it, outermost first, for explanations: `['sudo', 'bash -c']`. */
  via: string[];
  /** Where in the line the top-level statement that ran it starts (a character offset), for file:line reports. */
  offset?: number;
  /**
   * Earlier commands of the line (indexes into `commands`) that must have succeeded for this one to run
   * (`a && b`). Any other earlier command may or may not have run, or may have failed (`a; b`, `a || b`).
   */
  after?: number[];
  /** It may still be running while later commands of the line run (a pipeline stage, `&`, `<( )`). */
  concurrent?: boolean;
  /**
   * The command word is computed and not known (`$X volume delete`, `$(pick) up`): its source text.
   * It is judged as each covered tool would read its arguments, the most dangerous reading winning.
   */
  computed?: string;
}

export interface LineAnalysis {
  commands: ShellCommand[];
  /** Set when (part of) the line could not be parsed; the caller then asks a human, never allows. */
  unparseable?: { reason: string; mentionsCoveredTool: boolean };
  /**
   * What the line runs that could not be read (a script that does not parse, code piped into a shell,
   * a Makefile past its depth): each is gated like an unparseable line that names a covered tool.
   */
  unknown?: Unknown[];
}

export interface LineContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How deep in nested shell text this line already is (`bash -c` inside `bash -c`). */
  depth?: number;
  /**
   * The line runs on another machine or in a container (`kubectl exec`, `ssh HOST '…'`): this machine's
   * files say nothing about it, so none is read (a `< file` there is unknown input).
   */
  remote?: boolean;
  /** `$0`, `$1`, … when the line is shell text run as `sh -c LINE $0 $1 …`. */
  positional?: string[];
}

/** How many levels of shell text inside shell text (`bash -c "sh -c '…'"`) are followed. */
export const maxDepth = 5;

/** More commands than this (functions calling functions) and the line is not followed further. */
const maxCommands = 1000;

interface Walk {
  out: ShellCommand[];
  problems: string[];
  functions: FunctionDefinition[];
  depth: number;
  remote: boolean;
  via: string[];
  /** Functions being expanded, so a recursive one is followed once. */
  calling: string[];
  /** The offset of the top-level statement being walked. */
  at?: number;
  /** Inside a pipeline, a background job or a process substitution. */
  concurrent?: boolean;
  /** What could not be read (indirect.ts); shared by the whole walk. */
  unknown: Unknown[];
  /** Files being read (scripts, sourced files, Makefile targets, package scripts), to stop loops. */
  files: string[];
  /** Its stdin is a pipe from a command whose output is not known (`curl … | sh`). */
  pipedUnknown?: boolean;
  /** What files command words name (none for a remote line, whose files are not ours). */
  identities?: Identities;
  /** The line's own environment, which CommandEnv changes are relative to. */
  env: NodeJS.ProcessEnv;
}

export function analyzeLine(line: string, context: LineContext): LineAnalysis {
  const walk: Walk = {
    out: [], problems: [], functions: [], depth: context.depth ?? 0, remote: context.remote ?? false, via: [], calling: [], unknown: [], files: [],
    env: context.env, ...(context.remote ? {} : { identities: new Identities(context.env) }),
  };
  const state = startShell(context.cwd, context.env);
  if (context.positional) state.positional = context.positional;
  withWrittenFiles(new Map(), () => runText(line, state, walk, true));
  // A function that is never called still counts: it can be called in ways a line does not show (trap).
  // It may run at any time, so nothing is certain before it and anything in the line may come first.
  for (let i = 0; i < walk.functions.length; i++) {
    const fn = walk.functions[i];
    // Its arguments are not known: `$1` stays unknown.
    if (!fn.called) walkBody(fn.body, { ...copyShell(fn.definedIn), succeeded: new Set(), positional: undefined }, { ...walk, via: fn.via, at: fn.at, concurrent: true });
  }
  const analysis: LineAnalysis = { commands: walk.out };
  if (walk.problems.length > 0) {
    analysis.unparseable = { reason: [...new Set(walk.problems)].join('; '), mentionsCoveredTool: mentionsCoveredTool(line) };
  }
  if (walk.unknown.length > 0) analysis.unknown = walk.unknown.filter((u, i) => walk.unknown.findIndex((v) => v.reason === u.reason) === i);
  return analysis;
}

/** The whole environment a command of the line runs with: `env` (the line's), as the line changed it. */
export function environmentOf(command: ShellCommand, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = command.clearEnv ? {} : { ...env };
  for (const name of command.unset ?? []) delete out[name];
  return Object.assign(out, command.env);
}

/** Shell text: the line itself, or a script handed to a shell (`bash -c`, `eval`, `watch`). */
function runText(text: string, state: ShellState, walk: Walk, top = false): void {
  if (walk.depth > maxDepth) {
    walk.problems.push(`shell text nested more than ${maxDepth} levels deep (${walk.via.join(' > ')})`);
    return;
  }
  walkScript(parse(text), state, { ...walk, depth: walk.depth + 1 }, top);
}

/** `top`: the statements are the line's own, so each records where it starts. */
function walkScript(script: Script & { errors?: readonly { message: string }[] }, state: ShellState, walk: Walk, top = false): void {
  for (const error of script.errors ?? []) walk.problems.push(error.message);
  for (const statement of script.commands) walkStatement(statement, state, top ? { ...walk, at: statement.pos } : walk);
}

function walkList(list: CompoundList, state: ShellState, walk: Walk): void {
  for (const statement of list.commands) walkStatement(statement, state, walk);
}

/** Whether the line already gave as many commands as are followed (and says so once). */
function full(walk: Walk): boolean {
  if (walk.out.length < maxCommands) return false;
  walk.problems.push(`more than ${maxCommands} commands`);
  return true;
}

function walkStatement(statement: Statement, state: ShellState, walk: Walk): void {
  if (full(walk)) return;
  const first = walk.out.length;
  walkNode(statement.command, statement.background ? copyShell(state) : state, statement.background ? { ...walk, concurrent: true } : walk);
  // After `;` or a newline the next statement runs whether this one succeeded or not.
  for (const index of state.succeeded) if (index >= first) state.succeeded.delete(index);
}

/** Walks one node; returns what it writes to stdout when that is known (`echo`, `cat <<EOF`). */
function walkNode(node: PipelineNode | AndOr, state: ShellState, walk: Walk, stdin?: string): string | undefined {
  switch (node.type) {
    case 'AndOr': {
      // `a || b` runs b where `a` failed, so from the shell as it was before `a`; the line then goes on
      // in the shell where `a` succeeded: b's `cd` does not count.
      // What certainly succeeded before each command: what did before the list, and the commands joined
      // to it by `&&` since the last `||`. The operators bind left to right, so `a || b && c` is
      // `(a || b) && c`: c runs after a succeeded and b never ran; b is not certain either.
      const entry = [...state.succeeded];
      let chain: number[] = [];
      let before = copyShell(state);
      node.commands.forEach((command, i) => {
        const orElse = i > 0 && node.operators[i - 1] === '||';
        if (orElse) chain = [];
        const next = copyShell(state);
        const into = orElse ? before : state;
        into.succeeded = new Set([...entry, ...chain]);
        const first = walk.out.length;
        walkNode(command, into, walk);
        if (!orElse) chain.push(...[...into.succeeded].filter((index) => index >= first));
        before = next;
      });
      return undefined;
    }
    case 'Pipeline': {
      const timed = node.prefixes.some((p) => p.type === 'Time') ? { ...walk, via: [...walk.via, 'time'] } : walk;
      if (node.prefixes.some((p) => p.type === 'Negation')) {
        // `! a && b` runs b when a failed: nothing in `a` succeeded for what follows.
        const first = walk.out.length;
        const out = node.commands.length === 1 ? walkNode(node.commands[0], state, timed, stdin) : walkNode({ ...node, prefixes: [] }, state, timed, stdin);
        for (const index of state.succeeded) if (index >= first) state.succeeded.delete(index);
        return out;
      }
      if (node.commands.length === 1) return walkNode(node.commands[0], state, timed, stdin);
      let input = stdin;
      node.commands.forEach((command, i) => {
        // A stage fed by one whose output is not known gets unknown input: `curl … | sh` runs unknown code.
        const piped = { ...timed, concurrent: true, ...(i === 0 ? {} : { pipedUnknown: input === undefined }) };
        input = walkNode(command, copyShell(state), piped, input);
      });
      return input;
    }
    case 'Command':
      return walkCommand(node, state, walk, stdin);
    case 'Subshell':
      walkList(node.body, copyShell(state), walk);
      return undefined;
    case 'BraceGroup':
      walkList(node.body, state, walk);
      return undefined;
    case 'If':
      walkList(node.clause, state, walk);
      walkList(node.then, state, walk);
      for (const branch of node.elif) {
        walkList(branch.clause, state, walk);
        walkList(branch.then, state, walk);
      }
      if (node.else) walkList(node.else, state, walk);
      return undefined;
    case 'For':
    case 'Select':
      for (const word of node.wordlist ?? []) scanSubstitutions(word, state, walk);
      forgetVariable(state, node.name.value);
      walkList(node.body, state, walk);
      return undefined;
    case 'ArithmeticFor':
      for (const part of [node.initialize, node.test, node.update]) if (part) scanSubstitutions(part, state, walk);
      walkList(node.body, state, walk);
      return undefined;
    case 'While':
      walkList(node.clause, state, walk);
      walkList(node.body, state, walk);
      return undefined;
    case 'Case':
      scanSubstitutions(node.word, state, walk);
      for (const item of node.items) {
        for (const pattern of item.pattern) scanSubstitutions(pattern, state, walk);
        walkList(item.body, state, walk);
      }
      return undefined;
    case 'TestCommand':
    case 'ArithmeticCommand':
      scanSubstitutions(node, state, walk);
      return undefined;
    case 'Redirected':
      for (const redirect of node.redirects) scanSubstitutions(redirect, state, walk);
      walkNode(node.command, state, walk);
      if (!walk.remote) noteRedirects(node.redirects, undefined, state.cwd, lookupIn(state));
      return undefined;
    case 'Function': {
      const fn: FunctionDefinition = { body: node.body, called: false, definedIn: copyShell(state), via: [...walk.via, `${node.name.value}()`], at: walk.at };
      state.functions.set(node.name.value, fn);
      // A file's functions (a sourced library) run only when called: by the line, the file, or a trap.
      if (walk.files.length === 0) walk.functions.push(fn);
      return undefined;
    }
    case 'Coproc':
      walkBody(node.body, copyShell(state), walk);
      return undefined;
  }
}

function walkBody(body: FunctionDefinition['body'] | Command, state: ShellState, walk: Walk): void {
  if (body.type === 'CompoundList') walkList(body, state, walk);
  else walkNode(body, state, walk);
}

/** Commands inside `$( … )`, backticks and `<( … )` anywhere in a word, a redirect or an expression. */
function scanSubstitutions(node: SyntaxNode, state: ShellState, walk: Walk): void {
  forEachChild(node, (child) => {
    if (child.type === 'CommandExpansion' || child.type === 'ProcessSubstitution' || child.type === 'ArithmeticCommandExpansion') {
      const via = child.type === 'ProcessSubstitution' ? `${child.operator}( )` : '$( )';
      const concurrent = walk.concurrent || child.type === 'ProcessSubstitution';
      if (child.script) walkScript(child.script, copyShell(state), { ...walk, via: [...walk.via, via], concurrent });
      else walk.problems.push(`cannot read ${child.text}`);
      return;
    }
    scanSubstitutions(child, state, walk);
  });
}

function walkCommand(command: Command, state: ShellState, walk: Walk, piped: string | undefined): string | undefined {
  scanSubstitutions(command, state, walk);
  if (command.name && expandAlias(command, state, (text) => runText(text, state, { ...walk, via: [...walk.via, `alias ${command.name!.text}`] }))) return undefined;
  const lookup = lookupIn(state);
  const assignments = command.prefix.filter((p): p is Assignment => p.type === 'Assignment');
  if (!command.name) {
    for (const a of assignments) setVariable(state, a.name, assignedValue(a, lookup));
    return undefined;
  }
  const prefix: Record<string, string> = {};
  for (const a of assignments) prefix[a.name] = assignedValue(a, lookup);
  const argv = expandWord(command.name, lookup);
  // `read c < cmds; $c`, `… | { read -r a b; $a $b; }`: a command word read at run time from input the line does not show.
  const read = argv.length > 0 && !isKnown(argv[0]) ? [...(state.fromInput ?? [])].find((name) => new RegExp(`\\$\\{?${name}\\b`).test(command.name!.text)) : undefined;
  if (read !== undefined) walk.unknown.push({ reason: `${command.name.text} is a command read at run time into $${read}, from input the line does not show` });
  // `$(echo cmFpbHdheSBkb3du | base64 -d)` alone: a substitution's output is the whole command, arguments and all.
  // (Its own word: shell text that is itself unknown, `eval "$(…)"`, is reported where it is run.)
  else if (argv.length === 1 && command.suffix.length === 0 && /[$`]/.test(command.name.text) && !isKnown(argv[0]) && /\$\(|`/.test(reveal(argv[0])) && certainTool(argv[0], state.cwd) === undefined) {
    walk.unknown.push({ reason: `${reveal(argv[0])} runs a command made at run time, whose words are not known` });
  }
  const tool = argv.length > 0 && !isKnown(argv[0]) ? certainTool(argv[0], state.cwd) : undefined;
  if (tool !== undefined) argv[0] = tool;
  for (const item of command.suffix) {
    if (item.type === 'Word') argv.push(...expandWord(item, lookup));
    else if (item.type === 'Assignment') argv.push(`${item.name}${item.append ? '+=' : '='}${assignedValue(item, lookup)}`);
  }
  const env = changeEnv(commandEnv(state), { set: prefix });
  const fromStdin = (operators: string[]) =>
    command.redirects.some((r) => (r.descriptor === undefined || (r.descriptor.type === 'FileDescriptor' && r.descriptor.value === 0)) && operators.includes(r.operator));
  const input = inputOf(command.redirects, lookup, piped, walk.remote ? undefined : state.cwd);
  const cwd = state.cwd;
  // Input from a file that cannot be read is as unknown as a pipe's (`sh < fetched.sh`).
  const output = run(
    argv,
    env,
    input,
    state,
    fromStdin(['<', '<<', '<<-', '<<<', '<>', '<&']) ? { ...walk, pipedUnknown: input === undefined } : walk,
    cwd,
    true,
    input === undefined && fromStdin(['<', '<>', '<&']),
  );
  // What it writes to files is what later commands of the line may run.
  if (!walk.remote) {
    noteCommandWrites(argv, input, cwd);
    noteRedirects(command.redirects, output, cwd, lookup);
  }
  return output;
}

function assignedValue(a: Assignment, lookup: Lookup): string {
  const value = a.value.type === 'ArrayValue' ? arrayValue(a, lookup) : expandText(a.value, lookup);
  return a.append ? (lookup(a.name) ?? opaque(`$${a.name}`)) + value : value;
}

/** `a=(railway down)`: its elements' words, blank-separated (`${a[@]}` gives them back); opaque when one is unknown. */
function arrayValue(a: Assignment, lookup: Lookup): string {
  const words = a.value.type === 'ArrayValue' ? a.value.elements.flatMap((element) => expandWord(element, lookup)) : [];
  return words.every(isKnown) ? words.join(' ') : opaque(a.text.slice(a.text.indexOf('=') + 1));
}

/** What the command reads on stdin: its last input redirect, else what the pipe brings. No cwd: files are not ours to read. */
function inputOf(redirects: readonly Redirection[], lookup: Lookup, piped: string | undefined, cwd: string | undefined): string | undefined {
  let input = piped;
  for (const r of redirects) {
    const fd = r.descriptor === undefined ? 0 : r.descriptor.type === 'FileDescriptor' ? r.descriptor.value : -1;
    if (fd !== 0) continue;
    if (r.type === 'HereDoc') input = expandHeredoc(r.body, r.delimiter?.quoted ?? false, r.operator === '<<-', lookup);
    else if (r.type === 'HereString') input = `${r.target ? expandText(r.target, lookup) : ''}\n`;
    else if (r.operator === '<' && r.target) input = cwd === undefined ? undefined : readRedirectedFile(expandText(r.target, lookup), cwd);
    else if (r.operator === '<>' || r.operator === '<&') input = undefined;
  }
  return input;
}

/** `< file`: a regular file's text, read now so the command's input can be judged; else unknown. */
function readRedirectedFile(path: string, cwd: string): string | undefined {
  try {
    const file = resolve(cwd, path);
    const written = writtenText(file);
    if (written !== null) return written;
    const stat = statSync(file);
    return stat.isFile() && stat.size <= 64 * 1024 * 1024 ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs argv as the shell would: a builtin changes the shell, a wrapper or a shell is looked through, and
 * anything else is a command of the line. Returns its output when it is known.
 */
function run(argv: string[], env: CommandEnv, stdin: string | undefined, state: ShellState, walk: Walk, cwd: string, inShell: boolean, stdinUnknown = false): string | undefined {
  if (argv.length === 0) return undefined;
  if (inShell && runBuiltin(argv, env, stdin, state, walk)) return undefined;

  // A shell first runs its startup files and variables (BASH_ENV, ~/.bashrc for -i, PROMPT_COMMAND).
  const startup = shellStartup(argv, (name) => env.set[name] ?? lookupIn(state)(name), cwd);
  if (startup) runLaunch(startup, env, undefined, state, walk, cwd, false, false);
  const launch: Launch | undefined = wrapperLaunch(argv, stdin) ?? shellLaunch(argv, stdin) ?? runnerLaunch(argv);
  if (launch) {
    runLaunch(launch, env, stdin, state, walk, cwd, inShell, stdinUnknown);
    return undefined;
  }
  // A covered tool under another name (a copy, a link, a package's file) is that tool, not a file to read.
  if (walk.identities && walk.identities.commands(argv, pathOf(env, walk), cwd)[0] !== argv) {
    emit(argv, env, stdin, cwd, walk, state, stdinUnknown);
    return undefined;
  }
  const indirect = followIndirect(argv, { cwd, lookup: (name) => env.set[name] ?? lookupIn(state)(name), stdin, stdinUnknown: walk.pipedUnknown === true, remote: walk.remote, via: walk.via });
  if (indirect) {
    follow(indirect, env, state, walk, cwd, inShell, stdin);
    return undefined;
  }

  emit(argv, env, stdin, cwd, walk, state, stdinUnknown);
  // Shell text it carries (`awk 'BEGIN{system(…)}'`, `git -c core.pager=…`, `PAGER=… git log`): carried.ts.
  const carried = carriedLaunches(argv, env.set, { cwd, remote: walk.remote, home: walk.env.HOME }, stdin);
  for (const launch of carried) runLaunch(launch, env, stdin, state, walk, cwd, false, stdinUnknown);
  // A program nobody described may run its arguments (`gosu postgres psql …`): read the dangerous way too.
  // (`vagrant ssh -c CMD` is read as ssh to the machine, not as ssh with host `-c`.)
  const guessed = carried.length > 0 && commandName(argv[0]) === 'vagrant' ? undefined : unknownRunnerLaunch(argv);
  if (guessed) runLaunch(guessed, env, stdin, state, walk, cwd, false, stdinUnknown);
  return outputOf(argv, stdin);
}

/** Looks through a wrapper, a shell or a runner at what it runs, as if that had been typed. */
function runLaunch(launch: Launch, env: CommandEnv, stdin: string | undefined, state: ShellState, walk: Walk, cwd: string, inShell: boolean, stdinUnknown: boolean): void {
  const next = changeEnv(env, launch);
  const where = launch.chdir !== undefined ? resolve(cwd, launch.chdir) : cwd;
  const inner = { ...walk, via: [...walk.via, launch.via] };
  // `sh -c "$(cat wipe.sh)"`, `bash -c "$CMD"`: shell text whose commands are not known.
  if (launch.script !== undefined && !isKnown(String.fromCodePoint(launch.script.trimStart().codePointAt(0) ?? 32))) walk.unknown.push({ reason: `${launch.via} runs ${reveal(launch.script)}, whose text is not known` });
  if (launch.script !== undefined) runText(launch.script, childShell(state, next, where, launch.positional), inner);
  for (const runs of launch.runs ?? []) run(runs, next, launch.stdin === 'none' ? undefined : stdin, state, inner, where, inShell && launch.inShell === true, launch.stdin !== 'none' && stdinUnknown);
}

/** Builtins that change the shell itself. Returns false for anything else. */
function runBuiltin(argv: string[], env: CommandEnv, stdin: string | undefined, state: ShellState, walk: Walk): boolean {
  const [name, ...args] = argv;
  switch (name) {
    case 'cd':
    case 'pushd':
    case 'popd':
      emit(argv, env, stdin, state.cwd, walk, state);
      changeDirectory(state, argv);
      return true;
    case 'export':
    case 'declare':
    case 'typeset':
    case 'local':
    case 'readonly':
      emit(argv, env, stdin, state.cwd, walk, state);
      declare(state, name, args);
      return true;
    case 'unset':
      emit(argv, env, stdin, state.cwd, walk, state);
      if (!args.includes('-f')) for (const a of args) if (!a.startsWith('-')) unsetVariable(state, a);
      return true;
    case 'read':
    case 'mapfile':
    case 'readarray': {
      // What it reads from an input the line shows sets its variables (src/shell/reads.ts).
      emit(argv, env, stdin, state.cwd, walk, state);
      const input = stdin !== undefined && isKnown(stdin) ? stdin : undefined;
      const ifs = 'IFS' in env.set ? env.set.IFS : lookupIn(state)('IFS');
      const read = name === 'read' ? readBuiltin(args, input, ifs) : mapfileBuiltin(args, input);
      for (const [variable, value] of read.values) setVariable(state, variable, value);
      for (const variable of read.unknown) {
        forgetVariable(state, variable);
        (state.fromInput ??= new Set()).add(variable);
      }
      for (const variable of read.values.keys()) state.fromInput?.delete(variable);
      if (read.callback !== undefined) runText(read.callback, state, { ...walk, via: [...walk.via, `${name} -C`] });
      return true;
    }
    case 'printf': {
      // `printf -v NAME FORMAT ARGS…` prints into a variable.
      if (args[0] !== '-v' || args.length < 3 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(args[1])) return false;
      emit(argv, env, stdin, state.cwd, walk, state);
      const known = [args[2], ...args.slice(3)].every(isKnown);
      setVariable(state, args[1], known ? printf(args[2], args.slice(3)) : opaque(`$${args[1]}`));
      return true;
    }
    case 'set': {
      emit(argv, env, stdin, state.cwd, walk, state);
      const positional = setPositional(args);
      if (positional) state.positional = [state.positional?.[0] ?? 'bash', ...positional];
      return true;
    }
    case 'eval': {
      if (!isKnown(args.join(' ')) && !isSetupGenerator(reveal(args.join(' ')))) walk.unknown.push({ reason: `eval runs ${reveal(args.join(' '))}, whose text is not known` });
      // `IFS=, eval '$c'`: the text runs with the eval's own assignments (bash keeps them for its duration).
      const saved = new Map<string, ReturnType<typeof state.vars.get>>();
      for (const [k, v] of Object.entries(env.set)) {
        if (state.vars.get(k)?.value === v) continue;
        saved.set(k, state.vars.get(k));
        state.vars.set(k, { value: v, exported: true });
      }
      runText(args.join(' '), state, { ...walk, via: [...walk.via, 'eval'] });
      for (const [k, v] of saved) if (v === undefined) state.vars.delete(k); else state.vars.set(k, v);
      return true;
    }
    case 'trap': {
      // `trap 'TEXT' EXIT INT …` runs TEXT later, when a signal comes or the shell exits: judged like
      // a line of its own that may run after anything else in this one.
      emit(argv, env, stdin, state.cwd, walk, state);
      const operands = args[0] === '--' ? args.slice(1) : args;
      if (operands.length >= 2 && !operands[0].startsWith('-')) {
        runText(operands[0], { ...copyShell(state), succeeded: new Set() }, { ...walk, via: [...walk.via, 'trap'], concurrent: true });
      }
      return true;
    }
    case 'alias':
    case 'unalias':
      emit(argv, env, stdin, state.cwd, walk, state);
      setAliases(state, argv);
      return true;
  }
  const fn = state.functions.get(name);
  if (!fn) return false;
  if (!walk.calling.includes(name)) {
    fn.called = true;
    // In the body, `$1`… are the call's arguments (`$0` stays the shell's).
    const outer = state.positional;
    state.positional = [outer?.[0] ?? 'bash', ...args];
    walkBody(fn.body, state, { ...walk, via: [...walk.via, `${name}()`], calling: [...walk.calling, name] });
    state.positional = outer;
  }
  return true;
}

/** `export A=1 B`, `declare -x A=1`, `local A=1`: sets and exports variables. */
function declare(state: ShellState, name: string, args: string[]): void {
  let exported: boolean | undefined = name === 'export' ? true : undefined;
  for (const arg of args) {
    if (/^[-+][a-zA-Z]+$/.test(arg)) {
      if (arg.includes('f')) return;
      if (arg.includes('x')) exported = arg.startsWith('-');
      if (name === 'export' && arg.includes('n')) exported = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const variable = eq < 0 ? arg : arg.slice(0, eq).replace(/\+$/, '');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) continue;
    if (eq >= 0) setVariable(state, variable, arg.slice(eq + 1), exported);
    else if (exported !== undefined) exportVariable(state, variable, exported);
  }
}

/**
 * What a command's file or code runs (indirect.ts): shell text in a new shell or this one, argv, and
 * what could not be read. Files nest at most `maxFileDepth` deep, and a file that runs itself is a loop.
 */
function follow(found: Followed, env: CommandEnv, state: ShellState, walk: Walk, cwd: string, inShell: boolean, stdin?: string): void {
  walk.unknown.push(...found.unknown.map((u) => ({ ...u, reason: walk.via.length > 0 ? `${u.reason} (via ${walk.via.join(' > ')})` : u.reason })));
  for (const text of found.texts) {
    const file = text.file;
    const inner = { ...walk, via: [...walk.via, text.via] };
    if (file !== undefined && walk.files.includes(file)) {
      walk.unknown.push({ reason: `${file.replace(/#.*/, '')} runs itself (${[...walk.files, file].join(' > ')})`, file: file.replace(/#.*/, '') });
      continue;
    }
    if (walk.files.length >= maxFileDepth) {
      walk.unknown.push({ reason: `scripts run scripts more than ${maxFileDepth} deep (${[...walk.files, file ?? text.via].join(' > ')})`, ...(file ? { file: file.replace(/#.*/, '') } : {}) });
      continue;
    }
    const where = text.cwd ?? cwd;
    const next = changeEnv(env, { set: text.set ?? {} });
    // A sourced file runs in this shell (its `cd`, exports and functions stay), with its own `$1`… if given.
    const shell = text.inShell ? (inShell ? state : copyShell(state)) : childShell(state, next, where, text.positional ?? ['sh']);
    const outer = shell.positional;
    if (text.inShell && text.positional) shell.positional = text.positional;
    const script = parse(text.text) as Script & { errors?: readonly { message: string }[] };
    const reading = { ...inner, files: file !== undefined ? [...walk.files, file] : walk.files, pipedUnknown: false };
    for (const error of script.errors ?? []) walk.unknown.push({ reason: `cannot parse ${file?.replace(/#.*/, '') ?? text.via}: ${error.message}`, ...(file ? { file: file.replace(/#.*/, '') } : {}) });
    for (const statement of script.commands) walkStatement(statement, shell, reading);
    if (text.inShell) shell.positional = outer;
  }
  // A command a runner starts (`bundle exec`, `python manage.py`, a project binary) reads the runner's stdin.
  for (const r of found.runs) run(r.argv, changeEnv(env, { set: r.set ?? {} }), stdin, copyShell(state), { ...walk, via: [...walk.via, r.via] }, r.cwd ?? cwd, false);
}

function emit(words: string[], env: CommandEnv, stdin: string | undefined, cwd: string, walk: Walk, state: ShellState, stdinUnknown = false): void {
  if (full(walk)) return;
  const after = [...state.succeeded].sort((a, b) => a - b);
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(env.set)) set[k] = reveal(v);
  // The file a command word names may be a covered tool by another name (a copy, a link, a package's file).
  const path = pathOf(env, walk);
  const commands = walk.identities ? walk.identities.commands(words, path, cwd) : [words];
  for (const argv of commands) {
    const name = commandName(argv[0]);
    const first = argv[0].includes('/') && isCovered(reveal(name)) ? name : argv[0];
    const seen = argv === words ? [] : [`${reveal(words[0])} is ${argv[0]}`];
    walk.out.push({
      argv: [first, ...argv.slice(1)].map(reveal),
      cwd: reveal(cwd),
      env: set,
      ...(env.unset.length > 0 ? { unset: [...env.unset] } : {}),
      ...(env.clear ? { clearEnv: true } : {}),
      ...(stdin !== undefined ? { stdin: reveal(stdin) } : {}),
      ...(stdinUnknown ? { stdinUnknown: true } : {}),
      via: [...walk.via, ...seen],
      ...(walk.at !== undefined ? { offset: walk.at } : {}),
      ...(after.length > 0 ? { after } : {}),
      ...(walk.concurrent ? { concurrent: true } : {}),
      ...(!isKnown(argv[0]) ? { computed: reveal(argv[0]) } : {}),
    });
    // Until a `;`, `||` or `!` says otherwise, what follows runs only if this succeeded.
    state.succeeded.add(walk.out.length - 1);
  }
  walk.identities?.observe(words, path, cwd);
}

/** The PATH a command of the line searches: the line's own, as the line changed it. */
function pathOf(env: CommandEnv, walk: Walk): string | undefined {
  return 'PATH' in env.set ? env.set.PATH : env.clear || env.unset.includes('PATH') ? undefined : walk.env.PATH;
}

/** What `echo`, `printf`, `cat` and `tee` write, when their words and input are known. */
function outputOf(argv: string[], stdin: string | undefined): string | undefined {
  const [name, ...args] = argv;
  let out: string | undefined;
  switch (commandName(name)) {
    case 'echo': {
      let i = 0;
      let newline = true;
      let escapes = false;
      for (; i < args.length && /^-[neE]+$/.test(args[i]); i++) {
        if (args[i].includes('n')) newline = false;
        if (args[i].includes('e')) escapes = true;
      }
      const text = args.slice(i).join(' ');
      out = (escapes ? unescape(text) : text) + (newline ? '\n' : '');
      break;
    }
    case 'printf':
      out = args.length > 0 && args[0] !== '-v' ? printf(args[0], args.slice(1)) : undefined;
      break;
    case 'cat':
      out = args.every((a) => a === '-' || /^-[a-zA-Z]+$/.test(a)) ? stdin : undefined;
      break;
    case 'tee':
      out = stdin;
      break;
  }
  return out !== undefined && isKnown(out) ? out : undefined;
}

function unescape(text: string): string {
  const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\u0007', '0': '\0' };
  return text.replace(/\\(.)/g, (whole, c: string) => named[c] ?? whole);
}

/** printf's common conversions (%s %b %d %i %%), the format reused while arguments remain. */
function printf(format: string, args: string[]): string {
  let out = '';
  let next = 0;
  for (let round = 0; round < 64; round++) {
    let used = 0;
    out += unescape(format).replace(/%[-+ #0]*\d*(?:\.\d+)?([sbdiuxXoc%])/g, (_whole, conversion: string) => {
      if (conversion === '%') return '%';
      used++;
      const arg = args[next++] ?? '';
      return conversion === 'b' ? unescape(arg) : arg;
    });
    if (used === 0 || next >= args.length) break;
  }
  return out;
}
