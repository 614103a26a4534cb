// git (C; each command reads its options with parse-options); checked against
// git 2.39.
//
// Grammar: git [global options] <command> [options] [args]
//   - Global options stand before the command: -C <dir> (each relative to the one before), -c <key>=<value>,
//     --git-dir[=]<dir>, --work-tree, --namespace, --config-env, --bare, --no-pager, -p, -P, ... An
//     unknown one stops git. `--help`/`-h` there is `git help`, `--version`/`-v` is `git version`.
//   - A command that is not built in may be an alias (alias.<name> in any config, or -c): it is expanded
//     as git does. An alias starting with `!` runs a shell, whose own `git` comes back through this shim.
//   - Each command's options follow parse-options: short clusters (`-fdx`), `--long=value` or
//     `--long value`, unique prefixes (`--force-w`), `--no-<option>` to turn one off, and `-h` or
//     `--help` anywhere before `--` for usage, which is never gated.
//   - push [<repository> [<refspec>...]]: each refspec is a command of its own for the rules
//     (`push origin +main`, `push origin :old`). With none, remote.<remote>.push stands in, and
//     remote.<remote>.mirror=true acts as --mirror.
//   - branch: -D is --delete --force. checkout and restore: pathspecs after `--` join the command words.
//
// Target: the branches the command rewrites or deletes, each classified by protected-branches.
//   push: the destination of each refspec that forces (+dst, or --force, --force-with-lease, --delete for
//     all) or deletes (:dst); with no refspec, push.default's choice (simple and current: the current
//     branch; upstream: branch.<name>.merge; matching: every local branch), or every local branch for
//     --all. --mirror and --prune reach remote branches nobody can list offline: production. The remote
//     is named as evidence: <repository>, else branch.<name>.pushRemote, remote.pushDefault,
//     branch.<name>.remote, origin.
//   branch -D: the branches it names.
//   reset, clean, checkout, checkout-index, restore, switch, stash: the current branch, from HEAD (what
//     they discard is this working tree's, and a protected branch's working tree is production's).
//   The repository: --git-dir, GIT_DIR, else the nearest .git (directory, or file of a linked worktree)
//   above the directory -C leads to.

import { delimiter, isAbsolute, relative } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Command, Evidence, Identifier, Invocation, NestedLine, ParsedInvocation, ResolvedTarget } from '../model.js';
import { displayPath } from '../context/files.js';
import { grammar, readArgs, type Grammar } from './argv.js';
import { isTrue, localBranches, locateRepo, readConfig, readHead, type ConfigEntry, type GitConfig, type GitRepo, type Head } from './git-repo.js';
import { execPathOf, findExternal, isOverlay } from './git-external.js';
import { expiryDropsRecent, filterBranchRewrites, filterRepoRewrites, linkedWorktree, rewrittenBranches, type Rewrites } from './git-history.js';
import { branchOfRef, namesCommit, rewinds, type Move, type Rewind } from './git-refs.js';
import { shellQuote, splitWords } from './shell-words.js';
import type { Tool } from './tool.js';

const help = [['--help', '-h']];

const pushGrammar = grammar({
  values: [['--repo'], ['--push-option', '-o'], ['--receive-pack', '--exec'], ['--recurse-submodules']],
  booleans: [
    ...help,
    ['--force', '-f'],
    ['--force-with-lease'],
    ['--force-if-includes'],
    ['--delete', '-d'],
    ['--mirror'],
    ['--prune'],
    ['--all', '--branches'],
    ['--tags'],
    ['--dry-run', '-n'],
    ['--verbose', '-v'],
    ['--quiet', '-q'],
    ['--porcelain'],
    ['--thin'],
    ['--set-upstream', '-u'],
    ['--progress'],
    ['--no-verify'],
    ['--verify'],
    ['--follow-tags'],
    ['--signed'],
    ['--atomic'],
    ['--ipv4', '-4'],
    ['--ipv6', '-6'],
  ],
  abbreviations: true,
});

/** The options of the commands that discard local work, by command. */
const localGrammars: Record<string, Grammar> = {
  reset: grammar({
    values: [['--pathspec-from-file']],
    booleans: [...help, ['--hard'], ['--soft'], ['--mixed'], ['--merge'], ['--keep'], ['--quiet', '-q'], ['--no-refresh'], ['--recurse-submodules'], ['--patch', '-p'], ['--intent-to-add', '-N'], ['--pathspec-file-nul']],
    abbreviations: true,
  }),
  clean: grammar({
    values: [['--exclude', '-e']],
    booleans: [...help, ['--force', '-f'], ['--dry-run', '-n'], ['--quiet', '-q'], ['--interactive', '-i'], ['-d'], ['-x'], ['-X']],
    abbreviations: true,
  }),
  checkout: grammar({
    values: [['-b'], ['-B'], ['--orphan'], ['--conflict'], ['--pathspec-from-file']],
    booleans: [
      ...help, ['--force', '-f'], ['-l'], ['--guess'], ['--overlay'], ['--quiet', '-q'], ['--recurse-submodules'], ['--progress'], ['--merge', '-m'],
      ['--detach', '-d'], ['--track', '-t'], ['--overwrite-ignore'], ['--ignore-other-worktrees'], ['--ours', '-2'], ['--theirs', '-3'],
      ['--patch', '-p'], ['--ignore-skip-worktree-bits'], ['--pathspec-file-nul'],
    ],
    abbreviations: true,
  }),
  restore: grammar({
    values: [['--source', '-s'], ['--conflict'], ['--pathspec-from-file']],
    booleans: [
      ...help, ['--staged', '-S'], ['--worktree', '-W'], ['--ignore-unmerged'], ['--overlay'], ['--quiet', '-q'], ['--recurse-submodules'],
      ['--progress'], ['--merge', '-m'], ['--ours', '-2'], ['--theirs', '-3'], ['--patch', '-p'], ['--ignore-skip-worktree-bits'], ['--pathspec-file-nul'],
    ],
    abbreviations: true,
  }),
  'checkout-index': grammar({
    values: [['--prefix'], ['--stage']],
    booleans: [...help, ['--all', '-a'], ['--force', '-f'], ['--index', '-u'], ['--quiet', '-q'], ['--no-create', '-n'], ['--temp'], ['--stdin'], ['-z'], ['--ignore-skip-worktree-bits']],
    abbreviations: true,
  }),
  switch: grammar({
    values: [['--create', '-c'], ['--force-create', '-C'], ['--orphan'], ['--conflict']],
    booleans: [
      ...help, ['--discard-changes', '--force', '-f'], ['--guess'], ['--quiet', '-q'], ['--recurse-submodules'], ['--progress'], ['--merge', '-m'],
      ['--detach', '-d'], ['--track', '-t'], ['--overwrite-ignore'], ['--ignore-other-worktrees'],
    ],
    abbreviations: true,
  }),
  // update-ref and symbolic-ref: their -m takes the reflog message, which is no ref.
  'update-ref': grammar({
    values: [['-m']],
    booleans: [...help, ['-d'], ['--no-deref'], ['--create-reflog'], ['--stdin'], ['-z']],
    abbreviations: true,
  }),
  'symbolic-ref': grammar({
    values: [['-m']],
    booleans: [...help, ['--delete', '-d'], ['--quiet', '-q'], ['--short'], ['--recurse']],
    abbreviations: true,
  }),
};

