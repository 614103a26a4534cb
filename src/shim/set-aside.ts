// Variables Node itself acts on as it starts, set aside by the sh that starts chaperone's Node (the
// shim, the agent hook's line) and given back to the decision, and to the real tool, as they were.
// - NODE_OPTIONS: a `--require` or `--import` there would run someone's code inside the judge, which
//   could answer "run" for anything; a V8 flag (`--max-old-space-size=4096`, common in a JavaScript
//   developer's environment) changes V8's flag hash, so the code cache is rejected and the bundle
//   compiled from source at every call (a refused call 38 -> 55 ms of CPU).
// - NODE_EXTRA_CA_CERTS: Node parses that bundle at start-up (tens of milliseconds), and chaperone makes
//   no TLS connection.
// The decision puts them back before it reads the environment, so a call is judged with the variables
// the tool will get (`NODE_OPTIONS='--require ./wipe.js' node …` preloads a file: src/shell/interpreters.ts).
// A saved name inherited from elsewhere is dropped first, so only what the sh saved is given back.

export const nodeStartVariables = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'] as const;

const saved = (name: string) => `CHAPERONE_${name}`;

/** The sh that sets one variable aside before Node starts. */
export function setAsideShOf(name: (typeof nodeStartVariables)[number]): string {
  return `unset ${saved(name)}; if [ "\${${name}+set}" = set ]; then ${saved(name)}=$${name}; export ${saved(name)}; unset ${name}; fi`;
}

/** The sh that sets them all aside before Node starts. */
export const setAsideSh = nodeStartVariables.map(setAsideShOf).join('; ');

/** The sh that gives them back, once Node has answered, for the real tool. */
export const restoreSh = nodeStartVariables
  .map((name) => `if [ "\${${saved(name)}+set}" = set ]; then ${name}=$${saved(name)}; export ${name}; unset ${saved(name)}; fi`)
  .join('; ');

/** Puts the variables back into `env`, each as it was (set, empty, or not set). */
export function restoreSetAside(env: NodeJS.ProcessEnv): void {
  for (const name of nodeStartVariables) {
    const value = env[saved(name)];
    if (value === undefined) continue;
    env[name] = value;
    delete env[saved(name)];
  }
}

/** A copy of `env` with the variables set aside, for a Node chaperone starts itself (the feeder). */
export function setAside(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  for (const name of nodeStartVariables) {
    delete copy[saved(name)];
    if (env[name] === undefined) continue;
    copy[saved(name)] = env[name];
    delete copy[name];
  }
  return copy;
}
