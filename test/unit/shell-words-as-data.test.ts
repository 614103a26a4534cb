// A refused agent's next spellings of the same command word, as data the shell turns into words:
// IFS word splitting, `read`/`mapfile`/`set --`, parameter rewrites (`${c//,/ }`, `${c,,}`, `${!n}`), a
// substitution that is the whole command, and inline code that hides the process it starts. Each row
// shows what the line analysis says runs; each route has a benign counterpart that stays as it was.
// (The shells, hooks and shims are exercised end to end in test/e2e/words-as-data.test.ts.)

import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteWord } from '../../src/display/describe.js';
import { analyzeLine } from '../../src/shell/analyze.js';
import { mapfileBuiltin, readBuiltin, setPositional } from '../../src/shell/reads.js';
import { evaluate } from '../../src/evaluate.js';
import { table } from '../helpers/cases.js';
import { random } from '../helpers/random.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-words-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'home');
mkdirSync(home);
const context = { cwd: root, env: { HOME: home, PATH: '/usr/bin:/bin' } };

/** Each command as its words (`computed` when its word is not known), then what could not be read. */
function analyze(line: string): string[] {
  const analysis = analyzeLine(line, context);
  const shown = analysis.commands.map((c) => c.argv.map(quoteWord).join(' ') + (c.computed !== undefined ? '  computed' : ''));
  for (const u of analysis.unknown ?? []) shown.push(`unknown: ${u.reason}`);
  return shown;
}

/** Whether the line runs `railway down` as words the shell would give (or leaves it unknown). */
const runs = (line: string) => {
  const shown = analyze(line);
  return shown.includes('railway down') ? 'railway down' : shown.some((s) => s.startsWith('unknown: ')) ? 'unknown' : shown.join(' | ');
};

describe('IFS word splitting', () => {
  table((line) => line.replace(/\n/g, '⏎'), [
    ['IFS=,; cmd=railway,down; $cmd', 'railway down'],
    ['IFS=, cmd=railway,down; $cmd', 'railway down'],
    ['railway${IFS}down', 'railway down'],
    ['railway$IFS"down"', 'railway down'],
    ['x=$IFS; railway${x}down', 'railway down'],
    ['IFS=x; c=railwayxdown; $c', 'railway down'],
    ["IFS=$' ,'; c='railway , down'; $c", 'railway down'],
    // white space that IFS does not hold stays in the word
    ["IFS=$'\\t,'; c='railway , down'; $c", "'railway ' ' down'"],
    ['IFS=,; a=(railway down); "${a[@]}"', 'railway down'],
    ['IFS=,; a=(railway down); ${a[@]}', 'railway down'],
    ["c=railway,down; IFS=, eval '$c'", 'railway down'],
    ["IFS=$'\\x2c'; c=railway,down; $c", 'railway down'],
    ['export IFS=,; c=railway,down; $c', 'railway down'],
    ['f(){ local IFS=,; $1; }; f railway,down', 'railway down'],
    // a prefix assignment applies to the command, not to the splitting of its own words
    ['c=railway,down; IFS=, command $c', 'railway,down'],
    // an IFS that is not known may cut at any punctuation
    ['IFS=$(printf ,); c=railway,down; $c', 'railway down'],
    // empty IFS cuts nowhere: the word is one command name, which no shell finds
    ['IFS=; c="railway down"; $c', "'railway down'"],
    // a literal word is never split, whatever IFS is
    ['IFS=_; railway_down', 'railway_down'],
    // benign
    ['IFS=,; echo a,b', 'echo a,b'],
    ['IFS=,; f=a,b; echo $f', 'echo a b'],
    ['railway status', 'railway status'],
  ], runs);
});

