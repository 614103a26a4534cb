// The feeder beside a streamed tool evaluates the call again (src/shim/feed.ts). It may judge the rest
// of the stream only with the decision's own evaluation: the same head, read the same way, and the same
// environment. Anything else sends the call back to the decision, which runs the tool itself.
import { describe, expect, it } from 'vitest';
import { sameDecision, type Expected } from '../../src/shim/feed.js';

const expected: Expected = { cwd: '/repo', actor: { actor: 'agent', evidence: 'CLAUDECODE=1' }, head: 100, judgedUpTo: 90, target: { name: 'production', class: 'production' } };
const ahead = { head: Buffer.alloc(100), complete: false, judgedUpTo: 90 };
const judge = async () => ({ findings: [] });
const derived = (change: Record<string, unknown> = {}) => ({ stdin: ahead, judge, target: { name: 'production', class: 'production', evidence: [], because: 'flag' }, ...change }) as never;

describe('the feeder judges only with the decision it was handed', () => {
  it('the same head and the same environment match', () => {
    expect(sameDecision(derived(), expected, 0, false)).toBe(true);
  });
  it.each([
    ['a project file now calls it development', { target: { name: 'development', class: 'development', evidence: [], because: 'file' } }],
    ['the environment is now unknown by name', { target: { class: 'production', evidence: [], because: 'unknown' } }],
    ['no target at all', { target: undefined }],
    ['a different head', { stdin: { ...ahead, head: Buffer.alloc(99) } }],
    ['judged to another point', { stdin: { ...ahead, judgedUpTo: 80 } }],
    ['all of stdin read', { stdin: { ...ahead, complete: true } }],
    ['nothing to judge the rest', { judge: undefined }],
  ])('%s: no match', (_, change) => {
    expect(sameDecision(derived(change), expected, 0, false)).toBe(false);
  });
  it('another descriptor or a pipe by name: no match', () => {
    expect(sameDecision(derived(), expected, 5, false)).toBe(false);
    expect(sameDecision(derived(), expected, 0, true)).toBe(false);
  });
});
