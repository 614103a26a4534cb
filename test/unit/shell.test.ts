// The shell analysis of a whole line: which simple commands it runs, each with its directory,
// environment, input and what ran it. One line per case; every form has a counterpart where the same
// words are only data (quoted text given to echo, grep, git commit -m, a heredoc to cat).
//
// A case shows each command as its argv, then `@DIR` when a `cd` moved it, `env-i`, `+NAME=value` and
// `-NAME` for the environment the line changed, `<<"…"` for the input fed to it, and `via …` for what
// ran it. The line runs in /w/app with HOME=/home/me and AWS_PROFILE=dev in its environment.

import { describe, expect, it } from 'vitest';
import { parse as shellQuote } from 'shell-quote';
import { quoteWord } from '../../src/display/describe.js';
import { analyzeLine, environmentOf, maxDepth, type ShellCommand } from '../../src/shell/analyze.js';
import { table } from '../helpers/cases.js';

const context = { cwd: '/w/app', env: { HOME: '/home/me', PATH: '/usr/bin:/bin', AWS_PROFILE: 'dev', DB_URL: 'postgres://db.prod.example/shop' } };

/** Marks a line that cannot be parsed, and whether a word of it names a covered tool. */
const unparseable = 'unparseable';
const mentionsTool = 'unparseable, mentions a covered tool';

function show(c: ShellCommand): string {
  const parts = [c.argv.map(quoteWord).join(' ')];
  if (c.cwd !== context.cwd) parts.push(`@${c.cwd}`);
  if (c.clearEnv) parts.push('env-i');
  for (const [k, v] of Object.entries(c.env)) parts.push(`+${k}=${v}`);
  for (const k of c.unset ?? []) parts.push(`-${k}`);
  if (c.stdin !== undefined) parts.push(`<<${JSON.stringify(c.stdin)}`);
  if (c.via.length > 0) parts.push(`via ${c.via.join(' > ')}`);
  return parts.join('  ');
}

function analyze(line: string): string[] {
  const analysis = analyzeLine(line, context);
  const shown = analysis.commands.map(show);
  if (analysis.unparseable) shown.push(analysis.unparseable.mentionsCoveredTool ? mentionsTool : unparseable);
  for (const u of analysis.unknown ?? []) shown.push(`unknown: ${u.reason}`);
  return shown;
}

const name = (line: string) => line.replace(/\n/g, '⏎').replace(/\t/g, '⇥');

describe('operators && || ; | & and newlines', () => {
  table(name, [
    ['railway volume delete -v pg-data --yes', ['railway volume delete -v pg-data --yes']],
    ['echo "railway volume delete -v pg-data --yes"', [`echo 'railway volume delete -v pg-data --yes'`]],
    ['railway up && aws s3 ls', ['railway up', 'aws s3 ls']],
    ['echo "railway up && aws s3 ls"', [`echo 'railway up && aws s3 ls'`]],
    ['railway up || aws s3 ls', ['railway up', 'aws s3 ls']],
    [`echo 'railway up || aws s3 ls'`, [`echo 'railway up || aws s3 ls'`]],
    ['railway up; aws s3 ls', ['railway up', 'aws s3 ls']],
    ["echo railway up\\; aws s3 ls", [`echo railway 'up;' aws s3 ls`]],
    ['railway logs | grep error', ['railway logs', 'grep error']],
    ['echo "railway logs | grep error"', [`echo 'railway logs | grep error'`]],
    ['railway logs |& tee log', ['railway logs', 'tee log']],
    [`echo 'railway logs |& tee log'`, [`echo 'railway logs |& tee log'`]],
    ['railway up & aws s3 ls', ['railway up', 'aws s3 ls']],
    ["printf '%s\\n' \"railway up & aws s3 ls\"", ["printf '%s\\n' 'railway up & aws s3 ls'"]],
    ["railway status\naws s3 ls", ['railway status', 'aws s3 ls']],
    ["git commit -m \"fix: railway status\\naws s3 ls\"", ["git commit -m 'fix: railway status\\naws s3 ls'"]],
    ['! railway down', ['railway down']],
    ['railway status # railway down', ['railway status']],
    ['echo "# railway down"', [`echo '# railway down'`]],
  ], analyze);
});

