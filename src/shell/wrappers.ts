// Commands that run the rest of their arguments as a command: `sudo -u deploy railway up`,
// `timeout -s KILL 10 psql …`, `env -i AWS_PROFILE=prod aws …`, `xargs -n1 kubectl delete ns`. Each is
// described by which of its options take a value, so the command can be found after them.

import type { Launch } from './launch.js';
import { commandName } from './launch.js';
import { has, readOptions, valueOf, type OptionGrammar } from './options.js';
import { splitWords } from '../tools/shell-words.js';
import { readShellArgs, shells } from './shells.js';
import { opaque } from './words.js';

interface Wrapper extends OptionGrammar {
  /** Options after which nothing is run (`sudo -l`, `command -v`). */
  inert?: readonly string[];
  /** Operands before the command (`timeout 10 cmd`: 1). */
  operands?: number;
  /** Options that set the directory the command runs in. */
  chdir?: readonly string[];
  /** Takes `NAME=value` words before the command (sudo). */
  assignments?: boolean;
  /** A shell builtin: the command runs inside the current shell. */
  inShell?: boolean;
}

const wrappers: Record<string, Wrapper> = {
  sudo: {
    values: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user', '--host'],
    inert: ['-e', '--edit', '-l', '--list', '-v', '--validate', '-V', '--version', '-K', '--remove-timestamp', '-h', '--help'],
    chdir: ['-D', '--chdir'],
    assignments: true,
  },
  doas: { values: ['-u', '-C'], inert: ['-C', '-L'] },
  nice: { values: ['-n', '--adjustment'] },
  ionice: {
    values: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'],
    inert: ['-p', '--pid', '-P', '--pgid', '-u', '--uid'],
  },
  timeout: { values: ['-k', '--kill-after', '-s', '--signal'], operands: 1 },
  stdbuf: { values: ['-i', '--input', '-o', '--output', '-e', '--error'] },
  chronic: {},
  nohup: {},
  setsid: {},
  time: { values: ['-f', '--format', '-o', '--output'] },
  caffeinate: { values: ['-t', '-w'] },
  exec: { values: ['-a'] },
  command: { inert: ['-v', '-V'], inShell: true },
  builtin: { inShell: true },
};

export function wrapperLaunch(argv: readonly string[], stdin: string | undefined): Launch | undefined {
  const name = commandName(argv[0]);
  const args = argv.slice(1);
  switch (name) {
    case 'env':
      return envLaunch(args);
    case 'xargs':
      return xargsLaunch(args, stdin);
    case 'watch':
      return watchLaunch(args);
    case 'find':
      return findLaunch(args);
    case 'su':
    case 'runuser':
      return suLaunch(name, args);
    case 'parallel':
    case 'sem':
      return parallelLaunch(name, args, stdin);
    case 'at':
    case 'batch':
      return atLaunch(name, args, stdin);
    case 'script':
      return scriptLaunch(args);
    case 'unbuffer':
      return args[0] === '-p' ? (args.length > 1 ? { via: 'unbuffer', runs: [args.slice(1)] } : undefined) : args.length > 0 ? { via: 'unbuffer', runs: [args] } : undefined;
    case 'tmux':
      return tmuxLaunch(args);
    case 'screen':
      return screenLaunch(args);
    case 'expect':
      return expectLaunch(args);
  }
  const wrapper = Object.hasOwn(wrappers, name) ? wrappers[name] : undefined;
  if (!wrapper) return undefined;
  const read = readOptions(args, wrapper);
  if (wrapper.inert && has(read, ...wrapper.inert)) return undefined;
  let rest = read.rest.slice(wrapper.operands ?? 0);
  const set: Record<string, string> = {};
  if (wrapper.assignments) {
    while (rest.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0])) {
      const eq = rest[0].indexOf('=');
      set[rest[0].slice(0, eq)] = rest[0].slice(eq + 1);
      rest = rest.slice(1);
    }
  }
  if (rest.length === 0) return undefined;
  const chdir = wrapper.chdir ? valueOf(read, ...wrapper.chdir) : undefined;
  return {
    via: name,
    runs: [rest],
    ...(Object.keys(set).length > 0 ? { set } : {}),
    ...(chdir !== undefined ? { chdir } : {}),
    ...(wrapper.inShell ? { inShell: true } : {}),
  };
}

