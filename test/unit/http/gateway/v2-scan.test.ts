/**
 * A json-format v2 body read from its bytes gives the records the parsing path gives (the same
 * key and value bytes, partition and timestamp); any body outside the common shape is left to
 * that path (undefined), which answers it as before.
 */
import { describe, expect, it } from '@jest/globals';
import { scanV2Json } from '../../../../src/http/gateway/v2-scan.js';
import { scannedV2Records, v2Records } from '../../../../src/http/gateway/v2-records.js';
import type { KafkaV2ProduceRequest } from '../../../../src/protocol/types.js';

const both = (text: string, pathPartition?: number) => {
  const scanned = scanV2Json(Buffer.from(text), 500);
  if (!scanned) throw new Error(`not scanned: ${text}`);
  return {
    scanned: scannedV2Records('t', pathPartition, scanned),
    parsed: v2Records('t', pathPartition, 'json', JSON.parse(text) as KafkaV2ProduceRequest),
  };
};

const plain = (msgs: ReturnType<typeof v2Records>) =>
  msgs.map((m) => ({ ...m, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: m.headers ?? undefined }));

describe('scanV2Json', () => {
  it.each([
    [
      'the Bridge benchmark body (Python spacing)',
      JSON.stringify({ records: [{ key: 'user-1', value: { a: 1, b: 'x y' } }] })
        .replaceAll(',', ', ')
        .replaceAll(':', ': '),
    ],
    ['tombstones and absent keys', '{"records":[{"value":null},{},{"key":"k"},{"key":null,"value":[1,{"z":true}]}]}'],
    ['partitions and timestamps', '{"records":[{"value":1,"partition":2,"timestamp":1700000000000},{"value":"s","partition":0}]}'],
    ['whitespace around everything', ' {\n "records" : [ { "value" : { "a" : [ 1 , 2 ] } , "key" : 7 } ] }\n'],
  ])('reads %s as the parsing path does', (_what, text) => {
    const { scanned, parsed } = both(text, 1);
    expect(plain(scanned)).toEqual(plain(parsed));
  });

  it('uses the path partition unless a record names its own', () => {
    const { scanned } = both('{"records":[{"value":1},{"value":2,"partition":0}]}', 4);
    expect(scanned.map((m) => m.partition)).toEqual([4, 0]);
  });

  it.each([
    ['headers', '{"records":[{"value":1,"headers":[{"key":"h","value":"AA=="}]}]}'],
    ['a schema field', '{"value_schema":null,"records":[{"value":1}]}'],
    ['no records', '{"records":[]}'],
    ['an unknown field', '{"records":[{"value":1,"extra":2}]}'],
    ['a field twice', '{"records":[{"value":1,"value":2}]}'],
    ['a partition out of range', '{"records":[{"value":1,"partition":2147483648}]}'],
    ['a negative partition', '{"records":[{"value":1,"partition":-1}]}'],
    ['a fractional partition', '{"records":[{"value":1,"partition":1.5}]}'],
    ['a timestamp out of range', '{"records":[{"value":1,"timestamp":8640000000000001}]}'],
    ['a value it cannot vouch for', '{"records":[{"value":"\\u00e9"}]}'],
    ['invalid JSON', '{"records":[{"value":1}]'],
    ['a record that is not an object', '{"records":[1]}'],
  ])('leaves %s to the parsing path', (_what, text) => {
    expect(scanV2Json(Buffer.from(text), 500)).toBeUndefined();
  });

  it('leaves a body over the batch limit to the parsing path, which names the count', () => {
    const body = JSON.stringify({ records: Array.from({ length: 3 }, (_, i) => ({ value: i })) });
    expect(scanV2Json(Buffer.from(body), 3)?.records).toHaveLength(3);
    expect(scanV2Json(Buffer.from(body), 2)).toBeUndefined();
  });
});