const branchGrammar = grammar({
  values: [['--set-upstream-to', '-u'], ['--contains'], ['--no-contains'], ['--merged'], ['--no-merged'], ['--sort'], ['--points-at'], ['--format']],
  booleans: [
    ...help, ['--delete', '-d'], ['-D'], ['--force', '-f'], ['--verbose', '-v'], ['--quiet', '-q'], ['--track', '-t'], ['--unset-upstream'],
    ['--color'], ['--remotes', '-r'], ['--abbrev'], ['--all', '-a'], ['--move', '-m'], ['-M'], ['--copy', '-c'], ['-C'], ['--list', '-l'],
    ['--show-current'], ['--create-reflog'], ['--edit-description'], ['--column'], ['--ignore-case', '-i'], ['--recurse-submodules'],
  ],
  abbreviations: true,
});

/** worktree's subcommands' options: `remove -f` (twice for a locked one) deletes the worktree, dirty or not. */
const worktreeGrammar = grammar({
  values: [['-b'], ['-B'], ['--reason'], ['--expire']],
  booleans: [...help, ['--force', '-f'], ['--detach', '-d'], ['--checkout'], ['--lock'], ['--orphan'], ['--track'], ['--guess-remote'], ['--quiet', '-q'], ['--porcelain'], ['-z'], ['--verbose', '-v'], ['--dry-run', '-n'], ['--relative-paths']],
  abbreviations: true,
});

/** Commands that rewrite branches' history: read as git commands even though they are external ones. */
const historyRewriters = new Set(['filter-branch', 'filter-repo']);

/** Every other command: only its help, so that `git <anything> -h` is never gated. */
const otherGrammar = grammar({ booleans: help });

/**
 * Built-in commands, which neither an alias nor an external command of the same name can replace: git
 * 2.39's `git --list-cmds=builtins`, and those later versions made built-in (bisect, submodule, replay,
 * refs, backfill). A name missing here is looked up as an external command, where a dashed link to git
 * itself still shows it is built in.
 */
const builtins = new Set(
  (
    'add am annotate apply archive bisect bisect--helper blame branch bugreport bundle cat-file check-attr check-ignore check-mailmap ' +
    'check-ref-format checkout checkout--worker checkout-index cherry cherry-pick clean clone column commit commit-graph commit-tree config ' +
    'count-objects credential credential-cache credential-cache--daemon credential-store describe diagnose diff diff-files diff-index ' +
    'diff-tree difftool env--helper fast-export fast-import fetch fetch-pack fmt-merge-msg for-each-ref for-each-repo format-patch fsck ' +
    'fsck-objects fsmonitor--daemon gc get-tar-commit-id grep hash-object help hook index-pack init init-db interpret-trailers log ' +
    'ls-files ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-index merge-ours merge-recursive ' +
    'merge-recursive-ours merge-recursive-theirs merge-subtree merge-tree mktag mktree multi-pack-index mv name-rev notes pack-objects ' +
    'pack-redundant pack-refs patch-id pickaxe prune prune-packed pull push range-diff read-tree rebase receive-pack reflog remote ' +
    'remote-ext remote-fd repack replace rerere reset restore rev-list rev-parse revert rm send-pack shortlog show show-branch show-index ' +
    'show-ref sparse-checkout stage stash status stripspace submodule submodule--helper switch symbolic-ref tag unpack-file unpack-objects ' +
    'update-index update-ref update-server-info upload-archive upload-archive--writer upload-pack var verify-commit verify-pack verify-tag ' +
    'version whatchanged worktree write-tree replay refs backfill'
  ).split(' '),
);

// ── global options ───────────────────────────────────────────────────────────────────────────────

interface Globals {
  /** The directory git works in, after every -C. */
  dir: string;
  /** --git-dir as given (or --bare: the directory it stands in). */
  gitDir?: string;
  /** `key=value` from -c and --config-env, in order. */
  configs: string[];
  /** Index of the command word; undefined when there is none or git stops before it. */
  at?: number;
  /** `git --help`, `git --version` and friends. */
  help: boolean;
  /** `--exec-path=DIR`: where git looks for external commands first. */
  execPath?: string;
  /** `--work-tree=DIR`. */
  workTree?: string;
}

const globalValues = new Set(['--git-dir', '--work-tree', '--namespace', '--config-env', '--attr-source', '--super-prefix', '--shallow-file']);
const globalBooleans = new Set([
  '-p', '--paginate', '-P', '--no-pager', '--no-replace-objects', '--literal-pathspecs', '--no-literal-pathspecs', '--glob-pathspecs',
  '--noglob-pathspecs', '--icase-pathspecs', '--no-optional-locks', '--no-advice', '--no-lazy-fetch',
]);
const globalHelp = new Set(['--help', '-h', '--version', '-v', '--html-path', '--man-path', '--info-path', '--exec-path']);