/** `env [-i] [-u NAME] [-C DIR] [-S 'WORDS'] [NAME=VALUE]… [COMMAND [ARG]…]` (GNU coreutils). */
function envLaunch(input: readonly string[]): Launch | undefined {
  const args = [...input];
  const set: Record<string, string> = {};
  const unset: string[] = [];
  let clear = false;
  let chdir: string | undefined;
  let i = 0;
  const valueAt = (word: string, flag: string) => (word.length > flag.length ? word.slice(flag.length) : args[++i]);
  for (; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      i++;
      break;
    }
    if (word === '-' || word === '-i' || word === '--ignore-environment') clear = true;
    else if (word.startsWith('--unset=')) unset.push(word.slice(8));
    else if (word === '--unset') unset.push(args[++i]);
    else if (word.startsWith('--chdir=')) chdir = word.slice(8);
    else if (word === '--chdir') chdir = args[++i];
    else if (word.startsWith('--split-string=') || word === '--split-string' || word.startsWith('-S')) {
      const text = word.startsWith('--split-string=') ? word.slice(15) : word === '--split-string' ? args[++i] : valueAt(word, '-S');
      args.splice(i + 1, 0, ...(splitWords(text ?? '', 'env') ?? []));
    } else if (word.startsWith('-u')) unset.push(valueAt(word, '-u'));
    else if (word.startsWith('-C')) chdir = valueAt(word, '-C');
    else if (word === '-a' || word === '--argv0') i++;
    else if (/^-[i0v]+$/.test(word)) clear ||= word.includes('i');
    else if (!word.startsWith('-')) break;
  }
  for (; i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]); i++) {
    const eq = args[i].indexOf('=');
    set[args[i].slice(0, eq)] = args[i].slice(eq + 1);
  }
  const rest = args.slice(i);
  if (rest.length === 0) return undefined;
  return {
    via: 'env',
    runs: [rest],
    ...(Object.keys(set).length > 0 ? { set } : {}),
    ...(unset.length > 0 ? { unset: unset.filter((u) => u !== undefined) } : {}),
    ...(clear ? { clear } : {}),
    ...(chdir !== undefined ? { chdir } : {}),
  };
}

const xargsGrammar: OptionGrammar = {
  values: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var', '-J', '-R', '-S'],
  attached: ['-e', '--eof', '-i', '--replace', '-l', '--max-lines'],
};

/** The most input lines `xargs -I` is followed through; past that the command is shown once, unfilled. */
const maxXargsLines = 16;

/**
 * `xargs [options] [command [initial-arguments]]`: the command (echo by default) with arguments read
 * from stdin. When stdin is known (`echo a b | xargs …`) they are filled in; otherwise the command is
 * what it would be run with before them.
 */
function xargsLaunch(args: readonly string[], stdin: string | undefined): Launch {
  const read = readOptions(args, xargsGrammar);
  const command = read.rest.length > 0 ? read.rest : ['echo'];
  const replace = valueOf(read, '-I', '-J') ?? (has(read, '-i', '--replace') ? valueOf(read, '-i', '--replace') ?? '{}' : undefined);
  let runs = [command];
  if (stdin === undefined || has(read, '-a', '--arg-file')) {
    // Input not known here: what it fills in is unknown (`… | xargs -I{} sh -c '{}'` runs whatever comes).
    if (replace !== undefined && replace !== '') runs = [command.map((word) => word.split(replace).join(opaque(replace)))];
    else if (shells.includes(commandName(command[0])) && readShellArgs(command).command && readShellArgs(command).operand >= command.length) runs = [[...command, opaque('<input>')]];
  } else {
    if (replace !== undefined) {
      const lines = stdin.split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length > 0 && lines.length <= maxXargsLines) runs = lines.map((line) => command.map((word) => word.split(replace).join(line)));
    } else {
      const delimiter = has(read, '-0', '--null') ? '\0' : valueOf(read, '-d', '--delimiter');
      const items = (delimiter === undefined ? stdin.split(/\s+/) : stdin.split(delimiter)).filter(Boolean);
      runs = items.length === 0 && has(read, '-r', '--no-run-if-empty') ? [] : [[...command, ...items]];
    }
  }
  return { via: 'xargs', runs, stdin: 'none' };
}

const watchGrammar: OptionGrammar = {
  values: ['-n', '--interval', '-q', '--equexit', '-s', '--shotsfile'],
  attached: ['-d', '--differences'],
};

/** `watch [options] command`: the words are joined and run by `sh -c`, unless `-x` runs them as argv. */
function watchLaunch(args: readonly string[]): Launch | undefined {
  const read = readOptions(args, watchGrammar);
  if (read.rest.length === 0) return undefined;
  if (has(read, '-x', '--exec')) return { via: 'watch', runs: [read.rest], stdin: 'none' };
  return { via: 'watch', script: read.rest.join(' '), stdin: 'none' };
}

