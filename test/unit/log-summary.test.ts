// One line of `chaperone log`: the environment in brackets reads as a name and its class, or the class
// alone when nothing named it (an unknown target), never an empty name before it.
import { describe, expect, it } from 'vitest';
import { summary } from '../../src/cli/log.js';

const base = { time: '2026-12-06T02:53:47.760Z', outcome: 'refused', tool: 'railway', argv: ['volume', 'delete'], rules: ['railway.volume.delete'], actor: 'agent' };

describe('chaperone log, one line', () => {
  it.each([
    [{ name: 'shop-prod', class: 'production' }, '[shop-prod (production)]'],
    [{ class: 'unknown' }, '[unknown]'],
    [{ name: '', class: 'unknown' }, '[unknown]'],
    [{ name: 'staging' }, '[staging]'],
  ])('%j → %s', (environment, shown) => {
    expect(summary({ ...base, environment })).toBe(`2026-12-06T02:53:47.760Z  refused       railway volume delete ${shown} railway.volume.delete by agent`);
  });

  it('leaves the brackets out when the record has no environment', () => {
    expect(summary({ ...base, environment: {} })).toBe('2026-12-06T02:53:47.760Z  refused       railway volume delete railway.volume.delete by agent');
  });
});
