import { describe, expect, it } from '@jest/globals';
import { percentile, rttStats } from '../../../src/control/rtt-stats.js';

describe('rtt statistics', () => {
  it('computes min/avg/max and mdev as ping does', () => {
    const s = rttStats([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s).toMatchObject({ count: 8, min: 2, avg: 5, max: 9 });
    expect(s?.mdev).toBeCloseTo(2, 10);
  });

  it('uses nearest-rank percentiles, always a real sample', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    const s = rttStats(samples);
    expect([s?.p50, s?.p95, s?.p99]).toEqual([50, 95, 99]);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is order-independent and handles one sample and none', () => {
    expect(rttStats([3, 1, 2])).toEqual(rttStats([1, 2, 3]));
    expect(rttStats([4])).toMatchObject({ min: 4, max: 4, mdev: 0, p99: 4 });
    expect(rttStats([])).toBeUndefined();
  });
});
