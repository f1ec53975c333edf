/**
 * /produce and /produce/batch bodies read from their bytes give what the parsing path gives:
 * the same topic, key and partition, and the same value bytes with and without enrichment; any
 * other body is left to that path (undefined).
 */
import { describe, expect, it } from '@jest/globals';
import { enrichment, messageValue } from '../../../../src/http/publish/message-value.js';
import { scannedValue, scanProduce, scanProduceBatch, ScannedItems } from '../../../../src/http/publish/produce-scan.js';

const added = enrichment('server-é', new Date('2024-01-01T12:00:00.000Z'));

describe('scanProduce / scanProduceBatch', () => {
  it.each([
    ['an object message', { topic: 't.1_x-y', key: 'user-1', message: { a: 1, b: 'x y', c: [true, null] } }],
    ['an empty object', { topic: 't', message: {} }],
    ['a string message', { topic: 't', message: 'plain text é' }],
    ['an array, a number, a boolean', { topic: 't', message: [1, { a: 2 }] }],
    ['a null key and a partition', { topic: 't', key: null, message: 5, partition: 2 }],
  ])('reads %s as the parsing path does, enriched or not', (_what, item) => {
    for (const text of [JSON.stringify(item), JSON.stringify(item, null, 2)]) {
      const scanned = scanProduce(Buffer.from(text))?.item;
      if (!scanned) throw new Error(`not scanned: ${text}`);
      expect(scanned.topic).toBe(item.topic);
      expect(scanned.key?.toString() ?? null).toBe((item as { key?: string | null }).key ?? null);
      expect(scanned.partition).toBe((item as { partition?: number }).partition);
      for (const enrich of [added, undefined]) {
        expect(scannedValue(scanned.message, enrich).toString()).toBe(String(messageValue(item.message, enrich)));
      }
    }
  });

  it('reads a batch as an array of items, one topic name shared', () => {
    const items = Array.from({ length: 3 }, (_, i) => ({ topic: 'orders', key: `k${i}`, message: { i } }));
    const scanned = scanProduceBatch(Buffer.from(JSON.stringify(items)), 3);
    expect(scanned).toBeInstanceOf(ScannedItems);
    expect(Array.isArray(scanned)).toBe(true);
    expect(scanned?.map((s) => s.key?.toString())).toEqual(['k0', 'k1', 'k2']);
    expect(scanned?.[0]?.topic).toBe(scanned?.[2]?.topic);
    expect(scanProduceBatch(Buffer.from(JSON.stringify(items)), 2)).toBeUndefined();
    expect(scanProduceBatch(Buffer.from('[]'), 2)).toBeUndefined();
  });

  it.each([
    ['headers', { topic: 't', message: 1, headers: { h: 'v' } }],
    ['an enrichment field of its own (the client wins: merged by the parsing path)', { topic: 't', message: { source: 'mine' } }],
    ['a null message', { topic: 't', message: null }],
    ['no message', { topic: 't' }],
    ['no topic', { message: 1 }],
    ['a topic the pattern refuses', { topic: 'a/b', message: 1 }],
    ['the topic ..', { topic: '..', message: 1 }],
    ['a topic of 250 characters', { topic: 'a'.repeat(250), message: 1 }],
    ['a key with an escape', { topic: 't', key: 'a"b', message: 1 }],
    ['a number key', { topic: 't', key: 1, message: 1 }],
    ['a key over 65,536 bytes', { topic: 't', key: 'k'.repeat(65_537), message: 1 }],
    ['an unknown field', { topic: 't', message: 1, extra: true }],
    ['a partition out of range', { topic: 't', message: 1, partition: 2147483648 }],
  ])('leaves %s to the parsing path', (_what, item) => {
    expect(scanProduce(Buffer.from(JSON.stringify(item)))).toBeUndefined();
  });

  it('leaves a field given twice to the parsing path (JSON.parse keeps the last)', () => {
    expect(scanProduce(Buffer.from('{"topic":"a","topic":"b","message":1}'))).toBeUndefined();
  });
});
