// AWS CLI parameters that carry a structure, read so that a rule can name a member of one.
//
// Some calls are harmless or fatal by what a structure says: `put-bucket-versioning
// --versioning-configuration Status=Suspended`, `update-continuous-backups
// --point-in-time-recovery-specification '{"PointInTimeRecoveryEnabled": false}'`, a lifecycle file whose
// rules expire current objects. The CLI takes such a value as shorthand (`Key=Value,Key={Sub=v}`), as
// JSON, or from `file://PATH` / `fileb://PATH`; whichever it is, each member becomes a flag of its own,
// dotted: `--versioning-configuration.Status` = `Suspended`, `--lifecycle-configuration.Rules.Expiration.Days`
// = `30` (list elements share their parent's name). `true`/`false` are written in lower case, as the CLI
// reads them in any case.
//
// `--cli-input-json` / `--cli-input-yaml` carry the whole request; each top-level member becomes the
// option the CLI would have read (`BackupRetentionPeriod: 0` → `--backup-retention-period 0`,
// `DeletionProtection: false` → `--no-deletion-protection`), so the same rules apply to it.
//
// Only the parameters below are read: a file:// on any other option may be a large archive. One that
// cannot be read or parsed becomes `--unreadable-parameter NAME`, which a rule gates (fail closed; the
// CLI itself would refuse most of them).

import { resolvePath } from '../context/os-path.js';
import { homeOf, readTextIfExists } from '../context/files.js';

/** Parameters whose structure the rules read. */
export const structuredParameters = new Set([
  '--versioning-configuration',
  '--lifecycle-configuration',
  '--point-in-time-recovery-specification',
  '--disable-api-termination',
  // AWS Backup: a plan's rules (update-backup-plan) and a recovery point's lifecycle.
  '--backup-plan',
  '--lifecycle',
]);
const requestParameters = new Set(['--cli-input-json', '--cli-input-yaml']);

/** Integer options whose value a rule compares (`--backup-retention-period=0`): `00` and `+0` are 0 too. */
const integerParameters = new Set(['--backup-retention-period', '--snapshot-retention-limit', '--automated-snapshot-retention-period']);

const maxFileBytes = 4 * 1024 * 1024;

type Flags = Map<string, string[]>;

/** Adds the members of every structured parameter to `flags`, in place. */
export async function readStructuredParameters(flags: Flags, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (const [name, values] of [...flags]) {
    if (!structuredParameters.has(name) && !requestParameters.has(name)) continue;
    for (const raw of values) {
      // Given bare, a boolean structure (`--disable-api-termination`) is simply on.
      if (raw === '') continue;
      const value = await decode(raw, name, cwd, env);
      if (value === undefined) {
        add('--unreadable-parameter', name);
      } else if (requestParameters.has(name)) {
        if (!isObject(value)) add('--unreadable-parameter', name);
        else for (const [key, member] of Object.entries(value)) addRequestMember(key, member, add);
      } else {
        flatten(name, value, add);
      }
    }
  }
  // Read after the request members, which may carry them too.
  for (const [name, values] of [...flags]) {
    if (integerParameters.has(name)) flags.set(name, values.map((v) => (/^\s*[+-]?\d+\s*$/.test(v) ? String(Number.parseInt(v, 10)) : v)));
  }
}

/** A top-level member of --cli-input-json, as the option the CLI would have read. */
function addRequestMember(key: string, value: unknown, add: (name: string, value: string) => void): void {
  const option = `--${optionName(key)}`;
  if (value === true) add(option, '');
  else if (value === false) add(`--no-${optionName(key)}`, '');
  else flatten(option, value, add);
}

/** botocore's xform_name with dashes: `DBInstanceIdentifier` → `db-instance-identifier`. */
export function optionName(key: string): string {
  return key
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

function flatten(prefix: string, value: unknown, add: (name: string, value: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(prefix, item, add);
  } else if (isObject(value)) {
    add(prefix, '');
    for (const [key, member] of Object.entries(value)) flatten(`${prefix}.${key}`, member, add);
  } else if (value !== null && value !== undefined) {
    const text = String(value);
    add(prefix, /^(true|false)$/i.test(text) ? text.toLowerCase() : text);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of a parameter as the CLI reads it: file:// contents, then JSON, YAML or shorthand. */
async function decode(raw: string, name: string, cwd: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  let text = raw;
  const file = /^(?:file|fileb):\/\/(.*)$/s.exec(raw)?.[1];
  if (file !== undefined) {
    const path = resolvePath(cwd, file.startsWith('~/') ? `${homeOf(env)}${file.slice(1)}` : file);
    try {
      // A regular file only: `file:///dev/stdin` would take aws's own input, a FIFO would hang.
      const read = readTextIfExists(path, maxFileBytes);
      if (read === undefined) return undefined;
      text = read;
    } catch {
      return undefined;
    }
  }
  if (name === '--cli-input-yaml') {
    const loaded = await import('yaml');
    const { parse } = ((loaded as { default?: unknown }).default ?? loaded) as typeof import('yaml');
    try {
      return parse(text);
    } catch {
      return undefined;
    }
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // The CLI tries shorthand next; `{Sub=v}` is not JSON.
    }
  }
  return readShorthand(trimmed);
}

/**
 * The CLI's shorthand syntax (awscli/shorthand.py): `Key=Value,Key2=Value2`, values that are `{…}`
 * structures, `[…]` lists, quoted strings, or bare words (a bare word runs to the next `,` that starts
 * another `Key=`). Undefined when it does not parse.
 */
export function readShorthand(text: string): Record<string, unknown> | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(`shorthand: unexpected input at ${at}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const key = (): string => {
    space();
    const match = /^[^=,{}[\]\s]+/.exec(text.slice(at));
    if (!match) fail();
    at += match![0].length;
    space();
    if (text[at] !== '=') fail();
    at++;
    return match![0].trim();
  };
  const quoted = (): string => {
    const quote = text[at++];
    let out = '';
    while (at < text.length && text[at] !== quote) {
      if (text[at] === '\\' && at + 1 < text.length) at++;
      out += text[at++];
    }
    if (text[at] !== quote) fail();
    at++;
    return out;
  };
  // A bare value stops at a closing bracket or at a comma that starts the next `Key=` (or ends a list item).
  const bare = (inList: boolean): string => {
    let out = '';
    while (at < text.length) {
      const c = text[at];
      if (c === '}' || c === ']') break;
      if (c === ',' && (inList || /^,\s*[^=,{}[\]\s]+\s*=/.test(text.slice(at)))) break;
      out += c;
      at++;
    }
    return out.trim();
  };
  const value = (inList: boolean): unknown => {
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      const members = pairs('}');
      if (text[at] !== '}') fail();
      at++;
      return members;
    }
    if (c === '[') {
      at++;
      const items: unknown[] = [];
      space();
      while (at < text.length && text[at] !== ']') {
        items.push(value(true));
        space();
        if (text[at] === ',') at++;
        else break;
      }
      space();
      if (text[at] !== ']') fail();
      at++;
      return items;
    }
    if (c === '"' || c === "'") return quoted();
    return bare(inList);
  };
  const pairs = (end?: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    space();
    while (at < text.length && text[at] !== end) {
      const k = key();
      out[k] = value(false);
      space();
      if (text[at] === ',') at++;
      else break;
      space();
    }
    return out;
  };
  try {
    const result = pairs();
    space();
    return at === text.length && Object.keys(result).length > 0 ? result : undefined;
  } catch {
    return undefined;
  }
}
