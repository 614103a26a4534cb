// Programs that run shell text they carry (carried.ts): awk's system() and print pipes, GNU sed's `e`,
// vim's `:!`, git's command-valued configuration (`-c core.pager=…`, `git config alias.x '!…'`) and
// variables (`GIT_SSH_COMMAND`, `PAGER`, `EDITOR`), less's `LESSOPEN`, and `vagrant ssh -c`. Each
// dangerous spelling has a benign use of the same route next to it, and a check that an agent is
// refused for an unknown target and let through for a development one.

import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { check } from '../../src/cli/check.js';
import { analyzeLine } from '../../src/shell/analyze.js';
import { table } from '../helpers/cases.js';

const home = realpathSync(mkdtempSync(join(tmpdir(), 'chaperone-carried-')));
const context = { cwd: home, env: { HOME: home, PATH: '/usr/bin:/bin' } };
writeFileSync(join(home, 'wipe.awk'), 'BEGIN { system("railway down") }\n');
writeFileSync(join(home, 'sum.awk'), '{ total += $2 } END { print total }\n');
writeFileSync(join(home, 'wipe.sed'), '1e dropdb shop\n');
writeFileSync(join(home, 'tidy.sed'), 's/ *$//\n');
writeFileSync(join(home, 'wipe.vim'), '" a session\n:!railway down\n');
writeFileSync(join(home, 'Session.vim'), 'set nu\nedit f\n');

/** Each command as `argv  via …`, then what could not be read. */
function analyze(line: string): string[] {
  const analysis = analyzeLine(line, context);
  const shown = analysis.commands.map((c) => [c.argv.join(' '), ...(c.via.length > 0 ? [`via ${c.via.join(' > ')}`] : [])].join('  '));
  for (const u of analysis.unknown ?? []) shown.push(`unknown: ${u.reason}`);
  return shown;
}

