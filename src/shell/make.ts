// `make reset-db`, `make -C db reset`, `gmake -f ops.mk nuke`: the recipes a Makefile would run for
// those goals, read from the Makefile and never by running make (`make -n` would still run
// `$(shell …)` and `+` lines). What is read, GNU make's way:
//   - `include`/`-include`, `\` continuations, `#` comments outside recipes;
//   - variables (`=`, `:=`, `::=`, `?=`, `+=`, `override`, `export`, `define … endef`), the command
//     line's `VAR=x` over the file's, the environment under both; `$(VAR)`, `${VAR}`, `$V`, `$$`,
//     `$@`, `$<`, `$^`; a function (`$(shell …)`, `$(wildcard …)`) or `!=` is not known, and stays
//     visible in the recipe as its source text;
//   - rules (`a b: c d`, `a: ; recipe`, `::`), pattern rules (`%.o: %.c`) for a goal without its own,
//     prerequisites followed first, the default goal (the first target, or `.DEFAULT_GOAL`);
//   - recipe lines with their `@`, `-`, `+` prefixes cut, each run by `sh -c` in make's directory
//     (all together with `.ONESHELL`); `$(MAKE)` is `make`, so `$(MAKE) -C sub x` is followed too.
// Conditionals (`ifeq`, `ifdef`) are not evaluated: both branches count, the stricter reading.
// A line that is none of these is what make calls a "missing separator": the Makefile is unreadable.

import { existsSync } from 'node:fs';
import { resolvePath as resolve } from '../context/os-path.js';
import { readTextFile } from './files.js';
import { followed, unknownCode, type FollowContext, type Followed } from './indirect.js';
import { commandName } from './launch.js';
import { opaque } from './words.js';

interface Rule {
  targets: string[];
  prerequisites: string[];
  recipe: string[];
}

interface Makefile {
  /** Expansion steps left: `A = $(A)$(A)` would otherwise double at every level. */
  budget: number;
  /** A recursive variable that references itself (make stops with an error). */
  selfReference?: string;
  /** Variables being expanded. */
  expanding?: string[];
  rules: Rule[];
  vars: Map<string, { value: string; recursive: boolean }>;
  exported: Set<string>;
  defaultGoal?: string;
  oneShell: boolean;
  files: string[];
}

const maxIncludes = 16;
/** Variable references expanded per make command, at most. */
const maxExpansion = 100_000;