describe('read, mapfile and set -- from input the line shows', () => {
  table((line) => line.replace(/\n/g, '⏎'), [
    ['IFS=, read -ra a <<< "railway,down"; "${a[@]}"', 'railway down'],
    ['read -r a b <<< "railway down"; $a $b', 'railway down'],
    ['read -r c <<< railway; $c down', 'railway down'],
    ["mapfile -t a <<< $'railway\\ndown'; \"${a[@]}\"", 'railway down'],
    ["readarray -t a <<'EOF'\nrailway\ndown\nEOF\n\"${a[@]}\"", 'railway down'],
    ['set -- railway down; "$@"', 'railway down'],
    ['IFS=:; set -- railway:down; $*', 'railway down'],
    ["mapfile -C 'railway down #' -c 1 a <<< x", 'railway down'],
    // from input it does not show: unknown code when it becomes the command
    ['echo railway down | { read -r a b; $a $b; }', 'unknown'],
    ['readarray -t a < <(printf "railway\\ndown\\n"); "${a[@]}"', 'unknown'],
    ['read -r c < cmd.txt; $c', 'unknown'],
    // benign
    ['read -r name <<< world; echo "hello $name"', 'read -r name | echo \'hello world\''],
    ['set -euo pipefail; ls', 'set -euo pipefail | ls'],
    ['while IFS= read -r line; do echo "$line"; done < notes.txt', "read -r line | echo '$line'"],
  ], runs);

  it('reads as bash does: the last name takes the rest, -r keeps backslashes, -d ends the line', () => {
    expect(readBuiltin(['a', 'b'], 'one two three\nnext\n', undefined).values).toEqual(new Map([['a', 'one'], ['b', 'two three']]));
    expect(readBuiltin(['-r', 'a'], 'x\\y\n', undefined).values.get('a')).toBe('x\\y');
    expect(readBuiltin(['a'], 'x\\y\n', undefined).values.get('a')).toBe('xy');
    expect(readBuiltin(['-d', ':', 'a'], 'rail:way', undefined).values.get('a')).toBe('rail');
    expect(readBuiltin(['-ra', 'arr'], 'a,b,,c\n', ',').values.get('arr')).toBe('a b  c');
    expect(readBuiltin(['a'], undefined, undefined).unknown).toEqual(['a']);
    expect(readBuiltin(['-u', '3', 'a'], 'x\n', undefined).unknown).toEqual(['a']);
    expect(mapfileBuiltin(['-t', '-s', '1', 'a'], 'skip\nrailway\ndown\n').values.get('a')).toBe('railway down');
    expect(setPositional(['-e'])).toBeUndefined();
    expect(setPositional(['-o', 'pipefail', 'a'])).toEqual(['a']);
    expect(setPositional(['--'])).toEqual([]);
  });

  it('never throws on any arguments or input (fuzz)', () => {
    const next = random(4251);
    const words = ['-r', '-a', 'arr', '-d', '', ':', '-u', '3', '-p', 'x', '-t', '-s', '2', '-n', '-1', '-C', 'railway down', '--', 'a', 'b', '-', '+o', '-o'];
    for (let i = 0; i < 2000; i++) {
      const args = Array.from({ length: Math.floor(next() * 6) }, () => words[Math.floor(next() * words.length)]);
      const input = next() < 0.2 ? undefined : Array.from({ length: Math.floor(next() * 12) }, () => 'ab ,:\n\\\0'[Math.floor(next() * 8)]).join('');
      const ifs = next() < 0.3 ? undefined : [' ', ',', '', ' ,', '\n'][Math.floor(next() * 5)];
      expect(() => readBuiltin(args, input, ifs)).not.toThrow();
      expect(() => mapfileBuiltin(args, input)).not.toThrow();
      expect(() => setPositional(args)).not.toThrow();
    }
  });
});

