// Indirection is followed, not trusted: a line that runs a script, a sourced file, a Makefile target, a
// package.json script, an interpreter's code, an alias or a computed command word is analysed as what it
// really runs, read from real files in a temporary project. Every route has a benign counterpart, and
// what cannot be read is shown as `unknown: …` (gated by check.ts).
//
// A case shows each command as its argv, `@DIR` when it runs elsewhere than the project's root (relative
// to it), `via …`, and the line's unknown items.

import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { quoteWord } from '../../src/display/describe.js';
import { analyzeLine, type ShellCommand } from '../../src/shell/analyze.js';
import { readCode } from '../../src/shell/interpreters.js';
import { table } from '../helpers/cases.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-indirect-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  chmodSync(join(root, path), mode);
}

// Scripts.
write('wipe.sh', '#!/bin/bash\nset -e\ncd db\nrailway volume delete --volume "$1" --yes\n', 0o755);
write('logs.sh', '#!/bin/sh\nrailway logs "$@"\n', 0o755);
write('scripts/wipe', 'dropdb "${1:-shop}"\n', 0o755);
write('db/.keep', '');
write('env.sh', 'export AWS_PROFILE=prod\ncd db\nalias k=kubectl\nnuke() { aws s3 rm "s3://$1" --recursive; }\n');
write('trap.sh', 'cleanup() { railway down; }\ntrap cleanup EXIT\n');
write('args.sh', 'railway environment "$1"\n');
write('lib.sh', 'wipe() { dropdb shop; }\n');
write('loop-a.sh', 'source loop-b.sh\n');
write('loop-b.sh', '. ./loop-a.sh\n');
for (let i = 0; i < 10; i++) write(`deep/${i}.sh`, `bash deep/${i + 1}.sh\n`);
write('deep/10.sh', 'railway down\n');
write('broken.sh', 'if railway down; then\n');
write('big.sh', `# ${'x'.repeat(1024 * 1024)}\nrailway down\n`);
write('bin/tool', '\u007fELF\u0000\u0001binary');
write('wipe.py', '#!/usr/bin/env python3\nimport subprocess\nsubprocess.run(["railway", "volume", "delete", "--volume", "pg"], check=True)\n', 0o755);
write('scripts/drop.py', 'import subprocess\nsubprocess.run(["psql", "-c", "drop table users"])\n');
write('lib/wipe.js', 'const { execSync } = require("child_process");\nexecSync("railway volume delete -v pg");\n');
write('lib/index.mjs', 'import "./wipe.js";\n');
write('tasks.py', 'import os\ndef drop():\n    os.system("dropdb shop")\n');
write('run_tasks.py', 'import tasks\ntasks.drop()\n');
write('helper.rb', 'system("railway", "down")\n');
write('x.pl', 'system("dropdb", "shop");\n');
write('cyclic/a.js', 'require("./b")\n');
write('cyclic/b.js', 'require("./a")\n');
write('report.py', '#!/usr/bin/env python3\nprint(open("data.csv").read())\n', 0o755);
write('sneaky.py', 'import os\nverb = "down"\nos.system("rail" + "way " + verb)\nprint("railway")\n');
write('api.js', '#!/usr/bin/env node\nfetch("https://backboard.railway.com/graphql/v2", { method: "POST" })\n', 0o755);
write('tool.awk', '#!/usr/bin/awk -f\n{ print $1 }\n', 0o755);
write('ops.awk', '#!/usr/bin/awk -f\nBEGIN { system("railway down") }\n', 0o755);

// Makefiles.
write(
  'Makefile',
  [
    'ENV ?= dev',
    'DB := shop',
    'PSQL = psql -h $(HOST)',
    'HOST = db.internal',
    'include common.mk',
    '-include missing.mk',
    '',
    '.PHONY: logs reset-db stop all',
    'all: logs',
    '',
    'logs:',
    '\t@railway logs --env $(ENV)',
    '',
    'reset-db: stop',
    '\t-dropdb $(DB)',
    '\t+$(MAKE) -C db reset',
    '',
    'stop: ; @echo stopping $(ENV)',
    '',
    'migrate:',
    '\t$(PSQL) -c "select 1" \\',
    '\t  -v ON_ERROR_STOP=1',
    '',
    'shell-out:',
    '\t$(shell cat target) down',
    '',
    '%.dump:',
    '\tpg_dump $* > $@',
    '',
    'self:',
    '\t$(MAKE) self',
    '',
  ].join('\n'),
);
write('common.mk', 'COMMON = 1\n');
write('db/Makefile', 'reset:\n\tpsql -c "DROP TABLE users"\n');
write('bad/Makefile', 'all:\n\techo ok\nthis is not make\n');
write('bomb.mk', 'A = x\nB = $(A)$(A)\nC = $(B)$(B)\nD = $(C)$(C)\nE = $(D)$(D)\nF = $(E)$(E)\nG = $(F)$(F)\nH = $(G)$(G)\nI = $(H)$(H)\nJ = $(I)$(I)\nK = $(J)$(J)\nL = $(K)$(K)\nM = $(L)$(L)\nN = $(M)$(M)\nO = $(N)$(N)\nP = $(O)$(O)\nQ = $(P)$(P)\nR = $(Q)$(Q)\nall:\n\techo $(R)\n');
write('self.mk', 'A = $(A) x\nall:\n\techo $(A)\n');
write('ops.mk', 'nuke:\n\tkubectl delete namespace prod\n');

