// Programs that run shell text they carry in their own words or in a variable the line sets for them:
// `awk 'BEGIN{system("railway down")}'`, GNU `sed '1e railway down'`, `vim -c '!railway down'`,
// `git -c core.pager='railway down' log`, `GIT_SSH_COMMAND='…' git fetch`, `LESSOPEN='|…' less f`,
// `git config alias.x '!railway down'` (the alias runs later, so its body is judged where it is written),
// and `vagrant ssh -c 'dropdb shop'` (a command on a machine whose target is not known here).
//
// Each program still runs itself (the analyzer emits it); what it carries is judged as well, as a nested
// line when it is a literal, and as unknown code when it is built at run time (`system($0)`, sed's
// `e` with no command, `s///e`), the way `bash -c "$X"` is: opaque script text the analyzer reports.

import type { Launch } from './launch.js';
import { commandName } from './launch.js';
import { parse as parseIni } from 'ini';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { readTextFile, writtenText } from './files.js';
import { includeMayHold, type IncludeWhere } from '../tools/git-repo.js';
import { isKnown, opaque, reveal } from './words.js';

/** Shell text a program carries, and what else it runs (argv). Empty when it carries none. */
export function carriedLaunches(argv: readonly string[], set: Record<string, string>, files: Files = { cwd: '/', remote: true }, stdin?: string): Launch[] {
  const name = commandName(argv[0] ?? '');
  const args = argv.slice(1);
  const out: Launch[] = [];
  if (/^(awk|gawk|mawk|nawk)$/.test(name)) out.push(...awkCarries(name, args, files));
  if (name === 'busybox' && args[0] === 'awk') out.push(...awkCarries('awk', args.slice(1), files));
  if (name === 'sed' || name === 'gsed') out.push(...sedCarries(name, args, files));
  if (/^(vi|vim|nvim|gvim|view|vimdiff|ex|rvim)$/.test(name)) out.push(...vimCarries(name, args, files));
  if (name === 'git') out.push(...gitCarries(args, set, files));
  if (name === 'vagrant') out.push(...vagrantCarries(args));
  if (name === 'rsync' || name === 'tar' || name === 'gtar' || name === 'zip' || name === 'man') out.push(...optionCarries(name, args));
  out.push(...otherCarries(name, args, stdin));
  // Variables whose value a program runs as a command (its pager, editor, input filter).
  for (const variable of variablesRunBy(name)) {
    const value = set[variable];
    if (value === undefined || value === '') continue;
    const text = variable.startsWith('LESS') ? value.replace(/^\|+-?/, '').replace(/%s/g, 'FILE') : value;
    // It runs without the variable, so a pager that is itself git does not loop.
    out.push({ via: `${name} ${variable}`, script: text, stdin: 'none', unset: [variable] });
  }
  return out;
}

/** Which variables each program runs as shell text (their documented names). */
function variablesRunBy(name: string): string[] {
  switch (name) {
    case 'git':
      return ['GIT_SSH_COMMAND', 'GIT_PAGER', 'PAGER', 'GIT_EDITOR', 'VISUAL', 'EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_EXTERNAL_DIFF', 'GIT_PROXY_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH'];
    case 'less':
      return ['LESSOPEN', 'LESSCLOSE', 'VISUAL', 'EDITOR'];
    case 'man':
      return ['MANPAGER', 'PAGER'];
    case 'crontab':
    case 'visudo':
    case 'sudoedit':
      return ['SUDO_EDITOR', 'VISUAL', 'EDITOR'];
    case 'kubectl':
      return ['KUBE_EDITOR', 'EDITOR'];
    case 'psql':
      return ['PSQL_PAGER', 'PAGER', 'PSQL_EDITOR', 'EDITOR', 'VISUAL'];
    case 'mysql':
      return ['PAGER'];
  }
  return [];
}

/** Where a program's script file (`awk -f`, `sed -f`, `vim -S`) is read; none is on a remote line. */
export interface Files {
  cwd: string;
  remote: boolean;
  /** The home directory, for a `~/.gitconfig` the line writes. */
  home?: string;
}

