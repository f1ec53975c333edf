/**
 * Avro's JSON encoding as the REST Proxy takes it, checked field by field; the bytes read back
 * with avsc's own decoder (the wire header cut off) and compared with what was sent.
 */
import { describe, expect, it } from '@jest/globals';
import avro from 'avsc';
import { avroCodec } from '../../../src/schema/avro-codec.js';
import { SchemaError } from '../../../src/schema/schema-error.js';

const schema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'qty', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'double' } },
    { name: 'state', type: { type: 'enum', name: 'State', symbols: ['NEW', 'PAID'] } },
    { name: 'raw', type: 'bytes' },
    { name: 'paid', type: 'boolean' },
  ],
};
const codec = avroCodec(JSON.stringify(schema));
const reader = avro.Type.forSchema(schema as avro.Schema);

const order = {
  id: 9007199254740990,
  qty: 3,
  note: { string: 'fragile' },
  tags: ['a'],
  attrs: { w: 1.5 },
  state: 'PAID',
  raw: '\u0000\u00ff',
  paid: true,
};

function mismatchOf(data: unknown): SchemaError {
  try {
    codec.encode(1, data, 'records[0].value');
  } catch (err) {
    return err as SchemaError;
  }
  throw new Error('encoded');
}

describe('avroCodec', () => {
  it('writes the wire header (magic 0, the id big-endian) and the Avro body a reader decodes field for field', () => {
    const bytes = codec.encode(258, order, 'v');
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
    const back = reader.fromBuffer(bytes.subarray(5)) as Record<string, unknown>;
    expect({ ...back, raw: [...(back.raw as Buffer)] }).toEqual({ ...order, note: 'fragile', raw: [0, 255] });
  });

  it('names the record for RecordNameStrategy', () => {
    expect(codec.recordName).toBe('shop.Order');
  });

  it('takes a missing field that has a default, and null for a union with null', () => {
    const rest: Record<string, unknown> = { ...order };
    delete rest.note;
    expect((reader.fromBuffer(codec.encode(1, rest, 'v').subarray(5)) as { note: unknown }).note).toBeNull();
    expect((reader.fromBuffer(codec.encode(1, { ...order, note: null }, 'v').subarray(5)) as { note: unknown }).note).toBeNull();
  });

  it.each([
    [{ ...order, qty: 'three' }, 'records[0].value.qty: expected an int'],
    [{ ...order, qty: 2 ** 31 }, 'records[0].value.qty: expected an int'],
    [{ ...order, id: 2 ** 53 - 1 }, 'records[0].value.id: expected a long'],
    [{ ...order, note: 'bare' }, 'records[0].value.note: a union\'s value is written {"<branch>": value}'],
    [{ ...order, note: { int: 1 } }, 'records[0].value.note'],
    [{ ...order, state: 'LOST' }, 'records[0].value.state: expected one of NEW, PAID'],
    [{ ...order, tags: [1] }, 'records[0].value.tags[0]: expected a string'],
    [{ ...order, raw: '\u0100' }, 'records[0].value.raw: expected bytes'],
    [{ ...order, extra: 1 }, 'records[0].value.extra: the shop.Order record has no field extra (it would be lost)'],
    [(({ qty: _q, ...r }) => r)(order), "records[0].value.qty: the shop.Order record's field qty is missing and has no default"],
    [[1], 'records[0].value: expected a shop.Order record'],
  ])('refuses %j with a mismatch that names the field', (data, words) => {
    const err = mismatchOf(data);
    expect(err.kind).toBe('schema-mismatch');
    expect(err.message).toContain(words);
  });

  it('takes primitive schemas (a string key)', () => {
    const key = avroCodec('"string"');
    expect(key.recordName).toBeUndefined();
    expect(key.encode(7, 'k-1', 'key').subarray(5).toString('latin1')).toBe('\u0006k-1');
  });
});
