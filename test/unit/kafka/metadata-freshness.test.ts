import { describe, expect, it } from '@jest/globals';
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
    // before: "no answer for 15 s" by Date.now(), so a blocked loop refused other clients' records
    const f = MetadataFreshness.forPeriod(5000, 15_000);
    f.record(true);
    // nothing recorded while the loop is blocked: no clock takes part
    expect(f.fresh).toBe(true);
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
