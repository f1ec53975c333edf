/**
 * routes/kafka-rest-v3.ts through fastify's inject, over the fake publisher: the REST Proxy v3
 * produce routes (one record, a stream, records:batch). test/integration/kafka-rest.test.ts runs
 * the same routes against the real broker.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Kafka from 'node-rdkafka';
import { buildTestApp as build, closeTestApps, post } from '../../../support/producer-app.js';

const E = Kafka.CODES.ERRORS;

afterEach(closeTestApps);
const v3 = (app: FastifyInstance, url: string, payload: unknown, type = 'application/json') =>
  post(app, url, payload, { 'content-type': type });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const RECORDS = '/v3/clusters/fake-cluster-1/topics/orders/records';

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
