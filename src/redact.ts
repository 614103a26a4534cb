// Secrets never leave chaperone: passwords in URLs and connection strings, --password values, tokens,
// cookies and Authorization headers are replaced before anything is shown or logged.

const mask = '***';
const secretWords = 'password|passwd|pwd|token|access_token|refresh_token|api_key|apikey|secret|client_secret|accountkey|sharedaccesskey|sharedaccesssignature|sig';
// The same words at the end of a longer name (`administratorLoginPassword`, `clientSecret`, `adminpassword`,
// `DB_PASSWORD`): the names cloud APIs and tools give their secrets. The short words (pwd, sig) are left
// out here, since names like `config` or `oldpwd` end in them without holding a secret.
const secretEndings = 'password|passwd|secret|token|apikey|api_key|accesskey|access_key|accountkey|account_key|privatekey|private_key';

// Every pattern runs over arguments an agent writes, so none may backtrack over its input: a scheme is
// only tried where one can start (not inside a run of scheme characters), and a run of spaces only from
// its first space. test/unit/redact.test.ts feeds each 128 KiB of the shapes that used to cost seconds.
/**
 * Each pattern with the words (lower case) it cannot match without: a pattern runs only over a text that
 * holds one of them. Most arguments (`volume`, `delete`, a bucket name) hold none, and a RegExp is
 * compiled on its first use, so a refusal compiled all nineteen for nothing. The patterns are
 * case-insensitive without the `u` flag, where only an ASCII letter matches an ASCII letter, so a match
 * always leaves its literal words in the lower-cased text (test/unit/redact.test.ts checks each pair).
 */
