// Units of a psql script with the text of the ones worth reading, from a stream of chunks, in bounded
// memory: bytes are kept only from the last unit boundary, and not at all inside COPY data.

import { ScriptSplitter } from './split.js';

export interface ReadUnit {
  /** Byte offset just past the unit. */
  end: number;
  kind: 'sql' | 'meta' | 'copy-data';
  suspicious: boolean;
  /** The unit's text, for suspicious units only. */
  text?: string;
}

export class UnitScanner {
  private splitter = new ScriptSplitter();
  private pending: Buffer[] = [];
  /** Stream offset of pending[0][0]. */
  private pendingStart = 0;
  private offset = 0;

  push(chunk: Buffer): ReadUnit[] {
    const units = this.splitter.feed(chunk);
    return this.collect(chunk, units);
  }

  finish(): ReadUnit[] {
    return this.collect(Buffer.alloc(0), this.splitter.finish());
  }

  /** Everything before this offset belongs to complete units. */
  get completeUpTo(): number {
    return this.pendingStart;
  }

  /** Whether the stream is inside COPY data, whose bytes may be passed on as they come. */
  get copying(): boolean {
    return this.splitter.copying;
  }

  private collect(chunk: Buffer, units: { end: number; kind: ReadUnit['kind']; suspicious: boolean }[]): ReadUnit[] {
    this.offset += chunk.length;
    if (!this.splitter.copying || units.length > 0) this.pending.push(chunk);
    const out: ReadUnit[] = [];
    for (const unit of units) {
      const read: ReadUnit = { ...unit };
      if (unit.suspicious) read.text = this.slice(this.pendingStart, unit.end).toString('utf8');
      this.drop(unit.end);
      out.push(read);
    }
    if (this.splitter.copying) {
      // COPY data is never read: keep nothing of it.
      this.pending = [];
      this.pendingStart = this.offset;
    }
    return out;
  }

  private slice(from: number, to: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [all];
    return all.subarray(from - this.pendingStart, to - this.pendingStart);
  }

  private drop(upTo: number): void {
    let start = this.pendingStart;
    while (this.pending.length && start + this.pending[0].length <= upTo) {
      start += this.pending[0].length;
      this.pending.shift();
    }
    if (this.pending.length) this.pending[0] = this.pending[0].subarray(upTo - start);
    this.pendingStart = upTo;
  }
}