/**
 * A script file's text, to read like the words would be; a file that cannot be read (or is on another
 * machine) is unknown, and a missing one runs nothing (the program fails).
 */
function scriptText(via: string, path: string | undefined, files: Files): { text: string } | { launch: Launch } | undefined {
  if (path === undefined) return undefined;
  if (!isKnown(path) || files.remote) return { launch: unknown(via, `${reveal(path)}, a script file not read here`) };
  const read = readTextFile(files.cwd, path);
  if ('missing' in read) return undefined;
  if ('error' in read) return { launch: unknown(via, read.error) };
  return { text: read.text };
}

const literal = (via: string, text: string): Launch => ({ via, script: text, stdin: 'none' });

/**
 * The argv of an `ext::` URL as git-remote-ext reads it: words split at spaces, `% ` a space inside a
 * word, `%%` a percent sign, `%s`/`%S` the service (git-upload-pack, upload-pack), `%G` its `--`
 * option; any other `%x` is dropped as git drops it.
 */
export function extCommand(url: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  for (let k = 0; k < url.length; k++) {
    const c = url[k];
    if (c === ' ') {
      if (started) words.push(word);
      word = '';
      started = false;
    } else if (c === '%' && k + 1 < url.length) {
      const next = url[++k];
      word += next === ' ' ? ' ' : next === '%' ? '%' : next === 's' ? 'git-upload-pack' : next === 'S' ? 'upload-pack' : '';
      started = true;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}
const unknown = (via: string, source: string): Launch => ({ via, script: opaque(source), stdin: 'none' });

/** An awk program's `system("…")`, `print … | "…"`, `"…" | getline`: its literal commands, or unknown. */
function awkCarries(name: string, args: readonly string[], files: Files): Launch[] {
  const programs: string[] = [];
  let fromFile = false;
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    if (word === '-e' || word === '--source') programs.push(args[++i] ?? '');
    else if (word.startsWith('--source=')) programs.push(word.slice(9));
    else if (word === '-f' || word === '--file' || word.startsWith('--file=')) {
      const read = scriptText(`${name} -f`, word.startsWith('--file=') ? word.slice(7) : args[++i], files);
      if (read && 'launch' in read) return [read.launch];
      if (read) programs.push(read.text);
      fromFile = true;
    }
    else if (/^-[vFW]$/.test(word) || /^--(assign|field-separator)$/.test(word)) i++;
  }
  if (programs.length === 0 && !fromFile && args[i] !== undefined) programs.push(args[i]);
  const out: Launch[] = [];
  for (const program of programs) {
    // A string literal where a command goes: system("…"), `| "…"`, `|& "…"`, `"…" | getline`.
    const string = /"((?:[^"\\]|\\.)*)"/.source;
    for (const m of program.matchAll(new RegExp(`system\\s*\\(\\s*(?:${string}\\s*\\)|([^)]*)\\))`, 'g'))) {
      out.push(m[1] !== undefined ? literal(`${name} system()`, awkString(m[1])) : unknown(`${name} system()`, m[2]));
    }
    // Only a print's pipe: `||` is awk's or, and `/a|b/` a regular expression. A shell reading the
    // pipe runs what is printed: a literal is that line, anything else is not known.
    for (const m of program.matchAll(new RegExp(`\\bprintf?\\b([^;{}\\n]*?)(?<!\\|)\\|(?!\\|)&?\\s*(?:${string}|(?!\\s*getline\\b)([A-Za-z_$][\\w$]*))`, 'g'))) {
      if (m[2] === undefined) {
        out.push(unknown(`${name} | command`, m[3]));
        continue;
      }
      const target = awkString(m[2]);
      out.push(literal(`${name} | command`, target));
      if (/^\s*(?:\S*\/)?(?:sh|bash|dash|zsh|ksh|ash)(?:\s+-s)?\s*$/.test(target)) {
        const printed = new RegExp(`^\\s*\\(?\\s*${string}\\s*\\)?\\s*$`).exec(m[1]);
        out.push(printed ? literal(`${name} | ${target.trim()}`, awkString(printed[1])) : unknown(`${name} | ${target.trim()}`, m[1].trim()));
      }
    }
    for (const m of program.matchAll(new RegExp(`${string}\\s*\\|&?\\s*getline`, 'g'))) out.push(literal(`${name} getline`, awkString(m[1])));
    for (const m of program.matchAll(/([A-Za-z_$][\w$]*|\))\s*\|&?\s*getline/g)) if (m[1] !== ')') out.push(unknown(`${name} getline`, m[1]));
  }
  return out;
}

