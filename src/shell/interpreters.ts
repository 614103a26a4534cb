// Code run by an interpreter: `python3 -c '…'`, `node -e '…'`, `ruby -e`, `perl -e`, `deno eval`,
// `bun -e`, and the same languages' script files (`python3 wipe.py`, a `#!/usr/bin/env node` script).
//
// No language is parsed in full; the reading is conservative instead, and what it cannot reconstruct
// counts against the code, never for it:
//   - a call that starts a process, with string literals for its arguments (`subprocess.run(["railway",
//     "volume", "delete"])`, `os.system("dropdb shop")`, `execSync('railway down')`, Ruby `system`,
//     backticks, Perl `qx{}`), becomes the argv or shell line it runs, judged like any other;
//   - anything else in the code that names a covered tool (a string whose first word is one) or a
//     platform API host (`backboard.railway.com`, …) is unknown code: it may reach them in a way a
//     reader without an interpreter cannot see (`cmd = "railway " + verb`, an HTTP client);
//   - a process call whose arguments are not literals, in code whose command line names a covered tool
//     (`python3 -c 'import subprocess,sys; subprocess.run(sys.argv[1:])' railway down`), is unknown too.
// A full parser per language would read more, at the cost of four grammars; the gap it would close is
// code that builds a command out of pieces, which is exactly what stays unknown here.

import { platforms } from '../payload/platforms.js';
import { isCovered } from '../tools/index.js';
import { dirname } from 'node:path';
import { resolvePath as resolve } from '../context/os-path.js';
import { readTextFile, writtenText } from './files.js';
import { followed, isInstalled, unknownCode, type FollowContext, type Followed } from './indirect.js';
import { commandName } from './launch.js';
import { mentionsCoveredTool } from './mentions.js';
import { isKnown, reveal } from './words.js';
import { hiddenProcess } from './process-code.js';

export type Language = 'python' | 'javascript' | 'ruby' | 'perl';

/** The language an interpreter's name runs: python3.12 → python, nodejs → javascript. */
export function interpreterOf(program: string): Language | undefined {
  if (/^python[\d.]*$|^pypy3?$/.test(program)) return 'python';
  if (['node', 'nodejs', 'deno', 'bun', 'tsx', 'ts-node'].includes(program)) return 'javascript';
  if (program === 'ruby') return 'ruby';
  if (/^perl[\d.]*$/.test(program)) return 'perl';
  return undefined;
}

interface CodeSource {
  code?: string;
  file?: string;
  /** `python3 -m pkg.tool`: a module, read when it is the project's own file. */
  module?: string;
  /** The code is on stdin (`python3 -`, `node` with a pipe). */
  stdin?: boolean;
  /** The arguments the code gets (`sys.argv[1:]`). */
  args: string[];
}

