/** watch --json's line format: one JSON line per record whatever the record holds. */
import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../src/kafka/reader.js';
import { jsonLine } from '../../../src/watch/run-json.js';

const record = (value: Buffer | null, key: string | null = 'q1'): ReceivedMessage => ({
  topic: 'queue-events',
  partition: 2,
  offset: 41,
  key: key === null ? null : Buffer.from(key),
  value,
  timestamp: 1_700_000_000_123,
});

const started = { event: 'started', queue_id: 'q1', symbol: 'BTCUSDT', message: 'a "quoted" ünïcode\u2028text' };

const parsedLine = (value: Buffer | null, key?: string | null) => {
  const { line, event } = jsonLine(record(value, key));
  expect(line).not.toMatch(/[\n\r]/);
  return { out: JSON.parse(line) as Record<string, unknown>, event };
};

describe('jsonLine', () => {
  it('prints a valid event with its metadata, the payload equal to what was sent', () => {
    const { out, event } = parsedLine(Buffer.from(` ${JSON.stringify(started)}\t`));
    expect(event.ok).toBe(true);
    expect(out).toEqual({ topic: 'queue-events', partition: 2, offset: 41, ts: 1_700_000_000_123, key: 'q1', payload: started });
    expect(Object.keys(out)).toEqual(['topic', 'partition', 'offset', 'ts', 'key', 'payload']);
  });

  it('keeps a pretty-printed event on one line', () => {
    const { out } = parsedLine(Buffer.from(JSON.stringify(started, null, 2).replace(/\n/g, '\r\n')));
    expect(out.payload).toEqual(started);
  });

  it('escapes a key that needs it and prints a missing key as null', () => {
    expect(parsedLine(Buffer.from(JSON.stringify(started)), 'a"b\\c').out.key).toBe('a"b\\c');
    expect(parsedLine(Buffer.from(JSON.stringify(started)), null).out.key).toBeNull();
  });

  it('warns about JSON that is not an event and keeps it as JSON', () => {
    const { out, event } = parsedLine(Buffer.from('{"event":"exploded","queue_id":"q1"}'));
    expect(event.ok).toBe(false);
    expect(out.payload).toEqual({ event: 'exploded', queue_id: 'q1' });
    expect(out.warning).toEqual(expect.stringContaining('event'));
  });

  it('warns about text that is not JSON and keeps it as text', () => {
    const { out } = parsedLine(Buffer.from('not an event\nsecond line'));
    expect(out.payload).toBe('not an event\nsecond line');
    expect(out.warning).toMatch(/^not JSON/);
  });

  it('warns about binary and empty records', () => {
    expect(parsedLine(Buffer.from([0xff, 0xfe, 0x00])).out.warning).toMatch(/not UTF-8/);
    const empty = parsedLine(null).out;
    expect(empty.payload).toBeNull();
    expect(empty.warning).toBe('empty message');
  });
});
