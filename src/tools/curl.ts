// curl (7.x/8.x). Its own option parser (tool_getparam.c), read here in argv order:
//   - long options `--name VALUE`; a unique prefix is the option (`--reque DELETE`); `--no-NAME` turns a
//     boolean off. curl rejects `--name=VALUE`; it is read as `--name VALUE` all the same (a superset);
//   - short options cluster (`-sSL`), and one that takes a value takes the rest of the word or the next
//     argument (`-XDELETE`, `-sX DELETE`);
//   - every other argument is a URL (a scheme is optional: `host/path` is http);
//   - `-:`/`--next` starts the next request, with fresh options;
//   - `-K FILE`/`--config FILE` reads options from a file (`-K -`: stdin), in curl's config syntax
//     (`name = value`, `-X DELETE`, "quoted" values); ~/.curlrc is read first unless argv starts with
//     -q/--disable;
//   - `-h`/`--help`, `-M`/`--manual`, `-V`/`--version` print and exit: never gated.
//
// The request, per URL of each group: method `-X` as given, else HEAD (-I), GET (-G), PUT (-T), POST
// (-d, --data-*, --json, -F), GET. Body: -d/--data-ascii (`@file` without CR/LF), --data-binary
// (`@file` as is), --data-raw (literal), --data-urlencode (`[name]=content`, `[name]@file`), --json,
// joined with `&` (--json with nothing); `@-` is stdin. -G moves that data to the query string. -F and
// --form-string make form fields (`<file` is the field's content). Headers: -H (`@file`: one a line).
// --connect-to and --resolve send the request somewhere the URL does not say; the target follows them.
// Target: see src/payload/http.ts.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath } from '../context/os-path.js';
import type { Evidence, Invocation, ParsedInvocation } from '../model.js';
import { configHome, homeOf } from '../context/files.js';
import {
  judgedRequestsOf,
  parsedFromRequests,
  parseUrl,
  resolveRequests,
  splitHeader,
  withQuery,
  type Credential,
  type FormField,
  type Header,
  type HttpRequest,
  type RequestBody,
} from '../payload/http.js';
import { readNamedFile, Stdin, type Bytes } from '../payload/input.js';
import { grammar } from './argv.js';
import type { Tool } from './tool.js';

