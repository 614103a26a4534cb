// xh (`xh`, `xhs`; Rust, clap). It reads httpie's items (src/payload/items.ts) with its own rules.
//
// Grammar: `xh [OPTIONS] [METHOD] URL [ITEM …]`; options may stand anywhere. The first positional is the
// METHOD when it is letters only (then the second is the URL); `help`, `generate-completions` and
// `generate-manpages` there print and exit. Every option has a `--no-OPTION` that undoes it when it
// comes later. `-h` is --headers and `-m` --meta (in older xh, --multipart): --help and -V/--version are
// help. --offline and --curl/--curl-long build the request and send nothing.
// The body: data items (JSON, or form fields with -f/--form, --multipart), `@file`, --raw, or stdin
// when it is a pipe or a file and neither -I/--ignore-stdin nor data items are given. `xhs` and --https
// default to https://, else --default-scheme (http). --resolve HOST:ADDR sends the request elsewhere.
// Options in ~/.config/xh/config.json `default_options` come first ($XH_CONFIG_DIR moves it).
// Target: see src/payload/http.ts.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Invocation, ParsedInvocation } from '../model.js';
import { configHome } from '../context/files.js';
import { judgedRequestsOf, parsedFromRequests, resolveRequests, type Credential, type HttpRequest } from '../payload/http.js';
import { Stdin } from '../payload/input.js';
import { defaultOptions, isDataItem, requestFromItems, splitItem, stdinBody, type Item } from '../payload/items.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const xhGrammar = grammar({
  values: [
    ['--auth', '-a'], ['--auth-type', '-A'], ['--bearer'], ['--raw'], ['--default-scheme'], ['--session'],
    ['--session-read-only'], ['--output', '-o'], ['--print', '-p'], ['--history-print', '-P'], ['--pretty'],
    ['--style', '-s'], ['--format-options'], ['--response-charset'], ['--response-mime'], ['--verify'], ['--cert'],
    ['--cert-key'], ['--ssl'], ['--timeout'], ['--max-redirects'], ['--proxy'], ['--http-version'], ['--resolve'],
    ['--interface'], ['--unix-socket'],
  ],
  booleans: [
    ['--json', '-j'], ['--form', '-f'], ['--multipart'], ['--meta', '-m'], ['--headers', '-h'], ['--body', '-b'],
    ['--verbose', '-v'], ['--all'], ['--quiet', '-q'], ['--stream', '-S'], ['--download', '-d'], ['--continue', '-c'],
    ['--ignore-netrc'], ['--offline'], ['--check-status'], ['--follow', '-F'], ['--native-tls'], ['--https'],
    ['--ignore-stdin', '-I'], ['--curl'], ['--curl-long'], ['--help'], ['--version', '-V'], ['--ipv4', '-4'],
    ['--ipv6', '-6'],
  ],
});

/** First positionals that print and exit. */
const helpWords = new Set(['help', 'generate-completions', 'generate-manpages']);

function configDir(env: NodeJS.ProcessEnv): string {
  return env.XH_CONFIG_DIR ? resolvePath(env.XH_CONFIG_DIR) : join(configHome(env), 'xh');
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const args = [...defaultOptions(configDir(invocation.env)), ...invocation.args];
  const { words, flags, sequence } = readArgs(args, xhGrammar);
  // --no-OPTION undoes OPTION when it comes later.
  const last = (flag: string) => sequence.findLast(([name]) => name === flag || name === `--no-${flag.slice(2)}`);
  const on = (flag: string) => last(flag)?.[0] === flag;
  const value = (flag: string) => (on(flag) ? last(flag)![1] : undefined);
  if (on('--help') || on('--version') || helpWords.has(words[0])) return { commands: [], help: true };
  if (on('--offline') || on('--curl') || on('--curl-long') || words.length === 0) return { commands: [], help: false };

  const stdin = new Stdin(invocation.env, invocation.input);
  const hasMethod = /^[a-zA-Z]+$/.test(words[0]);
  const [url, ...itemWords] = hasMethod ? words.slice(1) : words;
  if (url === undefined) return { commands: [], help: false }; // xh: "Missing <URL>"
  const items = itemWords.map(splitItem).filter((i): i is Item => i !== undefined);
  const raw = value('--raw');
  const readsStdin = raw === undefined && !on('--ignore-stdin') && !items.some(isDataItem) && stdin.hasData();
  const rawBody = raw !== undefined ? { kind: 'text' as const, text: raw } : readsStdin ? stdinBody(stdin) : undefined;
  const hasData = items.some(isDataItem) || rawBody !== undefined;
  const mode = sequence.findLast(([name]) => ['--json', '--form', '--multipart'].includes(name))?.[0];
  const https = invocation.tool === 'xhs' || on('--https');

  const request: HttpRequest = requestFromItems({
    method: hasMethod ? words[0].toUpperCase() : hasData ? 'POST' : 'GET',
    url,
    defaultScheme: https ? 'https' : value('--default-scheme') ?? 'http',
    items,
    mode: mode === '--form' ? 'form' : mode === '--multipart' ? 'multipart' : 'json',
    ...(rawBody ? { rawBody } : {}),
    credentials: bearerOf(value),
    invocation,
    stdin,
  });
  const connectTo = resolvedHost(request.url.host, flags.get('--resolve') ?? []);
  return parsedFromRequests([connectTo ? { ...request, connectTo } : request], { flags, stdin });
}

/** --bearer TOKEN, or -A bearer -a TOKEN. */
function bearerOf(value: (flag: string) => string | undefined): Credential[] {
  const bearer = value('--bearer');
  if (bearer) return [{ secret: bearer, source: 'flag', key: '--bearer' }];
  const token = value('--auth');
  return token && value('--auth-type') === 'bearer' ? [{ secret: token, source: 'flag', key: '--auth' }] : [];
}

/** --resolve HOST:ADDRESS (or HOST:PORT:ADDRESS) for the URL's host. */
function resolvedHost(host: string, entries: string[]): HttpRequest['connectTo'] {
  for (const entry of entries.toReversed()) {
    const [name, ...rest] = entry.split(':');
    const address = rest.length >= 2 && /^\d+$/.test(rest[0]) ? rest.slice(1).join(':') : rest.join(':');
    if (name.toLowerCase() === host && address) {
      return { host: address.toLowerCase(), evidence: { source: 'flag', key: '--resolve', value: `${entry} (connects to ${address}, not ${host})` } };
    }
  }
  return undefined;
}

export const xh: Tool = {
  name: 'xh',
  parse,
  resolve: (parsed) => resolveRequests(judgedRequestsOf(parsed)),
};
