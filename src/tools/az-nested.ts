// What `az` runs inside a machine, a container, a cluster or a database server it reaches: judged as a
// line there (src/nested.ts), against the subscription, group and names az itself resolves.
//
//   vm|vmss run-command invoke|create --scripts LINE… (or @FILE)      shell text on the VM
//   ssh vm|arc … -- CMD…                                              a command over ssh
//   container exec --exec-command CMD                                 a command in the container
//   aks command invoke --command CMD                                  a command (kubectl, helm) in the cluster
//   postgres flexible-server execute -q SQL | -f FILE                 SQL, as psql -c / a script
//   mysql flexible-server execute -q SQL | -f FILE                    SQL, as mysql -e / a script
//
// Option values are read from the raw words (argparse: `--opt v`, `--opt=v`, and for nargs='+' every
// word up to the next option). A file that cannot be read is held as unreadable.

import { resolvePath } from '../context/os-path.js';
import type { Invocation, NestedLine } from '../model.js';
import { readTextIfExists } from '../context/files.js';
import { remoteArgv, remoteLine, remoteSession } from './remote.js';

/** Every value given to one of `names`, each with the words after it up to the next option when `many`. */
function values(args: readonly string[], names: readonly string[], many = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '--') break;
    const eq = word.indexOf('=');
    if (word.startsWith('--') && eq > 0 && names.includes(word.slice(0, eq))) {
      out.push(word.slice(eq + 1));
      continue;
    }
    if (!names.includes(word)) continue;
    for (let j = i + 1; j < args.length && !(args[j].startsWith('-') && args[j].length > 1); j++) {
      out.push(args[j]);
      i = j;
      if (!many) break;
    }
  }
  return out;
}

/** `@FILE` is the file's text, as az reads it; unreadable is undefined. */
function atFile(value: string, cwd: string): string | undefined {
  return value.startsWith('@') ? readTextIfExists(resolvePath(cwd, value.slice(1))) : value;
}

export function azNested(path: readonly string[], invocation: Invocation): NestedLine[] {
  const args = invocation.args;
  const via = `az ${path.slice(0, 3).join(' ')}`;
  const [group, sub, verb] = path;
  const unreadable = (why: string): NestedLine => ({ via, unreadable: why, where: 'remote' });
  if ((group === 'vm' || group === 'vmss') && sub === 'run-command' && (verb === 'invoke' || verb === 'create')) {
    const scripts = values(args, ['--scripts', '--script'], true);
    if (scripts.length === 0) return [];
    const texts = scripts.map((s) => atFile(s, invocation.cwd));
    return texts.includes(undefined) ? [unreadable(`cannot read ${scripts.find((s) => atFile(s, invocation.cwd) === undefined)}, the script it runs`)] : [remoteLine(via, texts.join('\n'), '')];
  }
  if (group === 'ssh' && (sub === 'vm' || sub === 'arc')) {
    const dash = args.indexOf('--');
    const command = dash >= 0 ? args.slice(dash + 1).filter((w) => !w.startsWith('-')) : [];
    // Without a command it is a login shell on the VM: what is typed there cannot be read in advance.
    return [command.length > 0 ? remoteLine(via, args.slice(dash + 1).join(' '), undefined) : remoteSession(via, undefined)];
  }
  if (group === 'container' && sub === 'exec') {
    return values(args, ['--exec-command']).map((command) => remoteLine(via, command, ''));
  }
  if (group === 'aks' && sub === 'command' && verb === 'invoke') {
    return values(args, ['--command', '-c']).map((command) => remoteLine(via, command, ''));
  }
  if ((group === 'postgres' || group === 'mysql') && sub === 'flexible-server' && verb === 'execute') {
    const client = group === 'postgres' ? ['psql', '-c'] : ['mysql', '-e'];
    const lines = values(args, ['--querytext', '-q']).map((sql) => remoteArgv(via, [...client, sql], ''));
    for (const file of values(args, ['--file-path', '-f'])) {
      const text = readTextIfExists(resolvePath(invocation.cwd, file));
      lines.push(text === undefined ? unreadable(`cannot read ${file}, the SQL it runs`) : remoteArgv(via, [client[0]], text));
    }
    return lines;
  }
  return [];
}