const curlGrammar = grammar({
  values: [
    ['--request', '-X'], ['--url'], ['--url-query'], ['--header', '-H'], ['--proxy-header'],
    ['--data', '-d'], ['--data-ascii'], ['--data-binary'], ['--data-raw'], ['--data-urlencode'], ['--json'],
    ['--form', '-F'], ['--form-string'], ['--upload-file', '-T'], ['--config', '-K'], ['--user', '-u'],
    ['--oauth2-bearer'], ['--connect-to'], ['--resolve'], ['--proto-default'], ['--variable'],
    ['--abstract-unix-socket'], ['--alt-svc'], ['--aws-sigv4'], ['--cacert'], ['--capath'], ['--cert', '-E'],
    ['--cert-type'], ['--ciphers'], ['--connect-timeout'], ['--continue-at', '-C'], ['--cookie', '-b'],
    ['--cookie-jar', '-c'], ['--create-file-mode'], ['--crlfile'], ['--curves'], ['--delegation'],
    ['--dns-interface'], ['--dns-ipv4-addr'], ['--dns-ipv6-addr'], ['--dns-servers'], ['--doh-url'],
    ['--dump-header', '-D'], ['--ech'], ['--egd-file'], ['--engine'], ['--etag-compare'], ['--etag-save'],
    ['--expect100-timeout'], ['--ftp-account'], ['--ftp-alternative-to-user'], ['--ftp-method'],
    ['--ftp-port', '-P'], ['--ftp-ssl-ccc-mode'], ['--haproxy-clientip'], ['--happy-eyeballs-timeout-ms'],
    ['--hostpubmd5'], ['--hostpubsha256'], ['--hsts'], ['--interface'], ['--ip-tos'], ['--ipfs-gateway'],
    ['--keepalive-cnt'], ['--keepalive-time'], ['--key'], ['--key-type'], ['--knownhosts'], ['--krb'],
    ['--libcurl'], ['--limit-rate'], ['--local-port'], ['--login-options'], ['--mail-auth'], ['--mail-from'],
    ['--mail-rcpt'], ['--max-filesize'], ['--max-redirs'], ['--max-time', '-m'], ['--netrc-file'],
    ['--noproxy'], ['--output', '-o'], ['--output-dir'], ['--parallel-max'], ['--pass'], ['--pinnedpubkey'],
    ['--preproxy'], ['--proto'], ['--proto-redir'], ['--proxy', '-x'], ['--proxy-cacert'],
    ['--proxy-capath'], ['--proxy-cert'], ['--proxy-cert-type'], ['--proxy-ciphers'], ['--proxy-crlfile'],
    ['--proxy-key'], ['--proxy-key-type'], ['--proxy-pass'], ['--proxy-pinnedpubkey'],
    ['--proxy-service-name'], ['--proxy-tls13-ciphers'], ['--proxy-tlsauthtype'], ['--proxy-tlspassword'],
    ['--proxy-tlsuser'], ['--proxy-user', '-U'], ['--proxy1.0'], ['--pubkey'], ['--quote', '-Q'],
    ['--random-file'], ['--range', '-r'], ['--rate'], ['--referer', '-e'], ['--request-target'],
    ['--retry'], ['--retry-delay'], ['--retry-max-time'], ['--sasl-authzid'], ['--service-name'],
    ['--sigalgs'], ['--socks4'], ['--socks4a'], ['--socks5'], ['--socks5-gssapi-service'],
    ['--socks5-hostname'], ['--speed-limit', '-Y'], ['--speed-time', '-y'], ['--stderr'],
    ['--telnet-option', '-t'], ['--tftp-blksize'], ['--time-cond', '-z'], ['--tls-max'],
    ['--tls13-ciphers'], ['--tlsauthtype'], ['--tlspassword'], ['--tlsuser'], ['--trace'],
    ['--trace-ascii'], ['--trace-config'], ['--unix-socket'], ['--upload-flags'], ['--user-agent', '-A'],
    ['--vlan-priority'], ['--write-out', '-w'],
  ],
  booleans: [
    ['--help', '-h'], ['--manual', '-M'], ['--version', '-V'], ['--next', '-:'], ['--get', '-G'],
    ['--head', '-I'], ['--disable', '-q'], ['--append', '-a'], ['--use-ascii', '-B'], ['--fail', '-f'],
    ['--globoff', '-g'], ['--include', '-i'], ['--insecure', '-k'], ['--ipv4', '-4'], ['--ipv6', '-6'],
    ['--junk-session-cookies', '-j'], ['--list-only', '-l'], ['--location', '-L'], ['--netrc', '-n'],
    ['--no-buffer', '-N'], ['--remote-name', '-O'], ['--remote-time', '-R'], ['--remote-header-name', '-J'],
    ['--proxytunnel', '-p'], ['--show-error', '-S'], ['--silent', '-s'], ['--verbose', '-v'],
    ['--parallel', '-Z'], ['--progress-bar', '-#'], ['--http1.0', '-0'], ['--tlsv1', '-1'], ['--sslv2', '-2'],
    ['--sslv3', '-3'], ['--compressed'], ['--location-trusted'], ['--anyauth'], ['--basic'], ['--digest'],
    ['--ntlm'], ['--negotiate'], ['--http1.1'], ['--http2'], ['--http3'], ['--http3-only'],
    ['--fail-with-body'], ['--fail-early'], ['--path-as-is'], ['--raw'], ['--create-dirs'],
    ['--remote-name-all'], ['--no-progress-meter'], ['--no-keepalive'], ['--no-sessionid'],
    ['--no-clobber'], ['--remove-on-error'], ['--retry-all-errors'], ['--retry-connrefused'],
    ['--ssl'], ['--ssl-reqd'], ['--tcp-nodelay'], ['--tcp-fastopen'], ['--trace-time'], ['--xattr'],
    ['--styled-output'], ['--suppress-connect-headers'], ['--post301'], ['--post302'], ['--post303'],
    ['--form-escape'], ['--crlf'], ['--ignore-content-length'], ['--skip-existing'], ['--out-null'],
    ['--follow'], ['--ca-native'], ['--proxy-ca-native'],
  ],
});

type Token = { flag: string; value: string; expanded?: boolean } | { url: string };

/** Every long spelling, for curl's unique-prefix rule. */
const longSpellings = [...curlGrammar.values.keys(), ...curlGrammar.booleans.keys()].filter((s) => s.startsWith('--'));

