// `chaperone scan [--staged] [PATH…]`: for pre-commit and CI. Committed shell lines (scripts, Makefile
// recipes, package.json scripts, CI steps, Dockerfile RUN) are judged as an agent would be, and committed
// credentials are reported masked. A committed line runs later, somewhere else, so its target is judged
// from its own words only: the developer's links and current contexts say nothing about where it runs.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { configHome } from '../context/files.js';
import { escapeControl, quoteWord } from '../display/describe.js';
import { UserError } from '../errors.js';
import { findSecrets, lineOf, lineStarts } from '../scan/secrets.js';
import { shellSources } from '../scan/sources.js';
import { checkWithEvaluations } from './check.js';

export interface ScanFinding {
  file: string;
  line: number;
  column?: number;
  kind: 'destroy' | 'unreadable' | 'secret';
  /** What it is: the rule and its summary, the credential's kind, or why the file cannot be read. */
  message: string;
  /** Where the line runs it: `make target deploy`, `workflow step`. */
  in?: string;
  /** The command, redacted; or the masked secret. */
  text?: string;
  environment?: string;
}

export interface ScanReport {
  files: number;
  findings: ScanFinding[];
}

const maxFileBytes = 1024 * 1024;
const skippedDirectories = new Set(['.git', 'node_modules', 'dist', 'build', 'vendor', '.venv', 'target', '.terraform']);

export async function scan(paths: string[], options: { staged: boolean; cwd: string; env: NodeJS.ProcessEnv }): Promise<ScanReport> {
  const files = options.staged ? stagedFiles(options.cwd) : listFiles(paths.length > 0 ? paths : ['.'], options.cwd);
  // Judged with an empty HOME: the user's rules and mappings apply, their local links and contexts don't.
  const home = mkdtempSync(join(tmpdir(), 'chaperone-scan-'));
  const env: NodeJS.ProcessEnv = { PATH: options.env.PATH, HOME: home, XDG_CONFIG_HOME: configHome(options.env) };
  const findings: ScanFinding[] = [];
  try {
    for (const file of files) {
      const text = file.read();
      if (text === undefined) continue;
      for (const s of findSecrets(text)) findings.push({ file: file.name, line: s.line, column: s.column, kind: 'secret', message: s.kind, text: s.masked });
      findings.push(...(await judgeFile(file.name, file.path, text, env)));
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return { files: files.length, findings };
}

async function judgeFile(name: string, path: string, text: string, env: NodeJS.ProcessEnv): Promise<ScanFinding[]> {
  const out: ScanFinding[] = [];
  for (const source of shellSources(path, text)) {
    if (source.unreadable) {
      out.push({ file: name, line: source.line, kind: 'unreadable', message: `${source.what} is ${source.unreadable}`, in: source.what });
      continue;
    }
    const { report } = await checkWithEvaluations({ line: source.text, actor: 'agent', cwd: dirname(path), env });
    const starts = lineStarts(source.text);
    for (const command of report.commands) {
      if (command.decision === 'allow') continue;
      const line = source.line + lineOf(starts, command.offset ?? 0);
      const text = escapeControl([command.tool, ...command.argv].map(quoteWord).join(' '));
      const environment = command.environment ? `${command.environment.name ? `${command.environment.name} ` : ''}(${command.environment.class})` : undefined;
      if (command.findings.length === 0) {
        out.push({ file: name, line, kind: 'unreadable', message: command.reason, in: source.what, text });
        continue;
      }
      for (const f of command.findings) {
        out.push({ file: name, line, kind: 'destroy', message: `${f.rule}: ${f.summary}`, in: source.what, text, ...(environment ? { environment } : {}) });
      }
    }
  }
  return out;
}

interface ScannedFile {
  /** As reported: relative to the working directory. */
  name: string;
  path: string;
  /** Its text; undefined for binary or oversized files. */
  read(): string | undefined;
}

function asText(bytes: Buffer): string | undefined {
  return bytes.length > maxFileBytes || bytes.includes(0) ? undefined : bytes.toString('utf8');
}

function listFiles(paths: string[], cwd: string): ScannedFile[] {
  const out: ScannedFile[] = [];
  const visit = (path: string, top: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      if (top) throw new UserError(`chaperone: scan: ${path}: no such file or directory`);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!skippedDirectories.has(entry)) visit(join(path, entry), false);
    } else if (stat.isFile()) {
      out.push({ name: relative(cwd, path) || path, path, read: () => asText(readFileSync(path)) });
    }
  };
  for (const p of paths) visit(resolve(cwd, p), true);
  return out;
}

/** What `git commit` would record: the staged version of each added, copied, modified or renamed file. */
function stagedFiles(cwd: string): ScannedFile[] {
  const git = (args: string[]) => execFileSync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  let top: string;
  let names: string[];
  try {
    top = git(['rev-parse', '--show-toplevel']).toString().trim();
    names = git(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR']).toString().split('\0').filter(Boolean);
  } catch {
    throw new UserError('chaperone: scan --staged needs a git repository: run it inside one, or name the files to scan');
  }
  return names.map((name) => ({ name: relative(cwd, join(top, name)) || name, path: join(top, name), read: () => asText(git(['show', `:${name}`])) }));
}

export function scanText(report: ScanReport): string {
  const lines = report.findings.map((f) => {
    const where = `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`;
    const detail = [f.in ? `in ${f.in}` : '', f.environment ? `environment ${f.environment}` : ''].filter(Boolean).join(', ');
    return `${escapeControl(where)}: ${f.kind}: ${f.message}${f.text ? `\n    ${f.text}` : ''}${detail ? `\n    ${detail}` : ''}`;
  });
  const summary = `chaperone scan: ${report.findings.length === 0 ? 'nothing found' : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`} in ${report.files} file${report.files === 1 ? '' : 's'}`;
  return `${[...lines, summary].join('\n')}\n`;
}
