// What the runners (kubectl exec, docker exec, ssh, heroku run, …) hand to src/nested.ts: the command
// they run in a pod, a container or on a host, and what that command reads on stdin.
//
// Stdin. A runner forwards its own stdin only when told to (`kubectl exec -i`, `docker exec -i`) or by
// default (ssh, unless -n). What it carries is known when a shell line says so (check --command, the
// hooks) or when it is a regular file, read here with pread so the runner still reads every byte. A
// pipe is not read ahead: a runner often speaks a protocol over it (git over ssh writes only after the
// remote answers), so reading first could hang both. A terminal is typed into later. Unknown stdin is
// `input: undefined`; a shell reading its script from it is an unreadable session (src/nested.ts).

import type { Invocation, NestedLine } from '../model.js';
import { stdinIsTerminal, stdinStat } from '../payload/descriptors.js';
import { payloadText, readAheadLimit, readStdinPayload } from '../payload/stdin.js';

/**
 * What a remote command reads from the stdin its runner forwards: the text when known, '' when nothing
 * is forwarded (or stdin is closed or /dev/null), undefined when it cannot be known in advance.
 */
export function forwardedInput(invocation: Invocation, forwarded: boolean): string | undefined {
  if (!forwarded) return '';
  // A checked line gives '' when it does not know what stdin carries (a terminal, a pipe from a file it
  // did not read), so '' there counts as unknown: only text it saw is known.
  if (invocation.input !== undefined) return invocation.input === '' ? undefined : invocation.input;
  const stat = stdinStat();
  if (stat === undefined) return ''; // stdin is closed
  if (stat.isFile()) {
    const payload = readStdinPayload(invocation.env);
    return payload ? payloadText(payload, readAheadLimit(invocation.env)) : undefined;
  }
  if (stat.isFIFO() || stat.isSocket() || stdinIsTerminal()) return undefined;
  return ''; // a device such as /dev/null: nothing to read
}

/** A remote command given as argv words (exec'd without a shell, as kubectl and docker do). */
export function remoteArgv(via: string, argv: readonly string[], input: string | undefined): NestedLine {
  return { via, argv: [...argv], ...(input !== undefined ? { input } : {}), where: 'remote' };
}

/** A remote command given as shell text (ssh, heroku run, fly ssh console -C). */
export function remoteLine(via: string, line: string, input: string | undefined): NestedLine {
  return { via, line, ...(input !== undefined ? { input } : {}), where: 'remote' };
}

/**
 * A session whose commands are typed later, or read from a stdin nobody has seen: unreadable. When the
 * stdin is known (a heredoc in a checked line, a regular file), it is the script the shell runs.
 */
export function remoteSession(via: string, input: string | undefined): NestedLine {
  return input === undefined ? { via, where: 'remote' } : { via, line: input, input: '', where: 'remote' };
}