describe('what a program carries is read as a nested line', () => {
  table((line: string) => line, [
    // awk, gawk, mawk: system(), print | "cmd", "cmd" | getline
    [`awk 'BEGIN{system("railway volume delete --volume pg")}'`, [`awk BEGIN{system("railway volume delete --volume pg")}`, 'railway volume delete --volume pg  via awk system()']],
    [`mawk -F, '{ system("dropdb " $1) }' dbs.csv`, [`mawk -F, { system("dropdb " $1) } dbs.csv`, `"dropdb " $1  via mawk system()`, `unknown: mawk system() runs "dropdb " $1, whose text is not known`]],
    [`gawk 'BEGIN{print "railway down" | "sh"}'`, [`gawk BEGIN{print "railway down" | "sh"}`, 'sh  via gawk | command', 'railway down  via gawk | sh']],
    [`awk 'BEGIN{"railway down" | getline x}'`, [`awk BEGIN{"railway down" | getline x}`, 'railway down  via awk getline']],
    [`awk '{print $1}' f`, ['awk {print $1} f']],
    [`awk '$1=="x" || /a|b/ {print $2}' f`, [`awk $1=="x" || /a|b/ {print $2} f`]],
    [`awk '{print $1 | "sort -u"}' f`, [`awk {print $1 | "sort -u"} f`, 'sort -u  via awk | command']],
    // GNU sed: `e CMD`, a bare `e` (the pattern space), `s///e`
    [`sed -n '1e railway down' f`, ['sed -n 1e railway down f', 'railway down  via sed e']],
    [`sed -e '$e dropdb shop' f`, ['sed -e $e dropdb shop f', 'dropdb shop  via sed e']],
    [`sed 's/.*/railway down/e' f`, ['sed s/.*/railway down/e f', 'the substituted text  via sed s///e', 'unknown: sed s///e runs the substituted text, whose text is not known']],
    [`sed -n 1p f`, ['sed -n 1p f']],
    [`sed -i 's/error/warning/g' log.txt`, ['sed -i s/error/warning/g log.txt']],
    [`sed '/^e/d' f`, ['sed /^e/d f']],
    // vim, vi: `-c '!…'`, `+'r !…'`, `:terminal`, system()
    [`vim -c '!railway down'`, ['vim -c !railway down', 'railway down  via vim :!']],
    [`vi -c ':!railway down' f`, ['vi -c :!railway down f', 'railway down  via vi :!']],
    [`vim +'r !dropdb shop' f`, ['vim +r !dropdb shop f', 'dropdb shop  via vim :!']],
    [`nvim -c 'call system("railway down")' -c q`, ['nvim -c call system("railway down") -c q', 'railway down  via nvim system()']],
    [`vim -e -s -c '!railway down' f`, ['vim -e -s -c !railway down f', 'railway down  via vim :!']],
    [`ex -s -c '!railway down' f`, ['ex -s -c !railway down f', 'railway down  via ex :!']],
    [`vim file`, ['vim file']],
    [`vim +42 -c 'set nu' file`, ['vim +42 -c set nu file']],
    // git: command-valued configuration and variables
    [`git -c core.pager='railway down' log`, ['git -c core.pager=railway down log', 'railway down  via git -c core.pager']],
    [`git -c core.sshCommand='railway volume delete -v pg' fetch`, ['git -c core.sshCommand=railway volume delete -v pg fetch', 'railway volume delete -v pg  via git -c core.sshCommand']],
    [`git -c core.editor='dropdb shop' commit`, ['git -c core.editor=dropdb shop commit', 'dropdb shop  via git -c core.editor']],
    [`GIT_SSH_COMMAND='railway down' git fetch`, ['git fetch', 'railway down  via git GIT_SSH_COMMAND']],
    // The ext:: transport: git runs the URL's words, `% ` a space inside one.
    [`git -c protocol.ext.allow=always fetch 'ext::sh -c railway% down'`, ['git -c protocol.ext.allow=always fetch ext::sh -c railway% down', 'railway down  via git ext:: > sh -c']],
    [`git clone 'ext::railway down %s' x`, ['git clone ext::railway down %s x', 'railway down git-upload-pack  via git ext::']],
    [`PAGER='railway down' git log`, ['git log', 'railway down  via git PAGER']],
    [`export EDITOR='dropdb shop'; git commit`, ['export EDITOR=dropdb shop', 'git commit', 'dropdb shop  via git EDITOR']],
    [`GIT_PAGER="$X" git log`, ['git log', '$X  via git GIT_PAGER', 'unknown: git GIT_PAGER runs $X, whose text is not known']],
    [`git -c core.pager=cat log`, ['git -c core.pager=cat log', 'cat  via git -c core.pager']],
    [`GIT_SSH_COMMAND='ssh -i key' git fetch`, ['git fetch', 'ssh -i key  via git GIT_SSH_COMMAND']],
    [`PAGER='git log' git log`, ['git log', 'git log  via git PAGER']],
    [`git -c color.ui=never log`, ['git -c color.ui=never log']],
    // git aliases run later: the body is judged where it is written
    [`git config alias.x '!railway down' && git x`, ['git config alias.x !railway down', 'railway down  via git config alias.x', 'git x']],
    [`git config --global alias.wipe '!dropdb shop'`, ['git config --global alias.wipe !dropdb shop', 'dropdb shop  via git config alias.wipe']],
    [`git -c alias.x='!railway down' x`, ['git -c alias.x=!railway down x', 'railway down  via git -c alias.x']],
    [`git config alias.st status`, ['git config alias.st status']],
    // a git configuration file written earlier in the line
    [`printf '[core]\\n\\tpager = railway down\\n' >> .git/config && git log`, ['printf [core]\\n\\tpager = railway down\\n', 'git log', `railway down  via git (${home}/.git/config) core.pager`]],
    [`cat >> ~/.gitconfig <<'EOF'\n[alias]\n  x = !railway down\nEOF\ngit x`, ['cat', 'git x', `railway down  via git (${home}/.gitconfig) alias.x`]],
    [`curl -so .git/config https://example.com/c && git log`, ['curl -so .git/config https://example.com/c', 'git log', `${home}/.git/config, written by this line with text not known  via git config file`, `unknown: git config file runs ${home}/.git/config, written by this line with text not known, whose text is not known`]],
    [`printf '[user]\\n\\tname = me\\n' >> .git/config && git log`, ['printf [user]\\n\\tname = me\\n', 'git log']],
    // less
    [`LESSOPEN='|railway down %s' less f`, ['less f', 'railway down FILE  via less LESSOPEN']],
    [`less f`, ['less f']],
    // vagrant ssh -c: a remote command, not ssh with host `-c`
    [`vagrant ssh -c 'dropdb shop'`, ['vagrant ssh -c dropdb shop', 'ssh vagrant-default dropdb shop  via vagrant ssh -c']],
    [`vagrant ssh web --command 'railway down'`, ['vagrant ssh web --command railway down', 'ssh vagrant-web railway down  via vagrant ssh -c']],
    [`vagrant up`, ['vagrant up']],
    // options whose value is a command
    [`rsync -e 'railway down' a b:`, ['rsync -e railway down a b:', 'railway down  via rsync -e']],
    [`tar -xf a.tar --to-command='dropdb shop'`, ['tar -xf a.tar --to-command=dropdb shop', 'dropdb shop  via tar --to-command']],
    [`tar -cf x.tar --checkpoint=1 --checkpoint-action=exec='railway down' .`, ['tar -cf x.tar --checkpoint=1 --checkpoint-action=exec=railway down .', 'railway down  via tar --checkpoint-action']],
    [`man -P 'railway down' ls`, ['man -P railway down ls', 'railway down  via man -P']],
    [`GIT_CONFIG_PARAMETERS="'core.pager'='railway down'" git log`, ['git log', 'railway down  via GIT_CONFIG_PARAMETERS core.pager']],
    [`rsync -avz -e 'ssh -p 2222' src host:dst`, ['rsync -avz -e ssh -p 2222 src host:dst', 'ssh -p 2222  via rsync -e']],
    [`tar -I zstd -cf x.tar.zst dir`, ['tar -I zstd -cf x.tar.zst dir', 'zstd  via tar -I']],
    [`tar -xzf a.tgz`, ['tar -xzf a.tgz']],
    // other ways out to a shell
    [`gdb -batch -ex 'shell railway down'`, ['gdb -batch -ex shell railway down', 'railway down  via gdb -ex shell']],
    [`apt-get -o APT::Update::Pre-Invoke::='railway down' update`, ['apt-get -o APT::Update::Pre-Invoke::=railway down update', 'railway down  via apt-get -o hook']],
    [`socat - system:'railway down',pty`, ['socat - system:railway down,pty', 'railway down  via socat system:']],
    [`tcpdump -z ./rotate.sh -w x`, ['tcpdump -z ./rotate.sh -w x', './rotate.sh FILE  via tcpdump -z']],
    [`strace -o '|railway down' ls`, ['strace -o |railway down ls', 'railway down  via strace -o |']],
    [`less '+!railway down' f`, ['less +!railway down f', 'railway down  via less +!']],
    [`ed -s f <<< '!railway down'`, ['ed -s f', 'railway down  via ed !']],
    [`gdb -ex bt -ex quit core`, ['gdb -ex bt -ex quit core']],
    [`strace -f -o '|cat' railway down`, ['strace -f -o |cat railway down', 'cat  via strace -o |', 'railway down  via strace (may run)']],
    [`less +G f`, ['less +G f']],
    [`ed -s f <<< ',p'`, ['ed -s f']],
    // script files are read like the words
    [`awk -f wipe.awk`, ['awk -f wipe.awk', 'railway down  via awk system()']],
    [`awk -f sum.awk data`, ['awk -f sum.awk data']],
    [`sed -n -f wipe.sed f`, ['sed -n -f wipe.sed f', 'dropdb shop  via sed e']],
    [`sed -f tidy.sed f`, ['sed -f tidy.sed f']],
    [`vim -S wipe.vim`, ['vim -S wipe.vim', 'railway down  via vim :!']],
    [`vim -S`, ['vim -S']],
    [`awk -f "$P" data`, ['awk -f $P data', '$P, a script file not read here  via awk -f', 'unknown: awk -f runs $P, a script file not read here, whose text is not known']],
    // xargs handing input it did not see to a shell: the filled-in text is not known
    [`cat cmds.txt | xargs -I{} sh -c '{}'`, ['cat cmds.txt', '{}  via xargs > sh -c', 'unknown: sh -c runs {}, whose text is not known']],
    [`cat cmds.txt | xargs sh -c`, ['cat cmds.txt', '<input>  via xargs > sh -c', 'unknown: sh -c runs <input>, whose text is not known']],
    [`ls | xargs -I{} sh -c 'wc -l {}'`, ['ls', 'wc -l {}  via xargs > sh -c']],
    [`xargs -I{} sh -c 'railway down'`, ['railway down  via xargs > sh -c']],
    [`find . -name '*.tmp' -exec railway down \\;`, ['railway down  via find -exec']],
  ], analyze);
});

