// HTTPie (`http`, `https`; Python argparse, no abbreviations). See src/payload/items.ts for its items.
//
// Grammar: `http [OPTIONS] [METHOD] URL [ITEM …]`; options may stand anywhere. With two positionals or
// more, the first is the METHOD when it is letters only (`http localhost x=1` reads "localhost" as the
// method, as httpie does); otherwise it is the URL, and the method is POST when there is data (items,
// --raw, a piped stdin), else GET. `--no-OPTION` anywhere cancels OPTION. `-h` is --headers, not
// help: --help, --manual and --version are. --offline builds the request and sends nothing.
// The body: data items (JSON, or form fields with --form/--multipart), `@file`, --raw, or stdin when it
// is a pipe or a file and neither --ignore-stdin nor data items are given. `https` defaults to https://,
// `http` to --default-scheme (http). Options in ~/.config/httpie/config.json `default_options` come
// first ($HTTPIE_CONFIG_DIR moves the directory).
// Target: see src/payload/http.ts.

import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Invocation, ParsedInvocation } from '../model.js';
import { configHome } from '../context/files.js';
import { judgedRequestsOf, parsedFromRequests, resolveRequests, type Credential } from '../payload/http.js';
import { Stdin } from '../payload/input.js';
import { defaultOptions, isDataItem, requestFromItems, splitItem, stdinBody, type Item } from '../payload/items.js';
import { grammar, readArgs } from './argv.js';
import type { Tool } from './tool.js';

const httpieGrammar = grammar({
  values: [
    ['--auth', '-a'], ['--auth-type', '-A'], ['--raw'], ['--default-scheme'], ['--session'], ['--session-read-only'],
    ['--output', '-o'], ['--print', '-p'], ['--history-print', '-P'], ['--pretty'], ['--style', '-s'],
    ['--format-options'], ['--response-charset'], ['--response-mime'], ['--verify'], ['--cert'], ['--cert-key'],
    ['--cert-key-pass'], ['--ssl'], ['--ciphers'], ['--timeout'], ['--max-redirects'], ['--max-headers'],
    ['--proxy'], ['--boundary'],
  ],
  booleans: [
    ['--json', '-j'], ['--form', '-f'], ['--multipart'], ['--compress', '-x'], ['--headers', '-h'], ['--body', '-b'],
    ['--meta', '-m'], ['--verbose', '-v'], ['--all'], ['--stream', '-S'], ['--download', '-d'], ['--continue', '-c'],
    ['--quiet', '-q'], ['--ignore-netrc'], ['--offline'], ['--follow', '-F'], ['--check-status'], ['--path-as-is'],
    ['--chunked'], ['--ignore-stdin', '-I'], ['--help'], ['--manual'], ['--version'], ['--traceback'], ['--debug'],
    ['--sorted'], ['--unsorted'],
  ],
});

function configDir(env: NodeJS.ProcessEnv): string {
  return env.HTTPIE_CONFIG_DIR ? resolvePath(env.HTTPIE_CONFIG_DIR) : join(configHome(env), 'httpie');
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const args = [...defaultOptions(configDir(invocation.env)), ...invocation.args];
  const { words, flags, sequence } = readArgs(args, httpieGrammar);
  // --no-OPTION cancels OPTION wherever it stands.
  const on = (flag: string) => flags.has(flag) && !flags.has(`--no-${flag.slice(2)}`);
  if (['--help', '--manual', '--version'].some(on)) return { commands: [], help: true };
  if (on('--offline') || words.length === 0) return { commands: [], help: false };

  const stdin = new Stdin(invocation.env, invocation.input);
  const hasMethod = words.length >= 2 && /^[a-zA-Z]+$/.test(words[0]);
  const [url, ...itemWords] = hasMethod ? words.slice(1) : words;
  const items = itemWords.map(splitItem).filter((i): i is Item => i !== undefined);
  const raw = on('--raw') ? flags.get('--raw')!.at(-1)! : undefined;
  const readsStdin = raw === undefined && !on('--ignore-stdin') && !items.some(isDataItem) && stdin.hasData();
  const rawBody = raw !== undefined ? { kind: 'text' as const, text: raw } : readsStdin ? stdinBody(stdin) : undefined;
  const hasData = items.some(isDataItem) || rawBody !== undefined;
  const mode = sequence.findLast(([name]) => ['--json', '--form', '--multipart'].includes(name))?.[0];
  const scheme = invocation.tool === 'https' ? 'https' : (on('--default-scheme') ? flags.get('--default-scheme')!.at(-1)! : 'http');

  const request = requestFromItems({
    method: hasMethod ? words[0].toUpperCase() : hasData ? 'POST' : 'GET',
    url,
    defaultScheme: scheme,
    items,
    mode: mode === '--form' ? 'form' : mode === '--multipart' ? 'multipart' : 'json',
    ...(rawBody ? { rawBody } : {}),
    credentials: bearerOf(flags, on),
    invocation,
    stdin,
  });
  return parsedFromRequests([request], { flags, stdin });
}

/** `-A bearer -a TOKEN` sends the token as a bearer token. */
function bearerOf(flags: Map<string, string[]>, on: (flag: string) => boolean): Credential[] {
  const token = on('--auth') ? flags.get('--auth')!.at(-1) : undefined;
  return token && flags.get('--auth-type')?.at(-1) === 'bearer' ? [{ secret: token, source: 'flag', key: '--auth' }] : [];
}

export const httpie: Tool = {
  name: 'httpie',
  parse,
  resolve: (parsed) => resolveRequests(judgedRequestsOf(parsed)),
};