function awkString(text: string): string {
  return text.replace(/\\(.)/g, (_whole, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

/** GNU sed: `e COMMAND` runs COMMAND, a bare `e` runs the pattern space, `s///e` runs the replaced text. */
function sedCarries(name: string, args: readonly string[], files: Files): Launch[] {
  const scripts: string[] = [];
  let operand: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '-e' || word === '--expression') scripts.push(args[++i] ?? '');
    else if (word.startsWith('--expression=')) scripts.push(word.slice(13));
    else if (/^-[nrEsuz]*e.+$/.test(word)) scripts.push(word.slice(word.indexOf('e') + 1));
    else if (/^-[nrEsuz]*e$/.test(word)) scripts.push(args[++i] ?? '');
    else if (word === '-f' || word === '--file' || word.startsWith('--file=')) {
      const read = scriptText(`${name} -f`, word.startsWith('--file=') ? word.slice(7) : args[++i], files);
      if (read && 'launch' in read) return [read.launch];
      scripts.push(read ? read.text : '');
    }
    else if (word === '-l' || word === '--line-length') i++;
    else if (!word.startsWith('-') && operand === undefined) operand = word;
  }
  if (scripts.length === 0 && operand !== undefined) scripts.push(operand);
  const out: Launch[] = [];
  const address = String.raw`(?:\d+(?:~\d+)?|\$|/(?:[^/\\\n]|\\.)*/[IM]*|\\(.)(?:(?!\2)[^\\\n]|\\.)*\2)`;
  const command = new RegExp(String.raw`(?:^|[;{}\n])\s*(?:${address}(?:\s*,\s*(?:${address}|[+~]\d+))?)?\s*!?\s*e(?:[ \t]+([^\n]*)|\s*(?=$|[;}\n]))`, 'g');
  const substitute = /(?:^|[;{}\n\s\d$/])s(.)(?:(?!\1)[^\\\n]|\\.)*\1(?:(?!\1)[^\\\n]|\\.)*\1([gpiImMe\d]*)/g;
  for (const script of scripts) {
    for (const m of script.matchAll(command)) {
      const text = m[3] ?? m[1];
      out.push(text !== undefined && text.trim() !== '' && !/^\s*[;}]/.test(text) ? literal(`${name} e`, text) : unknown(`${name} e`, 'the pattern space'));
    }
    for (const m of script.matchAll(substitute)) if (m[2].includes('e')) out.push(unknown(`${name} s///e`, 'the substituted text'));
  }
  return out;
}