/** git.c's handle_options: the options before the command. */
function readGlobals(args: readonly string[], invocation: Invocation): Globals {
  const globals: Globals = { dir: invocation.cwd, configs: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-')) return { ...globals, at: i };
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (globalHelp.has(arg) || name === '--list-cmds') return { ...globals, help: true };
    if (name === '--exec-path') {
      globals.execPath = resolvePath(globals.dir, arg.slice(eq + 1));
      continue;
    }
    if (globalBooleans.has(arg)) continue;
    if (arg === '--bare') {
      globals.gitDir = globals.dir;
      continue;
    }
    if (arg === '-C' || arg === '-c' || (globalValues.has(name) && eq === -1)) {
      if (i + 1 >= args.length) return globals;
      applyGlobal(globals, arg, args[++i], invocation.env);
      continue;
    }
    if (globalValues.has(name)) {
      applyGlobal(globals, name, arg.slice(eq + 1), invocation.env);
      continue;
    }
    return globals; // an unknown option: git prints its usage and stops
  }
  return globals;
}

function applyGlobal(globals: Globals, name: string, value: string, env: NodeJS.ProcessEnv): void {
  if (name === '-C' && value !== '') globals.dir = resolvePath(globals.dir, value);
  else if (name === '-c') globals.configs.push(value);
  else if (name === '--git-dir') globals.gitDir = value; // relative to where the last -C leads
  else if (name === '--work-tree') globals.workTree = resolvePath(globals.dir, value);
  else if (name === '--config-env') {
    const eq = value.lastIndexOf('=');
    if (eq !== -1) globals.configs.push(`${value.slice(0, eq)}=${env[value.slice(eq + 1)] ?? ''}`);
  }
}

// ── the world a command runs in, read when first needed ─────────────────────────────────────────

interface World {
  globals: Globals;
  env: NodeJS.ProcessEnv;
  dir: string;
  repo(): GitRepo | undefined;
  head(): Head | undefined;
  config(): GitConfig;
}

function worldOf(globals: Globals, env: NodeJS.ProcessEnv): World {
  let repo: { value: GitRepo | undefined } | undefined;
  let head: { value: Head | undefined } | undefined;
  let config: GitConfig | undefined;
  const world: World = {
    globals,
    env,
    dir: globals.dir,
    repo: () => (repo ??= { value: locateRepo(globals.dir, globals.gitDir, env) }).value,
    head: () => (head ??= { value: world.repo() && readHead(world.repo()!, env) }).value,
    config: () => (config ??= readConfig(world.repo(), globals.configs, env)),
  };
  return world;
}

// ── reading an invocation ───────────────────────────────────────────────────────────────────────

interface Refspec {
  text: string;
  from: Evidence;
}

type Action =
  | { kind: 'push'; flags: Map<string, string[]>; repository?: string; refspecs: Refspec[]; fromConfig: boolean; mirrorFrom?: ConfigEntry }
  | { kind: 'branch'; flags: Map<string, string[]>; names: string[]; rewinds?: Rewind[] }
  | { kind: 'other'; name: string; path: string[]; flags: Map<string, string[]>; rewrites?: Rewrites; rewinds?: Rewind[] };

interface Reading {
  world: World;
  help: boolean;
  action?: Action;
  /** The alias the command came through, if any, and the command line it made. */
  alias?: { entry: ConfigEntry; expanded: string[] };
  /** What runs instead of a git command: a `!` alias's shell line, an external command. */
  nested?: NestedLine;
  /** Why what runs cannot be read (an external script too long to judge). */
  unreadable?: string;
}

function read(invocation: Invocation): Reading {
  const globals = readGlobals(invocation.args, invocation);
  const world = worldOf(globals, invocation.env);
  if (globals.help || globals.at === undefined) return { world, help: globals.help };
  const expanded = expandAlias(invocation.args[globals.at], invocation.args.slice(globals.at + 1), world);
  if (!expanded) return { world, help: false };
  if (expanded.runs) return { world, help: false, ...expanded.runs };
  const { name, args } = expanded;
  const alias = expanded.alias && { entry: expanded.alias, expanded: [name, ...args] };

  // send-pack is push's plumbing: the same repository and refs, the same --force (`+ref`), the same
  // loss; read as a push so that the same rules judge it.
  if (name === 'push' || name === 'send-pack') {
    const { flags, positionals } = readCommand(args, pushGrammar);
    const action = readPush(flags, positionals, world);
    return { world, help: flags.has('--help'), action, alias };
  }
  if (name === 'branch') {
    const { flags, positionals } = readCommand(args, branchGrammar);
    // `-D` is `--delete --force`, as branch.c reads it.
    if (flags.has('-D')) {
      flags.set('--delete', [...(flags.get('--delete') ?? []), '']);
      flags.set('--force', [...(flags.get('--force') ?? []), '']);
    }
    const rewound = flags.has('--help') ? [] : judgeMoves(branchMoves(flags, positionals, world), flags, world);
    return { world, help: flags.has('--help'), action: { kind: 'branch', flags, names: positionals, rewinds: rewound }, alias };
  }
  if (historyRewriters.has(name)) {
    const rewrites = name === 'filter-repo' ? filterRepoRewrites(args) : filterBranchRewrites(args);
    const flags = new Map<string, string[]>(rewrites ? [['--rewrites-history', ['']]] : []);
    if (args.includes('--help') || args.includes('-h')) flags.set('--help', ['']);
    return { world, help: flags.has('--help'), action: { kind: 'other', name, path: [name], flags, rewrites }, alias };
  }
  if (name === 'worktree') {
    const { flags, positionals } = readCommand(args, worktreeGrammar);
    // `worktree add -B main DIR START` resets main to START, as checkout -B does.
    const reset = positionals[0] === 'add' ? flags.get('-B')?.at(-1) : undefined;
    const moves: Move[] = reset ? [{ branch: reset, to: positionals[2] ?? 'HEAD', by: `worktree add -B ${reset}` }] : [];
    const rewound = flags.has('--help') ? [] : judgeMoves(moves, flags, world);
    return { world, help: flags.has('--help'), action: { kind: 'other', name, path: [name, ...positionals], flags, rewinds: rewound }, alias };
  }
  const { flags, positionals } = readCommand(args, localGrammars[name] ?? otherGrammar);
  const dropped = historyDropped(name, args, world.config());
  if (dropped) flags.set('--drops-history', [dropped]);
  const rewound = flags.has('--help') ? [] : judgeMoves(otherMoves(name, args, flags, positionals, world), flags, world);
  return { world, help: flags.has('--help') || name === 'help' || name === 'version', action: { kind: 'other', name, path: [name, ...positionals], flags, rewinds: rewound }, alias };
}