function longOption(spelled: string): { name: string; takesValue: boolean; negated?: boolean; expanded?: boolean } {
  const known = (s: string) =>
    curlGrammar.values.has(s) ? { name: curlGrammar.values.get(s)!, takesValue: true } : curlGrammar.booleans.has(s) ? { name: curlGrammar.booleans.get(s)!, takesValue: false } : undefined;
  const exact = known(spelled);
  if (exact) return exact;
  if (spelled.startsWith('--no-') && curlGrammar.booleans.has(`--${spelled.slice(5)}`)) {
    return { name: curlGrammar.booleans.get(`--${spelled.slice(5)}`)!, takesValue: false, negated: true };
  }
  if (spelled.startsWith('--expand-') && curlGrammar.values.has(`--${spelled.slice(9)}`)) {
    return { name: curlGrammar.values.get(`--${spelled.slice(9)}`)!, takesValue: true, expanded: true };
  }
  const candidates = new Set(longSpellings.filter((s) => s.startsWith(spelled)).map((s) => known(s)!.name));
  if (candidates.size === 1) return known([...candidates][0])!;
  return { name: spelled, takesValue: false };
}

/** Reads argv (or a config file's options) into tokens, in order; -K files are read in place. */
function tokenize(args: readonly string[], context: Context, depth = 0): Token[] {
  const tokens: Token[] = [];
  const add = (flag: string, value: string, expanded?: boolean) => {
    if (flag === '--config' && depth < 8) tokens.push(...tokenize(readConfig(value, context), context, depth + 1));
    else tokens.push({ flag, value, ...(expanded ? { expanded } : {}) });
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const option = longOption(eq === -1 ? arg : arg.slice(0, eq));
      if (option.takesValue) add(option.name, eq !== -1 ? arg.slice(eq + 1) : (args[++i] ?? ''), option.expanded);
      else add(option.name, option.negated ? 'false' : '');
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = `-${arg[j]}`;
        const valueName = curlGrammar.values.get(short);
        if (valueName) {
          add(valueName, j + 1 < arg.length ? arg.slice(j + 1) : (args[++i] ?? ''));
          break;
        }
        add(curlGrammar.booleans.get(short) ?? short, '');
      }
    } else {
      tokens.push({ url: arg });
    }
  }
  return tokens;
}

interface Context {
  invocation: Invocation;
  stdin: Stdin;
}

/** A curl config file as the arguments it stands for. A file that cannot be read adds nothing. */
function readConfig(path: string, context: Context): string[] {
  const { cwd, env } = context.invocation;
  const read = path === '-' ? context.stdin.read() : readNamedFile(path, cwd, env);
  return read.ok ? configArgs(read.bytes.toString('utf8')) : [];
}

/** curl's config syntax: `[--]name [=|:] value`, one option a line, "quoted" values with escapes. */
export function configArgs(text: string): string[] {
  const args: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[^\s=:]+/.exec(line)?.[0] ?? '';
    let rest = line.slice(name.length).replace(/^\s*[=:]?\s*/, '');
    const option = name.startsWith('-') ? name : `--${name}`;
    let value: string | undefined;
    if (rest.startsWith('"')) {
      value = '';
      for (let i = 1; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) {
          const c = rest[++i];
          value += ({ t: '\t', n: '\n', r: '\r', v: '\v' } as Record<string, string>)[c] ?? c;
        } else value += rest[i];
      }
    } else {
      rest = /^\S*/.exec(rest)![0];
      if (rest !== '') value = rest;
    }
    args.push(option);
    if (value !== undefined) args.push(value);
  }
  return args;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The default config file: $CURL_HOME/.curlrc, $XDG_CONFIG_HOME/curlrc, ~/.curlrc, the first that exists. */
function defaultConfig(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    env.CURL_HOME && resolvePath(env.CURL_HOME, '.curlrc'),
    env.XDG_CONFIG_HOME && join(configHome(env), 'curlrc'),
    join(homeOf(env), '.curlrc'),
  ].filter((c): c is string => Boolean(c));
  return candidates.find(isFile);
}

