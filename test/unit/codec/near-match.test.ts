import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearMatches } from '../../../src/codec/near-match.js';

describe('near matches', () => {
  const framers = ['lines', 'delim', 'length', 'varint', 'fixed', 'json-header'];

  it('suggests close names, typos, transpositions and prefixes', () => {
    expect(nearMatches('lenght', framers)).toEqual(['length']);
    expect(nearMatches('line', framers)).toEqual(['lines']);
    expect(nearMatches('json', framers)).toEqual(['json-header']);
    expect(nearMatches('zzz', framers)).toEqual([]);
  });

  it('phrases it for a message', () => {
    expect(didYouMean('fixd', framers)).toBe(" (did you mean 'fixed'?)");
    expect(didYouMean('qqqqqq', framers)).toBe('');
  });

  it('measures edit distance with transpositions', () => {
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