// package.json scripts and workspaces.
write(
  'package.json',
  JSON.stringify({
    name: 'shop',
    workspaces: ['packages/*'],
    scripts: { prenuke: 'echo about to nuke', nuke: 'railway volume delete --volume pg-data --yes', test: 'vitest run', posttest: 'echo done', loop: 'npm run loop', deploy: 'bash wipe.sh pg', start: 'node server.js', drop: 'rw volume delete -v pg', lint: 'eslint .' },
  }),
);
write('packages/api/package.json', JSON.stringify({ name: '@shop/api', scripts: { reset: 'psql -c "TRUNCATE orders"', lint: 'eslint .' } }));
write('hooks/package.json', JSON.stringify({ scripts: { postinstall: 'railway down', prepare: 'husky' } }));
write('prepost/package.json', JSON.stringify({ scripts: { prego: 'railway down', go: 'echo go' } }));
write('prepost/.npmrc', 'enable-pre-post-scripts=true\n');
write('broken-pkg/package.json', '{ "scripts": { "x": ');
write('node_modules/@railway/cli/bin/railway.js', '#!/usr/bin/env node\n');
mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
symlinkSync('../@railway/cli/bin/railway.js', join(root, 'node_modules/.bin/railway'));
symlinkSync('../@railway/cli/bin/railway.js', join(root, 'node_modules/.bin/rw'));
write('node_modules/eslint/bin/eslint.js', '#!/usr/bin/env node\nrequire("child_process").execSync("git status")\n');
symlinkSync('../eslint/bin/eslint.js', join(root, 'node_modules/.bin/eslint'));

const context = { cwd: root, env: { HOME: '/home/me', PATH: '/usr/bin:/bin' } };

function show(c: ShellCommand): string {
  const parts = [c.argv.map(quoteWord).join(' ')];
  if (c.cwd !== root) parts.push(`@${relative(root, c.cwd) || '.'}`);
  if (c.via.length > 0) parts.push(`via ${c.via.join(' > ')}`);
  if (c.computed !== undefined) parts.push('computed');
  return parts.join('  ');
}

function analyze(line: string, remote = false): string[] {
  const analysis = analyzeLine(line, { ...context, remote });
  const shown = analysis.commands.map(show);
  if (analysis.unparseable) shown.push(`unparseable: ${analysis.unparseable.reason}`);
  for (const u of analysis.unknown ?? []) shown.push(`unknown: ${u.reason.replaceAll(root, '.')}`);
  return shown;
}

const name = (line: string) => line.replace(/\n/g, '⏎');

describe('scripts run by path, by a shell, or sourced', () => {
  table(name, [
    ['./wipe.sh pg-data', ['set -e  via ./wipe.sh', 'cd db  via ./wipe.sh', 'railway volume delete --volume pg-data --yes  @db  via ./wipe.sh']],
    ['bash wipe.sh pg-data', ['set -e  via bash wipe.sh', 'cd db  via bash wipe.sh', 'railway volume delete --volume pg-data --yes  @db  via bash wipe.sh']],
    ['bash -x wipe.sh pg', ['set -e  via bash wipe.sh', 'cd db  via bash wipe.sh', 'railway volume delete --volume pg --yes  @db  via bash wipe.sh']],
    ['sh -e ./wipe.sh pg', ['set -e  via sh ./wipe.sh', 'cd db  via sh ./wipe.sh', 'railway volume delete --volume pg --yes  @db  via sh ./wipe.sh']],
    [`${root}/wipe.sh x`, ['set -e  via ' + `${root}/wipe.sh`, 'cd db  via ' + `${root}/wipe.sh`, 'railway volume delete --volume x --yes  @db  via ' + `${root}/wipe.sh`]],
    ['scripts/wipe', ['dropdb shop  via scripts/wipe']],
    ['scripts/wipe orders', ['dropdb orders  via scripts/wipe']],
    ['sudo -u deploy ./scripts/wipe', ['dropdb shop  via sudo > ./scripts/wipe']],
    ['cd db && ../scripts/wipe', ['cd db', 'dropdb shop  @db  via ../scripts/wipe']],
    ['./logs.sh --tail 10', ['railway logs --tail 10  via ./logs.sh']],
    ['./wipe.sh pg; railway status', ['set -e  via ./wipe.sh', 'cd db  via ./wipe.sh', 'railway volume delete --volume pg --yes  @db  via ./wipe.sh', 'railway status']],
    ['source env.sh; aws s3 ls; k delete ns prod; nuke shop', ['export AWS_PROFILE=prod  via source env.sh', 'cd db  via source env.sh', 'alias k=kubectl  @db  via source env.sh', 'aws s3 ls  @db', 'kubectl delete ns prod  @db  via alias k', 'aws s3 rm s3://shop --recursive  @db  via nuke()']],
    ['. ./env.sh && echo $AWS_PROFILE', ['export AWS_PROFILE=prod  via . ./env.sh', 'cd db  via . ./env.sh', 'alias k=kubectl  @db  via . ./env.sh', 'echo prod  @db']],
    // A script runs in a child: its export and cd do not reach the line.
    ['bash env.sh; aws s3 ls', ['export AWS_PROFILE=prod  via bash env.sh', 'cd db  via bash env.sh', 'alias k=kubectl  @db  via bash env.sh', 'aws s3 ls']],
    // A file's functions run when called, by the line, by the file itself, or by a trap it sets.
    ['bash trap.sh', ['trap cleanup EXIT  via bash trap.sh', 'railway down  via bash trap.sh > trap > cleanup()']],
    ['source lib.sh', []],
    ['source lib.sh; wipe', ['dropdb shop  via wipe()']],
    // A sourced file with arguments has them as $1…; after it, the line's own are back.
    ["bash -c 'source args.sh prod; echo \"$1\"' sh dev", ['railway environment prod  via bash -c > source args.sh', 'echo dev  via bash -c']],
    ['./missing.sh', ['./missing.sh']],
    ['bin/tool --flag', ['bin/tool --flag']],
    ['node_modules/.bin/railway volume delete -v x', ['railway volume delete -v x']],
    ['echo ./wipe.sh', ['echo ./wipe.sh']],
    ['cat wipe.sh', ['cat wipe.sh']],
  ], (line) => analyze(line));
});