describe('subshells, groups and substitutions', () => {
  table(name, [
    ['( railway up )', ['railway up']],
    ['echo "( railway up )"', [`echo '( railway up )'`]],
    ['{ railway up; aws s3 ls; }', ['railway up', 'aws s3 ls']],
    ['echo "{ railway up; }"', [`echo '{ railway up; }'`]],
    ['echo $(railway status)', ['railway status  via $( )', `echo '$(railway status)'`]],
    [`echo '$(railway status)'`, [`echo '$(railway status)'`]],
    ['echo "now: $(aws sts get-caller-identity)"', ['aws sts get-caller-identity  via $( )', `echo 'now: $(aws sts get-caller-identity)'`]],
    ["echo \"now: \\$(aws sts get-caller-identity)\"", [`echo 'now: $(aws sts get-caller-identity)'`]],
    ['echo `kubectl get pods`', ['kubectl get pods  via $( )', "echo '`kubectl get pods`'"]],
    ["echo '`kubectl get pods`'", ["echo '`kubectl get pods`'"]],
    ['x=$(railway variables) && echo "$x"', ['railway variables  via $( )', `echo '$(railway variables)'`]],
    [`x='$(railway variables)' && echo "$x"`, [`echo '$(railway variables)'`]],
    ['diff <(aws s3 ls s3://a) <(aws s3 ls s3://b)', ['aws s3 ls s3://a  via <( )', 'aws s3 ls s3://b  via <( )', `diff '<(aws s3 ls s3://a)' '<(aws s3 ls s3://b)'`]],
    ['grep -r "<(aws s3 ls)" .', [`grep -r '<(aws s3 ls)' .`]],
    ['aws s3 rb s3://x --profile "$(cat profile.txt)"', ['cat profile.txt  via $( )', `aws s3 rb s3://x --profile '$(cat profile.txt)'`]],
    ['coproc railway logs', ['railway logs']],
    ['kubectl delete ns $(kubectl get ns -o name | grep old)', ['kubectl get ns -o name  via $( )', 'grep old  via $( )', `kubectl delete ns '$(kubectl get ns -o name | grep old)'`]],
  ], analyze);
});

describe('compound commands', () => {
  table(name, [
    ['if railway status; then railway down; else aws s3 ls; fi', ['railway status', 'railway down', 'aws s3 ls']],
    ['echo "if railway status; then railway down; fi"', [`echo 'if railway status; then railway down; fi'`]],
    ['while true; do kubectl delete pod x; sleep 1; done', ['true', 'kubectl delete pod x', 'sleep 1']],
    ['for ns in a b; do kubectl delete ns "$ns"; done', [`kubectl delete ns '$ns'`]],
    ['for x in $(aws s3 ls); do echo "$x"; done', ['aws s3 ls  via $( )', `echo '$x'`]],
    ['case "$1" in prod) railway down;; *) echo no;; esac', ['railway down', 'echo no']],
    ['[[ $(railway status) == *prod* ]] && railway down', ['railway status  via $( )', 'railway down']],
    ['f() { railway down; }; f', ['railway down  via f()']],
  ], analyze);
});

describe('environment prefixes and variables', () => {
  table(name, [
    ['AWS_PROFILE=prod aws s3 rb s3://bucket --force', ['aws s3 rb s3://bucket --force  +AWS_PROFILE=prod']],
    ['echo AWS_PROFILE=prod aws s3 rb s3://bucket', ['echo AWS_PROFILE=prod aws s3 rb s3://bucket']],
    ['AWS_PROFILE=prod', []],
    ['echo "AWS_PROFILE=prod"', ['echo AWS_PROFILE=prod']],
    ['AWS_PROFILE=prod; aws s3 ls', ['aws s3 ls  +AWS_PROFILE=prod']],
    ['X=1; aws s3 ls', ['aws s3 ls']],
    ['export AWS_PROFILE=prod && aws s3 rb s3://b', ['export AWS_PROFILE=prod', 'aws s3 rb s3://b  +AWS_PROFILE=prod']],
    ['echo "export AWS_PROFILE=prod && aws s3 rb s3://b"', [`echo 'export AWS_PROFILE=prod && aws s3 rb s3://b'`]],
    ['export REGION=eu; declare -x STAGE=prod; aws s3 ls', ['export REGION=eu', 'declare -x STAGE=prod  +REGION=eu', 'aws s3 ls  +REGION=eu  +STAGE=prod']],
    ['unset AWS_PROFILE; aws s3 ls', ['unset AWS_PROFILE', 'aws s3 ls  -AWS_PROFILE']],
    [`unset AWS_PROFILE; bash -c 'aws s3 ls'`, ['unset AWS_PROFILE', 'aws s3 ls  -AWS_PROFILE  via bash -c']],
    ['FOO=1 BAR="a b" railway up', ['railway up  +FOO=1  +BAR=a b']],
    ['PROFILE=prod; AWS_PROFILE=$PROFILE aws s3 ls', ['aws s3 ls  +AWS_PROFILE=prod']],
    ['aws s3 rb "s3://$BUCKET"', [`aws s3 rb 's3://$BUCKET'`]],
    ['aws s3 rb s3://${BUCKET:-fallback}', ["aws s3 rb 's3://${BUCKET:-fallback}'"]],
    ['aws s3 rb s3://${HOME:-fallback}', ['aws s3 rb s3:///home/me']],
    ['FLAGS="--profile prod --force"; aws s3 rb s3://x $FLAGS', ['aws s3 rb s3://x --profile prod --force']],
    ['FLAGS="--profile prod --force"; aws s3 rb s3://x "$FLAGS"', [`aws s3 rb s3://x '--profile prod --force'`]],
    ['aws s3 cp ~/backup.sql s3://x', ['aws s3 cp /home/me/backup.sql s3://x']],
    [`FOO=1 bash -c 'echo $FOO'`, ['echo 1  +FOO=1  via bash -c']],
    [`X=secret; bash -c 'echo $X'`, [`echo '$X'  via bash -c`]],
  ], analyze);
});