// ── branches moved by hand ──────────────────────────────────────────────────────────────────────

/** Judges the moves (git-refs.ts); a rewind sets `--rewinds`, which git.ref.rewind reads. */
function judgeMoves(moves: Move[], flags: Map<string, string[]>, world: World): Rewind[] {
  const repo = world.repo();
  if (moves.length === 0 || !repo) return [];
  const found = rewinds(moves, { repo, head: world.head(), config: world.config(), env: world.env, dir: world.dir });
  if (found.length > 0) flags.set('--rewinds', found.map((r) => r.branch));
  return found;
}

/**
 * `branch -f NAME [START]` sets NAME to START (HEAD by default); `branch -M [OLD] NEW` and `-C` (or
 * `-m`/`-c` with --force) put OLD's tip (the current branch's by default) over an existing NEW.
 */
function branchMoves(flags: Map<string, string[]>, names: string[], world: World): Move[] {
  if (flags.has('--delete')) return [];
  const head = world.head();
  const current = head?.kind === 'branch' ? head.branch : undefined;
  const renames = flags.has('-M') || flags.has('-C') || (flags.has('--force') && (flags.has('--move') || flags.has('--copy')));
  if (renames) {
    const [from, to] = names.length >= 2 ? names : [current, names[0]];
    if (!to || from === to) return [];
    const by = flags.has('-M') || flags.has('--move') ? 'branch -M' : 'branch -C';
    return [{ branch: to, to: from === undefined ? undefined : `refs/heads/${from}`, by }];
  }
  if (!flags.has('--force') || names.length === 0 || [...flags.keys()].some((f) => ['--list', '--set-upstream-to', '--unset-upstream', '--edit-description', '--show-current'].includes(f))) return [];
  return [{ branch: names[0], to: names[1] ?? 'HEAD', by: 'branch --force' }];
}

/** The branch moves of update-ref, symbolic-ref, reset, checkout -B and switch -C. */
function otherMoves(name: string, args: string[], flags: Map<string, string[]>, positionals: string[], world: World): Move[] {
  const repo = world.repo();
  if (!repo) return [];
  const refWorld = { repo, head: world.head() };
  const head = world.head();
  const current = head?.kind === 'branch' ? head.branch : undefined;
  switch (name) {
    case 'update-ref': {
      // --stdin reads `update REF NEW` lines nobody sees here: every branch may move.
      if (flags.has('--stdin')) return localBranches(repo).map((branch) => ({ branch, by: 'update-ref --stdin' }));
      if (flags.has('-d') || positionals.length < 2) return [];
      const branch = branchOfRef(positionals[0], refWorld, !flags.has('--no-deref'));
      return branch ? [{ branch, to: positionals[1], by: `update-ref ${positionals[0]}` }] : [];
    }
    case 'symbolic-ref': {
      // `symbolic-ref refs/heads/main refs/heads/other`: main's own value is replaced by a pointer. HEAD
      // pointed elsewhere moves no branch (the working tree stays as it was).
      if (flags.has('--delete') || positionals.length < 2 || positionals[0] === 'HEAD') return [];
      const branch = branchOfRef(positionals[0], refWorld, false);
      return branch ? [{ branch, to: positionals[1], by: `symbolic-ref ${positionals[0]}` }] : [];
    }
    case 'reset': {
      // reset [<mode>] [<commit>] moves the current branch; with a pathspec it moves nothing.
      if (!current || flags.has('--patch') || flags.has('--pathspec-from-file')) return [];
      const dashes = args.indexOf('--');
      const before = dashes === -1 ? positionals : positionals.slice(0, positionals.length - (args.length - dashes - 1));
      if (positionals.length !== 1 || before.length !== 1) return [];
      const rev = before[0];
      // Without `--`, a word that is no commit is a path (git's own rule); with one, it must be a commit.
      if (dashes === -1 && !isCommit(rev, world)) return [];
      return [{ branch: current, to: rev, by: `reset ${rev}` }];
    }
    case 'checkout':
    case 'switch': {
      const option = name === 'checkout' ? '-B' : '--force-create';
      const branch = flags.get(option)?.at(-1);
      if (!branch) return [];
      const dashes = args.indexOf('--');
      const start = dashes === -1 || positionals.length > args.length - dashes - 1 ? positionals[0] : undefined;
      return [{ branch, to: start ?? 'HEAD', by: `${name} ${name === 'checkout' ? '-B' : '-C'} ${branch}` }];
    }
  }
  return [];
}

/** Whether `rev` names a commit in this repository (reset's test between a commit and a path); one git cannot be asked about counts as a commit. */
function isCommit(rev: string, world: World): boolean {
  const repo = world.repo();
  return !repo || namesCommit(rev, { repo, head: world.head(), config: world.config(), env: world.env, dir: world.dir }) !== false;
}

/**
 * The reflog is git's record of where every branch was: the way back from a `reset --hard`, a forced
 * update, a deleted branch. These drop it, or the commits only it still reached, at once rather than
 * after git's weeks of grace: `reflog expire --expire=now` (or `--expire-unreachable`), `gc
 * --prune=now`, and `prune` with no `--expire` (it prunes every unreachable object). `all` means now
 * too, and so does any expiry that reaches back less than a week (`1.minute.ago`, a recent date:
 * git-history.ts), since the way back from today's mistake goes with it. `reflog delete main@{1}` drops
 * entries one by one. Where an option is not given, git takes the configuration's (`gc.reflogExpire`,
 * per ref pattern `gc.PATTERN.reflogExpire`, `gc.reflogExpireUnreachable`, `gc.pruneExpire`; from a
 * file or `-c`), and gc expires reflogs by it as well. Returns the words that do it, for the evidence; gc's own `prune
 * --expire 2.weeks.ago` is not.
 */