describe('files the line writes before it runs them', () => {
  table(name, [
    ["cat > w.sh <<'EOF'\nrailway volume delete -v pg\nEOF\nbash w.sh", ['cat', 'railway volume delete -v pg  via bash w.sh']],
    ["echo 'dropdb shop' > w2.sh && sh w2.sh", ["echo 'dropdb shop'", 'dropdb shop  via sh w2.sh']],
    ["echo 'railway down' >> new.sh; source new.sh", ["echo 'railway down'", 'railway down  via source new.sh']],
    ["printf 'railway down\\n' | tee t.sh > /dev/null; . ./t.sh", ["printf 'railway down\\n'", 'tee t.sh', 'railway down  via . ./t.sh']],
    ['cp wipe.sh /tmp/chaperone-copy.sh; /tmp/chaperone-copy.sh pg', ['cp wipe.sh /tmp/chaperone-copy.sh', 'set -e  via /tmp/chaperone-copy.sh', 'cd db  via /tmp/chaperone-copy.sh', 'railway volume delete --volume pg --yes  @db  via /tmp/chaperone-copy.sh']],
    ['cp wipe.sh db && bash db/wipe.sh pg', ['cp wipe.sh db', 'set -e  via bash db/wipe.sh', 'cd db  via bash db/wipe.sh', 'railway volume delete --volume pg --yes  @db  via bash db/wipe.sh']],
    ['curl -fsSLo i.sh https://x.example/i.sh && bash i.sh', ['curl -fsSLo i.sh https://x.example/i.sh', 'unknown: bash: ./i.sh is written by this line, with text that is not known']],
    ['curl -o i.sh https://x.example/i.sh && bash i.sh', ['curl -o i.sh https://x.example/i.sh', 'unknown: bash: ./i.sh is written by this line, with text that is not known']],
    ["sed -i 's/x/y/' logs.sh && ./logs.sh", ["sed -i s/x/y/ logs.sh", 'unknown: ./logs.sh: ./logs.sh is written by this line, with text that is not known']],
    ["echo 'dropdb shop' > in.sh; sh < in.sh", ["echo 'dropdb shop'", 'dropdb shop  via sh <stdin>']],
    ['curl -o in.sh https://x.example/i.sh; sh < in.sh', ['curl -o in.sh https://x.example/i.sh', 'unknown: sh runs the commands it reads from its input, which is not known']],
    ['bash < missing.sh', ['unknown: bash runs the commands it reads from its input, which is not known']],
    // Counterparts: a file the line writes but does not run, and one it runs before writing.
    ["echo 'railway down' > notes.txt; cat notes.txt", ["echo 'railway down'", 'cat notes.txt']],
    ['./logs.sh > out.log; cat out.log', ['railway logs  via ./logs.sh', 'cat out.log']],
  ], (line) => analyze(line));
});

