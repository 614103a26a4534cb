// Cloud Storage lifecycle configurations (gsutil lifecycle set FILE, gcloud storage buckets update
// --lifecycle-file FILE): does one delete live objects?
//
// The file is JSON, `{"rule": [...]}` or `{"lifecycle": {"rule": [...]}}` (gcloud takes both). A rule
// whose action is `Delete` deletes live objects unless its condition limits it to noncurrent versions:
// `isLive: false`, `numNewerVersions`, `daysSinceNoncurrentTime` or `noncurrentTimeBefore`. Such a rule
// only trims old versions, as does `AbortIncompleteMultipartUpload`, and `SetStorageClass` moves objects
// without deleting them. A file that cannot be read or parsed is `unreadable`: gated, fail closed.

import { readTextIfExists } from '../context/files.js';
import { resolve as resolvePath } from 'node:path';

export type LifecycleVerdict = 'deletes-live-objects' | 'keeps-live-objects' | 'unreadable';

const noncurrentOnly = ['numNewerVersions', 'daysSinceNoncurrentTime', 'noncurrentTimeBefore'];
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
  for (const rule of rules) {
    const type = member(member(rule, 'action'), 'type');
    if (typeof type !== 'string') return 'unreadable';
    if (type !== 'Delete') continue;
    const condition = member(rule, 'condition');
    const limited = isObject(condition) && (condition.isLive === false || noncurrentOnly.some((key) => key in condition));
    if (!limited) return 'deletes-live-objects';
  }
  return 'keeps-live-objects';
}

function member(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
