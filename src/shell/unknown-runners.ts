// Programs nobody described that may run the rest of their arguments: `gosu postgres psql …`,
// `runuser -u postgres -- dropdb …`, `strace -f railway …`, `flock /tmp/l dropdb …`, `aws-vault exec
// prod -- …`, `busybox sh -c '…'`. There are hundreds (process supervisors, privilege droppers, tracers,
// secret injectors, lock and retry tools), and a refused agent needs only one the analysis does not
// know. Inside a pod or on a host no shim stands behind them, so the line analysis is all there is.
//
// So an unknown program is read the most dangerous way its words allow: from the first word that names
// a covered tool, the rest may be a command it runs (`… psql -c 'DROP …'`); and a word that is itself a
// line starting with a covered tool may be shell text it runs, when it follows an option that hands over
// a command (`flock /tmp/l -c 'dropdb shop'`, `nix-shell --run '…'`). A message (`--summary 'railway
// down broke'`) stays a message, and programs known to treat such words as data (`echo`, `grep`, `man`,
// package installers…) are not read this way.

import { isCovered } from '../tools/index.js';
import { commandName, type Launch } from './launch.js';

/** Programs whose words name tools as data: they print, search, document, install or edit, and run nothing. */
const inert = new Set([
  'echo', 'printf', 'print', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'man', 'info', 'tldr', 'apropos', 'whatis', 'help',
  'which', 'whereis', 'type', 'hash', 'compgen', 'complete', 'cat', 'bat', 'less', 'more', 'head', 'tail', 'wc', 'sort', 'uniq',
  'cut', 'tr', 'tee', 'ls', 'stat', 'file', 'readlink', 'realpath', 'basename', 'dirname', 'test', '[', '[[', 'true', 'false', ':',
  'touch', 'mkdir', 'rm', 'rmdir', 'cp', 'mv', 'ln', 'chmod', 'chown', 'install', 'diff', 'cmp', 'comm', 'jq', 'yq',
  'brew', 'apt', 'apt-get', 'apt-cache', 'dpkg', 'dnf', 'yum', 'apk', 'pacman', 'zypper', 'snap', 'port', 'nix-env', 'pip', 'pip3', 'pipx', 'gem', 'cargo', 'go',
  'scoop', 'choco', 'winget',
  // described elsewhere (wrappers.ts, shells.ts, runners.ts): when their grammar finds nothing to run
  // (`sudo -l railway`, `command -v psql`, `pnpm add vercel`), nothing runs
  'sudo', 'doas', 'command', 'builtin', 'ionice', 'npm', 'pnpm', 'yarn', 'bun', 'npx', 'bunx', 'pnpx',
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'ash',
  'kill', 'pkill', 'pgrep', 'killall', 'pidof', 'ps', 'top', 'htop', 'lsof', 'history', 'logger', 'notify-send', 'say', 'wall', 'write',
  'vi', 'vim', 'nvim', 'nano', 'emacs', 'code', 'subl', 'open', 'xdg-open', 'mail', 'base64', 'md5sum', 'sha256sum', 'shasum',
  'tar', 'zip', 'unzip', 'gzip', 'gunzip', 'sed', 'column', 'fold', 'fmt', 'nl', 'rev', 'od', 'xxd', 'hexdump', 'strings', 'date', 'sleep',
]);

/** Options that conventionally hand over a command line: `flock -c`, `nix-shell --run`, `vagrant ssh -c`. */
const commandOption = /^(-c|--command|--cmd|--run|--exec|-x|--shell-command|--session-command)$/;

/** Longest argv read this way: past it, a program's words are data (a file list), not a command. */
const maxWords = 256;

/** What an unknown program may run: its words from the first covered tool on, or a word that is a line. */
export function unknownRunnerLaunch(argv: readonly string[]): Launch | undefined {
  const name = commandName(argv[0] ?? '');
  if (argv.length < 2 || argv.length > maxWords || inert.has(name) || isCovered(name)) return undefined;
  const via = `${name} (may run)`;
  for (let i = 1; i < argv.length; i++) {
    if (isCovered(commandName(argv[i])) && argv[i] !== name) return { via, runs: [argv.slice(i)] };
  }
  const line = argv.find((word, i) => i > 1 && commandOption.test(argv[i - 1]) && /^\s*[\w./-]+\s/.test(word) && isCovered(commandName(word.trim().split(/\s+/)[0])));
  return line !== undefined ? { via, script: line } : undefined;
}