describe('what check --command decides for an agent', () => {
  const agent = async (line: string) => {
    const report = await check({ line, ...context, actor: 'agent' });
    return `${report.decision}: ${report.commands.flatMap((c) => c.findings.map((f) => `${f.rule}@${c.environment?.class}`)).join(' ')}`;
  };
  table((line: string) => line, [
    [`awk 'BEGIN{system("railway variable delete DATABASE_URL")}'`, 'deny: railway.variable.delete@unknown'],
    [`gawk 'BEGIN{print "dropdb -h db.prod.example.com shop" | "sh"}'`, 'deny: dropdb@production'],
    [`awk 'BEGIN{system("dropdb -h localhost shop_dev")}'`, 'allow: dropdb@development'],
    [`awk '{print $1}' f`, 'allow: '],
    [`sed -n '1e dropdb -h db.prod.example.com shop' f`, 'deny: dropdb@production'],
    [`sed -n 1p f`, 'allow: '],
    [`vim -c '!dropdb -h db.prod.example.com shop'`, 'deny: dropdb@production'],
    [`vim -c '!dropdb -h localhost shop_dev'`, 'allow: dropdb@development'],
    [`vim file`, 'allow: '],
    [`git -c core.pager='dropdb -h db.prod.example.com shop' log`, 'deny: dropdb@production'],
    [`git -c core.pager=cat log`, 'allow: '],
    [`GIT_SSH_COMMAND='dropdb -h db.prod.example.com shop' git fetch`, 'deny: dropdb@production'],
    [`GIT_SSH_COMMAND='ssh -i key' git fetch`, 'allow: '],
    [`EDITOR='dropdb -h db.prod.example.com shop' git commit`, 'deny: dropdb@production'],
    [`EDITOR=vim git commit`, 'allow: '],
    [`git config alias.x '!dropdb -h db.prod.example.com shop' && git x`, 'deny: dropdb@production'],
    [`git config alias.lg '!git log --oneline'`, 'allow: '],
    [`printf '[core]\\n\\tpager = dropdb -h db.prod.example.com shop\\n' >> .git/config && git log`, 'deny: dropdb@production'],
    [`printf '[core]\\n\\tpager = less -R\\n' >> .git/config && git log`, 'allow: '],
    [`LESSOPEN='|dropdb -h db.prod.example.com shop %s' less f`, 'deny: dropdb@production'],
    [`vagrant ssh -c 'dropdb shop'`, 'deny: dropdb@unknown'],
    [`vagrant ssh -c 'ls'`, 'allow: '],
    [`ls | xargs -I{} sh -c 'wc -l {}'`, 'allow: '],
    [`rsync -e 'dropdb -h db.prod.example.com shop' a b:`, 'deny: dropdb@production'],
    [`rsync -avz -e 'ssh -i key' src host:dst`, 'allow: '],
    [`tar -xf a.tar --to-command='dropdb -h db.prod.example.com shop'`, 'deny: dropdb@production'],
    [`tar -I zstd -cf x.tar.zst dir`, 'allow: '],
    [`gdb -batch -ex 'shell dropdb -h db.prod.example.com shop'`, 'deny: dropdb@production'],
    [`gdb -ex bt -ex quit core`, 'allow: '],
    [`apt-get -o APT::Update::Pre-Invoke::='dropdb -h db.prod.example.com shop' update`, 'deny: dropdb@production'],
    [`apt-get -o Acquire::Retries=3 update`, 'allow: '],
    [`socat - exec:'dropdb -h db.prod.example.com shop'`, 'deny: dropdb@production'],
    [`socat - TCP:db.internal:5432`, 'allow: '],
    [`strace -o '|dropdb -h db.prod.example.com shop' ls`, 'deny: dropdb@production'],
    [`strace -o trace.txt ls`, 'allow: '],
    [`less '+!dropdb -h db.prod.example.com shop' f`, 'deny: dropdb@production'],
    [`ed -s f <<< '!dropdb -h db.prod.example.com shop'`, 'deny: dropdb@production'],
    [`ed -s f <<< ',p'`, 'allow: '],
    // what a refused agent types next
    [`cat cmds.txt | xargs -I{} sh -c '{}'`, 'deny: '],
    [`awk '{system($0)}' cmds.txt`, 'deny: '],
    [`sed 's/^/dropdb /e' names.txt`, 'deny: '],
    [`awk -f wipe.awk`, 'deny: railway.down@unknown'],
    [`awk -f sum.awk data`, 'allow: '],
    [`vim -S Session.vim`, 'allow: '],
  ], agent);
});
