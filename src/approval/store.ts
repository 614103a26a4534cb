// The approval store: one JSON file (0600) in chaperone's state directory. Every change happens under
// an exclusive lock file and is written to a temporary file and renamed into place, so two shims
// racing for one approval cannot both use it. A refusal is one transaction (takeOrRequestApproval), the
// file is written compact and only when something in it changed: the store is read on every refused
// call, and with a week of records kept it is not small.

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAuditEvent } from '../audit/log.js';
import { isoTime } from '../audit/time.js';
import { chaperoneStateDir, readTextIfExists } from '../context/files.js';
import { EnvironmentFault, storeFault, StoreFault } from '../errors.js';
import { withLock } from '../lock.js';
import { say } from '../io.js';

export type ApprovalStatus = 'pending' | 'approved' | 'used' | 'expired';

export interface ApprovalRecord {
  code: string;
  binding: string;
  status: ApprovalStatus;
  /** What a human reads before approving; already redacted. */
  command: string;
  cwd: string;
  rules: string[];
  environment: { name?: string; class: string; evidence: string[] };
  /** The word the human must type to approve. */
  confirmWord: string;
  requestedAt: string;
  /** Pending requests and approvals both expire. */
  expiresAt: string;
  approvedAt?: string;
  usedAt?: string;
}

interface StoreFile {
  approvals: ApprovalRecord[];
  /** Read in its line form (readLines): the store's bytes as latin1 text, where the records not parsed still are. */
  text?: string;
}

/** How long a request waits for a human, and how long an approval stays usable by default. */
export const pendingMinutes = 60;
export const defaultApprovalMinutes = 15;
/** Records kept for `chaperone approvals` after they are used or expire. */
const keepDays = 7;

export function storePath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'approvals.json');
}

/**
 * The store as saved. A file that is not a store (torn, edited, the wrong shape) is moved aside and
 * reported, never silently emptied: the approvals in it stop counting, and the user is told where the
 * old file went. One that cannot be read at all is a StoreFault, and nothing gated runs.
 */
function read(path: string, env: NodeJS.ProcessEnv): StoreFile {
  let text: string | undefined;
  try {
    text = readTextIfExists(path);
  } catch (error) {
    if (error instanceof EnvironmentFault) throw new StoreFault(path, `the approval store cannot be read: ${error.problem}`, error.fix);
    throw error;
  }
  if (text === undefined) return { approvals: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return setAside(path, `not valid JSON (${(error as Error).message})`, env);
  }
  const approvals = (data as Partial<StoreFile> | null)?.approvals;
  if (!Array.isArray(approvals) || !approvals.every((r) => typeof r === 'object' && r !== null && typeof r.code === 'string' && typeof r.binding === 'string')) {
    return setAside(path, 'not an approval store (its "approvals" is not a list of approvals)', env);
  }
  return data as StoreFile;
}

function setAside(path: string, why: string, env: NodeJS.ProcessEnv): StoreFile {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  say(
    `chaperone: the approval store ${path} was ${why}.\n` +
      `chaperone: it was moved to ${aside} and a new, empty store started; approvals in it no longer count (ask for them again).\n`,
  );
  writeAuditEvent(env, { event: 'store-set-aside', file: path, aside, why });
  return { approvals: [] };
}

