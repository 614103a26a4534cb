// Feeding a pipe that was read ahead to the real tool. The head goes first, unchanged. When stdin was
// longer than the read-ahead, the rest is split as it streams: units that cannot destroy anything
// pass straight through; each one that could is judged by the same rules and policy before a byte of
// it is written, and confirmed or refused like a whole command. On refusal the tool gets no more input
// (a statement is only run once its `;` arrives, and the held one never does), and the user is told
// exactly what was already sent.

import type { Writable } from 'node:stream';
import type { Evaluation, StdinReadAhead } from '../model.js';
import { escapeControl } from '../display/describe.js';
import { redactText } from '../redact.js';
import { rawText } from '../sql/units.js';
import { streamReaderFor } from '../tools/psql.js';
import { toolOf } from '../tools/index.js';
import { passGate } from './gate.js';

const sliceSize = 1024 * 1024;

export interface FeedOutcome {
  /** Set when a unit was refused: the tool's input was closed before it. */
  stopped?: { statement: number; text: string; sentStatements: number };
}

/**
 * `onStop` runs when a unit is held, before the tool's input is closed: a feeder beside the tool says
 * so there, while the tool still waits for its next statement (src/shim/feed.ts).
 */
export type OnStop = (stopped: NonNullable<FeedOutcome['stopped']>) => void;

export async function feedStdin(ev: Evaluation, ahead: StdinReadAhead, sink: Writable, source: NodeJS.ReadableStream, onStop?: OnStop): Promise<FeedOutcome> {
  // Each tool splits its own input: the mysql client's script is not psql's.
  if (toolOf(ev.invocation.tool) === 'mysql' && !ahead.complete && ev.judge) return (await import('./mysql-stdin.js')).feedMysqlStdin(ev, ahead, sink, source, onStop);
  const write = writerTo(sink);

  if (ahead.complete || !ev.judge) {
    await write(ahead.head);
    if (!ahead.complete) for await (const chunk of source as AsyncIterable<Buffer>) await write(chunk);
    sink.end();
    return {};
  }

  // The reader that judged the head reads on from where it stopped. (When the parse read another
  // script after stdin, a fresh session replays the head instead, judging only what it did not see.)
  const reader = streamReaderFor(ahead, ev.invocation);
  const { session, scanner } = reader;
  const held = heldBytes(write);
  let statements = reader.statements;
  let safe = reader.safe;
  // What may go to the tool: every unit judged safe, and inside COPY data what no unit still needs.
  const mayGo = () => Math.max(safe, scanner.copying ? scanner.safeUpTo : 0);

  const take = async (chunk: Buffer, last: boolean): Promise<FeedOutcome['stopped']> => {
    held.push(chunk);
    const units = [...scanner.push(chunk), ...(last ? scanner.finish() : [])];
    for (const unit of units) {
      if (unit.kind === 'sql' && !unit.shadow) statements++;
      if (unit.suspicious) {
        await session.readUnits([unit]);
        const found = session.take();
        if (unit.to > ahead.judgedUpTo && (found.commands.length > 0 || found.nested.length > 0)) {
          await held.flushUpTo(safe); // what was judged safe goes first: a prompt may wait on a human
          const verdict = await ev.judge!(found.commands, found.nested);
          if (verdict.findings.length > 0 && !(await passGate(verdict))) {
            const text = unit.pieces ? rawText(unit.pieces) : '';
            const counted = unit.kind === 'sql' && !unit.shadow ? 1 : 0;
            return { statement: statements + 1 - counted, text, sentStatements: statements - counted };
          }
        }
      }
      safe = Math.max(safe, unit.end);
    }
    // At the end (only whitespace remains), all of it.
    await held.flushUpTo(last ? held.received : mayGo());
    return undefined;
  };

  if (reader.resumed) {
    // The head was judged whole: it goes as far as its units allow.
    held.push(ahead.head);
    await held.flushUpTo(mayGo());
    return feedThrough(take, Buffer.alloc(0), source, sink, onStop);
  }
  return feedThrough(take, ahead.head, source, sink, onStop);
}

/**
 * The read-ahead's `head` through `take` (which judges and writes it) in slices, so that no batch of
 * units grows with the read-ahead; then each chunk of the source, then the end. The tool's input is
 * closed either way, and a stop also stops reading the source. psql's and mysql's feeders share this.
 */
export async function feedThrough(take: (chunk: Buffer, last: boolean) => Promise<FeedOutcome['stopped']>, head: Buffer, source: NodeJS.ReadableStream, sink: Writable, onStop?: OnStop): Promise<FeedOutcome> {
  let stopped: FeedOutcome['stopped'];
  for (let at = 0; at < head.length && !stopped; at += sliceSize) stopped = await take(head.subarray(at, at + sliceSize), false);
  if (!stopped) {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      stopped = await take(chunk, false);
      if (stopped) break;
    }
    stopped ??= await take(Buffer.alloc(0), true);
  }
  if (stopped) onStop?.(stopped);
  sink.end();
  if (stopped) {
    (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    return { stopped };
  }
  return {};
}

/**
 * The bytes read but not yet written to the tool, in stream order. `flushUpTo(offset)` writes those
 * before stream offset `offset`; `written` is how far the tool has been given the stream, `received`
 * how far it has been read.
 */
export function heldBytes(write: (bytes: Buffer) => Promise<void>) {
  const queue: Buffer[] = [];
  let written = 0; // the stream offset of queue[0][0]
  let received = 0;
  return {
    get written() {
      return written;
    },
    get received() {
      return received;
    },
    push(chunk: Buffer) {
      queue.push(chunk);
      received += chunk.length;
    },
    async flushUpTo(offset: number) {
      while (queue.length && written < offset) {
        const first = queue[0];
        const take = Math.min(first.length, offset - written);
        await write(first.subarray(0, take));
        written += take;
        if (take === first.length) queue.shift();
        else queue[0] = first.subarray(take);
      }
    },
  };
}

/** Writes to the tool's stdin, waiting when its pipe is full; nothing once it has closed. */
export function writerTo(sink: Writable): (bytes: Buffer) => Promise<void> {
  sink.on('error', () => {}); // the tool may exit before reading everything (EPIPE): not our error
  let open = true;
  sink.on('close', () => (open = false));
  return async (bytes: Buffer) => {
    if (!open || bytes.length === 0) return;
    if (sink.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        sink.off('drain', done);
        sink.off('close', done);
        resolve();
      };
      sink.on('drain', done);
      sink.on('close', done);
    });
  };
}

export function stoppedMessage(tool: string, stopped: NonNullable<FeedOutcome['stopped']>): string {
  const text = escapeControl(redactText(stopped.text.trim().replace(/\s+/g, ' '))).slice(0, 200);
  return (
    `chaperone: stopped ${tool}'s input before statement ${stopped.statement} (${text}).\n` +
    `chaperone: the ${stopped.sentStatements} statement(s) before it were sent to ${tool} and may have run; nothing after it was sent.\n`
  );
}
