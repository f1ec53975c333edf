import { describe, expect, it } from '@jest/globals';
import { AdmissionBudget, DEFAULT_ADMISSION } from '../../../src/http/admission.js';

describe('AdmissionBudget', () => {
  it('takes within both bounds, refuses past either, and takes nothing when it refuses', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.take(6, 50)).toBeUndefined();
    expect(b.take(5, 10)).toEqual({ bound: 'records', heldRecords: 6, heldBytes: 50 });
    expect(b.take(1, 51)).toEqual({ bound: 'bytes', heldRecords: 6, heldBytes: 50 });
    expect([b.heldRecords, b.heldBytes]).toEqual([6, 50]);
    expect(b.take(4, 50)).toBeUndefined();
    expect([b.heldRecords, b.heldBytes]).toEqual([10, 100]);
    expect(b.refused).toEqual({ records: 1, bytes: 1 });
  });

  it('admits one request of any size while nothing is held, so a request within the limits is never refused forever', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.take(50, 5000)).toBeUndefined();
    expect(b.take(1, 1)?.bound).toBe('records');
    b.release(50, 5000);
    expect([b.heldRecords, b.heldBytes]).toEqual([0, 0]);
    expect(b.take(1, 1)).toBeUndefined();
  });

  it('roomFor judges a body by its Content-Length before it is read', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.roomFor(1_000_000)).toBeUndefined(); // nothing held
    b.take(1, 60);
    expect(b.roomFor(40)).toBeUndefined();
    expect(b.roomFor(41)?.bound).toBe('bytes');
    b.take(9, 0);
    expect(b.roomFor(0)?.bound).toBe('records');
  });

  it('never goes below zero, and refuses limits under one', () => {
    const b = new AdmissionBudget({ records: 1, bytes: 1 });
    b.release(5, 5);
    expect([b.heldRecords, b.heldBytes]).toEqual([0, 0]);
    expect(() => new AdmissionBudget({ records: 0, bytes: 1 })).toThrow(RangeError);
  });

  it("defaults to librdkafka's queue.buffering.max.messages", () => {
    expect(DEFAULT_ADMISSION.records).toBe(100_000);
    expect(DEFAULT_ADMISSION.bytes).toBe(64 * 1024 * 1024);
  });
});
