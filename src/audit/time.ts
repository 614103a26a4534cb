// Timestamps as the audit log and the approval store write them: Date's toISOString, made from the
// UTC fields. The first toISOString in a process loads the local time zone (ICU reads /etc/localtime
// and resolves its links), 0.2-0.3 ms of a refusal for a text that is UTC anyway (BENCHMARKS.md);
// the getUTC* fields need no time zone.

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The same text as `time.toISOString()` (test/unit/iso-time.test.ts). */
export function isoTime(time: Date): string {
  const year = time.getUTCFullYear();
  // Years outside 0-9999 are written with a sign and six digits: left to Date itself.
  if (!(year >= 0 && year <= 9999)) return time.toISOString();
  return `${pad(year, 4)}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}T${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}.${pad(time.getUTCMilliseconds(), 3)}Z`;
}
