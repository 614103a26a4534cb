// A copy of each audit record for the system log pipeline a team already runs: RFC 5424 messages over
// UDP, TCP or a Unix stream socket (RFC 6587 octet counting on streams). The local log stays the record
// of truth; the copy is one an agent on this account cannot rewrite afterwards.
//
// `audit-syslog` in the user's rules.yaml names the destination: udp://HOST:PORT, tcp://HOST:PORT or
// unix:/PATH. Sending is started when a record is written and awaited before the shim exits or hands
// the process to the tool (flushSyslog), bounded by a short timeout: a dead collector costs at most that,
// and is reported, never a reason to run or refuse.

import { hostname } from 'node:os';
import { say } from '../io.js';

const timeoutMs = 2000;
/** authpriv: security messages, kept from ordinary users on most systems. */
const facility = 10;

export type SyslogTarget = { kind: 'udp' | 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Parses a destination; undefined when it is not one of the three forms. */
export function parseSyslogTarget(text: string): SyslogTarget | undefined {
  const unix = /^unix:(\/.+)$/.exec(text);
  if (unix) return { kind: 'unix', path: unix[1] };
  const net = /^(udp|tcp):\/\/(\[[0-9a-fA-F:]+\]|[^:/[\]]+):(\d{1,5})$/.exec(text);
  if (!net || Number(net[3]) < 1 || Number(net[3]) > 65535) return undefined;
  return { kind: net[1] as 'udp' | 'tcp', host: net[2].replace(/^\[|\]$/g, ''), port: Number(net[3]) };
}

/** The RFC 5424 message for one audit line: MSGID is what became of the command. */
export function syslogMessage(line: string, now = new Date()): string {
  let outcome = 'event';
  try {
    const record = JSON.parse(line) as { outcome?: string; event?: string };
    outcome = record.outcome ?? record.event ?? 'event';
  } catch {
    // not JSON: sent as it is
  }
  // warning for what was held, notice for the rest
  const severity = outcome === 'refused' || outcome === 'aborted' ? 4 : 5;
  const msgid = outcome.replace(/[^!-~]/g, '').slice(0, 32) || '-';
  const host = hostname().replace(/[^!-~]/g, '').slice(0, 255) || '-';
  return `<${facility * 8 + severity}>1 ${now.toISOString()} ${host} chaperone ${process.pid} ${msgid} - ${line}`;
}

const pending: Promise<void>[] = [];

/** Starts sending a record; flushSyslog waits for it. */
export function sendToSyslog(target: SyslogTarget, line: string): void {
  pending.push(
    send(target, syslogMessage(line)).catch((error: Error) => {
      const where = target.kind === 'unix' ? `unix:${target.path}` : `${target.kind}://${target.host}:${target.port}`;
      say(`chaperone: the audit record was written locally but not sent to syslog at ${where}: ${error.message}\n`);
    }),
  );
}

export async function flushSyslog(): Promise<void> {
  await Promise.all(pending.splice(0));
}

async function send(target: SyslogTarget, message: string): Promise<void> {
  if (target.kind === 'udp') {
    const { createSocket } = await import('node:dgram');
    const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
        socket.send(Buffer.from(message), target.port, target.host, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
    } finally {
      socket.close();
    }
    return;
  }
  const { connect } = await import('node:net');
  const framed = Buffer.from(message);
  await new Promise<void>((resolve, reject) => {
    const socket = target.kind === 'unix' ? connect({ path: target.path }) : connect({ host: target.host, port: target.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.end(Buffer.concat([Buffer.from(`${framed.length} `), framed]));
  });
}