async function parse(invocation: Invocation): Promise<ParsedInvocation> {
  const stdin = new Stdin(invocation.env, invocation.input);
  const context: Context = { invocation, stdin };
  const disabled = invocation.args[0] === '-q' || invocation.args[0] === '--disable';
  const rc = disabled ? undefined : defaultConfig(invocation.env);
  const tokens = [...(rc ? tokenize(['--config', rc], context) : []), ...tokenize(invocation.args, context)];
  const flags = new Map<string, string[]>();
  for (const t of tokens) if ('flag' in t) flags.set(t.flag, [...(flags.get(t.flag) ?? []), t.value]);
  if (['--help', '--manual', '--version'].some((f) => flags.has(f))) return { commands: [], help: true };

  const requests = groups(tokens).flatMap((group) => requestsOf(group, context));
  return parsedFromRequests(requests, { flags, stdin });
}

function groups(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if ('flag' in t && t.flag === '--next') out.push([]);
    else out.at(-1)!.push(t);
  }
  return out;
}

/** One group's options, applied to each of its URLs. */
function requestsOf(group: Token[], context: Context): HttpRequest[] {
  const options = group.filter((t): t is Extract<Token, { flag: string }> => 'flag' in t);
  const last = (flag: string) => options.findLast((o) => o.flag === flag);
  const isOn = (flag: string) => {
    const o = last(flag);
    return o !== undefined && o.value !== 'false';
  };
  const urls = [...group.flatMap((t) => ('url' in t ? [t.url] : [])), ...options.filter((o) => o.flag === '--url').map((o) => o.value)];
  const dataOptions = options.filter((o) => dataFlags.has(o.flag));
  const formOptions = options.filter((o) => o.flag === '--form' || o.flag === '--form-string');
  const get = isOn('--get');
  const method =
    last('--request')?.value ??
    (isOn('--head') ? 'HEAD' : get ? 'GET' : last('--upload-file') ? 'PUT' : dataOptions.length > 0 || formOptions.length > 0 ? 'POST' : 'GET');
  const data = dataOptions.length > 0 ? dataBody(dataOptions, context) : undefined;
  // -G moves the data to the query string; data that cannot be read stays a body nobody can read.
  const body: RequestBody | undefined = get ? (data?.kind === 'unreadable' ? data : undefined) : formOptions.length > 0 ? formBody(formOptions, context) : data;
  const headers = options.filter((o) => o.flag === '--header').flatMap((o) => headersOf(o.value, context));
  const credentials: Credential[] = options
    .filter((o) => o.flag === '--oauth2-bearer')
    .map((o) => ({ secret: o.value, source: 'flag', key: '--oauth2-bearer' }));
  const queries = options.filter((o) => o.flag === '--url-query').map((o) => o.value);
  if (get && data?.kind === 'text') queries.push(data.text);
  const scheme = last('--proto-default')?.value ?? 'http';

  return urls.map((raw) => {
    const url = withQuery(parseUrl(raw, scheme), queries);
    const connectTo = connectionOf(url.host, url.port ?? (url.scheme === 'https' ? '443' : '80'), options);
    return {
      method,
      url,
      headers,
      ...(body ? { body } : {}),
      ...(connectTo ? { connectTo } : {}),
      credentials,
    };
  });
}

const dataFlags = new Set(['--data', '--data-ascii', '--data-binary', '--data-raw', '--data-urlencode', '--json']);

/** The -d family joined as curl joins them; one part that cannot be read makes the body unreadable. */
function dataBody(parts: Extract<Token, { flag: string }>[], context: Context): RequestBody {
  let text = '';
  for (const part of parts) {
    if (part.expanded && part.value.includes('{{')) return { kind: 'unreadable', why: `${part.flag} expands {{variables}} chaperone does not read` };
    const read = dataPart(part.flag, part.value, context);
    if (!read.ok) return { kind: 'unreadable', why: `${part.flag} ${part.value}: ${read.why}` };
    text += (text !== '' && part.flag !== '--json' ? '&' : '') + read.text;
  }
  return { kind: 'text', text };
}

type Text = { ok: true; text: string } | { ok: false; why: string };

