/**
 * serve-producer against careless and hostile clients, through inject over the fake publisher
 * (the real-broker and real-socket versions are in test/integration/hostile-clients.test.ts):
 * one admission budget on every route, record limits, strict UTF-8, one key rule, internal
 * topics, unknown topics at once.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { serveProducerSettings } from '../../../src/commands/serve-producer.js';
import { serverTimeouts } from '../../../src/http/app.js';
import { PRODUCE_TIMEOUT_GRACE_MS } from '../../../src/kafka/client-props.js';
import { shutdownPlan } from '../../../src/http/process/server.js';
import { buildTestApp as build, closeTestApps, post } from '../../support/producer-app.js';

afterEach(closeTestApps);

const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const RECORDS = '/v3/clusters/fake-cluster-1/topics/orders/records';

const raw = (app: FastifyInstance, url: string, payload: Buffer | string, type: string, extra: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': type, ...extra } });

/** A publisher whose acknowledgements wait until `release()`. */
function holding(publisher: { hold: Promise<void> | undefined }): () => void {
  let release = () => {};
  publisher.hold = new Promise<void>((r) => (release = r));
  return () => {
    publisher.hold = undefined;
    release();
  };
}

describe('one admission budget on every produce route', () => {
  it('past --max-pending-records every route answers 429 with Retry-After in its own shape, and writes nothing', async () => {
    const { app, publisher } = await build({ admission: { records: 3, bytes: 1 << 20 }, batchLimit: 10 });
    const release = holding(publisher);
    // three records held, waiting for Kafka
    const waiting = post(
      app,
      '/produce/batch',
      [1, 2, 3].map((n) => ({ topic: 't', message: n })),
    );
    for (let i = 0; i < 100 && publisher.held < 3; i++) await new Promise((r) => setImmediate(r));
    expect(publisher.held).toBe(3);

    const ours = await post(app, '/produce', { topic: 't', message: 4 });
    expect(ours.statusCode).toBe(429);
    expect(ours.headers['retry-after']).toBe('1');
    expect(ours.json()).toMatchObject({
      outcome: 'not_written',
      error: { code: 'SF_HTTP_BUSY', message: expect.stringMatching(/3 records .*--max-pending-records, is 3/) },
    });
    const batch = await post(app, '/produce/batch', [{ topic: 't', message: 5 }]);
    expect(batch.statusCode).toBe(429);
    const event = await post(app, '/api/v1/events/user', { data: { a: 1 } });
    expect(event.statusCode).toBe(429);
    const v2 = await raw(app, '/topics/orders', JSON.stringify({ records: [{ value: 1 }] }), JSON_V2);
    expect(v2.statusCode).toBe(429);
    expect(v2.headers['content-type']).toMatch(/application\/vnd\.kafka\.v2\+json/);
    expect(v2.json()).toEqual({ error_code: 42901, message: expect.stringContaining('retry after the Retry-After delay') });
    // fire-and-forget draws from the same budget: no 204 for what will not be held
    const fire = await raw(app, '/topics/orders?async=true', JSON.stringify({ records: [{ value: 1 }] }), JSON_V2);
    expect(fire.statusCode).toBe(429);
    const v3 = await raw(app, RECORDS, JSON.stringify({ value: { type: 'JSON', data: 1 } }), 'application/json');
    expect(v3.statusCode).toBe(429);
    expect(v3.json().error_code).toBe(42901);
    const v3batch = await raw(
      app,
      `${RECORDS}:batch`,
      JSON.stringify({ entries: [{ id: 'a', value: { type: 'JSON', data: 1 } }] }),
      'application/json',
    );
    expect(v3batch.statusCode).toBe(429);

    release();
    expect((await waiting).statusCode).toBe(200);
    expect(publisher.sent).toHaveLength(3);
    // the budget is back: the next request goes through
    expect((await post(app, '/produce', { topic: 't', message: 6 })).statusCode).toBe(200);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^producer_requests_refused_total\{limit="records"\} 7$/m);
    expect(metrics).toMatch(/^producer_pending_records 0$/m);
  });

  it('an async=true flood is bounded to a quarter of the budget: 204, then 429; clients that wait still get in', async () => {
    const { app, publisher } = await build({ admission: { records: 8000, bytes: 64 << 20 }, batchLimit: 1000 });
    const release = holding(publisher);
    const body = JSON.stringify({ records: Array.from({ length: 1000 }, () => ({ value: 0 })) });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await raw(app, '/topics/orders?async=true', body, JSON_V2)).statusCode);
    expect(statuses).toEqual([204, 204, 429, 429, 429, 429, 429, 429, 429, 429]);
    expect(publisher.held).toBe(2000);
    const refused = await raw(app, '/topics/orders?async=true', body, JSON_V2);
    expect(refused.json().message).toMatch(/as many \?async=true records as it takes/);
    // a client that waits for its answer finds the rest
    const waiting = raw(app, '/topics/orders', body, JSON_V2);
    for (let i = 0; i < 100 && publisher.held < 3000; i++) await new Promise((r) => setImmediate(r));
    expect(publisher.held).toBe(3000);
    release();
    expect((await waiting).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
    expect(publisher.sent).toHaveLength(3000);
  });

  it('a body whose Content-Length cannot fit is refused before it is read', async () => {
    const { app, publisher } = await build({ admission: { records: 100, bytes: 2048 }, batchLimit: 10 });
    const release = holding(publisher);
    const waiting = post(app, '/produce', { topic: 't', message: 'x'.repeat(1500) });
    for (let i = 0; i < 100 && publisher.held < 1; i++) await new Promise((r) => setImmediate(r));
    const big = await post(app, '/produce', { topic: 't', message: 'y'.repeat(1000) });
    expect(big.statusCode).toBe(429);
    expect(big.json().error.message).toMatch(/MiB of records .*--max-pending-bytes/);
    release();
    await waiting;
    expect(publisher.sent).toHaveLength(1);
  });

  it('what async=true accepted and Kafka then failed is counted apart', async () => {
    const { app, publisher } = await build();
    publisher.failWith = () => -195; // handed over, no acknowledgement: outcome unknown
    expect(
      (await raw(app, '/topics/orders?async=true', JSON.stringify({ records: [{ value: 1 }, { value: 2 }] }), JSON_V2)).statusCode,
    ).toBe(204);
    await new Promise((r) => setTimeout(r, 10));
    expect((await app.inject('/metrics')).body).toMatch(/^producer_async_failed_total\{topic="orders",outcome="unknown"\} 2$/m);
  });
});

