// GNU Wget (getopt_long: options and URLs mix freely, `--opt=value` or `--opt value`, a unique prefix of
// a long option is that option, short options cluster; `--no-OPTION` turns a boolean off).
//
// Settings, in the order wget applies them: the startup files (/etc/wgetrc, then $WGETRC or ~/.wgetrc;
// --config=FILE instead of both; --no-config for none), then the command line in order, where
// `-e COMMAND`/`--execute COMMAND` runs a wgetrc command. wgetrc commands (`method = DELETE`) ignore case,
// `-` and `_`. `-h`/`--help` and `-V`/`--version` print and exit: never gated.
// The request, for each URL (positionals, and the lines of `-i FILE`/`--input-file`, `-` for stdin):
// method --method (wget upper-cases it), else POST with --post-data/--post-file, else GET; body
// --body-data/--post-data (literal) or --body-file/--post-file (a file); headers --header.
// Target: see src/payload/http.ts.

import { join } from 'node:path';
import type { Invocation, ParsedInvocation } from '../model.js';
import { homeOf } from '../context/files.js';
import { judgedRequestsOf, parsedFromRequests, parseUrl, resolveRequests, splitHeader, type Header, type HttpRequest, type RequestBody, type RequestUrl } from '../payload/http.js';
import { readNamedFile, Stdin } from '../payload/input.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const wgetGrammar = grammar({
  values: [
    ['--method'], ['--body-data'], ['--body-file'], ['--post-data'], ['--post-file'], ['--header'], ['--execute', '-e'],
    ['--input-file', '-i'], ['--config'], ['--output-file', '-o'], ['--append-output', '-a'], ['--base', '-B'],
    ['--tries', '-t'], ['--output-document', '-O'], ['--timeout', '-T'], ['--wait', '-w'], ['--quota', '-Q'],
    ['--directory-prefix', '-P'], ['--user-agent', '-U'], ['--level', '-l'], ['--accept', '-A'], ['--reject', '-R'],
    ['--domains', '-D'], ['--include-directories', '-I'], ['--exclude-directories', '-X'], ['-n'],
    ['--report-speed'], ['--rejected-log'], ['--retry-on-http-error'], ['--start-pos'], ['--progress'],
    ['--dns-timeout'], ['--connect-timeout'], ['--read-timeout'], ['--waitretry'], ['--bind-address'],
    ['--limit-rate'], ['--restrict-file-names'], ['--prefer-family'], ['--user'], ['--password'],
    ['--use-askpass'], ['--local-encoding'], ['--remote-encoding'], ['--cut-dirs'], ['--http-user'],
    ['--http-password'], ['--default-page'], ['--compression'], ['--proxy-user'], ['--proxy-password'],
    ['--referer'], ['--load-cookies'], ['--save-cookies'], ['--secure-protocol'], ['--certificate'],
    ['--certificate-type'], ['--private-key'], ['--private-key-type'], ['--ca-certificate'], ['--ca-directory'],
    ['--crl-file'], ['--pinnedpubkey'], ['--ciphers'], ['--ftp-user'], ['--ftp-password'], ['--warc-file'],
    ['--warc-header'], ['--warc-max-size'], ['--warc-dedup'], ['--warc-tempdir'], ['--backups'],
    ['--accept-regex'], ['--reject-regex'], ['--regex-type'], ['--exclude-domains'], ['--follow-tags'],
    ['--ignore-tags'], ['--max-redirect'], ['--hsts-file'],
  ],
  booleans: [
    ['--help', '-h'], ['--version', '-V'], ['--no-config'], ['--background', '-b'], ['--debug', '-d'],
    ['--quiet', '-q'], ['--verbose', '-v'], ['--force-html', '-F'], ['--continue', '-c'], ['--timestamping', '-N'],
    ['--server-response', '-S'], ['--spider'], ['--inet4-only', '-4'], ['--inet6-only', '-6'],
    ['--force-directories', '-x'], ['--adjust-extension', '-E'], ['--recursive', '-r'], ['--convert-links', '-k'],
    ['--backup-converted', '-K'], ['--mirror', '-m'], ['--page-requisites', '-p'], ['--span-hosts', '-H'],
    ['--relative', '-L'], ['--no-check-certificate'], ['--content-on-error'], ['--auth-no-challenge'],
    ['--save-headers'], ['--ignore-length'], ['--delete-after'], ['--no-parent'],
  ],
  abbreviations: true,
});