// Programs that give a command a terminal of its own: the route an agent takes to look like a human.
// What they run is judged like any other command of the line (the ancestry check and the PIN are what
// stop the terminal from passing for a human; see src/context/ancestry.ts).

/** util-linux `script [-aeqfE…] [-c COMMAND] [file]`, and BSD `script [-aq] [file [command …]]`. */
function scriptLaunch(args: readonly string[]): Launch | undefined {
  const valued = new Set(['c', 'E', 'I', 'O', 'B', 'T', 'm', 'o']);
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (word.startsWith('--command=')) return { via: 'script -c', script: word.slice(10) };
    if (word === '--command') return args[i + 1] === undefined ? undefined : { via: 'script -c', script: args[i + 1] };
    if (word.startsWith('--')) {
      if (!word.includes('=') && /^--(echo|log-in|log-out|log-io|log-timing|logging-format|output-limit)$/.test(word)) i++;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        if (!valued.has(word[j])) continue;
        const value = j + 1 < word.length ? word.slice(j + 1) : args[++i];
        if (word[j] === 'c') return value === undefined ? undefined : { via: 'script -c', script: value };
        break;
      }
      continue;
    }
    operands.push(word);
  }
  return operands.length > 1 ? { via: 'script', runs: [operands.slice(1)] } : undefined;
}

/**
 * tmux: `new-session`/`new-window`/`split-window`/`respawn-pane` run their shell command, and
 * `send-keys` types its keys into a shell: both are shell text. Key names (`Enter`, `C-m`) end a line.
 */
function tmuxLaunch(args: readonly string[]): Launch | undefined {
  const valued = new Set(['-t', '-s', '-n', '-c', '-x', '-y', '-e', '-F', '-f', '-L', '-S', '-l', '-N']);
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) i += ['-L', '-S', '-f'].includes(args[i]) ? 2 : 1;
  const [command, ...rest] = args.slice(i);
  const operands: string[] = [];
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '--') {
      operands.push(...rest.slice(j + 1));
      break;
    }
    if (rest[j].startsWith('-') && operands.length === 0) {
      if (valued.has(rest[j])) j++;
      continue;
    }
    operands.push(rest[j]);
  }
  if (operands.length === 0) return undefined;
  if (['new-session', 'new', 'new-window', 'neww', 'split-window', 'splitw', 'respawn-pane', 'respawnp', 'respawn-window', 'respawnw'].includes(command ?? '')) {
    return { via: `tmux ${command}`, script: operands.join(' '), stdin: 'none' };
  }
  if (command === 'send-keys' || command === 'send') {
    const text = operands.map((key) => (/^(Enter|C-m|KPEnter|C-j)$/.test(key) ? '\n' : key)).join(' ');
    return { via: 'tmux send-keys', script: text, stdin: 'none' };
  }
  return undefined;
}

/** `screen [-dmS NAME …] CMD ARGS…` runs CMD; `screen -X stuff TEXT` types TEXT into a shell. */
function screenLaunch(args: readonly string[]): Launch | undefined {
  // Options that take the next word, also at the end of a cluster (`-dmS NAME`).
  const valued = /^-(?:[a-zA-Z]*[Scehpt]|Logfile)$/;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '-X') {
      const [command, ...rest] = args.slice(i + 1);
      return command === 'stuff' && rest.length > 0 ? { via: 'screen -X stuff', script: rest.join(' ').replace(/\\n|\^M/g, '\n'), stdin: 'none' } : undefined;
    }
    if (valued.test(word)) i++;
    else if (!word.startsWith('-')) return { via: 'screen', runs: [args.slice(i)], stdin: 'none' };
  }
  return undefined;
}

/** `expect -c 'spawn CMD ARGS…; …'`: each `spawn` runs its words (Tcl quoting is read as shell quoting). */
function expectLaunch(args: readonly string[]): Launch | undefined {
  const at = args.indexOf('-c');
  const text = at >= 0 ? args[at + 1] : undefined;
  if (text === undefined) return undefined;
  // Tcl reads a backslash-n in a bare word as a newline, which ends a command.
  const spawned = [...text.replace(/\\n/g, '\n').matchAll(/(?:^|[;\n{])\s*spawn\s+(?:-\S+\s+)*([^;\n}]+)/g)].map((m) => m[1].trim());
  return spawned.length > 0 ? { via: 'expect spawn', script: spawned.join('\n'), stdin: 'none' } : undefined;
}