describe('wrappers', () => {
  table(name, [
    ['sudo railway up', ['railway up  via sudo']],
    ['echo sudo railway up', ['echo sudo railway up']],
    ['sudo -u deploy -E -- aws s3 rb s3://x', ['aws s3 rb s3://x  via sudo']],
    ['sudo -iu root FOO=1 railway down', ['railway down  +FOO=1  via sudo']],
    ['sudo -D /srv/prod railway down', ['railway down  @/srv/prod  via sudo']],
    ['sudo -l railway', ['sudo -l railway']],
    [`sudo -- sh -c 'railway down'`, ['railway down  via sudo > sh -c']],
    ['AWS_PROFILE=prod sudo -E aws s3 rb s3://x', ['aws s3 rb s3://x  +AWS_PROFILE=prod  via sudo']],
    [`sudo -E env AWS_PROFILE=prod bash -c 'aws s3 rb s3://x'`, ['aws s3 rb s3://x  +AWS_PROFILE=prod  via sudo > env > bash -c']],
    ['env AWS_PROFILE=prod aws s3 ls', ['aws s3 ls  +AWS_PROFILE=prod  via env']],
    ['env', ['env']],
    ['env -i PATH=/bin aws s3 ls', ['aws s3 ls  env-i  +PATH=/bin  via env']],
    ['AWS_PROFILE=prod env -i aws s3 ls', ['aws s3 ls  env-i  via env']],
    ['env -u AWS_PROFILE aws s3 ls', ['aws s3 ls  -AWS_PROFILE  via env']],
    ['env --unset=AWS_PROFILE -C /srv aws s3 ls', ['aws s3 ls  @/srv  -AWS_PROFILE  via env']],
    [`env -S 'AWS_PROFILE=prod aws s3 rb s3://x'`, ['aws s3 rb s3://x  +AWS_PROFILE=prod  via env']],
    // env -S's own rules: a comment at a word's start, \t a tab, an open quote taken as it stands.
    [`env -S 'aws s3 rb s3://x # AWS_PROFILE=dev'`, ['aws s3 rb s3://x  via env']],
    [`env -S 'aws\\ts3 rb "s3://x'`, ["'aws\ts3' rb s3://x  via env"]],
    ['command railway down', ['railway down  via command']],
    ['command -v railway', ['command -v railway']],
    ['exec railway down', ['railway down  via exec']],
    ['nohup railway up > log 2>&1 &', ['railway up  via nohup']],
    ['nohup echo "railway up"', [`echo 'railway up'  via nohup`]],
    ['time railway up', ['railway up  via time']],
    ['time -p railway up', ['railway up  via time']],
    ['/usr/bin/time -f %e railway up', ['railway up  via time']],
    ['nice -n 5 railway up', ['railway up  via nice']],
    ['nice -10 railway up', ['railway up  via nice']],
    ['timeout 10 railway down', ['railway down  via timeout']],
    ['timeout -s KILL -k 5 1m railway down', ['railway down  via timeout']],
    ['timeout --signal=TERM 30s psql -c "DROP TABLE x"', [`psql -c 'DROP TABLE x'  via timeout`]],
    [`echo 'timeout 5 bash -c "railway down"'`, [`echo 'timeout 5 bash -c "railway down"'`]],
    ['echo pg-data | xargs railway volume delete -v', ['echo pg-data', 'railway volume delete -v pg-data  via xargs']],
    ['echo pg-data | xargs -I{} railway volume delete -v {} --yes', ['echo pg-data', 'railway volume delete -v pg-data --yes  via xargs']],
    ["printf 'a\\0b' | xargs -0 -n1 kubectl delete ns", ["printf 'a\\0b'", 'kubectl delete ns a b  via xargs']],
    ['ls | xargs -r -P4 kubectl delete -f', ['ls', 'kubectl delete -f  via xargs']],
    ['echo railway | xargs echo', ['echo railway', 'echo railway  via xargs']],
    [`echo pg-data | xargs sh -c 'railway volume delete -v "$1"' _`, ['echo pg-data', 'railway volume delete -v pg-data  via xargs > sh -c']],
    ['watch -n 2 kubectl get pods', ['kubectl get pods  via watch']],
    [`watch -n 2 'railway status && railway logs'`, ['railway status  via watch', 'railway logs  via watch']],
    ['watch -x kubectl delete pod x', ['kubectl delete pod x  via watch']],
    ['watch echo railway down', ['echo railway down  via watch']],
    ['stdbuf -oL railway logs', ['railway logs  via stdbuf']],
    ['stdbuf -o L -e 0 railway logs', ['railway logs  via stdbuf']],
    ['ionice -c3 railway up', ['railway up  via ionice']],
    ['ionice -p 1234', ['ionice -p 1234']],
    ['doas railway down', ['railway down  via doas']],
    ['doas -u deploy railway down', ['railway down  via doas']],
    ['chronic railway up', ['railway up  via chronic']],
    ['chronic -e echo railway up', ['echo railway up  via chronic']],
    ['setsid railway up', ['railway up  via setsid']],
    ["find . -name \"*.tf\" -exec terraform destroy {} \\; -print", [`terraform destroy '{}'  via find -exec`]],
    ['runuser -u postgres -- dropdb shop', ['dropdb shop  via runuser -u']],
    [`runuser -u postgres -- psql -c 'select 1'`, [`psql -c 'select 1'  via runuser -u`]],
    [`runuser postgres -c 'dropdb shop'`, ['dropdb shop  via runuser -c']],
    ['parallel railway volume delete -v ::: pg-a pg-b', ['railway volume delete -v pg-a  via parallel', 'railway volume delete -v pg-b  via parallel']],
    [`parallel 'psql -c "DROP TABLE {}"' ::: users`, [`psql -c 'DROP TABLE users'  via parallel`]],
    // With no command, each input is a command line.
    [`parallel ::: 'railway volume delete -v pg' 'echo hi'`, ['railway volume delete -v pg  via parallel', 'echo hi  via parallel']],
    [`echo 'railway down' | parallel -j2`, ['echo \'railway down\'', 'railway down  via parallel']],
    ['parallel', ['parallel']],
    ['sem --fg railway down', ['railway down  via sem']],
    [`at now <<< 'railway down'`, ['railway down  via at']],
    ['at -l', ['at -l']],
    [`find . -name '*.tf' -print`, [`find . -name '*.tf' -print`]],
  ], analyze);
});