/** wgetrc commands that change the request, by their name without case, `-` or `_`. */
const wgetrcCommands: Record<string, string> = {
  method: '--method',
  bodydata: '--body-data',
  bodyfile: '--body-file',
  postdata: '--post-data',
  postfile: '--post-file',
  header: '--header',
  input: '--input-file',
};

type Setting = [name: string, value: string];

/** `name = value` lines of a wgetrc, as the options they stand for. */
export function wgetrcSettings(text: string): Setting[] {
  const settings: Setting[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    const option = match && wgetrcCommands[match[1].toLowerCase().replace(/[-_]/g, '')];
    if (option) settings.push([option, match[2]]);
  }
  return settings;
}

function startupSettings(invocation: Invocation, flags: Map<string, string[]>): Setting[] {
  const { env, cwd } = invocation;
  if (flags.has('--no-config')) return [];
  const files = flags.has('--config')
    ? [flags.get('--config')!.at(-1)!]
    : ['/etc/wgetrc', env.WGETRC || join(homeOf(env), '.wgetrc')];
  return files.flatMap((file) => {
    const read = readNamedFile(file, cwd, env);
    return read.ok ? wgetrcSettings(read.bytes.toString('utf8')) : [];
  });
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const { words, flags, sequence } = readArgs(invocation.args, wgetGrammar);
  if (flags.has('--help') || flags.has('--version')) return { commands: [], help: true };
  const stdin = new Stdin(invocation.env, invocation.input);
  const settings = [
    ...startupSettings(invocation, flags),
    ...sequence.flatMap(([name, value]): Setting[] => (name === '--execute' ? wgetrcSettings(value) : [[name, value]])),
  ];
  const last = (name: string) => settings.findLast(([n]) => n === name)?.[1];

  const post = last('--post-data') !== undefined || last('--post-file') !== undefined;
  const method = last('--method')?.toUpperCase() ?? (post ? 'POST' : 'GET');
  const body = bodyOf(last, invocation);
  const headers: Header[] = settings.flatMap(([n, v]) => (n === '--header' ? [splitHeader(v, '--header')].filter((h): h is Header => h !== undefined) : []));
  const urls = [...words.map((word) => parseUrl(word)), ...inputUrls(last('--input-file'), invocation, stdin)];
  const requests: HttpRequest[] = urls.map((url) => ({ method, url, headers, ...(body ? { body } : {}) }));
  return parsedFromRequests(requests, { flags, stdin });
}

function bodyOf(last: (name: string) => string | undefined, invocation: Invocation): RequestBody | undefined {
  const text = last('--body-data') ?? last('--post-data');
  if (text !== undefined) return { kind: 'text', text };
  const file = last('--body-file') ?? last('--post-file');
  if (file === undefined) return undefined;
  const read = readNamedFile(file, invocation.cwd, invocation.env);
  return read.ok ? { kind: 'text', text: read.bytes.toString('utf8') } : { kind: 'unreadable', why: `--body-file ${file}: ${read.why}` };
}

/** The URLs of `-i FILE`, one a line. A file that cannot be read stands for URLs nobody knows. */
function inputUrls(file: string | undefined, invocation: Invocation, stdin: Stdin): RequestUrl[] {
  if (file === undefined) return [];
  const read = file === '-' ? stdin.read() : readNamedFile(file, invocation.cwd, invocation.env);
  if (!read.ok) return [{ scheme: 'http', host: `(the URLs in ${file})`, path: '/', query: '' }];
  return read.bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => parseUrl(line));
}

export const wget: Tool = {
  name: 'wget',
  parse,
  resolve: (parsed) => resolveRequests(judgedRequestsOf(parsed)),
};
