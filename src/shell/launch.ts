// What a command that runs other commands runs: a wrapper (`sudo`, `timeout 10`), a shell given a
// script (`bash -c '…'`), or a package runner (`npx @railway/cli …`). Each module answers with a Launch;
// the analyzer then looks at what was launched as if it had been typed.

export interface Launch {
  /** How this step is named in explanations: `sudo`, `bash -c`, `npx`. */
  via: string;
  /** The commands it runs, as argv (`xargs -I` runs one per input line). */
  runs?: string[][];
  /** Shell text it runs (`bash -c`, `watch`, `su -c`), and its `$0`, `$1`, … (`bash -c '…' name arg`). */
  script?: string;
  positional?: string[];
  /** Variables it sets, removes, or clears for what it runs (`env -i A=1`, `sudo A=1`). */
  set?: Record<string, string>;
  unset?: string[];
  clear?: boolean;
  /** The directory it runs in (`env -C`, `sudo -D`, `pnpm -C`), relative to the current one. */
  chdir?: string;
  /** Whether what it runs reads the wrapper's own input; xargs and a shell reading its script do not. */
  stdin?: 'inherit' | 'none';
  /** Runs the command inside the current shell, so `cd` and `export` still count (`command`, `builtin`). */
  inShell?: boolean;
}

/** The name a command is known by: its basename, so `/usr/bin/sudo` is sudo. */
export function commandName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}
