import { describe, expect, it, jest } from '@jest/globals';
import { MetadataFreshness } from '../../../src/kafka/metadata-freshness.js';

describe('MetadataFreshness', () => {
  it('goes stale only after its failed probes in a row, and fresh again at the first answer', () => {
    const f = MetadataFreshness.forPeriod(5000, 15_000);
    f.record(false);
    f.record(false);
    expect(f.fresh).toBe(true);
    f.record(false);
    expect(f.fresh).toBe(false);
    f.record(true);
    expect(f.fresh).toBe(true);
    expect(f.failuresInARow).toBe(0);
  });

  it('an event loop held up for a minute (no probe answered, none failed) is not a silent broker', () => {
    // before: "no answer for 15 s" by Date.now(), so a blocked loop refused other clients' records.
    // The clocks a staleness rule could read (Date, performance) are moved on a minute.
    jest.useFakeTimers();
    try {
      const f = MetadataFreshness.forPeriod(5000, 15_000);
      f.record(true);
      jest.advanceTimersByTime(60_000);
      expect(f.fresh).toBe(true);
      f.record(false);
      jest.advanceTimersByTime(60_000);
      expect(f.fresh).toBe(true);
      expect(f.failuresInARow).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('an answer between failures starts the count again', () => {
    const f = new MetadataFreshness(2);
    f.record(false);
    f.record(true);
    f.record(false);
    expect(f.fresh).toBe(true);
    f.record(false);
    expect(f.fresh).toBe(false);
  });
});
