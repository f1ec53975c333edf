/**
 * Protobuf's JSON mapping, checked field by field (protobufjs alone would write zeros for what
 * does not fit), for the file's first message: message indexes [0] after the wire header; the
 * body read back with protobufjs's decoder.
 */
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { protobufCodec } from '../../../src/schema/protobuf-codec.js';
import { SchemaError } from '../../../src/schema/schema-error.js';

const proto = `syntax = "proto3";
package shop;
message Order {
  int64 id = 1;
  string customer_name = 2;
  repeated int32 lines = 3;
  Status status = 4;
  map<string, double> prices = 5;
  Address address = 6;
  bytes raw = 7;
  oneof contact { string email = 8; string phone = 9; }
}
message Address { string city = 1; }
enum Status { NEW = 0; PAID = 1; }
`;
const codec = protobufCodec(proto);
const Order = protobuf.parse(proto, { keepCase: true }).root.lookupType('shop.Order');

const refused = (data: unknown): SchemaError => {
  try {
    codec.encode(1, data, 'records[0].value');
  } catch (err) {
    return err as SchemaError;
  }
  throw new Error('encoded');
};

describe('protobufCodec', () => {
  it('writes magic 0, the id, the index [0], then the first message; every field reads back', () => {
    // the JSON mapping's spellings in, the .proto's names out
    const sent = {
      id: '9007199254740993',
      customerName: 'Ada',
      lines: [1, 2],
      status: 'PAID',
      prices: { a: 1.5 },
      address: { city: 'Oslo' },
      raw: 'AP8=',
      email: 'a@b',
    };
    const bytes = codec.encode(3, sent, 'v');
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 0, 0, 3, 0]);
    const back = Order.toObject(Order.decode(bytes.subarray(6)), { longs: String, enums: String, bytes: String });
    const { customerName, ...rest } = sent;
    expect(back).toEqual({ ...rest, customer_name: customerName });
    expect(codec.recordName).toBe('shop.Order');
  });

  it.each([
    [{ lines: ['x'] }, 'records[0].value.lines[0]: expected a int32 integer'],
    [{ lines: [2 ** 31] }, 'records[0].value.lines[0]'],
    [{ id: 1.5 }, 'records[0].value.id: expected a int64 integer'],
    [{ status: 'LOST' }, 'records[0].value.status: expected a value of the enum Status'],
    [{ address: { town: 'x' } }, 'records[0].value.address.town: the Address message has no field town'],
    [{ nickname: 'x' }, 'records[0].value.nickname: the Order message has no field nickname (it would be lost)'],
    [{ email: 'a', phone: 'b' }, 'are both in the oneof contact'],
    [{ raw: '***' }, 'expected bytes as a base64 string'],
    [{ prices: { a: 'x' } }, 'records[0].value.prices.a: expected a double'],
  ])('refuses %j with a mismatch that names the field', (data, words) => {
    const err = refused(data);
    expect(err.kind).toBe('schema-mismatch');
    expect(err.message).toContain(words);
  });

  it('refuses a schema that imports another file, or has no message', () => {
    expect(() => protobufCodec('syntax = "proto3"; import "google/protobuf/timestamp.proto"; message A { int32 x = 1; }')).toThrow(
      /references are not supported/,
    );
    expect(() => protobufCodec('syntax = "proto3"; enum E { A = 0; }')).toThrow(/declares no message/);
  });
});