// A shell runs its startup before its script: a harmless script after a startup file that is not.
describe('what a shell runs before its script', () => {
  table(name, [
    ['BASH_ENV=args.sh bash -c true', ["railway environment '$1'  via bash startup > . args.sh", 'true  via bash -c']],
    ['export BASH_ENV=./trap.sh; bash -c ls', ['export BASH_ENV=./trap.sh', 'trap cleanup EXIT  via bash startup > . ./trap.sh', 'railway down  via bash startup > . ./trap.sh > trap > cleanup()', 'ls  via bash -c']],
    ['bash --rcfile logs.sh -i', ["railway logs '$@'  via bash startup > . logs.sh", 'bash --rcfile logs.sh -i']],
    // With no command and no script a shell reads its input, interactive on a terminal: its startup counts.
    ['bash --init-file logs.sh', ["railway logs '$@'  via bash startup > . logs.sh", 'bash --init-file logs.sh']],
    ['ENV=logs.sh sh', ["railway logs '$@'  via sh startup > . logs.sh", 'sh']],
    ['ENV=logs.sh sh -i', ["railway logs '$@'  via sh startup > . logs.sh", 'sh -i']],
    [`PROMPT_COMMAND='railway down' bash -i`, ['railway down  via bash startup', 'bash -i']],
    ["echo 'railway down' >> ~/.bashrc; bash -i -c true", ["echo 'railway down'", 'railway down  via bash startup > . /home/me/.bashrc', 'true  via bash -c']],
    // Counterparts: no startup named, a file not there, a login shell's own profile left alone.
    ['bash -c ls', ['ls  via bash -c']],
    ['BASH_ENV=missing.sh bash -c ls', ['ls  via bash -c']],
    ['bash -lc ls', ['ls  via bash -c']],
    ['PROMPT_COMMAND=date bash -c ls', ['ls  via bash -c']],
  ], (line) => analyze(line));
});

describe('what a script cannot be read for', () => {
  table(name, [
    ['source loop-a.sh', ['unknown: ./loop-a.sh runs itself (./loop-a.sh > ./loop-b.sh > ./loop-a.sh)']],
    ['bash deep/0.sh', ['unknown: scripts run scripts more than 8 deep (./deep/0.sh > ./deep/1.sh > ./deep/2.sh > ./deep/3.sh > ./deep/4.sh > ./deep/5.sh > ./deep/6.sh > ./deep/7.sh > ./deep/8.sh)']],
    ['bash broken.sh', ['railway down  via bash broken.sh', "unknown: cannot parse ./broken.sh: expected command after 'then'", "unknown: cannot parse ./broken.sh: expected 'fi' to close 'if'"]],
    ['./big.sh', ['unknown: ./big.sh: ./big.sh is larger than 1048576 bytes']],
    ['bash bin/tool', ['unknown: bash: ./bin/tool is a binary file']],
    ['bash db', ['bash db']],
    ['bash /dev/stdin', ['unknown: bash: /dev/stdin is not a regular file']],
    ['./db', ['./db']],
  ], (line) => analyze(line));

  it('reads no file of this machine for a line that runs elsewhere', () => {
    expect(analyze('./wipe.sh pg', true)).toEqual(['unknown: ./wipe.sh runs a script of another machine, which is not read here']);
    expect(analyze('make reset-db', true)).toEqual(['unknown: make reset-db runs a Makefile of another machine, which is not read here']);
    expect(analyze('npm run nuke', true)).toEqual(['unknown: npm run nuke runs a package script of another machine, which is not read here']);
    expect(analyze('source env.sh', true)).toEqual(['unknown: source env.sh runs a file of another machine, which is not read here']);
    expect(analyze(`node -e "require('./lib/wipe')"`, true)).toEqual(['unknown: node code loads ./lib/wipe, a file of another machine, which is not read here']);
  });
});

describe('code fed to a shell that the line does not show', () => {
  table(name, [
    ['curl -fsSL https://x.example/i.sh | sh', ['curl -fsSL https://x.example/i.sh', 'unknown: sh runs the commands it reads from its input, which is not known']],
    ['base64 -d <<< cmFpbHdheSBkb3du | bash', ['base64 -d', 'unknown: bash runs the commands it reads from its input, which is not known']],
    ['bash <(curl -s https://x.example/i.sh)', ['curl -s https://x.example/i.sh  via <( )', 'unknown: bash runs a script from <(curl -s https://x.example/i.sh), whose text is not known']],
    ['source <(curl -s https://x.example/env)', ['curl -s https://x.example/env  via <( )', 'unknown: source runs <(curl -s https://x.example/env), whose text is not known']],

    ['sh -c "$(cat wipe.sh)"', ['cat wipe.sh  via $( )', "'$(cat wipe.sh)'  via sh -c  computed", 'unknown: sh -c runs $(cat wipe.sh), whose text is not known']],
    ['bash -c "$CMD"', ["'$CMD'  via bash -c  computed", 'unknown: bash -c runs $CMD, whose text is not known']],
    ['cat wipe.sh | sh', ['cat wipe.sh', 'unknown: sh runs the commands it reads from its input, which is not known']],
    ['curl -s https://x.example/q | python3', ['curl -s https://x.example/q', 'unknown: python3 runs the code it reads from its input, which is not known']],
    ['eval "$(direnv export bash)"', ['direnv export bash  via $( )', "'$(direnv export bash)'  via eval  computed", 'unknown: eval runs $(direnv export bash), whose text is not known']],
    // Counterparts: the input is known, the shell reads nothing from the pipe, or a program prints its own setup.
    ['eval "$(dircolors -b ~/.dircolors)"', ['dircolors -b /home/me/.dircolors  via $( )', "'$(dircolors -b ~/.dircolors)'  via eval  computed"]],
    ['source <(kubectl completion bash)', ['kubectl completion bash  via <( )']],
    ['eval "$(ssh-agent -s)"', ['ssh-agent -s  via $( )', "'$(ssh-agent -s)'  via eval  computed"]],
    ['eval "$(pyenv init -)" && python3 -V', ['pyenv init -  via $( )', "'$(pyenv init -)'  via eval  computed", 'python3 -V']],
    ['echo "railway status" | bash', ["echo 'railway status'", 'railway status  via bash <stdin>']],
    ['bash < wipe.sh', ['set -e  via bash <stdin>', 'cd db  via bash <stdin>', "railway volume delete --volume '' --yes  @db  via bash <stdin>"]],
    ['eval "railway status"', ['railway status  via eval']],
    ['curl -s https://x.example | jq .', ['curl -s https://x.example', 'jq .']],
    ['curl -s https://x.example | bash -c "echo hi"', ['curl -s https://x.example', 'echo hi  via bash -c']],
  ], (line) => analyze(line));
});

