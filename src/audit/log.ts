// The audit log: one JSON line per gated decision, appended to ~/.local/state/chaperone/audit.jsonl of
// the account (never a directory the caller's environment names: see accountHome). Everything in it is
// redacted first.
//
// Each record carries `seq` (one more than the record before) and `prev` (the SHA-256 of the line
// before it, exactly as written), so removing, reordering or editing a record breaks the chain where it
// happened; `audit.head` holds the last seq and hash, so cutting records off the end shows too. Anyone
// who can write the file can also rewrite the whole chain consistently: the chain finds tampering by
// hand and by tools that do not know it; against a determined writer, send the records to syslog (a
// copy the agent cannot reach) or make the log the agent's to append only (`chaperone harden`).

import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation } from '../model.js';
import { sha256Hex } from '../hash.js';
import { isoTime } from './time.js';
import { chaperoneStateDir, readTextIfExists } from '../context/files.js';
import { storeFault, StoreFault } from '../errors.js';
import { withLock } from '../lock.js';
import { redactText } from '../redact.js';
import { redactedArgs } from '../display/describe.js';
import { parseSyslogTarget, sendToSyslog } from './syslog.js';
import { say } from '../io.js';

export type Outcome = 'allowed' | 'confirmed' | 'aborted' | 'refused' | 'approved' | 'approval-used';

/** The `prev` of the first record of a log. */
export const genesis = '0'.repeat(64);

export function auditPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'audit.jsonl');
}

export function headPath(env: NodeJS.ProcessEnv): string {
  return join(chaperoneStateDir(env), 'audit.head');
}

export function lineHash(line: string | Uint8Array): string {
  return sha256Hex(line);
}

export function auditRecord(ev: Evaluation, outcome: Outcome, extra: Record<string, string> = {}, time = new Date()) {
  return {
    time: isoTime(time),
    tool: ev.invocation.tool,
    argv: redactedArgs(ev),
    cwd: ev.invocation.cwd,
    environment: ev.target && {
      name: ev.target.name === undefined ? undefined : redactText(ev.target.name),
      class: ev.target.class,
      because: redactText(ev.target.because),
      evidence: ev.target.evidence.map((e) => ({ ...e, value: redactText(e.value) })),
    },
    rules: ev.findings.map((f) => f.rule),
    findings: ev.findings.map((f) => ({ ...f, text: f.text === undefined ? undefined : redactText(f.text) })),
    decision: ev.decision.verdict,
    outcome,
    actor: ev.actor.actor,
    ...(ev.decision.outOfScope ? { outOfScope: true } : {}),
    ...extra,
  };
}

/**
 * Records a gated decision. A record that lets a tool run must be written first: when the log cannot
 * be written, a StoreFault says why, and the tool does not run. A refusal stands either way; its
 * record is only reported as missing.
 */
export function writeAudit(ev: Evaluation, outcome: Outcome, extra: Record<string, string> = {}): string | undefined {
  const lets = outcome === 'allowed' || outcome === 'confirmed' || outcome === 'approval-used';
  try {
    const line = appendRecord(ev.invocation.env, auditRecord(ev, outcome, extra));
    const target = ev.auditSyslog === undefined ? undefined : parseSyslogTarget(ev.auditSyslog);
    if (target) sendToSyslog(target, line);
    return line;
  } catch (error) {
    if (lets) throw error;
    say(`${(error as Error).message}\n`);
    return undefined;
  }
}

/** Records what is not about one evaluation (an approval given, a PIN set); a failure is reported. */
export function writeAuditEvent(env: NodeJS.ProcessEnv, record: Record<string, unknown>): string | undefined {
  try {
    return appendRecord(env, { time: isoTime(new Date()), ...record });
  } catch (error) {
    say(`${(error as Error).message}\n`);
    return undefined;
  }
}