// Brace expansion comes before everything else: the words it makes are the command.
describe('brace expansion', () => {
  table(name, [
    ['{railway,volume,delete,--volume,pg-data}', ['railway volume delete --volume pg-data']],
    ['{railway,down}', ['railway down']],
    ['rail{way,} down', ['railway rail down']],
    ['aws s3 rb s3://prod-{backups,logs} --force', ['aws s3 rb s3://prod-backups s3://prod-logs --force']],
    ['kubectl delete ns shop-{1..3}', ['kubectl delete ns shop-1 shop-2 shop-3']],
    ['kubectl delete ns x{a,b{c,d}}', ['kubectl delete ns xa xbc xbd']],
    [`echo '{railway,down}' "{a,b}"`, [`echo '{railway,down}' '{a,b}'`]],
    ['echo {a}', ["echo '{a}'"]],
    ['mkdir -p src/{a,b}', ['mkdir -p src/a src/b']],
  ], analyze);
});

// An array the line sets gives its words back: a command hidden in one is still that command.
describe('arrays', () => {
  table(name, [
    ['a=(railway volume delete --volume pg-data); "${a[@]}"', ['railway volume delete --volume pg-data']],
    ['a=(railway); "${a[0]}" down', ['railway down']],
    ['declare -a a=(railway down); ${a[*]}', ["declare -a 'a=railway down'", 'railway down']],
    ['a=(kubectl delete); "${a[@]}" ns shop', ['kubectl delete ns shop']],
    ['a=(railway down); echo "${a[@]}"', ['echo railway down']],
    ['a=(railway status); "${a[1]}"', ['status']],
  ], analyze);
});

// Programs nobody described may run their words: read the dangerous way, beside the program itself.
describe('unknown programs in front of a covered tool', () => {
  table(name, [
    ['gosu postgres dropdb shop', ['gosu postgres dropdb shop', 'dropdb shop  via gosu (may run)']],
    ['strace -f -o /tmp/t railway down', ['strace -f -o /tmp/t railway down', 'railway down  via strace (may run)']],
    ['aws-vault exec prod -- aws s3 rb s3://x', ['aws-vault exec prod -- aws s3 rb s3://x', 'aws s3 rb s3://x  via aws-vault (may run)']],
    [`flock /tmp/l -c 'railway down'`, [`flock /tmp/l -c 'railway down'`, 'railway down  via flock (may run)']],
    [`nix-shell -p postgresql --run 'dropdb shop'`, [`nix-shell -p postgresql --run 'dropdb shop'`, 'dropdb shop  via nix-shell (may run)']],
    ['busybox railway down', ['busybox railway down', 'railway down  via busybox (may run)']],
    // words that are data: a message, a search, a manual page, an install
    [`jira issue create --summary 'railway down broke'`, [`jira issue create --summary 'railway down broke'`]],
    [`grep -r 'railway down' .`, [`grep -r 'railway down' .`]],
    ['man kubectl', ['man kubectl']],
    ['brew install railway', ['brew install railway']],
  ], analyze);
});