describe('Makefile targets', () => {
  table(name, [
    ['make reset-db', ['echo stopping dev  via make stop', 'dropdb shop  via make reset-db', 'psql -c \'DROP TABLE users\'  @db  via make reset-db > make reset']],
    ['make -C db reset', ["psql -c 'DROP TABLE users'  @db  via make reset"]],
    ['make --directory=db', ["psql -c 'DROP TABLE users'  @db  via make reset"]],
    ['gmake -f ops.mk nuke', ['kubectl delete namespace prod  via gmake nuke']],
    ['make', ['railway logs --env dev  via make logs']],
    ['make logs', ['railway logs --env dev  via make logs']],
    ['make logs ENV=production', ['railway logs --env production  via make logs']],
    ['make migrate', ['psql -h db.internal -c \'select 1\' -v ON_ERROR_STOP=1  via make migrate']],
    ['make prod.dump', ['pg_dump prod  via make prod.dump']],
    ['make -n reset-db', ["psql -c 'DROP TABLE users'  @db  via make reset-db > make reset"]],
    ['make shell-out', ["'$(shell cat target)' down  via make shell-out  computed"]],
    ['make self', ['unknown: ./Makefile runs itself (./Makefile#self > ./Makefile#self)']],
    ['make -C bad', ['unknown: make -C bad: ./bad/Makefile:3: missing separator (neither a rule, a variable nor a recipe): "this is not make"']],
    ['make -f bomb.mk', ['unknown: make -f bomb.mk: ./bomb.mk expands its variables more than 100000 times']],
    ['make -f self.mk', ['unknown: make -f self.mk: ./self.mk: variable A references itself']],
    ['make no-such-target', []],
    ['make --version', ['make --version']],
    ["make --eval='x: ; railway down' x", ["unknown: make --eval=x: ; railway down x: --eval adds Makefile text that chaperone does not read"]],
    ['make -C nowhere all', ['make -C nowhere all']],
  ], (line) => analyze(line));
});

