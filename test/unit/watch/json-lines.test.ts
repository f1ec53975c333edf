/** watch --json's line format: one JSON line per record whatever the record holds. */
import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../src/kafka/reader.js';
import { JsonLineBuffer, jsonLine, readRecord } from '../../../src/watch/json-lines.js';

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
  it("prints a record's headers as kcat -J does (name, value, ...), between key and payload, repeats kept", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const headers: Array<Record<string, Buffer>> = [
      { traceparent: Buffer.from(traceparent) },
      { x: Buffer.from('1') },
      { x: Buffer.from('2') },
    ];
    const msg: ReceivedMessage = { ...record(Buffer.from(JSON.stringify(started))), headers };
    const buffer = new JsonLineBuffer();
    buffer.append(msg, readRecord(msg));
    const out = JSON.parse(buffer.take().toString()) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['topic', 'partition', 'offset', 'ts', 'key', 'headers', 'payload']);
    expect(out.headers).toEqual(['traceparent', traceparent, 'x', '1', 'x', '2']);
    expect(out.payload).toEqual(started);
  });

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

describe('JsonLineBuffer', () => {
  const valid = (i: number, text: string) => ({ event: 'loading', queue_id: `q-${i}`, message: text, records_written: i });
  const alphabet = ['a', ' ', '"', '\\', '\u00e9', '\u2028', '\u{1f600}', '\t', '/', '\u0000', '\u007f', '}'];
  const pick = (n: number, seed: number) => Array.from({ length: n }, (_, k) => alphabet[(seed * 31 + k * 17) % alphabet.length]).join('');

  it('writes the lines of a batch that JSON.parse reads back as the records, key bytes of any kind included', () => {
    const lines = new JsonLineBuffer(16);
    const records: ReceivedMessage[] = [];
    let events = 0;
    for (let i = 0; i < 300; i++) {
      const key =
        i % 5 === 0
          ? null
          : i % 5 === 1
            ? Buffer.from([0xff, 0x22, i % 256])
            : Buffer.from(i % 5 === 2 ? pick(i % 9, i) : `plain-key-${i}`);
      const value = Buffer.from(
        i % 7 === 0 ? JSON.stringify(valid(i, pick(i % 13, i)), null, 1) : JSON.stringify(valid(i, pick(i % 13, i))),
      );
      const msg: ReceivedMessage = {
        topic: i % 2 ? 'queue-events' : 'événements "q"',
        partition: i % 3,
        offset: i,
        key,
        value,
        timestamp: i,
      };
      records.push(msg);
      const rec = readRecord(msg);
      if (rec.event.ok) events++;
      lines.append(msg, rec);
    }
    const out = lines.take().toString('utf8').split('\n');
    expect(out.pop()).toBe('');
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual(
      records.map((m) => ({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        ts: m.timestamp,
        key: m.key ? m.key.toString('utf8') : null,
        payload: JSON.parse(m.value!.toString('utf8')) as unknown,
      })),
    );
    expect(lines.take().length).toBe(0);
    // valid events take the copying path (the others are pretty-printed, or hold a NUL)
    expect(events).toBeGreaterThan(200);
  });

  it('does not copy a payload behind a byte-order mark as it is (the mark would sit inside the line)', () => {
    const { out } = parsedLine(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(started))]));
    expect(out.payload).toEqual(started);
  });
});