describe('record limits on every route', () => {
  it('v2: more records than --batch-limit is a 413, before any is validated or sent', async () => {
    const { app, publisher } = await build({ batchLimit: 5 });
    const res = await raw(app, '/topics/orders', JSON.stringify({ records: Array.from({ length: 6 }, () => ({ value: 1 })) }), JSON_V2);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error_code: 413, message: expect.stringContaining('6 records, more than --batch-limit 5') });
    expect(publisher.sent).toHaveLength(0);
  });

  it('v3: a whole body of more records than --batch-limit is a 413; nothing is sent', async () => {
    const { app, publisher } = await build({ batchLimit: 5 });
    const body = Array.from({ length: 6 }, (_, i) => JSON.stringify({ value: { type: 'JSON', data: i } })).join('\n');
    const res = await raw(app, RECORDS, body, 'application/json');
    expect(res.statusCode).toBe(413);
    expect(publisher.sent).toHaveLength(0);
  });
});

describe('bytes as sent: invalid UTF-8 is a 400 naming the byte offset, on every route', () => {
  // the bytes of the report: ff fe c3 28 ed a0 80 inside a JSON string
  const poisoned = (prefix: string, suffix: string) =>
    Buffer.concat([Buffer.from(prefix), Buffer.from('fffec328eda080', 'hex'), Buffer.from(suffix)]);

  it.each([
    ['/produce', 'application/json', '{"topic":"t","key":"', '","message":1}'],
    ['/produce/batch', 'application/json', '[{"topic":"t","message":"', '"}]'],
    ['/api/v1/events/user', 'application/json', '{"data":{"a":"', '"}}'],
    ['/topics/orders', JSON_V2, '{"records":[{"key":"', '","value":1}]}'],
    ['/topics/orders', 'application/vnd.kafka.text.v2+json', '{"records":[{"value":"', '"}]}'],
    [RECORDS, 'application/json', '{"value":{"type":"STRING","data":"', '"}}'],
  ])('%s (%s)', async (url, type, prefix, suffix) => {
    const { app, publisher } = await build();
    const res = await raw(app, url, poisoned(prefix, suffix), type);
    expect(res.statusCode).toBe(400);
    const message = type === 'application/json' && !url.startsWith('/v3') ? res.json().error.message : res.json().message;
    expect(message).toContain(`the body is not valid UTF-8: byte 0xff at byte offset ${prefix.length}`);
    expect(publisher.sent).toHaveLength(0);
  });

  it('a streamed v3 body: the stream ends with the error; the records before it were sent as they were', async () => {
    const { Readable } = await import('node:stream');
    const { app, publisher } = await build();
    const good = Buffer.from('{"value":{"type":"STRING","data":"é"}}\n');
    const res = await app.inject({
      method: 'POST',
      url: RECORDS,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      // the bad byte in the second chunk, after a character cut across the chunks
      payload: Readable.from([
        good.subarray(0, good.length - 6),
        Buffer.concat([good.subarray(good.length - 6), Buffer.from('{"value":"\xff', 'latin1')]),
      ]),
    });
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ error_code: 200 });
    expect(lines[1]).toMatchObject({ error_code: 400, message: expect.stringContaining(`byte 0xff at byte offset ${good.length + 10}`) });
    expect(publisher.sent.map((m) => Buffer.from(m.value as Buffer).toString('hex'))).toEqual([Buffer.from('é').toString('hex')]);
  });

  it('a lone surrogate escape in a text key or value is a 400, never U+FFFD', async () => {
    const { app, publisher } = await build();
    const res = await post(app, '/produce', '{"topic":"t","key":"a\\ud800","message":1}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/lone UTF-16 surrogate/);
    const text = await raw(app, '/topics/orders', '{"records":[{"value":"\\udc00"}]}', 'application/vnd.kafka.text.v2+json');
    expect(text.statusCode).toBe(400);
    expect(publisher.sent).toHaveLength(0);
  });
});

