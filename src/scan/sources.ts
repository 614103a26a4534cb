// Where committed files hold shell lines that will run later: scripts, Makefile recipes, package.json
// scripts, CI workflow steps and Dockerfile RUN instructions. Each is cut out with the line it starts
// on, so a finding can say file:line. Pure: text in, sources out.

import { basename } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from 'yaml';
import { quoteWord } from '../display/describe.js';
import { lineOf, lineStarts } from './secrets.js';

export interface ShellSource {
  /** The shell text. */
  text: string;
  /** The 1-based line its first character is on. */
  line: number;
  /** What it is, for the report: `script`, `make target deploy`, `package.json script "nuke"`. */
  what: string;
  /** Set when the file cannot be read as its kind: nothing in it can be judged. */
  unreadable?: string;
}

export type SourceKind = 'shell' | 'makefile' | 'package.json' | 'workflow' | 'dockerfile';

export function kindOf(path: string, text: string): SourceKind | undefined {
  const name = basename(path);
  if (/\.(sh|bash|zsh|ksh)$/.test(name) || /^#![^\n]*\b(?:ba|z|k|da)?sh\b/.test(text)) return 'shell';
  if (/^(?:GNUmakefile|[Mm]akefile)$/.test(name) || name.endsWith('.mk')) return 'makefile';
  if (name === 'package.json') return 'package.json';
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path) || name === '.gitlab-ci.yml' || /^action\.ya?ml$/.test(name)) return 'workflow';
  if (/^(?:Dockerfile|Containerfile)(?:\..+)?$/.test(name) || name.endsWith('.Dockerfile')) return 'dockerfile';
  return undefined;
}

export function shellSources(path: string, text: string): ShellSource[] {
  switch (kindOf(path, text)) {
    case 'shell':
      return [{ text, line: 1, what: 'script' }];
    case 'makefile':
      return makeRecipes(text);
    case 'package.json':
      return packageScripts(text);
    case 'workflow':
      return workflowSteps(text);
    case 'dockerfile':
      return dockerRuns(text);
    default:
      return [];
  }
}

/**
 * Lines joined where they end in `\`, each kept with the line it started on. make hands the shell the
 * backslash-newline (less the next line's recipe tab); Docker removes both.
 */
function logicalLines(text: string, join: 'make' | 'docker'): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let joined = lines[i];
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      const next = lines[++i];
      joined = join === 'make' ? `${joined}\n${next.replace(/^\t/, '')}` : `${joined.slice(0, -1)}${next}`;
    }
    out.push({ text: joined, line: start + 1 });
  }
  return out;
}

/**
 * Recipe lines of a Makefile: tab-indented lines under a rule, their `@`, `-` and `+` prefixes dropped,
 * `$$` made `$`, and make variables replaced by their simple definitions in the file, or by a shell
 * variable of the same name (unknown to the analyzer) when the file does not define them.
 */
function makeRecipes(text: string): ShellSource[] {
  // make expands a recipe when it runs it, after reading the whole file: a variable defined below the
  // rule still counts. The last definition wins, as for `=`.
  const variables = new Map<string, string>();
  const lines = logicalLines(text, 'make');
  for (const { text: line } of lines) {
    const definition = /^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::{1,3}=|\?=|\+=|=)\s*(.*)$/.exec(line);
    if (definition) variables.set(definition[1], definition[2].trim());
  }
  const out: ShellSource[] = [];
  let target: string | undefined;
  for (const { text: line, line: number } of lines) {
    if (line.startsWith('\t') && target !== undefined) {
      const recipe = line.slice(1).replace(/^[@+\-\s]+/, '');
      if (recipe.trim() !== '') out.push({ text: expandMake(recipe, variables), line: number, what: `make target ${target}` });
      continue;
    }
    const rule = /^([^:#=\t][^:#=]*?)\s*::?(?!=)/.exec(line);
    if (rule) target = rule[1].trim();
    else if (line.trim() !== '' && !line.startsWith('#')) target = undefined;
  }
  return out;
}

function expandMake(recipe: string, variables: ReadonlyMap<string, string>, depth = 0): string {
  return recipe.replace(/\$(?:\(([^()]*)\)|\{([^{}]*)\}|(\$)|([A-Za-z0-9_@<^*?]))/g, (whole, paren?: string, brace?: string, dollar?: string, single?: string) => {
    if (dollar) return '$';
    const name = (paren ?? brace ?? single ?? '').trim();
    if (name === 'MAKE') return 'make';
    if (/\s/.test(name)) return '__make_function__'; // $(shell …), $(wildcard …): computed by make
    const value = variables.get(name);
    if (value !== undefined && depth < 8) return expandMake(value, variables, depth + 1);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `\${${name}}` : '__make_variable__';
  });
}

function packageScripts(text: string): ShellSource[] {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
  } catch (error) {
    return [{ text: '', line: 1, what: 'package.json', unreadable: `not valid JSON (${(error as Error).message})` }];
  }
  if (!scripts || typeof scripts !== 'object') return [];
  const starts = lineStarts(text);
  return Object.entries(scripts as Record<string, unknown>)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, script]) => {
      const at = text.indexOf(JSON.stringify(name));
      return { text: script, line: at < 0 ? 1 : lineOf(starts, at) + 1, what: `package.json script "${name}"` };
    });
}

/** GitHub Actions `run:` steps and GitLab CI `script`/`before_script`/`after_script` entries. */
function workflowSteps(text: string): ShellSource[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length > 0) {
    const [error] = doc.errors;
    return [{ text: '', line: error.linePos?.[0].line ?? 1, what: 'workflow', unreadable: `not valid YAML (${error.message.split('\n')[0]})` }];
  }
  const out: ShellSource[] = [];
  const lineAt = (node: Node) => {
    const start = node.range?.[0] ?? 0;
    const line = counter.linePos(start).line;
    // A block scalar's text starts on the line after its `|` or `>` header.
    return /^[|>]/.test(text.slice(start, start + 1)) ? line + 1 : line;
  };
  const visit = (node: unknown, key?: string) => {
    if (isMap(node)) {
      for (const pair of node.items) visit(pair.value, isScalar(pair.key) ? String(pair.key.value) : undefined);
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, key && /^(?:before_|after_)?script$/.test(key) ? key : undefined);
    } else if (isScalar(node) && typeof node.value === 'string' && key && /^(?:run|(?:before_|after_)?script)$/.test(key)) {
      out.push({ text: node.value, line: lineAt(node), what: key === 'run' ? 'workflow step' : `CI ${key}` });
    }
  };
  visit(doc.contents);
  return out;
}

/** Dockerfile `RUN` instructions, shell form or exec form, with their `--mount=…` options dropped. */
function dockerRuns(text: string): ShellSource[] {
  const out: ShellSource[] = [];
  for (const { text: line, line: number } of logicalLines(text, 'docker')) {
    const run = /^\s*RUN\s+((?:--[a-z-]+=\S+\s+)*)([\s\S]*)$/i.exec(line);
    if (!run) continue;
    const body = run[2].trim();
    let shell = body;
    if (body.startsWith('[')) {
      try {
        const argv = JSON.parse(body) as unknown;
        if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) shell = argv.map(quoteWord).join(' ');
      } catch {
        // Not JSON: Docker runs it with the shell, as written.
      }
    }
    out.push({ text: shell, line: number, what: 'Dockerfile RUN' });
  }
  return out;
}
