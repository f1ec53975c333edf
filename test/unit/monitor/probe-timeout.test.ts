/** monitor's probe timeout: the default gives way to a short --probe-interval, a given value does not. */
import { describe, expect, it } from '@jest/globals';
import { probeTimeoutMs } from '../../../src/commands/monitor.js';

describe('probeTimeoutMs', () => {
  it('keeps the 5 s default under a long interval, and takes half of a short one', () => {
    expect(probeTimeoutMs(30_000, 5000, false)).toBe(5000);
    expect(probeTimeoutMs(10_000, 5000, false)).toBe(5000);
    expect(probeTimeoutMs(2000, 5000, false)).toBe(1000);
  });

  it('keeps a value the user gave, even a too long one (run() refuses that with exit 2)', () => {
    expect(probeTimeoutMs(2000, 5000, true)).toBe(5000);
    expect(probeTimeoutMs(30_000, 800, true)).toBe(800);
  });
});
