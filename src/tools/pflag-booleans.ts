// What spf13/pflag does with a boolean flag that the generic argv reader cannot know: it takes a value
// only after `=`, and `--force=false` leaves it unset. Used by the cobra CLIs docker, doctl and gh.

/** pflag's strconv.ParseBool spellings of false. */
const falseValues = new Set(['false', 'f', 'F', 'FALSE', 'False', '0']);

/** Removes the boolean flags whose last occurrence says `=false`, as pflag would leave them unset. */
export function dropFalseBooleans(flags: Map<string, string[]>, booleans: ReadonlyMap<string, string>): void {
  for (const name of new Set(booleans.values())) {
    const last = flags.get(name)?.at(-1);
    if (last !== undefined && falseValues.has(last)) flags.delete(name);
  }
}