export const textPatterns: [RegExp, string | ((...groups: string[]) => string), string[]][] = [
  // scheme://user:password@host
  [/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi, `$1${mask}@`, ['://']],
  // scheme://TOKEN@host: a long user part with digits is a credential, not a login name like git@
  [/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)(?=[^/\s:@]*\d)[^/\s:@]{16,}@/gi, `$1${mask}@`, ['://']],
  // password=… in connection strings, query strings and forms; password:=… in httpie/xh items
  [new RegExp(`((?<![A-Za-z0-9])(?:${secretWords})|(?<=[A-Za-z0-9])(?:${secretEndings}))(\\s*:?=\\s*)('(?:\\\\.|[^'])*'|"(?:\\\\.|[^"])*"|[^\\s&;'"]+)`, 'gi'), `$1$2${mask}`, ['=']],
  // "password": "…" in JSON bodies, and "adminPassword": "…"
  [new RegExp(`("(?:${secretWords}|[A-Za-z0-9_-]*(?:${secretEndings}))"\\s*:\\s*)"(?:\\\\.|[^"\\\\])*"`, 'gi'), `$1"${mask}"`, ['"']],
  // GraphQL arguments, bare or inside a JSON string: login(token: "…"), token: \"…\"
  [new RegExp(`\\b(${secretWords})(\\s*:\\s*)"(?:\\\\.|[^"\\\\])*"`, 'gi'), `$1$2"${mask}"`, ['"']],
  [new RegExp(`\\b(${secretWords})(\\s*:\\s*)\\\\"(?:[^\\\\]|\\\\(?!"))*\\\\"`, 'gi'), `$1$2\\"${mask}\\"`, ['"']],
  // SQL: CREATE/ALTER ROLE … PASSWORD 'secret' (also E'…', $$…$$, and ''…'' inside a quoted DO body or
  // EXECUTE string); MySQL IDENTIFIED [WITH plugin] BY '…', PASSWORD('…')
  [/\b(password)(\s+)''(?!')(?:''''|[^'])*''/gi, `$1$2''${mask}''`, ['password']],
  [/\b(password)(\s+)E?'(?:''|\\.|[^'\\])*'/gi, `$1$2'${mask}'`, ['password']],
  [/\b(password)(\s+)\$([A-Za-z_]\w*)?\$[^$]*(?:\$(?!\3\$)[^$]*)*\$\3\$/gi, `$1$2'${mask}'`, ['password']],
  [/\b(identified\s+(?:with\s+\S+\s+)?by\s+)(['"])(?:\\.|(?!\2).)*\2/gi, `$1'${mask}'`, ['identified']],
  [/\b(password\s*\(\s*)(['"])(?:\\.|(?!\2).)*\2/gi, `$1'${mask}'`, ['password']],
  // Redis: AUTH [user] pass, AUTH2 user pass (MIGRATE), CONFIG SET requirepass|masterauth, ACL >pass
  [/\b(auth2\s+\S+\s+)\S+/gi, `$1${mask}`, ['auth']],
  [/\b(auth)(\s+)(?!\*\*\*)[^\n]+/gi, `$1$2${mask}`, ['auth']],
  [/\b(requirepass|masterauth)(\s+)\S+/gi, `$1$2${mask}`, ['requirepass', 'masterauth']],
  [/(\bsetuser\b)([^\n]*)/gi, (_whole, word, rest) => `${word}${rest.replace(/(\s)[>#]\S+/, `$1>${mask}`)}`, ['setuser']],
  // Credential headers, also attached to -H (`-HAuthorization: Bearer x`): the whole value goes.
  [/(authorization|proxy-authorization|x-api-key|x-auth-token|private-token|x-vault-token|project-access-token|team-access-token)(\s*[:=]\s*)(?:(bearer|basic|token|digest)\s+)?[^\s'"]+/gi, `$1$2$3 ${mask}`, ['authorization', 'x-api-key', 'x-auth-token', 'private-token', 'x-vault-token', 'access-token']],
  [/((?:set-)?cookie)(\s*:\s*)[^\n'"]+/gi, `$1$2${mask}`, ['cookie']],
  // Any other header (or `name: value` line) whose name ends in a secret's word: X-Admin-Token, Api-Key,
  // X-Client-Secret. A quoted value is left to the patterns above.
  [/(?<![A-Za-z0-9-])([A-Za-z0-9-]*(?:token|secret|password|passwd|api-?key|auth-?key|access-?key))(\s*:\s*)(?!\*\*\*)[^\s'"][^\n'"]*/gi, `$1$2${mask}`, ['token', 'secret', 'passw', 'key']],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${mask}`, ['bearer', 'basic']],
];

export function redactText(text: string): string {
  let out = text;
  let lower = out.toLowerCase();
  for (const [pattern, replacement, words] of textPatterns) {
    if (!words.some((word) => lower.includes(word))) continue;
    const next = out.replace(pattern, replacement as string);
    if (next !== out) [out, lower] = [next, next.toLowerCase()];
  }
  return out.includes(mask) ? out.replace(/(?<! ) {2,}\*\*\*/g, ` ${mask}`) : out;
}

/** Options whose value is a secret in every tool. */
// (Tested only on a word that starts with `-`: a RegExp is compiled on its first test, and most words do not.)
// A name ending in one of the words counts too (`--admin-password`, `--administrator-login-password`,
// `--adminPassword`, `--db_password`, `--sp-secret`), except a switch that turns one off (`--no-password`, psql's -w).
const secretFlag = /^-{1,2}(?!-|no-)[a-z0-9_-]*?(password|passwd|token|secret|api-key|api_key|apikey|api-token|access-key|account-key|private-key|bearer)$|^-{1,2}pass$/i;

/**
 * Options whose value is a secret in one tool only: `-u` is curl's user:password but a user name
 * elsewhere. `attached` options hide only a value written onto them (mysql's `-p` alone prompts, and
 * the word after it is the database).
 */
const secretOptionsByTool: Record<string, { spelling: string; attached?: boolean; keyValue?: boolean }[]> = {
  railway: [{ spelling: '--set', keyValue: true }],
  kubectl: [{ spelling: '--from-literal', keyValue: true }],
  gh: [{ spelling: '-b' }, { spelling: '--body' }],
  aws: [{ spelling: '--secret-string' }, { spelling: '--secret-binary' }],
  curl: [{ spelling: '-u' }, { spelling: '--user' }, { spelling: '-U' }, { spelling: '--proxy-user' }, { spelling: '-b' }, { spelling: '--cookie' }],
  wget: [{ spelling: '--http-password' }, { spelling: '--password' }],
  docker: [{ spelling: '-p' }],
  helm: [{ spelling: '--password' }],
  http: [{ spelling: '-a' }, { spelling: '--auth' }],
  https: [{ spelling: '-a' }, { spelling: '--auth' }],
  xh: [{ spelling: '-a' }, { spelling: '--auth' }],
  xhs: [{ spelling: '-a' }, { spelling: '--auth' }],
  mysql: [{ spelling: '-p', attached: true }],
  mariadb: [{ spelling: '-p', attached: true }],
  'redis-cli': [{ spelling: '-a' }, { spelling: '--pass' }, { spelling: '--askpass' }],
  mongosh: [{ spelling: '-p' }],
  mongo: [{ spelling: '-p' }],
  az: [{ spelling: '--account-key' }, { spelling: '--sas-token' }, { spelling: '--connection-string' }],
  pscale: [{ spelling: '--service-token' }],
  netlify: [{ spelling: '--auth' }],
  ntl: [{ spelling: '--auth' }],
};

/**
 * Commands whose KEY=VALUE arguments are secrets being stored (`heroku config:set DB_URL=…`, `fly
 * secrets set TOKEN=…`): from these words on, each such argument keeps its key and loses its value.
 */
const secretAssignments: Record<string, string[][]> = {
  heroku: [['config:set'], ['config:add']],
  fly: [['secrets', 'set'], ['secrets', 'import']],
  flyctl: [['secrets', 'set'], ['secrets', 'import']],
  supabase: [['secrets', 'set']],
  railway: [['variables', 'set'], ['variable', 'set'], ['variables', '--set'], ['variable', '--set']],
  vercel: [['env', 'add']],
  doctl: [['--env']],
};

const assignment = /^([A-Za-z_][A-Za-z0-9_.-]*)=/;

/** Where the words of one of the tool's secret-storing commands start, or -1. */
function assignmentsFrom(args: readonly string[], tool: string | undefined): number {
  for (const words of (tool && secretAssignments[tool]) || []) {
    let at = -1;
    for (const word of words) {
      at = args.indexOf(word, at + 1);
      if (at === -1) break;
    }
    if (at !== -1) return at;
  }
  return -1;
}

/** Redacts an argv: secret-bearing options lose their values, every argument loses embedded secrets. */
export function redactArgs(args: readonly string[], tool?: string): string[] {
  const own = (tool && secretOptionsByTool[tool]) || [];
  const storing = assignmentsFrom(args, tool);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const option = own.find((o) => o.spelling === name || o.spelling === arg);
    const attachedShort = own.find((o) => arg.length > 2 && arg.startsWith(o.spelling) && /^-[^-]$/.test(o.spelling));
    if (option?.keyValue) {
      // --set KEY=VALUE or --set=KEY=VALUE: the key may be shown, the value not
      const value = eq !== -1 && name === option.spelling ? arg.slice(eq + 1) : i + 1 < args.length ? args[i + 1] : '';
      const masked = assignment.test(value) ? value.replace(/=.*$/s, `=${mask}`) : mask;
      if (eq !== -1 && name === option.spelling) out.push(`${name}=${masked}`);
      else if (i + 1 < args.length) {
        out.push(arg, masked);
        i++;
      } else out.push(arg);
    } else if (storing !== -1 && i > storing && assignment.test(arg)) {
      out.push(arg.replace(/=.*$/s, `=${mask}`));
    } else if (arg.startsWith('-') && eq !== -1 && (secretFlag.test(name) || (option && !option.attached))) {
      out.push(`${name}=${mask}`);
    } else if (((arg.startsWith('-') && secretFlag.test(arg)) || (option && !option.attached && option.spelling === arg)) && i + 1 < args.length && !args[i + 1].startsWith('-')) {
      out.push(arg, mask);
      i++;
    } else if (attachedShort) {
      out.push(`${attachedShort.spelling}${mask}`);
    } else {
      out.push(redactText(arg));
    }
  }
  return redactInner(tool === 'redis-cli' ? redactRedisWords(out) : out, tool);
}

/**
 * A runner's argv carries another tool's command (`kubectl exec POD -- mysql -pSECRET`, `ssh HOST
 * 'redis-cli -a SECRET flushall'`): from a word naming a tool with secret options of its own, the words
 * after it are redacted as that tool's; a word holding a whole line gets the same, word by word.
 */
function redactInner(args: string[], tool: string | undefined): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const name = out[i].slice(out[i].lastIndexOf('/') + 1);
    if (name !== tool && Object.hasOwn(secretOptionsByTool, name)) {
      return [...out.slice(0, i + 1), ...redactArgs(out.slice(i + 1), name)];
    }
    if (/\s/.test(out[i])) {
      const words = out[i].split(/(\s+)/);
      const at = words.findIndex((w, j) => j % 2 === 0 && Object.hasOwn(secretOptionsByTool, w.slice(w.lastIndexOf('/') + 1)) && w !== tool);
      if (at === -1) continue;
      const inner = words.filter((_w, j) => j % 2 === 0 && j > at);
      const redacted = redactArgs(inner, words[at].slice(words[at].lastIndexOf('/') + 1));
      let k = 0;
      out[i] = words.map((w, j) => (j % 2 === 0 && j > at ? redacted[k++] : w)).join('');
    }
  }
  return out;
}

/** redis-cli's command words: what follows AUTH, a password config value, ACL passwords. */
function redactRedisWords(words: string[]): string[] {
  const out = [...words];
  for (let i = 0; i < out.length; i++) {
    const word = out[i].toLowerCase();
    if (word === 'auth') for (let j = i + 1; j < out.length; j++) out[j] = mask;
    if (word === 'auth2' && i + 2 < out.length) out[i + 2] = mask;
    if ((word === 'requirepass' || word === 'masterauth') && i + 1 < out.length) out[i + 1] = mask;
    if (word === 'setuser') for (let j = i + 1; j < out.length; j++) if (/^[>#<!]/.test(out[j])) out[j] = `${out[j][0]}${mask}`;
  }
  return out;
}