function dataPart(flag: string, value: string, context: Context): Text {
  const file = (path: string): Text => {
    const read: Bytes = path === '-' ? context.stdin.read() : readNamedFile(path, context.invocation.cwd, context.invocation.env);
    return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read;
  };
  switch (flag) {
    case '--data':
    case '--data-ascii': {
      if (!value.startsWith('@')) return { ok: true, text: value };
      const read = file(value.slice(1));
      return read.ok ? { ok: true, text: read.text.replace(/[\r\n]/g, '') } : read;
    }
    case '--data-binary':
    case '--json':
      return value.startsWith('@') ? file(value.slice(1)) : { ok: true, text: value };
    case '--data-urlencode': {
      // content, =content, name=content, @file, name@file
      const at = /^([^=@]*)@(.*)$/s.exec(value);
      if (at) {
        const read = file(at[2]);
        return read.ok ? { ok: true, text: `${at[1] ? `${at[1]}=` : ''}${encodeURIComponent(read.text)}` } : read;
      }
      const eq = value.indexOf('=');
      if (eq === -1) return { ok: true, text: encodeURIComponent(value) };
      return { ok: true, text: `${value.slice(0, eq) ? `${value.slice(0, eq)}=` : ''}${encodeURIComponent(value.slice(eq + 1))}` };
    }
    default:
      return { ok: true, text: value };
  }
}

/** -F name=value, name=@file (an upload), name=<file (the field's content); --form-string as is. */
function formBody(parts: Extract<Token, { flag: string }>[], context: Context): RequestBody {
  const fields: FormField[] = [];
  for (const part of parts) {
    const eq = part.value.indexOf('=');
    if (eq === -1) continue;
    const name = part.value.slice(0, eq);
    const content = part.value.slice(eq + 1);
    if (part.flag === '--form-string') {
      fields.push({ name, value: content });
    } else if (content.startsWith('@') || content.startsWith('<')) {
      const path = content.slice(1).replace(/;(type|filename|headers|encoder)=.*$/s, '');
      const read = path === '-' ? context.stdin.read() : readNamedFile(path, context.invocation.cwd, context.invocation.env);
      fields.push(read.ok ? { name, value: read.bytes.toString('utf8') } : { name, unreadable: `-F ${name}=${content}: ${read.why}` });
    } else {
      fields.push({ name, value: content.replace(/;(type|filename|headers|encoder)=[^;]*$/s, '') });
    }
  }
  return { kind: 'fields', fields };
}

/** -H 'Name: value', or -H @file with one header a line. */
function headersOf(value: string, context: Context): Header[] {
  if (!value.startsWith('@')) return [splitHeader(value, '-H')].filter((h): h is Header => h !== undefined);
  const path = value.slice(1);
  const read = path === '-' ? context.stdin.read() : readNamedFile(path, context.invocation.cwd, context.invocation.env);
  if (!read.ok) return [];
  return read.bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => splitHeader(line, '-H @file'))
    .filter((h): h is Header => h !== undefined);
}

/** --connect-to HOST1:PORT1:HOST2:PORT2 and --resolve [+]HOST:PORT:ADDR that apply to this host. */
function connectionOf(host: string, port: string, options: Extract<Token, { flag: string }>[]): HttpRequest['connectTo'] {
  let found: HttpRequest['connectTo'];
  const bare = (h: string) => h.toLowerCase().replace(/^\[|\]$/g, '');
  for (const o of options) {
    const parts = splitHostParts(o.value.replace(/^\+/, ''));
    let target: string | undefined;
    if (o.flag === '--connect-to' && parts.length >= 4) {
      const [h1, p1, h2] = parts;
      if ((h1 === '' || bare(h1) === bare(host)) && (p1 === '' || p1 === port) && h2 !== '') target = h2;
    } else if (o.flag === '--resolve' && parts.length >= 3) {
      const [h, p, ...rest] = parts;
      if ((h === '*' || bare(h) === bare(host)) && (p === '*' || p === port)) target = rest.join(':').split(',')[0];
    }
    if (target) {
      const evidence: Evidence = { source: 'flag', key: o.flag, value: `${o.value} (connects to ${target}, not ${host})` };
      found = { host: target.toLowerCase(), evidence };
    }
  }
  return found;
}

/** `a:1:[::1]:2` → a, 1, [::1], 2; empty fields stay (`::h:2` → '', '', h, 2). */
function splitHostParts(text: string): string[] {
  const parts = [''];
  let bracket = false;
  for (const c of text) {
    if (c === '[') bracket = true;
    if (c === ']') bracket = false;
    if (c === ':' && !bracket) parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

export const curl: Tool = {
  name: 'curl',
  parse,
  resolve: (parsed) => resolveRequests(judgedRequestsOf(parsed)),
};