describe('parameter rewrites and indirection', () => {
  table((line) => line, [
    ['c=railway,down; ${c//,/ }', 'railway down'],
    ['c=railway_down; ${c/_/ }', 'railway down'],
    ['c="RAILWAY DOWN"; ${c,,}', 'railway down'],
    ['c="railway down"; ${c@L}', 'railway down'],
    ['c=xrailway; ${c:1} down', 'railway down'],
    ['c="railway downxx"; ${c:0:-2}', 'railway down'],
    ['c="xx railway down"; ${c#x*x }', 'railway down'],
    ['c="railway down.sh"; ${c%.sh}', 'railway down'],
    ['c="a/b/railway down"; ${c##*/}', 'railway down'],
    ['n=c; c="railway down"; ${!n}', 'railway down'],
    ["printf -v c '%s' railway; $c down", 'railway down'],
    ['declare c=railway; $c down', 'railway down'],
    // eval of a substitution's output is unknown code already
    ["eval \"$(printf 'rail%s' way) down\"", 'unknown'],
    ['c=railway\n"${c}" down', 'railway down'],
    // a substitution that is the whole command: its output is command and arguments, not known
    ['$(echo cmFpbHdheSBkb3du | base64 -d)', 'unknown'],
    ['c=$(base64 -d <<< cmFpbHdheSBkb3du); $c', 'unknown'],
    ['a=($(pick) down); "${a[@]}"', 'unknown'],
    // A slice of the arguments is taken from their words, not from their joined text (`ailway down`).
    ['f() { "${@:2}"; }; f x railway down', 'railway down'],
    ['set -- x railway down; ${@:2}', 'railway down'],
    ['f() { "${@:1:2}"; }; f railway down --yes', 'railway down'],
    ['f() { "${@:1}"; }; f git status', 'git status'],
    ["set -- railway down; ${*,,}", "set -- railway down | '${*,,}'  computed"],
    // benign
    ['f=report.txt; cp $f ${f%.txt}.bak', 'cp report.txt report.bak'],
    ['v=1.2.3; echo ${v//./-}', 'echo 1-2-3'],
    ['"$(which python3)" -V', 'which python3 | python3 -V'],
    ['$EDITOR', "'$EDITOR'  computed"],
  ], runs);
});

describe('git config written on an earlier line, then git', () => {
  table((line) => line, [
    ["git config core.pager 'sh -c \"railway down\"'; git log", 'railway down'],
    ["git config --global alias.x '!railway down'; git x", 'railway down'],
    ['git config core.pager less; git log', 'git config core.pager less | less | git log'],
  ], (line) => {
    const shown = analyze(line);
    return shown.some((s) => s.startsWith('railway down')) ? 'railway down' : shown.join(' | ');
  });
});