function readInto(mk: Makefile, file: string, dir: string, env: (name: string) => string | undefined, commandLine: Record<string, string>, depth: number): { error: string; file: string } | undefined {
  if (depth > maxIncludes) return { error: `${file}: includes nested more than ${maxIncludes} deep`, file };
  const read = readTextFile(dir, file);
  if ('missing' in read) return { error: `${file} does not exist`, file: read.file };
  if ('error' in read) return { error: read.error, file: read.file };
  mk.files.push(read.file);
  const expand = (text: string) => expandMake(text, mk, env, {});
  const lines = read.text.replace(/\r\n/g, '\n').split('\n');
  let rule: Rule | undefined;
  let define: { name: string; lines: string[] } | undefined;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    const lineNo = n + 1;
    if (define) {
      if (/^\s*endef\b/.test(line)) {
        mk.vars.set(define.name, { value: define.lines.join('\n'), recursive: true });
        define = undefined;
      } else define.lines.push(line);
      continue;
    }
    // A recipe line: starts with a tab and follows a rule.
    if (line.startsWith('\t') && rule) {
      let text = line.slice(1);
      while (text.endsWith('\\') && n + 1 < lines.length) text = `${text}\n${lines[++n].replace(/^\t/, '')}`;
      rule.recipe.push(text);
      continue;
    }
    while (line.endsWith('\\') && n + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++n].trim()}`;
    const code = stripComment(line);
    if (code.trim() === '') continue;
    const trimmed = code.trim();
    const directive = /^(-?include|sinclude|override|export|unexport|define|ifeq|ifneq|ifdef|ifndef|else|endif|vpath|undefine|private)\b\s*(.*)$/.exec(trimmed);
    if (directive) {
      const [, word, rest] = directive;
      if (word === 'include' || word === '-include' || word === 'sinclude') {
        for (const name of expand(rest).split(/\s+/).filter(Boolean)) {
          const path = resolve(dir, name);
          if (!existsSync(path)) {
            if (word === 'include') return { error: `${read.file}:${lineNo}: includes ${name}, which does not exist (make would try to build it)`, file: read.file };
            continue;
          }
          const problem = readInto(mk, path, dir, env, commandLine, depth + 1);
          if (problem) return problem;
        }
        rule = undefined;
        continue;
      }
      if (word === 'define') {
        define = { name: rest.replace(/\s*(:?:?=|\?=|\+=|!=)?\s*$/, '').trim(), lines: [] };
        continue;
      }
      if (word === 'override' || word === 'export' || word === 'private') {
        if (word === 'export' && !/[=]/.test(rest)) {
          for (const name of expand(rest).split(/\s+/).filter(Boolean)) mk.exported.add(name);
          continue;
        }
        if (word === 'export') mk.exported.add(rest.split(/\s*[:?+!]?=/)[0].trim());
        if (!assign(mk, rest, expand, commandLine)) return { error: `${read.file}:${lineNo}: cannot read "${trimmed}"`, file: read.file };
        rule = undefined;
        continue;
      }
      // Conditionals and the rest: both branches of a conditional are read.
      continue;
    }
    if (assign(mk, code, expand, commandLine)) {
      rule = undefined;
      continue;
    }
    const colon = ruleColon(code);
    if (colon < 0) return { error: `${read.file}:${lineNo}: missing separator (neither a rule, a variable nor a recipe): "${trimmed.slice(0, 80)}"`, file: read.file };
    const targets = expand(code.slice(0, colon)).split(/\s+/).filter(Boolean);
    let after = code.slice(colon + 1).replace(/^:/, '');
    // A target-specific variable (`prod: ENV = production`): not a rule of its own.
    if (/^\s*[A-Za-z_][\w.-]*\s*(:?:?=|\?=|\+=)/.test(after) && !after.includes(';')) {
      rule = undefined;
      continue;
    }
    const semi = after.indexOf(';');
    const inline = semi >= 0 ? after.slice(semi + 1) : undefined;
    if (semi >= 0) after = after.slice(0, semi);
    // Static pattern rules (`objs: %.o: %.c`): the targets are the list before the second colon.
    const second = ruleColon(after);
    const prerequisites = expand(second >= 0 ? after.slice(second + 1) : after).replace(/\|/g, ' ').split(/\s+/).filter(Boolean);
    rule = { targets, prerequisites, recipe: inline !== undefined && inline.trim() !== '' ? [inline.trim()] : [] };
    mk.rules.push(rule);
    if (targets.includes('.ONESHELL')) mk.oneShell = true;
    if (mk.defaultGoal === undefined) {
      const first = targets.find((t) => !t.startsWith('.') && !t.includes('%'));
      if (first !== undefined) mk.defaultGoal = first;
    }
  }
  if (define) return { error: `${read.file}: define ${define.name} has no endef`, file: read.file };
  return undefined;
}

/** `#` starts a comment unless escaped (recipe lines never get here). */
function stripComment(line: string): string {
  const m = /(^|[^\\])#/.exec(line);
  return m ? line.slice(0, m.index + m[1].length) : line;
}

/** Where a rule's `:` is, outside `$(…)` and not part of `:=`; -1 when there is none. */
function ruleColon(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      depth++;
      i++;
    } else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === ':' && depth === 0 && text[i + 1] !== '=' && !(text[i + 1] === ':' && text[i + 2] === '=')) return i;
  }
  return -1;
}