/**
 * Appends one chained record under the log's lock, and returns the line written. The head also keeps
 * the log's size after the line it names: when the log still has that size, its last line is the one
 * the head names, and the new record links to the head's hash without reading and hashing that line
 * again (a JavaScript SHA-256 of a record costs a refusal more than the rest of the write). When the
 * size differs (a log written by an older chaperone, a crash between the two writes, a hand), the last
 * line is read and hashed as it stands. A last line edited in place to the same size is linked by its
 * hash as written before the edit, so `chaperone log verify` names the edit there.
 */
export function appendRecord(env: NodeJS.ProcessEnv, record: object): string {
  return appendRecordAt(auditPath(env), headPath(env), record);
}

/** appendRecord to the log at `path` with its head at `head` (the shim's code-cache warm-up writes one of its own). */
export function appendRecordAt(path: string, head: string, record: object): string {
  try {
    // withLock makes the state directory when it is missing.
    return withLock(`${path}.lock`, () => {
      const fd = openSync(path, 'a', 0o600);
      try {
        const size = fstatSync(fd).size;
        const tip = headTip(head, size) ?? lastTip(path);
        const line = JSON.stringify({ seq: tip.seq + 1, prev: tip.hash, ...record });
        const bytes = Buffer.from(`${line}\n`, 'utf8');
        writeAll(fd, bytes);
        writeHead(head, { seq: tip.seq + 1, hash: lineHash(bytes.subarray(0, -1)), size: size + bytes.length });
        return line;
      } finally {
        closeSync(fd);
      }
    });
  } catch (error) {
    const fault = storeFault(path, error);
    if (fault instanceof StoreFault) throw new StoreFault(fault.file, `the audit log cannot be written: ${fault.problem}`, fault.fix);
    throw fault;
  }
}

function writeAll(fd: number, bytes: Buffer, position: number | null = null): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset, position === null ? null : position + offset);
}

/** The head's width on disk: its JSON, padded with spaces (JSON allows them), then a newline. */
const headWidth = 160;

/**
 * Rewrites the head in place, at one fixed width, so one write of less than a disk sector replaces
 * it whole. It was a temporary file renamed over the old head: on ext4 a rename over an existing file
 * starts writing the new file's blocks out at once (auto_da_alloc), 0.4 to 8 ms of a refusal's wall
 * time (BENCHMARKS.md). A head that is not a plain file of its own (a symbolic link, which O_NOFOLLOW
 * refuses, a hard link, a FIFO) or cannot be opened is replaced by the rename, as before.
 */
function writeHead(head: string, tip: { seq: number; hash: string; size: number }): void {
  const json = JSON.stringify(tip);
  const bytes = Buffer.from(`${json.padEnd(headWidth - 1)}\n`, 'utf8');
  let fd: number | undefined;
  try {
    fd = openSync(head, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.nlink === 1) {
      writeAll(fd, bytes, 0);
      if (stat.size > bytes.length) ftruncateSync(fd, bytes.length);
      return;
    }
  } catch {
    // not writable in place (a link, a FIFO, no permission): the rename below replaces it, or says why not
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const temporary = `${head}.${process.pid}`;
  writeFileSync(temporary, bytes, { mode: 0o600 });
  renameSync(temporary, head);
}

/** Where the chain ends, from the head, when the log is still the size the head recorded. */
function headTip(head: string, size: number): { seq: number; hash: string } | undefined {
  if (size === 0) return undefined;
  try {
    const tip = JSON.parse(readFileSync(head, 'utf8')) as { seq?: unknown; hash?: unknown; size?: unknown };
    if (tip.size === size && typeof tip.seq === 'number' && Number.isSafeInteger(tip.seq) && typeof tip.hash === 'string' && /^[0-9a-f]{64}$/.test(tip.hash)) return { seq: tip.seq, hash: tip.hash };
  } catch {
    // no head, or not one this version wrote: the last line says where the chain ends
  }
  return undefined;
}

/** Where the chain ends, from the log's last line (the genesis for an empty log). */
function lastTip(path: string): { seq: number; hash: string } {
  const last = lastLine(path);
  return last === undefined ? { seq: 0, hash: genesis } : { seq: seqOf(last), hash: lineHash(last) };
}

/** A line's seq; a record from before the chain (or not a record) counts as 0. */
function seqOf(line: string): number {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : 0;
  } catch {
    return 0;
  }
}