/** The code an interpreter's command line runs, or undefined when it runs a module or nothing readable. */
function codeOf(language: Language, name: string, args: readonly string[]): CodeSource | undefined {
  // Options that take a value, per interpreter; a code option's value is the code.
  const grammar: Record<Language, { code: string[]; values: string[]; module?: string[] }> = {
    python: { code: ['-c'], values: ['-W', '-X', '-Q'], module: ['-m'] },
    javascript: { code: ['-e', '--eval', '-p', '--print'], values: ['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file', '--title'] },
    ruby: { code: ['-e'], values: ['-r', '-I', '-C', '-E', '--encoding'] },
    perl: { code: ['-e', '-E'], values: ['-I', '-M', '-m', '-x', '-0', '-l', '-i'] },
  };
  const g = grammar[language];
  const codes: string[] = [];
  let i = 0;
  // deno eval CODE / deno run FILE; bun run FILE (a package script otherwise: packages.ts).
  if (name === 'deno') {
    if (args[0] === 'eval') {
      const code = args.slice(1).find((a) => !a.startsWith('-'));
      return code === undefined ? undefined : { code, args: [] };
    }
    if (args[0] !== 'run') return undefined;
    i = 1;
  }
  if (name === 'bun') {
    // `bun run x.ts` and `bun x.ts` run a file; `bun test`, `bun install`, `bun run script` are bun's own.
    const run = args[0] === 'run' ? 1 : 0;
    const first = args[run];
    if (first === undefined || (!first.startsWith('-') && !/\.[cm]?[jt]sx?$/.test(first))) return undefined;
    if (first.startsWith('-') && !['-e', '--eval', '-p', '--print'].includes(first)) return undefined;
    i = run;
  }
  for (; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      i++;
      break;
    }
    if (word === '-') return { stdin: true, args: args.slice(i + 1) };
    if (!word.startsWith('-')) break;
    const eq = word.indexOf('=');
    if (word.startsWith('--')) {
      const flag = eq < 0 ? word : word.slice(0, eq);
      if (g.code.includes(flag)) codes.push(eq < 0 ? args[++i] ?? '' : word.slice(eq + 1));
      else if (g.values.includes(flag) && eq < 0) i++;
      continue;
    }
    // A cluster of letters: `-Bc CODE`, `-lne CODE`, `-cCODE`, `-Ilib`.
    for (let j = 1; j < word.length; j++) {
      const flag = `-${word[j]}`;
      const tail = word.slice(j + 1);
      if (g.module?.includes(flag)) {
        const module = tail !== '' ? tail : args[i + 1];
        return module === undefined ? undefined : { module, args: args.slice(tail !== '' ? i + 1 : i + 2) };
      }
      if (g.code.includes(flag)) {
        codes.push(tail !== '' ? tail : args[++i] ?? '');
        break;
      }
      if (g.values.includes(flag)) {
        // Perl's -l/-0/-i take only an attached value.
        if (tail === '' && !['-l', '-0', '-i'].includes(flag)) i++;
        break;
      }
    }
    if (codes.length > 0 && language !== 'ruby' && language !== 'perl') {
      i++;
      break;
    }
  }
  if (codes.length > 0) return { code: codes.join('\n'), args: args.slice(i) };
  if (i >= args.length) return { stdin: true, args: [] };
  return { file: args[i], args: args.slice(i + 1) };
}

/** `python3 -c CODE`, `node -e CODE`, `python3 x.py`, `node - <<EOF`, `ruby` fed by a pipe; and the project's modules it preloads. */
export function interpreterFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const main = followProgram(argv, ctx);
  const language = interpreterOf(commandName(argv[0]));
  const pre = language && isKnown(argv[0]) ? preloaded(language, argv, ctx) : undefined;
  if (!pre) return main;
  return main ? { texts: [...pre.texts, ...main.texts], runs: [...pre.runs, ...main.runs], unknown: [...pre.unknown, ...main.unknown] } : pre;
}

/**
 * A project file NODE_OPTIONS preloads into a command that is not `node` itself: `NODE_OPTIONS='--require
 * ./wipe.js' prisma migrate status`, `… npm test`. Any of them may be a Node program (prisma, npm,
 * vercel and the CLIs they start), and Node preloads the file into each, so it is read like a program.
 */
export function nodeOptionsPreload(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  if (interpreterOf(commandName(argv[0])) === 'javascript') return undefined; // interpreterFollow reads it
  const found = preloaded('javascript', argv.slice(0, 1), ctx);
  if (!found) return undefined;
  // What the preload runs inherits NODE_OPTIONS and would preload it again; it is read once, here.
  const once = { NODE_OPTIONS: '' };
  return {
    texts: found.texts.map((t) => ({ ...t, set: { ...t.set, ...once } })),
    runs: found.runs.map((r) => ({ ...r, set: { ...r.set, ...once } })),
    unknown: found.unknown,
  };
}

/**
 * `node -r ./wipe.js -e 1`, `node --import ./x.mjs app.js`, `NODE_OPTIONS='--require ./x.js' node …`,
 * `ruby -r ./x -e 1`: a project file loaded before the program runs as the program does, so it is read
 * like one (an installed package's is not).
 */