function write(path: string, data: StoreFile): void {
  const temporary = `${path}.${process.pid}.tmp`;
  // One record a line: compact for the machine (no indentation to build and write), readable by a human.
  writeFileSync(temporary, `{"approvals":[\n${data.approvals.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * A refusal's transaction reads only the records it can touch, when the store is in the form `write`
 * gives it (one record a line): those still pending or approved (they may expire, or be taken) and
 * those of its own action; the others are kept as text and written back as they were. Each line's
 * requestedAt is read to drop what is older than the week kept. With a week of an agent's refusals
 * (700 records) parsing every record and the garbage it made was most of a refusal's store
 * transaction (~4 ms; BENCHMARKS.md). In JSON text a key with its quotes can only be a key (a quote
 * inside a string is escaped), so finding `"status":"pending"` in a line finds that record's status.
 * Undefined for a store in any other form, which is read whole (read).
 */
interface StoreLines {
  data: StoreFile;
  /** The store's record lines, without their separating comma. */
  lines: string[];
  /** The record parsed from each line, where it was; false where the line was dropped as too old. */
  read: (ApprovalRecord | false | undefined)[];
  dropped: boolean;
}

function readLines(path: string, binding: string, now: Date): StoreLines | undefined {
  let text: string | undefined;
  try {
    // Bytes as characters: the keys looked for are ASCII, and only the lines parsed are decoded.
    text = readTextIfExists(path, undefined, 'latin1');
  } catch {
    return undefined; // read() says what is wrong with it
  }
  if (text === undefined) return { data: { approvals: [] }, lines: [], read: [], dropped: false };
  const head = '{"approvals":[\n';
  const tail = '\n]}\n';
  if (!text.startsWith(head) || !text.endsWith(tail)) return undefined;
  const body = text.slice(head.length, text.length - tail.length);
  const lines = body === '' ? [] : body.split(',\n');
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const own = latin1(JSON.stringify(binding));
  const read: StoreLines['read'] = [];
  const approvals: ApprovalRecord[] = [];
  let dropped = false;
  for (const line of lines) {
    if (!line.startsWith('{') || !line.endsWith('}') || line.includes('\n')) return undefined;
    // These keys come last in a record as written: searched for from the end.
    const at = line.lastIndexOf('"requestedAt":"');
    const requestedAt = at === -1 ? NaN : Date.parse(line.slice(at + 15, line.indexOf('"', at + 15)));
    if (!(requestedAt > cutoff)) {
      read.push(false);
      dropped = true;
      continue;
    }
    const status = line.lastIndexOf('"status":"') + 10;
    const live = status >= 10 && (line.startsWith('pending"', status) || line.startsWith('approved"', status));
    const ownAt = line.lastIndexOf('"binding":');
    if (!live && !(ownAt !== -1 && line.startsWith(own, ownAt + 10))) {
      read.push(undefined);
      continue;
    }
    let record: ApprovalRecord;
    try {
      record = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as ApprovalRecord;
    } catch {
      return undefined;
    }
    if (typeof record !== 'object' || record === null || typeof record.code !== 'string' || typeof record.binding !== 'string') return undefined;
    read.push(record);
    approvals.push(record);
  }
  return { data: { approvals, text }, lines, read, dropped };
}

/** UTF-8 text as the latin1 string of its bytes (how readLines holds the store). */
const latin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function writeLines(path: string, store: StoreLines): void {
  const kept = new Set(store.data.approvals);
  const out: string[] = [];
  store.lines.forEach((line, i) => {
    const record = store.read[i];
    if (record === undefined) out.push(line);
    else if (record !== false && kept.has(record)) out.push(latin1(JSON.stringify(record)));
  });
  const parsed = new Set(store.read);
  for (const record of store.data.approvals) if (!parsed.has(record)) out.push(latin1(JSON.stringify(record)));
  const temporary = `${path}.${process.pid}.tmp`;
  // The lines not parsed go back byte for byte.
  writeFileSync(temporary, `{"approvals":[\n${out.join(',\n')}\n]}\n`, { mode: 0o600, encoding: 'latin1' });
  renameSync(temporary, path);
}

/**
 * Runs `change` on the store under an exclusive lock; what it returns is returned. `change` calls
 * `changed()` when it altered a record: the store is written back only then (or when a record expired),
 * so a refusal that finds its request already pending reads the store and writes nothing.
 */
export function withStore<T>(env: NodeJS.ProcessEnv, change: (data: StoreFile, now: Date, changed: () => void) => T): T {
  return withStoreAt(storePath(env), env, change);
}

/** withStore on the store at `path` (the shim's code-cache warm-up runs a refusal's transaction on one of its own). */
function withStoreAt<T>(path: string, env: NodeJS.ProcessEnv, change: (data: StoreFile, now: Date, changed: () => void) => T, binding?: string): T {
  try {
    // withLock makes the state directory when it is missing.
    return withLock(`${path}.lock`, () => {
      const now = new Date();
      const lines = binding === undefined ? undefined : readLines(path, binding, now);
      if (lines) {
        // expire() first, always: an approval past its time must be marked expired before anything takes it.
        let dirty = expire(lines.data, now);
        if (lines.dropped) dirty = true;
        const result = change(lines.data, now, () => {
          dirty = true;
        });
        if (dirty) writeLines(path, lines);
        return result;
      }
      const data = read(path, env);
      let dirty = expire(data, now);
      const result = change(data, now, () => {
        dirty = true;
      });
      if (dirty) write(path, data);
      return result;
    });
  } catch (error) {
    throw storeFault(path, error);
  }
}

/** Marks what ran out expired, drops what is older than the week kept; whether anything changed. */
function expire(data: StoreFile, now: Date): boolean {
  let changed = false;
  for (const record of data.approvals) {
    if ((record.status === 'pending' || record.status === 'approved') && new Date(record.expiresAt) <= now) {
      record.status = 'expired';
      changed = true;
    }
  }
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const kept = data.approvals.filter((r) => new Date(r.requestedAt).getTime() > cutoff);
  if (kept.length !== data.approvals.length) {
    data.approvals = kept;
    changed = true;
  }
  return changed;
}

type RequestDetails = Omit<ApprovalRecord, 'code' | 'binding' | 'status' | 'requestedAt' | 'expiresAt'>;

/** Takes the approved, unexpired approval for this action out of `data`, once. */
function take(data: StoreFile, binding: string, now: Date, changed: () => void): ApprovalRecord | undefined {
  const record = data.approvals.find((r) => r.binding === binding && r.status === 'approved');
  if (!record) return undefined;
  record.status = 'used';
  record.usedAt = isoTime(now);
  changed();
  return { ...record };
}

/** The pending request for this action in `data`, made now if there is none. */
function request(data: StoreFile, binding: string, details: () => RequestDetails, newCode: () => string, now: Date, changed: () => void): ApprovalRecord {
  const existing = data.approvals.find((r) => r.binding === binding && r.status === 'pending');
  if (existing) return { ...existing };
  let code = newCode();
  // Codes are unique over every record, those left unparsed in the text too.
  const taken = (c: string) => data.approvals.some((r) => r.code === c) || (data.text?.includes(`"code":${latin1(JSON.stringify(c))}`) ?? false);
  while (taken(code)) code = newCode();
  const record: ApprovalRecord = {
    ...details(),
    code,
    binding,
    status: 'pending',
    requestedAt: isoTime(now),
    expiresAt: isoTime(new Date(now.getTime() + pendingMinutes * 60_000)),
  };
  data.approvals.push(record);
  changed();
  return { ...record };
}

/**
 * A refused call in one transaction: the approval a human gave for this exact action (taken, once), or
 * else its pending request (made now if there is none, with `details` read only then).
 */
export function takeOrRequestApproval(
  env: NodeJS.ProcessEnv,
  binding: string,
  details: () => RequestDetails,
  newCode: () => string,
): { used: ApprovalRecord } | { request: ApprovalRecord } {
  return takeOrRequestApprovalAt(storePath(env), env, binding, details, newCode);
}

/** takeOrRequestApproval on the store at `path`. */
export function takeOrRequestApprovalAt(
  path: string,
  env: NodeJS.ProcessEnv,
  binding: string,
  details: () => RequestDetails,
  newCode: () => string,
): { used: ApprovalRecord } | { request: ApprovalRecord } {
  return withStoreAt(
    path,
    env,
    (data, now, changed) => {
      const used = take(data, binding, now, changed);
      return used ? { used } : { request: request(data, binding, details, newCode, now, changed) };
    },
    binding,
  );
}

/**
 * What a hook does in one transaction: undefined when an approval for this action waits to be used
 * (left for the shim), else the pending request for it (made now if there is none).
 */
export function requestUnlessApproved(env: NodeJS.ProcessEnv, binding: string, details: () => RequestDetails, newCode: () => string): ApprovalRecord | undefined {
  return requestUnlessApprovedAt(storePath(env), env, binding, details, newCode);
}

/** requestUnlessApproved on the store at `path`. */
export function requestUnlessApprovedAt(path: string, env: NodeJS.ProcessEnv, binding: string, details: () => RequestDetails, newCode: () => string): ApprovalRecord | undefined {
  return withStoreAt(
    path,
    env,
    (data, now, changed) => (data.approvals.some((r) => r.binding === binding && r.status === 'approved') ? undefined : request(data, binding, details, newCode, now, changed)),
    binding,
  );
}

export function findRequest(env: NodeJS.ProcessEnv, code: string): ApprovalRecord | undefined {
  return withStore(env, (data) => {
    const record = data.approvals.find((r) => r.code === code);
    return record && { ...record };
  });
}

/** Marks a pending request approved for `minutes`. */
export function approve(env: NodeJS.ProcessEnv, code: string, minutes: number): ApprovalRecord | undefined {
  return withStore(env, (data, now, changed) => {
    const record = data.approvals.find((r) => r.code === code && r.status === 'pending');
    if (!record) return undefined;
    changed();
    record.status = 'approved';
    record.approvedAt = isoTime(now);
    record.expiresAt = isoTime(new Date(now.getTime() + minutes * 60_000));
    return { ...record };
  });
}

export function listApprovals(env: NodeJS.ProcessEnv): ApprovalRecord[] {
  return withStore(env, (data) => data.approvals.map((r) => ({ ...r })));
}