// The terminal-makers an agent reaches for to pass as a human: what they run is still a command.
describe('programs that give a command a terminal', () => {
  table(name, [
    [`script -qec 'kubectl delete ns shop' /dev/null`, ['kubectl delete ns shop  via script -c']],
    [`script -q -c "railway down" /dev/null`, ['railway down  via script -c']],
    [`script --command='dropdb shop' log`, ['dropdb shop  via script -c']],
    ['script -q /dev/null kubectl delete ns shop', ['kubectl delete ns shop  via script']],
    ['script typescript', ['script typescript']],
    ['unbuffer -p kubectl delete ns shop', ['kubectl delete ns shop  via unbuffer']],
    [`tmux new-session -d -s x 'kubectl delete ns shop'`, ['kubectl delete ns shop  via tmux new-session']],
    [`tmux -L sock new -d "railway down"`, ['railway down  via tmux new']],
    [`tmux send-keys -t x 'kubectl delete ns shop' Enter`, ['kubectl delete ns shop  via tmux send-keys']],
    ['tmux send-keys -t x production C-m', ['production  via tmux send-keys']],
    ['tmux ls', ['tmux ls']],
    ['screen -dmS x kubectl delete ns shop', ['kubectl delete ns shop  via screen']],
    [`screen -S x -X stuff 'railway down^M'`, ['railway down  via screen -X stuff']],
    [`expect -c 'spawn kubectl delete ns shop; expect eof'`, ['kubectl delete ns shop  via expect spawn']],
    [`expect -c 'spawn -noecho railway down\\nexpect eof'`, ['railway down  via expect spawn']],
  ], analyze);
});

describe('package runners', () => {
  table(name, [
    ['npx @railway/cli volume delete -v pg-data', ['railway volume delete -v pg-data  via npx']],
    ['npx -y @railway/cli@3.5.0 volume delete', ['railway volume delete  via npx']],
    ['npx --yes -- vercel remove my-app', ['vercel remove my-app  via npx']],
    ['npx -p @railway/cli railway down', ['railway down  via npx']],
    [`npx -c 'railway down && vercel rm x'`, ['railway down  via npx -c', 'vercel rm x  via npx -c']],
    ['npx prettier --write "railway down"', [`prettier --write 'railway down'  via npx`]],
    ['pnpm dlx vercel --prod', ['vercel --prod  via pnpm dlx']],
    ['pnpm exec railway down', ['railway down  via pnpm exec']],
    ['pnpm -C apps/web exec vercel deploy', ['vercel deploy  @/w/app/apps/web  via pnpm exec']],
    ['pnpm --dir apps/web vercel deploy', ['vercel deploy  @/w/app/apps/web  via pnpm']],
    ['pnpm vercel deploy', ['vercel deploy  via pnpm']],
    ['pnpm add vercel', ['pnpm add vercel']],
    ['yarn dlx supabase db reset', ['supabase db reset  via yarn dlx']],
    ['yarn dlx -p @railway/cli railway up', ['railway up  via yarn dlx']],
    ['yarn vercel deploy', ['vercel deploy  via yarn']],
    ['yarn --cwd apps/web vercel deploy', ['vercel deploy  @/w/app/apps/web  via yarn']],
    ['bunx supabase db reset', ['supabase db reset  via bunx']],
    ['bun x vercel --prod', ['vercel --prod  via bun x']],
    ['npm exec -- vercel remove x', ['vercel remove x  via npm exec']],
    ['npm x @railway/cli down', ['railway down  via npm exec']],
    ['npm install @railway/cli', ['npm install @railway/cli']],
    ['npx heroku apps:destroy my-app', ['heroku apps:destroy my-app  via npx']],
    ['npx vc rm my-app', ['vercel rm my-app  via npx']],
    ['cd prod && pnpm exec railway down', ['cd prod', 'railway down  @/w/app/prod  via pnpm exec']],
  ], analyze);
});

describe('paths to a covered tool', () => {
  table(name, [
    ['/usr/local/bin/aws s3 rb s3://x', ['aws s3 rb s3://x']],
    ['./node_modules/.bin/vercel deploy --prod', ['vercel deploy --prod']],
    ['../bin/railway down', ['railway down']],
    ['"/opt/homebrew/bin/kubectl" delete ns x', ['kubectl delete ns x']],
    // not railway itself, but a program nobody described may run its words (src/shell/unknown-runners.ts)
    ['/usr/local/bin/not-a-tool railway down', ['/usr/local/bin/not-a-tool railway down', 'railway down  via not-a-tool (may run)']],
  ], analyze);
});