/** `vim -c '!cmd'`, `+'!cmd'`, `--cmd`, `:r !cmd`, `:w !cmd`, `:terminal cmd`, `system('cmd')`. */
function vimCarries(name: string, args: readonly string[], files: Files): Launch[] {
  const commands: string[] = [];
  const sources: (string | undefined)[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '-c' || word === '--cmd') commands.push(args[++i] ?? '');
    else if (word.startsWith('+') && word.length > 1 && !/^\+\d*$/.test(word)) commands.push(word.slice(1));
    // `-s` is silent mode (no value) in Ex mode: `vim -e -s`, `ex -s`.
    else if (word === '-s' && (name === 'ex' || args.slice(0, i).some((a) => a === '-e' || a === '-E'))) continue;
    else if (word === '-S' || word === '-u' || word === '-s') sources.push(args[++i] ?? (word === '-S' ? 'Session.vim' : undefined));
  }
  const out: Launch[] = [];
  // `-S session.vim`, `-u vimrc`: Ex commands, one a line, read like `-c`'s; `-s` keys typed in normal mode.
  for (const file of sources) {
    if (file === 'NONE' || file === 'NORC') continue;
    const read = scriptText(`${name} -S`, file, files);
    if (read && 'launch' in read) out.push(read.launch);
    else if (read) commands.push(...read.text.split('\n'));
  }
  for (const raw of commands) {
    for (const part of raw.split(/\|(?![^!]*$)/)) {
      const command = part.replace(/^[\s:]+/, '');
      const bang = /^(?:[\d,.$%']*\s*)?(?:(?:r|re|rea|read|w|wr|wri|writ|write)\s*)?!(.*)$/s.exec(command);
      const terminal = /^(?:ter|term|termi|termin|termina|terminal)\b(?:\s+\+\+\S+)*\s*(.*)$/s.exec(command);
      if (bang) out.push(literal(`${name} :!`, bang[1]));
      else if (terminal && terminal[1].trim() !== '') out.push(literal(`${name} :terminal`, terminal[1]));
      for (const m of command.matchAll(/\bsystem(?:list)?\s*\(\s*(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|([^)]*))/g)) {
        out.push(m[1] !== undefined ? literal(`${name} system()`, m[1].replace(/''/g, "'")) : m[2] !== undefined ? literal(`${name} system()`, awkString(m[2])) : unknown(`${name} system()`, m[3]));
      }
    }
  }
  return out;
}

/** Configuration keys whose value git runs as a shell command (`!…` for aliases and credential helpers). */
export function gitCommandKey(key: string): boolean {
  const k = key.toLowerCase();
  // Most keys of a repository's config (core.bare, remote.origin.url, branch.main.merge) are answered
  // here, without the pattern: V8 compiles a regular expression at its first use, in every hook call.
  if (gitCommandKeys.has(k)) return true;
  if (!gitCommandSections.has(k.slice(0, k.indexOf('.')))) return false;
  return /^(pager\..+|diff\..+\.(textconv|command)|merge\..+\.driver|filter\..+\.(clean|smudge|process)|gpg\..+\.program|credential\..+\.helper|alias\..+|browser\..+\.cmd|mergetool\..+\.cmd|difftool\..+\.cmd)$/.test(k);
}

/** The keys git runs as a command, by their whole name (lower case). */
const gitCommandKeys = new Set([
  'core.pager', 'core.sshcommand', 'core.editor', 'core.askpass', 'core.fsmonitor', 'core.hookspath', 'sequence.editor',
  'diff.external', 'gpg.program', 'interactive.difffilter', 'uploadpack.packobjectshook', 'credential.helper', 'web.browser',
  'sendemail.smtpserver', 'sendemail.tocmd', 'sendemail.cccmd',
]);

/** The sections whose keys git runs by a pattern (a subsection and a name: `diff.<driver>.textconv`, `alias.<name>`). */
const gitCommandSections = new Set(['pager', 'diff', 'merge', 'filter', 'gpg', 'credential', 'alias', 'browser', 'mergetool', 'difftool']);

/** The shell text a git configuration value runs, or undefined when it runs none (`alias.st status`). */
function gitCommandValue(key: string, value: string): string | undefined {
  const k = key.toLowerCase();
  if (k.startsWith('alias.') || /^credential\./.test(k)) return value.startsWith('!') ? value.slice(1) : undefined;
  if (k === 'core.fsmonitor' && /^(true|false|yes|no|on|off|1|0)?$/i.test(value)) return undefined;
  if (k === 'core.hookspath') return undefined; // a directory: its hooks are files the line does not show
  if (k === 'sendemail.smtpserver' && !value.startsWith('/')) return undefined;
  return value;
}

/** `git -c KEY=VALUE …` and `git config [scope] KEY VALUE` (also `git config set KEY VALUE`). */
function gitCarries(args: readonly string[], set: Record<string, string>, files: Files): Launch[] {
  const out: Launch[] = [];
  const take = (via: string, key: string, value: string) => {
    if (!gitCommandKey(key)) return;
    if (key.toLowerCase() === 'core.hookspath') {
      out.push(unknown(via, `the hooks in ${value}`));
      return;
    }
    const text = gitCommandValue(key, value);
    if (text !== undefined && text.trim() !== '') out.push(literal(`${via} ${key}`, text));
  };
  let i = 0;
  let gitCwd = files.cwd;
  for (; i < args.length; i++) {
    const word = args[i];
    if (word === '-c' || word.startsWith('-c')) {
      const pair = word === '-c' ? args[++i] ?? '' : word.slice(2);
      const eq = pair.indexOf('=');
      if (eq > 0) take('git -c', pair.slice(0, eq), pair.slice(eq + 1));
    } else if (word.startsWith('--config-env=')) {
      const pair = word.slice(13);
      const eq = pair.indexOf('=');
      if (eq > 0) take('git --config-env', pair.slice(0, eq), set[pair.slice(eq + 1)] ?? opaque(`$${pair.slice(eq + 1)}`));
    } else if (word === '-C') {
      const to = args[++i];
      if (to) gitCwd = resolve(gitCwd, to); // each -C is relative to the one before
    } else if (['--git-dir', '--work-tree', '--namespace', '--exec-path', '--super-prefix', '--config-env'].includes(word)) i++;
    else if (!word.startsWith('-')) break;
  }
  // A git configuration file the line wrote earlier (`echo '[core] pager = …' >> .git/config && git log`),
  // or one an earlier line (another hook call) left on disk: its pager, editor, ssh command, filters…
  // run with this git. Aliases on disk are left to the alias's own call (`git x`: the git tool reads it),
  // since every other git command would otherwise carry all of them.
  if (!files.remote) {
    const candidates: string[] = [];
    for (let dir = gitCwd; ; dir = dirname(dir)) {
      // config.worktree counts only with extensions.worktreeConfig; read whenever it is there, to be safe.
      candidates.push(join(dir, '.git', 'config'), join(dir, '.git', 'config.worktree'));
      // A worktree's `.git` is a file naming its git directory, whose commondir holds the config.
      const pointer = readTextFile(dir, '.git');
      const gitdir = 'text' in pointer ? /^gitdir:\s*(.+)$/m.exec(pointer.text)?.[1]?.trim() : undefined;
      if (gitdir !== undefined) {
        const at = resolve(dir, gitdir);
        const common = readTextFile(at, 'commondir');
        candidates.push(join('text' in common ? resolve(at, common.text.trim()) : at, 'config'), join(at, 'config.worktree'));
      }
      if (dirname(dir) === dir) break;
    }
    if (files.home) candidates.push(join(files.home, '.gitconfig'), join(files.home, '.config', 'git', 'config'));
    for (const variable of ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG']) if (set[variable]) candidates.push(resolve(files.cwd, set[variable]));
    const where = includeWhere(gitCwd);
    for (const file of candidates) {
      const text = writtenText(file);
      if (text === null) {
        const read = readTextFile(files.cwd, file);
        if ('text' in read) for (const [key, value, from] of withIncludes(file, read.text, files, out, where)) if (!/^alias\./i.test(key)) take(`git (${from})`, key, value);
        continue;
      }
      if (text === undefined) {
        out.push(unknown('git config file', `${file}, written by this line with text not known`));
        continue;
      }
      for (const [key, value, from] of withIncludes(file, text, files, out, where)) take(`git (${from})`, key, value);
    }
  }
  // The ext:: transport (`git fetch 'ext::sh -c …'`, with protocol.ext.allow=always): git starts the
  // URL's command itself. Judged whenever it is written, allowed or not.
  for (const word of args.slice(i)) {
    const command = word.startsWith('ext::') ? extCommand(word.slice(5)) : undefined;
    if (command && command.length > 0) out.push({ via: 'git ext::', runs: [command], stdin: 'none' });
  }
  // GIT_CONFIG_PARAMETERS (`'core.pager'='…'`, what `git -c` passes to the git it starts).
  for (const m of (set.GIT_CONFIG_PARAMETERS ?? '').matchAll(/'((?:[^']|'\\'')*)'(?:='((?:[^']|'\\'')*)')?/g)) {
    const unquote = (text: string) => text.replace(/'\\''/g, "'");
    const key = unquote(m[1]);
    const eq = m[2] === undefined ? key.indexOf('=') : -1;
    if (m[2] !== undefined) take('GIT_CONFIG_PARAMETERS', key, unquote(m[2]));
    else if (eq > 0) take('GIT_CONFIG_PARAMETERS', key.slice(0, eq), key.slice(eq + 1));
  }
  // GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n: `-c` through the environment.
  for (const [variable, key] of Object.entries(set)) {
    const n = /^GIT_CONFIG_KEY_(\d+)$/.exec(variable)?.[1];
    if (n !== undefined) take('GIT_CONFIG_KEY', key, set[`GIT_CONFIG_VALUE_${n}`] ?? '');
  }
  if (args[i] === 'config') {
    const rest = args.slice(i + 1);
    const operands: string[] = [];
    for (let j = 0; j < rest.length; j++) {
      const w = rest[j];
      if (['-f', '--file', '--blob', '--type', '--default', '--comment', '--value'].includes(w)) j++;
      else if (!w.startsWith('-') || operands.length > 0) operands.push(w);
    }
    if (['set', 'add'].includes(operands[0] ?? '')) operands.shift();
    if (operands.length >= 2) take('git config', operands[0], operands[1]);
    // `git config include.path evil.inc` (or includeIf.*.path): what that file sets, aliases too, is
    // judged where the include is written, as an alias is. A relative path is the config file's: the
    // repository's (.git), home's for --global, or --file's directory.
    if (operands.length >= 2 && /^include(if\..*)?\.path$/i.test(operands[0]) && !files.remote) {
      const named = rest.findIndex((w) => w === '-f' || w === '--file');
      const base = named !== -1 ? resolve(gitCwd, dirname(rest[named + 1] ?? '.')) : rest.includes('--global') && files.home ? files.home : repositoryDir(gitCwd) ?? join(gitCwd, '.git');
      const path = operands[1].startsWith('~/') && files.home ? join(files.home, operands[1].slice(2)) : resolve(base, operands[1]);
      const written = writtenText(path);
      const read = written === null ? readTextFile(files.cwd, path) : written === undefined ? { error: 'unknown' } : { text: written };
      if ('error' in read) out.push(unknown('git config include', `${path}, which git config includes`));
      else if ('text' in read && read.text !== undefined) for (const [key, value, from] of withIncludes(path, read.text, files, out, includeWhere(gitCwd))) take(`git config ${operands[0]} (${from})`, key, value);
    }
  }
  return out;
}

/** The nearest `.git` directory (or linked worktree's git directory) at or above `cwd`. */
function repositoryDir(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (statSync(join(dir, '.git'), { throwIfNoEntry: false })?.isDirectory()) return join(dir, '.git');
    const pointer = readTextFile(dir, '.git');
    const gitdir = 'text' in pointer ? /^gitdir:\s*(.+)$/m.exec(pointer.text)?.[1]?.trim() : undefined;
    if (gitdir !== undefined) return resolve(dir, gitdir);
    if (dirname(dir) === dir) return undefined;
  }
}