describe('git configuration an earlier line left on disk', () => {
  const repo = join(root, 'repo');
  const worktree = join(root, 'worktree');
  mkdirSync(join(repo, '.git', 'worktrees', 'wt'), { recursive: true });
  mkdirSync(join(repo, 'sub'), { recursive: true });
  mkdirSync(worktree, { recursive: true });
  writeFileSync(join(repo, '.git', 'config'), '[core]\n\tpager = sh -c \"railway down\"\n[alias]\n\tx = !railway logs\n');
  writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
  writeFileSync(join(worktree, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`);
  const clean = join(root, 'clean');
  mkdirSync(join(clean, '.git'), { recursive: true });
  writeFileSync(join(clean, '.git', 'config'), '[core]\n\tpager = less -FRX\n\teditor = vim\n\tsshCommand = ssh -i ~/.ssh/id\n[alias]\n\tlg = log --graph\n');
  const inDir = (dir: string) => (line: string) => analyzeLine(line, { ...context, cwd: dir }).commands.map((c) => c.argv.join(' '));
  table((line) => line, [
    ['git log', true],
    ['git -C . status', true],
  ], (line) => inDir(repo)(line).includes('railway down'));
  it('reads it from a subdirectory and from a worktree (its commondir), and not its aliases on every call', () => {
    expect(inDir(join(repo, 'sub'))('git log')).toContain('railway down');
    expect(inDir(worktree)('git log')).toContain('railway down');
    expect(inDir(repo)('git log')).not.toContain('railway logs');
  });
  it('lets an ordinary configuration be', () => {
    expect(inDir(clean)('git log')).toEqual(['git log', 'less -FRX', 'vim', `ssh -i ${home}/.ssh/id`]);
  });
});

describe('inline code that hides the process it starts', () => {
  table((line) => line, [
    [`python3 -c 'import subprocess; subprocess.run(["rail"+"way","down"])'`, 'unknown'],
    [`python3 -c 'from subprocess import run as r; r(["rail"+"way","down"])'`, 'unknown'],
    [`python3 -c 'import subprocess as sp; sp.call(cmd)'`, 'unknown'],
    [`python3 -c 'getattr(__import__("o"+"s"), "sys"+"tem")("x")'`, 'unknown'],
    [`python3 -c 'import os; os.system("".join(["rail", "way down"]))'`, 'unknown'],
    [`node -e 'require("child_process").execSync(["rail","way"].join("")+" down")'`, 'unknown'],
    [`node -e 'require("child_process")["exec"+"Sync"]("x")'`, 'unknown'],
    [`node -e 'const {execSync: x} = require("child_process"); x(cmd)'`, 'unknown'],
    [`node -e 'const m = "child_" + "process"; require(m).execSync("x")'`, 'unknown'],
    [`python3 -c 'from os import *; system("rail" + "way down")'`, 'unknown'],
    [`ruby -e 'system("rail" + "way down")'`, 'unknown'],
    [`perl -e 'my $c = "rail" . "way"; system($c, "down")'`, 'unknown'],
    [`echo 'import subprocess; subprocess.run(["rail"+"way","down"])' | python3`, 'unknown'],
    [`cat > gen.py <<'EOF'\nimport subprocess\nsubprocess.run(["rail" + "way", "down"])\nEOF\npython3 gen.py`, 'unknown'],
    // literal calls are read as what they run
    [`python3 -c 'import subprocess; subprocess.run(["railway", "down"])'`, 'railway down'],
    [`node -e 'require("child_process").execSync("railway down")'`, 'railway down'],
    // benign
    [`python3 -c 'print(1)'`, ''],
    [`python3 -c 'import json, sys; print(json.load(sys.stdin)["x"])'`, ''],
    [`python3 -c 'import os; print(os.getcwd(), os.environ["HOME"])'`, ''],
    [`python3 -c 'print("exec(")'`, ''],
    [`python3 -c 'import subprocess; subprocess.run(["ls", "-la"])'`, 'ls -la'],
    [`node -e 'console.log(process.version)'`, ''],
    [`node -e 'require("child_process").execSync("ls -la")'`, 'ls -la'],
    [`ruby -e 'puts 1'`, ''],
  ], (line) => {
    const shown = analyze(line).filter((s) => !/^(python3|node|ruby|perl|echo|cat)\b/.test(s));
    return shown.includes('railway down') ? 'railway down' : shown.some((s) => s.startsWith('unknown: ')) ? 'unknown' : shown.join(' | ');
  });

  it('reads a project module the interpreter preloads (-r, --require=, --import, NODE_OPTIONS), not an installed one', () => {
    writeFileSync(join(root, 'preload.js'), 'require("child_process").execSync("railway down")\n');
    writeFileSync(join(root, 'quiet.js'), 'console.log("hi")\n');
    for (const line of ['node -r ./preload.js -e 1', 'node --require=./preload.js app.js', 'node --import ./preload.js -e 1', "NODE_OPTIONS='--require ./preload.js' node -e 1", 'node -r ./preload']) {
      expect(analyze(line), line).toContain('railway down');
    }
    expect(analyze('node -r ./quiet.js -e 1')).toEqual([]);
    expect(analyze('node -r dotenv/config -e 1')).toEqual([]);
  });

  it('reads a module npm preloads into a package script by its node-options setting (.npmrc, npm_config_node_options)', () => {
    const project = join(root, 'npmrc-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'wipe.js'), 'require("child_process").execSync("railway down")\n');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ scripts: { test: 'jest' } }));
    const inProject = (line: string) => analyze(`cd ${project} && ${line}`);
    expect(inProject('npm test')).not.toContain('railway down');
    expect(inProject('npm_config_node_options="--require ./wipe.js" npm test')).toContain('railway down');
    writeFileSync(join(project, '.npmrc'), 'node-options="--require ./wipe.js"\n');
    for (const line of ['npm test', 'npm run test', 'pnpm test']) expect(inProject(line), line).toContain('railway down');
    expect(inProject('yarn test')).not.toContain('railway down');
    writeFileSync(join(project, '.npmrc'), 'node-options=--max-old-space-size=4096\n');
    expect(inProject('npm test')).not.toContain('railway down');
  });

  it('reads the program npm and pnpm run each script with (--script-shell, npm_config_script_shell, .npmrc script-shell)', () => {
    const project = join(root, 'script-shell-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'wipe.sh'), 'railway down\n');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ scripts: { test: 'jest', lint: 'eslint .' } }));
    const inProject = (line: string) => analyze(`cd ${project} && ${line}`);
    expect(inProject('npm test')).not.toContain('railway down');
    for (const line of ['npm --script-shell ./wipe.sh test', 'npm --script-shell=./wipe.sh run lint', 'npm run lint --script-shell ./wipe.sh', 'npm_config_script_shell=./wipe.sh npm test', 'pnpm --script-shell ./wipe.sh lint']) {
      expect(inProject(line), line).toContain('railway down');
    }
    // After `--` it is the script's own argument; a real shell runs the script as it is.
    expect(inProject('npm run lint -- --script-shell ./wipe.sh')).not.toContain('railway down');
    expect(inProject('npm --script-shell bash test')).not.toContain('railway down');
    writeFileSync(join(project, '.npmrc'), 'script-shell=./wipe.sh\n');
    expect(inProject('npm test')).toContain('railway down');
  });

  it('reads a project module NODE_OPTIONS preloads into any command, since any may be a Node program', () => {
    writeFileSync(join(root, 'preload.js'), 'require("child_process").execSync("railway down")\n');
    writeFileSync(join(root, 'quiet.js'), 'console.log("hi")\n');
    for (const line of ["NODE_OPTIONS='--require ./preload.js' prisma migrate status", "NODE_OPTIONS=--require=./preload.js npm test", "export NODE_OPTIONS='-r ./preload.js'; make build", "NODE_OPTIONS='--import ./preload.js' vercel ls"]) {
      expect(analyze(line), line).toContain('railway down');
    }
    expect(analyze("NODE_OPTIONS='--require ./quiet.js' prisma migrate status").filter((s) => s.startsWith('unknown'))).toEqual([]);
    expect(analyze("NODE_OPTIONS='--max-old-space-size=4096' prisma migrate status").filter((s) => s.includes('railway'))).toEqual([]);
  });

  it('holds a project script to the old reading: computed calls alone are not unknown there', () => {
    writeFileSync(join(root, 'build.py'), 'import subprocess, sys\nsubprocess.run(sys.argv[1:])\n');
    expect(analyze('python3 build.py make all')).toEqual([]);
  });
});

describe('railway run reads the script it starts here, against the railway environment', () => {
  const project = join(root, 'shop');
  mkdirSync(project, { recursive: true });
  for (const [file, text] of [
    ['wipe.sh', '#!/bin/sh\nrailway volume delete --volume pg-data --yes\n'],
    ['drop.sh', '#!/bin/sh\npsql -c "DROP TABLE users"\n'],
    ['logs.sh', '#!/bin/sh\nrailway logs\n'],
    ['package.json', JSON.stringify({ scripts: { nuke: 'railway volume delete --volume pg-data --yes', test: 'echo ok' } })],
  ] as const) {
    writeFileSync(join(project, file), text);
    chmodSync(join(project, file), 0o755);
  }
  mkdirSync(join(home, '.railway'), { recursive: true });
  writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ projects: { [project]: { projectPath: project, name: 'shop', project: 'p', environment: 'env-1', environmentName: 'production' } } }));
  const rules = async (line: string, input = '') => {
    const ev = await evaluate({ tool: 'railway', args: line.split(' ').slice(1), cwd: project, env: { HOME: home, PATH: '/usr/bin:/bin' }, input }, { alwaysResolve: true, terminal: () => false });
    return ev.findings.map((f) => f.rule).join(' ');
  };
  it('reads a script fed to a shell under railway run on its stdin the same way', async () => {
    expect(await rules('railway run bash', './wipe.sh\n')).toBe('railway.volume.delete');
    expect(await rules('railway run sh -s', 'sh drop.sh\n')).toBe('psql.sql.drop');
    expect(await rules('railway run bash', './logs.sh\n')).toBe('');
  });
  table((line) => line, [
    ['railway run ./wipe.sh', 'railway.volume.delete'],
    ['railway run sh wipe.sh', 'railway.volume.delete'],
    ['railway run -- bash ./drop.sh', 'psql.sql.drop'],
    ['railway local ./drop.sh', 'psql.sql.drop'],
    ['railway run npm run nuke', 'railway.volume.delete'],
    ['railway run ./logs.sh', ''],
    ['railway run npm test', ''],
    ['railway run rm -rf ./tmp', ''],
  ], (line) => rules(line));
});
