// Writing and removing shims. A shim is a two-line sh script that starts chaperone's shim entry with
// this Node and passes its own path, so chaperone knows which tool was called and where the shim lives.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataHome } from '../context/files.js';
import { UserError } from '../errors.js';
import { shimMarker } from '../shim/find-real.js';
import { executables } from '../tools/index.js';

export function defaultShimDir(env: NodeJS.ProcessEnv): string {
  return join(dataHome(env), 'chaperone', 'shims');
}

/** The bundled shim entry, beside this bundle in dist/. */
export function shimEntry(): string {
  return fileURLToPath(new URL('./shim.js', import.meta.url));
}

const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function shimScript(tool: string, node: string, entry: string): string {
  return [
    '#!/bin/sh',
    `${shimMarker}: ${tool}. Written by \`chaperone install\`; \`chaperone uninstall\` removes it.`,
    `[ -f ${sq(entry)} ] || { echo "chaperone: ${entry} is missing; reinstall chaperone, or run: chaperone uninstall" >&2; exit 127; }`,
    `[ -x ${sq(node)} ] && exec ${sq(node)} ${sq(entry)} "$0" "$@"`,
    `exec node ${sq(entry)} "$0" "$@"`,
    '',
  ].join('\n');
}

export function checkToolNames(requested: string[]): string[] {
  const unknown = requested.filter((t) => !executables.includes(t));
  if (unknown.length) {
    throw new UserError(`chaperone: no shim for ${unknown.join(', ')}; chaperone covers: ${executables.join(', ')}`);
  }
  return requested.length ? requested : executables;
}

export function isShim(path: string): boolean {
  try {
    return readFileSync(path, 'latin1').slice(0, 512).includes(shimMarker);
  } catch {
    return false;
  }
}

export function writeShims(dir: string, tools: string[]): string[] {
  mkdirSync(dir, { recursive: true });
  const entry = shimEntry();
  for (const tool of tools) {
    const path = join(dir, tool);
    if (existsSync(path) && !isShim(path)) {
      throw new UserError(`chaperone: ${path} exists and is not a chaperone shim; not overwriting it. Choose another --dir.`);
    }
    const temporary = `${path}.chaperone-${process.pid}`;
    writeFileSync(temporary, shimScript(tool, process.execPath, entry), { mode: 0o755 });
    chmodSync(temporary, 0o755);
    renameSync(temporary, path);
  }
  return tools;
}

export function removeShims(dir: string, tools: string[]): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const tool of tools) {
    const path = join(dir, tool);
    if (isShim(path)) {
      rmSync(path);
      removed.push(tool);
    }
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  return removed;
}

export type Shell = 'bash' | 'zsh' | 'fish' | 'sh';

/** The line that puts the shim directory first on PATH, once. */
export function pathLine(shell: Shell, dir: string): string {
  if (shell === 'fish') return `test "$PATH[1]" = ${sq(dir)}; or set -gx PATH ${sq(dir)} $PATH`;
  return `case ":$PATH:" in ${sq(`:${dir}:`)}*) ;; *) export PATH=${sq(dir)}":$PATH" ;; esac`;
}
