// Commands whose real work is written somewhere else: a script run by path or by a shell
// (`./wipe.sh`, `bash -x wipe.sh prod`), a sourced file (`source .env`, `. ./lib.sh`), code fed to a
// shell that the line does not show (`curl … | sh`, `bash <(curl …)`), a Makefile target, a
// package.json script, a crontab's entries, an interpreter's code (`python3 -c`, `node -e`, `python3 x.py`). Each is read,
// never run, and handed back as what it runs (shell text, argv) or as unknown, with the reason and file.
// An agent's next move after a refusal is to put the same command in a file and run the file; the file
// must then be judged like the line.

import { isCovered } from '../tools/index.js';
import { appRunnerFollow } from './app-runners.js';
import { isSetupGenerator } from './computed.js';
import { cronFollow } from './cron.js';
import { readTextFile, shebangOf, sourcePath, type FileRead } from './files.js';
import { interpreterFollow, interpreterOf, mentionsGuarded, nodeOptionsPreload, readProgram } from './interpreters.js';
import { commandName } from './launch.js';
import { makeFollow } from './make.js';
import { localBinaryFollow, packageFollow } from './packages.js';
import { readShellArgs, shells } from './shells.js';
import { execPathFile, gitScriptOf, sourcedArguments } from './git-scripts.js';
import { isKnown, reveal } from './words.js';

/** Scripts running scripts (sourced files, Makefile targets, package scripts) deeper than this are unreadable. */
export const maxFileDepth = 8;

/** Something a line runs that cannot be read: gated for an agent, confirmed by a human. */
export interface Unknown {
  reason: string;
  /** The file it is about, when it is about one. */
  file?: string;
}

/** Shell text a command runs: a script's in a new shell, a sourced file's in the current one. */
export interface ShellText {
  text: string;
  /** The file it was read from, for loops, depth and messages. */
  file?: string;
  /** Runs in the current shell (`source`): its `cd`, variables and functions persist. */
  inShell?: boolean;
  /** `$0`, `$1`, …; a sourced file without arguments keeps the caller's. */
  positional?: string[];
  /** The directory it runs in, when not the command's own (`make -C db`, a package's directory). */
  cwd?: string;
  /** Variables it gets (`make VAR=x`, npm's `node_modules/.bin` PATH). */
  set?: Record<string, string>;
  via: string;
}

export interface Followed {
  texts: ShellText[];
  runs: { argv: string[]; cwd?: string; set?: Record<string, string>; via: string }[];
  unknown: Unknown[];
}

export interface FollowContext {
  cwd: string;
  /** The command's variables (PATH for `source NAME`). */
  lookup: (name: string) => string | undefined;
  /** What is fed to its stdin when known. */
  stdin: string | undefined;
  /** Its stdin is a pipe from something whose output is not known (`curl … | sh`). */
  stdinUnknown: boolean;
  /** The line runs on another machine: none of this machine's files is read. */
  remote: boolean;
  /** What ran the command, outermost first (`npx` makes a bare word a project binary). */
  via?: readonly string[];
}

export const followed = (part: Partial<Followed>): Followed => ({ texts: [], runs: [], unknown: [], ...part });
export const unknownCode = (reason: string, file?: string): Followed => followed({ unknown: [{ reason, ...(file ? { file } : {}) }] });

/** What argv really runs when its work is in a file or in code; undefined for an ordinary command. */
export function followIndirect(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  if (name === 'source' || name === '.') return sourceFollow(argv, ctx);
  if (shells.includes(name)) {
    const shell = shellFollow(argv, ctx);
    if (shell) return shell;
  }
  const found = appRunnerFollow(argv, ctx) ?? cronFollow(argv, ctx) ?? interpreterFollow(argv, ctx) ?? makeFollow(argv, ctx) ?? packageFollow(argv, ctx) ?? pathFollow(argv, ctx) ?? localBinaryFollow(argv, { ...ctx, via: ctx.via ?? [] });
  const preload = nodeOptionsPreload(argv, ctx);
  if (!preload) return found;
  return found ? { texts: [...preload.texts, ...found.texts], runs: [...preload.runs, ...found.runs], unknown: [...preload.unknown, ...found.unknown] } : preload;
}