describe('shells given a script', () => {
  table(name, [
    ['bash -c "cd prod-dir && railway volume delete -v pg-data --yes"', ['cd prod-dir  via bash -c', 'railway volume delete -v pg-data --yes  @/w/app/prod-dir  via bash -c']],
    [`bash -c 'echo "cd prod-dir && railway volume delete"'`, [`echo 'cd prod-dir && railway volume delete'  via bash -c`]],
    [`sh -c 'railway down'`, ['railway down  via sh -c']],
    [`bash -lc 'aws s3 rb s3://x'`, ['aws s3 rb s3://x  via bash -c']],
    ['bash -ec "railway down"', ['railway down  via bash -c']],
    [`zsh -c 'railway down'`, ['railway down  via zsh -c']],
    [`dash -c 'railway down; aws s3 ls'`, ['railway down  via dash -c', 'aws s3 ls  via dash -c']],
    [`bash -o pipefail -c 'railway logs | head'`, ['railway logs  via bash -c', 'head  via bash -c']],
    [`bash -c 'railway down' _ arg1`, ['railway down  via bash -c']],
    [`bash -c 'railway volume delete -v "$1" $2' name pg-data --yes`, ['railway volume delete -v pg-data --yes  via bash -c']],
    ['bash deploy.sh', ['bash deploy.sh']],
    [`bash -c "bash -c 'railway down'"`, ['railway down  via bash -c > bash -c']],
    ['bash -c "echo $(railway status)"', ['railway status  via $( )', `echo '$(railway status)'  via bash -c`]],
    [`timeout 5 bash -c 'cd prod && railway down'`, ['cd prod  via timeout > bash -c', 'railway down  @/w/app/prod  via timeout > bash -c']],
    ['eval "railway down"', ['railway down  via eval']],
    [`eval 'cd prod && railway up'; railway status`, ['cd prod  via eval', 'railway up  @/w/app/prod  via eval', 'railway status  @/w/app/prod']],
    [`trap 'railway down' EXIT; railway status`, [`trap 'railway down' EXIT`, 'railway down  via trap', 'railway status']],
    [`trap -- 'railway down' INT TERM`, [`trap -- 'railway down' INT TERM`, 'railway down  via trap']],
    [`trap 'railway down'`, [`trap 'railway down'`]],
    [`trap -p EXIT`, ['trap -p EXIT']],
    [`su - postgres -c "psql -c 'DROP DATABASE x'"`, [`psql -c 'DROP DATABASE x'  via su -c`]],
    ['su postgres -c "echo psql"', ['echo psql  via su -c']],
    [`ssh host 'railway down'`, [`ssh host 'railway down'`]],
  ], analyze);
});

describe('heredocs, here-strings and piped input', () => {
  table(name, [
    ["psql <<'EOF'\nDROP TABLE users;\nEOF", ["psql  <<\"DROP TABLE users;\\n\""]],
    ["cat <<'EOF'\nDROP TABLE users;\nEOF", ["cat  <<\"DROP TABLE users;\\n\""]],
    ["psql \"$DB_URL\" <<EOF\nDELETE FROM $TABLE;\nEOF", ["psql postgres://db.prod.example/shop  <<\"DELETE FROM $TABLE;\\n\""]],
    ["psql <<-EOF\n\tDROP TABLE x;\n\tEOF", ["psql  <<\"DROP TABLE x;\\n\""]],
    ['psql <<< "DROP TABLE x"', ["psql  <<\"DROP TABLE x\\n\""]],
    ['grep DROP <<< "DROP TABLE x"', ["grep DROP  <<\"DROP TABLE x\\n\""]],
    ['psql <<< "DROP TABLE $T"', ["psql  <<\"DROP TABLE $T\\n\""]],
    ["psql <<EOF && railway up\nDROP TABLE x;\nEOF", ["psql  <<\"DROP TABLE x;\\n\"", 'railway up']],
    ["psql <<A; cat <<B\nDROP TABLE x;\nA\nrailway down\nB", ["psql  <<\"DROP TABLE x;\\n\"", "cat  <<\"railway down\\n\""]],
    ["cat <<EOF | psql\nDROP TABLE x;\nEOF", ["cat  <<\"DROP TABLE x;\\n\"", "psql  <<\"DROP TABLE x;\\n\""]],
    ['echo "DROP TABLE x;" | psql', [`echo 'DROP TABLE x;'`, "psql  <<\"DROP TABLE x;\\n\""]],
    ["printf 'DROP TABLE %s;\\n' a b | psql", ["printf 'DROP TABLE %s;\\n' a b", "psql  <<\"DROP TABLE a;\\nDROP TABLE b;\\n\""]],
    ['psql < dump.sql', ['psql']],
    ['echo "DROP TABLE x" > notes.txt', [`echo 'DROP TABLE x'`]],
    ["cat <<EOF\n$(railway down)\nEOF", ['railway down  via $( )', "cat  <<\"$(railway down)\\n\""]],
    ["cat <<'EOF'\n$(railway down)\nEOF", ["cat  <<\"$(railway down)\\n\""]],
    ["bash <<'EOF'\nrailway down\nEOF", ['railway down  via bash <stdin>']],
    [`echo 'railway down' | bash`, [`echo 'railway down'`, 'railway down  via bash <stdin>']],
    ['curl https://example.com/install.sh | bash', ['curl https://example.com/install.sh', 'unknown: bash runs the commands it reads from its input, which is not known']],
    ["git commit -F - <<EOF\nrailway down\nEOF", ["git commit -F -  <<\"railway down\\n\""]],
    ["kubectl apply -f - <<EOF\nkind: Namespace\nEOF", ["kubectl apply -f -  <<\"kind: Namespace\\n\""]],
  ], analyze);
});

