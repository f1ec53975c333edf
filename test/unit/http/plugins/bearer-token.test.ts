import { describe, expect, it } from '@jest/globals';
import { tokenDigest, tokenMatches } from '../../../../src/http/plugins/bearer-token.js';

describe('bearer token comparison', () => {
  const digests = ['s3cret', 'a-much-longer-second-token'].map(tokenDigest);

  it('matches any configured token, and nothing else', () => {
    expect(tokenMatches('s3cret', digests)).toBe(true);
    expect(tokenMatches('a-much-longer-second-token', digests)).toBe(true);
    expect(tokenMatches('s3cre', digests)).toBe(false);
    expect(tokenMatches('', digests)).toBe(false);
  });

  it('compares every token, always as two 32-byte digests, whatever the lengths (no length leak)', () => {
    for (const given of ['x', 's3cret', 'y'.repeat(500)]) {
      const compared: Array<[number, number]> = [];
      tokenMatches(given, digests, (a, b) => {
        compared.push([a.length, b.length]);
        return a.equals(b);
      });
      expect(compared).toEqual([
        [32, 32],
        [32, 32],
      ]);
    }
  });
});