/** A variable assignment; false when the line is not one. The command line's values win. */
function assign(mk: Makefile, line: string, expand: (t: string) => string, commandLine: Record<string, string>): boolean {
  const m = /^\s*([^:#=\s]+)\s*(:::?=|::=|:=|\?=|\+=|!=|=)\s?(.*)$/.exec(line);
  if (!m) return false;
  const [, rawName, op, value] = m;
  const name = expand(rawName).trim();
  if (Object.hasOwn(commandLine, name)) return true;
  const old = mk.vars.get(name);
  if (op === '?=') {
    if (!old) mk.vars.set(name, { value, recursive: true });
  } else if (op === '+=') {
    mk.vars.set(name, old ? { value: `${old.value} ${old.recursive ? value : expand(value)}`, recursive: old.recursive } : { value, recursive: true });
  } else if (op === '!=') {
    mk.vars.set(name, { value: opaque(`$(shell ${value})`), recursive: false });
  } else if (op === '=') {
    mk.vars.set(name, { value, recursive: true });
  } else {
    mk.vars.set(name, { value: expand(value), recursive: false });
  }
  if (name === '.DEFAULT_GOAL') mk.defaultGoal = expand(value).trim();
  return true;
}

/** Make's expansion of `text`; what is not known stays as its (opaque) source text. */
function expandMake(text: string, mk: Makefile, env: (name: string) => string | undefined, auto: Record<string, string>, depth = 0): string {
  if (depth > 32 || --mk.budget < 0) return opaque(text);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let ref: string;
    let end: number;
    if (next === '(' || next === '{') {
      const close = next === '(' ? ')' : '}';
      let level = 0;
      end = i + 1;
      for (; end < text.length; end++) {
        if (text[end] === next) level++;
        else if (text[end] === close && --level === 0) break;
      }
      if (end >= text.length) return out + opaque(text.slice(i));
      ref = text.slice(i + 2, end);
    } else {
      ref = next;
      end = i + 1;
    }
    i = end;
    const source = ref.length === 1 && !(text[i - 1] === ')' || text[i - 1] === '}') ? `$${ref}` : `$(${ref})`;
    if (/\s|,/.test(ref.trim())) {
      // A function call ($(shell …), $(wildcard …), $(subst …)): not known without running make.
      out += opaque(source);
      continue;
    }
    const name = expandMake(ref, mk, env, auto, depth + 1);
    if (Object.hasOwn(auto, name)) {
      out += auto[name];
      continue;
    }
    if (name === 'MAKE' && !mk.vars.has('MAKE')) {
      out += 'make';
      continue;
    }
    const v = mk.vars.get(name);
    if (v && v.recursive) {
      const stack = (mk.expanding ??= []);
      if (stack.includes(name)) {
        mk.selfReference ??= name;
        out += opaque(source);
        continue;
      }
      stack.push(name);
      out += expandMake(v.value, mk, env, auto, depth + 1);
      stack.pop();
    } else if (v) out += v.value;
    else if (name === 'SHELL') out += '/bin/sh';
    else if (/^[@<^?*+|%]$|^[@<^*][DF]$/.test(name)) out += opaque(source);
    else out += env(name) ?? '';
  }
  return out;
}

/** `make`'s own options, as GNU make reads them. */
interface MakeArgs {
  dir?: string;
  files: string[];
  goals: string[];
  vars: Record<string, string>;
  /** `-n`: recipes are only printed, except `+` lines and `$(MAKE)` lines. */
  dryRun: boolean;
  /** `-p`/`-q`/`--version`/`--help`-like forms that run nothing. */
  inert: boolean;
  /** `--eval TEXT`: Makefile text from the command line, which can define rules; not read. */
  evaluated: string[];
}

const valued = new Set(['-C', '-f', '-I', '-o', '-W', '-O', '--directory', '--file', '--makefile', '--include-dir', '--old-file', '--assume-old', '--new-file', '--assume-new', '--what-if', '--eval', '--output-sync', '--jobserver-style', '--shuffle']);

function readMakeArgs(args: readonly string[]): MakeArgs {
  const out: MakeArgs = { files: [], goals: [], vars: {}, dryRun: false, inert: false, evaluated: [] };
  for (let i = 0; i < args.length; i++) {
    let word = args[i];
    if (/^[A-Za-z_][\w.-]*:?=/.test(word)) {
      const eq = word.indexOf('=');
      out.vars[word.slice(0, eq).replace(/:$/, '')] = word.slice(eq + 1);
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      out.goals.push(word);
      continue;
    }
    if (word === '--') {
      out.goals.push(...args.slice(i + 1));
      break;
    }
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      if (eq >= 0) {
        value = word.slice(eq + 1);
        word = word.slice(0, eq);
      } else if (valued.has(word)) value = args[++i];
      if (['--dry-run', '--just-print', '--recon'].includes(word)) out.dryRun = true;
      if (['--question', '--version', '--help', '--print-data-base', '--touch'].includes(word)) out.inert = true;
    } else {
      for (let j = 1; j < word.length; j++) {
        const flag = `-${word[j]}`;
        if (valued.has(flag)) {
          value = word.slice(j + 1) || args[++i];
          word = flag;
          break;
        }
        if (flag === '-n') out.dryRun = true;
        if (flag === '-q' || flag === '-v' || flag === '-h' || flag === '-p' || flag === '-t') out.inert = true;
        // -j and -l take an optional number.
        if ((flag === '-j' || flag === '-l') && j === word.length - 1 && /^\d+(\.\d+)?$/.test(args[i + 1] ?? '')) i++;
        if (flag === '-j' || flag === '-l') break;
      }
    }
    if (value === undefined) continue;
    if (word === '-C' || word === '--directory') out.dir = out.dir === undefined ? value : resolve(out.dir, value);
    else if (word === '-f' || word === '--file' || word === '--makefile') out.files.push(value);
    else if (word === '--eval') out.evaluated.push(value);
  }
  return out;
}