function historyDropped(name: string, args: readonly string[], config: GitConfig): string | undefined {
  const values = (option: string) => args.flatMap((arg, i) => (arg === option ? [args[i + 1] ?? ''] : arg.startsWith(`${option}=`) ? [arg.slice(option.length + 1)] : []));
  const now = (value: string) => expiryDropsRecent(value) !== undefined;
  const configured = (unreachable: boolean) =>
    config.entries.filter((e) => (unreachable ? /^gc\.(.+\.)?reflogexpireunreachable$/ : /^gc\.(.+\.)?reflogexpire$/).test(e.key) && now(e.value)).map((e) => `${e.key}=${e.value}`);
  const reflogByConfig = (given: { expire: string[]; unreachable: string[] }) => [
    ...(given.expire.length === 0 ? configured(false) : []),
    ...(given.unreachable.length === 0 ? configured(true) : []),
  ];
  // `reflog delete main@{1}`: the same entries, one at a time (resolve targets the branches named).
  if (name === 'reflog' && args[0] === 'delete' && !args.some((a) => a === '--dry-run' || a === '-n')) {
    const entries = args.filter((a) => reflogBranch(a) !== undefined);
    if (entries.length > 0) return `reflog delete ${entries.join(' ')}`;
  }
  if (name === 'reflog' && args.includes('expire')) {
    const given = { expire: values('--expire'), unreachable: values('--expire-unreachable') };
    const options = [...given.expire, ...given.unreachable].flatMap((v) => expiryDropsRecent(v) ?? []);
    if (options.length > 0) return `reflog expire ${options.join(' ')}`;
    const fromConfig = reflogByConfig(given);
    if (fromConfig.length > 0) return `reflog expire, by ${fromConfig.join(', ')}`;
  }
  if (name === 'gc') {
    const prune = values('--prune');
    const dropped = prune.flatMap((v) => expiryDropsRecent(v) ?? []);
    if (dropped.length > 0) return `gc --prune=${dropped.join(',')}`;
    const pruneExpire = config.last('gc.pruneExpire');
    const fromConfig = [...(prune.length === 0 && pruneExpire && now(pruneExpire.value) ? [`gc.pruneexpire=${pruneExpire.value}`] : []), ...reflogByConfig({ expire: [], unreachable: [] })];
    if (fromConfig.length > 0) return `gc, by ${fromConfig.join(', ')}`;
  }
  if (name === 'prune') {
    const expire = values('--expire');
    const dropped = expire.flatMap((v) => expiryDropsRecent(v) ?? []);
    if (expire.length === 0 || dropped.length > 0) return expire.length === 0 ? 'prune without --expire' : `prune --expire ${dropped.join(',')}`;
  }
  return undefined;
}

/**
 * The branch a reflog entry (`main@{1}`, `refs/heads/main@{0}`, `@{2}`, `HEAD@{1}`: the current one)
 * belongs to; undefined for another ref's (`refs/stash@{0}` is `git stash drop`, `stash@{0}` too).
 */
function reflogBranch(entry: string, current = 'HEAD'): string | undefined {
  const at = entry.indexOf('@{');
  if (at === -1 || entry.startsWith('-')) return undefined;
  const ref = entry.slice(0, at);
  if (ref === '' || ref === 'HEAD' || ref === '@') return current;
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  return ref.startsWith('refs/') || ref === 'stash' ? undefined : ref;
}

/**
 * git's run_argv: a built-in runs; else an external command `git-<name>` (exec-path, then PATH); else an
 * alias replaces the name, and the search starts again. A `!` alias and an external command run
 * something other than git: that comes back as what `runs`, to be judged as a line of its own.
 */
function expandAlias(first: string, rest: string[], world: World): { name: string; args: string[]; alias?: ConfigEntry; runs?: Pick<Reading, 'nested' | 'unreadable'> } | undefined {
  let name = first;
  let args = rest;
  let alias: ConfigEntry | undefined;
  const seen = new Set<string>();
  while (!builtins.has(name)) {
    const runs = externalCommand(name, args, world);
    // filter-branch (a script git ships) and filter-repo (one a user installs) are read as git commands.
    if (runs === 'git' || (runs && historyRewriters.has(name))) break;
    if (runs) return { name, args, alias, runs };
    const entry = world.config().last(`alias.${name}`);
    if (!entry) break;
    if (seen.has(name)) return undefined; // git stops on a loop of aliases
    seen.add(name);
    if (entry.value.startsWith('!')) return { name, args, alias: entry, runs: { nested: shellAlias(name, entry, args, world) } };
    const words = splitWords(entry.value);
    if (!words) return undefined;
    // An alias may start with options that change nothing in the environment (--no-pager, -p).
    let i = 0;
    while (i < words.length && globalBooleans.has(words[i])) i++;
    if (i >= words.length || words[i].startsWith('-')) return undefined; // git refuses these
    alias ??= entry;
    name = words[i];
    args = [...words.slice(i + 1), ...args];
  }
  return { name, args, alias };
}

/**
 * A `!` alias: git runs `sh -c '<alias> "$@"' '<alias>' ARGS…` (no `"$@"` without arguments) from the
 * top level of the working tree, with GIT_PREFIX set to where it was called from (run-command.c's
 * prepare_shell_cmd, git.c's handle_alias). Appending the arguments quoted runs the same commands.
 */
function shellAlias(name: string, entry: ConfigEntry, args: string[], world: World): NestedLine {
  const text = entry.value.slice(1);
  const repo = world.repo();
  const top = repo ? (repo.workTree ?? world.dir) : world.dir;
  const prefix = relative(top, world.dir);
  const inside = prefix !== '' && !prefix.startsWith('..') && !isAbsolute(prefix);
  return {
    via: `git alias ${name}`,
    line: args.length > 0 ? `${text} ${args.map(shellQuote).join(' ')}` : text,
    positional: [text, ...args],
    where: 'local',
    cwd: top,
    env: childEnv(world, { GIT_PREFIX: inside ? `${prefix}/` : '' }),
  };
}

/** `git <name>` as an external command, or 'git' when that is git itself, or undefined when there is none. */
function externalCommand(name: string, args: string[], world: World): Pick<Reading, 'nested' | 'unreadable'> | 'git' | undefined {
  const execPath = execPathOf(world.globals.execPath, world.env);
  const found = findExternal(name, execPath, world.env, world.dir);
  if (!found) return undefined;
  if (found.kind === 'git') return 'git';
  const shown = displayPath(found.path, world.env);
  if (found.kind === 'too-long') return { unreadable: `git ${name}: ${shown} is a script too long to read` };
  const env = childEnv(world, execPath ? { GIT_EXEC_PATH: execPath, PATH: `${execPath}${delimiter}${world.env.PATH ?? ''}` } : {});
  const via = `git ${name} (${shown})`;
  if (found.kind === 'script') return { nested: { via, line: found.text, positional: [found.path, ...args], where: 'local', cwd: world.dir, env } };
  return { nested: { via, argv: [found.path, ...args], where: 'local', cwd: world.dir, env } };
}