/** `find … -exec CMD {} ;` (and -execdir, -ok, -okdir): each runs a command. */
function findLaunch(args: readonly string[]): Launch | undefined {
  const runs: string[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(args[i])) continue;
    const end = args.findIndex((word, j) => j > i && (word === ';' || word === '+'));
    const command = args.slice(i + 1, end < 0 ? undefined : end);
    if (command.length > 0) runs.push(command);
    if (end < 0) break;
    i = end;
  }
  return runs.length > 0 ? { via: 'find -exec', runs, stdin: 'none' } : undefined;
}

/**
 * `su [options] [-] [user] -c COMMAND`: the command is shell text, run by the user's shell. util-linux
 * `runuser -u USER [--] COMMAND [ARG…]` runs argv directly (and its `-c` there belongs to COMMAND).
 */
function suLaunch(name: string, args: readonly string[]): Launch | undefined {
  if (name === 'runuser') {
    const read = readOptions(args, { values: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w', '--whitelist-environment'] });
    if (has(read, '-u', '--user')) return read.rest.length > 0 ? { via: 'runuser -u', runs: [read.rest] } : undefined;
  }
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '-c' || word === '--command' || word === '--session-command') {
      return args[i + 1] === undefined ? undefined : { via: `${name} -c`, script: args[i + 1] };
    }
    for (const long of ['--command=', '--session-command=']) {
      if (word.startsWith(long)) return { via: `${name} -c`, script: word.slice(long.length) };
    }
    const cluster = /^-[lmpPf]*c(.*)$/.exec(word);
    if (cluster) {
      const script = cluster[1] !== '' ? cluster[1] : args[i + 1];
      return script === undefined ? undefined : { via: `${name} -c`, script };
    }
  }
  return undefined;
}

const parallelGrammar: OptionGrammar = {
  values: ['-j', '--jobs', '-P', '--max-procs', '-S', '--sshlogin', '-a', '--arg-file', '-d', '--delimiter', '-I', '--replace', '-n', '--max-args', '-N', '--colsep', '-C', '--tag-string', '--joblog', '--results', '--tmpdir', '--timeout', '--retries', '--delay', '--id', '--workdir', '--wd', '-E', '--eof', '--env', '--basefile', '--bf', '--return', '--transfer-file', '--tf', '--memfree', '--load', '--nice', '--shebang-wrap', '--block', '--sshloginfile', '--slf'],
};

/**
 * GNU `parallel [options] COMMAND ::: ARGS…` (and `sem`): COMMAND's words are shell text, run once per
 * argument, `{}` standing for it (appended when absent). Every argument is filled in, up to a bound.
 */
function parallelLaunch(name: string, args: readonly string[], stdin: string | undefined): Launch | undefined {
  const read = readOptions(args, parallelGrammar);
  const separator = read.rest.findIndex((word) => /^:::+\+?$/.test(word));
  const command = separator < 0 ? read.rest : read.rest.slice(0, separator);
  if (command.length === 0) {
    // No command: each input is a command line (GNU parallel): the words after `:::`, the lines of the
    // files after `::::` (each file run as a script is the same), else the lines of stdin.
    if (separator < 0) return stdin !== undefined ? { via: name, script: stdin, stdin: 'none' } : undefined;
    const inputs = read.rest.slice(separator + 1).filter((word) => !/^:::+\+?$/.test(word));
    if (/^::::/.test(read.rest[separator])) return { via: `${name} ::::`, runs: inputs.map((file) => ['sh', file]), stdin: 'none' };
    return { via: name, script: inputs.join('\n'), stdin: 'none' };
  }
  const text = command.join(' ');
  const values = separator < 0 ? [] : read.rest.slice(separator + 1).filter((word) => !/^:::+\+?$/.test(word)).slice(0, maxXargsLines);
  const filled = values.length === 0 ? [text] : values.map((value) => (/\{[^}]*\}/.test(text) ? text.replace(/\{[^}]*\}/g, value) : `${text} ${value}`));
  return { via: name, script: filled.join('\n'), stdin: 'none' };
}

/** `at TIME` and `batch` run the shell text they read from stdin (or `-f FILE`, read by indirect.ts as a script). */
function atLaunch(name: string, args: readonly string[], stdin: string | undefined): Launch | undefined {
  if (args.some((word) => /^-[lrdcq]*[lrdc]/.test(word) && !word.startsWith('-f'))) return undefined; // atq, atrm, at -c: nothing runs
  const file = args.findIndex((word) => word === '-f');
  if (file >= 0 && args[file + 1] !== undefined) return { via: `${name} -f`, runs: [['sh', args[file + 1]]], stdin: 'none' };
  return stdin !== undefined ? { via: name, script: stdin, stdin: 'none' } : undefined;
}