describe('package.json scripts', () => {
  table(name, [
    ['npm run nuke', ['echo about to nuke  via npm run prenuke', 'railway volume delete --volume pg-data --yes  via npm run nuke']],
    ['npm run-script nuke -- --force', ['echo about to nuke  via npm run prenuke', 'railway volume delete --volume pg-data --yes --force  via npm run nuke']],
    ['pnpm nuke', ['railway volume delete --volume pg-data --yes  via pnpm run nuke']],
    ['pnpm run nuke', ['railway volume delete --volume pg-data --yes  via pnpm run nuke']],
    ['yarn nuke', ['echo about to nuke  via yarn run prenuke', 'railway volume delete --volume pg-data --yes  via yarn run nuke']],
    ['yarn run nuke', ['echo about to nuke  via yarn run prenuke', 'railway volume delete --volume pg-data --yes  via yarn run nuke']],
    ['bun run nuke', ['echo about to nuke  via bun run prenuke', 'railway volume delete --volume pg-data --yes  via bun run nuke']],
    ['npm run deploy', ['set -e  via npm run deploy > bash wipe.sh', 'cd db  via npm run deploy > bash wipe.sh', 'railway volume delete --volume pg --yes  @db  via npm run deploy > bash wipe.sh']],
    ['npm test', ['vitest run  via npm run test', 'echo done  via npm run posttest']],
    ['npm run test', ['vitest run  via npm run test', 'echo done  via npm run posttest']],
    ['pnpm test', ['vitest run  via pnpm run test']],
    ['pnpm --dir prepost go', ['railway down  @prepost  via pnpm run prego', 'echo go  @prepost  via pnpm run go']],
    ['npm -w @shop/api run reset', ["psql -c 'TRUNCATE orders'  @packages/api  via npm run reset"]],
    ['npm run reset -w @shop/api', ["psql -c 'TRUNCATE orders'  @packages/api  via npm run reset"]],
    ['npm run reset --workspace=packages/api -- --x', ["psql -c 'TRUNCATE orders' --x  @packages/api  via npm run reset"]],
    ['pnpm --filter @shop/api reset', ["psql -c 'TRUNCATE orders'  @packages/api  via pnpm run reset"]],
    ['yarn workspace @shop/api reset', ["psql -c 'TRUNCATE orders'  @packages/api  via yarn run reset"]],
    ['cd packages/api && npm run lint', ['cd packages/api', 'eslint .  @packages/api  via npm run lint']],
    ['npm run loop', ['unknown: ./package.json runs itself (./package.json#loop > ./package.json#loop)']],
    ['npm run no-such-script', ['npm run no-such-script']],
    ['npm --prefix broken-pkg run x', ['unknown: npm --prefix broken-pkg: ./broken-pkg/package.json is not valid JSON (Unexpected end of JSON input)']],
    ['npm start', ['node server.js  via npm run start']],
    ['npm run drop', ['railway volume delete -v pg  via npm run drop > node_modules/.bin/rw (@railway/cli)']],
    ['npx rw volume delete -v pg', ['railway volume delete -v pg  via npx > node_modules/.bin/rw (@railway/cli)']],
    ['pnpm exec rw volume delete -v pg', ['railway volume delete -v pg  via pnpm exec > node_modules/.bin/rw (@railway/cli)']],
    ['pnpm rw volume delete -v pg', ['railway volume delete -v pg  via node_modules/.bin/rw (@railway/cli)']],
    ['npm run lint', ['eslint .  via npm run lint']],
    ['npx eslint .', ['eslint .  via npx']],
    ['node_modules/.bin/eslint --fix', ['node_modules/.bin/eslint --fix']],
    ['node node_modules/eslint/bin/eslint.js .', ['node node_modules/eslint/bin/eslint.js .']],
    ['rw volume delete -v pg', ['rw volume delete -v pg']],
    ['npm install', ['npm install']],
    ['cd hooks && npm ci', ['cd hooks', 'railway down  @hooks  via npm run postinstall', 'husky  @hooks  via npm run prepare']],
    ['pnpm --dir hooks install', ['railway down  @hooks  via pnpm run postinstall', 'husky  @hooks  via pnpm run prepare']],
    ['npm ls', ['npm ls']],
    ['pnpm add -D vitest', ['pnpm add -D vitest']],
  ], (line) => analyze(line));

  it('puts node_modules/.bin first on PATH, so the binary of @railway/cli is railway', () => {
    const [command] = analyzeLine('npm run nuke', context).commands.filter((c) => c.argv[0] === 'railway');
    expect(command.env.PATH?.split(':').slice(0, 1)).toEqual([join(root, 'node_modules/.bin')]);
  });
});