function preloaded(language: Language, argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const flags = language === 'javascript' ? ['-r', '--require', '--import', '--loader', '--experimental-loader'] : language === 'ruby' ? ['-r'] : [];
  if (flags.length === 0 || ctx.remote) return undefined;
  const names: string[] = [];
  const scan = (words: readonly string[]) => {
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      if (word === '--' || !word.startsWith('-')) break;
      const eq = word.indexOf('=');
      const flag = eq > 0 && word.startsWith('--') ? word.slice(0, eq) : word;
      if (flags.includes(flag)) names.push(eq > 0 && word.startsWith('--') ? word.slice(eq + 1) : (words[++i] ?? ''));
      else if (language === 'ruby' && /^-r./.test(word)) names.push(word.slice(2));
    }
  };
  scan(argv.slice(1));
  const options = language === 'javascript' ? ctx.lookup('NODE_OPTIONS') : undefined;
  if (options !== undefined && isKnown(options)) scan(options.trim().split(/\s+/));
  const out = followed({});
  for (const name of names) {
    if (!isKnown(name)) {
      out.unknown.push({ reason: `${commandName(argv[0])} preloads ${reveal(name)}, which is not known` });
      continue;
    }
    const local = /^\.{0,2}\//.test(name);
    const candidates = language === 'javascript' ? ['', '.js', '.cjs', '.mjs', '.ts', '/index.js'].map((x) => name + x) : [name, `${name}.rb`];
    for (const candidate of candidates) {
      if (!local && !/\.[cm]?[jt]s$|\.rb$/.test(candidate)) continue;
      if (isInstalled(resolve(ctx.cwd, candidate))) break;
      const read = readTextFile(ctx.cwd, candidate);
      if ('missing' in read || ('error' in read && read.error.endsWith('is not a regular file'))) continue;
      const found = 'error' in read ? unknownCode(`${commandName(argv[0])} preloads ${read.error}`, read.file) : readProgram(language, read.text, `${commandName(argv[0])} preload ${name}`, ctx, read.file);
      out.texts.push(...found.texts);
      out.runs.push(...found.runs);
      out.unknown.push(...found.unknown);
      break;
    }
  }
  return out.texts.length + out.runs.length + out.unknown.length > 0 ? out : undefined;
}

function followProgram(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  const language = interpreterOf(name);
  if (!language || !isKnown(argv[0])) return undefined;
  const source = codeOf(language, name, argv.slice(1));
  if (!source) return undefined;
  const shown = name;
  if (source.code !== undefined) {
    if (!isKnown(source.code)) return unknownCode(`${shown} runs code built from ${reveal(source.code)}, which is not known here`);
    return readProgram(language, source.code, `${shown} code`, ctx, undefined, source.args, true);
  }
  if (source.stdin) {
    if (ctx.stdin !== undefined) return isKnown(ctx.stdin) ? readProgram(language, ctx.stdin, `${shown} <stdin>`, ctx, undefined, source.args, true) : unknownCode(`${shown} runs code from its input, which is not known`);
    return ctx.stdinUnknown ? unknownCode(`${shown} runs the code it reads from its input, which is not known`) : undefined;
  }
  if (source.module !== undefined) {
    // Only the project's own module (`scripts/wipe.py`, `tools/__main__.py`); an installed one (pytest) is not read.
    if (!isKnown(source.module) || ctx.remote) return undefined;
    const base = source.module.replace(/\./g, '/');
    for (const candidate of [`${base}.py`, `${base}/__main__.py`]) {
      const read = readTextFile(ctx.cwd, candidate);
      if ('text' in read) return readProgram(language, read.text, `${shown} -m ${source.module}`, ctx, read.file, source.args);
      if ('error' in read && !read.error.endsWith('is not a regular file')) return unknownCode(`${shown} -m ${source.module}: ${read.error}`, read.file);
    }
    return undefined;
  }
  const file = source.file;
  if (file === undefined || isInstalled(file)) return undefined;
  if (!isKnown(file)) return unknownCode(`${shown} runs ${reveal(file)}, whose text is not known`);
  if (ctx.remote) return unknownCode(`${shown} ${file} runs a script of another machine, which is not read here`);
  const read = readTextFile(ctx.cwd, file);
  // A directory (`node .`, `python3 pkg/`) runs an entry point inside it, which is not read here.
  if ('missing' in read || ('error' in read && read.error.endsWith('is not a regular file'))) return undefined;
  if ('error' in read) return unknownCode(`${shown} ${file}: ${read.error}`, read.file);
  return readProgram(language, read.text, `${shown} ${file}`, ctx, read.file, source.args);
}

