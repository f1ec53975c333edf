/**
 * Schema-typed records end to end: serve-producer with a real Schema Registry (the suite's own,
 * Apicurio's Confluent-compatible API) and the real broker. What it writes is read back with
 * kcat and decoded by decoders that are not ours: Confluent's own Avro and JSON Schema
 * deserializers (@confluentinc/schemaregistry) and protoc. Every field must come back equal.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from './../support/broker.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopicBytes, type RawRecord } from '../support/kcat.js';
import { confluentDeserializers, protocDecode, registryUrl } from '../support/registry.js';

jest.setTimeout(60_000);
const broker = requireBroker('plaintext');
const url = registryUrl();
const decode = confluentDeserializers(url);
const AVRO_V2 = 'application/vnd.kafka.avro.v2+json';
const JSONSCHEMA_V2 = 'application/vnd.kafka.jsonschema.v2+json';
const PROTOBUF_V2 = 'application/vnd.kafka.protobuf.v2+json';
const run = randomBytes(4).toString('hex');
const topicOf = (name: string) => `sr-${name}-${run}`;

const orderAvro = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'paid', type: 'boolean' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'lines', type: { type: 'array', items: 'int' } },
    { name: 'state', type: { type: 'enum', name: 'State', symbols: ['NEW', 'PAID'] } },
  ],
};
const order = { id: 42, customer: 'Ada', total: 12.5, paid: true, note: { string: 'fragile' }, lines: [1, 2], state: 'PAID' };
// what a Confluent consumer reads: the union unwrapped
const orderRead = { ...order, note: 'fragile' };

const paymentJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Payment',
  type: 'object',
  required: ['id', 'amount'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, amount: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
};
const payment = { id: 'p-1', amount: 9.99, tags: ['eu'] };

const userProto = `syntax = "proto3";
package acme;
message User {
  int64 id = 1;
  string display_name = 2;
  repeated string roles = 3;
  Kind kind = 4;
}
enum Kind { HUMAN = 0; ROBOT = 1; }
`;
const user = { id: '7', displayName: 'R2', roles: ['astromech'], kind: 'ROBOT' };
const userText = 'id: 7\ndisplay_name: "R2"\nroles: "astromech"\nkind: ROBOT\n';

let server: RunningServer;
const topics = ['avro', 'json', 'proto', 'v3', 'evolve', 'bad'].map(topicOf);

beforeAll(async () => {
  await Promise.all(topics.map((t) => createTopic(broker, t, 1)));
  server = await startProducerServer(['--schema-registry-url', url], { ...broker });
});

afterAll(() => server?.process.kill());

const v2 = (topic: string, type: string, body: unknown) => postJson(`${server.url}/topics/${topic}`, body, { 'content-type': type });
const v3 = (topic: string, body: unknown) => postJson(`${server.url}/v3/clusters/any/topics/${topic}/records`, body);

async function recordAt(topic: string, offset: number): Promise<RawRecord> {
  const found = (await readTopicBytes(broker, topic)).find((r) => r.offset === offset);
  if (!found) throw new Error(`no record at offset ${offset} of ${topic}`);
  return found;
}

describe('v2: the REST Proxy content types', () => {
  it("Avro: registers the key and value schemas, answers their ids, and Confluent's deserializer reads every field back", async () => {
    const topic = topicOf('avro');
    const res = await v2(topic, AVRO_V2, {
      key_schema: '"string"',
      value_schema: JSON.stringify(orderAvro),
      records: [{ key: 'o-42', value: order }],
    });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    const { offsets, key_schema_id, value_schema_id } = res.body as {
      offsets: Array<{ offset: number }>;
      key_schema_id: number;
      value_schema_id: number;
    };
    expect(typeof key_schema_id).toBe('number');
    expect(typeof value_schema_id).toBe('number');
    const r = await recordAt(topic, offsets[0]?.offset ?? -1);
    expect(r.value?.readUInt32BE(1)).toBe(value_schema_id);
    expect(await decode.avro(topic, r.value as Buffer)).toEqual(orderRead);
    expect(await decode.avro(topic, r.key as Buffer, 'key')).toBe('o-42');
    // the ids alone, the second time
    const again = await v2(topic, AVRO_V2, { key_schema_id, value_schema_id, records: [{ key: 'o-43', value: { ...order, id: 43 } }] });
    expect(again.body).toMatchObject({ key_schema_id, value_schema_id });
    const r2 = await recordAt(topic, (again.body.offsets as Array<{ offset: number }>)[0]?.offset ?? -1);
    expect(await decode.avro(topic, r2.value as Buffer)).toEqual({ ...orderRead, id: 43 });
  });

  it('JSON Schema: the value validated and written as Confluent writes it; its deserializer reads it back', async () => {
    const topic = topicOf('json');
    const res = await v2(topic, JSONSCHEMA_V2, {
      value_schema: JSON.stringify(paymentJsonSchema),
      records: [{ value: payment }, { value: { ...payment, id: 'p-2' } }],
    });
    expect(res.status).toBe(200);
    const offsets = res.body.offsets as Array<{ offset: number }>;
    expect(await decode.json(topic, (await recordAt(topic, offsets[1]?.offset ?? -1)).value as Buffer)).toEqual({ ...payment, id: 'p-2' });
  });

  it('Protobuf: the first message with index [0]; protoc decodes every field', async () => {
    const topic = topicOf('proto');
    const res = await v2(topic, PROTOBUF_V2, { value_schema: userProto, records: [{ value: user }] });
    expect(res.status).toBe(200);
    const r = await recordAt(topic, (res.body.offsets as Array<{ offset: number }>)[0]?.offset ?? -1);
    expect(r.value?.readUInt32BE(1)).toBe(res.body.value_schema_id);
    expect(await protocDecode(userProto, 'acme.User', r.value as Buffer)).toBe(userText);
  });
});

describe('v3: AVRO, JSONSCHEMA and PROTOBUF data', () => {
  it("takes a schema id, a subject's latest version, and a schema text; the report names the schema; each reads back", async () => {
    const topic = topicOf('v3');
    const avro = await v3(topic, { value: { type: 'AVRO', schema: JSON.stringify(orderAvro), data: order } });
    expect(avro.status).toBe(200);
    expect(avro.body.value).toMatchObject({ type: 'AVRO', subject: `${topic}-value`, schema_id: expect.any(Number) });
    const schemaId = (avro.body.value as { schema_id: number }).schema_id;
    const byId = await v3(topic, { key: { type: 'STRING', data: 'k' }, value: { schema_id: schemaId, data: { ...order, id: 2 } } });
    expect(byId.status).toBe(200);
    expect(byId.body.value).toMatchObject({ type: 'AVRO', schema_id: schemaId });
    // only the type: the subject's latest version
    const latest = await v3(topic, { value: { type: 'AVRO', data: { ...order, id: 3 } } });
    expect(latest.body.value).toMatchObject({ type: 'AVRO', subject: `${topic}-value`, schema_id: schemaId, schema_version: 1 });
    for (const [res, id] of [
      [avro, 42],
      [byId, 2],
      [latest, 3],
    ] as const) {
      const r = await recordAt(topic, res.body.offset as number);
      expect(await decode.avro(topic, r.value as Buffer)).toEqual({ ...orderRead, id });
    }
    const json = await v3(topic, {
      value: { type: 'JSONSCHEMA', subject: `${topic}-payments`, schema: JSON.stringify(paymentJsonSchema), data: payment },
    });
    expect(json.status).toBe(200);
    expect(await decode.json(topic, (await recordAt(topic, json.body.offset as number)).value as Buffer)).toEqual(payment);
    const proto = await v3(topic, { value: { type: 'PROTOBUF', subject_name_strategy: 'RECORD_NAME', schema: userProto, data: user } });
    expect(proto.status).toBe(200);
    expect(proto.body.value).toMatchObject({ type: 'PROTOBUF', subject: 'acme.User' });
    expect(await protocDecode(userProto, 'acme.User', (await recordAt(topic, proto.body.offset as number)).value as Buffer)).toBe(userText);
  });

  it('records:batch: a record that does not match fails alone, with 42203', async () => {
    const topic = topicOf('v3');
    const res = await postJson(`${server.url}/v3/clusters/any/topics/${topic}/records:batch`, {
      entries: [
        { id: 'a', value: { type: 'AVRO', data: { ...order, id: 100 } } },
        { id: 'b', value: { type: 'AVRO', data: { ...order, total: 'lots' } } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.body.failures).toEqual([
      { id: 'b', error_code: 42203, message: expect.stringContaining('entries[1].value.data.total: expected a number') },
    ]);
    const ok = (res.body.successes as Array<{ offset: number }>)[0];
    expect(await decode.avro(topic, (await recordAt(topic, ok?.offset ?? -1)).value as Buffer)).toEqual({ ...orderRead, id: 100 });
  });
});

describe("refusals: nothing written, the REST Proxy's codes", () => {
  const count = async (topic: string) => (await readTopicBytes(broker, topic)).length;

  it('a record that does not match its schema, a missing schema, an invalid one, an unknown id', async () => {
    const topic = topicOf('bad');
    const cases: Array<[unknown, number, number, string]> = [
      [
        { value_schema: JSON.stringify(orderAvro), records: [{ value: order }, { value: { ...order, extra: 1 } }] },
        422,
        42203,
        'records[1].value.extra',
      ],
      [{ records: [{ value: order }] }, 422, 42202, 'neither value_schema nor value_schema_id'],
      [{ value_schema_id: 1, records: [{ key: 'k', value: order }] }, 422, 42201, 'neither key_schema nor key_schema_id'],
      [{ value_schema: '{"type": "record", "name": "X"}', records: [{ value: {} }] }, 422, 42205, 'not valid'],
      [{ value_schema_id: 987654, records: [{ value: order }] }, 422, 40801, 'schema id 987654 is not in the schema registry'],
    ];
    for (const [body, status, code, words] of cases) {
      const res = await v2(topic, AVRO_V2, body);
      expect({ status: res.status, code: res.body.error_code }).toEqual({ status, code });
      expect(res.body.message).toContain(words);
    }
    expect(await count(topic)).toBe(0);
  });

  it('evolution under BACKWARD: a new field with a default is taken (a new id); a new required field is refused with 409 and 40801', async () => {
    const topic = topicOf('evolve');
    const first = await v2(topic, AVRO_V2, { value_schema: JSON.stringify(orderAvro), records: [{ value: order }] });
    const evolved = { ...orderAvro, fields: [...orderAvro.fields, { name: 'channel', type: 'string', default: 'web' }] };
    const second = await v2(topic, AVRO_V2, { value_schema: JSON.stringify(evolved), records: [{ value: { ...order, channel: 'app' } }] });
    expect(second.status).toBe(200);
    expect(second.body.value_schema_id).not.toBe(first.body.value_schema_id);
    const breaking = { ...orderAvro, fields: [...orderAvro.fields, { name: 'region', type: 'string' }] };
    const third = await v2(topic, AVRO_V2, { value_schema: JSON.stringify(breaking), records: [{ value: { ...order, region: 'eu' } }] });
    expect({ status: third.status, code: third.body.error_code }).toEqual({ status: 409, code: 40801 });
    expect(await count(topic)).toBe(2);
    const r = await recordAt(topic, second.body.offsets ? ((second.body.offsets as Array<{ offset: number }>)[0]?.offset ?? -1) : -1);
    expect(await decode.avro(topic, r.value as Buffer)).toEqual({ ...orderRead, channel: 'app' });
  });
});