describe('interpreter code', () => {
  table(name, [
    ["python3 -c 'import os; os.system(\"dropdb shop\")'", ['dropdb shop  via python3 code']],
    ["python3 -c 'import subprocess; subprocess.run([\"railway\", \"down\"])'", ['railway down  via python3 code']],
    ["python -c 'import subprocess; subprocess.check_call(\"psql -c \\\"drop table x\\\"\", shell=True)'", ["psql -c 'drop table x'  via python code"]],
    ["node -e 'require(\"child_process\").execSync(\"railway down\")'", ['railway down  via node code']],
    ["node --eval \"const { spawn } = require('child_process'); spawn('railway', ['volume', 'delete', '-v', 'pg'])\"", ['railway volume delete -v pg  via node code']],
    ["ruby -e 'system(\"dropdb\", \"shop\")'", ['dropdb shop  via ruby code']],
    ["ruby -e '`railway down`'", ['railway down  via ruby code']],
    ["perl -e 'system \"dropdb shop\"'", ['dropdb shop  via perl code']],
    ["perl -E 'my $x = qx{railway down};'", ['railway down  via perl code']],
    ["deno eval 'new Deno.Command(\"railway\", { args: [\"down\"] })'", ['railway down  via deno code']],
    // Arguments that are not literals: the program's name alone says nothing of what it is asked to do.
    ["deno eval 'const a = [\"down\"]; new Deno.Command(\"railway\", { args: a })'", ['unknown: deno code names a tool or API chaperone guards in code it cannot follow']],
    ["node -e 'const a = [\"volume\", \"delete\"]; require(\"child_process\").spawnSync(\"railway\", a)'", ['unknown: node code names a tool or API chaperone guards in code it cannot follow']],
    ["node -e 'require(\"child_process\").spawn(\"sh\", process.argv.slice(1))' railway down", ['unknown: node code starts a process from values that are not known (spawn(\"sh\", process.argv.slice(1))), with a covered tool among its arguments']],
    ["node -e 'require(\"child_process\").spawnSync(\"railway\", { stdio: \"inherit\" })'", ['railway  via node code']],
    ["node -e 'require(\"child_process\").spawnSync(\"railway\", [\"status\"], { stdio: \"inherit\" })'", ['railway status  via node code']],
    ["bun -e 'Bun.spawn([\"railway\", \"down\"])'", ['railway down  via bun code']],
    ['python3 wipe.py', ['railway volume delete --volume pg  via python3 wipe.py']],
    ['./wipe.py', ['railway volume delete --volume pg  via ./wipe.py (python3)']],
    // The project's own modules, loaded by the code, are read too.
    ["node -e \"require('./lib/wipe')\"", ['railway volume delete -v pg  via node code > ./lib/wipe.js']],
    ['node lib/index.mjs', ['railway volume delete -v pg  via node lib/index.mjs > ./wipe.js']],
    ['python3 run_tasks.py', ['dropdb shop  via python3 run_tasks.py > tasks.py']],
    ["python3 -c 'import tasks; tasks.drop()'", ['dropdb shop  via python3 code > tasks.py']],
    ["python3 -c \"exec(open('tasks.py').read())\"", ['dropdb shop  via python3 code > tasks.py']],
    ["ruby -e \"require_relative './helper'\"", ['railway down  via ruby code > ./helper.rb']],
    ["perl -e 'do \"./x.pl\"'", ['dropdb shop  via perl code > ./x.pl']],
    ['node cyclic/a.js', []],
    ['python3 sneaky.py', ['unknown: ./sneaky.py names a tool or API chaperone guards in code it cannot follow']],
    ['./api.js', ['unknown: ./api.js names a tool or API chaperone guards in code it cannot follow']],
    ["python3 -c 'import os; os.system(cmd)' railway down", ['unknown: python3 code starts a process from values that are not known (os.system(cmd)), with a covered tool among its arguments']],
    ["python3 -c 'import requests; requests.delete(\"https://api.heroku.com/apps/shop\")'", ['unknown: python3 code names a tool or API chaperone guards in code it cannot follow']],
    ['./ops.awk', ['unknown: ./ops.awk is run by awk, which chaperone cannot read, and it names a tool or API chaperone guards']],
    // Counterparts: code that starts nothing guarded.
    ["python3 -c 'print(1 + 1)'", []],
    ["python3 -c 'import subprocess; subprocess.run([\"ls\", \"-la\"])'", ['ls -la  via python3 code']],
    ['python3 report.py', []],
    ["python3 -c 'scheme = \"https\"; print(scheme)'", []],
    ["python3 -c 'cmd = \"http DELETE example.com/x\"'", ['unknown: python3 code names a tool or API chaperone guards in code it cannot follow']],
    ['python3 -m pytest -q', ['python3 -m pytest -q']],
    ['python3 -m scripts.drop', ["psql -c 'drop table users'  via python3 -m scripts.drop"]],
    ['python3 -mscripts.drop', ["psql -c 'drop table users'  via python3 -m scripts.drop"]],
    ["node -e 'console.log(process.version)'", []],
    ['./tool.awk data', ['./tool.awk data']],
    ['python3 missing.py', ['python3 missing.py']],
    ['deno eval', ['deno eval']],
    ['deno eval --quiet', ['deno eval --quiet']],
    ['bun test', ['bun test']],
    ['bun install', ['bun install']],
    ['node db', ['node db']],
    // Inline code must name what it runs in literals, whatever its arguments (src/shell/process-code.ts).
    ["python3 -c 'import os; os.system(cmd)' --verbose", ['unknown: python3 code starts a process chaperone cannot read (os.system(cmd)): code given on the command line must name what it runs in literals']],
  ], (line) => analyze(line));

  it('reads a process call only when its arguments are literals', () => {
    expect(readCode('python', 'subprocess.run(["railway", verb])', 'x').unknown).toHaveLength(1);
    expect(readCode('javascript', 'exec(`railway ${verb}`)', 'x').unknown).toHaveLength(1);
    expect(readCode('ruby', 'system("railway #{verb}")', 'x').unknown).toHaveLength(1);
    expect(readCode('perl', 'system("railway $verb")', 'x').unknown).toHaveLength(1);
    expect(readCode('python', 'subprocess.run(["railway", "down"])', 'x')).toMatchObject({ runs: [{ argv: ['railway', 'down'] }], unknown: [] });
  });
});