interface Literal {
  value: string;
  /** It interpolates something (`f"{x}"`, `` `${x}` ``, `"#{x}"`, `"$x"`): its value is not known. */
  interpolated: boolean;
  start: number;
  end: number;
}

/** The string literal starting at `at` (after any prefix letters), or undefined. */
function literalAt(code: string, at: number, language: Language): Literal | undefined {
  let i = at;
  let raw = false;
  let formatted = false;
  if (language === 'python') {
    const prefix = /^[rRbBuUfF]{0,2}(?=['"])/.exec(code.slice(i, i + 3));
    if (prefix) {
      raw = /r/i.test(prefix[0]);
      formatted = /f/i.test(prefix[0]);
      i += prefix[0].length;
    }
  }
  const q = code[i];
  if (q !== '"' && q !== "'" && !(q === '`' && language === 'javascript')) return undefined;
  const triple = language === 'python' && code.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  i += close.length;
  let value = '';
  let interpolated = false;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
  while (i < code.length) {
    if (code.startsWith(close, i)) {
      // Interpolation: Python f-strings, JS templates, Ruby and Perl double quotes.
      if (formatted && /\{[^{]/.test(value.replace(/\{\{/g, ''))) interpolated = true;
      if (q === '`' && value.includes('${')) interpolated = true;
      if (language === 'ruby' && q === '"' && value.includes('#{')) interpolated = true;
      if (language === 'perl' && q === '"' && /[$@][\w{]/.test(value)) interpolated = true;
      return { value, interpolated, start: at, end: i + close.length };
    }
    const c = code[i];
    if (c === '\\' && !raw && i + 1 < code.length) {
      const next = code[i + 1];
      value += language === 'perl' && q === "'" ? (next === "'" || next === '\\' ? next : c + next) : (escapes[next] ?? next);
      i += 2;
      continue;
    }
    if (!triple && c === '\n' && q !== '`') return undefined;
    value += c;
    i++;
  }
  return undefined;
}

type Argument = { kind: 'string'; literal: Literal } | { kind: 'list'; items: Literal[] } | { kind: 'other'; text: string };

/** The arguments of a call whose `(` is at `open`; the end is just past its `)`. */
function callArguments(code: string, open: number, language: Language, closer = ')'): { args: Argument[]; end: number } | undefined {
  const args: Argument[] = [];
  let i = open + 1;
  const skip = () => {
    while (i < code.length && /\s/.test(code[i])) i++;
  };
  for (;;) {
    skip();
    if (code[i] === closer) return { args, end: i + 1 };
    const start = i;
    const literal = literalAt(code, i, language);
    let arg: Argument | undefined;
    if (literal) {
      i = literal.end;
      skip();
      if (code[i] === ',' || code[i] === closer) arg = { kind: 'string', literal };
    } else if (code[i] === '[') {
      const list = callArguments(code, i, language, ']');
      if (list) {
        i = list.end;
        skip();
        const items = list.args.map((a) => (a.kind === 'string' ? a.literal : undefined));
        if ((code[i] === ',' || code[i] === closer) && items.every((x) => x !== undefined)) arg = { kind: 'list', items: items as Literal[] };
      }
    }
    if (!arg) {
      // Anything else: up to the next `,` or closer at this depth.
      i = start;
      let depth = 0;
      while (i < code.length) {
        const lit = literalAt(code, i, language);
        if (lit) {
          i = lit.end;
          continue;
        }
        const c = code[i];
        if ('([{'.includes(c)) depth++;
        else if (')]}'.includes(c)) {
          if (depth === 0) break;
          depth--;
        } else if (c === ',' && depth === 0) break;
        i++;
      }
      if (i >= code.length) return undefined;
      arg = { kind: 'other', text: code.slice(start, i) };
    }
    args.push(arg);
    skip();
    if (code[i] === ',') i++;
    else if (code[i] !== closer) return undefined;
  }
}

/** How a process-starting call reads its first arguments. */
type CallKind = 'shell' | 'argv' | 'file-args';

const calls: Record<Language, [RegExp, CallKind][]> = {
  python: [
    [/\bos\.(system|popen)\s*\(/g, 'shell'],
    [/\bsubprocess\.(getoutput|getstatusoutput)\s*\(/g, 'shell'],
    [/\bsubprocess\.(run|call|check_call|check_output|Popen)\s*\(/g, 'argv'],
    [/\bos\.(exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)\s*\(/g, 'file-args'],
    [/\b(?:asyncio\.)?create_subprocess_(exec|shell)\s*\(/g, 'argv'],
    [/\bpty\.spawn\s*\(/g, 'argv'],
  ],
  javascript: [
    [/\b(exec|execSync)\s*\(/g, 'shell'],
    [/\b(spawn|spawnSync|execFile|execFileSync|fork)\s*\(/g, 'file-args'],
    [/\$`/g, 'shell'],
    [/\bBun\.spawn(Sync)?\s*\(/g, 'argv'],
    [/\bDeno\.Command\s*\(/g, 'file-args'],
    [/\bDeno\.run\s*\(/g, 'argv'],
  ],
  ruby: [
    [/(?<![\w.])(system|exec|spawn)\s*\(/g, 'argv'],
    [/(?<![\w.])(system|exec|spawn)\s+(?=['"])/g, 'argv'],
    [/\bIO\.popen\s*\(/g, 'argv'],
    [/\bOpen3\.(capture2e?|capture3|popen2e?|popen3|pipeline\w*)\s*\(/g, 'argv'],
    [/`/g, 'shell'],
    [/%x[({[]/g, 'shell'],
  ],
  perl: [
    [/(?<![\w$@%&])(system|exec)\s*\(/g, 'argv'],
    [/(?<![\w$@%&])(system|exec)\s+(?=['"])/g, 'argv'],
    [/`/g, 'shell'],
    [/\bqx\s*[({[/!|'"]/g, 'shell'],
    [/\bopen\s*\(/g, 'argv'],
  ],
};

const hostPatterns = platforms.flatMap((p) => p.hosts.map((h) => (h.startsWith('*.') ? h.slice(2) : h)));

/**
 * Whether text names a platform API host, or a covered tool as a word: guarded ground. `http` and
 * `https` alone are URL schemes far more often than HTTPie (`scheme = "https"`), so they do not count.
 */
export function mentionsGuarded(text: string): boolean {
  const lower = text.toLowerCase();
  return hostPatterns.some((h) => lower.includes(h)) || mentionsCoveredTool(text.replace(/\bhttps?\b(?!\s+\S)/g, ''));
}

/**
 * The commands a piece of code starts. `file` is where it came from and `args` its own command line,
 * so `subprocess.run(sys.argv[1:])` with `railway down` after the code is not let through.
 */
export function readCode(language: Language, code: string, via: string, file?: string, args: readonly string[] = [], inline = false): Followed {
  const out = followed({});
  const consumed: [number, number][] = [];
  let unresolved: string | undefined;
  const shellLine = (text: string) => out.texts.push({ text, via });
  for (const [pattern, kind] of calls[language]) {
    for (const match of code.matchAll(pattern)) {
      // One call is read once, by the first pattern that took it (`Bun.spawn(` is not `spawn(` again).
      if (consumed.some(([s, e]) => match.index! < e && match.index! + match[0].length > s)) continue;
      const at = match.index! + match[0].length - 1;
      const opener = code[at];
      // Backticks, `$\`…\``, `%x(…)`, `qx{…}`: the whole literal is shell text.
      if (opener === '`' || (language === 'ruby' && /%x[({[]$/.test(match[0])) || (language === 'perl' && /qx\s*.$/.test(match[0]))) {
        const close = opener === '`' ? '`' : ({ '(': ')', '{': '}', '[': ']', '<': '>' } as Record<string, string>)[opener] ?? opener;
        const end = code.indexOf(close, at + 1);
        if (end < 0) continue;
        const body = code.slice(at + 1, end);
        const interpolated = language === 'javascript' ? body.includes('${') : language === 'ruby' ? body.includes('#{') : /[$@][\w{]/.test(body);
        if (interpolated) unresolved = body;
        else shellLine(body);
        consumed.push([match.index!, end + 1]);
        continue;
      }
      // `system "railway down"` without parentheses (Ruby, Perl): one argument, or a comma list on the line.
      const parsed = opener === '(' ? callArguments(code, at, language) : callArguments(`(${code.slice(at + 1).split('\n')[0].replace(/;.*$/, '')})`, 0, language);
      if (!parsed || parsed.args.length === 0) {
        unresolved = match[0];
        continue;
      }
      const [first, second] = parsed.args;
      const shellOption = parsed.args.some((a) => a.kind === 'other' && /\bshell\s*[=:]\s*(True|true)\b/.test(a.text));
      const literalOf = (a: Argument | undefined) => (a?.kind === 'string' && !a.literal.interpolated ? a.literal.value : undefined);
      const listOf = (a: Argument | undefined) => (a?.kind === 'list' && a.items.every((l) => !l.interpolated) ? a.items.map((l) => l.value) : undefined);
      let done = false;
      if (kind === 'shell') {
        const text = literalOf(first);
        if (text !== undefined) {
          shellLine(text);
          done = true;
        }
      } else if (kind === 'argv' || kind === 'file-args') {
        const list = listOf(first);
        const text = literalOf(first);
        // Ruby/Perl `system("a", "b")`, Python `os.execvp("a", ["a", "b"])`, Node `spawn("a", ["b"])`.
        const strings = parsed.args.map(literalOf);
        if (list) {
          if (shellOption && list.length > 0) shellLine(list[0]);
          else if (list.length > 0) out.runs.push({ argv: list, via });
          done = list.length > 0;
        } else if (text !== undefined) {
          const rest = listOf(second);
          if (kind === 'file-args' && rest) {
            // os.execvp(file, args) gives argv[0] in args; spawn(cmd, args) does not.
            out.runs.push({ argv: language === 'python' ? [text, ...rest.slice(1)] : [text, ...rest], via });
          } else if (strings.length > 1 && strings.every((s) => s !== undefined) && (language === 'ruby' || language === 'perl')) {
            out.runs.push({ argv: strings as string[], via });
          } else if (kind === 'file-args' && second?.kind === 'other' && !shellOption) {
            // spawn(file, args, options), new Deno.Command(file, { args }): the arguments are the second
            // value, or the `args` of an options object. Not read (a variable, a computed list), the
            // program's name alone says nothing of what it is asked to do: left for the code check below.
            const options = /^\s*\{/.test(second.text);
            const listed = options ? /\bargs\s*:\s*\[/.exec(second.text) : undefined;
            const items = listed ? callArguments(second.text, listed.index + listed[0].length - 1, language, ']') : undefined;
            const values = items?.args.map(literalOf);
            if (options && !/\bargs\b/.test(second.text)) shellLine(text);
            else if (values && values.every((v) => v !== undefined)) out.runs.push({ argv: [text, ...(values as string[])], via });
            done = (options && !/\bargs\b/.test(second.text)) || (values?.every((v) => v !== undefined) ?? false);
          } else if (shellOption || kind === 'argv' || second === undefined || second.kind === 'other') {
            // A string alone is a shell line (shell=True, system("…")) or a program name; as a shell line
            // it covers both.
            shellLine(text);
          }
          done ||= !(kind === 'file-args' && second?.kind === 'other' && !shellOption);
        }
      }
      if (done) consumed.push([match.index!, parsed.end]);
      else unresolved = code.slice(match.index!, Math.min(parsed.end, match.index! + 200));
    }
  }
  const rest = consumed.sort((a, b) => b[0] - a[0]).reduce((text, [s, e]) => text.slice(0, s) + ' '.repeat(e - s) + text.slice(e), code);
  const where = file ?? via;
  if (literalsOf(rest, language).some(mentionsGuarded) || hostPatterns.some((h) => rest.toLowerCase().includes(h))) {
    out.unknown.push({ reason: `${where} names a tool or API chaperone guards in code it cannot follow`, ...(file ? { file } : {}) });
  } else if (unresolved !== undefined && (args.some((a) => isCovered(commandName(a))) || mentionsGuarded(args.join('\n')))) {
    out.unknown.push({ reason: `${where} starts a process from values that are not known (${unresolved.trim().slice(0, 80)}), with a covered tool among its arguments`, ...(file ? { file } : {}) });
  } else if (inline) {
    // Code typed for the occasion must name what it runs in literals (src/shell/process-code.ts).
    const hidden = unresolved ?? hiddenProcess(language, rest, (text) => blankLiterals(text, language));
    if (hidden !== undefined) out.unknown.push({ reason: `${where} starts a process chaperone cannot read (${hidden.trim().slice(0, 80)}): code given on the command line must name what it runs in literals`, ...(file ? { file } : {}) });
  }
  return out;
}

/** Code with every string literal's text blanked (its quotes kept), and comments too. */
function blankLiterals(code: string, language: Language): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if ((c === '#' && language !== 'javascript') || (c === '/' && language === 'javascript' && code[i + 1] === '/')) {
      const end = code.indexOf('\n', i);
      out += ' '.repeat((end < 0 ? code.length : end) - i);
      i = (end < 0 ? code.length : end) - 1;
      continue;
    }
    const lit = literalAt(code, i, language);
    if (lit) {
      const text = code.slice(lit.start, lit.end);
      const open = /^[a-zA-Z]*(['"`]{1,3})/.exec(text)?.[0] ?? '';
      const close = open.replace(/^[a-zA-Z]*/, '');
      out += open + ' '.repeat(Math.max(0, text.length - open.length - close.length)) + close;
      i = lit.end - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** Every string literal's text in code (interpolated ones too: they still name what they name). */
function literalsOf(code: string, language: Language): string[] {
  const out: string[] = [];
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '#' && language !== 'javascript') {
      // A comment runs to the end of the line.
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end;
      continue;
    }
    if (c === '/' && language === 'javascript' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end;
      continue;
    }
    const lit = literalAt(code, i, language);
    if (lit) {
      out.push(lit.value);
      i = lit.end - 1;
    }
  }
  return out;
}

/** Local modules followed from one program, at most (depth and count). */
const maxModuleDepth = 8;
const maxModules = 64;

/** Where code loads the project's own files from: `require('./wipe')`, `import wipe`, `require_relative`, `do "x.pl"`. */
function localModules(language: Language, code: string): { path: string; candidates: (p: string) => string[]; relativeToFile: boolean }[] {
  const found: { path: string; candidates: (p: string) => string[]; relativeToFile: boolean }[] = [];
  const js = (p: string) => ['', '.js', '.cjs', '.mjs', '.ts', '.mts', '.cts', '/index.js', '/index.ts'].map((x) => p + x);
  const exact = (p: string) => [p];
  if (language === 'javascript') {
    for (const m of code.matchAll(/\b(?:require|import)\s*\(\s*(['"`])(\.{1,2}\/[^'"`$]+)\1\s*\)|\bimport\s+(?:[\w*{}\s,]+\s+from\s+)?(['"])(\.{1,2}\/[^'"]+)\3/g)) {
      found.push({ path: m[2] ?? m[4], candidates: js, relativeToFile: true });
    }
  } else if (language === 'python') {
    for (const m of code.matchAll(/^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*))/gm)) {
      for (const name of (m[1] ?? m[2]).split(',').map((n) => n.trim())) {
        const base = name.replace(/\./g, '/');
        found.push({ path: base, candidates: (p) => [`${p}.py`, `${p}/__init__.py`], relativeToFile: true });
      }
    }
    for (const m of code.matchAll(/\b(?:exec\s*\(\s*open\s*\(|runpy\.run_path\s*\()\s*(['"])([^'"]+)\1/g)) found.push({ path: m[2], candidates: exact, relativeToFile: false });
  } else if (language === 'ruby') {
    for (const m of code.matchAll(/\b(require_relative|load|require)\s*\(?\s*(['"])([^'"#]+)\2/g)) {
      if (m[1] === 'require' && !m[3].startsWith('.')) continue;
      found.push({ path: m[3], candidates: (p) => (p.endsWith('.rb') ? [p] : [p, `${p}.rb`]), relativeToFile: m[1] === 'require_relative' });
    }
  } else {
    for (const m of code.matchAll(/\b(?:do|require)\s*\(?\s*(['"])([^'"$@]+\.p[lm])\1/g)) found.push({ path: m[2], candidates: exact, relativeToFile: false });
  }
  return found;
}

/**
 * A program and the project's own modules it loads (`require('./wipe')`, `import tasks`), read the
 * same way: an agent refused for `node wipe.js` may try `node -e "require('./wipe')"`. Installed
 * packages are not read (they are not found beside the program). On another machine a module is unknown.
 */
export function readProgram(language: Language, code: string, via: string, ctx: { cwd: string; remote: boolean }, file?: string, args: readonly string[] = [], inline = false): Followed {
  // A file this very line writes is code typed for the occasion too.
  const out = readCode(language, code, via, file, args, inline || (file !== undefined && writtenText(file) !== null));
  const seen = new Set<string>(file ? [file] : []);
  const queue: { code: string; file?: string; depth: number }[] = [{ code, file, depth: 0 }];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const module of localModules(language, next.code)) {
      const base = module.relativeToFile && next.file ? dirname(next.file) : ctx.cwd;
      if (ctx.remote) {
        if (module.path.startsWith('.')) out.unknown.push({ reason: `${via} loads ${module.path}, a file of another machine, which is not read here` });
        continue;
      }
      for (const candidate of module.candidates(module.path)) {
        if (isInstalled(resolve(base, candidate))) break;
        const read = readTextFile(base, candidate);
        if ('missing' in read) continue;
        if (seen.has(read.file)) break;
        seen.add(read.file);
        if ('error' in read) {
          out.unknown.push({ reason: `${via} loads ${read.error}`, file: read.file });
          break;
        }
        if (next.depth + 1 > maxModuleDepth || seen.size > maxModules) {
          out.unknown.push({ reason: `${via} loads modules more than ${maxModuleDepth} deep or more than ${maxModules} of them (${read.file})`, file: read.file });
          break;
        }
        const inner = readCode(language, read.text, `${via} > ${candidate}`, read.file);
        out.texts.push(...inner.texts);
        out.runs.push(...inner.runs);
        out.unknown.push(...inner.unknown);
        queue.push({ code: read.text, file: read.file, depth: next.depth + 1 });
        break;
      }
    }
  }
  return out;
}