/** `bash [options] FILE [args]`, `bash` reading a pipe it cannot see, `bash <(curl …)`. */
function shellFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  const { command, fromStdin, operand } = readShellArgs(argv);
  if (command) return undefined;
  const file = argv[operand];
  if (file === undefined || fromStdin) {
    return ctx.stdin === undefined && ctx.stdinUnknown ? unknownCode(`${name} runs the commands it reads from its input, which is not known`) : undefined;
  }
  if (!isKnown(file)) {
    const named = execPathFile(reveal(file), ctx.lookup);
    if (named) return scriptFile(named, [named, ...argv.slice(operand + 1)], ctx, name, true);
    return unknownCode(`${name} runs a script from ${reveal(file)}, whose text is not known`);
  }
  return scriptFile(file, [file, ...argv.slice(operand + 1)], ctx, name, true);
}

/** `source FILE [args]`, `. FILE`: the file runs in this shell. */
function sourceFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = argv[0];
  const file = argv[1] === undefined || isKnown(argv[1]) ? argv[1] : execPathFile(reveal(argv[1]), ctx.lookup) ?? argv[1];
  if (file === undefined) return undefined;
  if (!isKnown(file)) return isSetupGenerator(reveal(file)) ? followed({}) : unknownCode(`${name} runs ${reveal(file)}, whose text is not known`);
  if (ctx.remote) return unknownCode(`${name} ${file} runs a file of another machine, which is not read here`);
  const read = readTextFile(ctx.cwd, sourcePath(ctx.cwd, file, ctx.lookup('PATH')));
  if ('missing' in read) return undefined;
  if ('error' in read) return unknownCode(`${name} ${file}: ${read.error}`, read.file);
  const git = gitScriptOf(read.text, ctx.lookup);
  if (git) return followed({ runs: [{ argv: ['git', git, ...sourcedArguments(git, argv.slice(2), ctx.lookup)], via: `${name} ${file} (git ${git})` }] });
  return followed({ texts: [{ text: read.text, file: read.file, inShell: true, ...(argv.length > 2 ? { positional: [file, ...argv.slice(2)] } : {}), via: `${name} ${file}` }] });
}

/** `./deploy.sh`, `scripts/wipe`, `/opt/bin/x`: a command named by a path is read when it is a script. */
function pathFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const word = isKnown(argv[0]) ? argv[0] : execPathFile(reveal(argv[0]), ctx.lookup) ?? argv[0];
  if (!word.includes('/') || !isKnown(word)) return undefined;
  // A covered tool reached by path (`node_modules/.bin/railway`) is that tool, judged by its own rules;
  // an installed package's program (`node_modules/.bin/tsc`) is a program like any other, not read.
  if (isCovered(commandName(word)) || isInstalled(word)) return undefined;
  return scriptFile(word, [...argv], ctx, word, false);
}

/**
 * A script file run with `args` (`$0` first). With `viaShell` a shell reads it whatever its `#!` says
 * (`bash x.py` runs x.py as shell); run by path, its `#!` line picks the interpreter, and a file
 * without one is run by the shell.
 */
function scriptFile(path: string, args: string[], ctx: FollowContext, via: string, viaShell: boolean): Followed | undefined {
  if (ctx.remote) return unknownCode(`${via} runs a script of another machine, which is not read here`);
  const read: FileRead = readTextFile(ctx.cwd, path);
  if ('missing' in read) return undefined;
  // A compiled program is a command like any other: its name is all that can be judged.
  if ('error' in read) return read.error.endsWith('is a binary file') && !viaShell ? undefined : unknownCode(`${via}: ${read.error}`, read.file);
  // One of git's own scripts (git-filter-branch), wherever it lies: the git command it is (git-scripts.ts).
  const git = gitScriptOf(read.text, ctx.lookup);
  if (git) return followed({ runs: [{ argv: ['git', git, ...args.slice(1)], via: `${viaShell ? `${via} ${path}` : via} (git ${git})` }] });
  const interpreter = viaShell ? undefined : shebangOf(read.text);
  if (interpreter !== undefined && !shells.includes(interpreter)) {
    const language = interpreterOf(interpreter);
    if (language) return readProgram(language, read.text, `${via} (${interpreter})`, ctx, read.file, args.slice(1));
    // An interpreter no reader here knows (awk, php, …): unknown when it names what chaperone guards.
    return mentionsGuarded(read.text) ? unknownCode(`${via} is run by ${interpreter}, which chaperone cannot read, and it names a tool or API chaperone guards`, read.file) : undefined;
  }
  return followed({ texts: [{ text: read.text, file: read.file, positional: args, via: viaShell ? `${via} ${path}` : via }] });
}

/** Code of an installed package (under node_modules): a program, judged by its name, never read. */
export function isInstalled(path: string): boolean {
  return /(^|\/)node_modules\//.test(path);
}
