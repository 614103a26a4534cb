// Collecting the actions of a long script (a dump on stdin, a sourced file) in bounded memory. Rules
// match an action by its path and flags, so a million `sql insert` actions decide nothing that one
// does not: the first few of each kind are kept, with their text to show, and the rest are counted.

import type { Command } from '../model.js';

/** How many actions of one kind (same path and flags) are kept. */
export const keptPerKind = 20;

export class CommandCollector {
  private readonly kinds = new Map<string, number>();
  readonly commands: Command[] = [];
  /** Actions not kept, because enough of their kind were. */
  dropped = 0;

  add(command: Command): void {
    const key = `${command.path.join(' ')}\u0000${[...command.flags].map(([k, v]) => `${k}=${v.join(',')}`).sort().join(' ')}`;
    const seen = this.kinds.get(key) ?? 0;
    this.kinds.set(key, seen + 1);
    if (seen < keptPerKind) this.commands.push(command);
    else this.dropped++;
  }

  addAll(commands: Iterable<Command>): void {
    for (const command of commands) this.add(command);
  }
}
