// Credentials that should never be committed: the incident began with a broadly scoped Railway token
// lying in the codebase, where an agent looking for a way past a credential error found it. Each
// detector is data: a pattern whose first capture group is the secret, and what to call it. Patterns
// have no nested quantifiers, so a long line costs linear time.

import { isLocalHost } from '../context/classify.js';
import { fingerprint } from '../tools/tool.js';

export interface SecretFinding {
  line: number;
  column: number;
  kind: string;
  /** What may be shown: the kind's public prefix, the length and a fingerprint, never the secret. */
  masked: string;
}

interface Detector {
  kind: string;
  pattern: RegExp;
  /** A public prefix that names the kind of token (`ghp_`), safe to show. */
  prefix?: number;
}

const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** `NAME=value`, `NAME: value`, `"NAME": "value"`, `export NAME='value'`. */
const assigned = (names: string, value: string) => new RegExp(`\\b(?:${names})["']?\\s*[=:]\\s*["']?(${value})`, 'g');

const detectors: Detector[] = [
  { kind: 'Railway token', pattern: assigned('RAILWAY_TOKEN|RAILWAY_API_TOKEN|RAILWAY_PROJECT_TOKEN', `${uuid}|[A-Za-z0-9_-]{32,}`) },
  { kind: 'AWS access key id', pattern: /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g, prefix: 4 },
  { kind: 'AWS secret access key', pattern: assigned('aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey', '[A-Za-z0-9/+]{40}') },
  { kind: 'GitHub token', pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b/g, prefix: 4 },
  { kind: 'GitHub fine-grained token', pattern: /\b(github_pat_[A-Za-z0-9_]{50,})/g, prefix: 11 },
  { kind: 'Heroku API key', pattern: assigned('HEROKU_API_KEY|heroku_api_key', `${uuid}|HRKU-[A-Za-z0-9_-]{20,}`) },
  { kind: 'Fly.io token', pattern: /\b((?:fo1|fm1r|fm1a|fm2)_[A-Za-z0-9_+/=-]{20,})/g, prefix: 4 },
  { kind: 'Vercel token', pattern: assigned('VERCEL_TOKEN|VERCEL_API_TOKEN', '[A-Za-z0-9_-]{24,}') },
  { kind: 'Supabase access token', pattern: /\b(sbp_[a-f0-9]{40})\b/g, prefix: 4 },
  { kind: 'Supabase service role key', pattern: assigned('SUPABASE_SERVICE_ROLE_KEY|SUPABASE_SERVICE_KEY', 'eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}') },
  { kind: 'DigitalOcean token', pattern: /\b((?:dop|doo|dor)_v1_[a-f0-9]{64})\b/g, prefix: 7 },
  { kind: 'Cloudflare API token', pattern: assigned('CLOUDFLARE_API_TOKEN|CF_API_TOKEN', '[A-Za-z0-9_-]{40}') },
  { kind: 'Neon API key', pattern: assigned('NEON_API_KEY', '[A-Za-z0-9]{40,}') },
  { kind: 'Stripe live secret key', pattern: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})/g, prefix: 8 },
  { kind: 'Slack token', pattern: /\b(xox[abprs]-[A-Za-z0-9-]{10,})/g, prefix: 5 },
  { kind: 'private key', pattern: /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |)PRIVATE KEY-----)/g },
];

/** A URL with a password, to a host that is not this machine: `postgres://app:s3cret@db.prod.example/shop`. */
const credentialUrl = /\b((?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps):\/\/[^\s:@/'"]*:([^\s@/'"]+)@([^\s/:'"?#,]+))/g;

/** Passwords that are placeholders, not secrets: `${DB_PASSWORD}`, `$PASS`, `<password>`, `***`. */
function isPlaceholder(password: string): boolean {
  return /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^>]*>|\*+|x+|\.\.\.|password|passw0rd|pass|secret|changeme|example|test|postgres|root)$/i.test(password) || password.includes('${') || password.startsWith('$');
}

export function findSecrets(text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  const starts = lineStarts(text);
  const at = (index: number, kind: string, secret: string, prefix = 0) => {
    const line = lineOf(starts, index);
    out.push({ line: line + 1, column: index - starts[line] + 1, kind, masked: mask(secret, prefix) });
  };
  for (const detector of detectors) {
    for (const match of text.matchAll(detector.pattern)) {
      const secret = match[1];
      at((match.index ?? 0) + match[0].indexOf(secret), detector.kind, secret, detector.prefix);
    }
  }
  for (const match of text.matchAll(credentialUrl)) {
    const [, url, password, host] = match;
    if (isPlaceholder(password) || isLocalHost(host)) continue;
    at((match.index ?? 0) + match[0].indexOf(url), `database URL with a password for ${host}`, password);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function mask(secret: string, prefix: number): string {
  if (secret.startsWith('-----BEGIN')) return secret;
  return `${secret.slice(0, prefix)}${'*'.repeat(4)} (${secret.length} characters, ${fingerprint(secret)})`;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line an offset falls on (binary search over line starts). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
