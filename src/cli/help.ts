// The words `chaperone help` adds after commander's generated usage: what a new user needs at the
// moment they ask (an example to copy, the variables that change behaviour, what an exit code means).
// Kept here, apart from the command definitions, so main.ts stays a list of commands.

import { ExitCode } from '../errors.js';

/** Examples per command, shown under its `--help`. */
export const examples: Record<string, string[]> = {
  install: ['chaperone install                  # every covered tool', 'chaperone install psql railway     # just these', 'chaperone install --only-installed # only tools on PATH now'],
  uninstall: ['chaperone uninstall                # shims and the agent hooks chaperone wrote', 'chaperone uninstall --keep-hooks'],
  init: ['eval "$(chaperone init bash)"      # in ~/.bashrc', 'chaperone init fish | source        # in config.fish'],
  check: [
    'chaperone check -- railway volume delete --volume pg-data',
    "chaperone check --json --command 'kubectl config use-context prod && kubectl delete ns shop'",
    'chaperone check --actor agent -- psql -c "DROP TABLE users" postgres://db.prod.internal/shop',
  ],
  explain: ['chaperone explain -- aws s3 rb s3://backups --force --profile acme-prod'],
  agent: ['chaperone agent -- claude', 'chaperone agent --scope staging -- codex'],
  approve: ['chaperone approve K7Q-4M2              # in your own terminal, never the agent\'s', 'chaperone approve K7Q-4M2 --minutes 5'],
  approvals: ['chaperone approvals', 'chaperone approvals --json'],
  backups: ['chaperone backups', 'chaperone backups --json', 'chaperone backups restore 2026-12-05T10-11-12-shop'],
  pin: ['chaperone pin set', 'chaperone pin clear'],
  hook: ['echo "$PAYLOAD" | chaperone hook claude   # what the agent runs; setup writes it for you'],
  setup: ['chaperone setup claude', 'chaperone setup codex --print', 'chaperone setup gemini --project .'],
  scan: ['chaperone scan                     # every file under the current directory', 'chaperone scan --staged            # in a pre-commit hook', 'chaperone scan deploy.sh Makefile .github/workflows'],
  doctor: ['chaperone doctor', 'chaperone doctor --json', 'chaperone doctor --strict           # on a hardened machine: exit 1 when any property fails'],
  server: ['chaperone server                   # running or not, its pid and memory', 'chaperone server stop              # the next decided call starts a new one'],
  harden: ['sudo chaperone harden --agent-user agent --print', 'sudo chaperone harden --agent-user agent --tools psql,aws', 'sudo chaperone harden --agent-user agent --tools psql,aws,git', 'sudo chaperone harden --undo'],
  log: ['chaperone log --since 1d --decision refused', 'chaperone log --json | jq .argv', 'chaperone log verify                # exit 1 when a record was removed, reordered or edited'],
  completion: ['chaperone completion bash > ~/.local/share/bash-completion/completions/chaperone', 'chaperone completion zsh > "${fpath[1]}/_chaperone"', 'chaperone completion fish > ~/.config/fish/completions/chaperone.fish'],
};

/** Exit codes per command, where a command has its own beyond the common ones. */
const exitCodes: Record<string, string> = {
  check: '0 allow, 1 confirm (a human would be asked), 77 deny, 2 usage or config error, 70 internal error',
  scan: '0 nothing found, 1 findings, 2 usage error',
  doctor: '0 every check passed, 1 a check failed',
  log: 'verify: 0 the chain is intact, 1 it is broken',
};

export function commandHelp(name: string): string {
  const lines = examples[name] ?? [];
  const codes = exitCodes[name];
  return (lines.length ? `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n` : '') + (codes ? `\nExit codes: ${codes}.\n` : '');
}

/** After the top-level usage: what changes behaviour, and what the codes mean. */
export const programHelp = `
Environment:
  CHAPERONE_ACTOR=agent|ci|human  who is calling; agent and ci can never confirm (a human is only
                                  ever detected through a usable /dev/tty, never from a variable)
  CHAPERONE_SCOPE=ENV[,ENV]       the environments this session works in; gated commands outside
                                  it are refused
  CHAPERONE_READ_AHEAD_BYTES=N    how much piped stdin is read ahead before a tool starts
  CHAPERONE_SHIM_SHELL=sh         install writes /bin/sh shims: ~0.5 ms faster a call, but environment
                                  names that are not identifiers (a-b=1) no longer reach the tool
  CHAPERONE_SERVER=off            decide every call in a Node process of its own, never asking the
                                  account's resident decision (slower: ~20 ms a decided call)
  CHAPERONE_SERVER_TRACE=FILE     set where a call starts the resident decision: it writes there why
                                  it left a call to the shim's own Node
  NO_COLOR, FORCE_COLOR, TERM     colour on or off, as usual
  XDG_DATA_HOME                   where shims and backups go (default ~/.local/share)
  Agent markers (CLAUDE_CODE_SESSION_ID, CODEX_THREAD_ID, GEMINI_CLI, CURSOR_AGENT…) count as
  CHAPERONE_ACTOR=agent.

Files: ~/.config/chaperone/rules.yaml (yours), .chaperone.yaml (a project's, may only tighten),
  ~/.local/state/chaperone/ (audit.jsonl, approvals, PIN). These follow your passwd home, not $HOME.

Exit codes of a wrapped tool: the tool's own when it ran; ${ExitCode.refused} held (refused or not confirmed);
  ${ExitCode.config} bad usage or invalid config; ${ExitCode.internal} internal error; ${ExitCode.notExecutable}/${ExitCode.notFound} real tool not executable/not found.

Docs: README.md and docs/ in the package.
`;
