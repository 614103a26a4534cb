// Cloud Storage lifecycle configurations (gsutil lifecycle set FILE, gcloud storage buckets update
// --lifecycle-file FILE): does one delete live objects?
//
// The file is JSON, `{"rule": [...]}` or `{"lifecycle": {"rule": [...]}}` (gcloud takes both). A rule
// whose action is `Delete` deletes live objects unless its condition limits it to noncurrent versions:
// `isLive: false`, `numNewerVersions`, `daysSinceNoncurrentTime` or `noncurrentTimeBefore`. Such a rule
// only trims old versions, as does `AbortIncompleteMultipartUpload`, and `SetStorageClass` moves objects
// without deleting them. A file that cannot be read or parsed is `unreadable`: gated, fail closed.
//
// Trimming old versions within days is the backups going another way (the incident's volume held its
// backups): a noncurrent version is what a restore after a bad overwrite or delete reads. Like S3's
// NoncurrentVersionExpiration (rules.yaml), a week is the floor: a rule that deletes noncurrent
// versions less than 7 days after they stop being current (`daysSinceNoncurrentTime`, or `age` with
// `isLive: false`), or every noncurrent version older than a date at once (`noncurrentTimeBefore`), is
// `trims-recent-versions`.

import { readTextIfExists } from '../context/files.js';
import { resolvePath } from '../context/os-path.js';

export type LifecycleVerdict = 'deletes-live-objects' | 'trims-recent-versions' | 'keeps-live-objects' | 'unreadable';

/** The flag each verdict adds to the call, for the rules (gsutil.ts, gcloud.ts). */
const flagFor: Partial<Record<LifecycleVerdict, string>> = {
  'deletes-live-objects': '--deletes-live-objects',
  'trims-recent-versions': '--deletes-noncurrent-within-a-week',
  unreadable: '--unreadable-file',
};

/** Judges the lifecycle file `file` and adds the flag its verdict stands for to `flags`. */
export function addLifecycleFlag(file: string, cwd: string, flags: Map<string, string[]>): void {
  const flag = flagFor[judgeLifecycleFile(file, cwd)];
  if (flag) flags.set(flag, [file]);
}

const noncurrentOnly = ['numNewerVersions', 'daysSinceNoncurrentTime', 'noncurrentTimeBefore'];
const weekDays = 7;
const maxFileBytes = 4 * 1024 * 1024;

export function judgeLifecycleFile(file: string, cwd: string): LifecycleVerdict {
  let text: string;
  try {
    const read = readTextIfExists(resolvePath(cwd, file), maxFileBytes);
    if (read === undefined) return 'unreadable';
    text = read;
  } catch {
    return 'unreadable';
  }
  return judgeLifecycle(text);
}

export function judgeLifecycle(text: string): LifecycleVerdict {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'unreadable';
  }
  const root = member(document, 'lifecycle') ?? document;
  const rules = member(root, 'rule');
  if (rules === undefined) return isObject(root) && Object.keys(root).length === 0 ? 'keeps-live-objects' : 'unreadable';
  if (!Array.isArray(rules)) return 'unreadable';
  let verdict: LifecycleVerdict = 'keeps-live-objects';
  for (const rule of rules) {
    const type = member(member(rule, 'action'), 'type');
    if (typeof type !== 'string') return 'unreadable';
    if (type !== 'Delete') continue;
    const condition = member(rule, 'condition');
    const limited = isObject(condition) && (condition.isLive === false || noncurrentOnly.some((key) => key in condition));
    if (!limited) return 'deletes-live-objects';
    if (trimsRecentVersions(condition)) verdict = 'trims-recent-versions';
  }
  return verdict;
}

/** A noncurrent-only Delete condition that takes versions within a week, or all before a date. */
function trimsRecentVersions(condition: Record<string, unknown>): boolean {
  // A number that is not one counts as short: fail closed, as the rules' `<N` conditions do.
  const short = (value: unknown) => !(typeof value === 'number' && value >= weekDays);
  if ('daysSinceNoncurrentTime' in condition && short(condition.daysSinceNoncurrentTime)) return true;
  if (condition.isLive === false && 'age' in condition && short(condition.age)) return true;
  return 'noncurrentTimeBefore' in condition;
}

function member(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