/** What an `[includeIf]` condition is judged against for a git started in `cwd`: its git directory and branch. */
function includeWhere(cwd: string): IncludeWhere {
  const gitDir = repositoryDir(cwd);
  return {
    gitDir,
    branch: () => {
      const head = gitDir === undefined ? undefined : readTextFile(gitDir, 'HEAD');
      return head && 'text' in head ? /^ref:\s*refs\/heads\/(\S+)/.exec(head.text.trim())?.[1] : undefined;
    },
  };
}

/**
 * A configuration file's entries with those of the files it includes, in git's order: `[include] path`
 * and each `[includeIf "…"] path` whose condition may hold (git-repo.ts's includeMayHold, as the git
 * tool reads it), relative to the including file, `~/` from home.
 * An included file the line writes with unknown text is unknown code.
 */
function withIncludes(file: string, text: string, files: Files, out: Launch[], where: IncludeWhere, depth = 0): [string, string, string][] {
  const entries: [string, string, string][] = [];
  for (const [key, value] of configEntries(text)) {
    entries.push([key, value, file]);
    const conditional = /^includeif\.(.*)\.path$/is.exec(key)?.[1];
    if (!/^include(if\..*)?\.path$/i.test(key) || value === '' || depth >= 10) continue;
    if (conditional !== undefined && !includeMayHold(conditional, where, file, { HOME: files.home })) continue;
    const path = value.startsWith('~/') && files.home ? join(files.home, value.slice(2)) : resolve(dirname(file), value);
    const written = writtenText(path);
    if (written === undefined) {
      out.push(unknown('git config file', `${path}, included by ${file} and written by this line with text not known`));
      continue;
    }
    const read = written === null ? readTextFile(files.cwd, path) : { text: written };
    if ('text' in read && read.text !== undefined) entries.push(...withIncludes(path, read.text, files, out, where, depth + 1));
  }
  return entries;
}

