/**
 * routes/kafka-rest-v2.ts through fastify's inject, over the fake publisher: the REST Proxy v2 /
 * Strimzi Bridge produce routes, statuses, bodies field by field, what reaches Kafka byte by
 * byte. test/integration/kafka-rest.test.ts runs the same routes against the real broker.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import Kafka from 'node-rdkafka';
import { buildTestApp as build, closeTestApps, post } from '../../../support/producer-app.js';

const E = Kafka.CODES.ERRORS;
const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
const TEXT_V2 = 'application/vnd.kafka.text.v2+json';

afterEach(closeTestApps);

const v2 = (app: FastifyInstance, url: string, payload: unknown, type = JSON_V2) => post(app, url, payload, { 'content-type': type });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('v2 POST /topics/{topic}', () => {
  it('json: key and value as JSON text, one entry per record in order, Confluent answer shape', async () => {
    const { app, publisher } = await build();
    const res = await v2(app, '/topics/orders', {
      records: [{ key: 'k', value: { a: 1 } }, { value: [1, 2] }, { value: null, partition: 2 }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.kafka\.v2\+json/);
    expect(res.json()).toEqual({
      offsets: [
        { partition: 0, offset: 0, error_code: null, error: null },
        { partition: 0, offset: 1, error_code: null, error: null },
        { partition: 2, offset: 2, error_code: null, error: null },
      ],
      key_schema_id: null,
      value_schema_id: null,
    });
    expect(publisher.sent.map((m) => [String(m.key), m.value === null ? null : String(m.value), m.partition])).toEqual([
      ['"k"', '{"a":1}', undefined],
      ['null', '[1,2]', undefined],
      ['null', null, 2],
    ]);
    // no enrichment: a gateway stores what it was given
    expect(publisher.sent[0]?.key).toEqual(Buffer.from('"k"'));
    expect(publisher.sent[1]?.key).toBeNull();
  });

  it('binary: base64 decoded to the exact bytes; text: the strings as they are; Bridge headers and timestamp kept', async () => {
    const { app, publisher } = await build();
    const bytes = Buffer.from([0, 255, 10, 13]);
    expect((await v2(app, '/topics/orders', { records: [{ key: b64('k'), value: bytes.toString('base64') }] }, BINARY_V2)).statusCode).toBe(
      200,
    );
    expect(publisher.sent[0]?.value).toEqual(bytes);
    expect(publisher.sent[0]?.key).toEqual(Buffer.from('k'));
    const res = await v2(
      app,
      '/topics/orders',
      {
        records: [
          {
            value: 'plain text',
            timestamp: 1700000000000,
            headers: [
              { key: 'h', value: b64('1') },
              { key: 'h', value: b64('2') },
            ],
          },
        ],
      },
      TEXT_V2,
    );
    expect(res.statusCode).toBe(200);
    expect(publisher.sent[1]).toMatchObject({
      value: Buffer.from('plain text'),
      timestamp: 1700000000000,
      headers: [{ h: Buffer.from('1') }, { h: Buffer.from('2') }],
    });
  });

  it('the path partition, which a record partition overrides (as the REST Proxy does)', async () => {
    const { app, publisher } = await build();
    const res = await v2(app, '/topics/orders/partitions/1', { records: [{ value: 1 }, { value: 2, partition: 2 }] });
    expect(res.json().offsets.map((o: { partition: number }) => o.partition)).toEqual([1, 2]);
    expect(publisher.sent.map((m) => m.partition)).toEqual([1, 2]);
  });

  it.each([
    ['no records field', {}, 422, 422],
    ['an empty records array', { records: [] }, 422, 422],
    ['an unknown record field', { records: [{ value: 1, offset: 3 }] }, 400, 400],
    ['an unknown top-level field', { records: [{ value: 1 }], extra: true }, 400, 400],
    ['a negative record partition', { records: [{ value: 1, partition: -1 }] }, 400, 400],
    ['Avro schema fields', { records: [{ value: 1 }], value_schema: '{"type":"int"}' }, 400, 400],
  ])('%s: %i with the dialect error body, nothing sent', async (_name, body, status, code) => {
    const { app, publisher } = await build();
    const res = await v2(app, '/topics/orders', body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error_code: code, message: expect.stringMatching(/\S/) });
    expect(publisher.sent).toHaveLength(0);
  });

  it('bad base64 or a non-string text value: 400 naming the record, nothing sent', async () => {
    const { app, publisher } = await build();
    const bad = await v2(app, '/topics/orders', { records: [{ value: b64('ok') }, { value: 'not base64!' }] }, BINARY_V2);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error_code: 400, message: expect.stringContaining('records[1].value') });
    const text = await v2(app, '/topics/orders', { records: [{ value: { a: 1 } }] }, TEXT_V2);
    expect(text.statusCode).toBe(400);
    expect(text.json().message).toContain('must be a string');
    expect(publisher.sent).toHaveLength(0);
  });

  it('malformed JSON: 400 saying where; another content type: 415 naming the formats; Avro: 415 naming the Schema Registry', async () => {
    const { app } = await build();
    const broken = await v2(app, '/topics/orders', '{"records": [');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error_code).toBe(400);
    expect(broken.json().message).toMatch(/not valid JSON/);
    const plain = await v2(app, '/topics/orders', { records: [{ value: 1 }] }, 'application/json');
    expect(plain.statusCode).toBe(415);
    expect(plain.json()).toEqual({ error_code: 415, message: expect.stringContaining('application/vnd.kafka.binary.v2+json') });
    const avro = await v2(app, '/topics/orders', { records: [{ value: 1 }] }, 'application/vnd.kafka.avro.v2+json');
    expect(avro.statusCode).toBe(415);
    expect(avro.json().message).toContain('Schema Registry');
  });

  it('unknown topic 404/40401 and unknown path partition 404/40402, from metadata, before anything is sent', async () => {
    const { app, publisher } = await build();
    const topic = await v2(app, '/topics/nope', { records: [{ value: 1 }] });
    expect(topic.statusCode).toBe(404);
    expect(topic.json()).toEqual({ error_code: 40401, message: expect.stringContaining('Topic nope not found') });
    const partition = await v2(app, '/topics/orders/partitions/7', { records: [{ value: 1 }] });
    expect(partition.statusCode).toBe(404);
    expect(partition.json()).toEqual({ error_code: 40402, message: expect.stringContaining('it has 3 partitions') });
    expect((await v2(app, '/topics/orders/partitions/x', { records: [{ value: 1 }] })).statusCode).toBe(400);
    expect(publisher.sent).toHaveLength(0);
  });

  it('a mixed batch: the record naming a missing partition gets its own entry, the others are delivered', async () => {
    const { app, publisher } = await build();
    const res = await v2(app, '/topics/orders', { records: [{ value: 'a' }, { value: 'b', partition: 9 }, { value: 'c', partition: 1 }] });
    expect(res.statusCode).toBe(200);
    const [a, b, c] = res.json().offsets;
    expect(a).toEqual({ partition: 0, offset: 0, error_code: null, error: null });
    expect(b).toEqual({
      partition: null,
      offset: null,
      error_code: 50002,
      error: expect.stringContaining('Partition 9 of topic orders not found'),
      message: b.error,
    });
    expect(c).toEqual({ partition: 1, offset: 1, error_code: null, error: null });
    expect(publisher.sent.map((m) => String(m.value))).toEqual(['"a"', '"c"']);
  });

  it('a topic created after the last metadata answer is found (the catalog asks again on a miss)', async () => {
    let clock = 0;
    const { app, publisher } = await build({ clock: () => clock });
    expect((await v2(app, '/topics/fresh', { records: [{ value: 1 }] })).statusCode).toBe(404);
    publisher.cluster.set('fresh', 1);
    // within the miss interval the answer stands: a flood for a missing topic costs one request
    expect((await v2(app, '/topics/fresh', { records: [{ value: 1 }] })).statusCode).toBe(404);
    const asked = publisher.metadataRequests;
    clock += 600;
    expect((await v2(app, '/topics/fresh', { records: [{ value: 1 }] })).statusCode).toBe(200);
    expect(publisher.metadataRequests).toBe(asked + 1);
  });

  it('Kafka unavailable for every record: 503 with Retry-After (nothing written), not a 200 with errors inside', async () => {
    const { app, publisher } = await build();
    publisher.failWith = () => E.ERR__ALL_BROKERS_DOWN;
    const res = await v2(app, '/topics/orders', { records: [{ value: 1 }, { value: 2 }] });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error_code: 50003, message: expect.stringMatching(/\S/) });
  });

  it("librdkafka's queue full for every record: 429 with Retry-After and 42901, as the server's own budget answers", async () => {
    const { app, publisher } = await build();
    publisher.failWith = () => E.ERR__QUEUE_FULL;
    const res = await v2(app, '/topics/orders', { records: [{ value: 1 }, { value: 2 }] });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ error_code: 42901, message: expect.stringMatching(/queue is full/) });
    // one record of two: its entry says "retriable", the other is delivered
    publisher.failWith = (m) => (String(m.value) === '2' ? E.ERR__QUEUE_FULL : undefined);
    const mixed = await v2(app, '/topics/orders', { records: [{ value: 1 }, { value: 2 }] });
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json().offsets[1]).toMatchObject({ partition: null, offset: null, error_code: 50003 });
  });

  it('no acknowledgement in time: 504 (the outcome is unknown); one record failing among delivered ones: its entry says 50003', async () => {
    const { app, publisher } = await build();
    publisher.failWith = () => E.ERR__MSG_TIMED_OUT;
    expect((await v2(app, '/topics/orders', { records: [{ value: 1 }] })).statusCode).toBe(504);
    publisher.failWith = (m) => (String(m.value) === '2' ? E.ERR__MSG_TIMED_OUT : undefined);
    const mixed = await v2(app, '/topics/orders', { records: [{ value: 1 }, { value: 2 }] });
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json().offsets[1]).toEqual({
      partition: null,
      offset: null,
      error_code: 50003,
      error: expect.stringMatching(/may/),
      message: mixed.json().offsets[1].error,
    });
  });

  it('metadata unreachable: 503, nothing sent', async () => {
    const { app, publisher } = await build();
    publisher.metadataDown = true;
    const res = await v2(app, '/topics/orders', { records: [{ value: 1 }] });
    expect(res.statusCode).toBe(503);
    expect(res.json().error_code).toBe(50003);
    expect(publisher.sent).toHaveLength(0);
  });

  it('?async=true answers 204 without waiting; the records still go', async () => {
    const { app, publisher } = await build();
    let release: () => void = () => undefined;
    publisher.hold = new Promise((r) => (release = r));
    const res = await v2(app, '/topics/orders?async=true', { records: [{ value: 1 }] });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(publisher.held).toBe(1);
    release();
    await new Promise((r) => setImmediate(r));
    expect(publisher.sent).toHaveLength(1);
    expect((await v2(app, '/topics/orders?async=maybe', { records: [{ value: 1 }] })).statusCode).toBe(400);
  });

  it('the allowlist: 403 with 40301; bearer tokens: 401 in the dialect', async () => {
    const { app } = await build({ topicAllow: /^events$/ });
    const res = await v2(app, '/topics/orders', { records: [{ value: 1 }] });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error_code: 40301, message: expect.stringContaining('allowlist') });
    const secured = await build({ tokens: ['s3cret-token'] });
    const denied = await v2(secured.app, '/topics/orders', { records: [{ value: 1 }] });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual({ error_code: 401, message: expect.stringContaining('bearer token') });
  });
});

describe('v2 json bodies read from their bytes (v2-scan.ts)', () => {
  it('sends what the parsing path sends, whitespace removed, and leaves other bodies to it', async () => {
    const { app, publisher } = await build();
    const records = [{ key: 'user-1', value: { user_id: 1, data: 'x y', n: [1.5, true, null] } }, { value: null }];
    const spaced = JSON.stringify({ records }).replaceAll(',', ', ').replaceAll(':', ': ');
    expect((await v2(app, '/topics/t', spaced)).statusCode).toBe(200);
    // headers: not read by the scanner, parsed as before
    expect((await v2(app, '/topics/t', { records: [{ ...records[0], headers: [{ key: 'h', value: b64('v') }] }] })).statusCode).toBe(200);
    const [first, tombstone, parsed] = publisher.sent;
    expect(String(first?.key)).toBe('"user-1"');
    expect(String(first?.value)).toBe('{"user_id":1,"data":"x y","n":[1.5,true,null]}');
    expect(tombstone?.value).toBeNull();
    expect(String(parsed?.value)).toBe(String(first?.value));
    expect(String(parsed?.key)).toBe(String(first?.key));
  });

  it('hands on slices of the request itself: key and value lie in the body’s memory as far apart as in its text', async () => {
    const { app, publisher } = await build();
    const body = JSON.stringify({ records: [{ key: 'k', value: { a: 1 } }] });
    expect((await v2(app, '/topics/t', body)).statusCode).toBe(200);
    const { key, value } = publisher.sent[0] as { key: Buffer; value: Buffer };
    expect(value.buffer).toBe(key.buffer);
    expect(value.byteOffset - key.byteOffset).toBe(body.indexOf('{"a"') - body.indexOf('"k"'));
  });
});
