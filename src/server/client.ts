// The bash shim's side of the resident decision (src/server/serve.ts): before starting Node, ask the
// account's server, if one runs, over a TCP connection to 127.0.0.1 that bash opens itself
// (/dev/tcp), so the question starts no process. Any doubt (no state file, a dead or foreign
// listener, a wrong secret, a cut or late answer, `node`) falls through to the Node decision below it
// in the shim, which also starts a server for the next call (src/server/start.ts).
//
// The greeting must come within 2 s (a server whose event loop is stuck is passed by); the answer
// within 120 s, as long as a decision of a large file may take. The answer is read whole with `read -N` (bash reads a socket a byte at a time for a line or a
// delimiter, which a refusal quoting a 128 KiB argument would make ~100 ms); up to 4 MiB, past which
// the end marker is missing and Node decides.
//
// bash only: dash has no /dev/tcp. The descriptor is one bash picks above 9 and closes before anything
// runs, so the tool's own descriptors are untouched; every variable is the shim's own, none exported.
// A state file that is not a regular file (a FIFO would hold every call at its open) is not read.
// `command exec`: in POSIX mode (POSIXLY_CORRECT in the environment) a failed redirection of a plain
// `exec` ends the shell, so a port nobody listens on any more would end every call, silently.

import { shellQuote as sq } from '../tools/shell-words.js';

export function serverClientLines(stateFile: string, tool: string): string[] {
  return [
    "# Ask the account's resident decision first (src/server/); on any doubt decide below, in Node.",
    `if [ "\${CHAPERONE_SERVER-}" != off ] && [ -f ${sq(stateFile)} ] && [ -r ${sq(stateFile)} ] && IFS=' ' read -r chaperone_port chaperone_ss chaperone_cs chaperone_spid < ${sq(stateFile)} 2>/dev/null \\`,
    '  && [ /proc/"$chaperone_spid"/exe -ef "$node" ] && { command exec {chaperone_fd}<>"/dev/tcp/127.0.0.1/$chaperone_port"; } 2>/dev/null; then',
    '  chaperone_reply=',
    // read -u, not <&FD: a redirection makes the socket the shim's fd 0 while it waits, and the server
    // reads the caller's stdin (/proc/PID/fd/0) then; it would see the socket, not what the tool gets.
    '  if IFS= read -r -u "$chaperone_fd" -t 2 chaperone_line && [ "$chaperone_line" = "$chaperone_ss" ]; then',
    '    chaperone_seen=-',
    '    [ -t 0 ] && chaperone_seen=${chaperone_seen}t',
    '    { : <>/dev/tty; } 2>/dev/null && chaperone_seen=${chaperone_seen}d',
    '    printf \'%s %s %s %s\\n\' "$chaperone_cs" "$$" "$#" "$chaperone_seen" >&"$chaperone_fd" 2>/dev/null',
    '    IFS= read -r -u "$chaperone_fd" -N 4194304 -t 120 chaperone_reply',
    '  fi',
    '  exec {chaperone_fd}>&-',
    "  chaperone_nl=$'\\n'",
    '  case $chaperone_reply in',
    '    *"$chaperone_nl"chaperone:end)',
    '      chaperone_reply=${chaperone_reply%chaperone:end}',
    '      chaperone_act=${chaperone_reply%%"$chaperone_nl"*}; chaperone_reply=${chaperone_reply#*"$chaperone_nl"}',
    '      chaperone_git=${chaperone_reply%%"$chaperone_nl"*}; chaperone_reply=${chaperone_reply#*"$chaperone_nl"}',
    '      case $chaperone_act in',
    '        # Only ever the tool itself: a file of its own name.',
    `        "exec "*/${sq(tool)}) printf '%s' "$chaperone_reply" >&2`,
    '          [ -n "$chaperone_git" ] && { GIT_EXEC_PATH=$chaperone_git; export GIT_EXEC_PATH; }',
    '          chaperone_act=${chaperone_act#exec }; CHAPERONE_DEPTH=${chaperone_act%% *}; export CHAPERONE_DEPTH; exec "${chaperone_act#* }" "$@" ;;',
    '        "refuse "*) printf \'%s\' "$chaperone_reply" >&2; exit "${chaperone_act#refuse }" ;;',
    '      esac ;;',
    '  esac',
    'fi',
  ];
}