/** The environment git gives what it starts: its -c settings passed down, as git_config_push_parameter does. */
function childEnv(world: World, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...world.env };
  const { configs, gitDir, workTree, dir } = world.globals;
  if (configs.length > 0) {
    const pairs = configs.map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? shellQuote(pair) : `${shellQuote(pair.slice(0, eq))}=${shellQuote(pair.slice(eq + 1))}`;
    });
    env.GIT_CONFIG_PARAMETERS = [world.env.GIT_CONFIG_PARAMETERS, ...pairs].filter(Boolean).join(' ');
  }
  if (gitDir !== undefined) env.GIT_DIR = resolvePath(dir, gitDir);
  if (workTree !== undefined) env.GIT_WORK_TREE = workTree;
  return Object.assign(env, extra);
}

/** A command's options with parse-options' `--no-<option>` applied, and its positionals. */
function readCommand(args: string[], g: Grammar): { flags: Map<string, string[]>; positionals: string[] } {
  const { words, sequence, rest } = readArgs(args, g);
  const flags = new Map<string, string[]>();
  for (const [name, value] of sequence) {
    const negated = name.startsWith('--no-') ? g.booleans.get(`--${name.slice(5)}`) ?? g.values.get(`--${name.slice(5)}`) : undefined;
    if (negated) flags.delete(negated);
    else flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals: [...words, ...rest] };
}

function readPush(flags: Map<string, string[]>, positionals: string[], world: World): Action {
  // The first positional is the repository; --repo counts only without one.
  const repository = positionals[0] ?? flags.get('--repo')?.at(-1);
  const remote = repository ?? defaultRemote(world).name;
  const config = world.config();
  const configured = config.last(`remote.${remote}.mirror`);
  const mirrorFrom = !flags.has('--mirror') && configured && isTrue(configured.value) ? configured : undefined;
  if (mirrorFrom) flags.set('--mirror', ['']);

  const typed = positionals.slice(1).map((text): Refspec => ({ text, from: { source: 'argument', key: 'refspec', value: text } }));
  if (typed.length > 0 || ['--all', '--mirror', '--tags'].some((f) => flags.has(f))) {
    return { kind: 'push', flags, repository, refspecs: typed, fromConfig: false, mirrorFrom };
  }
  const pushes = config.all(`remote.${remote}.push`).map((entry): Refspec => ({ text: entry.value, from: config.evidence(entry) }));
  return { kind: 'push', flags, repository, refspecs: pushes, fromConfig: pushes.length > 0, mirrorFrom };
}

function parse(invocation: Invocation): ParsedInvocation {
  const reading = read(invocation);
  const parsed = parseReading(reading);
  // `--exec-path=DIR` beats the GIT_EXEC_PATH overlay the shim sets: git would put DIR first on PATH for
  // everything it starts, and hooks, aliases and git-foo commands would find the real git there.
  const execPath = reading.world.globals.execPath;
  if (execPath !== undefined && !reading.help && !isOverlay(execPath)) {
    const text = `git --exec-path=${execPath}: what git starts (hooks, aliases, git-foo commands) would not come back through chaperone`;
    parsed.commands.push({ path: ['exec-path'], flags: new Map(), text });
  }
  return parsed;
}

function parseReading(reading: Reading): ParsedInvocation {
  const { world, help, action, alias, nested, unreadable } = reading;
  if (nested) return { commands: [], help, nested: [nested] };
  if (unreadable) return { commands: [{ path: ['nested', 'unreadable'], flags: new Map(), text: unreadable }], help };
  if (!action) return { commands: [], help };
  // The text shows a part of the invocation, or what an alias made of it.
  const through = alias ? ` (${alias.entry.key} = ${alias.entry.value})` : '';
  const command = (path: string[], flags: Map<string, string[]>, part?: string): Command => {
    const text = part ?? (alias && alias.expanded.join(' '));
    return text ? { path, flags, text: `git ${text}${through}` } : { path, flags };
  };

  switch (action.kind) {
    case 'push': {
      const remote = action.repository ?? defaultRemote(world).name;
      if (action.refspecs.length === 0) return { commands: [command(['push', ...(action.repository ? [action.repository] : [])], action.flags)], help };
      const many = action.refspecs.length > 1 || action.fromConfig;
      const commands = action.refspecs.map((spec) => {
        const where = action.fromConfig ? ` (${spec.from.key}${spec.from.file ? ` in ${spec.from.file}` : ''})` : '';
        return command(['push', remote, spec.text], action.flags, many ? `push ${withoutCredentials(remote)} ${spec.text}${where}` : undefined);
      });
      return { commands, help };
    }
    case 'branch':
      return { commands: [command(['branch', ...action.names], action.flags)], help };
    case 'other':
      return { commands: [command(action.path, action.flags)], help };
  }
}

// ── target ──────────────────────────────────────────────────────────────────────────────────────

