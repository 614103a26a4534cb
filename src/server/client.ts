// The bash shim's side of the resident decision (src/server/serve.ts): before starting Node, ask the
// account's server, if one runs, over a TCP connection to 127.0.0.1 that bash opens itself
// (/dev/tcp), so the question starts no process. Any doubt (no state file, a dead or foreign
// listener, a wrong secret, a cut or late answer, `node`) falls through to the Node decision below it
// in the shim, which also starts a server for the next call (src/server/start.ts).
//
// The greeting must come within 2 s (a server whose event loop is stuck is passed by); the answer
// within 120 s, as long as a decision of a large file may take. The answer is read whole with `read -N`
// (bash reads a socket a byte at a time for a line or a delimiter, which a refusal quoting a 128 KiB
// argument would make ~100 ms); up to 4 MiB, past which the end marker is missing and Node decides.
//
// bash only: dash has no /dev/tcp. The descriptor is one bash picks above 9 and closes before anything
// runs, so the tool's own descriptors are untouched; every variable is the shim's own, none exported.
// A state file that is not a regular file (a FIFO would hold every call at its open) is not read.
// `command exec`: in POSIX mode (POSIXLY_CORRECT in the environment) a failed redirection of a plain
// `exec` ends the shell, so a port nobody listens on any more would end every call, silently.

import { shellQuote as sq } from '../tools/shell-words.js';
import { answerEnd, payloadCharacters } from './protocol.js';

// The steps both clients share: whether a server of this Node is there (its state file, its pid),
// the connection, the server's greeting, and the answer up to the server's close.

/** sh that succeeds when the state file names a server started by `node` (a word of sh), read into chaperone_port, _ss, _cs, _spid. */
function serverThere(stateFile: string, node: string): string {
  return `[ "\${CHAPERONE_SERVER-}" != off ] && [ -f ${stateFile} ] && [ -r ${stateFile} ] && IFS=" " read -r chaperone_port chaperone_ss chaperone_cs chaperone_spid < ${stateFile} 2>/dev/null && [ /proc/"$chaperone_spid"/exe -ef ${node} ]`;
}
const connect = '{ command exec {chaperone_fd}<>"/dev/tcp/127.0.0.1/$chaperone_port"; } 2>/dev/null';
// read -u, not <&FD: a redirection makes the socket the caller's fd 0 while it waits, and the server
// reads the caller's stdin (/proc/PID/fd/0) then; it would see the socket, not what the tool gets.
const greeted = 'IFS= read -r -u "$chaperone_fd" -t 2 chaperone_line && [ "$chaperone_line" = "$chaperone_ss" ]';
// The wait is for the answer's first character, with the timeout; the rest, which the server writes at
// once, is read without one: bash's read with -t blocks and unblocks signals around every character
// (two syscalls each), which made a 128 KiB refusal take ~50 ms to read.
const readAnswer = 'chaperone_rest=; IFS= read -r -u "$chaperone_fd" -N 1 -t 120 chaperone_reply && { IFS= read -r -u "$chaperone_fd" -N 4194304 chaperone_rest; chaperone_reply=$chaperone_reply$chaperone_rest; }';

export function serverClientLines(stateFile: string, tool: string): string[] {
  return [
    "# Ask the account's resident decision first (src/server/); on any doubt decide below, in Node.",
    `if ${serverThere(sq(stateFile), '"$chaperone_node"')} \\`,
    `  && ${connect}; then`,
    '  chaperone_reply=',
    `  if ${greeted}; then`,
    '    chaperone_seen=-',
    '    [ -t 0 ] && chaperone_seen=${chaperone_seen}t',
    '    { : <>/dev/tty; } 2>/dev/null && chaperone_seen=${chaperone_seen}d',
    '    printf \'%s %s %s %s\\n\' "$chaperone_cs" "$$" "$#" "$chaperone_seen" >&"$chaperone_fd" 2>/dev/null',
    `    ${readAnswer}`,
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

/**
 * The agent hook's client (src/server/hook-request.ts), run as `bash --norc -p -c SCRIPT chaperone NODE
 * ENTRY STATE_FILE hook AGENT` by the hook line (src/cli/setup.ts) with the line's NODE_OPTIONS already
 * set aside. It reads the agent's request from stdin with bash's own read (no process), asks the server,
 * and prints its answer; on any doubt it starts the Node hook (`NODE ENTRY hook AGENT`) with the same
 * bytes on stdin: what it read, then whatever it had not read yet. -p: no BASH_ENV is read, no function
 * is imported, and the environment reaches Node as it came. --norc: a bash whose stdin is a socket (what
 * a Node-based agent gives its hooks) and whose SHLVL is below 2 would otherwise take itself for one
 * started by sshd and run /etc/bash.bashrc and ~/.bashrc first, -p or not: their time, their output on
 * the agent's stdout, their exports in what Node judges.
 *
 * The request is read only while it is at most `payloadCharacters` characters with no NUL (a bash
 * variable holds none): what stopped the read tells how to give Node back the same bytes.
 * One line of bash, every name chaperone_*, none exported: it is written into the agent's settings.
 */
export function hookClientScript(): string {
  const limit = payloadCharacters;
  const node = '"$1" "$2" "$4" "$5"';
  return [
    // Not a terminal (Node would wait for a human's typing), nor closed (Node says so itself).
    `if [ ! -t 0 ] && [ -e /dev/stdin ] && ${serverThere('"$3"', '"$1"')}; then`,
    `IFS= read -r -d "" -n ${limit} -t 10 chaperone_payload; chaperone_read=$?;`,
    `if [ "$chaperone_read" = 1 ] && ${connect}; then`,
    'chaperone_reply=;',
    `if ${greeted}; then`,
    'printf "%s hook %s %s\\n%s\\0" "$chaperone_cs" "$$" "$5" "$chaperone_payload" >&"$chaperone_fd" 2>/dev/null;',
    `${readAnswer};`,
    'fi;',
    'exec {chaperone_fd}>&-;',
    'printf -v chaperone_nl "\\n";',
    `case $chaperone_reply in "hook "*"$chaperone_nl"*"\${chaperone_nl}${answerEnd}")`,
    `chaperone_reply=\${chaperone_reply%"\${chaperone_nl}${answerEnd}"};`,
    'chaperone_status=${chaperone_reply%%"$chaperone_nl"*}; chaperone_reply=${chaperone_reply#*"$chaperone_nl"};',
    'chaperone_out=${chaperone_reply%%"$chaperone_nl"*};',
    '[ -n "$chaperone_out" ] && printf "%s\\n" "$chaperone_out";',
    'printf "%s" "${chaperone_reply#*"$chaperone_nl"}" >&2;',
    'exit "${chaperone_status#hook }";;',
    'esac;',
    'fi;',
    // Node's turn. 1: the whole request was read; 0 below the limit: a NUL ended the read; else the
    // limit, or no end within 10 s: the rest is still on stdin.
    'case $chaperone_read in',
    `1) exec ${node} < <(printf "%s" "$chaperone_payload");;`,
    `0) [ "\${#chaperone_payload}" -lt ${limit} ] && exec ${node} < <(printf "%s\\0" "$chaperone_payload"; command -p cat);;`,
    'esac;',
    `exec ${node} < <(printf "%s" "$chaperone_payload"; command -p cat);`,
    'fi;',
    `exec ${node}`,
  ].join(' ');
}
