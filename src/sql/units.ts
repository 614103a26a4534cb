// Units of a psql script with the text of the ones worth reading, from a stream of chunks, in bounded
// memory: bytes are kept only from the first offset a unit still to come may need (the start of the
// statement in progress), and not at all inside COPY data that nothing reads.

import { ScriptSplitter, type Interpolation, type SplitterOptions, type Unit } from './split.js';

export interface ReadUnit extends Unit {
  /** The unit's text for suspicious units only: pieces of text with the variable references between them. */
  pieces?: (string | Interpolation)[];
}

export class UnitScanner {
  private splitter: ScriptSplitter;
  private pending: Buffer[] = [];
  /** Stream offset of pending[0][0]. */
  private pendingStart = 0;
  private offset = 0;

  constructor(options: SplitterOptions = {}) {
    this.splitter = new ScriptSplitter(options);
  }

  push(chunk: Buffer): ReadUnit[] {
    this.pending.push(chunk);
    this.offset += chunk.length;
    return this.collect(this.splitter.feed(chunk));
  }

  finish(): ReadUnit[] {
    return this.collect(this.splitter.finish());
  }

  /** Everything before this offset may be passed on once the units returned so far are judged. */
  get safeUpTo(): number {
    return Math.min(this.offset, this.splitter.keepFrom);
  }

  /** Whether the stream is inside COPY data, whose bytes may be passed on as they come. */
  get copying(): boolean {
    return this.splitter.copying;
  }

  private collect(units: Unit[]): ReadUnit[] {
    for (const unit of units as ReadUnit[]) if (unit.suspicious) unit.pieces = this.pieces(unit);
    this.drop(Math.min(this.offset, this.splitter.keepFrom));
    return units;
  }

  /** The unit's bytes less its cuts, split around its variable references. */
  private pieces(unit: Unit): (string | Interpolation)[] {
    // Only the bytes of this unit are copied, never the whole pending stretch.
    const bytes = (from: number, to: number): string => {
      if (to <= from) return '';
      const parts: Buffer[] = [];
      let start = this.pendingStart;
      for (const chunk of this.pending) {
        const end = start + chunk.length;
        if (end > from && start < to) parts.push(chunk.subarray(Math.max(0, from - start), Math.min(chunk.length, to - start)));
        if (end >= to) break;
        start = end;
      }
      return (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8');
    };
    const marks: { start: number; end: number; variable?: Interpolation }[] = [
      ...(unit.cuts ?? []).map(([start, end]) => ({ start, end })),
      ...(unit.vars ?? []).map((variable) => ({ start: variable.start, end: variable.end, variable })),
    ].sort((x, y) => x.start - y.start);
    const out: (string | Interpolation)[] = [];
    let at = unit.from;
    for (const mark of marks) {
      if (mark.start < at) continue;
      out.push(bytes(at, Math.min(mark.start, unit.to)));
      if (mark.variable) out.push(mark.variable);
      at = mark.end;
    }
    if (at < unit.to) out.push(bytes(at, unit.to));
    return out.filter((p) => p !== '');
  }

  private drop(upTo: number): void {
    let start = this.pendingStart;
    while (this.pending.length && start + this.pending[0].length <= upTo) {
      start += this.pending[0].length;
      this.pending.shift();
    }
    if (this.pending.length && upTo > start) this.pending[0] = this.pending[0].subarray(upTo - start);
    this.pendingStart = Math.max(start, Math.min(upTo, this.offset));
  }
}

/** A unit's text with every variable reference written as it stands in the script. */
export function rawText(pieces: readonly (string | Interpolation)[]): string {
  return pieces.map((p) => (typeof p === 'string' ? p : p.quote === '' ? `:${p.name}` : p.quote === '?' ? `:{?${p.name}}` : `:${p.quote}${p.name}${p.quote}`)).join('');
}