function resolve(_parsed: ParsedInvocation, invocation: Invocation): ResolvedTarget {
  const { world, action } = read(invocation);
  const repo = world.repo();
  if (!repo) {
    return { evidence: [{ source: 'default', key: 'repository', value: `none at ${displayPath(world.dir, world.env)} or above` }], identifiers: [] };
  }
  if (action?.kind === 'push') return resolvePush(action, world, repo);
  // A branch set to a commit that does not contain its tip (git-refs.ts): the branches it moves.
  if ((action?.kind === 'other' || action?.kind === 'branch') && action.rewinds && action.rewinds.length > 0) {
    const branches = [...new Set(action.rewinds.map((r) => r.branch))];
    return { name: branches.join(', '), evidence: [...action.rewinds.map((r) => r.evidence), repo.evidence], identifiers: branches.map((value) => ({ kind: 'git-branch', value })) };
  }
  // Dropping history reaches every branch's reflog and whatever only it kept: every local branch is a
  // target; `reflog delete` reaches the branches whose entries it names (HEAD's: the current one).
  if (action?.kind === 'other' && action.flags.has('--drops-history')) {
    const head = world.head();
    const current = head?.kind === 'branch' ? head.branch : 'HEAD';
    const named = action.path[1] === 'delete' ? action.path.slice(2).flatMap((w) => reflogBranch(w, current) ?? []) : undefined;
    const branches = named ? [...new Set(named)] : localBranches(repo);
    return {
      name: branches.join(', ') || undefined,
      evidence: [{ source: 'argument', key: action.name, value: `${action.flags.get('--drops-history')![0]}: reaches ${named ? 'branch' : 'every branch'} (${branches.join(', ') || 'none yet'})` }, repo.evidence],
      identifiers: branches.map((value) => ({ kind: 'git-branch', value })),
    };
  }
  if (action?.kind === 'other' && action.rewrites) {
    const head = world.head();
    const branches = rewrittenBranches(action.rewrites, repo, head?.kind === 'branch' ? head.branch : undefined);
    const what = action.rewrites.all ?? [...action.rewrites.branches, ...(action.rewrites.current ? ['the current branch'] : [])].join(' ');
    return {
      name: branches.join(', ') || undefined,
      evidence: [{ source: 'argument', key: action.name, value: `${what}: rewrites ${branches.join(', ') || 'no local branch'}` }, ...(action.rewrites.current && head ? [head.evidence] : []), repo.evidence],
      identifiers: branches.map((value) => ({ kind: 'git-branch', value })),
    };
  }
  if (action?.kind === 'other' && action.name === 'worktree' && action.path[1] === 'remove') {
    const arg = action.path[2] ?? '';
    const tree = linkedWorktree(repo, arg, world.dir, world.env);
    if (!tree) return { evidence: [{ source: 'argument', key: 'worktree remove', value: `${arg}: no linked worktree of this repository by that name` }, repo.evidence], identifiers: [] };
    return {
      name: tree.branch,
      evidence: [{ source: 'argument', key: 'worktree remove', value: arg }, tree.evidence, repo.evidence],
      identifiers: tree.branch ? [{ kind: 'git-branch', value: tree.branch }] : [],
    };
  }
  if (action?.kind === 'other' && action.name === 'update-ref' && (action.flags.has('-d') || action.flags.has('--delete'))) {
    const ref = action.path.slice(1).find((word) => word !== '--') ?? '';
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    return { name: branch, evidence: [{ source: 'argument', key: 'update-ref -d', value: ref }, repo.evidence], identifiers: [{ kind: 'git-branch', value: branch }] };
  }
  if (action?.kind === 'branch' && action.flags.has('--delete') && action.names.length > 0) {
    return {
      // Several branches are confirmed by all their names, as a rewrite of several is.
      name: action.names.join(', '),
      evidence: [{ source: 'argument', key: 'branch --delete', value: action.names.join(' ') }, repo.evidence],
      identifiers: action.names.map((value) => ({ kind: 'git-branch', value })),
    };
  }
  return currentBranch(world, repo);
}

function currentBranch(world: World, repo: GitRepo): ResolvedTarget {
  const head = world.head()!;
  const identifiers: Identifier[] = head.kind === 'branch' ? [{ kind: 'git-branch', value: head.branch }] : [];
  return { name: head.kind === 'branch' ? head.branch : undefined, evidence: [head.evidence, repo.evidence], identifiers };
}

/** A ref a push writes: a branch, a tag, or another ref, and what the push does to it. */
interface Destination {
  kind: 'branch' | 'tag' | 'other';
  name: string;
  evidence: Evidence[];
  destructive: boolean;
}

/** Options that make every ref a push writes a forced update or a deletion. */
const forcingFlags = ['--force', '--force-with-lease', '--force-if-includes', '--delete'];

function resolvePush(action: Extract<Action, { kind: 'push' }>, world: World, repo: GitRepo): ResolvedTarget {
  const typed: Evidence | undefined = action.repository ? { source: 'argument', key: 'repository', value: withoutCredentials(action.repository) } : undefined;
  const remote = action.repository && typed ? { name: action.repository, evidence: [typed] } : defaultRemote(world);
  const remoteEvidence = [...remote.evidence, ...remoteUrl(remote.name, world)];
  const remoteName = withoutCredentials(remote.name);

  for (const flag of ['--mirror', '--prune']) {
    if (!action.flags.has(flag)) continue;
    const from: Evidence = action.mirrorFrom && flag === '--mirror' ? world.config().evidence(action.mirrorFrom) : { source: 'flag', key: flag, value: 'set' };
    return {
      name: remoteName,
      evidence: [from, ...remoteEvidence, repo.evidence],
      identifiers: [],
      forcedClass: 'production',
      forcedReason:
        flag === '--mirror'
          ? `--mirror makes ${remoteName} a copy of this repository, overwriting or deleting every branch there, protected ones included`
          : `--prune deletes branches on ${remoteName} that have no local counterpart, and which ones cannot be known offline`,
    };
  }

  const forcing = forcingFlags.find((f) => action.flags.has(f));
  const destinations =
    action.refspecs.length > 0
      ? action.refspecs.flatMap((spec) => refspecDestinations(spec, forcing !== undefined, world, repo))
      : defaultDestinations(action.flags, forcing !== undefined, world, repo);
  // Rules matched something destructive; when nothing is (check, explain), show every destination.
  const shown = destinations.some((d) => d.destructive) ? destinations.filter((d) => d.destructive) : destinations;
  const branches = [...new Set(shown.filter((d) => d.kind === 'branch').map((d) => d.name))];
  const evidence: Evidence[] = [...new Set(shown.flatMap((d) => d.evidence))];
  if (forcing) evidence.push({ source: 'flag', key: forcing, value: 'applies to every ref pushed' });
  evidence.push(...remoteEvidence, repo.evidence);
  // One branch is the name a human confirms with; for several, the remote they all go to.
  const name = branches.length > 1 ? remoteName : branches[0];
  return { name, evidence, identifiers: branches.map((value) => ({ kind: 'git-branch', value })) };
}