/** `vagrant ssh [NAME] -c COMMAND`: COMMAND runs on the machine, reached over ssh. */
function vagrantCarries(args: readonly string[]): Launch[] {
  if (args[0] !== 'ssh') return [];
  let machine: string | undefined;
  const commands: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const word = args[i];
    if (word === '--') break;
    if (word === '-c' || word === '--command') commands.push(args[++i] ?? '');
    else if (word.startsWith('--command=')) commands.push(word.slice(10));
    else if (!word.startsWith('-') && machine === undefined) machine = word;
  }
  return commands.map((command) => ({ via: 'vagrant ssh -c', runs: [['ssh', `vagrant-${machine ?? 'default'}`, command]], stdin: 'none' as const }));
}

/**
 * Options whose value is a command the program runs: `rsync -e`, tar's `--to-command`, `-I`,
 * `--use-compress-program`, `--checkpoint-action=exec=`, `--info-script`/`-F`, `zip -TT`, `man -P`.
 */
function optionCarries(name: string, args: readonly string[]): Launch[] {
  const options: Record<string, string[]> = {
    rsync: ['-e', '--rsh', '--rsync-path'],
    tar: ['--to-command', '-I', '--use-compress-program', '--info-script', '--new-volume-script', '-F'],
    gtar: ['--to-command', '-I', '--use-compress-program', '--info-script', '--new-volume-script', '-F'],
    zip: ['-TT', '--unzip-command'],
    man: ['-P', '--pager', '-H', '--html'],
  };
  const out: Launch[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '--') break;
    let value: string | undefined;
    for (const option of options[name]) {
      if (word === option) value = args[++i];
      else if (option.startsWith('--') && word.startsWith(`${option}=`)) value = word.slice(option.length + 1);
      else if (!option.startsWith('--') && option.length === 2 && word.startsWith(option) && word.length > 2 && name !== 'zip') value = word.slice(2);
      if (value !== undefined) break;
    }
    const exec = /^--checkpoint-action=(?:exec|\w+,exec)=(.*)$/s.exec(word);
    if (exec) value = exec[1];
    if (value === undefined || value === '') continue;
    // `rsync --rsync-path` runs on the far side: like `rsync -e`, judged as a command of its own.
    out.push(literal(`${name} ${word.startsWith('--') ? word.replace(/=.*$/s, '') : word.slice(0, 2)}`, value));
  }
  return out;
}

