// The agent's NODE_OPTIONS, set aside while the hook's Node starts. Node applies them at start-up: a
// V8 flag there (`--max-old-space-size=4096`, common in a JavaScript developer's environment) changes
// V8's flag hash, so the hook's code cache is rejected and its 1.3 MB bundle compiled from source at
// every call (CPU 34 -> 59 ms, paired); a `--require` would run someone's code inside the judge. The hook
// line (src/cli/setup.ts) moves the variable to CHAPERONE_NODE_OPTIONS before starting Node, and the
// hook puts it back before judging, so a line is judged with the environment the agent runs it in
// (`NODE_OPTIONS='--require ./wipe.js'` preloads a file: src/shell/interpreters.ts).

export const savedNodeOptions = 'CHAPERONE_NODE_OPTIONS';

/** The sh that sets NODE_OPTIONS aside, for the hook line; a CHAPERONE_NODE_OPTIONS inherited from elsewhere is dropped. */
export const setNodeOptionsAside = `unset ${savedNodeOptions}; if [ "\${NODE_OPTIONS+set}" = set ]; then ${savedNodeOptions}=$NODE_OPTIONS; export ${savedNodeOptions}; unset NODE_OPTIONS; fi`;

/** Puts the agent's NODE_OPTIONS back into `env`, as it was (set, empty, or not set). */
export function restoreNodeOptions(env: NodeJS.ProcessEnv): void {
  const saved = env[savedNodeOptions];
  if (saved === undefined) return;
  env.NODE_OPTIONS = saved;
  delete env[savedNodeOptions];
}
