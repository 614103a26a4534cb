// What each command of a shell line may find changed in the tools' config files by earlier commands of
// the line: `kubectl config use-context prod && kubectl delete ns shop` deletes in prod, whatever
// ~/.kube/config says now. These are files, not shell state: a switch inside `( … )` or `bash -c` holds
// for the rest of the line too.
//
// Whether the switch happened: after `a && b`, b runs only if a succeeded, so b sees the new target
// alone. After `a; b` or `a || b`, in a pipeline or in the background, a may have failed, not run yet,
// or run later, so b counts under both the old and the new target and the strictest wins. A switch run
// as another user (sudo, su, doas), through xargs, find or watch, or inside `$( )` writes files chaperone
// cannot be sure of, so it is never taken as certain.

import type { Assumption } from '../model.js';
import { showCommand } from '../display/describe.js';
import { environmentOf, type ShellCommand } from '../shell/analyze.js';
import { switchesOf } from './facts.js';

/** What ran a switch when it still writes this user's files, and only if it succeeded: a shell, eval, a function, time… */
const faithful = /^(?:(?:ba|da|k|mk|z|fi)?sh -c|eval|time|nice|nohup|stdbuf|chronic|ionice|timeout|command|builtin|exec|env|.+\(\))$/;

/** For each command of the line, the switches made before it that it may see, in order. */
export async function assumptionsOf(commands: readonly ShellCommand[], env: NodeJS.ProcessEnv): Promise<Assumption[][]> {
  const made: { index: number; assumptions: Assumption[]; faithful: boolean }[] = [];
  for (const [index, command] of commands.entries()) {
    if (command.argv.length === 0) continue;
    const commandEnv = environmentOf(command, env);
    const facts = await switchesOf(command.argv, command.cwd, commandEnv);
    if (facts.length === 0) continue;
    const by = showCommand(command.argv[0], command.argv.slice(1));
    made.push({
      index,
      assumptions: facts.map((fact) => ({ fact, by, cwd: command.cwd, env: commandEnv, certain: true })),
      faithful: command.via.every((v) => faithful.test(v)),
    });
  }
  return commands.map((command, i) => {
    const seen: Assumption[] = [];
    for (const switched of made) {
      if (switched.index === i) continue;
      // A later switch can only reach a command that may still be running when it happens.
      if (switched.index > i && !command.concurrent) continue;
      const certain = switched.index < i && switched.faithful && (command.after ?? []).includes(switched.index);
      for (const a of switched.assumptions) seen.push({ ...a, certain });
    }
    return seen;
  });
}
