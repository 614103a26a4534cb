// `docker build`: each RUN instruction of the Dockerfile runs in a build container, with the build's
// secrets and arguments, where no shim stands. `RUN railway volume delete …` with a token passed as a
// build secret is the same call as `docker run … railway volume delete …`, so each RUN is read as a
// command run in a container. The container is thrown away, so what only touches it (`rm -rf
// /var/lib/apt/lists/*`) is nothing; a covered tool reaching beyond it is judged as anywhere else.
//
// The Dockerfile is `-f FILE` (relative to the working directory), else `Dockerfile` in the build
// context. A context that is a URL, or a Dockerfile on stdin that was not read, cannot be read: the
// build is an unreadable session into the daemon's target, as a shell on an unknown stdin is.

import type { Invocation, NestedLine } from '../model.js';
import { readNamedFile } from '../payload/input.js';
import { grammar, readArgs } from './argv.js';

/** docker build / buildx build options that take a value (the rest are switches). */
const buildOptions = grammar({
  values: [
    ['--file', '-f'], ['--tag', '-t'], ['--build-arg'], ['--build-context'], ['--target'], ['--platform'], ['--secret'], ['--ssh'], ['--label'],
    ['--cache-from'], ['--cache-to'], ['--network'], ['--progress'], ['--output', '-o'], ['--iidfile'], ['--metadata-file'], ['--add-host'],
    ['--allow'], ['--annotation'], ['--attest'], ['--builder'], ['--call'], ['--cgroup-parent'], ['--no-cache-filter'], ['--provenance'],
    ['--sbom'], ['--shm-size'], ['--ulimit'], ['--cpu-period'], ['--cpu-quota'], ['--cpu-shares', '-c'], ['--cpuset-cpus'], ['--cpuset-mems'],
    ['--isolation'], ['--memory', '-m'], ['--memory-swap'], ['--security-opt'], ['--config'],
  ],
  booleans: [['--help', '-h']],
});

/** What the RUN instructions of the Dockerfile a `docker build` argv (after `build`) names run. */
export function buildRuns(args: readonly string[], invocation: Invocation): NestedLine[] {
  const { words, flags } = readArgs(args, buildOptions);
  if (flags.has('--help')) return [];
  const context = words.at(-1) ?? '.';
  const named = flags.get('--file')?.at(-1);
  const via = 'docker build';
  const unreadable = (why: string): NestedLine[] => [{ via, unreadable: why, where: 'remote' }];
  let text: string | undefined;
  if (named === '-' || (named === undefined && context === '-')) {
    text = invocation.input;
    if (text === undefined || text === '') return unreadable('a Dockerfile on stdin, which was not read in advance');
  } else if (named === undefined && /^[a-z][a-z0-9+.-]*:\/\/|^git@|\.git(#|$)/i.test(context)) {
    return unreadable(`the Dockerfile of the remote context ${context}`);
  } else {
    const file = named ?? [`${context}/Dockerfile`, `${context}/dockerfile`].find((f) => readNamedFile(f, invocation.cwd, invocation.env).ok) ?? `${context}/Dockerfile`;
    const read = readNamedFile(file, invocation.cwd, invocation.env);
    if (!read.ok) {
      // No Dockerfile: docker fails before it runs anything.
      return /cannot be read \(ENOENT\)/.test(read.why) ? [] : unreadable(read.why);
    }
    text = read.bytes.toString('utf8');
  }
  return runInstructions(text).map((run) => ({ via: `${via} RUN`, ...run, where: 'remote' as const, input: '', ephemeral: true }));
}

/** Each RUN's command: shell text (shell form, a heredoc's body) or argv (exec form). */
export function runInstructions(text: string): ({ line: string } | { argv: string[] })[] {
  const lines = text.split(/\r?\n/);
  // A parser directive on the first lines may change the escape character (`# escape=\``).
  const escape = /^#\s*escape\s*=\s*(\S)\s*$/im.exec(lines.slice(0, 5).join('\n'))?.[1] ?? '\\';
  const out: ({ line: string } | { argv: string[] })[] = [];
  for (let i = 0; i < lines.length; i++) {
    let instruction = lines[i];
    if (/^\s*(#|$)/.test(instruction)) continue;
    // Continuation lines: the escape and the line break go, the lines join as they are; comment lines
    // inside them are dropped, as the builder drops them.
    while (instruction.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      instruction = instruction.trimEnd().slice(0, -1);
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i])) i++;
      if (i < lines.length) instruction += lines[i];
    }
    const m = /^\s*(?:ONBUILD\s+)?RUN\s+([\s\S]*)$/i.exec(instruction);
    if (!m) continue;
    const rest = m[1].replace(/^(\s*--[a-z-]+(=\S*)?\s+)+/i, '');
    const heredoc = /^<<-?\s*(["']?)(\w+)\1/.exec(rest.trim());
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i].trim() !== heredoc[2]; i++) body.push(heredoc[0].startsWith('<<-') ? lines[i].replace(/^\t+/, '') : lines[i]);
      out.push({ line: body.join('\n') });
      continue;
    }
    if (/^\s*\[/.test(rest)) {
      try {
        const argv = JSON.parse(rest) as unknown;
        if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) {
          out.push({ argv: argv as string[] });
          continue;
        }
      } catch {
        // Not JSON: the builder runs it as shell text.
      }
    }
    out.push({ line: rest });
  }
  return out;
}
