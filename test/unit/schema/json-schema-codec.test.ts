/** JSON Schema: the value's JSON text after the wire header, written only when it validates. */
import { describe, expect, it } from '@jest/globals';
import { jsonSchemaCodec } from '../../../src/schema/json-schema-codec.js';
import { SchemaError } from '../../../src/schema/schema-error.js';

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Payment',
  type: 'object',
  required: ['id', 'amount'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

describe('jsonSchemaCodec', () => {
  it('writes magic 0, the id, then the JSON text', async () => {
    const codec = await jsonSchemaCodec(JSON.stringify(schema));
    const bytes = codec.encode(5, { id: 'p1', amount: 2.5 }, 'v');
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 5]);
    expect(JSON.parse(bytes.subarray(5).toString())).toEqual({ id: 'p1', amount: 2.5 });
    expect(codec.recordName).toBe('Payment');
  });

  it.each([
    [{ id: 'p1' }, "must have required property 'amount'"],
    [{ id: 'p1', amount: -1 }, 'amount must be >= 0'],
    [{ id: 'p1', amount: 1, extra: true }, 'must NOT have additional properties'],
  ])('refuses %j, saying why', async (data, words) => {
    const codec = await jsonSchemaCodec(JSON.stringify(schema));
    const err = (() => {
      try {
        codec.encode(5, data, 'records[1].value');
      } catch (e) {
        return e as SchemaError;
      }
      throw new Error('encoded');
    })();
    expect(err.kind).toBe('schema-mismatch');
    expect(err.message).toContain('records[1].value: ');
    expect(err.message).toContain(words);
  });

  it('validates with the draft the schema names (2020-12)', async () => {
    const codec = await jsonSchemaCodec(
      JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'integer' }] }),
    );
    expect(() => codec.encode(1, ['x'], 'v')).toThrow(SchemaError);
    expect(codec.encode(1, [1], 'v').subarray(5).toString()).toBe('[1]');
  });

  it('refuses a pattern that can backtrack exponentially, and draft-04', async () => {
    await expect(jsonSchemaCodec(JSON.stringify({ type: 'string', pattern: '^(a+)+$' }))).rejects.toMatchObject({
      kind: 'schema-invalid',
      message: expect.stringContaining('exponential time'),
    });
    await expect(jsonSchemaCodec(JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#' }))).rejects.toMatchObject({
      kind: 'schema-invalid',
    });
  });
});

describe('compileCodec', () => {
  it.each([
    ['JSON', 'x'],
    ['AVRO', '{"type": "record"}'],
    ['PROTOBUF', 'message {'],
  ] as const)("answers a %s schema that does not compile as schema-invalid, with the parser's reason", async (type, text) => {
    const { compileCodec } = await import('../../../src/schema/codec.js');
    await expect(compileCodec(type, text)).rejects.toMatchObject({
      kind: 'schema-invalid',
      message: expect.stringContaining(`the ${type} schema is not valid: `),
    });
  });
});
