import { describe, expect, it } from '@jest/globals';
import { AdmissionBudget, DEFAULT_ADMISSION } from '../../../../src/http/publish/admission.js';

describe('AdmissionBudget', () => {
  it('takes within both bounds, refuses past either, and takes nothing when it refuses', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.take(6, 50)).toBeUndefined();
    expect(b.take(5, 10)).toEqual({ bound: 'records', heldRecords: 6, heldBytes: 50 });
    expect(b.take(1, 51)).toEqual({ bound: 'bytes', heldRecords: 6, heldBytes: 50 });
    expect([b.heldRecords, b.heldBytes]).toEqual([6, 50]);
    expect(b.take(4, 50)).toBeUndefined();
    expect([b.heldRecords, b.heldBytes]).toEqual([10, 100]);
    expect(b.refused).toEqual({ records: 1, bytes: 1, 'async-share': 0 });
  });

  it('admits one request of any size while nothing is held, so a request within the limits is never refused forever', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.take(50, 5000)).toBeUndefined();
    expect(b.take(1, 1)?.bound).toBe('records');
    b.release(50, 5000);
    expect([b.heldRecords, b.heldBytes]).toEqual([0, 0]);
    expect(b.take(1, 1)).toBeUndefined();
  });

  it('roomFor judges a body by its Content-Length (and the records it can hold) before it is read', () => {
    const b = new AdmissionBudget({ records: 10, bytes: 100 });
    expect(b.roomFor(1_000_000, 1000)).toBeUndefined(); // nothing held
    b.take(1, 60);
    expect(b.roomFor(40, 1)).toBeUndefined();
    expect(b.roomFor(41, 1)?.bound).toBe('bytes');
    expect(b.roomFor(10, 10)?.bound).toBe('records');
    b.take(9, 0);
    expect(b.roomFor(0, 1)?.bound).toBe('records');
  });

  it('fire-and-forget holds at most a quarter, so clients that wait always find room', () => {
    const b = new AdmissionBudget({ records: 20, bytes: 2000 });
    expect(b.take(5, 10, 'async')).toBeUndefined();
    expect(b.take(1, 1, 'async')).toEqual({ bound: 'async-share', heldRecords: 5, heldBytes: 10 });
    expect(b.roomFor(12, 1, 'async')?.bound).toBe('async-share');
    expect(b.take(5, 10)).toBeUndefined();
    b.release(5, 10, 'async');
    expect(b.take(5, 10, 'async')).toBeUndefined();
    expect(b.refused['async-share']).toBe(2);
  });

  it('never goes below zero, and refuses limits under one', () => {
    const b = new AdmissionBudget({ records: 1, bytes: 1 });
    b.release(5, 5);
    expect([b.heldRecords, b.heldBytes]).toEqual([0, 0]);
    expect(() => new AdmissionBudget({ records: 0, bytes: 1 })).toThrow(RangeError);
  });

  it("defaults to a fifth of librdkafka's default queue (what is admitted waits there: a latency bound)", () => {
    expect(DEFAULT_ADMISSION.records).toBe(20_000);
    expect(DEFAULT_ADMISSION.bytes).toBe(64 * 1024 * 1024);
  });
});
