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
//
// Where a variable goes: CHAPERONE_X. The caller may have a variable of that name of its own (and of
// CHAPERONE_CHAPERONE_X…), which the tool must get back byte for byte, so nothing of the caller's is
// overwritten: the caller's CHAPERONE_X, CHAPERONE_CHAPERONE_X… up to the first name it has not set are
// each moved up one name, and CHAPERONE_X holds `K+VALUE` (X was VALUE) or `K-` (X was not set), K being
// how many names are in use (1 when the caller had no CHAPERONE_X: the usual case, one test in sh).
// Giving back is the same in reverse. The caller's own variables never come near Node's start-up.

export const nodeStartVariables = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'] as const;
type NodeStartVariable = (typeof nodeStartVariables)[number];

const saved = (name: string) => `CHAPERONE_${name}`;

/** The sh that sets one variable aside before Node starts. */
export function setAsideShOf(name: NodeStartVariable): string {
  const s = saved(name);
  return [
    'chaperone_k=1',
    // The caller's own CHAPERONE_X…: find the highest set in a row, then move each up one, from the top.
    `if [ "\${${s}+set}" = set ]; then chaperone_n=${s}; chaperone_k=2`,
    `while eval "[ \\"\\\${CHAPERONE_$chaperone_n+set}\\" = set ]"; do chaperone_n=CHAPERONE_$chaperone_n; chaperone_k=$((chaperone_k+1)); done`,
    // (\${$n}, not \$$n: no `$$` in the text, which String.replace would read as a pattern in setup and tests)
    `while :; do eval "CHAPERONE_$chaperone_n=\\\${$chaperone_n}; export CHAPERONE_$chaperone_n"; [ "$chaperone_n" = ${s} ] && break; chaperone_n=\${chaperone_n#CHAPERONE_}; done; fi`,
    `if [ "\${${name}+set}" = set ]; then ${s}=$chaperone_k+$${name}; unset ${name}; else ${s}=$chaperone_k-; fi; export ${s}`,
  ].join('; ');
}

/** The sh that gives one back, once Node has answered, for the real tool. */
function restoreShOf(name: NodeStartVariable): string {
  const s = saved(name);
  return [
    `chaperone_v=\${${s}-}; unset ${s}; chaperone_k=\${chaperone_v%%[+-]*}`,
    `case \${chaperone_v#"$chaperone_k"} in +*) ${name}=\${chaperone_v#"$chaperone_k"+}; export ${name} ;; esac`,
    `chaperone_n=${s}; while [ "\${chaperone_k:-1}" -gt 1 ]; do eval "$chaperone_n=\\$CHAPERONE_$chaperone_n; export $chaperone_n"; chaperone_n=CHAPERONE_$chaperone_n; chaperone_k=$((chaperone_k-1)); done`,
    `[ "$chaperone_n" = ${s} ] || unset "$chaperone_n"`,
  ].join('; ');
}

/** The sh that sets them all aside before Node starts. */
export const setAsideSh = nodeStartVariables.map(setAsideShOf).join('; ');

/** The sh that gives them back, once Node has answered, for the real tool. */
export const restoreSh = nodeStartVariables.map(restoreShOf).join('; ');

/** Puts the variables back into `env`, each as it was (set, empty, or not set), and the caller's own CHAPERONE_X too. */
export function restoreSetAside(env: NodeJS.ProcessEnv): void {
  for (const name of nodeStartVariables) {
    const first = saved(name);
    const value = env[first];
    if (value === undefined) continue;
    const encoded = /^(\d{1,6})([+-])/.exec(value);
    if (!encoded) {
      // A shim written by an older install saved the value itself (and dropped a CHAPERONE_X of the caller's).
      env[name] = value;
      delete env[first];
      continue;
    }
    if (encoded[2] === '+') env[name] = value.slice(encoded[0].length);
    else delete env[name];
    let lower = first;
    for (let i = 1; i < Number(encoded[1]); i++) {
      const upper = saved(lower);
      const moved = env[upper];
      if (moved === undefined) delete env[lower];
      else env[lower] = moved;
      lower = upper;
    }
    delete env[lower];
  }
}

/** A copy of `env` with the variables set aside as the sh does, for a Node chaperone starts itself (the feeder). */
export function setAside(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  for (const name of nodeStartVariables) {
    const first = saved(name);
    let top = first;
    let k = 1;
    while (copy[top] !== undefined) {
      top = saved(top);
      k++;
    }
    // top is the first name not set; each below it moves up one.
    for (let upper = top; upper !== first; ) {
      const lower = upper.slice('CHAPERONE_'.length);
      copy[upper] = copy[lower];
      upper = lower;
    }
    copy[first] = env[name] === undefined ? `${k}-` : `${k}+${env[name]}`;
    delete copy[name];
  }
  return copy;
}
