// Code typed on a command line (`python3 -c`, `node -e`, `ruby -e`, `perl -e`, code piped into an
// interpreter, a script the same line writes) that starts a process in a way a reader cannot follow:
// `subprocess.run(["rail" + "way", "down"])`, `require("child_process")["exec" + "Sync"](cmd)`,
// `getattr(__import__("os"), "sys" + "tem")(cmd)`, `from subprocess import run as r; r(x)`.
//
// A demanding user's expectation, and the choice made here: code given inline is short and written for
// the occasion, so when it reaches for a process (a process module, an alias of one, or dynamic import
// and eval) and not every such use was read as a call with literal arguments (src/shell/interpreters.ts),
// it is unknown code: an agent is refused and a human confirms, whatever the target, since no target
// can be resolved for a command nobody can read. Code in the project's own files is not held to this
// (build scripts pass computed commands to subprocess all the time): there only literal calls and names
// of covered tools or platform hosts count, as before.

import type { Language } from './interpreters.js';

/**
 * What, in `rest` (the code with its literal process calls blanked), still reaches for a process;
 * undefined when nothing does. `blank` empties string literals (keeping their quotes), so words inside
 * strings (`print("exec(")`) do not count once imports have been read.
 */
export function hiddenProcess(language: Language, rest: string, blank: (code: string) => string = (c) => c): string | undefined {
  switch (language) {
    case 'python':
      return python(rest, blank);
    case 'javascript':
      return javascript(rest, blank);
    case 'ruby':
      return first(blank(rest), [/`/, /%x[({[]/, /\b(system|exec|spawn|IO\.popen|Open3|Process\.spawn|PTY\.spawn)\b/, /\b(send|public_send|__send__|instance_eval|class_eval|eval|const_get|method)\s*[(:]/]);
    case 'perl':
      return first(blank(rest), [/`/, /\bqx\s*\W/, /\b(system|exec)\b/, /\bopen\s*\(?[^;]*\|/, /\beval\b/, /&\$\w+|&\{|->\s*\(/]);
  }
}

function first(text: string, patterns: RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const m = pattern.exec(text);
    if (m) return m[0].trim();
  }
  return undefined;
}

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Python: process modules, names taken from them, their aliases, and dynamic import and eval. */
function python(code: string, blank: (code: string) => string): string | undefined {
  const processModules = /^(subprocess|pty|commands|popen2|pexpect|sh|plumbum|asyncio|multiprocessing\.popen_\w+)$/;
  const osFunctions = /^(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*)$/;
  const modules = new Set<string>(); // names bound to a process module
  const osNames = new Set<string>(['os']); // names bound to os
  const functions = new Set<string>(); // names bound to a process function
  let star: string | undefined; // `from os import *`: any bare name may be one
  const statement = /(^|[;\n])[ \t]*(?:import[ \t]+([\w., \t]+?)|from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w., \t*]+?)\)?)[ \t]*(?=;|\n|$)/g;
  const rest = code.replace(statement, (whole, lead: string, imported?: string, from?: string, names?: string) => {
    if (imported !== undefined) {
      for (const item of imported.split(',')) {
        const [name, alias] = item.trim().split(/[ \t]+as[ \t]+/);
        const bound = alias ?? name.split('.')[0];
        if (processModules.test(name)) modules.add(bound);
        else if (name === 'os') osNames.add(bound);
      }
    } else if (from !== undefined && names !== undefined) {
      for (const item of names.split(',')) {
        const [name, alias] = item.trim().split(/[ \t]+as[ \t]+/);
        if (name === '') continue;
        if (name === '*' && (processModules.test(from) || from === 'os')) star = `from ${from} import *`;
        else if (processModules.test(from) || (from === 'os' && osFunctions.test(name)) || (from === 'asyncio' && /^create_subprocess/.test(name))) functions.add(alias ?? name);
      }
    }
    return lead;
  });
  const patterns = [
    /\b(subprocess|pty|pexpect|plumbum)\b/,
    /\bcreate_subprocess_\w+/,
    new RegExp(`\\b(${[...osNames].map(escape).join('|')})\\s*\\.\\s*(system|popen|exec\\w*|spawn\\w*|posix_spawn\\w*)\\b`),
    /\b(__import__|importlib|ctypes|__builtins__|builtins|sys\.modules)\b/,
    // (`exec(open("tasks.py").read())` loads a file of the project, which is read: interpreters.ts.)
    /\b(eval|exec|compile|getattr|globals|locals|vars)\s*\((?!\s*open\s*\(\s*['"])/,
  ];
  if (modules.size > 0) patterns.push(new RegExp(`\\b(${[...modules].map(escape).join('|')})\\b`));
  if (functions.size > 0) patterns.push(new RegExp(`\\b(${[...functions].map(escape).join('|')})\\b`));
  return star ?? first(blank(rest), patterns);
}

/** JavaScript: child_process and names bound from it, Bun/Deno process APIs, dynamic require, import and eval. */
function javascript(code: string, blank: (code: string) => string): string | undefined {
  const names = new Set<string>();
  const module = `['"\`](?:node:)?child_process['"\`]`;
  const bind = (binding: string) => {
    const b = binding.trim();
    if (b.startsWith('{')) {
      for (const item of b.slice(1, -1).split(',')) {
        const parts = item.split(/\s*:\s*|\s+as\s+/).map((p) => p.trim()).filter(Boolean);
        if (parts.length > 0) names.add(parts.at(-1)!);
      }
    } else if (b !== '') names.add(b.replace(/^\*\s+as\s+/, ''));
  };
  let rest = code
    .replace(new RegExp(`\\b(?:const|let|var)\\s+(\\{[^}]*\\}|[\\w$]+)\\s*=\\s*(?:await\\s+)?(?:require|import)\\s*\\(\\s*${module}\\s*\\)\\s*;?`, 'g'), (_w, binding: string) => {
      bind(binding);
      return ' ';
    })
    .replace(new RegExp(`\\bimport\\s+([^;'"\`]+?)\\s+from\\s+${module}\\s*;?`, 'g'), (_w, bindings: string) => {
      for (const part of bindings.split(/,(?![^{]*\})/)) bind(part);
      return ' ';
    });
  // `require("child_process").execSync(…)` was read as its call; the bare require is what is left.
  const inline = new RegExp(`\\b(?:require|import)\\s*\\(\\s*${module}\\s*\\)`, 'g');
  const computedMember = inline.test(rest) && /\)\s*\[/.test(rest.replace(/\s+/g, ' '));
  rest = rest.replace(inline, ' ');
  const patterns = [
    /\bchild_process\b/,
    /\b(exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\b/,
    /\bBun\s*\.\s*(spawn\w*|\$)|\bDeno\s*\.\s*(Command|run)\b|\$`/,
    /\bprocess\s*\.\s*(binding|_linkedBinding|dlopen|mainModule)\b|\bmodule\s*\.\s*constructor\b/,
    /\b(eval|Function)\s*\(|\bnew\s+Function\b|\bvm\s*\.\s*run\w*|\bglobalThis\s*\[/,
    /\b(require|import)\s*\(\s*(?!['"][^'"`$]*['"]\s*\))/,
  ];
  if (names.size > 0) patterns.push(new RegExp(`(?<![\\w$.])(${[...names].map(escape).join('|')})(?![\\w$])`));
  return (computedMember ? 'a computed member of child_process' : undefined) ?? first(blank(rest), patterns);
}
