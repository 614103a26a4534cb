// Secrets never leave chaperone: passwords in URLs and connection strings, --password values, tokens
// and Authorization headers are replaced before anything is shown or logged.

const mask = '***';

const textPatterns: [RegExp, string][] = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi, `$1${mask}@`],
  // scheme://TOKEN@host: a long user part with digits is a credential, not a login name like git@
  [/([a-z][a-z0-9+.-]*:\/\/)(?=[^/\s:@]*\d)[^/\s:@]{16,}@/gi, `$1${mask}@`],
  // password=... in key=value connection strings and query strings
  [/\b(password|passwd|pwd|token|access_token|api_key|apikey|secret)(\s*=\s*)('(?:\\.|[^'])*'|[^\s&;'"]+)/gi, `$1$2${mask}`],
  // SQL: CREATE/ALTER ROLE … PASSWORD 'secret'
  [/\b(password)(\s+)'(?:''|[^'])*'/gi, `$1$2'${mask}'`],
  // Authorization: <scheme> <credentials>, and bare Bearer/Basic/Token credentials
  [/\b(authorization|proxy-authorization|x-api-key|project-access-token|team-access-token)(\s*[:=]\s*)(?:(bearer|basic|token)\s+)?[^\s'"]+/gi, `$1$2$3 ${mask}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${mask}`],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of textPatterns) out = out.replace(pattern, replacement);
  return out.replace(/ {2,}\*\*\*/g, ` ${mask}`);
}

const secretFlag = /^-{1,2}(password|passwd|pass|token|kube-token|api-key|apikey|api-token|secret|client-secret|auth-token|access-token|oauth2-bearer)$/i;

/** Redacts an argv: secret-bearing flags lose their values, every argument loses embedded secrets. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq !== -1 && secretFlag.test(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${mask}`);
    } else if (secretFlag.test(arg) && i + 1 < args.length && !args[i + 1].startsWith("-")) {
      out.push(arg, mask);
      i++;
    } else {
      out.push(redactText(arg));
    }
  }
  return out;
}