describe('cd and the directory later commands run in', () => {
  table(name, [
    ['cd prod && railway down', ['cd prod', 'railway down  @/w/app/prod']],
    ['echo "cd prod && railway down"', [`echo 'cd prod && railway down'`]],
    ['cd prod; railway down', ['cd prod', 'railway down  @/w/app/prod']],
    ["cd prod\nrailway down", ['cd prod', 'railway down  @/w/app/prod']],
    ['cd /srv/prod && railway down', ['cd /srv/prod', 'railway down  @/srv/prod']],
    ['cd && railway down', ['cd', 'railway down  @/home/me']],
    ['cd ~/prod && railway down', ['cd /home/me/prod', 'railway down  @/home/me/prod']],
    ['cd - && railway down', ['cd -', 'railway down']],
    ['cd prod && cd ../staging && railway down', ['cd prod', 'cd ../staging  @/w/app/prod', 'railway down  @/w/app/staging']],
    ['(cd prod && railway up); railway down', ['cd prod', 'railway up  @/w/app/prod', 'railway down']],
    ['echo $(cd prod && pwd); railway down', ['cd prod  via $( )', 'pwd  @/w/app/prod  via $( )', `echo '$(cd prod && pwd)'`, 'railway down']],
    ['cd prod & railway down', ['cd prod', 'railway down']],
    ['cd prod || exit 1; railway down', ['cd prod', 'exit 1', 'railway down  @/w/app/prod']],
    ['cd prod || cd staging; railway down', ['cd prod', 'cd staging', 'railway down  @/w/app/prod']],
    ['pushd prod && railway down && popd && railway up', ['pushd prod', 'railway down  @/w/app/prod', 'popd  @/w/app/prod', 'railway up']],
    ['cd "$(git rev-parse --show-toplevel)" && railway down', ['git rev-parse --show-toplevel  via $( )', `cd '$(git rev-parse --show-toplevel)'`, 'railway down  @/w/app/$(git rev-parse --show-toplevel)']],
    [`bash -c 'cd prod' && railway down`, ['cd prod  via bash -c', 'railway down']],
    [`cd prod && bash -c 'railway down'`, ['cd prod', 'railway down  @/w/app/prod  via bash -c']],
  ], analyze);
});

describe('quoted text is data, not a command', () => {
  table(name, [
    ['echo "railway volume delete"', [`echo 'railway volume delete'`]],
    ['echo railway volume delete', ['echo railway volume delete']],
    ["printf \"railway volume delete\\n\"", ["printf 'railway volume delete\\n'"]],
    ['grep "aws s3 rb" history.log', [`grep 'aws s3 rb' history.log`]],
    [`grep -e 'kubectl delete' -r .`, [`grep -e 'kubectl delete' -r .`]],
    ['git commit -m "aws s3 rb s3://x"', [`git commit -m 'aws s3 rb s3://x'`]],
    ['git log --grep="railway down"', [`git log '--grep=railway down'`]],
    ['git commit -m "$(echo railway down)"', ['echo railway down  via $( )', `git commit -m '$(echo railway down)'`]],
    [`echo 'sudo railway down'`, [`echo 'sudo railway down'`]],
    [`echo "bash -c 'railway down'"`, ["echo 'bash -c '\\''railway down'\\'''"]],
    ["cat <<'EOF'\nrailway volume delete -v pg-data\nEOF", ["cat  <<\"railway volume delete -v pg-data\\n\""]],
    [': railway down', [': railway down']],
    ['true railway down', ['true railway down']],
  ], analyze);
});

describe('lines that cannot be parsed', () => {
  table(name, [
    [`echo 'unterminated; railway down`, [`echo 'unterminated; railway down'`, mentionsTool]],
    ['echo "unterminated', ['echo unterminated', unparseable]],
    ['aws s3 ls $(', [`aws s3 ls '$('`, mentionsTool]],
    ['if true; then railway down', ['true', 'railway down', mentionsTool]],
    ['echo `unterminated', ['unterminated  via $( )', "echo '`unterminated'", unparseable]],
    [`bash -c 'echo "unterminated; railway down'`, [`echo 'unterminated; railway down'  via bash -c`, mentionsTool]],
    [`npx -c '@railway/cli down "'`, [`@railway/cli down ''  via npx -c`, mentionsTool]],
    [`/usr/local/bin/aws s3 ls 'x`, ['aws s3 ls x', mentionsTool]],
    [`pnpm dlx vercel@canary 'x`, ['vercel x  via pnpm dlx', mentionsTool]],
    [`make deploy 'x`, ['make deploy x', unparseable]],
    ["sh -c 'sh -c \"sh -c \\\"sh -c \\\\\\\"sh -c \\\\\\\\\\\\\\\"sh -c railway\\\\\\\\\\\\\\\"\\\\\\\"\\\"\"'", [mentionsTool]],
  ], analyze);
});