describe('aliases, functions and computed command words', () => {
  table(name, [
    ['alias r=railway; r volume delete -v pg', ['alias r=railway', 'railway volume delete -v pg  via alias r']],
    ["shopt -s expand_aliases\nalias r='cd db && railway'\nr down", ['shopt -s expand_aliases', "alias 'r=cd db && railway'", 'cd db  via alias r', 'railway down  @db  via alias r']],
    ['alias ls="ls -la"; ls', ['alias \'ls=ls -la\'', 'ls -la  via alias ls']],
    ["alias r=railway; echo r; 'r' down", ['alias r=railway', 'echo r', 'r down']],
    ['f() { railway "$@"; }; f volume delete pg', ['railway volume delete pg  via f()']],
    ['wipe() { dropdb "$1"; }; wipe shop', ['dropdb shop  via wipe()']],
    ['$(which psql) -c "drop table x"', ['which psql  via $( )', "psql -c 'drop table x'"]],
    ['"$(type -P -a psql | tail -1)" -c x', ['type -P -a psql  via $( )', 'tail -1  via $( )', 'psql -c x']],
    ['P=$(command -v railway); $P down', ['command -v railway  via $( )', 'railway down']],
    ['"$(readlink -f "$(which railway)")" down', ['which railway  via $( ) > $( )', 'readlink -f \'$(which railway)\'  via $( )', 'railway down']],
    ['$X volume delete --volume pg', ["'$X' volume delete --volume pg  computed"]],
    ['$(pick-tool) up', ['pick-tool  via $( )', "'$(pick-tool)' up  computed"]],
    ['$PYTHON -m pytest', ["'$PYTHON' -m pytest  computed"]],
    ['X=railway; $X down', ['railway down']],
    ['$(pwd)/scripts/wipe orders', ['pwd  via $( )', 'dropdb orders  via ./scripts/wipe']],
    ['$DIR/wipe.sh pg', ['set -e  via ./wipe.sh', 'cd db  via ./wipe.sh', 'railway volume delete --volume pg --yes  @db  via ./wipe.sh']],
    ['$(npm bin)/eslint .', ['npm bin  via $( )', 'eslint .']],
  ], (line) => analyze(line));
});

describe('readers never throw, whatever the file holds', () => {
  /** mulberry32: a small deterministic PRNG. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = [
    'railway', ' down', 'psql', ' -c ', 'source ', '. ', './f.sh', 'bash ', 'make ', 'npm run ', 'x', '$(', ')', '${', '}', '$', '$$', '$@', '"', "'", '`', '\\', '\n', '\t', ' ', ':', '=', ':=', '?=', '+=', '!=', ';', '#', '%',
    'include ', 'define X\n', 'endef\n', 'ifeq', 'endif', '@', '-', '+', '{', '[', ']', ',', 'subprocess.run(', 'os.system(', 'exec(', 'system ', 'qx{', '%x(', '#{', 'f"', 'r"', '"""', 'alias r=', 'eval ', '|', '&&', '<(', '<<EOF\n', 'EOF\n',
    'python3 ', 'node ', 'deno ', 'bun ', 'perl ', 'ruby ', 'run ', ' -m', ' -c', ' -e', ' -', 'pnpm ', 'yarn ', ' -w', ' --filter', '> f.sh', 'tee f.sh', 'cp ', 'curl -o ', 'trap ',
  ];
  const texts = (seed: number, count: number) => {
    const next = random(seed);
    return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
  };
  const fuzz = join(root, 'fuzz');
  mkdirSync(fuzz, { recursive: true });

  it('scripts, sourced files, Makefiles, package.json and code', () => {
    const lines = ['bash f.sh a', 'source f.sh', './f.sh', 'make -f f.sh x', 'make -f f.sh', 'python3 f.sh', 'node f.sh', 'ruby f.sh', 'perl f.sh', 'npm run x', 'pnpm x'];
    for (const text of texts(7, 400)) {
      writeFileSync(join(fuzz, 'f.sh'), text);
      writeFileSync(join(fuzz, 'package.json'), JSON.stringify({ scripts: { x: text, prex: text } }));
      chmodSync(join(fuzz, 'f.sh'), 0o755);
      for (const line of lines) {
        let analysis: ReturnType<typeof analyzeLine> | undefined;
        expect(() => (analysis = analyzeLine(line, { ...context, cwd: fuzz })), `${line} with ${JSON.stringify(text)}`).not.toThrow();
        // Never an allow by silence: a file that names railway is either followed to a railway command or unknown.
        if (/railway down/.test(text) && !/['"`#\\]|\$\(|<<|\bdefine\b/.test(text) && line === 'bash f.sh a') {
          const seen = analysis!.commands.some((c) => c.argv[0] === 'railway') || (analysis!.unknown?.length ?? 0) > 0;
          expect(seen, JSON.stringify(text)).toBe(true);
        }
      }
    }
  });

  it('the interpreter code reader, in every language', () => {
    for (const text of texts(9, 1500)) {
      for (const language of ['python', 'javascript', 'ruby', 'perl'] as const) expect(() => readCode(language, text, 'x', undefined, ['railway']), `${language}: ${JSON.stringify(text)}`).not.toThrow();
    }
  });

  it('lines made of the same pieces', () => {
    for (const line of texts(8, 1500)) expect(() => analyzeLine(line, context), JSON.stringify(line)).not.toThrow();
  });
});