/** `make [options] [VAR=x] [goal…]`: the recipes it would run, as shell lines in make's directory. */
export function makeFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  const name = commandName(argv[0]);
  if (name !== 'make' && name !== 'gmake') return undefined;
  const args = readMakeArgs(argv.slice(1));
  if (args.inert) return undefined;
  const shown = argv.join(' ');
  if (ctx.remote) return unknownCode(`${shown} runs a Makefile of another machine, which is not read here`);
  if (args.evaluated.length > 0) return unknownCode(`${shown}: --eval adds Makefile text that chaperone does not read`);
  const dir = resolve(ctx.cwd, args.dir ?? '.');
  let files = args.files.map((f) => resolve(dir, f));
  if (files.length === 0) {
    const found = ['GNUmakefile', 'makefile', 'Makefile'].map((f) => resolve(dir, f)).find((f) => existsSync(f));
    // No Makefile: make says so and runs nothing.
    if (!found) return undefined;
    files = [found];
  }
  const mk: Makefile = { budget: maxExpansion, rules: [], vars: new Map(), exported: new Set(), oneShell: false, files: [] };
  for (const [k, v] of Object.entries(args.vars)) mk.vars.set(k, { value: v, recursive: false });
  for (const file of files) {
    const problem = readInto(mk, file, dir, ctx.lookup, args.vars, 0);
    if (problem) return unknownCode(`${shown}: ${problem.error}`, problem.file);
  }
  const tooBig = () => unknownCode(`${shown}: ${files[0]} expands its variables more than ${maxExpansion} times`, files[0]);
  if (mk.budget < 0) return tooBig();
  const goals = args.goals.length > 0 ? args.goals : mk.defaultGoal !== undefined ? [mk.defaultGoal] : [];
  const out = followed({});
  const done = new Set<string>();
  // Command-line variables and exported ones reach the recipes' environment.
  const set: Record<string, string> = { ...args.vars };
  for (const n of mk.exported) {
    const v = mk.vars.get(n);
    if (v) set[n] = v.recursive ? expandMake(v.value, mk, ctx.lookup, {}) : v.value;
  }
  const build = (target: string, depth: number) => {
    if (done.has(target) || depth > 64) return;
    done.add(target);
    const explicit = mk.rules.filter((r) => r.targets.includes(target));
    let rules = explicit;
    let stem: string | undefined;
    if (!explicit.some((r) => r.recipe.length > 0)) {
      for (const r of mk.rules) {
        const pattern = r.targets.find((t) => t.includes('%'));
        if (!pattern || r.recipe.length === 0) continue;
        const [pre, post] = [pattern.slice(0, pattern.indexOf('%')), pattern.slice(pattern.indexOf('%') + 1)];
        if (target.startsWith(pre) && target.endsWith(post) && target.length >= pre.length + post.length) {
          stem = target.slice(pre.length, target.length - post.length);
          rules = [...explicit, { ...r, prerequisites: r.prerequisites.map((p) => p.replace('%', stem!)) }];
          break;
        }
      }
    }
    for (const r of rules) for (const p of r.prerequisites) build(p, depth + 1);
    for (const r of rules) {
      const auto = { '@': target, '<': r.prerequisites[0] ?? '', '^': [...new Set(r.prerequisites)].join(' '), '+': r.prerequisites.join(' '), ...(stem !== undefined ? { '*': stem } : {}) };
      const lines = r.recipe
        .map((line) => {
          const prefix = /^[\s@+-]*/.exec(line)![0];
          const body = expandMake(line.slice(prefix.length), mk, ctx.lookup, auto);
          return { body, forced: prefix.includes('+') || /\$[({]MAKE[)}]/.test(line) };
        })
        .filter((l) => !args.dryRun || l.forced)
        .map((l) => l.body);
      const texts = mk.oneShell ? [lines.join('\n')] : lines;
      for (const text of texts) if (text.trim() !== '') out.texts.push({ text, cwd: dir, set, via: `${name} ${target}`, file: `${files[0]}#${target}` });
    }
  };
  for (const goal of goals) build(goal, 0);
  if (mk.selfReference !== undefined) return unknownCode(`${shown}: ${files[0]}: variable ${mk.selfReference} references itself`, files[0]);
  return mk.budget < 0 ? tooBig() : out;
}
