// The audit log's hash chain: every kind of tampering a hand or a tool that does not know the chain
// would do is found, and named at the line where it happened.

import { beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRecord, auditPath, genesis, headPath, lineHash, readLog, verifyLog } from '../../src/audit/log.js';
import { sinceTime } from '../../src/cli/log.js';

let env: NodeJS.ProcessEnv;
beforeEach(() => {
  const home = mkdtempSync(join(tmpdir(), 'chaperone-audit-'));
  env = { HOME: home, XDG_STATE_HOME: join(home, 'state') };
  for (let i = 1; i <= 6; i++) appendRecord(env, { time: `2026-12-0${i}T00:00:00.000Z`, tool: 'railway', outcome: i % 2 ? 'refused' : 'allowed' });
});

const lines = () => readFileSync(auditPath(env), 'utf8').split('\n').filter(Boolean);
const save = (ls: string[]) => writeFileSync(auditPath(env), `${ls.join('\n')}\n`);
const verify = () => {
  const { text, head } = readLog(env);
  return verifyLog(text, head);
};

describe('the chain', () => {
  it('links each record to the one before, from the genesis, with seq counting up and a head at the end', () => {
    const ls = lines();
    expect(ls.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(JSON.parse(ls[0]).prev).toBe(genesis);
    for (let i = 1; i < ls.length; i++) expect(JSON.parse(ls[i]).prev).toBe(lineHash(ls[i - 1]));
    expect(JSON.parse(readFileSync(headPath(env), 'utf8'))).toEqual({ seq: 6, hash: lineHash(ls[5]), size: readFileSync(auditPath(env)).length });
    expect(verify()).toEqual({ records: 6, unchained: 0, problems: [] });
  });

  it('finds a record edited in the middle', () => {
    const ls = lines();
    ls[2] = ls[2].replace('"refused"', '"allowed"');
    save(ls);
    expect(verify().problems).toEqual([{ line: 4, problem: 'line 3 was edited (its hash no longer matches this record\'s prev)' }]);
  });

  it('finds a record removed from the middle', () => {
    const ls = lines();
    ls.splice(3, 1);
    save(ls);
    expect(verify().problems).toEqual([{ line: 4, problem: '1 record(s) removed before it (seq 4)' }]);
  });

  it('finds two records swapped', () => {
    const ls = lines();
    [ls[1], ls[2]] = [ls[2], ls[1]];
    save(ls);
    const problems = verify().problems;
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(problems[1].problem).toContain('out of order');
  });

  it('finds records cut off the end, and the last record edited, through the head', () => {
    const ls = lines();
    save(ls.slice(0, 4));
    expect(verify().problems).toEqual([{ line: 4, problem: '2 record(s) removed from the end (audit.head says the last was seq 6)' }]);
    save([...ls.slice(0, 5), ls[5].replace('"allowed"', '"refused"')]);
    expect(verify().problems).toEqual([{ line: 6, problem: 'the last record was edited (its hash differs from audit.head)' }]);
  });

  it('finds records removed from the start, a line that is not JSON, and a forged head', () => {
    const ls = lines();
    save(ls.slice(1));
    expect(verify().problems[0]).toEqual({ line: 1, problem: 'the first record does not start the chain: records were removed from the start' });
    save([...ls.slice(0, 2), '{"seq": 3, oops', ...ls.slice(3)]);
    expect(verify().problems.map((p) => p.line)).toEqual([3, 4]);
    save(ls);
    writeFileSync(headPath(env), 'garbage');
    expect(verify().problems).toEqual([{ line: 6, problem: 'audit.head is not readable: edited' }]);
  });

  it('counts records from before the chain as unchained, and chains on after them', () => {
    const legacy = ['{"time":"2026-01-01T00:00:00Z","tool":"psql","outcome":"refused"}', '{"time":"2026-01-02T00:00:00Z","tool":"aws","outcome":"confirmed"}'];
    save(legacy);
    writeFileSync(headPath(env), '');
    appendRecord(env, { tool: 'railway', outcome: 'refused' });
    const ls = lines();
    expect(JSON.parse(ls[2])).toMatchObject({ seq: 1, prev: lineHash(legacy[1]) });
    expect(verify()).toEqual({ records: 3, unchained: 2, problems: [] });
  });
});

describe('where a new record links', () => {
  it('links to the head when the log is the size the head recorded, so a last line edited in place to the same size is named', () => {
    const ls = lines();
    const edited = ls[5].replace('"allowed"', '"refusXd"');
    expect(edited.length).toBe(ls[5].length);
    save([...ls.slice(0, 5), edited]);
    appendRecord(env, { tool: 'aws', outcome: 'refused' });
    expect(JSON.parse(lines()[6])).toMatchObject({ seq: 7, prev: lineHash(ls[5]) });
    expect(verify().problems).toEqual([{ line: 7, problem: 'line 6 was edited (its hash no longer matches this record\'s prev)' }]);
  });

  it('reads and hashes the last line when the log changed size since the head (an older writer, a crash between the writes)', () => {
    const ls = lines();
    // A record appended the way an older chaperone did, without updating the head's size.
    const seventh = JSON.stringify({ seq: 7, prev: lineHash(ls[5]), tool: 'psql', outcome: 'refused' });
    save([...ls, seventh]);
    appendRecord(env, { tool: 'aws', outcome: 'refused' });
    expect(JSON.parse(lines()[7])).toMatchObject({ seq: 8, prev: lineHash(seventh) });
    expect(verify()).toEqual({ records: 8, unchained: 0, problems: [] });
  });

  it('starts the chain at the genesis in an empty log, whatever the head says', () => {
    save([]);
    writeFileSync(auditPath(env), '');
    appendRecord(env, { tool: 'aws', outcome: 'refused' });
    expect(JSON.parse(lines()[0])).toMatchObject({ seq: 1, prev: genesis });
  });
});

describe('--since', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  it.each([
    ['30m', '2026-12-05T11:30:00.000Z'],
    ['12h', '2026-12-05T00:00:00.000Z'],
    ['7d', '2026-11-28T12:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
  ])('%s', (text, iso) => expect(sinceTime(text, now).toISOString()).toBe(iso));
  it('rejects what is neither', () => expect(() => sinceTime('yesterday', now)).toThrow('--since wants'));
});
