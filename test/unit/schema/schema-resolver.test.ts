/**
 * How a request's schema fields become a registered schema, and the registry's answers the rows
 * of the failure table (a stand-in registry isolates the rules; the real one is in
 * test/integration/schema-registry.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { RegistryError, type RegistryClient, type RegisteredSchema } from '../../../src/schema/registry-client.js';
import { SchemaResolver } from '../../../src/schema/schema-resolver.js';

const avro = JSON.stringify({ type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'id', type: 'string' }] });

function registry(overrides: Partial<Record<'byId' | 'register' | 'version' | 'latest', (...a: never[]) => Promise<unknown>>> = {}) {
  const calls: string[] = [];
  const client = {
    byId: async (id: number): Promise<RegisteredSchema> => (calls.push(`byId ${id}`), { id, schema: avro, schemaType: 'AVRO' }),
    register: async (subject: string): Promise<number> => (calls.push(`register ${subject}`), 11),
    version: async (subject: string, v: number): Promise<RegisteredSchema> => (
      calls.push(`version ${subject} ${v}`),
      { id: 12, schema: avro, schemaType: 'AVRO', subject, version: v }
    ),
    latest: async (subject: string): Promise<RegisteredSchema> => (
      calls.push(`latest ${subject}`),
      { id: 13, schema: avro, schemaType: 'AVRO', subject, version: 4 }
    ),
    ...overrides,
  };
  return { resolver: new SchemaResolver(client as unknown as RegistryClient), calls };
}

describe('SchemaResolver', () => {
  it('registers a schema text under <topic>-value, finds an id, a version and the latest', async () => {
    const { resolver, calls } = registry();
    expect(await resolver.resolve('users', 'value', { schemaType: 'AVRO', schema: avro }, 'value_schema')).toMatchObject({
      id: 11,
      subject: 'users-value',
    });
    expect(await resolver.resolve('users', 'key', { schemaId: 7 }, 'key_schema_id')).toMatchObject({ id: 7, schemaType: 'AVRO' });
    expect(await resolver.resolve('users', 'value', { schemaVersion: 2 }, 'value')).toMatchObject({
      id: 12,
      version: 2,
      subject: 'users-value',
    });
    expect(await resolver.resolve('users', 'key', {}, 'key')).toMatchObject({ id: 13, version: 4, subject: 'users-key' });
    expect(calls).toEqual(['register users-value', 'byId 7', 'version users-value 2', 'latest users-key']);
  });

  it('names subjects by the strategy: the record, or the topic and the record; a named subject wins', async () => {
    const { resolver, calls } = registry();
    await resolver.resolve('users', 'value', { schema: avro, strategy: 'RECORD_NAME' }, 'value');
    await resolver.resolve('users', 'value', { schema: avro, strategy: 'TOPIC_RECORD_NAME' }, 'value');
    await resolver.resolve('users', 'value', { schema: avro, subject: 'mine' }, 'value');
    expect(calls).toEqual(['register acme.User', 'register users-acme.User', 'register mine']);
    await expect(resolver.resolve('users', 'value', { strategy: 'RECORD_NAME' }, 'value')).rejects.toMatchObject({
      kind: 'schema-not-found',
      message: expect.stringContaining('known only from a schema'),
    });
  });

  it('compiles a schema once, and refuses an invalid one before asking the registry', async () => {
    const { resolver, calls } = registry();
    const a = await resolver.resolve('t', 'value', { schemaId: 1 }, 'v');
    const b = await resolver.resolve('t', 'value', { schemaId: 2 }, 'v');
    expect(a.codec).toBe(b.codec);
    await expect(resolver.resolve('t', 'value', { schemaType: 'AVRO', schema: '{"type":"record"}' }, 'value_schema')).rejects.toMatchObject(
      {
        kind: 'schema-invalid',
      },
    );
    expect(calls).toEqual(['byId 1', 'byId 2']);
  });

  it("refuses a schema id of another type than the request's", async () => {
    const { resolver } = registry();
    await expect(resolver.resolve('t', 'value', { schemaType: 'PROTOBUF', schemaId: 3 }, 'value_schema_id')).rejects.toMatchObject({
      kind: 'schema-invalid',
      message: 'value_schema_id: schema id 3 is a AVRO schema, not PROTOBUF',
    });
  });

  it.each([
    [new RegistryError('cannot be reached', 0, 0), 'registry-unavailable'],
    [new RegistryError('answered 500', 500, 50001), 'registry-unavailable'],
    [new RegistryError('answered 401', 401, 40101), 'registry-unavailable'],
    [new RegistryError('answered 404', 404, 40403), 'schema-not-found'],
    [new RegistryError('answered 409', 409, 409), 'schema-incompatible'],
    [new RegistryError('answered 422', 422, 42201), 'schema-invalid'],
  ])('answers the registry error %s as %s', async (err, kind) => {
    const { resolver } = registry({ register: async () => Promise.reject(err) });
    await expect(resolver.resolve('t', 'value', { schema: avro }, 'value_schema')).rejects.toMatchObject({
      kind,
      message: expect.stringMatching(/^value_schema: /),
    });
  });
});