describe('what a command carries', () => {
  it('gives the whole ShellCommand for a cd inside bash -c', () => {
    expect(analyzeLine('sudo -E bash -c "cd prod-dir && RAILWAY_ENVIRONMENT=production railway volume delete -v pg-data --yes"', context)).toEqual({
      commands: [
        { argv: ['cd', 'prod-dir'], cwd: '/w/app', env: {}, via: ['sudo', 'bash -c'], offset: 0 },
        {
          argv: ['railway', 'volume', 'delete', '-v', 'pg-data', '--yes'],
          cwd: '/w/app/prod-dir',
          env: { RAILWAY_ENVIRONMENT: 'production' },
          via: ['sudo', 'bash -c'],
          offset: 0,
          after: [0],
        },
      ],
    });
  });

  it('gives the environment a command runs with, from the one the line was given', () => {
    const [aws] = analyzeLine('env -u AWS_PROFILE REGION=eu aws s3 ls', context).commands;
    expect(environmentOf(aws, context.env)).toEqual({ HOME: '/home/me', PATH: '/usr/bin:/bin', DB_URL: 'postgres://db.prod.example/shop', REGION: 'eu' });
    const [cleared] = analyzeLine('env -i PATH=/bin aws s3 ls', context).commands;
    expect(environmentOf(cleared, context.env)).toEqual({ PATH: '/bin' });
  });

  it('says why a line is unparseable', () => {
    expect(analyzeLine(`echo 'unterminated; railway down`, context).unparseable).toEqual({ reason: 'unterminated single quote', mentionsCoveredTool: true });
    expect(analyzeLine('echo "unterminated', context).unparseable).toEqual({ reason: 'unterminated double quote', mentionsCoveredTool: false });
  });

  it(`follows shell text ${maxDepth} levels deep and no deeper, counting the depth it is given`, () => {
    const nested = (levels: number) => Array.from({ length: levels }).reduce<string>((inner) => `sh -c ${quoteWord(inner)}`, 'railway down');
    expect(analyzeLine(nested(maxDepth), context)).toEqual({ commands: [{ argv: ['railway', 'down'], cwd: '/w/app', env: {}, via: Array(maxDepth).fill('sh -c'), offset: 0 }] });
    expect(analyzeLine(nested(maxDepth + 1), context)).toEqual({
      commands: [],
      unparseable: { reason: `shell text nested more than ${maxDepth} levels deep (${Array(maxDepth + 1).fill('sh -c').join(' > ')})`, mentionsCoveredTool: true },
    });
    expect(analyzeLine(nested(1), { ...context, depth: maxDepth - 1 }).commands).toHaveLength(1);
    expect(analyzeLine(nested(1), { ...context, depth: maxDepth }).unparseable?.mentionsCoveredTool).toBe(true);
  });

  it('runs a function where it is called, and one that is never called where it was defined', () => {
    expect(analyze('f() { railway down; }; cd prod && f')).toEqual(['cd prod', 'railway down  @/w/app/prod  via f()']);
    expect(analyze('f() { railway down; }; cd prod')).toEqual(['cd prod', 'railway down  via f()']);
    expect(analyze('f() { f; railway down; }; f')).toEqual(['railway down  via f()']);
  });
});

// shell-quote (already a dependency) splits words; it does not parse the shell. These are the lines it
// gets wrong, which is why the analyzer uses a real parser (see the comment atop src/shell/analyze.ts).
describe('shell-quote is not enough', () => {
  const words = (line: string) => shellQuote(line).map((t) => (typeof t === 'string' ? t : 'op' in t ? t.op : '?'));

  it('reads a heredoc body as more commands', () => {
    const line = "cat <<'EOF'\nrailway volume delete -v pg-data\nEOF";
    expect(words(line)).toEqual(['cat', '<<', 'EOF', 'railway', 'volume', 'delete', '-v', 'pg-data', 'EOF']);
    expect(analyze(line)).toEqual(['cat  <<"railway volume delete -v pg-data\\n"']);
  });

  it('splits a command substitution at the quotes inside it', () => {
    const line = 'echo "a $(railway volume delete -v "pg data") b"';
    expect(words(line)).toEqual(['echo', 'a $(railway volume delete -v pg', 'data) b']);
    expect(analyze(line)).toEqual([`railway volume delete -v 'pg data'  via $( )`, `echo 'a $(railway volume delete -v "pg data") b'`]);
  });

  it('does not know backticks or a backslash-newline', () => {
    expect(words('echo `railway down`')).toEqual(['echo', '`railway', 'down`']);
    expect(words('railway volume \\\ndelete')).toEqual(['railway', 'volume', '', 'delete']);
    expect(analyze('railway volume \\\ndelete')).toEqual(['railway volume delete']);
  });
});
