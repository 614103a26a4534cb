// Feeding the mysql/mariadb client a pipe longer than the read-ahead (see stdin.ts for psql). The head
// goes first; the rest is split as it streams by the client's own splitter, line by line, and each
// statement or client command is judged before a byte of it is written. What may go is everything up
// to the start of the line where the statement still being read began: the client sends a statement
// only at its delimiter, or when its input ends, so an unfinished one must never reach it. On refusal
// the client's input is closed before the line where the refused statement began.

import type { Writable } from 'node:stream';
import type { Evaluation, StdinReadAhead } from '../model.js';
import { harmless } from '../sql/mysql-session.js';
import { sessionFor } from '../tools/mysql.js';
import { passGate } from './gate.js';
import { feedThrough, heldBytes, writerTo, type FeedOutcome, type OnStop } from './stdin.js';

export async function feedMysqlStdin(ev: Evaluation, ahead: StdinReadAhead, sink: Writable, source: NodeJS.ReadableStream, onStop?: OnStop): Promise<FeedOutcome> {
  const write = writerTo(sink);
  // A fresh session replays the head to rebuild the script's state (delimiter, database, host) and
  // judges only what the parse did not see: units on lines that end after judgedUpTo.
  const session = sessionFor(ev.invocation);
  const reader = session.newReader();
  const held = heldBytes(write);
  let statements = 0; // statements read so far
  let sent = 0; // statements whose line was written
  const ends: number[] = []; // the line ends of statements read but not yet written
  const flushUpTo = async (offset: number) => {
    await held.flushUpTo(offset);
    while (ends.length && ends[0] <= held.written) {
      ends.shift();
      sent++;
    }
  };

  const take = async (chunk: Buffer, last: boolean): Promise<FeedOutcome['stopped']> => {
    held.push(chunk);
    const units = [...reader.push(chunk), ...(last ? reader.finish() : [])];
    for (const unit of units) {
      if (unit.kind === 'sql') {
        statements++;
        ends.push(unit.end);
      }
      session.readUnit(unit);
      const found = session.take();
      // Units on lines the parse read were judged with the invocation; those that cannot destroy
      // anything (a dump's million INSERTs) need no judge.
      if (unit.end <= ahead.judgedUpTo || (found.commands.every(harmless) && found.nested.length === 0)) continue;
      const verdict = await ev.judge!(found.commands, found.nested);
      if (verdict.findings.length > 0) {
        await flushUpTo(unit.start); // the lines before it were judged safe: they go first, as a prompt may wait on a human
        if (!(await passGate(verdict))) return { statement: statements + (unit.kind === 'sql' ? 0 : 1), text: unit.text, sentStatements: sent };
      }
    }
    // Once the client has quit, it reads nothing more; the rest of the stream goes as it is.
    await flushUpTo(last || reader.ended ? held.received : reader.safeUpTo);
    return undefined;
  };

  return feedThrough(take, ahead.head, source, sink, onStop);
}
