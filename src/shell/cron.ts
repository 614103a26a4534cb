// `crontab FILE`, `echo '* * * * * railway volume delete -y' | crontab -`: a crontab installs commands
// that cron runs later, with its own short PATH, where no shim stands. Installing one is the moment
// anything can judge them, so each entry's command is read here as the shell line cron will run.
//
// An entry is five time fields or an @keyword, then the command; lines of NAME=value set variables,
// `#` lines are comments (crontab(5)). In the command an unescaped % ends it: what follows is its
// stdin, each further % a new line of it, and `\%` is a literal %. That stdin is handed to the command
// as printf's output, so `psql%drop table t` is judged as SQL piped into psql.

import { shellQuote } from '../tools/shell-words.js';
import { readTextFile } from './files.js';
import { followed, unknownCode, type FollowContext, type Followed } from './indirect.js';
import { commandName } from './launch.js';
import { isKnown, reveal } from './words.js';

/** `crontab [-u USER] [-i] FILE|-`: what it installs; undefined when it installs nothing (-l, -r, -e…). */
export function cronFollow(argv: readonly string[], ctx: FollowContext): Followed | undefined {
  if (commandName(argv[0]) !== 'crontab') return undefined;
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    if (word === '-u') i++;
    else if (word === '-' || !word.startsWith('-')) operands.push(word);
    // -l lists, -r removes, -e opens an editor, -n/-T only check the file (cronie): nothing is installed.
    else if (/^-[a-zA-Z]*[lreTnc]/.test(word)) return undefined;
  }
  const source = operands[0] ?? '-';
  if (source === '-') {
    if (ctx.stdin !== undefined) return entries(ctx.stdin, 'crontab -');
    return ctx.stdinUnknown ? unknownCode('crontab installs the commands it reads from its input, which is not known') : undefined;
  }
  if (!isKnown(source)) return unknownCode(`crontab installs ${reveal(source)}, whose text is not known`);
  if (ctx.remote) return unknownCode(`crontab ${source} installs a file of another machine, which is not read here`);
  const read = readTextFile(ctx.cwd, source);
  if ('missing' in read) return undefined;
  if ('error' in read) return unknownCode(`crontab ${source}: ${read.error}`, read.file);
  return entries(read.text, `crontab ${source}`, read.file);
}

/** The commands of a crontab's entries, as one shell text cron's shell would run line by line. */
function entries(text: string, via: string, file?: string): Followed {
  const commands = text.split('\n').flatMap((line) => {
    const command = commandOf(line);
    return command === undefined ? [] : [command];
  });
  return followed({ texts: [{ text: commands.join('\n'), via, ...(file ? { file } : {}) }] });
}

/** The shell line an entry runs, its %-stdin piped in; undefined for a blank, comment or variable line. */
export function commandOf(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(trimmed)) return undefined;
  const match = /^@\w+\s+(.*)$/.exec(trimmed) ?? /^(?:\S+\s+){5}(.*)$/.exec(trimmed);
  if (!match) return undefined; // cron rejects the file: nothing is installed from it
  const parts: string[] = [''];
  const body = match[1];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '%') {
      parts[parts.length - 1] += '%';
      i++;
    } else if (body[i] === '%') parts.push('');
    else parts[parts.length - 1] += body[i];
  }
  const [command, ...input] = parts;
  return input.length === 0 ? command : `printf '%s\\n' ${input.map(shellQuote).join(' ')} | ${command}`;
}
