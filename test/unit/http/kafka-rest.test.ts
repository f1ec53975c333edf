/**
 * The gateway dialects (REST Proxy v2 / Strimzi Bridge, REST Proxy v3) through fastify's inject,
 * over the fake publisher: statuses, bodies field by field, what reaches Kafka byte by byte.
 * test/integration/kafka-rest.test.ts runs the same routes against the real broker.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Kafka from 'node-rdkafka';
import { pathPattern } from '../../../src/http/plugins/error-answers.js';
import { buildTestApp as build, closeTestApps } from '../../support/producer-app.js';

const E = Kafka.CODES.ERRORS;
const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
const TEXT_V2 = 'application/vnd.kafka.text.v2+json';

afterEach(closeTestApps);

const v2 = (app: FastifyInstance, url: string, payload: unknown, type = JSON_V2) =>
  app.inject({
    method: 'POST',
    url,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': type },
  });
const v3 = (app: FastifyInstance, url: string, payload: unknown, type = 'application/json') =>
  app.inject({
    method: 'POST',
    url,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': type },
  });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const RECORDS = '/v3/clusters/fake-cluster-1/topics/orders/records';

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

describe('routes with path parameters', () => {
  it('another method on a path a parametric route matches is a 405 naming the methods it takes', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'DELETE', url: '/topics/orders' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect((await app.inject({ method: 'PUT', url: '/v3/clusters/c/topics/t/records:batch' })).headers.allow).toBe('POST');
    expect((await app.inject({ method: 'DELETE', url: '/topics/orders/x/y/z' })).statusCode).toBe(404);
  });

  it('pathPattern: a parameter is one segment, :: a colon', () => {
    const p = pathPattern('/v3/clusters/:cluster_id/topics/:topic/records::batch');
    expect(p.test('/v3/clusters/abc/topics/t.1/records:batch')).toBe(true);
    expect(p.test('/v3/clusters/abc/topics/t/records')).toBe(false);
    expect(p.test('/v3/clusters/a/b/topics/t/records:batch')).toBe(false);
    expect(pathPattern('/consumers/*').test('/consumers/g/instances/c')).toBe(true);
  });
});

describe('v2 discovery', () => {
  it('GET /topics lists allowed, non-internal topics; GET /topics/{t} and its partitions in the v2 shapes', async () => {
    const { app, publisher } = await build({ topicAllow: /^(orders|__consumer_offsets|events|none)$/ });
    publisher.cluster.set('__consumer_offsets', 50);
    publisher.cluster.set('secret', 1);
    const list = await app.inject({ method: 'GET', url: '/topics' });
    expect(list.json()).toEqual(['events', 'orders']);
    const topic = await app.inject({ method: 'GET', url: '/topics/orders' });
    expect(topic.json()).toEqual({
      name: 'orders',
      configs: {},
      partitions: [0, 1, 2].map((p) => ({ partition: p, leader: 1, replicas: [{ broker: 1, leader: true, in_sync: true }] })),
    });
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions' })).json()).toHaveLength(3);
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions/2' })).json()).toMatchObject({ partition: 2, leader: 1 });
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions/3' })).json().error_code).toBe(40402);
    expect((await app.inject({ method: 'GET', url: '/topics/secret' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/topics/none' })).statusCode).toBe(404);
  });

  it('consumer endpoints: 501 naming streamforge watch; GET / carries bridge_version; /healthy 204', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/consumers/my-group',
      payload: '{}',
      headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().message).toContain('streamforge watch');
    expect((await app.inject({ method: 'GET', url: '/consumers/g/instances/c/records' })).statusCode).toBe(501);
    expect((await app.inject({ method: 'GET', url: '/' })).json().bridge_version).toBe('9.9.9');
    expect((await app.inject({ method: 'GET', url: '/healthy' })).statusCode).toBe(204);
  });
});

describe('v3', () => {
  it('GET /v3/clusters and /v3/clusters/{id}: the real cluster id; another id is a 404', async () => {
    const { app } = await build();
    const list = await app.inject({ method: 'GET', url: '/v3/clusters' });
    expect(list.statusCode).toBe(200);
    expect(list.json().data[0]).toMatchObject({ kind: 'KafkaCluster', cluster_id: 'fake-cluster-1', controller_id: 1 });
    expect((await app.inject({ method: 'GET', url: '/v3/clusters/fake-cluster-1' })).json().cluster_id).toBe('fake-cluster-1');
    const other = await app.inject({ method: 'GET', url: '/v3/clusters/other' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error_code: 404, message: expect.stringContaining('Cluster other cannot be found') });
  });

  it('one record: its report, with type and size of key and value, the bytes per type', async () => {
    const { app, publisher } = await build();
    const res = await v3(app, RECORDS, {
      partition_id: 1,
      headers: [
        { name: 'trace', value: b64('t1') },
        { name: 'empty', value: null },
      ],
      key: { type: 'STRING', data: 'order-42' },
      value: { type: 'JSON', data: { amount: 5 } },
      timestamp: '2026-12-02T10:00:00.5Z',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      error_code: 200,
      cluster_id: 'fake-cluster-1',
      topic_name: 'orders',
      partition_id: 1,
      offset: 0,
      timestamp: '2024-01-01T12:00:00.000Z',
      key: { type: 'STRING', size: 8 },
      value: { type: 'JSON', size: 12 },
    });
    expect(publisher.sent[0]).toMatchObject({
      key: Buffer.from('order-42'),
      value: Buffer.from('{"amount":5}'),
      partition: 1,
      timestamp: Date.UTC(2026, 11, 2, 10, 0, 0, 500),
      headers: [{ trace: Buffer.from('t1') }, { empty: Buffer.alloc(0) }],
    });
    await v3(app, RECORDS, { value: { type: 'BINARY', data: Buffer.from([1, 2, 3]).toString('base64') } });
    expect(publisher.sent[1]?.value).toEqual(Buffer.from([1, 2, 3]));
    expect(publisher.sent[1]?.key).toBeNull();
  });

  it('several records in one body: 200, one report per line in order, errors inside', async () => {
    const { app, publisher } = await build();
    const body = `{"value":{"type":"STRING","data":"a"}}\n{"value":{"type":"BINARY","data":"!!"}}{"value":{"type":"JSON","data":[1]},"partition_id":2}`;
    const res = await v3(app, RECORDS, body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const reports = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(reports).toHaveLength(3);
    expect(reports[0]).toMatchObject({ error_code: 200, offset: 0 });
    expect(reports[1]).toEqual({ error_code: 400, message: expect.stringContaining('not a valid base64') });
    expect(reports[2]).toMatchObject({ error_code: 200, partition_id: 2, offset: 1 });
    expect(publisher.sent).toHaveLength(2);
  });

  it('a chunked body (no Content-Length) is read as it comes: one report per record; over --body-limit with a length: 413', async () => {
    const { app, publisher } = await build({ bodyLimit: 200 });
    const chunks = ['{"value":{"type":"STRING","data":"a"}}{"val', 'ue":{"type":"STRING","data":"b"}}', '  {"value": 7}'];
    const res = await app.inject({
      method: 'POST',
      url: RECORDS,
      payload: Readable.from(chunks),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const reports = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error_code: number });
    expect(reports.map((r) => r.error_code)).toEqual([200, 200, 400]);
    expect(publisher.sent.map((m) => String(m.value))).toEqual(['a', 'b']);
    const big = await v3(app, RECORDS, { value: { type: 'STRING', data: 'x'.repeat(300) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error_code).toBe(413);
  });

  it.each([
    ['bad base64', { value: { type: 'BINARY', data: 1 } }, 400, 400],
    ['a records array (v2 shape)', { records: [] }, 400, 400],
    ['AVRO', { value: { type: 'AVRO', data: 1 } }, 422, 42207],
    ['a schema id', { value: { schema_id: 3, data: 1 } }, 422, 42207],
    ['a missing partition', { partition_id: 5, value: { type: 'JSON', data: 1 } }, 404, 40402],
    ['a bad timestamp', { timestamp: '2026-02-30T00:00:00Z', value: { type: 'JSON', data: 1 } }, 400, 400],
  ])('one record with %s: its own status (%i) and error_code, nothing sent', async (_name, body, status, code) => {
    const { app, publisher } = await build();
    const res = await v3(app, RECORDS, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error_code: code, message: expect.stringMatching(/\S/) });
    expect(publisher.sent).toHaveLength(0);
  });

  it('any cluster id is taken on the produce routes, as self-managed Confluent does; --strict-cluster-id keeps the 404', async () => {
    const { app, publisher } = await build();
    const lenient = await v3(app, '/v3/clusters/placeholder/topics/orders/records', { value: { type: 'JSON', data: 1 } });
    expect(lenient.statusCode).toBe(200);
    // the report names the cluster written to
    expect(lenient.json()).toMatchObject({ error_code: 200, cluster_id: 'fake-cluster-1', topic_name: 'orders' });
    const batch = await v3(app, '/v3/clusters/placeholder/topics/orders/records:batch', {
      entries: [{ id: '1', value: { type: 'JSON', data: 2 } }],
    });
    expect(batch.statusCode).toBe(207);
    expect(publisher.sent).toHaveLength(2);
    // the cluster's own resource stays exact
    expect((await app.inject({ method: 'GET', url: '/v3/clusters/placeholder' })).statusCode).toBe(404);
    const strict = (await build({ strictClusterId: true })).app;
    const refused = await v3(strict, '/v3/clusters/placeholder/topics/orders/records', { value: null });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().message).toMatch(/Cluster placeholder cannot be found: this server is in front of cluster fake-cluster-1/);
  });

  it('unknown topic 404/40401, empty body 422, a JSON array 400, text/plain 415', async () => {
    const { app } = await build();
    expect((await v3(app, '/v3/clusters/fake-cluster-1/topics/nope/records', { value: null })).json().error_code).toBe(40401);
    const empty = await v3(app, RECORDS, '  ');
    expect(empty.statusCode).toBe(422);
    expect(empty.json()).toEqual({ error_code: 422, message: expect.stringContaining('Request body is empty') });
    // no body and no content type: no parser ran (schemathesis found it a 500)
    const none = await app.inject({ method: 'POST', url: RECORDS });
    expect(none.statusCode).toBe(422);
    expect(none.json().error_code).toBe(422);
    const array = await v3(app, RECORDS, '[{"value":null}]');
    expect(array.statusCode).toBe(400);
    expect(array.json().message).toContain('records:batch');
    expect((await v3(app, RECORDS, 'x', 'text/plain')).statusCode).toBe(415);
  });

  it('one record Kafka could not take: 503 with Retry-After, 429 for a full queue, or 504 for an unknown outcome', async () => {
    const { app, publisher } = await build();
    publisher.failWith = () => E.ERR__ALL_BROKERS_DOWN;
    const res = await v3(app, RECORDS, { value: { type: 'JSON', data: 1 } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error_code).toBe(50003);
    publisher.failWith = () => E.ERR__QUEUE_FULL;
    const full = await v3(app, RECORDS, { value: { type: 'JSON', data: 1 } });
    expect([full.statusCode, full.headers['retry-after'], full.json().error_code]).toEqual([429, '1', 42901]);
    publisher.failWith = () => E.ERR__MSG_TIMED_OUT;
    expect((await v3(app, RECORDS, { value: { type: 'JSON', data: 1 } })).statusCode).toBe(504);
  });

  it('records:batch: 207 with successes and failures by id, in order', async () => {
    const { app, publisher } = await build();
    const res = await v3(app, `${RECORDS}:batch`, {
      entries: [
        { id: 'a', value: { type: 'STRING', data: 'x' } },
        { id: 'b', partition_id: 8, value: { type: 'STRING', data: 'y' } },
        { id: 'c', value: { type: 'BINARY', data: '%%' } },
        { id: 'd', key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: {} } },
      ],
    });
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body.successes.map((x: { id: string }) => x.id)).toEqual(['a', 'd']);
    expect(body.successes[1]).toEqual({
      id: 'd',
      cluster_id: 'fake-cluster-1',
      topic_name: 'orders',
      partition_id: 0,
      offset: 1,
      timestamp: '2024-01-01T12:00:00.000Z',
      key: { type: 'STRING', size: 1 },
      value: { type: 'JSON', size: 2 },
    });
    expect(body.failures).toEqual([
      { id: 'b', error_code: 40402, message: expect.stringContaining('Partition 8') },
      { id: 'c', error_code: 400, message: expect.stringContaining('entries[2].value') },
    ]);
    expect(publisher.sent).toHaveLength(2);
  });

  it.each([
    ['empty', { entries: [] }],
    ['duplicate ids', { entries: [{ id: 'a' }, { id: 'a' }] }],
    ['over --batch-limit (5 here)', { entries: Array.from({ length: 6 }, (_, i) => ({ id: String(i) })) }],
    ['an entry without id', { entries: [{ value: null }] }],
  ])('records:batch %s: 422 with 42208', async (_name, body) => {
    const { app } = await build();
    const res = await v3(app, `${RECORDS}:batch`, body);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error_code: 42208, message: expect.stringMatching(/\S/) });
  });
});