/** The last line of a file without reading all of it: chunks from the end back to a newline. */
function lastLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const chunks: Buffer[] = [];
    let end = size;
    // The file ends with a newline (each record does); skip it.
    const tail = Buffer.alloc(1);
    readSync(fd, tail, 0, 1, size - 1);
    if (tail[0] === 0x0a) end -= 1;
    for (let position = end; position > 0; ) {
      const length = Math.min(65536, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline >= 0) {
        chunks.unshift(chunk.subarray(newline + 1));
        break;
      }
      chunks.unshift(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface ChainProblem {
  line: number;
  problem: string;
}

export interface Verification {
  records: number;
  /** Records from before the chain began (older versions of chaperone); not verifiable. */
  unchained: number;
  problems: ChainProblem[];
}

/** Walks the chain and names each place it is broken. */
export function verifyLog(text: string, headText: string | undefined): Verification {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems: ChainProblem[] = [];
  let unchained = 0;
  let previous: { line: string; seq: number } | undefined;
  lines.forEach((line, index) => {
    const at = index + 1;
    let record: { seq?: unknown; prev?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      problems.push({ line: at, problem: 'not a JSON record: edited, or written by something else' });
      previous = { line, seq: previous ? previous.seq + 1 : 0 };
      return;
    }
    if (typeof record.seq !== 'number' || typeof record.prev !== 'string') {
      if (previous === undefined || previous.seq === 0) {
        unchained += 1;
        previous = { line, seq: 0 };
        return;
      }
      problems.push({ line: at, problem: 'a record without seq and prev inside the chain: inserted by hand' });
      return;
    }
    const expectedPrev = previous === undefined ? genesis : lineHash(previous.line);
    const expectedSeq = previous === undefined || previous.seq === 0 ? undefined : previous.seq + 1;
    if (expectedSeq !== undefined && record.seq < expectedSeq) {
      problems.push({ line: at, problem: `out of order: seq ${record.seq} after ${previous!.seq}` });
    } else if (expectedSeq !== undefined && record.seq > expectedSeq) {
      problems.push({ line: at, problem: `${record.seq - expectedSeq} record(s) removed before it (seq ${expectedSeq}${record.seq - expectedSeq > 1 ? `–${record.seq - 1}` : ''})` });
    } else if (record.prev !== expectedPrev) {
      problems.push({ line: at, problem: at === 1 ? 'the first record does not start the chain: records were removed from the start' : `line ${at - 1} was edited (its hash no longer matches this record's prev)` });
    }
    previous = { line, seq: record.seq };
  });
  if (headText !== undefined) {
    try {
      const head = JSON.parse(headText) as { seq: number; hash: string };
      const lastSeq = previous?.seq ?? 0;
      if (head.seq > lastSeq) problems.push({ line: lines.length, problem: `${head.seq - lastSeq} record(s) removed from the end (audit.head says the last was seq ${head.seq})` });
      else if (head.seq === lastSeq && previous && head.hash !== lineHash(previous.line)) problems.push({ line: lines.length, problem: 'the last record was edited (its hash differs from audit.head)' });
    } catch {
      problems.push({ line: lines.length, problem: 'audit.head is not readable: edited' });
    }
  }
  return { records: lines.length, unchained, problems };
}

/** The log and its head, as `chaperone log verify` reads them. */
export function readLog(env: NodeJS.ProcessEnv): { text: string; head: string | undefined; path: string } {
  const path = auditPath(env);
  return { path, text: readTextIfExists(path, Number.MAX_SAFE_INTEGER) ?? '', head: readTextIfExists(headPath(env)) };
}