describe('one key rule, internal topics, unknown topics at once', () => {
  it('a key over 65,536 bytes is a 400 on every route', async () => {
    const { app, publisher } = await build({ bodyLimit: 1 << 20 });
    const key = 'k'.repeat(65_537);
    expect((await raw(app, '/topics/orders', JSON.stringify({ records: [{ key, value: 1 }] }), JSON_V2)).statusCode).toBe(400);
    const v3 = await raw(
      app,
      RECORDS,
      JSON.stringify({ key: { type: 'STRING', data: key }, value: { type: 'JSON', data: 1 } }),
      'application/json',
    );
    expect(v3.statusCode).toBe(400);
    expect(v3.json().message).toMatch(/the key is 65537 bytes, more than 65536/);
    // multi-byte characters count as bytes: 40,000 characters of é are 80,000 bytes
    expect((await post(app, '/produce', { topic: 't', key: 'é'.repeat(40_000), message: 1 })).statusCode).toBe(400);
    expect((await post(app, '/produce', { topic: 't', key: 'k'.repeat(65_536), message: 1 })).statusCode).toBe(200);
    expect(publisher.sent).toHaveLength(1);
  });

  it("Kafka's internal topics are a 403 that says so", async () => {
    const { app } = await build();
    const res = await post(app, '/produce', { topic: '__consumer_offsets', message: 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/one of Kafka's internal topics/);
    expect((await raw(app, '/topics/__transaction_state', '{"records":[{"value":1}]}', JSON_V2)).statusCode).toBe(403);
  });

  it('/produce: an unknown topic is a 404 from the topic catalog, without handing anything to Kafka', async () => {
    const { app, publisher } = await build();
    const res = await post(app, '/produce', { topic: 'nope', message: 1 });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'SF_HTTP_NOT_FOUND', message: 'Topic nope not found' });
    expect(publisher.sent).toHaveLength(0);
  });

  it('/produce/batch: an unknown topic fails its own items and delays no other', async () => {
    const { app, publisher } = await build({ batchLimit: 10 });
    const res = await post(app, '/produce/batch', [
      { topic: 't', message: 1 },
      { topic: 'nope', message: 2 },
      { topic: 'orders', partition: 7, message: 3 },
      { topic: 'orders', message: 4 },
    ]);
    expect(res.statusCode).toBe(207);
    expect(res.json().results.map((r: { status: number }) => r.status)).toEqual([200, 404, 404, 200]);
    expect(publisher.sent.map((m) => m.value?.toString())).toEqual(['1', '4']);
  });
});

describe('timeouts and shutdown as documented', () => {
  it("--read-timeout bounds headers and body, checked often enough to hold it (Node's check runs every 30 s by default)", () => {
    expect(serverTimeouts(15_000)).toEqual({ requestTimeout: 15_000, headersTimeout: 15_000, connectionsCheckingInterval: 1000 });
    expect(serverTimeouts(1000).connectionsCheckingInterval).toBe(250);
  });

  it('--write-timeout closes an idle keep-alive connection, and the Keep-Alive header says so', async () => {
    const { app } = await build({ connectionTimeoutMs: 7000 });
    expect(app.server.keepAliveTimeout).toBe(7000);
    expect(app.server.headersTimeout).toBe(15_000);
    expect(app.server.requestTimeout).toBe(15_000);
  });

  it("--produce-timeout's help names the grace before the 504 (up to 1.06 s after it was measured)", () => {
    expect(serveProducerSettings.produceTimeout.description).toMatch(/the answer comes at most 1 s later/);
    expect(PRODUCE_TIMEOUT_GRACE_MS).toBe(1000);
  });

  it('the shutdown timeout leaves the flush its share: requests are cut off before it', () => {
    expect(shutdownPlan(20_000)).toEqual({ drainMs: 15_000, flushMs: 5000 });
    expect(shutdownPlan(10_000)).toEqual({ drainMs: 7500, flushMs: 2500 });
    expect(shutdownPlan(100)).toEqual({ drainMs: 0, flushMs: 100 });
  });
});