/** Where one refspec writes: `src:dst`, `+src:dst` (forced), `:dst` (delete), `src`, `HEAD`, globs. */
function refspecDestinations(spec: Refspec, forced: boolean, world: World, repo: GitRepo): Destination[] {
  const plus = spec.text.startsWith('+');
  const body = plus ? spec.text.slice(1) : spec.text;
  const colon = body.lastIndexOf(':');
  const src = colon === -1 ? body : body.slice(0, colon);
  const dst = colon === -1 || body.slice(colon + 1) === '' ? src : body.slice(colon + 1);
  const deletion = colon !== -1 && src === '' && body !== ':'; // a lone ":" pushes matching branches
  const destructive = forced || plus || deletion;
  const does = deletion ? 'deletes' : plus || forced ? 'force-updates' : 'updates';
  const at = (kind: Destination['kind'], name: string, how = '', more: Evidence[] = []): Destination => ({
    kind,
    name,
    destructive,
    evidence: [{ ...spec.from, value: `${spec.text}: ${does} ${kind} ${name}${how}` }, ...more],
  });

  if (body === ':') return several(localBranches(repo).map((b) => ['branch', b]), destructive, { ...spec.from, value: `${spec.text}: ${does} every matching branch` });
  if (src.includes('*') || dst.includes('*')) return several(globDestinations(src, dst, repo), destructive, { ...spec.from, value: `${spec.text}: ${does}` });
  if (dst === 'HEAD' || dst === '@') {
    const head = world.head();
    return head?.kind === 'branch' ? [at('branch', head.branch, ' (the current branch)', [head.evidence])] : [];
  }
  const [kind, name] = refKind(dst, src);
  return [at(kind, name)];
}

/** Many refs from one fact, which names them all once. */
function several(refs: [Destination['kind'], string][], destructive: boolean, evidence: Evidence): Destination[] {
  const shared = { ...evidence, value: `${evidence.value} ${refs.map(([kind, name]) => `${kind} ${name}`).join(', ') || 'nothing here'}` };
  return refs.map(([kind, name]) => ({ kind, name, destructive, evidence: [shared] }));
}

/** `refs/heads/x` and bare `x` are branches (a bare name follows its source: a tag pushes a tag). */
function refKind(dst: string, src: string): [Destination['kind'], string] {
  if (dst.startsWith('refs/heads/')) return ['branch', dst.slice('refs/heads/'.length)];
  if (dst.startsWith('refs/tags/')) return ['tag', dst.slice('refs/tags/'.length)];
  if (dst.startsWith('refs/')) return ['other', dst];
  return src.startsWith('refs/tags/') ? ['tag', dst] : ['branch', dst];
}

/** `refs/heads/*:refs/heads/*`: each local branch the source matches, mapped to its destination. */
function globDestinations(src: string, dst: string, repo: GitRepo): [Destination['kind'], string][] {
  const [before, after = ''] = src.split('*');
  const out: [Destination['kind'], string][] = [];
  for (const branch of localBranches(repo)) {
    const ref = src.startsWith('refs/') ? `refs/heads/${branch}` : branch;
    if (!ref.startsWith(before) || !ref.endsWith(after) || ref.length < before.length + after.length) continue;
    const matched = ref.slice(before.length, ref.length - after.length);
    out.push(refKind(dst.replace('*', matched), src));
  }
  return out;
}

/** With no refspec: --all, or push.default's choice (simple when unset). */
function defaultDestinations(flags: Map<string, string[]>, forced: boolean, world: World, repo: GitRepo): Destination[] {
  const does = forced ? 'force-updates' : 'updates';
  if (flags.has('--all')) {
    return several(localBranches(repo).map((b) => ['branch', b]), forced, { source: 'flag', key: '--all', value: `${does} every local branch:` });
  }
  if (flags.has('--tags')) return [{ kind: 'tag', name: '*', destructive: forced, evidence: [{ source: 'flag', key: '--tags', value: `${does} every tag, and no branch` }] }];

  const config = world.config();
  const setting = config.last('push.default');
  const mode = setting?.value.toLowerCase() ?? 'simple';
  const because = (value: string): Evidence => (setting ? config.evidence(setting, `${mode}: ${value}`) : { source: 'default', key: 'push.default', value: `simple: ${value}` });
  const head = world.head();
  if (mode === 'nothing') return [];
  if (mode === 'matching') {
    return several(localBranches(repo).map((b) => ['branch', b]), forced, because(`${does} every branch the remote also has, of`));
  }
  if (head?.kind !== 'branch') return [];
  if (mode === 'upstream' || mode === 'tracking') {
    const merge = config.last(`branch.${head.branch}.merge`);
    if (!merge) return [];
    const name = merge.value.replace(/^refs\/heads\//, '');
    return [{ kind: 'branch', name, destructive: forced, evidence: [because(`${does} branch ${name}, the upstream of ${head.branch}`), config.evidence(merge), head.evidence] }];
  }
  return [{ kind: 'branch', name: head.branch, destructive: forced, evidence: [because(`${does} the current branch, ${head.branch}`), head.evidence] }];
}

/** The remote a push with no <repository> goes to, in git's order. */
function defaultRemote(world: World): { name: string; evidence: Evidence[] } {
  const config = world.config();
  const head = world.head();
  const branch = head?.kind === 'branch' ? head.branch : undefined;
  const keys = [...(branch ? [`branch.${branch}.pushRemote`] : []), 'remote.pushDefault', ...(branch ? [`branch.${branch}.remote`] : [])];
  for (const key of keys) {
    const entry = config.last(key);
    if (entry?.value) return { name: entry.value, evidence: [config.evidence(entry)] };
  }
  return { name: 'origin', evidence: [{ source: 'default', key: 'remote', value: 'origin (no pushRemote, pushDefault or branch remote set)' }] };
}

/** The remote's URL as evidence, without any user or token in it. */
function remoteUrl(remote: string, world: World): Evidence[] {
  const config = world.config();
  const entry = config.last(`remote.${remote}.pushurl`) ?? config.last(`remote.${remote}.url`);
  return entry ? [config.evidence(entry, withoutCredentials(entry.value))] : [];
}

/** `https://user:token@host/x` → `https://host/x`: a token alone, with no password, is still a secret. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** Built-ins that only ever read or add (the rules take out any that can destroy): the shim's fast path. */
const plainWords = ['status', 'log', 'diff', 'show', 'rev-parse', 'ls-files', 'ls-remote', 'describe', 'blame', 'grep', 'fetch', 'add', 'commit', 'init', 'clone', 'version', 'format-patch'];

export const git: Tool = { name: 'git', parse, resolve, plainWords };
