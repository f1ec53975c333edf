/** watch/ui/format.ts: ages and cells as the screen shows them. */
import { describe, expect, it } from '@jest/globals';
import { age, fit } from '../../../../src/watch/ui/format.js';

describe('age', () => {
  it('seconds, then minutes and seconds, then hours and minutes; "-" for what is not an age', () => {
    expect([age(0), age(59_999), age(60_000), age(3_599_000), age(3_600_000), age(90_061_000)]).toEqual([
      '0s',
      '59s',
      '1m00s',
      '59m59s',
      '1h00m',
      '25h01m',
    ]);
    expect([age(-1), age(Number.NaN), age(Number.POSITIVE_INFINITY)]).toEqual(['-', '-', '-']);
  });
});

describe('fit', () => {
  it('pads to the width, or cuts with an ellipsis that keeps the width', () => {
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('abcd', 4)).toBe('abcd');
    expect(fit('abc', 0)).toBe('…');
  });
});