/**
 * The rest of the usual ways out to a shell: gdb's `shell`/`!`/`pipe`, apt's `Pre-Invoke` hooks,
 * socat's `exec:`/`system:` addresses, `tcpdump -z`, strace's `-o '|cmd'`, less's `+!cmd`, and the
 * `!cmd` lines ed and ex read from their input.
 */
function otherCarries(name: string, args: readonly string[], stdin: string | undefined): Launch[] {
  const out: Launch[] = [];
  const valuesOf = (options: string[]) => {
    const values: string[] = [];
    for (let i = 0; i < args.length; i++) {
      for (const option of options) {
        if (args[i] === option && args[i + 1] !== undefined) values.push(args[i + 1]);
        else if (option.startsWith('--') && args[i].startsWith(`${option}=`)) values.push(args[i].slice(option.length + 1));
      }
    }
    return values;
  };
  switch (name) {
    case 'gdb':
    case 'gdb-multiarch':
      for (const command of valuesOf(['-ex', '--ex', '-eval-command', '--eval-command', '-iex', '--iex', '-init-eval-command', '--init-eval-command'])) {
        const shell = /^\s*(?:shell\b|!)\s*(.*)$/s.exec(command) ?? /^\s*(?:pipe\b|\|)[^|]*\|\s*(.*)$/s.exec(command);
        if (shell) out.push(literal(`${name} -ex shell`, shell[1]));
      }
      break;
    case 'apt':
    case 'apt-get':
    case 'aptitude':
      for (const option of valuesOf(['-o', '--option'])) {
        const hook = /^[^=]*(?:Pre-Invoke|Post-Invoke|Post-Invoke-Success|Pre-Install-Pkgs)[^=]*=(.*)$/is.exec(option);
        if (hook) out.push(literal(`${name} -o hook`, hook[1]));
      }
      break;
    case 'socat':
      for (const address of args) {
        const m = /^(?:exec|system):((?:[^,\\]|\\.)*)/is.exec(address);
        if (m) out.push(literal(`socat ${address.slice(0, address.indexOf(':')).toLowerCase()}:`, m[1].replace(/\\(.)/g, '$1')));
      }
      break;
    case 'tcpdump':
      for (const program of valuesOf(['-z'])) out.push(literal('tcpdump -z', `${program} FILE`));
      break;
    case 'strace':
    case 'ltrace':
      for (const file of valuesOf(['-o', '--output'])) if (/^[|!]/.test(file)) out.push(literal(`${name} -o |`, file.slice(1)));
      break;
    case 'less':
    case 'more':
      for (const word of args) if (/^\+!/.test(word)) out.push(literal(`${name} +!`, word.slice(2)));
      break;
    case 'ed':
    case 'red':
    case 'ex':
    case 'vim':
    case 'vi':
      // Commands read from stdin (`ed f <<< '!cmd'`, `ex -s f < cmds`); vim only in Ex mode.
      if (stdin !== undefined && (name !== 'vim' && name !== 'vi' ? true : args.some((a) => /^-[a-zA-Z]*[eEs]/.test(a)))) {
        for (const line of stdin.split('\n')) {
          const bang = /^\s*:?\s*(?:[\d,.$%']*\s*)?(?:(?:r|read|w|write)\s*)?!(.*)$/.exec(line);
          if (bang) out.push(literal(`${name} !`, bang[1]));
        }
      }
      break;
  }
  return out;
}

/** A git configuration file's `section.key` (or `section.sub.key`) and value pairs. */
function configEntries(text: string): [string, string][] {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseIni(text) as Record<string, unknown>;
  } catch {
    return [['core.pager', opaque('an unreadable git configuration')]];
  }
  const out: [string, string][] = [];
  // ini splits a header at its dots (`[includeIf "gitdir:~/a.b/"]` comes back nested): join them again.
  const walk = (section: string, body: Record<string, unknown>) => {
    // `[diff "x"]` is section diff, subsection x.
    const name = section.replace(/\s+"(.*)"$/, '.$1');
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) walk(`${section}.${key}`, value as Record<string, unknown>);
      else for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') out.push([`${name}.${key}`, v]);
    }
  };
  for (const [section, body] of Object.entries(parsed)) if (typeof body === 'object' && body !== null) walk(section, body as Record<string, unknown>);
  return out;
}
